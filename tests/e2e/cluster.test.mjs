// End-to-end tests of the release build in headless Chromium. Every click
// goes through the real UI; every test also asserts that the page logged no
// console error and showed no panic banner.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, nodeStates, simTime, waitFor, setRange, noProblems, copyLink } from './harness.mjs';

let server, base, ctx;
before(async () => { ({ server, base } = await serve()); ctx = await launch(); });
after(async () => { await ctx?.close(); server?.close(); });

async function leaders(page) {
  return (await nodeStates(page)).filter((n) => n.up && n.role === 'leader');
}

async function oneLeader(page) {
  // At most one leader per term (Election Safety): wait until exactly one node is leader.
  return waitFor(page, async () => { const l = await leaders(page); return l.length === 1 ? l[0] : null; }, 'exactly one leader');
}

test('page loads without errors and elects exactly one leader', async () => {
  const page = await open(ctx, `${base}?nodes=5&seed=42`);
  assert.equal((await nodeStates(page)).length, 5);
  await setRange(page, 'speed', 1);
  const l = await oneLeader(page);
  assert.ok(l.term >= 1);
  assert.ok(await simTime(page) > 0);
  await noProblems(page);
  await page.close();
});

test('crashing the leader through the UI elects a new leader with a higher term', async () => {
  const page = await open(ctx, `${base}?nodes=5&seed=7`);
  await setRange(page, 'speed', 1);
  const old = await oneLeader(page);
  await page.click(`[data-testid="${old.id}"]`);
  await page.click('[data-testid="action-crash"]');
  await waitFor(page, async () => (await nodeStates(page)).find((n) => n.id === old.id)?.up === false, 'crashed node shown down');
  const neu = await waitFor(page, async () => {
    const l = await leaders(page);
    return l.length === 1 && l[0].id !== old.id ? l[0] : null;
  }, 'a new leader');
  assert.ok(neu.term > old.term, `new term ${neu.term} > old term ${old.term}`);
  // Restart brings the old leader back as a follower of the new term.
  await page.click(`[data-testid="${old.id}"]`);
  await page.click('[data-testid="action-restart"]');
  await waitFor(page, async () => {
    const n = (await nodeStates(page)).find((x) => x.id === old.id);
    return n.up && n.role === 'follower' && n.term >= neu.term;
  }, 'old leader rejoins as follower');
  await noProblems(page);
  await page.close();
});

test('cutting a link drops the messages on it', async () => {
  const page = await open(ctx, `${base}?nodes=3&seed=3`);
  await setRange(page, 'speed', 1);
  const l = await oneLeader(page);
  const id = Number(l.id.split('-')[1]);
  const other = id === 1 ? 2 : 1;
  const [a, b] = [Math.min(id, other), Math.max(id, other)];
  await page.click(`[data-testid="link-${a}-${b}"]`);
  await page.click('[data-testid="action-cut-both"]');
  assert.equal(await page.getAttribute(`[data-testid="link-${a}-${b}"]`, 'data-state'), 'cut');
  // Back to 1x so each dropped message stays on screen for a while.
  await setRange(page, 'speed', 0);
  // Messages keep flowing on the cut link (heartbeats one way, votes the
  // other once the cut-off follower times out), and the network drops them.
  const droppedMsg = page.locator(
    `[data-testid="msg"][data-state="dropped"][data-from="${id}"][data-to="${other}"], ` +
    `[data-testid="msg"][data-state="dropped"][data-from="${other}"][data-to="${id}"]`);
  // A screen reader hears its fate, not only its colour: its title says so.
  await waitFor(page, async () => (await droppedMsg.locator('title').allTextContents()).some((t) => / \(dropped\)$/.test(t)),
    'a dropped message on the cut link, its title saying so');
  // The dot shows a doomed message as dropped from its send; the event log
  // says so when it is lost, half a latency later.
  await waitFor(page, async () => /dropped \(link cut\)/.test(await page.textContent('[data-testid="event-log"]')), 'the drop in the event log');
  // One-way cut and heal.
  await page.click(`[data-testid="link-${a}-${b}"]`);
  await page.click('[data-testid="action-heal"]');
  assert.equal(await page.getAttribute(`[data-testid="link-${a}-${b}"]`, 'data-state'), 'up');
  await page.click(`[data-testid="link-${a}-${b}"]`);
  await page.click(`[data-testid="action-cut-${a}-${b}"]`);
  assert.equal(await page.getAttribute(`[data-testid="link-${a}-${b}"]`, 'data-state'), `cut-${a}-${b}`);
  await page.click('[data-testid="btn-heal-all"]');
  assert.equal(await page.getAttribute(`[data-testid="link-${a}-${b}"]`, 'data-state'), 'up');
  await noProblems(page);
  await page.close();
});

test('a client request at the leader becomes committed on a majority', async () => {
  const page = await open(ctx, `${base}?nodes=5&seed=11`);
  await setRange(page, 'speed', 1);
  const l = await oneLeader(page);
  const leaderId = Number(l.id.split('-')[1]);
  const before = Number(await page.getAttribute(`[data-testid="log-${leaderId}"]`, 'data-len'));
  await page.click(`[data-testid="${l.id}"]`);
  await page.click('[data-testid="action-client-write"]');
  const index = before + 1;
  await waitFor(page, async () => {
    const commits = await page.$$eval('[data-testid^="log-"]', (els) => els.map((e) => Number(e.getAttribute('data-commit'))));
    return commits.filter((c) => c >= index).length >= 3;
  }, 'entry committed on a majority');
  // The event log follows a playing run every 100 ms.
  await waitFor(page, async () => /answers request #1: committed at index/.test(await page.textContent('[data-testid="event-log"]')), 'the answer in the event log');
  // A request at a follower is refused with a hint, and the refusal is shown.
  const follower = (await nodeStates(page)).find((n) => n.role === 'follower' && n.up);
  await page.click(`[data-testid="${follower.id}"]`);
  await page.click('[data-testid="action-client-write"]');
  await waitFor(page, async () => /refuses request #2: not the leader/.test(await page.textContent('[data-testid="event-log"]')), 'refusal shown');
  await noProblems(page);
  await page.close();
});

test('a client read at the leader goes through the log and answers the value written', async () => {
  const page = await open(ctx, `${base}?nodes=3&seed=5`);
  await setRange(page, 'speed', 1);
  const l = await oneLeader(page);
  await page.click(`[data-testid="${l.id}"]`);
  await page.click('[data-testid="action-client-write"]'); // x=1
  await waitFor(page, async () => /answers request #1: committed/.test(await page.textContent('[data-testid="event-log"]')), 'the write committed');
  await page.click(`[data-testid="${l.id}"]`);
  assert.match(await page.textContent('[data-testid="action-client-read"]'), /read x/);
  await page.click('[data-testid="action-client-read"]');
  await waitFor(page, async () => /answers read #2: 1 \(read at index \d+\)/.test(await page.textContent('[data-testid="event-log"]')), 'the read answered x = 1');
  // 2PC offers no reads.
  await page.selectOption('[data-testid="protocol-picker"]', '2pc');
  await page.click('[data-testid="node-2"]');
  assert.equal(await page.$('[data-testid="action-client-read"]'), null);
  await noProblems(page);
  await page.close();
});

test('pause, step and timeout controls work', async () => {
  const page = await open(ctx, `${base}?nodes=3&seed=5`);
  await page.click('[data-testid="btn-pause"]');
  const t0 = await simTime(page);
  await page.waitForTimeout(300);
  assert.equal(await simTime(page), t0, 'paused time stands still');
  await page.click('[data-testid="btn-step"]');
  await page.click('[data-testid="btn-step"]');
  assert.ok(await simTime(page) >= t0);
  const before = (await nodeStates(page)).find((n) => n.id === 'node-2');
  await page.click('[data-testid="node-2"]');
  await page.click('[data-testid="action-timeout"]');
  const n2 = (await nodeStates(page)).find((n) => n.id === 'node-2');
  assert.equal(n2.role, 'candidate');
  assert.equal(n2.term, before.term + 1, 'a forced timeout starts an election in the next term (§5.2)');
  await noProblems(page);
  await page.close();
});

test('bad input gets a clear message and a sane default, never a panic', async () => {
  const page = await open(ctx, `${base}?nodes=42&seed=banana&bogus=1`);
  const banner = await page.textContent('[data-testid="error-banner"]');
  assert.match(banner, /Node count 42 is out of range/);
  assert.match(banner, /Seed "banana" is not a whole number/);
  assert.match(banner, /Unknown parameter "bogus"/);
  assert.equal((await nodeStates(page)).length, 5, 'default node count');
  await page.fill('[data-testid="node-count"]', '0');
  await page.press('[data-testid="node-count"]', 'Enter');
  assert.match(await page.textContent('[data-testid="error-banner"]'), /out of range/);
  await page.fill('[data-testid="seed"]', '-3');
  await page.press('[data-testid="seed"]', 'Enter');
  assert.match(await page.textContent('[data-testid="error-banner"]'), /not a whole number/);
  await page.fill('[data-testid="node-count"]', '7');
  await page.fill('[data-testid="seed"]', '99');
  await page.press('[data-testid="seed"]', 'Enter');
  assert.equal((await nodeStates(page)).length, 7);
  assert.equal(page.problems.length, 0, page.problems.join('\n'));
  assert.equal(await page.locator('[data-testid="panic-banner"]').count(), 0);
  await page.close();
});

test('simulated clients fill a history that stays linearizable under Raft', async () => {
  const page = await open(ctx, `${base}?nodes=5&seed=3`);
  await page.fill('[data-testid="clients"]', '3');
  await page.press('[data-testid="clients"]', 'Enter');
  await page.dispatchEvent('[data-testid="clients"]', 'change');
  await setRange(page, 'speed', 1);
  await waitFor(page, async () => Number(await page.getAttribute('[data-testid="linearizability"]', 'data-ops')) >= 12, 'a dozen client operations');
  assert.equal(await page.getAttribute('[data-testid="linearizability"]', 'data-verdict'), 'ok');
  // A fifth of their writes are compare-and-sets from the value they last saw.
  // The diagram is redrawn while playing only when it is on screen, as
  // for someone looking at it: scroll the side column down to it.
  await page.locator('[data-testid="history"]').scrollIntoViewIfNeeded();
  await waitFor(page, async () => (await page.$$('[data-testid="op"][data-f="cas"]')).length > 0, 'a compare-and-set');
  // Each client has its lane of bars in the history panel.
  const clients = await page.$$eval('[data-testid="op"]', (els) => [...new Set(els.map((e) => e.getAttribute('data-client')))].sort());
  assert.deepEqual(clients, ['C1', 'C2', 'C3']);
  assert.equal(await page.getAttribute('[data-testid="history"]', 'data-anomalies'), '0');
  // The event log follows a playing run every 100 ms.
  await waitFor(page, async () => /C\d sends request #\d+ \((read x|x=10\d\d)\) to S\d/.test(await page.textContent('[data-testid="event-log"]')), 'a client request in the event log');
  // The link carries the workload.
  const url = await copyLink(page);
  const page2 = await open(ctx, url);
  assert.equal(await page2.inputValue('[data-testid="clients"]'), '3');
  await noProblems(page);
  await noProblems(page2);
  await page.close();
  await page2.close();
});

test('a client cut off from every server through its menu gets no answer; heal all gives it back', async () => {
  const page = await open(ctx, `${base}?nodes=5&seed=3`);
  await page.fill('[data-testid="clients"]', '2');
  await page.press('[data-testid="clients"]', 'Enter');
  await page.dispatchEvent('[data-testid="clients"]', 'change');
  assert.equal(await page.getAttribute('[data-testid="client-1"]', 'data-up'), 'true');
  for (let s = 1; s <= 5; s++) {
    await page.click('[data-testid="client-1"]');
    await page.click(`[data-testid="action-client-link-${s}"]`);
  }
  assert.equal(await page.getAttribute('[data-testid="link-c1-3"]', 'data-state'), 'cut');
  assert.equal(await page.getAttribute('[data-testid="link-c2-3"]', 'data-state'), 'up');
  assert.equal(await page.getAttribute('[data-testid="client-1"]', 'data-up'), 'false');
  // A click on one of C2's links, or a right click on C2, opens C2's menu
  // (the link's title says so); the Close button closes it.
  // (The link's click is dispatched on it: other lines cross its middle.)
  const opens = [() => page.dispatchEvent('[data-testid="link-c2-3"] .rv-link-hit', 'click'), () => page.click('[data-testid="client-2"]', { button: 'right' })];
  for (const [i, act] of opens.entries()) {
    await act();
    assert.equal(await page.textContent('[data-testid="menu"] .rv-menu-title'), 'Client C2', `way ${i}`);
    assert.equal(await page.textContent('[data-testid="action-client-link-3"]'), 'Cut link to S3');
    await page.click('[data-testid="menu"] .rv-menu-close');
    assert.equal(await page.$('[data-testid="menu"]'), null);
  }
  await setRange(page, 'speed', 10);
  // C1's requests are lost on the way: it gives up (no answer, amber), and
  // the event log says why; C2 is answered all along (in the diagram, on
  // screen).
  await page.locator('[data-testid="history"]').scrollIntoViewIfNeeded();
  await waitFor(page, async () => (await page.$$('[data-testid="op"][data-client="C1"][data-type="info"]')).length >= 2, 'two unanswered C1 operations');
  // The event log follows a playing run every 100 ms.
  await waitFor(page, async () => /C1's request #\d+ to S\d is lost \(link cut\)/.test(await page.textContent('[data-testid="event-log"]')), 'the lost request in the event log');
  assert.ok((await page.$$('[data-testid="op"][data-client="C2"][data-type="ok"]')).length >= 1);
  await page.click('[data-testid="btn-heal-all"]');
  assert.equal(await page.getAttribute('[data-testid="client-1"]', 'data-up'), 'true');
  await waitFor(page, async () => {
    const ok = await page.$$eval('[data-testid="op"][data-client="C1"]', (els) => els.map((e) => e.getAttribute('data-type')));
    return ok.at(-1) === 'ok';
  }, 'C1 answered again');
  await noProblems(page);
  await page.close();
});

/** A scenario link made here as the app makes them (`s1.` + base64url of
 * raw-deflated JSON): 9 Raft servers (seed 5, S9 leads by 0.5 s) and a
 * write at S9 every 2.5 ms from 0.5 s to 2 s, opened paused at `at` µs.
 * Actions float (`step` u64::MAX, written as text: a JS number would round). */
async function loadLink(at) {
  const { deflateRawSync } = await import('node:zlib');
  const acts = [];
  for (let i = 0, t = 500_000; t < 2_000_000; i += 1, t += 2_500) {
    acts.push(`{"step":18446744073709551615,"t":${t},"do":"request","node":9,"cmd":{"key":${i % 3},"value":${i + 1}}}`);
  }
  const json = `{"s":{"v":2,"protocol":"raft","nodes":9,"seed":5,"actions":[${acts.join(',')}]},"at":${at}}`;
  return `s1.${deflateRawSync(Buffer.from(json)).toString('base64url')}`;
}

test('under heavy traffic (more than 64 messages in flight) messages are dots without labels; light traffic keeps its labels', async () => {
  const count = (page) => page.evaluate(() => {
    // Labelled messages, and dots (one path per look, data-n of them).
    const msgs = [...document.querySelectorAll('[data-testid="msg"]')];
    const dots = [...document.querySelectorAll('[data-testid="msg-dots"]')].reduce((k, d) => k + Number(d.dataset.n), 0);
    return { all: msgs.length + dots, labelled: msgs.filter((m) => m.querySelector('text')).length, dots };
  });
  const heavy = await open(ctx, `${base}#${await loadLink(1_200_000)}`);
  await waitFor(heavy, async () => (await count(heavy)).all > 64, 'more than 64 messages in flight at 1.2 s');
  const h = await count(heavy);
  assert.equal(h.labelled, 0, 'no labels under heavy traffic');
  assert.equal(h.dots, h.all, 'every message a dot');
  // Each path draws its dots as circles of radius 8: two arcs a dot.
  const arcs = await heavy.$$eval('[data-testid="msg-dots"]', (ps) => ps.map((p) => [Number(p.dataset.n), (p.getAttribute('d').match(/a8 8 /g) ?? []).length]));
  for (const [n, a] of arcs) assert.equal(a, 2 * n, `a path of ${n} dots`);
  await noProblems(heavy);
  await heavy.close();
  const light = await open(ctx, `${base}#${await loadLink(3_000_000)}`);
  await waitFor(light, async () => (await count(light)).all > 0, 'heartbeats in flight at 3 s');
  const c = await count(light);
  assert.ok(c.all <= 64, `light traffic at 3 s (${c.all} in flight)`);
  assert.equal(c.labelled, c.all, 'every message labelled');
  assert.equal(c.dots, 0, 'no dots under light traffic');
  await noProblems(light);
  await light.close();
});
