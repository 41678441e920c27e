// The results grid: a plain-DOM virtual list (only the visible rows exist as elements, at a
// fixed height each), so 100,000 rows scroll like 100. Sortable by a header click; a click
// on a cell selects it (Ctrl+C copies it) and shows its full value below, with `dynamic`
// values pretty-printed.
import type { Column } from './api';
import { cellText } from './csv';

const ROW_HEIGHT = 24;
const OVERSCAN = 8;

function columnWidth(c: Column): number {
  if (c.type === 'datetime') return 210;
  if (c.type === 'dynamic') return 280;
  if (c.type === 'string') return /message|name|details/i.test(c.name) ? 360 : 180;
  return 120;
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1; // nulls last either way round
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return String(a) < String(b) ? -1 : 1;
}

export class ResultGrid {
  readonly el: HTMLElement;
  private header: HTMLElement;
  private body: HTMLElement;
  private detail: HTMLElement;
  private pool: HTMLElement[] = [];
  private order: Uint32Array = new Uint32Array(0);
  private columns: Column[] = [];
  private rows: unknown[][] = [];
  private widths: number[] = [];
  private sortCol = -1;
  private sortDir = 1;
  private selected: { row: number; col: number } | null = null;
  private frame = 0;

  constructor() {
    this.el = document.createElement('div');
    this.el.className = 'grid-wrap';
    const scroller = document.createElement('div');
    scroller.className = 'grid';
    scroller.id = 'result-grid';
    scroller.tabIndex = 0;
    this.header = document.createElement('div');
    this.header.className = 'grid-header';
    this.body = document.createElement('div');
    this.body.className = 'grid-body';
    scroller.append(this.header, this.body);
    this.detail = document.createElement('div');
    this.detail.className = 'cell-detail';
    this.detail.id = 'cell-detail';
    this.detail.hidden = true;
    this.el.append(scroller, this.detail);
    scroller.addEventListener('scroll', () => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(scroller);
    this.header.addEventListener('click', (e) => {
      const idx = (e.target as HTMLElement).closest<HTMLElement>('[data-col]')?.dataset.col;
      if (idx !== undefined) this.sortBy(Number(idx));
    });
    this.body.addEventListener('click', (e) => {
      const cell = (e.target as HTMLElement).closest<HTMLElement>('[data-col]');
      const row = cell?.parentElement?.dataset.index;
      if (cell && row !== undefined) this.select(Number(row), Number(cell.dataset.col));
    });
    scroller.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'c' && this.selected) {
        void navigator.clipboard?.writeText(this.selectedText());
        e.preventDefault();
      }
    });
  }

  private get scroller(): HTMLElement {
    return this.body.parentElement!;
  }

  setData(columns: Column[], rows: unknown[][]): void {
    this.columns = columns;
    this.rows = rows;
    this.widths = columns.map(columnWidth);
    this.order = Uint32Array.from({ length: rows.length }, (_, i) => i);
    this.sortCol = -1;
    this.selected = null;
    this.detail.hidden = true;
    const total = this.widths.reduce((a, b) => a + b, 0);
    this.header.replaceChildren(
      ...columns.map((c, i) => {
        const h = document.createElement('div');
        h.className = 'grid-cell grid-head';
        h.dataset.col = String(i);
        h.style.width = `${this.widths[i]}px`;
        h.title = `${c.name}: ${c.type} (click to sort)`;
        h.textContent = c.name;
        return h;
      }),
    );
    this.header.style.width = this.body.style.width = `${total}px`;
    this.body.style.height = `${rows.length * ROW_HEIGHT}px`;
    this.scroller.dataset.rows = String(rows.length);
    this.scroller.scrollTop = 0;
    this.body.replaceChildren();
    this.pool = [];
    this.render();
  }

  // Rows in their displayed (sorted) order.
  displayedRows(): unknown[][] {
    return Array.from(this.order, (i) => this.rows[i]);
  }

  sortBy(col: number): void {
    this.sortDir = this.sortCol === col ? -this.sortDir : 1;
    this.sortCol = col;
    const rows = this.rows, dir = this.sortDir;
    const idx = Array.from(this.order).sort((a, b) => dir * compare(rows[a][col], rows[b][col]) || a - b);
    this.order = Uint32Array.from(idx);
    this.header.querySelectorAll<HTMLElement>('.grid-head').forEach((h, i) => {
      h.dataset.sort = i === col ? (dir > 0 ? 'asc' : 'desc') : '';
    });
    this.render();
  }

  private schedule(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
  }

  private makeRow(): HTMLElement {
    const r = document.createElement('div');
    r.className = 'grid-row';
    for (let c = 0; c < this.columns.length; c++) {
      const cell = document.createElement('div');
      cell.className = 'grid-cell';
      cell.dataset.col = String(c);
      cell.style.width = `${this.widths[c]}px`;
      if (this.columns[c].type === 'dynamic') cell.classList.add('dyn');
      r.append(cell);
    }
    this.body.append(r);
    return r;
  }

  private render(): void {
    this.frame = 0;
    const s = this.scroller;
    const n = this.order.length;
    const first = Math.max(0, Math.floor(s.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const count = Math.min(n - first, Math.ceil(s.clientHeight / ROW_HEIGHT) + 2 * OVERSCAN);
    while (this.pool.length < count) this.pool.push(this.makeRow());
    for (let i = 0; i < this.pool.length; i++) {
      const el = this.pool[i];
      const pos = first + i;
      if (i >= count) {
        el.hidden = true;
        continue;
      }
      el.hidden = false;
      const rowIndex = this.order[pos];
      el.dataset.index = String(pos);
      el.style.transform = `translateY(${pos * ROW_HEIGHT}px)`;
      const row = this.rows[rowIndex];
      const cells = el.children;
      for (let c = 0; c < cells.length; c++) {
        const text = cellText(row[c]);
        const cell = cells[c] as HTMLElement;
        if (cell.textContent !== text) cell.textContent = text;
        cell.classList.toggle(
          'selected',
          this.selected !== null && this.selected.row === pos && this.selected.col === c,
        );
      }
    }
  }

  private selectedText(): string {
    if (!this.selected) return '';
    return cellText(this.rows[this.order[this.selected.row]][this.selected.col]);
  }

  private select(pos: number, col: number): void {
    this.selected = { row: pos, col };
    this.render();
    const column = this.columns[col];
    let text = this.selectedText();
    if (column.type === 'dynamic' || text.startsWith('{') || text.startsWith('[')) {
      try {
        text = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        // not JSON: shown as it is
      }
    }
    const title = document.createElement('div');
    title.className = 'cell-detail-title';
    title.textContent = `row ${pos + 1}, ${column.name} (${column.type})`;
    const copy = document.createElement('button');
    copy.textContent = 'Copy';
    copy.addEventListener('click', () => void navigator.clipboard?.writeText(text));
    const close = document.createElement('button');
    close.textContent = '×';
    close.title = 'Close';
    close.addEventListener('click', () => (this.detail.hidden = true));
    title.append(copy, close);
    const pre = document.createElement('pre');
    pre.textContent = text;
    this.detail.replaceChildren(title, pre);
    this.detail.hidden = false;
  }
}
