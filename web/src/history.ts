// Query history and saved queries, kept in the browser's localStorage.

export interface HistoryEntry {
  query: string;
  timespan: string;
  at: string; // ISO time the query ran
  rows?: number;
  error?: string;
}

export interface SavedQuery {
  name: string;
  query: string;
  timespan: string;
}

const HISTORY_KEY = 'calypso.history';
const SAVED_KEY = 'calypso.saved';
const MAX_HISTORY = 100;

function read<T>(key: string): T[] {
  try {
    const v = JSON.parse(localStorage.getItem(key) ?? '[]');
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

export function loadHistory(): HistoryEntry[] {
  return read<HistoryEntry>(HISTORY_KEY);
}

// Newest first; a re-run of the same text moves it to the top instead of repeating it.
export function addHistory(e: HistoryEntry): void {
  const list = loadHistory().filter((h) => h.query !== e.query || h.timespan !== e.timespan);
  list.unshift(e);
  localStorage.setItem(HISTORY_KEY, JSON.stringify(list.slice(0, MAX_HISTORY)));
}

export function loadSaved(): SavedQuery[] {
  return read<SavedQuery>(SAVED_KEY);
}

export function saveQuery(q: SavedQuery): void {
  const list = loadSaved().filter((s) => s.name !== q.name);
  list.push(q);
  list.sort((a, b) => a.name.localeCompare(b.name));
  localStorage.setItem(SAVED_KEY, JSON.stringify(list));
}

export function deleteSaved(name: string): void {
  localStorage.setItem(SAVED_KEY, JSON.stringify(loadSaved().filter((s) => s.name !== name)));
}
