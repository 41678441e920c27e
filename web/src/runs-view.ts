// The Runs page: every pipeline run with its status, experiment, duration, start and
// failed step; filterable by any text in the row.
import { el, navLink } from './dom';
import { durationText, listRuns, type RunRow } from './runs-data';

const HEADERS = ['Status', 'Experiment', 'Run', 'Start (UTC)', 'Duration', 'Failed step'];

function runRow(r: RunRow): HTMLElement {
  const id = String(r.RunId);
  const status = String(r.Status ?? '');
  return el('tr', { className: 'run-row' },
    el('td', {}, el('span', { className: `badge ${status.toLowerCase()}` }, status)),
    el('td', {}, String(r.ExperimentName ?? '')),
    el('td', {}, navLink(`/runs/${encodeURIComponent(id)}`, id, 'mono')),
    el('td', {}, String(r.StartTime ?? '').replace('T', ' ').replace('Z', '')),
    el('td', {}, durationText(r.ExecutionTimeMs)),
    el('td', {}, String(r.FailedStep ?? '')));
}

export function mount(view: HTMLElement): void {
  const filter = el('input', {
    id: 'runs-filter',
    type: 'search',
    placeholder: 'Filter runs (experiment, status, step, id)…',
  });
  const body = el('tbody');
  const msg = el('p', { className: 'status' }, 'Loading runs…');
  const table = el('table', { id: 'runs-table', className: 'runs-table' },
    el('thead', {}, el('tr', {}, ...HEADERS.map((h) => el('th', {}, h)))), body);
  view.replaceChildren(el('section', { className: 'runs' }, el('h2', {}, 'Pipeline runs'), filter, msg, table));
  let runs: RunRow[] = [];

  function render(): void {
    const f = filter.value.trim().toLowerCase();
    const matches = (r: RunRow) => Object.values(r).some((v) => String(v ?? '').toLowerCase().includes(f));
    const shown = f ? runs.filter(matches) : runs;
    body.replaceChildren(...shown.map(runRow));
    msg.textContent = `${shown.length} of ${runs.length} runs`;
  }

  filter.addEventListener('input', render);
  listRuns().then(
    (r) => {
      runs = r;
      render();
    },
    (e) => (msg.textContent = `Cannot list runs: ${e.message}`),
  );
}
