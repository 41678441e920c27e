// Turns a result table into chart series, following what `render` means in KQL: the first
// datetime (or numeric) column is x, numeric columns are series, and string (or bool)
// columns split them into one series per value. Categorical charts (column, bar, pie) take
// the first string column as categories.
import type { ResultTable } from './api';

export const CHART_KINDS = [
  'timechart',
  'linechart',
  'areachart',
  'scatterchart',
  'columnchart',
  'barchart',
  'piechart',
] as const;
export type ChartKind = (typeof CHART_KINDS)[number];

export function isChartKind(v: string): v is ChartKind {
  return (CHART_KINDS as readonly string[]).includes(v);
}

const NUMERIC = new Set(['int', 'long', 'real', 'decimal']);
const SPLITS = new Set(['string', 'bool']);
const MAX_SERIES = 25;

export interface XYData {
  xIsTime: boolean;
  xLabel: string;
  xs: number[]; // seconds for time
  series: { label: string; values: (number | null)[] }[];
}

export interface CategoryData {
  categories: string[];
  series: { label: string; values: number[] }[];
}

function num(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

export function xyData(t: ResultTable, kind: ChartKind): XYData | string {
  const cols = t.columns;
  let x = cols.findIndex((c) => c.type === 'datetime');
  if (x < 0 && kind !== 'timechart') x = cols.findIndex((c) => NUMERIC.has(c.type));
  if (x < 0) return `a ${kind} needs a datetime${kind === 'timechart' ? '' : ' or numeric'} column for x`;
  const xIsTime = cols[x].type === 'datetime';
  const ys = cols.map((c, i) => (i !== x && NUMERIC.has(c.type) ? i : -1)).filter((i) => i >= 0);
  if (ys.length === 0) return `a ${kind} needs a numeric column besides ${cols[x].name}`;
  // Only string and bool columns split the series (one per value), as Kusto draws them: a
  // numeric column is always a series of its own, however few values it has.
  const splits = cols.map((c, i) => (i !== x && SPLITS.has(c.type) ? i : -1)).filter((i) => i >= 0);

  const xval = (v: unknown) => (xIsTime ? Date.parse(String(v)) / 1000 : num(v));
  const xsSet = new Map<number, number>();
  const keyed = new Map<string, Map<number, number>>();
  for (const r of t.rows) {
    const xv = xval(r[x]);
    if (xv === null || Number.isNaN(xv)) continue;
    xsSet.set(xv, 0);
    const split = splits.map((i) => String(r[i] ?? '')).join(', ');
    for (const y of ys) {
      const label = split ? (ys.length > 1 ? `${split}: ${cols[y].name}` : split) : cols[y].name;
      let m = keyed.get(label);
      if (!m) {
        if (keyed.size >= MAX_SERIES) continue;
        keyed.set(label, (m = new Map()));
      }
      const yv = num(r[y]);
      if (yv !== null) m.set(xv, (m.get(xv) ?? 0) + yv);
    }
  }
  const xs = [...xsSet.keys()].sort((a, b) => a - b);
  const series = [...keyed].map(([label, m]) => ({
    label,
    values: xs.map((xv) => m.get(xv) ?? (kind === 'timechart' ? 0 : null)),
  }));
  return { xIsTime, xLabel: cols[x].name, xs, series };
}

export function categoryData(t: ResultTable, kind: ChartKind): CategoryData | string {
  const cols = t.columns;
  let cat = cols.findIndex((c) => !NUMERIC.has(c.type));
  const ys = cols.map((c, i) => (i !== cat && NUMERIC.has(c.type) ? i : -1)).filter((i) => i >= 0);
  if (ys.length === 0) return `a ${kind} needs a numeric column`;
  if (cat < 0) cat = -1; // no label column: categories are row numbers
  const used = kind === 'piechart' ? ys.slice(0, 1) : ys;
  const rows = t.rows.slice(0, 200);
  return {
    categories: rows.map((r, i) => (cat >= 0 ? String(r[cat] ?? '') : String(i + 1))),
    series: used.map((y) => ({ label: cols[y].name, values: rows.map((r) => num(r[y]) ?? 0) })),
  };
}
