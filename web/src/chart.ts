// Draws a result as a chart: uPlot for x/y charts (time, line, area, scatter), a plain
// canvas for the categorical ones (column, bar, pie). Loaded lazily with the first chart.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ResultTable } from './api';
import { categoryData, type ChartKind, xyData } from './chart-data';

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777',
  '#65a30d', '#ea580c', '#4f46e5', '#0d9488', '#be123c'];
const color = (i: number) => COLORS[i % COLORS.length];
const HEIGHT = 300;

function utc(ts: number): Date {
  return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');
}

// Renders into `host` (emptied first); returns an error text when the table cannot be
// drawn as `kind`, "" when drawn.
export function drawChart(host: HTMLElement, table: ResultTable, kind: ChartKind): string {
  host.replaceChildren();
  const width = Math.max(300, host.clientWidth - 16);
  if (kind === 'piechart' || kind === 'barchart' || kind === 'columnchart') {
    return drawCategorical(host, table, kind, width);
  }
  const d = xyData(table, kind);
  if (typeof d === 'string') return d;
  const area = kind === 'areachart';
  const scatter = kind === 'scatterchart';
  const opts: uPlot.Options = {
    width,
    height: HEIGHT,
    scales: { x: { time: d.xIsTime } },
    ...(d.xIsTime ? { tzDate: utc } : {}),
    series: [
      { label: d.xLabel },
      ...d.series.map((s, i) => ({
        label: s.label,
        stroke: color(i),
        width: scatter ? 0 : 2,
        spanGaps: true, // a series without a value at some x (other series' points) stays a line
        fill: area ? color(i) + '33' : undefined,
        paths: scatter ? () => null : undefined,
        points: { show: scatter || d.xs.length < 60, size: scatter ? 6 : 4, fill: color(i) },
      })),
    ],
    axes: [{}, { size: 60 }],
  };
  new uPlot(opts, [d.xs, ...d.series.map((s) => s.values)] as uPlot.AlignedData, host);
  return '';
}

function legend(host: HTMLElement, labels: string[]): void {
  const l = document.createElement('div');
  l.className = 'chart-legend';
  labels.slice(0, 30).forEach((label, i) => {
    const item = document.createElement('span');
    const sw = document.createElement('i');
    sw.style.background = color(i);
    item.append(sw, label);
    l.append(item);
  });
  host.append(l);
}

function drawCategorical(host: HTMLElement, table: ResultTable, kind: ChartKind, width: number): string {
  const d = categoryData(table, kind);
  if (typeof d === 'string') return d;
  const canvas = document.createElement('canvas');
  const dpr = window.devicePixelRatio || 1;
  const height = kind === 'barchart' ? Math.max(HEIGHT, d.categories.length * 22 + 20) : HEIGHT;
  canvas.width = width * dpr;
  canvas.height = height * dpr;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  host.append(canvas);
  const g = canvas.getContext('2d')!;
  g.scale(dpr, dpr);
  g.font = '12px system-ui, sans-serif';
  if (kind === 'piechart') {
    const values = d.series[0].values.map((v) => Math.max(0, v));
    const total = values.reduce((a, b) => a + b, 0) || 1;
    const r = HEIGHT / 2 - 10, cx = r + 10, cy = HEIGHT / 2;
    let a = -Math.PI / 2;
    values.forEach((v, i) => {
      const step = (v / total) * Math.PI * 2;
      g.beginPath();
      g.moveTo(cx, cy);
      g.arc(cx, cy, r, a, a + step);
      g.closePath();
      g.fillStyle = color(i);
      g.fill();
      a += step;
    });
    legend(host, d.categories.map((c, i) => `${c}: ${values[i]} (${((values[i] / total) * 100).toFixed(1)}%)`));
    return '';
  }
  const max = Math.max(1e-9, ...d.series.flatMap((s) => s.values));
  const n = d.categories.length, k = d.series.length;
  g.textBaseline = 'middle';
  if (kind === 'barchart') {
    // Horizontal bars: one band per category, the series side by side in the band.
    const labelW = Math.min(220, Math.max(...d.categories.map((c) => g.measureText(c).width)) + 12);
    const band = (height - 20) / n, barH = (band * 0.8) / k;
    d.categories.forEach((c, ci) => {
      const y = 10 + ci * band;
      g.fillStyle = '#333';
      g.fillText(c, 4, y + band / 2, labelW - 8);
      d.series.forEach((s, si) => {
        g.fillStyle = color(si);
        const w = ((width - labelW - 20) * Math.max(0, s.values[ci])) / max;
        g.fillRect(labelW, y + band * 0.1 + si * barH, w, barH);
      });
    });
  } else {
    // Columns: a y axis label for the maximum, category labels under the bands.
    const left = 50, bottom = 24, plotH = height - bottom - 10;
    const band = (width - left) / n, barW = (band * 0.8) / k;
    g.fillStyle = '#555';
    g.fillText(String(Number(max.toPrecision(4))), 2, 12);
    g.fillText('0', 2, 10 + plotH);
    g.strokeStyle = '#ccc';
    g.beginPath();
    g.moveTo(left, 10 + plotH);
    g.lineTo(width, 10 + plotH);
    g.stroke();
    d.categories.forEach((c, ci) => {
      const x = left + ci * band;
      d.series.forEach((s, si) => {
        const h = (plotH * Math.max(0, s.values[ci])) / max;
        g.fillStyle = color(si);
        g.fillRect(x + band * 0.1 + si * barW, 10 + plotH - h, barW, h);
      });
      g.fillStyle = '#333';
      g.textAlign = 'center';
      g.fillText(c, x + band / 2, height - bottom / 2, band - 2);
      g.textAlign = 'left';
    });
  }
  if (d.series.length > 1) legend(host, d.series.map((s) => s.label));
  return '';
}
