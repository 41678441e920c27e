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
const MIN_HEIGHT = 120;

function utc(ts: number): Date {
  return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');
}

// How tall to draw: a number of pixels, or 'fill' for the host's own height (a dashboard
// tile's body), legend included.
export type ChartHeight = number | 'fill';

// Renders into `host` (emptied first); returns an error text when the table cannot be
// drawn as `kind`, "" when drawn.
export function drawChart(host: HTMLElement, table: ResultTable, kind: ChartKind, height: ChartHeight = HEIGHT): string {
  host.replaceChildren();
  const width = Math.max(300, host.clientWidth - 16);
  // The room for chart and legend; the legend's share is known once it is laid out.
  const room = height === 'fill' ? Math.max(MIN_HEIGHT, host.clientHeight || HEIGHT) : height;
  if (kind === 'piechart' || kind === 'barchart' || kind === 'columnchart') {
    return drawCategorical(host, table, kind, width, room);
  }
  const d = xyData(table, kind);
  if (typeof d === 'string') return d;
  const area = kind === 'areachart';
  const scatter = kind === 'scatterchart';
  // Few points: larger markers, so that a single point is still seen.
  const pointSize = scatter ? 6 : d.xs.length < 4 ? 8 : 4;
  const opts: uPlot.Options = {
    width,
    height: room,
    // One x value: uPlot would stretch the axis over years; show it in a short span.
    scales: { x: d.xs.length === 1
      ? { time: d.xIsTime, range: (_u, x) => [x - (d.xIsTime ? 1800 : 1), x + (d.xIsTime ? 1800 : 1)] }
      : { time: d.xIsTime } },
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
        points: { show: scatter || d.xs.length < 60, size: pointSize, fill: color(i) },
      })),
    ],
    axes: [{}, { size: 60 }],
  };
  const plot = new uPlot(opts, [d.xs, ...d.series.map((s) => s.values)] as uPlot.AlignedData, host);
  // The plot gets the room the legend leaves; the legend's height is known once uPlot's
  // CSS (a lazy chunk) applies, hence the observer.
  const legendEl = plot.root.querySelector('.u-legend') as HTMLElement | null;
  if (legendEl) {
    const fit = () => {
      const h = Math.max(MIN_HEIGHT, room - legendEl.offsetHeight);
      if (legendEl.isConnected && h !== plot.height) plot.setSize({ width, height: h });
    };
    fit();
    new ResizeObserver(fit).observe(legendEl);
  }
  return '';
}

function legend(host: HTMLElement, labels: string[]): HTMLElement {
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
  return l;
}

function drawCategorical(host: HTMLElement, table: ResultTable, kind: ChartKind, width: number, room: number): string {
  const d = categoryData(table, kind);
  if (typeof d === 'string') return d;
  const values = kind === 'piechart' ? d.series[0].values.map((v) => Math.max(0, v)) : [];
  const total = values.reduce((a, b) => a + b, 0) || 1;
  // The legend goes under the canvas; laid out first, so the canvas gets the rest.
  const labels = kind === 'piechart'
    ? d.categories.map((c, i) => `${c}: ${values[i]} (${((values[i] / total) * 100).toFixed(1)}%)`)
    : d.series.length > 1 ? d.series.map((s) => s.label) : [];
  const legendEl = labels.length ? legend(host, labels) : null;
  const fitted = Math.max(MIN_HEIGHT, room - (legendEl ? legendEl.offsetHeight + 4 : 0));
  const canvas = document.createElement('canvas');
  const dpr = window.devicePixelRatio || 1;
  const height = kind === 'barchart' ? Math.max(fitted, d.categories.length * 22 + 20) : fitted;
  canvas.width = width * dpr;
  canvas.height = height * dpr;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  canvas.style.display = 'block'; // no inline baseline gap under it
  host.insertBefore(canvas, legendEl);
  const g = canvas.getContext('2d')!;
  g.scale(dpr, dpr);
  g.font = '12px system-ui, sans-serif';
  if (kind === 'piechart') {
    const r = height / 2 - 10, cx = r + 10, cy = height / 2;
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
  return '';
}
