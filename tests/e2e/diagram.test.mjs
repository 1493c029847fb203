// End-to-end tests of the space-time diagram (issue 12): server and client
// lanes, message arrows, crash marks, the anomaly outlined at the same time
// as the timeline's marker, click-to-seek, zoom, SVG export, and a Jepsen
// history imported and checked in the page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { serve, launch, open, reach, simTime, waitFor, noProblems } from './harness.mjs';

let server, base, ctx;
before(async () => { ({ server, base } = await serve()); ctx = await launch(); });
after(async () => { await ctx?.close(); server?.close(); });

test('the stale read is outlined in the diagram at the time of the timeline marker, and both seek there', async () => {
  const page = await open(ctx, `${base}?preset=raft-stale-read`);
  await reach(page, 1_400_000);
  const bar = await page.waitForSelector('[data-testid="diagram"] [data-testid="op"][data-anomaly="stale-read"]');
  assert.equal(await bar.getAttribute('data-expected'), 'true');
  const marker = await page.waitForSelector('[data-testid="marker"][data-kind="anomaly"]');
  assert.equal(await marker.getAttribute('data-us'), await bar.getAttribute('data-t'));
  assert.equal(await page.getAttribute('[data-testid="history"]', 'data-anomalies'), '1');
  // Messages between servers are drawn as arrows, some dropped on the cut links.
  const titles = await page.$$eval('[data-testid="arrow"] title', (t) => t.map((x) => x.textContent));
  assert.ok(titles.length > 10, `${titles.length} arrows`);
  assert.ok(titles.some((t) => t.endsWith('(dropped)')), 'a dropped message');
  // The marker seeks to the anomaly; a click on the diagram seeks where it points.
  await marker.click();
  assert.equal(String(await simTime(page)), await bar.getAttribute('data-t'));
  const win = Number(await page.getAttribute('[data-testid="diagram"]', 'data-window'));
  await page.$eval('[data-testid="diagram"]', (e) => e.scrollIntoView({ block: 'center' }));
  const box = await (await page.$('[data-testid="diagram"]')).boundingBox();
  const before = await simTime(page);
  await page.mouse.click(box.x + box.width * 0.25, box.y + box.height / 2);
  const expected = before - win * 0.85 + win * 0.25;
  assert.ok(Math.abs((await simTime(page)) - expected) < win * 0.02, `seeked to ${await simTime(page)}, expected about ${expected}`);
  // Zoom: the window doubles.
  await page.click('[data-testid="diagram-zoom-out"]');
  assert.equal(Number(await page.getAttribute('[data-testid="diagram"]', 'data-window')), win * 2);
  const svg = (await (async () => {
    const [d] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="btn-export-diagram"]')]);
    return readFile(await d.path());
  })()).toString();
  assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /data-testid="arrow"/);
  await noProblems(page);
  await page.close();
});

test('a crash is marked on its server lane and messages to the crashed server end in a cross', async () => {
  const page = await open(ctx, `${base}?nodes=3&seed=5`);
  await reach(page, 600_000);
  await page.click('[data-testid="node-2"]');
  await page.click('[data-testid="action-crash"]');
  await page.click('[data-testid="btn-play"]');
  await waitFor(page, async () => (await simTime(page)) > 900_000, 'time passes');
  await page.click('[data-testid="btn-pause"]');
  assert.equal((await page.$$('[data-testid="diagram"] [data-testid="crash-mark"]')).length, 1);
  const lanes = await page.$$eval('.rv-history-lanes div', (d) => d.map((x) => x.textContent));
  assert.deepEqual(lanes.slice(0, 3), ['S1', 'S2', 'S3']);
  await page.check('[data-testid="show-routine"]');
  const dropped = await page.$$eval('[data-testid="arrow"] title', (t) => t.map((x) => x.textContent).filter((x) => x.endsWith('(dropped)')));
  assert.ok(dropped.length >= 2, `${dropped.length} dropped arrows after the crash`);
  await noProblems(page);
  await page.close();
});

const JEPSEN_BAD = [
  'INFO  jepsen.util - 0\t:invoke\t:write\t1',
  'INFO  jepsen.util - 0\t:ok\t:write\t1',
  'INFO  jepsen.util - 1\t:invoke\t:write\t2',
  'INFO  jepsen.util - 1\t:ok\t:write\t2',
  'INFO  jepsen.util - 2\t:invoke\t:read\tnil',
  'INFO  jepsen.util - 2\t:ok\t:read\t1',
].join('\n');

test('a Jepsen history imported into the diagram is checked and drawn; a mangled one changes nothing', async () => {
  const page = await open(ctx, `${base}?nodes=3&seed=5`);
  await page.setInputFiles('[data-testid="import-history-file"]', { name: 'bad.log', mimeType: 'text/plain', buffer: Buffer.from(JEPSEN_BAD) });
  await waitFor(page, async () => (await page.getAttribute('[data-testid="history"]', 'data-source')) === 'import', 'the import shown');
  assert.equal(await page.getAttribute('[data-testid="import-verdict"]', 'data-verdict'), 'not-linearizable');
  assert.match(await page.textContent('[data-testid="import-verdict"]'), /bad\.log: not linearizable/);
  const ops = await page.$$eval('[data-testid="diagram"] [data-testid="op"]', (e) => e.map((x) => [x.getAttribute('data-client'), x.getAttribute('data-f'), x.getAttribute('data-anomaly')]));
  assert.deepEqual(ops, [['P0', 'write', ''], ['P1', 'write', ''], ['P2', 'read', 'not-linearizable']]);
  assert.equal(await page.getAttribute('[data-testid="history"]', 'data-ops'), '3');
  await page.click('[data-testid="btn-close-import"]');
  assert.equal(await page.getAttribute('[data-testid="history"]', 'data-source'), 'run');
  await page.setInputFiles('[data-testid="import-history-file"]', { name: 'junk.log', mimeType: 'text/plain', buffer: Buffer.from('{:process 0, :type :ok') });
  await page.waitForSelector('[data-testid="error-banner"]');
  assert.match(await page.textContent('[data-testid="error-banner"]'), /junk\.log is not a Jepsen history.*Nothing was changed/);
  assert.equal(await page.getAttribute('[data-testid="history"]', 'data-source'), 'run');
  await noProblems(page);
  await page.close();
});

test('the metrics under the diagram count what the clients got: a lost write with async replication, a stale read with local reads', async () => {
  const metric = async (page, name) => Number(await page.getAttribute(`[data-testid="metric-${name}"]`, 'data-value'));
  // MySQL, asynchronous: x=1 and x=2 are acknowledged, the source crashes
  // before x=2 leaves it, and the promoted replica lacks it.
  const mysql = await open(ctx, `${base}?preset=mysql-async-loss`);
  await reach(mysql, 7_000_000);
  assert.equal(await metric(mysql, 'writes-ok'), 2);
  assert.equal(await metric(mysql, 'lost-writes'), 1);
  assert.equal(await metric(mysql, 'violations'), 0);
  assert.ok((await metric(mysql, 'write-p50-ms')) >= 0);
  await noProblems(mysql);
  await mysql.close();
  // Raft with reads answered locally: one read returns an overwritten value.
  const raft = await open(ctx, `${base}?preset=raft-stale-read`);
  await reach(raft, 1_400_000);
  assert.equal(await metric(raft, 'stale-reads'), 1);
  assert.equal(await metric(raft, 'lost-writes'), 0);
  assert.equal(await metric(raft, 'violations'), 0);
  assert.ok((await metric(raft, 'availability')) > 0);
  await noProblems(raft);
  await raft.close();
});
