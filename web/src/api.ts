// The server's query APIs, as the UI uses them: Log Analytics query and Kusto mgmt.

export interface Column {
  name: string;
  type: string;
}

export interface ResultTable {
  name: string;
  columns: Column[];
  rows: unknown[][];
  render?: { visualization: string };
  truncated?: boolean;
}

export interface QueryError {
  message: string;
  code: string;
  line?: number;
  column?: number;
}

export type QueryAnswer =
  | { ok: true; tables: ResultTable[]; warning?: string; ms: number }
  | { ok: false; error: QueryError; ms: number };

export const WORKSPACE = 'default';
// Sent as x-ms-app: the server's LAQueryLogs names the UI's queries by it (RequestClientApp).
const CLIENT_APP = 'Calypso.Web';

// Runs `query` over `timespan` (ISO 8601, "" = only what the query says).
export async function runQuery(query: string, timespan: string): Promise<QueryAnswer> {
  const body: Record<string, string> = { query };
  if (timespan) body.timespan = timespan;
  const start = performance.now();
  let res: Response;
  try {
    res = await fetch(`/v1/workspaces/${WORKSPACE}/query`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-ms-app': CLIENT_APP },
      body: JSON.stringify(body),
    });
  } catch (e) {
    return { ok: false, error: { code: 'NetworkError', message: String(e) }, ms: 0 };
  }
  const text = await res.text();
  const ms = performance.now() - start;
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: { code: `HTTP ${res.status}`, message: text.slice(0, 500) }, ms };
  }
  if (!res.ok) {
    const e = json?.error ?? {};
    const inner = e.innererror ?? {};
    return {
      ok: false,
      ms,
      error: {
        code: inner.code ?? e.code ?? `HTTP ${res.status}`,
        message: e.message ?? text,
        line: typeof inner.line === 'number' ? inner.line : undefined,
        column: typeof inner.column === 'number' ? inner.column : undefined,
      },
    };
  }
  const warning = json.error?.details?.[0]?.innererror?.message as string | undefined;
  return { ok: true, tables: json.tables as ResultTable[], warning, ms };
}

// A Kusto management command (".show tables") on /v1/rest/mgmt: the first table's rows.
export async function runMgmt(csl: string): Promise<unknown[][]> {
  const res = await fetch('/v1/rest/mgmt', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'x-ms-app': CLIENT_APP },
    body: JSON.stringify({ db: WORKSPACE, csl }),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${csl}: ${json?.error?.message ?? res.status}`);
  return json.Tables[0].Rows as unknown[][];
}
