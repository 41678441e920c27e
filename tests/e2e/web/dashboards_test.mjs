// The Dashboards and Usage pages in Debian's chromium (playwright-core) against a real
// `calypso serve` filled by `calypso demo --backfill 2d --backfill-only --seed 1` and then
// restarted (the restart writes the Usage rows of the fill). Queries are rows of LAQueryLogs
// (code, rows, duration, client app). Every built-in dashboard opens with every tile loaded
// without an error: a tile whose query has rows (asked of the API directly) shows them, its
// chart canvas has drawn pixels and fills the tile. A dashboard edited in the
// UI and saved is still edited after a reload, and resets to the built-in one. The Usage
// page lists rows per table per day and each table's retention. A user dashboard refreshes
// itself, keeps a query error inside its tile, and can be deleted. Screenshots go to
// --artifacts.
//
// Run: node dashboards_test.mjs --calypso BUILD/src/app/calypso --web-root BUILD/web --artifacts DIR
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fillWithDemo, IKEY } from './fill.mjs';
import { startServer } from './server.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) =>
  (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
for (const k of ['calypso', 'web-root', 'artifacts']) {
  if (!args[k]) { console.error(`usage: node dashboards_test.mjs --calypso BIN --web-root DIR --artifacts DIR (missing --${k})`); process.exit(2); }
}
const here = dirname(fileURLToPath(import.meta.url));
const requireWeb = createRequire(join(here, '..', '..', '..', 'web', 'package.json'));
const { chromium } = requireWeb('playwright-core');
mkdirSync(args.artifacts, { recursive: true });

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'];
const CHARTS = new Set(['timechart', 'linechart', 'areachart', 'scatterchart', 'columnchart', 'barchart', 'piechart']);

const results = [];
async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push([name, true]);
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push([name, false]);
    console.log(`FAIL ${name}: ${e.stack ?? e}`);
  }
}

// Colored pixels (not grey axes or text) on the canvases under `selector`.
function coloredPixels(page, selector) {
  return page.evaluate((sel) => {
    let colored = 0;
    for (const c of document.querySelectorAll(sel)) {
      const g = c.getContext('2d');
      if (!g || !c.width || !c.height) continue;
      const d = g.getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] && Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) colored++;
      }
    }
    return colored;
  }, selector);
}

async function waitForColored(page, selector, min) {
  let n = 0;
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await page.waitForTimeout(100)) {
    if ((n = await coloredPixels(page, selector)) >= min) return n;
  }
  assert.fail(`${selector}: ${n} colored pixels drawn, wanted at least ${min}`);
}

// Waits until the dashboard shows `count` tiles and none is loading; returns their states.
async function tilesSettled(page, count) {
  await page.waitForFunction((n) => {
    const tiles = [...document.querySelectorAll('#dashboard-grid .tile')];
    return tiles.length === n && tiles.every((t) => t.dataset.state !== 'loading');
  }, count, { timeout: 60_000 });
  return page.$$eval('#dashboard-grid .tile', (tiles) => tiles.map((t) => ({
    state: t.dataset.state,
    title: t.querySelector('.tile-title').textContent,
    text: t.querySelector('.tile-body').textContent.slice(0, 300),
  })));
}

async function api(base, method, path, body) {
  const r = await fetch(base + path, { method, headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
}

let server = await startServer({ binary: args.calypso, webRoot: args['web-root'], ikey: IKEY });
let browser;
try {
  fillWithDemo(server.base, args.calypso, { backfill: '2d', seed: '1' });
  // Usage is written once a minute and at shutdown: restart to have it now.
  await server.stop({ keepData: true });
  server = await startServer({ binary: args.calypso, webRoot: args['web-root'], ikey: IKEY, dataDir: server.dataDir });

  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const outside = [], pageErrors = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(server.base + '/')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  const shot = (name) => page.screenshot({ path: join(args.artifacts, `${name}.png`), fullPage: true });

  const { json: { dashboards } } = await api(server.base, 'GET', '/api/dashboards');

  await check('the API lists the four built-in dashboards and refuses a bad one with what and where', async () => {
    assert.deepEqual(dashboards.map((d) => d.id), ['engineering', 'data-science', 'qa', 'analysis']);
    assert.ok(dashboards.every((d) => d.builtin && !d.modified));
    const bad = await api(server.base, 'PUT', '/api/dashboards/mine',
      { title: 'x', tiles: [{ title: 'a', query: 'traces', visualization: 'table', x: 0, y: 0, w: 2, h: 2 },
        { title: 'b', visualization: 'table', x: 0, y: 2, w: 2, h: 2 }] });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.message, 'tiles[1].query: missing');
  });

  // LAQueryLogs gets one row per query, appended by a background flush every 2 s: these
  // queries (one failing) are waited for, so the engineering dashboard's query tiles have rows.
  await check('every query is a row of LAQueryLogs with its code, rows and duration', async () => {
    for (let i = 1; i <= 12; i++) await server.query(`range i from 1 to ${i} step 1`);
    const bad = await fetch(`${server.base}/v1/workspaces/default/query`, { method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-ms-app': 'dashboards-test' },
      body: JSON.stringify({ query: 'LAQueryLogs | where nosuch == 1' }) });
    assert.equal(bad.status, 400);
    const mine = `LAQueryLogs
      | where QueryText startswith 'range i from 1 ' or RequestClientApp == 'dashboards-test'
      | project QueryText, ResponseCode, ResponseRowCount, ResponseDurationMs, RequestClientApp, RequestTarget
      | order by ResponseCode asc, ResponseRowCount asc`;
    let logged;
    const t0 = Date.now();
    for (const deadline = t0 + 20_000; ; await new Promise((r) => setTimeout(r, 200))) {
      logged = (await server.query(mine)).rows;
      if (logged.length >= 13 || Date.now() > deadline) break;
    }
    console.log(`     13 queries in LAQueryLogs after ${Date.now() - t0} ms (flushed every 2 s)`);
    assert.equal(logged.length, 13, JSON.stringify(logged));
    logged.slice(0, 12).forEach(([text, code, rows, ms, , target], i) => {
      assert.deepEqual([text, code, rows, target], [`range i from 1 to ${i + 1} step 1`, 200, i + 1, 'default']);
      assert.ok(typeof ms === 'number' && ms >= 0, `ResponseDurationMs ${ms}`);
    });
    assert.deepEqual(logged[12].slice(0, 3), ['LAQueryLogs | where nosuch == 1', 400, null]);
    assert.equal(logged[12][4], 'dashboards-test', 'RequestClientApp from x-ms-app');
  });

  await check('the dashboard list links every dashboard', async () => {
    await page.goto(`${server.base}/dashboards`);
    await page.waitForSelector('#dashboard-list li');
    assert.equal(await page.locator('#dashboard-list li').count(), dashboards.length);
    await page.click('#dashboard-list a:text("Data science")');
    await page.waitForURL('**/dashboards/data-science');
    await page.waitForSelector('#dashboard-grid .tile');
  });

  for (const [i, d] of dashboards.entries()) {
    await check(`built-in dashboard '${d.id}': every tile loads without an error and draws`, async () => {
      await page.goto(`${server.base}/dashboards/${d.id}`);
      const tiles = await tilesSettled(page, d.tiles.length);
      const errors = tiles.filter((t) => t.state === 'error');
      assert.deepEqual(errors, [], 'tiles with an error');
      for (const [k, t] of d.tiles.entries()) {
        const rows = (await server.query(t.query, t.timespan)).rows.length;
        assert.equal(tiles[k].state, rows ? 'ok' : 'empty', `tile '${t.title}': ${rows} rows from the API`);
        if (!rows) continue;
        const tile = `#dashboard-grid .tile:nth-child(${k + 1})`;
        if (CHARTS.has(t.visualization)) await waitForColored(page, `${tile} canvas`, 30);
        else if (t.visualization === 'table') assert.equal(await page.locator(`${tile} tbody tr`).count(), Math.min(rows, 200));
        else assert.match(await page.textContent(`${tile} .tile-stat strong`), /\d/);
      }
      assert.ok(tiles.filter((t) => t.state === 'ok').length >= d.tiles.length - 1, 'at most one tile without rows');
      if (d.id === 'engineering') {
        const latency = tiles.filter((t) => /^(Query latency|Slowest queries)/.test(t.title));
        assert.deepEqual(latency.map((t) => t.state), ['ok', 'ok'], 'the query latency tiles have rows');
        await page.locator('#dashboard-grid .tile:has(.tile-title:text-is("Query latency (ms), p50 and p95 per 5 min"))')
          .screenshot({ path: join(args.artifacts, 'dashboard-1b-query-latency.png') });
      }
      // Charts fill their tile's body: taller than half of it, without overflowing it (a
      // bar chart grows with its categories and may scroll).
      const fit = await page.$$eval('#dashboard-grid .tile', (els) => els.map((t) => {
        const h = t.querySelector('.tile-chart');
        return h && { body: h.parentElement.clientHeight, chart: h.firstElementChild?.getBoundingClientRect().height ?? 0,
          overflow: h.scrollHeight - h.clientHeight };
      }));
      fit.forEach((f, k) => {
        if (!f || d.tiles[k].visualization === 'barchart') return;
        assert.ok(f.chart > f.body / 2 && f.overflow <= 1, `tile '${d.tiles[k].title}' chart fills its tile: ${JSON.stringify(f)}`);
      });
      await shot(`dashboard-${i + 1}-${d.id}`);
    });
  }

  await check('a dashboard edited in the UI is saved by the server and reset to the built-in one', async () => {
    await page.goto(`${server.base}/dashboards/qa`);
    const n = dashboards.find((d) => d.id === 'qa').tiles.length;
    await tilesSettled(page, n);
    await page.click('#dashboard-edit');
    await page.fill('#dashboard-title-input', 'QA (edited)');
    await page.click('#dashboard-grid .tile:nth-child(1) .tile-remove');
    await page.click('#tile-add');
    const added = `#dashboard-grid .tile:nth-child(${n})`;
    await page.click(`${added} .tile-edit`);
    await page.fill(`${added} .tile-title-input`, 'Runs per experiment');
    await page.fill(`${added} .tile-query-input`,
      "PipelineRuns | where RunType == 'azureml.PipelineRun' | summarize Rows = count() by ExperimentName");
    await page.selectOption(`${added} .tile-vis-input`, 'piechart');
    await page.selectOption(`${added} .tile-timespan-input`, 'P7D');
    await page.click(`${added} .tile-apply`);
    await page.click(`${added} button[title="Wider"]`);
    await page.click('#dashboard-save');
    await page.waitForFunction(() => document.querySelector('#dashboard-status').textContent === 'Saved.');
    await page.reload();
    const tiles = await tilesSettled(page, n);
    assert.equal(await page.textContent('#dashboard-title'), 'QA (edited)');
    assert.equal(tiles[n - 1].title, 'Runs per experiment');
    assert.equal(tiles[n - 1].state, 'ok');
    await waitForColored(page, `${added} canvas`, 30);
    const stored = (await api(server.base, 'GET', '/api/dashboards/qa')).json;
    assert.equal(stored.modified, true);
    assert.equal(stored.tiles.length, n);
    assert.deepEqual({ ...stored.tiles[n - 1], query: undefined },
      { title: 'Runs per experiment', query: undefined, timespan: 'P7D', visualization: 'piechart', x: 0, y: 12, w: 7, h: 4 });
    await shot('dashboard-5-qa-edited');
    await page.click('#dashboard-reset');
    await page.waitForFunction(() => document.querySelector('#dashboard-title').textContent === 'QA');
    assert.equal((await api(server.base, 'GET', '/api/dashboards/qa')).json.modified, false);
  });

  await check('a user dashboard refreshes itself, shows a query error inside its tile, and is deleted', async () => {
    const put = await api(server.base, 'PUT', '/api/dashboards/refresh-check', { title: 'Refresh check', refresh: 1, tiles: [
      { title: 'Clock', query: 'print t = tostring(now())', timespan: '', visualization: 'stat', x: 0, y: 0, w: 4, h: 2 },
      { title: 'Broken', query: 'traces | summarize count() by nosuchcolumn', timespan: 'P1D', visualization: 'table', x: 4, y: 0, w: 8, h: 2 }] });
    assert.equal(put.status, 200);
    await page.goto(`${server.base}/dashboards`);
    await page.click('#dashboard-list a:text("Refresh check")');
    const tiles = await tilesSettled(page, 2);
    assert.equal(tiles[0].state, 'ok');
    assert.equal(tiles[1].state, 'error');
    assert.match(tiles[1].text, /unknown column 'nosuchcolumn'/);
    const first = await page.textContent('#dashboard-grid .tile:nth-child(1) .tile-stat strong');
    await page.waitForFunction((t) => document.querySelector('#dashboard-grid .tile:nth-child(1) .tile-stat strong')?.textContent !== t,
      first, { timeout: 10_000 });
    await shot('dashboard-6-user');
    page.once('dialog', (d) => d.accept());
    await page.click('#dashboard-delete');
    await page.waitForURL('**/dashboards');
    await page.waitForSelector('#dashboard-list li');
    assert.equal(await page.locator('#dashboard-list li').count(), 4);
    assert.equal((await api(server.base, 'GET', '/api/dashboards/refresh-check')).status, 404);
  });

  await check('a new dashboard is created in the UI with a tile and saved', async () => {
    await page.goto(`${server.base}/dashboards`);
    await page.fill('#new-dashboard-name', 'My board');
    await page.click('#new-dashboard');
    await page.waitForSelector('#tile-add');
    await page.click('#tile-add');
    await page.click('#dashboard-save');
    await page.waitForFunction(() => document.querySelector('#dashboard-status').textContent === 'Saved.');
    assert.equal(new URL(page.url()).pathname, '/dashboards/my-board');
    const tiles = await tilesSettled(page, 1);
    assert.notEqual(tiles[0].state, 'error', tiles[0].text);
    const stored = (await api(server.base, 'GET', '/api/dashboards/my-board')).json;
    assert.equal(stored.title, 'My board');
    assert.equal(stored.builtin, false);
    assert.equal(stored.tiles.length, 1);
    assert.equal((await api(server.base, 'DELETE', '/api/dashboards/my-board')).status, 200);
  });

  await check('the Usage page shows rows per table per day, a chart and each table\'s retention', async () => {
    const usage = await server.query(
      'Usage | summarize Rows = sum(Rows), MB = round(sum(Quantity), 3) by Day = startofday(TimeGenerated), DataType', 'P30D');
    assert.ok(usage.rows.length >= 5, `Usage has rows after the restart: ${usage.rows.length}`);
    const { json: { tables } } = await api(server.base, 'GET', '/api/tables');
    await page.click('nav a:text("Usage")');
    await page.waitForSelector('#usage-table tbody tr');
    assert.equal(await page.locator('#usage-table tbody tr').count(), usage.rows.length);
    await waitForColored(page, '#usage-chart canvas', 30);
    await page.waitForSelector('#retention-table tbody tr');
    assert.equal(await page.locator('#retention-table tbody tr').count(), tables.length);
    const pipeline = await page.textContent('#retention-table tr:has(td:text-is("PipelineRuns")) td:nth-child(2)');
    assert.equal(pipeline, String(tables.find((t) => t.name === 'PipelineRuns').retentionDays));
    await shot('usage');
  });

  await check('no request left the loopback origin and the page logged no error', async () => {
    assert.deepEqual(outside, []);
    // The broken tile's query answers 400, which the browser logs.
    assert.deepEqual(pageErrors.filter((e) => !/status of 400/.test(e)), []);
  });
} catch (e) {
  results.push(['setup', false]);
  console.log(`FAIL setup: ${e.stack ?? e}\nserver log:\n${server.log()}`);
} finally {
  await browser?.close();
  await server.stop();
}
const failed = results.filter(([, ok]) => !ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
