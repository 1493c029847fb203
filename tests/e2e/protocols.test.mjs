// End-to-end tests of Multi-Paxos, two-phase commit and Zab in the release
// build: pick the protocol in the picker, run it, crash a node through the
// node menu, and see the expected outcome in the DOM. data-role values per
// protocol are documented in the README.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, nodeStates, waitFor, setRange, noProblems, reach, menu } from './harness.mjs';

let server, base, ctx;
before(async () => { ({ server, base } = await serve()); ctx = await launch(); });
after(async () => { await ctx?.close(); server?.close(); });

/** Open the default page and switch protocol through the picker. */
async function pick(protocol, query = 'nodes=5&seed=7') {
  const page = await open(ctx, `${base}?${query}`);
  await page.bringToFront();
  await page.selectOption('[data-testid="protocol-picker"]', protocol);
  await waitFor(page, async () => (await page.inputValue('[data-testid="protocol-picker"]')) === protocol, 'picker value');
  await setRange(page, 'speed', 1);
  if (!(await page.isDisabled('[data-testid="btn-play"]'))) await page.click('[data-testid="btn-play"]');
  return page;
}

async function only(page, role) {
  return waitFor(page, async () => {
    const l = (await nodeStates(page)).filter((n) => n.up && n.role === role);
    return l.length === 1 ? l[0] : null;
  }, `exactly one ${role}`);
}

/** The marks of a node's transaction/slot boxes in the log panel. */
async function entries(page, n) {
  return page.$$eval(`[data-testid="log-${n}"] .rv-entry`, (els) => els.map((e) => ({
    mark: e.dataset.mark, committed: e.dataset.committed === 'true', text: e.textContent,
  })));
}

test('protocol picker and ?protocol= offer every protocol', async () => {
  const page = await open(ctx, `${base}?protocol=zab`);
  const values = await page.$$eval('[data-testid="protocol-picker"] option', (o) => o.map((x) => x.value));
  assert.deepEqual(values, ['raft', 'paxos', '2pc', 'zab', 'mysql', 'redis', 'kafka', 'elasticsearch', 'mongodb', 'cassandra']);
  assert.equal(await page.inputValue('[data-testid="protocol-picker"]'), 'zab');
  assert.match(await page.textContent('[data-testid="subtitle"]'), /Zab/);
  // Protocol settings offered as switches in the Settings panel: ZooKeeper's
  // local reads and sync-then-read for Zab (off), "retry at once" for Paxos.
  await page.click('[data-testid="settings"] summary');
  assert.equal(await page.locator('[data-testid^="flag-"]').count(), 2);
  assert.equal(await page.isChecked('[data-testid="flag-zk-local-reads"]'), false);
  assert.equal(await page.isChecked('[data-testid="flag-zk-sync-reads"]'), false);
  await page.selectOption('[data-testid="protocol-picker"]', 'paxos');
  await waitFor(page, async () => (await page.locator('[data-testid="flag-retry-at-once"]').count()) === 1, 'paxos switch');
  assert.equal(await page.isChecked('[data-testid="flag-retry-at-once"]'), false);
  await page.check('[data-testid="flag-retry-at-once"]');
  assert.equal(await page.isChecked('[data-testid="flag-retry-at-once"]'), true);
  await page.click('[data-testid="btn-restart"]');
  assert.equal(await page.isChecked('[data-testid="flag-retry-at-once"]'), true, 'kept across restart');
  const bad = await open(ctx, `${base}?protocol=viewstamped`);
  assert.match(await bad.textContent('[data-testid="error-banner"]'), /Unknown protocol "viewstamped"/);
  await noProblems(page);
  await page.close();
  await bad.close();
});

test('paxos: a leader emerges; crashing it makes another node win a higher ballot', async () => {
  const page = await pick('paxos');
  const old = await only(page, 'leader');
  await menu(page, old.id, 'client-write');
  await waitFor(page, async () => (await entries(page, old.id.split('-')[1])).some((e) => e.committed), 'a chosen slot');
  await menu(page, old.id, 'crash');
  const neu = await waitFor(page, async () => {
    const l = (await nodeStates(page)).filter((n) => n.up && n.role === 'leader');
    return l.length === 1 && l[0].id !== old.id ? l[0] : null;
  }, 'a new leader');
  assert.ok(neu.term > old.term, `ballot round ${neu.term} > ${old.term}`);
  // The slot chosen before the crash is still chosen at the new leader.
  const e = await entries(page, neu.id.split('-')[1]);
  assert.ok(e[0].committed, JSON.stringify(e));
  await noProblems(page);
  await page.close();
});

test('2pc: a NO vote aborts; a coordinator crash after prepare blocks participants until it returns', async () => {
  const page = await pick('2pc', 'nodes=4&seed=2');
  const roles = (await nodeStates(page)).map((n) => n.role);
  assert.deepEqual(roles, ['coordinator', 'participant', 'participant', 'participant']);
  // Commit.
  await menu(page, 'node-1', 'client-write');
  await waitFor(page, async () => (await entries(page, 4)).some((e) => e.committed), 'T1 committed at S4');
  // S3 votes no: abort everywhere.
  await menu(page, 'node-3', 'toggle');
  await menu(page, 'node-1', 'client-write');
  await waitFor(page, async () => (await entries(page, 2)).filter((e) => e.mark === 'aborted').length === 1, 'T2 aborted at S2');
  await menu(page, 'node-3', 'toggle');
  // Blocking: pause, request, step until every participant is prepared, crash S1.
  await page.click('[data-testid="btn-pause"]');
  await menu(page, 'node-1', 'client-write');
  await waitFor(page, async () => {
    await page.click('[data-testid="btn-step"]');
    const all = await Promise.all([2, 3, 4].map((n) => entries(page, n)));
    return all.every((e) => e.length === 3 && e[2].mark === 'prepared');
  }, 'all participants prepared', 30000);
  await menu(page, 'node-1', 'crash');
  await page.click('[data-testid="btn-play"]');
  const t0 = Number(await page.getAttribute('[data-testid="sim-time"]', 'data-us'));
  await waitFor(page, async () => Number(await page.getAttribute('[data-testid="sim-time"]', 'data-us')) > t0 + 2_000_000, '2 s later');
  for (const n of [2, 3, 4]) {
    assert.equal((await entries(page, n))[2].mark, 'prepared', `S${n} still blocked`);
    assert.match(await page.textContent(`[data-testid="details-${n}"]`), /lock [a-z] held by T3/);
  }
  await menu(page, 'node-1', 'restart');
  await waitFor(page, async () => {
    const all = await Promise.all([2, 3, 4].map((n) => entries(page, n)));
    return all.every((e) => e[2].mark === 'aborted');
  }, 'presumed abort releases them');
  await noProblems(page);
  await page.close();
});

test('zab: crashing the leader leads to a new epoch with a new leader', async () => {
  const page = await pick('zab');
  // A leader is `leading` from its election on; it takes requests, and its
  // term is its new epoch, once it has established that epoch (the
  // broadcast phase).
  const established = async (node) => (await page.textContent(`[data-testid="details-${node.id.split('-')[1]}"]`)).includes('phase: broadcast');
  const first = await only(page, 'leading');
  await waitFor(page, () => established(first), 'the leader in the broadcast phase');
  const old = (await nodeStates(page)).find((x) => x.id === first.id);
  await menu(page, old.id, 'client-write');
  await waitFor(page, async () => {
    const f = (await nodeStates(page)).find((n) => n.role === 'following');
    return f && (await entries(page, f.id.split('-')[1])).some((e) => e.committed);
  }, 'a delivered transaction at a follower');
  await menu(page, old.id, 'crash');
  const neu = await waitFor(page, async () => {
    const l = (await nodeStates(page)).filter((n) => n.up && n.role === 'leading');
    return l.length === 1 && l[0].id !== old.id && l[0].term > old.term && await established(l[0]) ? l[0] : null;
  }, 'a new leader that established a higher epoch');
  const following = (await nodeStates(page)).filter((n) => n.up && n.role === 'following');
  assert.ok(following.length >= 2, JSON.stringify(following));
  const e = await entries(page, neu.id.split('-')[1]);
  assert.ok(e[0].committed, JSON.stringify(e));
  await noProblems(page);
  await page.close();
});

test('a stale read under local reads shows as the lesson, in amber; seeking back clears it', async () => {
  const page = await open(ctx, `${base}?preset=raft-stale-read`);
  await reach(page, 1_400_000);
  const lin = '[data-testid="linearizability"]';
  assert.equal(await page.getAttribute(lin, 'data-verdict'), 'lesson');
  const text = await page.textContent(lin);
  assert.match(text, /read x → 1 by request #3/);
  assert.match(text, /Allowed by "Reads answered locally by any server"/);
  // Not a violation: the card still says the safety checks hold.
  assert.equal(await page.getAttribute('[data-testid="invariants"]', 'data-violations'), '0');
  // The history panel draws the four requests and outlines the stale read.
  assert.equal(await page.getAttribute('[data-testid="history"]', 'data-anomalies'), '1');
  const bad = page.locator('[data-testid="op"][data-anomaly="stale-read"]');
  assert.equal(await bad.count(), 1);
  assert.equal(await bad.getAttribute('data-f'), 'read');
  assert.equal(await bad.getAttribute('data-client'), 'you');
  assert.equal(await bad.getAttribute('data-expected'), 'true');
  assert.match(await bad.textContent(), /read x → 1 by request #3/);
  assert.equal(await page.locator('[data-testid="op"]').count(), 4);
  // Before the stale read the history is linearizable.
  await setRange(page, 'timeline', 1_100_000);
  await waitFor(page, async () => (await page.getAttribute(lin, 'data-verdict')) === 'ok', 'linearizable before the read');
  await noProblems(page);
  await page.close();
});
