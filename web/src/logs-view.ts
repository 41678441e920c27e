// The Logs page: KQL editor, time range, Run, results grid and chart, history and saved
// queries. The page is usable at once with a plain text area; the monaco editor (a large
// lazy chunk) replaces it when loaded, keeping whatever was typed.
import { type QueryAnswer, type ResultTable, runQuery } from './api';
import { CHART_KINDS, isChartKind } from './chart-data';
import { download, toCsv, toTsv } from './csv';
import type { KqlEditor } from './editor';
import { ResultGrid } from './grid';
import { addHistory, deleteSaved, loadHistory, loadSaved, saveQuery } from './history';
import { fetchSchema, toEngineSchema } from './schema';
import { DEFAULT_TIMESPAN, TimeRangePicker } from './time-range';
import { el } from './dom';

const SAMPLE =
  'traces\n| where timestamp > ago(1d)\n| summarize count() by bin(timestamp, 1h), severity = tostring(severityLevel)\n| render timechart';

// The chart's height follows the window's (the grid keeps the rest).
const chartHeight = () => Math.max(240, Math.round(window.innerHeight * 0.4));

export function mount(view: HTMLElement): void {
  const params = new URLSearchParams(location.search);
  let timespan = params.get('t') ?? DEFAULT_TIMESPAN;
  const initial = params.get('q') ?? loadHistory()[0]?.query ?? SAMPLE;

  const runBtn = el('button', { id: 'run', className: 'primary', title: 'Run (Shift+Enter)' }, '▶ Run');
  const picker = new TimeRangePicker(timespan, (t) => (timespan = t));
  const saveBtn = el('button', { id: 'save', title: 'Save this query (in this browser)' }, 'Save');
  const shareBtn = el('button', { id: 'share', title: 'Copy a link holding the query and time range' }, 'Share link');
  const status = el('span', { id: 'status', className: 'status' });
  const toolbar = el('div', { className: 'toolbar' }, runBtn, picker.el, saveBtn, shareBtn, status);

  const editorHost = el('div', { id: 'editor', className: 'editor' });
  const fallback = el('textarea', { id: 'query-text', spellcheck: false, value: initial });
  editorHost.append(fallback);
  const errorBox = el('div', { id: 'query-error', className: 'query-error', hidden: true });

  const chartKind = el('select', { id: 'chart-kind', title: 'Chart (default: the query’s render)' });
  chartKind.add(new Option('Chart: from render', 'auto'));
  chartKind.add(new Option('Table only', 'table'));
  for (const k of CHART_KINDS) chartKind.add(new Option(k, k));
  const rowCount = el('span', { id: 'row-count', className: 'row-count' });
  const copyBtn = el('button', { id: 'copy', title: 'Copy all rows as tab-separated text' }, 'Copy');
  const csvBtn = el('button', { id: 'export-csv', title: 'Download the rows as CSV' }, 'Export CSV');
  const resultBar = el('div', { className: 'result-bar' }, rowCount, chartKind, copyBtn, csvBtn);
  const chartHost = el('div', { id: 'chart', className: 'chart', hidden: true });
  const chartMsg = el('div', { id: 'chart-message', className: 'chart-message', hidden: true });
  const grid = new ResultGrid();
  const results = el('div', { className: 'results' }, resultBar, chartMsg, chartHost, grid.el);

  const historyList = el('ul', { id: 'history', className: 'side-list' });
  const savedList = el('ul', { id: 'saved', className: 'side-list' });
  const side = el('aside', { className: 'side' }, el('h3', {}, 'Saved'), savedList, el('h3', {}, 'History'), historyList);
  const main = el('div', { className: 'logs-main' }, toolbar, editorHost, errorBox, results);
  view.replaceChildren(el('section', { className: 'logs' }, main, side));

  let editor: KqlEditor | null = null;
  let table: ResultTable | null = null;
  let running = false;
  const hooks = (window as any).__calypso;

  const queryText = () => (editor ? editor.getQuery() : fallback.value);
  const fullText = () => (editor ? editor.getValue() : fallback.value);
  const setText = (t: string) => (editor ? editor.setValue(t) : (fallback.value = t));

  function shareUrl(): string {
    const u = new URL('/logs', location.origin);
    u.searchParams.set('q', fullText());
    u.searchParams.set('t', timespan);
    return u.toString();
  }

  async function drawChart(): Promise<void> {
    chartMsg.hidden = true;
    const hint = table?.render?.visualization ?? '';
    const kind = chartKind.value === 'auto' ? hint : chartKind.value;
    if (!table || !isChartKind(kind)) {
      chartHost.hidden = true;
      chartHost.replaceChildren();
      if (table && hint && !isChartKind(hint) && chartKind.value === 'auto') {
        chartMsg.textContent = `render ${hint}: not drawn by this UI; showing the table`;
        chartMsg.hidden = false;
      }
      return;
    }
    chartHost.hidden = false;
    const { drawChart: draw } = await import('./chart');
    const problem = draw(chartHost, table, kind, chartHeight());
    if (problem) {
      chartHost.hidden = true;
      chartMsg.textContent = `Cannot draw ${kind}: ${problem}`;
      chartMsg.hidden = false;
    }
    hooks.chartDrawn = (hooks.chartDrawn ?? 0) + 1;
  }

  // Redrawn (debounced) when the window is resized; the listener goes with the page.
  let resizeTimer = 0;
  const onResize = () => {
    if (!chartHost.isConnected) return removeEventListener('resize', onResize);
    clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(() => void (chartHost.hidden || drawChart()), 150);
  };
  addEventListener('resize', onResize);

  function showAnswer(answer: QueryAnswer, query: string): void {
    if (!answer.ok) {
      const e = answer.error;
      const where = e.line ? ` (line ${e.line}, column ${e.column})` : '';
      errorBox.textContent = `${e.code}: ${e.message}${where}`;
      errorBox.hidden = false;
      if (e.line && e.column) editor?.showServerError(e.message, e.line, e.column);
      status.textContent = `Failed after ${Math.round(answer.ms)} ms`;
      // The rows of the previous query would read as this query's answer: clear them.
      table = null;
      grid.setData([], []);
      rowCount.textContent = '';
      void drawChart();
      addHistory({ query, timespan, at: new Date().toISOString(), error: e.message });
      return;
    }
    errorBox.hidden = true;
    table = answer.tables[0] ?? { name: 'PrimaryResult', columns: [], rows: [] };
    grid.setData(table.columns, table.rows);
    const n = table.rows.length;
    rowCount.textContent = `${n.toLocaleString('en-US')} row${n === 1 ? '' : 's'}`;
    status.textContent = `${Math.round(answer.ms)} ms` + (answer.warning ? ` · ${answer.warning}` : '');
    status.classList.toggle('warn', Boolean(answer.warning));
    addHistory({ query, timespan, at: new Date().toISOString(), rows: n });
    void drawChart();
  }

  async function run(): Promise<void> {
    if (running) return;
    running = true;
    runBtn.disabled = true;
    status.classList.remove('warn');
    status.textContent = 'Running…';
    editor?.clearServerError();
    const query = queryText();
    chartKind.value = 'auto'; // each result starts with the chart its query asks for
    history.replaceState(null, '', shareUrl());
    const answer = await runQuery(query, timespan);
    showAnswer(answer, query);
    renderSide();
    running = false;
    runBtn.disabled = false;
    hooks.runs = (hooks.runs ?? 0) + 1;
  }

  function loadQuery(q: string, t: string): void {
    setText(q);
    timespan = t;
    picker.set(t);
    editor?.focus();
  }

  function renderSide(): void {
    historyList.replaceChildren(
      ...loadHistory().slice(0, 30).map((h) => {
        const li = el('li', { title: h.query }, el('code', {}, h.query.replace(/\s+/g, ' ').slice(0, 90)),
          el('small', {}, `${h.at.slice(0, 19).replace('T', ' ')} · ${h.error ? 'error' : `${h.rows} rows`}`));
        li.addEventListener('click', () => loadQuery(h.query, h.timespan));
        return li;
      }),
    );
    savedList.replaceChildren(
      ...loadSaved().map((s) => {
        const del = el('button', { className: 'link', title: 'Delete' }, '×');
        del.addEventListener('click', (e) => {
          e.stopPropagation();
          deleteSaved(s.name);
          renderSide();
        });
        const li = el('li', { title: s.query }, el('b', {}, s.name), del);
        li.addEventListener('click', () => loadQuery(s.query, s.timespan));
        return li;
      }),
    );
  }

  runBtn.addEventListener('click', () => void run());
  fallback.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.shiftKey || e.ctrlKey)) {
      e.preventDefault();
      void run();
    }
  });
  chartKind.addEventListener('change', () => void drawChart());
  copyBtn.addEventListener('click', () => {
    if (table) void navigator.clipboard?.writeText(toTsv(table.columns, grid.displayedRows()));
  });
  csvBtn.addEventListener('click', () => {
    if (table) download('calypso-result.csv', toCsv(table.columns, grid.displayedRows()), 'text/csv');
  });
  shareBtn.addEventListener('click', () => {
    const url = shareUrl();
    history.replaceState(null, '', url);
    void navigator.clipboard?.writeText(url).catch(() => undefined);
    status.textContent = 'Link copied to the clipboard (and in the address bar)';
  });
  saveBtn.addEventListener('click', () => {
    const name = prompt('Name of the saved query');
    if (name) {
      saveQuery({ name, query: fullText(), timespan });
      renderSide();
    }
  });
  renderSide();
  hooks.logsShownMs ??= performance.now(); // first screen up (measured by the browser test)
  if (params.has('q')) void run();

  // After the first paint: the editor chunk and the schema, in parallel (started here, the
  // schema's requests would delay the first screen).
  requestAnimationFrame(() =>
    setTimeout(async () => {
      const schema = fetchSchema().then(toEngineSchema);
      schema.catch(() => undefined); // reported below, once the editor exists
      const { createKqlEditor } = await import('./editor');
      if (!view.isConnected) return;
      const text = fallback.value;
      fallback.remove();
      editor = createKqlEditor(editorHost, text, () => void run());
      editor.onChange(() => editor?.clearServerError());
      hooks.editorReady = true;
      try {
        await editor.setSchema(await schema);
        hooks.schemaReady = true;
      } catch (e) {
        status.textContent = `Completion without schema: ${(e as Error)?.message ?? JSON.stringify(e)}`;
      }
    }, 0),
  );
}
