// Fills a running server with data for the UI test: the shared protocol fixtures (App
// Insights track requests, the Azure ML run lifecycles over Event Grid) plus generated
// traces spread over the last 6 hours, so "Last 24 hours" charts have a shape.
// Or `calypso demo --backfill` (fillWithDemo): ui_test.mjs picks one in one line; its checks
// take their expected numbers from the query API, so they hold for either.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(here, '..', '..', '..', '..', 'shared', 'fixtures');
export const IKEY = '00000000-0000-0000-0000-000000000001';
export const GENERATED_TRACES = 1200;
export const SUCCESS_RUN = '8c1f6e2a-4b7d-4a93-b5e0-2d9c7f3a1e65';
// The successful run's step runs (prep_data, train_model, register_model) and their nodes.
export const SUCCESS_STEPS = [['4e7a9c12-5b3f-4d81-a6e2-9f0c1b7d3a58', 'a1b2c3d4'],
  ['b2d4f6a8-0c1e-4a3b-8d5f-7e9a1c3b5d70', '5e6f7a8b'], ['c3e5a7b9-1d2f-4b4c-9e6a-8f0b2d4c6e81', '9c0d1e2f']];

async function post(base, path, body, headers) {
  const r = await fetch(base + path, { method: 'POST', body,
    headers: { 'Content-Type': 'application/json', ...headers } });
  if (r.status >= 300) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
}

function generatedTraces(now) {
  const out = [];
  for (let i = 0; i < GENERATED_TRACES; i++) {
    const time = new Date(now - ((i * 6 * 3600_000) / GENERATED_TRACES) - 60_000).toISOString();
    out.push({
      name: 'Microsoft.ApplicationInsights.Message', time, iKey: IKEY,
      tags: { 'ai.cloud.role': i % 3 ? 'trainer' : 'prep', 'ai.operation.id': `op-${i % 40}` },
      data: { baseType: 'MessageData', baseData: { ver: 2,
        message: `epoch ${i % 50} step ${i}: loss=${(1 / (1 + i / 100)).toFixed(4)}`,
        severityLevel: i % 10 === 0 ? 3 : i % 4 === 0 ? 2 : 1,
        properties: { source: 'ui-test', parent_run_id: SUCCESS_RUN, step_id: SUCCESS_STEPS[i % 3][0],
          epoch: String(i % 50) } } },
    });
  }
  return out;
}

// What a training step logs per epoch (loss falls, accuracy rises) and one exception.
function generatedMetrics(now) {
  const [stepId] = SUCCESS_STEPS[1];
  const props = (extra) => ({ parent_run_id: SUCCESS_RUN, step_id: stepId, step_name: 'train_model', ...extra });
  const envelope = (time, type, baseData) => ({ name: `Microsoft.ApplicationInsights.${type}`, time, iKey: IKEY,
    tags: { 'ai.cloud.role': 'train.py' }, data: { baseType: `${type}Data`, baseData: { ver: 2, ...baseData } } });
  const out = [];
  for (let e = 1; e <= 10; e++) {
    const time = new Date(now - (11 - e) * 60_000).toISOString();
    for (const [name, value] of [['loss', 1 / e], ['accuracy', 0.5 + e / 25]]) {
      out.push(envelope(time, 'Metric', { metrics: [{ name, kind: 0, value }], properties: props({ epoch: String(e) }) }));
    }
  }
  out.push(envelope(new Date(now - 30_000).toISOString(), 'Exception', { severityLevel: 3,
    exceptions: [{ typeName: 'ValueError', message: 'NaN loss at epoch 7 (recovered)', hasFullStack: false }],
    properties: props({}) }));
  return out;
}

export async function fillFromFixtures(base) {
  const ai = JSON.parse(readFileSync(join(FIXTURES, 'appinsights', 'python-applicationinsights-0.11.10.json'), 'utf8'));
  for (const req of ai.requests) await post(base, req.path, JSON.stringify(req.body_json));
  for (const run of ['lifecycle-success', 'lifecycle-failure']) {
    const dir = join(FIXTURES, 'eventgrid', 'eventgrid-schema', run);
    for (const f of readdirSync(dir).sort()) {
      await post(base, '/eventgrid', readFileSync(join(dir, f)), { 'aeg-event-type': 'Notification' });
    }
  }
  await post(base, '/v2/track', JSON.stringify(generatedMetrics(Date.now())));
  const traces = generatedTraces(Date.now());
  for (let i = 0; i < traces.length; i += 400) {
    await post(base, '/v2/track', JSON.stringify(traces.slice(i, i + 400)));
  }
}

// The simulated workspace of `calypso demo`: 6 hours of pipeline runs, then exit.
export function fillWithDemo(base, binary, { backfill = '6h', seed = '7' } = {}) {
  execFileSync(binary, ['demo', '--url', base, '--ikey', IKEY, '--backfill', backfill, '--backfill-only',
    '--seed', seed], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 240_000 });
}
