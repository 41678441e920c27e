// The workspace's live schema in monaco-kusto's EngineSchema shape, built from the Kusto
// management commands the server answers (.show tables, .show table T schema as json,
// .show functions).
import { runMgmt, WORKSPACE } from './api';

export interface TableSchema {
  name: string;
  columns: { name: string; type: string }[];
}

// A parameter as monaco-kusto takes it: scalar or tabular (columns). Its worker reads
// `type` (a CLR type name, or a Kusto one, which it keeps); `cslType` is for display.
export interface ParameterColumn {
  name: string;
  type: string;
  cslType: string;
}
export interface InputParameter {
  name: string;
  type?: string;
  cslType?: string;
  cslDefaultValue?: string;
  columns?: ParameterColumn[];
}

export interface FunctionSchema {
  name: string;
  inputParameters: InputParameter[];
  body: string;
  docstring: string;
}

export interface WorkspaceSchema {
  tables: TableSchema[];
  functions: FunctionSchema[];
}

export async function fetchTables(): Promise<TableSchema[]> {
  const names = (await runMgmt('.show tables')).map((r) => String(r[0]));
  return Promise.all(
    names.map(async (name) => {
      const rows = await runMgmt(`.show table ['${name}'] schema as json`);
      const parsed = JSON.parse(String(rows[0][1])) as {
        OrderedColumns: { Name: string; CslType: string }[];
      };
      return { name, columns: parsed.OrderedColumns.map((c) => ({ name: c.Name, type: c.CslType })) };
    }),
  );
}

// Splits `text` at the commas that are not inside parentheses.
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

// `.show functions`' Parameters, "(run_id:string, T:(x:long), n:int = 5)", as
// monaco-kusto's inputParameters. A tabular parameter of any schema is "T:(*)".
export function parseParameters(text: string): InputParameter[] {
  const inner = text.trim().replace(/^\(/, '').replace(/\)$/, '');
  return splitTopLevel(inner).map((p) => {
    const colon = p.indexOf(':');
    if (colon < 0) return { name: p, type: 'dynamic', cslType: 'dynamic' };
    const name = p.slice(0, colon).trim();
    let type = p.slice(colon + 1).trim();
    if (type.startsWith('(')) {
      const cols = splitTopLevel(type.slice(1, type.lastIndexOf(')')))
        .filter((c) => c !== '*')
        .map((c) => {
          const [n, t = 'dynamic'] = c.split(':').map((x) => x.trim());
          return { name: n, type: t, cslType: t };
        });
      return { name, columns: cols };
    }
    let cslDefaultValue: string | undefined;
    const eq = type.indexOf('=');
    if (eq >= 0) {
      cslDefaultValue = type.slice(eq + 1).trim();
      type = type.slice(0, eq).trim();
    }
    return cslDefaultValue === undefined ? { name, type, cslType: type } : { name, type, cslType: type, cslDefaultValue };
  });
}

// Stored functions from `.show functions` (Name, Parameters, Body, Folder, DocString).
export async function fetchFunctions(): Promise<FunctionSchema[]> {
  return (await runMgmt('.show functions')).map((r) => ({
    name: String(r[0]),
    inputParameters: parseParameters(String(r[1] ?? '()')),
    body: String(r[2] ?? '{}'),
    docstring: String(r[4] ?? ''),
  }));
}

export async function fetchSchema(): Promise<WorkspaceSchema> {
  const [tables, functions] = await Promise.all([fetchTables(), fetchFunctions()]);
  return { tables, functions };
}

// majorVersion: the worker rebuilds a cached database only when it grows, so each load of
// the schema gets a larger one.
let version = 1;

export function toEngineSchema({ tables, functions }: WorkspaceSchema): object {
  const db = {
    name: WORKSPACE,
    majorVersion: version++,
    minorVersion: 0,
    entityGroups: [],
    functions,
    tables: tables.map((t) => ({
      name: t.name,
      entityType: 'Table',
      docstring: '',
      columns: t.columns.map((c) => ({ name: c.name, type: c.type })),
    })),
  };
  return {
    clusterType: 'Engine',
    cluster: { connectionString: 'https://calypso.local', databases: [db] },
    database: db,
  };
}
