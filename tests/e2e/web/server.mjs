// Starts a real `calypso serve` on a free loopback port with a temporary data directory,
// and stops it. Outbound proxies point at a closed loopback port so a stray client call
// made by the server cannot leave the machine.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// `dataDir`: reuse a directory (a restart); else a new temporary one.
export async function startServer({ binary, webRoot, ikey, dataDir = mkdtempSync(join(tmpdir(), 'calypso-web-e2e-')) }) {
  const port = await freePort();
  const logPath = join(dataDir, 'server.log');
  const log = openSync(logPath, 'a');
  const env = { ...process.env, HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9',
    http_proxy: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1,localhost' };
  const proc = spawn(binary, ['serve', '--data', dataDir, '--listen', `127.0.0.1:${port}`,
    '--ikey', ikey, '--web-root', webRoot], { stdio: ['ignore', log, log], env });
  const base = `http://127.0.0.1:${port}`;
  const readLog = () => { try { return readFileSync(logPath, 'utf8').slice(-4000); } catch { return ''; } };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`calypso serve exited with ${proc.exitCode}:\n${readLog()}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`calypso serve did not become healthy:\n${readLog()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base,
    dataDir,
    log: readLog,
    async query(query, timespan) {
      const r = await fetch(`${base}/v1/workspaces/default/query`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(timespan ? { query, timespan } : { query }) });
      const body = await r.json();
      if (!r.ok) throw new Error(`query failed (${r.status}): ${query}\n${JSON.stringify(body)}`);
      return body.tables[0];
    },
    // keepData: leave the directory for a restart (startServer({ dataDir })).
    async stop({ keepData = false } = {}) {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
