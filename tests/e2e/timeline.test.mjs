// End-to-end tests of time travel and links: two fresh pages of the same
// scenario agree at the same time; scrubbing agrees with a fresh replay;
// a copied link reopens the same state; mangled links give a message.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, simTime, waitFor, setRange, noProblems, reach, copyLink } from './harness.mjs';

let server, base, ctx;
before(async () => { ({ server, base } = await serve()); ctx = await launch(); });
after(async () => { await ctx?.close(); server?.close(); });

/** Everything the DOM says about the cluster and logs. */
async function snapshot(page) {
  return page.evaluate(() => {
    const nodes = [...document.querySelectorAll('g[data-testid^="node-"]')].map((e) =>
      [e.dataset.testid, e.dataset.role, e.dataset.term, e.dataset.up].join(':'));
    const logs = [...document.querySelectorAll('[data-testid^="log-"]')].map((e) =>
      [e.dataset.testid, e.dataset.commit, e.dataset.len, e.querySelector('.rv-log-entries')?.textContent].join(':'));
    const links = [...document.querySelectorAll('[data-testid^="link-"]')].map((e) => `${e.dataset.testid}:${e.dataset.state}`);
    return { nodes, logs, links, t: document.querySelector('[data-testid="sim-time"]').dataset.us };
  });
}

test('a built-in scenario opened twice in fresh pages gives identical states', async () => {
  const a = await open(ctx, `${base}?preset=leader-crash`);
  const b = await open(ctx, `${base}?preset=leader-crash`);
  assert.match(await a.textContent('[data-testid="scenario-about"]'), /Leader crash and re-election/);
  for (const us of [1_000_000, 3_000_000]) {
    await reach(a, us);
    await reach(b, us);
    assert.deepEqual(await snapshot(a), await snapshot(b), `at ${us} µs`);
  }
  // The leader crash happened: some node is down at 2 s.
  await setRange(a, 'timeline', 2_000_000);
  assert.ok((await snapshot(a)).nodes.some((n) => n.endsWith(':false')));
  await noProblems(a); await noProblems(b);
  await a.close(); await b.close();
});

test('scrubbing back and forward matches a fresh replay, and the copied link reopens it', async () => {
  const a = await open(ctx, `${base}?preset=partitioned-leader`);
  await reach(a, 4_000_000);
  await setRange(a, 'timeline', 2_500_000);
  const back = await snapshot(a);
  await setRange(a, 'timeline', 4_000_000);
  await setRange(a, 'timeline', 2_500_000);
  assert.deepEqual(await snapshot(a), back, 'scrub there and back again');
  // Copy the link at 2.5 s and open it in a fresh page: a fresh replay from time 0.
  const link = await copyLink(a);
  assert.match(link, /#s1\./);
  assert.ok(link.length < 2000, `link length ${link.length}`);
  const b = await open(ctx, link);
  assert.equal(await simTime(b), 2_500_000);
  assert.equal(await b.isDisabled('[data-testid="btn-pause"]'), true, 'opens paused');
  assert.deepEqual(await snapshot(b), back, 'fresh replay from the link');
  assert.match(await b.textContent('[data-testid="scenario-about"]'), /Partitioned old leader/);
  await noProblems(a); await noProblems(b);
  await a.close(); await b.close();
});

test('step back undoes exactly one event', async () => {
  const page = await open(ctx, `${base}?preset=catch-up`);
  await reach(page, 1_000_000);
  const events = async () => page.$$eval('[data-testid="event-log"] li', (l) => l.length);
  for (let i = 0; i < 5; i++) await page.click('[data-testid="btn-step"]');
  const here = await snapshot(page);
  const t = await simTime(page);
  await page.click('[data-testid="btn-step-back"]');
  assert.ok(await simTime(page) <= t);
  await page.click('[data-testid="btn-step"]');
  assert.deepEqual(await snapshot(page), here, 'back then forward returns to the same state');
  assert.ok(await events() > 0);
  await noProblems(page);
  await page.close();
});

test('acting in the past forks; the discarded future can be restored', async () => {
  const page = await open(ctx, `${base}?nodes=5&seed=3`);
  await reach(page, 2_000_000);
  const future = await snapshot(page);
  await setRange(page, 'timeline', 1_000_000);
  await page.click('[data-testid="node-2"]');
  await page.click('[data-testid="action-crash"]');
  assert.equal(await page.getAttribute('[data-testid="node-2"]', 'data-up'), 'false');
  await page.click('[data-testid="btn-undo-fork"]');
  assert.equal(await simTime(page), 1_000_000);
  await setRange(page, 'timeline', 2_000_000);
  assert.deepEqual(await snapshot(page), future, 'the original future is back');
  const markers = await page.$$eval('[data-testid="marker"]', (m) => m.map((x) => x.dataset.kind));
  assert.ok(markers.includes('leader'), `markers: ${markers}`);
  await noProblems(page);
  await page.close();
});

test('acting in the middle of a scenario keeps its script; the rest can be discarded (issue 10)', async () => {
  // 2pc-blocking crashes S1 after prepare and restarts it at 3 s.
  const page = await open(ctx, `${base}?preset=2pc-blocking`);
  await reach(page, 1_500_000);
  assert.equal(await page.locator('[data-testid="about-departed"]').isVisible(), false);
  await page.click('[data-testid="node-4"]');
  await page.click('[data-testid="action-crash"]');
  const note = page.locator('[data-testid="about-departed"]');
  assert.match(await note.textContent(), /You changed this run at 1\.50 s.*remaining actions still run/);
  assert.equal(await page.isVisible('[data-testid="btn-discard-script"]'), true);
  await page.click('[data-testid="btn-play"]');
  await waitFor(page, async () => (await simTime(page)) > 3_200_000, '3.2 s');
  assert.equal(await page.getAttribute('[data-testid="node-1"]', 'data-up'), 'true', 'S1 restarted at 3 s as scripted');
  assert.equal(await page.isVisible('[data-testid="btn-discard-script"]'), false, 'nothing left to discard');
  await noProblems(page);
  await page.close();
  // The same, but the rest of the script discarded: S1 stays down.
  const p2 = await open(ctx, `${base}?preset=2pc-blocking`);
  await reach(p2, 1_500_000);
  await p2.click('[data-testid="node-4"]');
  await p2.click('[data-testid="action-crash"]');
  await p2.click('[data-testid="btn-discard-script"]');
  assert.equal(await p2.isVisible('[data-testid="btn-discard-script"]'), false);
  await p2.click('[data-testid="btn-play"]');
  await waitFor(p2, async () => (await simTime(p2)) > 3_200_000, '3.2 s');
  assert.equal(await p2.getAttribute('[data-testid="node-1"]', 'data-up'), 'false', 'no restart once discarded');
  await noProblems(p2);
  await p2.close();
});

test('mangled links give a clear message and a fresh default run', async () => {
  const good = await (async () => {
    const p = await open(ctx, `${base}?preset=split-vote`);
    const l = await copyLink(p);
    await p.close();
    return l.split('#')[1];
  })();
  const cases = [
    [`#${good.slice(0, good.length / 2)}`, /damaged/],
    ['#s1.@@@@', /damaged/],
    ['#s7.AAAA', /format s7/],
    ['#hello', /not a replviz scenario link/],
    [`#s1.${'A'.repeat(70000)}`, /too long/],
  ];
  for (const [frag, want] of cases) {
    const page = await open(ctx, `${base}${frag}`);
    const banner = await page.textContent('[data-testid="error-banner"]');
    assert.match(banner, want, frag.slice(0, 30));
    assert.match(banner, /fresh default run/);
    assert.equal((await page.$$('g[data-testid^="node-"]')).length, 5);
    await noProblems(page);
    await page.close();
  }
});

test('keyboard shortcuts drive playback', async () => {
  const page = await open(ctx, `${base}?nodes=5&seed=8`);
  await page.waitForTimeout(300);
  await page.keyboard.press('Space');
  assert.equal(await page.isDisabled('[data-testid="btn-pause"]'), true, 'Space pauses');
  const t0 = await simTime(page);
  const steps = async () => page.$$eval('[data-testid="event-log"] li', (l) => l.length);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  const here = await snapshot(page);
  assert.ok(await simTime(page) >= t0);
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowRight');
  assert.deepEqual(await snapshot(page), here, '← then → returns to the same state');
  await page.keyboard.press('Home');
  assert.equal(await simTime(page), 0);
  await page.keyboard.press('End');
  assert.ok(await simTime(page) >= t0);
  await page.keyboard.press('Space');
  assert.equal(await page.isDisabled('[data-testid="btn-play"]'), true, 'Space plays again');
  await page.keyboard.press('Space');
  // Typing in the seed box is not a shortcut.
  await page.click('[data-testid="seed"]');
  await page.keyboard.press('Space');
  assert.equal(await page.isDisabled('[data-testid="btn-pause"]'), true, 'still paused while typing');
  assert.ok(await steps() > 0);
  await noProblems(page);
  await page.close();
});
