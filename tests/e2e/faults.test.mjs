// End-to-end tests of the faults beyond crash and cut (issue 13), through
// the real menus: pause, clock, power loss, a slow link, and the partition
// shapes, each on the timeline and in the event log.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, reach, simTime, waitFor, setRange, noProblems } from './harness.mjs';

let server, base, ctx;
before(async () => { ({ server, base } = await serve()); ctx = await launch(); });
after(async () => { await ctx?.close(); server?.close(); });

const log = (page) => page.textContent('[data-testid="event-log"]');
const markers = (page) => page.$$eval('[data-testid="marker"][data-kind="action"]', (m) => m.reduce((n, x) => n + Number(x.getAttribute('data-count')), 0));

test('pause, clock and power loss from the node menu', async () => {
  const page = await open(ctx, `${base}?nodes=5&seed=42`);
  await reach(page, 800_000);
  const before = await markers(page);
  await page.click('[data-testid="node-2"]');
  await page.fill('[data-testid="pause-ms"]', '400');
  await page.click('[data-testid="action-pause"]');
  assert.equal(await page.getAttribute('[data-testid="node-2"]', 'data-paused'), 'true');
  assert.match(await log(page), /S2 is paused \(it handles nothing until 1200 ms\)/);
  await page.click('[data-testid="node-3"]');
  await page.fill('[data-testid="clock-offset"]', '250');
  await page.fill('[data-testid="clock-rate"]', '150');
  await page.click('[data-testid="action-clock"]');
  assert.equal(await page.getAttribute('[data-testid="node-3"]', 'data-clock-offset'), '250000');
  assert.match(await log(page), /S3's clock is set \+250 ms off, running at 150%/);
  await page.click('[data-testid="node-4"]');
  await page.click('[data-testid="action-power-loss"]');
  assert.equal(await page.getAttribute('[data-testid="node-4"]', 'data-up'), 'false');
  assert.match(await log(page), /S4 loses power/);
  assert.equal(await markers(page), before + 3);
  await page.click('[data-testid="btn-play"]');
  await waitFor(page, async () => (await simTime(page)) > 1_300_000, 'the pause is over');
  await page.click('[data-testid="btn-pause"]');
  assert.equal(await page.getAttribute('[data-testid="node-2"]', 'data-paused'), 'false');
  assert.match(await log(page), /S2 resumes, with the beliefs it had/);
  await noProblems(page);
  await page.close();
});

test('a slow link from the link menu, and the partition shapes', async () => {
  const page = await open(ctx, `${base}?nodes=5&seed=42`);
  await reach(page, 500_000);
  await page.click('[data-testid="link-1-2"]');
  await page.fill('[data-testid="link-latency"]', '300');
  await page.fill('[data-testid="link-loss"]', '10');
  await page.click('[data-testid="action-link-net"]');
  assert.match(await log(page), /link S1 → S2: latency 240–360 ms, drop 10%/);
  assert.match(await log(page), /link S2 → S1: latency 240–360 ms, drop 10%/);
  // The same values for every link, in order (FIFO).
  await page.click('[data-testid="link-1-2"]');
  await page.fill('[data-testid="link-latency"]', '50');
  await page.check('[data-testid="link-fifo"]');
  await page.click('[data-testid="action-net-all"]');
  assert.match(await log(page), /network: latency 40–60 ms, drop 0%, duplicate 0%, in order/);
  const state = (a, b) => page.getAttribute(`[data-testid="link-${a}-${b}"]`, 'data-state');
  await page.click('[data-testid="nemesis-halves"]');
  assert.equal(await state(1, 3), 'cut');
  assert.equal(await state(2, 5), 'cut');
  assert.equal(await state(1, 2), 'up');
  assert.equal(await state(3, 4), 'up');
  await page.click('[data-testid="btn-heal-all"]');
  await page.click('[data-testid="nemesis-bridge"]');
  assert.equal(await state(1, 4), 'cut');
  assert.equal(await state(1, 3), 'up');
  assert.equal(await state(3, 5), 'up');
  await page.click('[data-testid="btn-heal-all"]');
  await page.click('[data-testid="nemesis-ring"]');
  assert.equal(await state(1, 3), 'cut');
  assert.equal(await state(1, 2), 'up');
  assert.equal(await state(1, 5), 'up');
  await page.click('[data-testid="btn-heal-all"]');
  await page.click('[data-testid="nemesis-leader"]');
  const leader = (await page.$$eval('[data-testid^="node-"]', (n) => n.filter((x) => x.getAttribute('data-role') === 'leader').map((x) => x.getAttribute('data-testid').slice(5))))[0];
  const cut = await page.$$eval('[data-testid^="link-"][data-state="cut"]', (l) => l.map((x) => x.getAttribute('data-testid')));
  assert.equal(cut.length, 4);
  assert.ok(cut.every((l) => l.split('-').slice(1).includes(leader)), `${cut} around S${leader}`);
  await page.click('[data-testid="node-5"]');
  await page.click('[data-testid="nemesis-isolate"]');
  assert.equal(await state(4, 5), 'cut');
  await noProblems(page);
  await page.close();
});

test('the random nemesis strikes while playing, on the timeline, and stops when switched off', async () => {
  const page = await open(ctx, `${base}?nodes=5&seed=7`);
  await page.bringToFront();
  await setRange(page, 'speed', 1);
  await page.click('[data-testid="btn-nemesis-random"]');
  assert.equal(await page.getAttribute('[data-testid="btn-nemesis-random"]', 'data-on'), 'true');
  const before = await markers(page);
  if (!(await page.isDisabled('[data-testid="btn-play"]'))) await page.click('[data-testid="btn-play"]');
  await waitFor(page, async () => (await markers(page)) >= before + 4, 'four faults struck');
  await page.click('[data-testid="btn-nemesis-random"]');
  assert.equal(await page.getAttribute('[data-testid="btn-nemesis-random"]', 'data-on'), 'false');
  const struck = await markers(page);
  const t = await simTime(page);
  await waitFor(page, async () => (await simTime(page)) > t + 3_000_000, 'three more seconds');
  assert.equal(await markers(page), struck, 'no fault once it is off');
  assert.equal(await page.getAttribute('[data-testid="invariants"]', 'data-violations'), '0');
  await noProblems(page);
  await page.close();
});
