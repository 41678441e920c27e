// The Usage page: rows and bytes ingested per table per day (from the `Usage` table, one
// row per table and hour of ingestion), drawn as a column chart and listed, and each
// table's retention (GET /api/tables).
import { runQuery, type ResultTable } from './api';
import { cellText } from './csv';
import { el, logsHref, navLink } from './dom';
import { PRESETS } from './time-range';

export const USAGE_QUERY = `Usage
| summarize Rows = sum(Rows), MB = round(sum(Quantity), 3) by Day = startofday(TimeGenerated), DataType
| order by Day desc, MB desc`;

// The chart: each table's share over the chosen range (the list below splits it by day).
const CHART_QUERY = `Usage
| summarize MB = round(sum(Quantity), 3) by DataType
| order by MB desc
| render barchart`;

function table(id: string, t: ResultTable): HTMLElement {
  return el('table', { id, className: 'runs-table' },
    el('thead', {}, el('tr', {}, ...t.columns.map((c) => el('th', {}, c.name)))),
    el('tbody', {}, ...t.rows.map((r) => el('tr', {}, ...r.map((v) => el('td', {}, cellText(v)))))));
}

interface TableInfo {
  name: string;
  retentionDays: number | null;
}

async function loadRetention(host: HTMLElement): Promise<void> {
  try {
    const res = await fetch('/api/tables');
    const json = await res.json();
    if (!res.ok) throw new Error(json?.error?.message ?? `HTTP ${res.status}`);
    const tables = json.tables as TableInfo[];
    host.replaceChildren(el('table', { id: 'retention-table', className: 'runs-table' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Table'), el('th', {}, 'Retention (days)'))),
      el('tbody', {}, ...tables.map((t) => el('tr', {}, el('td', {}, t.name), el('td', {}, t.retentionDays === null ? '—' : String(t.retentionDays)))))));
  } catch (e) {
    host.replaceChildren(el('p', { className: 'query-error' }, `Cannot list tables: ${(e as Error).message}`));
  }
}

export function mount(view: HTMLElement): void {
  const span = el('select', { id: 'usage-range' });
  for (const p of PRESETS.filter((p) => p.value)) span.add(new Option(p.label, p.value, false, p.value === 'P30D'));
  const msg = el('p', { id: 'usage-status', className: 'status' }, 'Loading usage…');
  const chart = el('div', { id: 'usage-chart', className: 'chart' });
  const list = el('div', { id: 'usage-list' });
  const retention = el('div', { id: 'usage-retention' }, el('p', { className: 'status' }, 'Loading tables…'));
  view.replaceChildren(el('section', { className: 'runs usage' },
    el('h2', {}, 'Usage'),
    el('div', { className: 'toolbar' }, span, navLink(logsHref(USAGE_QUERY), 'Open in Logs')),
    el('h3', {}, 'MB ingested per table'), msg, chart,
    el('h3', {}, 'Rows and MB per table per day'), list,
    el('h3', {}, 'Retention per table'), retention));

  async function load(): Promise<void> {
    msg.textContent = 'Loading usage…';
    const [rows, bars] = await Promise.all([runQuery(USAGE_QUERY, span.value), runQuery(CHART_QUERY, span.value)]);
    if (!rows.ok || !bars.ok) {
      const e = !rows.ok ? rows.error : !bars.ok ? bars.error : null;
      msg.textContent = `Cannot load usage: ${e?.code}: ${e?.message}`;
      msg.className = 'query-error';
      return;
    }
    const t = rows.tables[0];
    const totalRows = t.rows.reduce((s, r) => s + Number(r[2] ?? 0), 0);
    msg.className = 'status';
    msg.textContent = t.rows.length
      ? `${t.rows.length} table-days, ${totalRows.toLocaleString('en-US')} rows (Usage is written once a minute)`
      : 'No usage recorded in this range yet (Usage is written once a minute).';
    list.replaceChildren(table('usage-table', t));
    chart.replaceChildren();
    if (bars.tables[0].rows.length) {
      const { drawChart } = await import('./chart');
      const problem = drawChart(chart, bars.tables[0], 'barchart');
      if (problem) chart.textContent = problem;
    }
  }

  span.addEventListener('change', () => void load());
  void load();
  void loadRetention(retention);
}
