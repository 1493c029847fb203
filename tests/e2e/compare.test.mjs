// Compare mode (issue 17), clicked through the real UI: a built-in
// comparison's panes (each a frame of this page, its own cluster inside)
// under one clock, their metric cells and the comparison table; a custom
// comparison entered from a run with "Compare", a pane added and a pane's
// protocol changed; the compare link reproducing panes and cursor.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { serve, launch, waitFor, open, menu, setRange } from './harness.mjs';

let server, base, ctx;
before(async () => {
  ({ server, base } = await serve());
  ctx = await launch();
});
after(async () => {
  await ctx.close();
  server.close();
});

const axeSource = await readFile(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

/** A compare page, once every pane has drawn its cluster. */
async function openCompare(url, panes) {
  const page = await ctx.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.problems = problems;
  await page.goto(url);
  await page.waitForSelector('[data-testid="compare"]', { timeout: 15000 });
  for (let i = 0; i < panes; i++) {
    await pane(page, i).locator('[data-testid="cluster"]').waitFor({ timeout: 20000 });
  }
  return page;
}

const pane = (page, i) => page.frameLocator(`[data-testid="pane-${i}"] iframe`);

/** A pane's metric cell's figure. */
async function metric(page, i, name) {
  return Number(await pane(page, i).locator(`[data-testid="metric-${name}"]`).getAttribute('data-value'));
}

/** The time a pane's own timeline shows (µs). */
async function paneTime(page, i) {
  return Number(await pane(page, i).locator('[data-testid="sim-time"]').getAttribute('data-us'));
}

test('compare-cap: one clock, the CP pane refuses the minority client, the AP pane serves stale reads', async () => {
  const page = await openCompare(`${base}?preset=compare-cap`, 2);
  assert.match(await page.textContent('[data-testid="subtitle"]'), /CAP: Raft \(CP\) vs Cassandra at ONE \(AP\)/);
  assert.match(await page.textContent('[data-testid="scenario-about"]'), /Raft, consistent: the minority cannot commit/);
  // Each pane is a run of its own, drawn by this page in pane mode.
  assert.equal(await pane(page, 0).locator('g[data-testid^="node-"]').count(), 5);
  assert.equal(await pane(page, 1).locator('g[data-testid^="node-"]').count(), 5);
  // Play at 10x to the end (16 s): the clock stops there, and both panes with it.
  await page.selectOption('[data-testid="speed"]', '1000');
  await page.click('[data-testid="btn-play"]');
  await waitFor(page, async () => page.isDisabled('[data-testid="btn-pause"]').then(async (d) => d
    && Number(await page.inputValue('[data-testid="timeline"]')) === 16_000_000), 'the end', 60000);
  await waitFor(page, async () => (await paneTime(page, 0)) === 16_000_000 && (await paneTime(page, 1)) === 16_000_000,
    'both panes at 16 s');
  // Raft (CP): C1's writes in the minority fail or go unanswered; no anomaly.
  await waitFor(page, async () => (await metric(page, 0, 'writes-failed')) + (await metric(page, 0, 'writes-unknown')) > 0,
    'Raft refuses or leaves unanswered the minority writes');
  for (const m of ['stale-reads', 'lost-writes', 'violations']) assert.equal(await metric(page, 0, m), 0, `Raft ${m}`);
  // Cassandra at ONE (AP): writes succeed on both sides, and reads are stale.
  assert.ok((await metric(page, 1, 'writes-ok')) > (await metric(page, 0, 'writes-ok')), 'AP takes more writes');
  assert.ok((await metric(page, 1, 'stale-reads')) >= 1, 'Cassandra at ONE serves a stale read');
  assert.equal(await metric(page, 1, 'violations'), 0, 'a lesson, not a violation');
  // Each pane's chart: the same faults marked, and the CP side's band has more refused windows.
  const chart = (i, a) => pane(page, i).locator('[data-testid="metrics-chart"]').getAttribute(`data-${a}`).then(Number);
  assert.ok((await chart(0, 'faults')) > 0 && (await chart(0, 'faults')) === (await chart(1, 'faults')), 'the same faults in both');
  assert.ok((await chart(0, 'down')) > (await chart(1, 'down')), 'Raft refuses in more windows than Cassandra at ONE');
  // The comparison table: one column per pane, the better figure marked.
  const cell = (name, i) => page.locator(`[data-testid="compare-table"] [data-testid="metric-${name}"][data-pane="${i}"]`);
  await waitFor(page, async () => (await cell('stale-reads', 1).count()) === 1, 'the table');
  assert.equal(Number(await cell('stale-reads', 1).getAttribute('data-value')), await metric(page, 1, 'stale-reads'));
  assert.match(await cell('stale-reads', 0).getAttribute('class'), /rv-best/);
  assert.match(await cell('writes-ok', 1).getAttribute('class'), /rv-best/);
  // The table as CSV: a row per pane, the figures the cells carry.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="btn-export-csv"]')]);
  assert.equal(download.suggestedFilename(), 'comparison.csv');
  const csv = (await readFile(await download.path(), 'utf8')).trim().split('\n').map((l) => l.split(','));
  assert.deepEqual(csv[0].slice(0, 4), ['pane', 't_us', 'writes-ok', 'writes-failed']);
  assert.deepEqual(csv.slice(1).map((r) => r[0]), ['"Raft"', '"Cassandra ONE/ONE"']);
  const stale = csv[0].indexOf('stale-reads');
  assert.equal(Number(csv[2][stale]), await metric(page, 1, 'stale-reads'));
  assert.equal(csv[2][1], '16000000');
  // Dragging the shared timeline back moves every pane there.
  await setRange(page, 'timeline', 2_000_000);
  await waitFor(page, async () => (await paneTime(page, 0)) === 2_000_000 && (await paneTime(page, 1)) === 2_000_000,
    'both panes back at 2 s');
  assert.deepEqual(page.problems, []);
  // The compare link reproduces the panes and the cursor.
  await page.click('[data-testid="btn-copy-link"]');
  const link = await waitFor(page, async () => page.textContent('[data-testid="link-output"]'), 'the link');
  assert.match(link, /\?compare=compare-cap&seed=1&t=2000000$/);
  const again = await openCompare(link, 2);
  await waitFor(again, async () => (await paneTime(again, 1)) === 2_000_000, 'the linked moment');
  // axe: no serious or critical violation on the compare page.
  await again.addScriptTag({ content: axeSource });
  const bad = await again.evaluate(async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
    .filter((x) => x.impact === 'serious' || x.impact === 'critical').map((x) => x.id));
  assert.deepEqual(bad, []);
  await page.close();
  await again.close();
});

test('a pane is the run its scenario makes alone', async () => {
  // Pane 1 of compare-durability (MySQL semi-sync) opened as a page of its own.
  const page = await openCompare(`${base}?compare=compare-durability`, 3);
  await setRange(page, 'timeline', 8_000_000);
  await waitFor(page, async () => (await paneTime(page, 1)) === 8_000_000, 'pane 1 at 8 s');
  const roles = await pane(page, 1).locator('g[data-testid^="node-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-role')));
  const alone = await open(ctx, `${base}?compare=compare-durability&pane=1`);
  await waitFor(alone, async () => Number(await alone.getAttribute('[data-testid="sim-time"]', 'data-us')) === 0, 'start');
  // Alone it has no compare page's clock: its own controls drive it.
  await setRange(alone, 'timeline', 8_000_000);
  await waitFor(alone, async () => Number(await alone.getAttribute('[data-testid="sim-time"]', 'data-us')) === 8_000_000, '8 s');
  assert.deepEqual(await alone.locator('g[data-testid^="node-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-role'))), roles);
  await page.close();
  await alone.close();
});

test('bytes per write: the page counts each message as the native build does', async () => {
  // The figures tests/comparisons.rs asserts natively for seed 1 of
  // compare-durability at its end (20 s): async < semi-sync < Raft.
  const page = await openCompare(`${base}?compare=compare-durability`, 3);
  await setRange(page, 'timeline', 20_000_000);
  for (let i = 0; i < 3; i++) await waitFor(page, async () => (await paneTime(page, i)) === 20_000_000, `pane ${i} at 20 s`);
  const bytes = [];
  for (let i = 0; i < 3; i++) {
    bytes.push(await pane(page, i).locator('[data-testid="metric-bytes-per-write"]').getAttribute('data-value'));
  }
  assert.deepEqual(bytes, ['38.108', '48.650', '414.330']);
  // The comparison table carries them too, the least marked best.
  const cell = page.locator('[data-testid="compare-table"] [data-testid="metric-bytes-per-write"][data-pane="0"]');
  await waitFor(page, async () => (await cell.getAttribute('data-value')) === '38.108', 'the table');
  assert.match(await cell.getAttribute('class'), /rv-best/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a custom comparison: Compare from a run, add a pane, change a protocol', async () => {
  const page = await open(ctx, `${base}?protocol=raft&seed=7`);
  await menu(page, 'node-1', 'crash');
  await page.click('[data-testid="btn-compare"]');
  await page.waitForURL(/\?compare=raft,paxos#s1\./, { timeout: 15000 });
  await page.waitForSelector('[data-testid="pane-1"] iframe');
  assert.equal(await page.inputValue('[data-testid="pane-protocol-0"]'), 'raft');
  assert.equal(await page.inputValue('[data-testid="pane-protocol-1"]'), 'paxos');
  // The run's action is in every pane: S1 is down in both.
  for (const i of [0, 1]) {
    await pane(page, i).locator('[data-testid="cluster"]').waitFor();
    await setRange(page, 'timeline', 1_000_000);
    await waitFor(page, async () => (await pane(page, i).locator('[data-testid="node-1"]').getAttribute('data-up')) === 'false',
      `S1 down in pane ${i}`);
  }
  await page.click('[data-testid="pane-add"]');
  await page.waitForURL(/\?compare=raft,paxos,2pc#s1\./);
  await page.waitForSelector('[data-testid="pane-2"] iframe');
  await page.selectOption('[data-testid="pane-protocol-2"]', 'zab');
  await page.waitForURL(/\?compare=raft,paxos,zab#s1\./);
  await pane(page, 2).locator('[data-testid="cluster"]').waitFor();
  assert.equal(await pane(page, 2).locator('g[data-testid^="node-"]').count(), 5);
  await page.close();
});

test('Mirror actions: a crash made in one pane is made in the other at the same moment, by role for the leader; off, it is not', async () => {
  const page = await openCompare(`${base}?compare=raft,zab`, 2);
  await setRange(page, 'timeline', 2_000_000);
  for (const i of [0, 1]) {
    await waitFor(page, async () => Number(await pane(page, i).locator('[data-testid="sim-time"]').getAttribute('data-us')) === 2_000_000, `pane ${i} at 2 s`);
  }
  const p0 = pane(page, 0), p1 = pane(page, 1);
  // A pane's leader (Raft's `leader`, Zab's `leading`), 0 if none.
  const leaderOf = async (p) => {
    for (let id = 1; id <= 5; id++) {
      const n = p.locator(`[data-testid="node-${id}"]`);
      if ((await n.getAttribute('data-up')) === 'true' && ['leader', 'leading'].includes(await n.getAttribute('data-role'))) return id;
    }
    return 0;
  };
  const [l0, l1] = [await leaderOf(p0), await leaderOf(p1)];
  assert.ok(l0 && l1, `both panes lead at 2 s (${l0}, ${l1})`);
  // Off (the default): crashing a follower in pane 0 leaves pane 1 alone.
  const others = [1, 2, 3, 4, 5].filter((id) => id !== l0 && id !== l1);
  const [a, b] = others;
  await p0.locator(`[data-testid="node-${a}"]`).click();
  await p0.locator('[data-testid="action-crash"]').dispatchEvent('click');
  await waitFor(page, async () => (await p0.locator(`[data-testid="node-${a}"]`).getAttribute('data-up')) === 'false', `S${a} down in pane 0`);
  await page.waitForTimeout(500);
  assert.equal(await p1.locator(`[data-testid="node-${a}"]`).getAttribute('data-up'), 'true', 'not mirrored while off');
  // On: crashing a follower in pane 1 crashes the same server in pane 0,
  // at 2 s in both runs.
  await page.check('[data-testid="mirror"]');
  await p1.locator(`[data-testid="node-${b}"]`).click();
  await p1.locator('[data-testid="action-crash"]').dispatchEvent('click');
  await waitFor(page, async () => (await p0.locator(`[data-testid="node-${b}"]`).getAttribute('data-up')) === 'false', `S${b} down in pane 0 too`);
  assert.equal(await p1.locator(`[data-testid="node-${b}"]`).getAttribute('data-up'), 'false');
  for (const p of [p0, p1]) {
    assert.match(await p.locator('[data-testid="event-log"]').textContent(), new RegExp(`2000\\.0 ms\\s*S${b} crashes`), 'the crash at 2 s');
  }
  // By role: crashing pane 1's leader crashes pane 0's leader, whatever its id.
  await p1.locator(`[data-testid="node-${l1}"]`).click();
  await p1.locator('[data-testid="action-crash"]').dispatchEvent('click');
  await waitFor(page, async () => (await p0.locator(`[data-testid="node-${l0}"]`).getAttribute('data-up')) === 'false', `pane 0's leader S${l0} down`);
  assert.equal(await p1.locator(`[data-testid="node-${l1}"]`).getAttribute('data-up'), 'false');
  assert.match(await p0.locator('[data-testid="event-log"]').textContent(), new RegExp(`2000\\.0 ms\\s*S${l0} crashes`));
  if (l0 !== l1) {
    assert.equal(await p0.locator(`[data-testid="node-${l1}"]`).getAttribute('data-up'), 'true', `S${l1} stays up in pane 0`);
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a bad comparison is refused with a clear message, and the app runs', async () => {
  const page = await open(ctx, `${base}?compare=compare-nothing`);
  assert.match(await page.textContent('[data-testid="error-banner"]'), /Unknown comparison "compare-nothing" \(known: compare-durability/);
  const one = await open(ctx, `${base}?compare=raft`);
  assert.match(await one.textContent('[data-testid="error-banner"]'), /A comparison has 2 to 4 panes \(this one asks for 1\)/);
  await page.close();
  await one.close();
});
