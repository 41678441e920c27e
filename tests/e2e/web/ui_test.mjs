// The web UI in Debian's chromium (playwright-core, never a downloaded browser) against a
// real `calypso serve`: open Logs, type a query, run it, check the grid's row count and
// that the chart canvas has drawn pixels (series split by string/bool columns only, height
// following the window); completion offers tables and stored functions; a server error is
// underlined in the editor; a
// 100,000-row result scrolls to its last row; the Runs page shows a run's steps on the
// timeline, its metrics, exceptions and a step's logs. Every request must stay on the
// server's loopback origin. Screenshots go to --artifacts. Timings (first screen, editor,
// scrolling) are printed, never asserted.
//
// Run: node ui_test.mjs --calypso BUILD/src/app/calypso --web-root BUILD/web --artifacts DIR
//      [--fill fixtures|demo]
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { get } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fillFromFixtures, fillWithDemo, IKEY } from './fill.mjs';
import { startServer } from './server.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) =>
  (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
for (const k of ['calypso', 'web-root', 'artifacts']) {
  if (!args[k]) { console.error(`usage: node ui_test.mjs --calypso BIN --web-root DIR --artifacts DIR (missing --${k})`); process.exit(2); }
}
const here = dirname(fileURLToPath(import.meta.url));
// playwright-core comes from the UI's own locked packages (web/node_modules).
const requireWeb = createRequire(join(here, '..', '..', '..', 'web', 'package.json'));
const { chromium } = requireWeb('playwright-core');
mkdirSync(args.artifacts, { recursive: true });

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'];

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

// Colored (series) and any drawn pixels of the canvases under `selector`.
function canvasPixels(page, selector) {
  return page.evaluate((sel) => {
    let drawn = 0, colored = 0;
    for (const c of document.querySelectorAll(sel)) {
      const g = c.getContext('2d');
      if (!g || !c.width || !c.height) continue;
      const d = g.getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] === 0) continue;
        drawn++;
        if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) colored++;
      }
    }
    return { drawn, colored };
  }, selector);
}

// Waits (up to 15 s) until the canvases under `selector` have at least `min` colored pixels.
async function waitForDrawn(page, selector, min) {
  let px = { drawn: 0, colored: 0 };
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await page.waitForTimeout(100)) {
    px = await canvasPixels(page, selector);
    if (px.colored >= min) return px;
  }
  assert.fail(`${selector}: fewer than ${min} colored pixels drawn: ${JSON.stringify(px)}`);
}

function rawStatus(base, path) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    get({ hostname, port, path }, (res) => { res.resume(); resolve(res.statusCode); }).on('error', reject);
  });
}

async function typeQuery(page, text) {
  await page.click('#editor .view-lines');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text, { delay: 5 });
  await page.keyboard.press('Escape'); // close the suggest box so Shift+Enter runs
  const value = await page.evaluate(() => window.__calypso.monaco.editor.getModels()[0].getValue());
  assert.equal(value, text, 'the editor holds what was typed');
}

async function runAndWait(page) {
  const before = await page.evaluate(() => window.__calypso.runs ?? 0);
  await page.keyboard.press('Shift+Enter');
  await page.waitForFunction((n) => (window.__calypso.runs ?? 0) > n, before, { timeout: 60_000 });
}

const server = await startServer({ binary: args.calypso, webRoot: args['web-root'], ikey: IKEY });
let browser;
try {
  // --fill demo: `calypso demo --backfill` instead of the fixtures (the checks hold for both).
  if (args.fill === 'demo') fillWithDemo(server.base, args.calypso);
  else await fillFromFixtures(server.base);

  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const outside = [], pageErrors = [];
  // Every request (page and workers) must go to the server; anything else is aborted and fails the test.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(server.base + '/')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  context.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(server.base + '/') && !u.startsWith('data:') && !u.startsWith('blob:')) outside.push(u);
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  const shot = (name) => page.screenshot({ path: join(args.artifacts, `${name}.png`) });

  await check('the server serves the UI with its headers', async () => {
    const index = await fetch(`${server.base}/logs`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type'), /^text\/html/);
    assert.match(index.headers.get('content-security-policy'), /default-src 'self'/);
    const html = await index.text();
    const script = /src="(\/assets\/index-[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, 'index.html names its hashed script');
    const js = await fetch(server.base + script, { headers: { 'Accept-Encoding': 'gzip' } });
    assert.match(js.headers.get('content-type'), /^text\/javascript/);
    assert.match(js.headers.get('cache-control'), /immutable/);
    assert.equal(js.headers.get('content-encoding'), 'gzip', 'precompressed asset sent gzip\'d');
    const plain = await fetch(server.base + script, { headers: { 'Accept-Encoding': 'identity' } });
    assert.equal(plain.headers.get('content-encoding'), null);
    assert.equal(await js.text(), await plain.text(), 'the .gz holds the same script');
    assert.equal((await fetch(`${server.base}/assets/nope.js`)).status, 404);
    assert.equal((await fetch(`${server.base}/v1/nope`)).status, 404, 'API paths are not the UI');
    // node:http sends the path as written (fetch would resolve the dots itself).
    for (const path of ['/../../../../etc/hostname', '/assets/../../../../etc/hostname', '/%2e%2e/%2e%2e/etc/hostname']) {
      assert.equal(await rawStatus(server.base, path), 404, path);
    }
  });

  const timing = {};
  await check('Logs opens; the editor loads lazily and completes from the live schema', async () => {
    await page.goto(`${server.base}/logs`);
    await page.waitForSelector('#query-text, #editor .monaco-editor');
    await page.waitForFunction(() => window.__calypso.logsShownMs !== undefined);
    Object.assign(timing, await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      const res = performance.getEntriesByType('resource').filter((r) => r.startTime <= (fcp?.startTime ?? 0));
      return { logsPageShownMs: Math.round(window.__calypso.logsShownMs), domContentLoadedMs: Math.round(nav.domContentLoadedEventEnd), loadMs: Math.round(nav.loadEventEnd),
        firstContentfulPaintMs: Math.round(fcp?.startTime ?? -1), requestsBeforePaint: res.length + 1,
        bytesBeforePaint: res.reduce((a, r) => a + r.transferSize, nav.transferSize) };
    }));
    await page.waitForFunction(() => window.__calypso.schemaReady === true, null, { timeout: 60_000 });
    timing.editorShownMs = Math.round(await page.evaluate(() => window.__calypso.editorShownMs));
    timing.schemaReadySeenMs = Math.round(await page.evaluate(() => performance.now()));
    await page.click('#editor .view-lines');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('PipelineR');
    await page.keyboard.press('Control+Space');
    await page.waitForSelector('.suggest-widget.visible .monaco-list-row', { timeout: 20_000 });
    const items = await page.$$eval('.suggest-widget.visible .monaco-list-row', (rows) => rows.map((r) => r.getAttribute('aria-label')));
    assert.ok(items.some((i) => i?.startsWith('PipelineRuns')), `completion offers PipelineRuns: ${items}`);
    await shot('01-completion');
    await page.keyboard.press('Escape');
  });

  await check('completion offers the stored functions of .show functions', async () => {
    await page.click('#editor .view-lines');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('RunLo');
    await page.keyboard.press('Control+Space');
    await page.waitForSelector('.suggest-widget.visible .monaco-list-row', { timeout: 20_000 });
    const items = await page.$$eval('.suggest-widget.visible .monaco-list-row', (rows) => rows.map((r) => r.getAttribute('aria-label')));
    assert.ok(items.some((i) => i?.startsWith('RunLogs')), `completion offers RunLogs: ${items}`);
    await shot('01b-function-completion');
    await page.keyboard.press('Escape');
  });

  await check('a timechart query shows the right rows and a drawn chart', async () => {
    const query = 'traces | summarize count() by bin(timestamp, 30m), severity = tostring(severityLevel) | render timechart';
    const expected = await server.query(query, 'P1D');
    assert.ok(expected.rows.length > 5, `the filled server has traces of the last day: ${expected.rows.length} rows`);
    await page.selectOption('#time-range', 'P1D');
    await typeQuery(page, query);
    await runAndWait(page);
    assert.equal(await page.getAttribute('#result-grid', 'data-rows'), String(expected.rows.length));
    assert.equal(await page.textContent('#row-count'), `${expected.rows.length} rows`);
    await page.waitForFunction(() => (window.__calypso.chartDrawn ?? 0) > 0);
    await waitForDrawn(page, '#chart canvas', 500);
    assert.match(page.url(), /\/logs\?q=.*&t=P1D$/, 'the URL holds the query and time range');
    await shot('02-timechart');
    // The shared link alone (a fresh page) reruns the same query over the same range.
    const shared = await context.newPage();
    await shared.goto(page.url());
    await shared.waitForFunction(() => (window.__calypso.runs ?? 0) > 0, null, { timeout: 60_000 });
    assert.equal(await shared.getAttribute('#result-grid', 'data-rows'), String(expected.rows.length));
    assert.equal(await shared.inputValue('#time-range'), 'P1D');
    assert.equal(await shared.getAttribute('#history li', 'title'), query, 'the query is first in the history');
    await shared.close();
    page.once('dialog', (d) => d.accept('severity per half hour'));
    await page.click('#save');
    await page.waitForSelector('#saved li');
    assert.equal(await page.textContent('#saved li b'), 'severity per half hour');
    assert.equal(await page.getAttribute('#saved li', 'title'), query, 'saved with its text');
    await page.bringToFront(); // a background tab gets ~1 animation frame per second
  });

  await check('only string and bool columns split a chart\'s series; the chart follows the window\'s height', async () => {
    // `errors` has one small value: it is a series of its own, never a split.
    await typeQuery(page, 'range t from ago(1h) to now() step 10m | extend errors = 2, requests = 50, late = t > ago(30m) | render timechart');
    await page.selectOption('#time-range', '');
    await runAndWait(page);
    await waitForDrawn(page, '#chart canvas', 200);
    const labels = await page.$$eval('#chart .u-legend .u-series .u-label', (l) => l.slice(1).map((x) => x.textContent));
    assert.deepEqual(labels, ['false: errors', 'false: requests', 'true: errors', 'true: requests']);
    const vh = await page.evaluate(() => innerHeight);
    const height = () => page.$eval('#chart .uplot', (u) => u.getBoundingClientRect().height);
    assert.ok(Math.abs(await height() - Math.max(240, Math.round(vh * 0.4))) <= 2, `chart ${await height()} px for a ${vh} px window`);
    await page.setViewportSize({ width: 1400, height: 500 });
    await page.waitForFunction(() => Math.abs(document.querySelector('#chart .uplot').getBoundingClientRect().height - 240) <= 2);
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.selectOption('#time-range', 'P1D');
  });

  await check('piechart, columnchart and the CSV export of one result', async () => {
    const query = 'traces | summarize n = count() by cloud_RoleName | render piechart';
    const expected = await server.query(query, 'P1D');
    assert.ok(expected.rows.length >= 2, 'traces from two roles or more');
    await typeQuery(page, query);
    await runAndWait(page);
    assert.equal(await page.getAttribute('#result-grid', 'data-rows'), String(expected.rows.length));
    await waitForDrawn(page, '#chart canvas', 1000); // the pie
    await shot('03-piechart');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const csv = (await readFile(await download.path(), 'utf8')).trimEnd().split('\r\n');
    assert.equal(csv[0], 'cloud_RoleName,n');
    assert.equal(csv.length, expected.rows.length + 1, 'CSV: a header and every row');
    const drawn = await page.evaluate(() => window.__calypso.chartDrawn);
    await page.selectOption('#chart-kind', 'columnchart');
    await page.waitForFunction((n) => window.__calypso.chartDrawn > n, drawn);
    await waitForDrawn(page, '#chart canvas', 1000); // the columns
  });

  await check('a server error is shown and underlined at its line and column', async () => {
    await typeQuery(page, 'traces | where nosuchcolumn == 1');
    await runAndWait(page);
    await page.waitForSelector('#query-error:not([hidden])');
    const markers = await page.evaluate(() => window.__calypso.monaco.editor.getModelMarkers({ owner: 'calypso-server' })
      .map((m) => ({ line: m.startLineNumber, col: m.startColumn, end: m.endColumn, msg: m.message })));
    assert.equal(markers.length, 1, JSON.stringify(markers));
    assert.equal(markers[0].line, 1);
    assert.equal(markers[0].col, 16, JSON.stringify(markers));
    assert.match(markers[0].msg, /nosuchcolumn/);
    await page.waitForSelector('#editor .squiggly-error');
    assert.equal(await page.getAttribute('#result-grid', 'data-rows'), '0', 'the previous rows are cleared');
    assert.ok(await page.isHidden('#chart'), 'the previous chart is cleared');
    await shot('04-error');
  });

  await check('100,000 rows: the grid keeps ~40 row elements and scrolls to the last row', async () => {
    await typeQuery(page, "range i from 1 to 100000 step 1 | extend s = strcat('row ', i), d = bag_pack('i', i)");
    await page.selectOption('#time-range', '');
    await runAndWait(page);
    assert.equal(await page.getAttribute('#result-grid', 'data-rows'), '100000');
    const stats = await page.evaluate(async () => {
      const g = document.getElementById('result-grid');
      const frames = [];
      let last = performance.now();
      for (let i = 0; i < 120; i++) {
        g.scrollTop += 2400;
        await new Promise((r) => requestAnimationFrame(r));
        const now = performance.now();
        frames.push(now - last);
        last = now;
      }
      g.scrollTop = g.scrollHeight;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const rows = [...g.querySelectorAll('.grid-row:not([hidden])')];
      frames.sort((a, b) => a - b);
      return { rowElements: rows.length, lastIndex: Math.max(...rows.map((r) => Number(r.dataset.index))),
        lastText: rows.find((r) => r.dataset.index === '99999')?.children[0].textContent,
        medianFrameMs: frames[60], p95FrameMs: frames[114] };
    });
    timing.scroll100k = stats;
    assert.ok(stats.rowElements < 100, `virtualized: ${stats.rowElements} row elements`);
    assert.equal(stats.lastIndex, 99999);
    assert.equal(stats.lastText, '100000');
    await page.click('#result-grid .grid-head[data-col="0"]'); // sort ascending, then descending
    await page.click('#result-grid .grid-head[data-col="0"]');
    await page.evaluate(() => (document.getElementById('result-grid').scrollTop = 0));
    await page.waitForFunction(() => document.querySelector('#result-grid .grid-row[data-index="0"]')?.children[0].textContent === '100000');
    await page.click('#result-grid .grid-row[data-index="0"] .grid-cell.dyn');
    assert.match(await page.textContent('#cell-detail pre'), /"i": 100000/);
    await shot('05-100k-rows');
  });

  await check('Runs lists the runs; a run page shows its steps on the timeline and their logs', async () => {
    // The completed pipeline run with the most started steps, by the API.
    const [runId, started] = (await server.query(`PipelineRuns
      | summarize arg_max(TimeGenerated, *) by RunId
      | where isnotempty(PipelineRunId) and PipelineRunId != RunId and isnotnull(StartTime)
      | summarize steps = dcount(RunId) by PipelineRunId
      | join kind=inner (PipelineRuns | where Status == 'Completed' | distinct RunId) on $left.PipelineRunId == $right.RunId
      | top 1 by steps desc | project PipelineRunId, steps`)).rows[0];
    assert.ok(started >= 2, `a completed run with steps: ${runId} (${started})`);
    await page.click('nav a[href="/runs"]');
    await page.waitForSelector(`#runs-table a[href="/runs/${runId}"]`, { timeout: 30_000 });
    await page.fill('#runs-filter', runId.slice(0, 13));
    assert.equal(await page.locator('#runs-table tbody tr').count(), 1, 'the filter keeps the one run');
    await shot('06-runs');
    await page.click(`#runs-table a[href="/runs/${runId}"]`);
    await page.waitForSelector('#gantt .gantt-row');
    const bars = await page.$$eval('#gantt .gantt-bar:not([hidden])', (b) => b.map((x) => x.getBoundingClientRect().width));
    assert.equal(bars.length, started, 'one bar per started step');
    assert.ok(bars.every((w) => w > 0), `bars have width: ${bars}`);
    // Per-epoch metrics drawn, and the run's exceptions listed, as the API has them.
    const metricsLink = new URL(await page.getAttribute('.run-section h3 a', 'href'), server.base).searchParams;
    const metricRows = (await server.query(metricsLink.get('q'))).rows.length;
    if (metricRows > 0) {
      await waitForDrawn(page, '#run-metrics canvas', 300);
    }
    const exceptions = (await server.query(`exceptions | where customDimensions.parent_run_id == '${runId}'`)).rows.length;
    if (exceptions > 0) {
      await page.waitForSelector('#run-exceptions tbody tr');
      assert.equal(await page.locator('#run-exceptions tbody tr').count(), exceptions);
    }
    console.log(`     run ${runId}: ${started} steps, ${metricRows} metric points, ${exceptions} exceptions`);
    await page.waitForSelector('#step-trend canvas');
    await shot('07-run-gantt');
    // The first step's logs link opens Logs with a query by step_id; the grid shows what the API answers.
    const started1 = '#gantt .gantt-row:has(.gantt-bar:not([hidden])) a';
    const href = await page.getAttribute(started1, 'href');
    const link = new URL(href, server.base).searchParams;
    const stepRows = (await server.query(link.get('q'), link.get('t'))).rows.length;
    assert.ok(stepRows > 0, 'the step has logs');
    const before = await page.evaluate(() => window.__calypso.runs ?? 0);
    await page.click(started1);
    await page.waitForFunction((n) => (window.__calypso.runs ?? 0) > n, before, { timeout: 60_000 });
    assert.equal(await page.getAttribute('#result-grid', 'data-rows'), String(stepRows));
    await shot('08-step-logs');
  });

  await check('no request left the loopback origin and the page logged no error', async () => {
    assert.deepEqual(outside, []);
    assert.deepEqual(pageErrors.filter((e) => !/status of 400/.test(e)), []);
  });
  console.log(`timing (loopback, headless, not asserted): ${JSON.stringify(timing)}`);
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
