// One dashboard tile: runs its query over its timespan and draws the result as a chart, a
// small table or a single number (stat). Every failure stays inside the tile. The tile's
// element carries data-state (loading | ok | empty | error) for tests and styling.
import { runQuery, type ResultTable } from './api';
import { isChartKind } from './chart-data';
import { cellText } from './csv';
import { el, logsHref, navLink } from './dom';
import type { Tile } from './dashboards-data';

const TABLE_ROWS = 200;

function statBody(t: ResultTable): HTMLElement {
  const NUMERIC = ['int', 'long', 'real', 'decimal'];
  let col = t.columns.findIndex((c) => NUMERIC.includes(c.type));
  if (col < 0) col = 0;
  const v = t.rows[0]?.[col];
  const text = typeof v === 'number' ? Number(v.toPrecision(6)).toLocaleString('en-US') : cellText(v);
  return el('div', { className: 'tile-stat' }, el('strong', { className: text.length > 12 ? 'long' : '' }, text),
    el('small', {}, t.columns[col].name));
}

function tableBody(t: ResultTable): HTMLElement {
  const rows = t.rows.slice(0, TABLE_ROWS);
  return el('table', { className: 'tile-table' },
    el('thead', {}, el('tr', {}, ...t.columns.map((c) => el('th', {}, c.name)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((v) => el('td', {}, cellText(v)))))));
}

export class TileView {
  readonly el: HTMLElement;
  private body: HTMLElement;
  private meta: HTMLElement;
  private seq = 0;

  constructor(readonly tile: Tile, controls: HTMLElement | null) {
    this.body = el('div', { className: 'tile-body' });
    this.meta = el('small', { className: 'tile-meta' });
    const open = navLink(logsHref(tile.query), 'Open in Logs', 'tile-open');
    this.el = el('div', { className: 'tile' },
      el('div', { className: 'tile-head' }, el('span', { className: 'tile-title' }, tile.title), this.meta, open,
        ...(controls ? [controls] : [])),
      this.body);
    this.el.style.gridColumn = `${tile.x + 1} / span ${tile.w}`;
    this.el.style.gridRow = `${tile.y + 1} / span ${tile.h}`;
    this.el.dataset.state = 'loading';
  }

  private show(state: string, ...content: (Node | string)[]): void {
    this.el.dataset.state = state;
    this.body.replaceChildren(...content);
  }

  // Shows the tile's editor in place of its result. A load still running (the render that
  // added the tile starts one) must not replace the editor when its answer arrives.
  edit(form: HTMLElement): void {
    ++this.seq;
    this.body.replaceChildren(form);
  }

  async load(): Promise<void> {
    const seq = ++this.seq;
    if (!this.body.firstChild) this.body.append(el('p', { className: 'status' }, 'Loading…'));
    const answer = await runQuery(this.tile.query, this.tile.timespan);
    if (seq !== this.seq || !this.el.isConnected) return; // a newer load or gone
    this.meta.textContent = this.tile.timespan ? `${this.tile.timespan} · ${Math.round(answer.ms)} ms` : `${Math.round(answer.ms)} ms`;
    if (!answer.ok) {
      const e = answer.error;
      const at = e.line ? ` (line ${e.line}, column ${e.column})` : '';
      this.show('error', el('div', { className: 'query-error tile-error' }, `${e.code}: ${e.message}${at}`));
      return;
    }
    const t = answer.tables[0];
    if (!t || t.rows.length === 0) {
      this.show('empty', el('p', { className: 'status' }, 'No rows in this time range.'));
      return;
    }
    const vis = this.tile.visualization;
    if (vis === 'stat') return this.show('ok', statBody(t));
    if (vis === 'table' || !isChartKind(vis)) return this.show('ok', tableBody(t));
    const host = el('div', { className: 'tile-chart' });
    this.show('ok', host);
    try {
      const { drawChart } = await import('./chart');
      const problem = drawChart(host, t, vis, 'fill'); // as tall as the tile
      if (problem) this.show('error', el('div', { className: 'query-error tile-error' }, `Cannot draw a ${vis}: ${problem}`));
    } catch (e) {
      this.show('error', el('div', { className: 'query-error tile-error' }, `Cannot draw a ${vis}: ${e}`));
    }
  }
}
