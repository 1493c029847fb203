// End-to-end tests of import and export: the scenario JSON round-trips
// through the Import button, a bad file gives a message and changes nothing,
// and the trace, SVG and PNG downloads hold what they claim.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { serve, launch, open, simTime, reach, menu, nodeStates, setRange, waitFor, noProblems } from './harness.mjs';

let server, base, ctx;
before(async () => { ({ server, base } = await serve()); ctx = await launch(); });
after(async () => { await ctx?.close(); server?.close(); });

async function download(page, testid) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${testid}"]`)]);
  return readFile(await d.path());
}

test('scenario, trace, SVG and PNG exports; import round trip and bad files', async () => {
  const page = await open(ctx, `${base}?preset=catch-up`);
  const scenario = JSON.parse(await download(page, 'btn-export-scenario'));
  assert.equal(scenario.v, 2, "format 2: crashes close connections");
  assert.equal(scenario.title, 'A follower falls behind and catches up');
  assert.equal(scenario.actions.length, 7);

  await page.click('[data-testid="btn-step"]');
  await page.click('[data-testid="btn-step"]');
  const trace = JSON.parse(await download(page, 'btn-export-trace'));
  assert.ok(trace.length > 5 && trace.every((e) => typeof e.text === 'string' && e.t_us >= 0));

  const svg = (await download(page, 'btn-export-svg')).toString();
  assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /data-testid="node-5"/);
  const png = await download(page, 'btn-export-png');
  assert.deepEqual([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
  assert.ok(png.length > 5000, `PNG of ${png.length} bytes`);

  // Import into a different run: the exported scenario comes back, paused at 0.
  const other = await open(ctx, `${base}?nodes=3&seed=9`);
  await other.setInputFiles('[data-testid="import-file"]', { name: 's.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(scenario)) });
  await other.waitForSelector('[data-testid="scenario-about"]');
  assert.equal((await other.$$('g[data-testid^="node-"]')).length, 5);
  assert.equal(await simTime(other), 0);
  assert.equal(await other.inputValue('[data-testid="seed"]'), String(scenario.seed));
  // A bad file: a message, nothing changed.
  await other.setInputFiles('[data-testid="import-file"]', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"nodes": 99}') });
  await other.waitForSelector('[data-testid="error-banner"]');
  assert.match(await other.textContent('[data-testid="error-banner"]'), /99 nodes.*Nothing was changed/);
  assert.equal((await other.$$('g[data-testid^="node-"]')).length, 5);
  for (const p of [page, other]) {
    assert.deepEqual(p.problems, []);
    await p.close();
  }
});

test('the metrics chart: every operation a dot, the availability band and the crash marked; its SVG download', async () => {
  const page = await open(ctx, `${base}?protocol=raft&nodes=3&seed=1`);
  await page.fill('[data-testid="clients"]', '3');
  await page.press('[data-testid="clients"]', 'Enter');
  await reach(page, 3_000_000);
  const leader = (await nodeStates(page)).find((n) => n.role === 'leader');
  assert.ok(leader, 'a leader at 3 s');
  await menu(page, leader.id, 'crash');
  await reach(page, 8_000_000);
  const chart = '[data-testid="metrics-chart"]';
  const a = async (name) => Number(await page.getAttribute(chart, `data-${name}`));
  const cell = async (name) => Number(await page.getAttribute(`[data-testid="metric-${name}"]`, 'data-value'));
  // One dot per operation (counted), as many ok ones as the cells' ok writes at least.
  assert.ok((await a('ok')) >= (await cell('writes-ok')) && (await cell('writes-ok')) > 5, 'ok operations');
  assert.ok((await a('failed')) >= (await cell('writes-failed')));
  assert.ok((await a('unknown')) >= (await cell('writes-unknown')));
  // The band's windows are the availability cell's: up / (up + down).
  const up = await a('up'), down = await a('down');
  assert.ok(down > 0, 'the election after the crash refused writes');
  assert.ok(Math.abs(up / (up + down) - (await cell('availability'))) < 1e-3, `${up} up, ${down} down`);
  // The crash is marked, with its sentence.
  assert.equal(await a('faults'), 1);
  assert.match(await page.textContent(`${chart} .rv-chart-fault title`), new RegExp(`crash S${leader.id.slice(5)}`));
  assert.ok((await page.$$(`${chart} .rv-band-down`)).length > 0);
  // Going back in time redraws it to the cursor: no fault before 3 s.
  await setRange(page, 'timeline', 2_000_000);
  await waitFor(page, async () => (await a('faults')) === 0, 'the chart at 2 s');
  const svg = (await download(page, 'btn-export-chart')).toString();
  assert.match(svg, /^<svg[^>]*data-testid="metrics-chart"/);
  assert.match(svg, /<style><!\[CDATA\[/);
  // The metrics as CSV: the protocol, the time shown, each cell's data-value.
  const [head, row] = (await download(page, 'btn-export-metrics')).toString().trim().split('\n').map((l) => l.split(','));
  const cells = await page.$$eval('[data-testid="metrics"] [data-value]', (els) => els.map((e) => [e.dataset.testid.slice(7), e.dataset.value]));
  assert.ok(cells.length >= 9, `${cells.length} cells`);
  assert.deepEqual(head, ['protocol', 't_us', ...cells.map((c) => c[0])]);
  assert.deepEqual(row, ['raft', '2000000', ...cells.map((c) => c[1])]);
  assert.ok(head.includes('writes-ok') && head.includes('availability'));
  // The zoom buttons (markup, like the export ones) still zoom.
  const win = async () => Number(await page.getAttribute('[data-testid="diagram"]', 'data-window'));
  const w0 = await win();
  await page.click('[data-testid="diagram-zoom-out"]');
  assert.ok((await win()) > w0, 'zoomed out');
  await page.click('[data-testid="diagram-zoom-in"]');
  assert.equal(await win(), w0);
  await noProblems(page);
  await page.close();
});
