// CSV (RFC 4180) and TSV text of a result, for export and copy.
import type { Column } from './api';

export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(columns: Column[], rows: unknown[][]): string {
  const lines = [columns.map((c) => csvField(c.name)).join(',')];
  for (const r of rows) lines.push(r.map((v) => csvField(cellText(v))).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function toTsv(columns: Column[], rows: unknown[][]): string {
  const clean = (s: string) => s.replace(/[\t\r\n]+/g, ' ');
  const lines = [columns.map((c) => clean(c.name)).join('\t')];
  for (const r of rows) lines.push(r.map((v) => clean(cellText(v))).join('\t'));
  return lines.join('\n') + '\n';
}

export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
