// The server's stored dashboards (/api/dashboards) as the Dashboards page uses them.

export const VISUALIZATIONS = ['table', 'stat', 'timechart', 'linechart', 'areachart', 'scatterchart',
  'columnchart', 'barchart', 'piechart'] as const;
export const GRID_COLUMNS = 12;

export interface Tile {
  title: string;
  query: string;
  timespan: string; // ISO 8601, "" = the query says
  visualization: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Dashboard {
  id: string;
  title: string;
  refresh: number; // seconds, 0 = never
  tiles: Tile[];
  builtin?: boolean;
  modified?: boolean; // a built-in one the user has replaced
}

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* reported below */
  }
  if (!res.ok) throw new Error(json?.error?.message ?? `HTTP ${res.status}: ${text.slice(0, 200)}`);
  return json;
}

export async function listDashboards(): Promise<Dashboard[]> {
  return (await call('GET', '/api/dashboards')).dashboards as Dashboard[];
}

export async function getDashboard(id: string): Promise<Dashboard> {
  return (await call('GET', `/api/dashboards/${encodeURIComponent(id)}`)) as Dashboard;
}

export async function saveDashboard(d: Dashboard): Promise<Dashboard> {
  const { id, title, refresh, tiles } = d;
  return (await call('PUT', `/api/dashboards/${encodeURIComponent(id)}`, { title, refresh, tiles })) as Dashboard;
}

// Deletes a user's dashboard; a built-in one returns to its original (which is returned).
export async function deleteDashboard(id: string): Promise<Dashboard | null> {
  const d = await call('DELETE', `/api/dashboards/${encodeURIComponent(id)}`);
  return d && d.id ? (d as Dashboard) : null;
}

// The first free row below every tile, for a new tile.
export function nextRow(tiles: Tile[]): number {
  return tiles.reduce((m, t) => Math.max(m, t.y + t.h), 0);
}
