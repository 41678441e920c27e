// The workspace's live schema in monaco-kusto's EngineSchema shape, built from the Kusto
// management commands the server answers (.show tables, .show table T schema as json).
import { runMgmt, WORKSPACE } from './api';

export interface TableSchema {
  name: string;
  columns: { name: string; type: string }[];
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

// majorVersion: the worker rebuilds a cached database only when it grows, so each load of
// the schema gets a larger one.
let version = 1;

export function toEngineSchema(tables: TableSchema[]): object {
  const db = {
    name: WORKSPACE,
    majorVersion: version++,
    minorVersion: 0,
    entityGroups: [],
    functions: [],
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
