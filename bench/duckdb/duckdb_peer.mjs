// DuckDB peer for bench/bench.py: one JSON command per stdin line, one JSON answer per
// stdout line. Commands: {"op":"open","path":P,"threads":N} | {"op":"exec","sql":S}
// | {"op":"query","sql":S,"runs":N} | {"op":"close"}. Times are measured here, in-process,
// around runAndReadAll (execution plus materializing the whole result).
import { DuckDBInstance } from '@duckdb/node-api';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';

let instance = null;
let conn = null;
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

async function handle(cmd) {
  switch (cmd.op) {
    case 'open': {
      const opts = {};
      if (cmd.threads) opts.threads = String(cmd.threads);
      instance = await DuckDBInstance.create(cmd.path, opts);
      conn = await instance.connect();
      return { ok: true };
    }
    case 'exec': {
      const t0 = performance.now();
      await conn.run(cmd.sql);
      return { ok: true, ms: performance.now() - t0 };
    }
    case 'query': {
      const times = [];
      let reader = null;
      for (let i = 0; i < (cmd.runs || 1); i++) {
        const t0 = performance.now();
        reader = await conn.runAndReadAll(cmd.sql);
        times.push(performance.now() - t0);
      }
      return { ok: true, times_ms: times, columns: reader.columnNames(), rows: reader.getRowsJson() };
    }
    case 'version': {
      const r = await conn.runAndReadAll('SELECT version()');
      return { ok: true, version: r.getRowsJson()[0][0] };
    }
    case 'close': {
      if (conn) conn.closeSync();
      conn = null;
      instance = null;
      return { ok: true };
    }
    default:
      return { ok: false, error: 'unknown op ' + cmd.op };
  }
}

const rl = createInterface({ input: process.stdin, terminal: false });
for await (const line of rl) {
  if (!line.trim()) continue;
  let answer;
  try {
    answer = await handle(JSON.parse(line));
  } catch (e) {
    answer = { ok: false, error: String(e && e.message ? e.message : e) };
  }
  out(answer);
}
