// End-to-end tests of the real systems in the release build: MySQL
// source/replica replication with an orchestrator, Redis replication with
// Sentinel, Kafka's ISR with its controller, Elasticsearch's in-sync
// copies with the master, MongoDB replica sets with rollback, and Cassandra
// quorums with read repair. Each opens
// one of its scenarios and checks its lesson on screen, drives a failover
// through the node menu, and sets a setting under its real name in the
// settings panel (issues 14 and 16).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, nodeStates, waitFor, setRange, noProblems, reach, menu, copyLink } from './harness.mjs';

let server, base, ctx;
before(async () => { ({ server, base } = await serve()); ctx = await launch(); });
after(async () => { await ctx?.close(); server?.close(); });

const lin = '[data-testid="linearizability"]';

test('mysql-async-loss: the orchestrator promotes S2 and the acknowledged x=2 is lost, in amber', async () => {
  const page = await open(ctx, `${base}?preset=mysql-async-loss`);
  assert.deepEqual((await nodeStates(page)).map((n) => n.role), ['source', 'replica', 'replica', 'orchestrator']);
  await reach(page, 6_000_000);
  const roles = await nodeStates(page);
  assert.equal(roles[0].up, false, 'S1 crashed');
  assert.equal(roles[1].role, 'source', 'S2 promoted');
  assert.equal(roles[2].role, 'replica');
  assert.equal(await page.getAttribute(lin, 'data-verdict'), 'lesson');
  const text = await page.textContent(lin);
  assert.match(text, /read x → 1/);
  assert.match(text, /Allowed by "Asynchronous replication: the source answers before any replica has the commit"/);
  // The loss window, counted against the current source.
  assert.match(await page.textContent('[data-testid="lost-writes"]'), /1 acknowledged write is not on S2, the current source \(acknowledged at 600 ms\)/);
  await noProblems(page);
  await page.close();
});

test('mysql: promote a replica by hand; semi-sync switched on in the settings panel, kept on restart', async () => {
  const page = await open(ctx, `${base}?protocol=mysql&nodes=4&seed=3`);
  await page.click('[data-testid="settings"] summary');
  const semi = '[data-testid="setting-rpl_semi_sync_source_enabled"]';
  assert.equal(await page.isChecked(semi), false);
  await page.check(semi);
  await waitFor(page, async () => page.isChecked(semi), 'semi-sync on');
  await page.click('[data-testid="btn-restart"]');
  assert.equal(await page.isChecked(semi), true, 'kept across restart');
  assert.equal(await page.textContent('[data-testid="settings"] summary'), 'Settings (1 changed)');
  await reach(page, 1_000_000);
  assert.match(await page.textContent('[data-testid="details-1"]'), /Rpl_semi_sync_source_status ON/);
  await page.click('[data-testid="btn-play"]');
  await menu(page, 'node-3', 'promote');
  await waitFor(page, async () => (await nodeStates(page))[2].role === 'source', 'S3 becomes a source');
  await noProblems(page);
  await page.close();
});

test('redis-split-brain: S1 is turned into a replica of S2 and its acknowledged writes vanish, in amber', async () => {
  const page = await open(ctx, `${base}?preset=redis-split-brain`);
  assert.deepEqual((await nodeStates(page)).map((n) => n.role), ['master', 'replica', 'replica', 'sentinel', 'sentinel', 'sentinel']);
  await reach(page, 8_000_000);
  const roles = (await nodeStates(page)).map((n) => n.role);
  assert.deepEqual(roles.slice(0, 3), ['replica', 'master', 'replica']);
  assert.equal(await page.getAttribute(lin, 'data-verdict'), 'lesson');
  assert.match(await page.textContent(lin), /read y → nil/);
  assert.match(await page.textContent('[data-testid="lost-writes"]'), /8 acknowledged writes are not on S2, the current master \(acknowledged between 700 ms and 2800 ms\)/);
  // The heal at 4 s: S1 asks PSYNC and gets +FULLRESYNC, flushing its writes.
  await setRange(page, 'timeline', 4_600_000);
  await waitFor(page, async () => /FULLRESYNC/.test(await page.textContent('[data-testid="event-log"]')), '+FULLRESYNC in the event log');
  await noProblems(page);
  await page.close();
});

test('redis: crashing the master makes the sentinels fail over; a refused setting says why and changes nothing', async () => {
  const page = await open(ctx, `${base}?protocol=redis&nodes=6&seed=5`);
  await page.bringToFront();
  await setRange(page, 'speed', 1);
  if (!(await page.isDisabled('[data-testid="btn-play"]'))) await page.click('[data-testid="btn-play"]');
  await menu(page, 'node-1', 'crash');
  await waitFor(page, async () => {
    const s = await nodeStates(page);
    return s.filter((n) => n.up && n.role === 'master').length === 1;
  }, 'a replica promoted by the sentinels');
  // The event log follows a playing run every 100 ms.
  await waitFor(page, async () => /switch-master|ODOWN|odown/i.test(await page.textContent('[data-testid="event-log"]')), 'the failover in the event log');
  // The settings panel: a value out of range is refused with a message.
  await page.click('[data-testid="settings"] summary');
  const backlog = '[data-testid="setting-repl-backlog-size"]';
  assert.equal(await page.inputValue(backlog), '1048576');
  await page.fill(backlog, '3');
  await page.press(backlog, 'Enter');
  await waitFor(page, async () => page.locator('[data-testid="error-banner"]').isVisible(), 'error banner');
  assert.match(await page.textContent('[data-testid="error-banner"]'), /repl-backlog-size = 3 is refused.*Nothing was changed/);
  assert.equal(await page.inputValue(backlog), '1048576', 'the value in force is shown again');
  // A good value starts a new run with it, kept in the link.
  await page.click('[data-testid="settings"] summary').catch(() => {});
  const min = '[data-testid="setting-min-replicas-to-write"]';
  if (!(await page.isVisible(min))) await page.click('[data-testid="settings"] summary');
  await page.fill(min, '1');
  await page.press(min, 'Enter');
  await waitFor(page, async () => (await page.inputValue(min)) === '1', 'min-replicas-to-write = 1');
  const link = await copyLink(page);
  // Escape closes the panel, even from one of its inputs.
  await page.focus(min);
  await page.keyboard.press('Escape');
  await waitFor(page, async () => !(await page.$eval('[data-testid="settings"]', (d) => d.open)), 'panel closed by Escape');
  const page2 = await open(ctx, link);
  await page2.click('[data-testid="settings"] summary');
  assert.equal(await page2.inputValue(min), '1');
  assert.deepEqual(page.problems, []);
  await noProblems(page2);
  await page.close();
  await page2.close();
});

test('redis-wait-not-consensus: writes WAIT confirmed on a replica are lost, and the lesson names WAIT', async () => {
  const page = await open(ctx, `${base}?preset=redis-wait-not-consensus`);
  await reach(page, 6_200_000);
  const roles = (await nodeStates(page)).map((n) => n.role);
  assert.deepEqual(roles.slice(0, 3), ['replica', 'replica', 'master']);
  assert.equal(await page.getAttribute(lin, 'data-verdict'), 'lesson');
  assert.match(await page.textContent(lin), /WAIT is not consensus/);
  // The operator's REPLICAOF NO ONE on a replica: Sentinel turns it back.
  await page.click('[data-testid="btn-play"]');
  await menu(page, 'node-1', 'promote');
  // Both happen within a few simulated ms: read them in the event log.
  const log = async () => page.textContent('[data-testid="event-log"]');
  await waitFor(page, async () => /S1: REPLICAOF NO ONE: master with replid/.test(await log()), 'S1 promoted by hand');
  await waitFor(page, async () => /\+convert-to-slave S1 \(master is S3\)/.test(await log()), 'Sentinel turns S1 back');
  await waitFor(page, async () => (await nodeStates(page))[0].role === 'replica', 'S1 a replica again');
  await noProblems(page);
  await page.close();
});

test('kafka-unclean-election: the ISR shrinks to S1, S2 is elected out of sync and the acks=all write is lost, in amber', async () => {
  const page = await open(ctx, `${base}?preset=kafka-unclean-election`);
  assert.deepEqual((await nodeStates(page)).map((n) => n.role), ['leader', 'follower', 'follower', 'controller']);
  await reach(page, 5_200_000);
  assert.match(await page.textContent('[data-testid="event-log"]'), /ISR shrink 1,2,3 → 1/);
  await reach(page, 9_000_000);
  const roles = (await nodeStates(page)).map((n) => n.role);
  assert.deepEqual(roles, ['follower', 'leader', 'follower', 'controller']);
  assert.equal(await page.getAttribute(lin, 'data-verdict'), 'lesson');
  assert.match(await page.textContent(lin), /read y → nil/);
  assert.match(await page.textContent(lin), /unclean\.leader\.election\.enable=true/);
  assert.match(await page.textContent('[data-testid="lost-writes"]'), /1 acknowledged write is not on S2, the current leader \(acknowledged at 5000 ms\)/);
  // The log panel marks the high watermark under its own name.
  assert.equal(await page.getAttribute('[data-testid="log-2"] [data-testid="commit-mark"]', 'title'), 'high watermark = 1');
  await noProblems(page);
  await page.close();
});

test('kafka: min.insync.replicas set in the settings panel; crashing the followers makes writes fail; the controller is offline-able', async () => {
  const page = await open(ctx, `${base}?protocol=kafka&nodes=4&seed=2`);
  await page.click('[data-testid="settings"] summary');
  for (const name of ['acks', 'min.insync.replicas', 'unclean.leader.election.enable', 'replica.lag.time.max.ms']) {
    assert.equal(await page.locator(`[data-testid="setting-${name}"]`).count(), 1, name);
  }
  // acks takes its negative default back after a change (it was once refused).
  const acks = '[data-testid="setting-acks"]';
  assert.equal(await page.inputValue(acks), '-1');
  for (const v of ['1', '-1']) {
    await page.fill(acks, v);
    await page.press(acks, 'Enter');
    await waitFor(page, async () => (await page.inputValue(acks)) === v, `acks = ${v}`);
  }
  assert.equal(await page.locator('[data-testid="error-banner"]').isVisible(), false, 'no error');
  const min = '[data-testid="setting-min.insync.replicas"]';
  assert.equal(await page.inputValue(min), '1');
  await page.fill(min, '2');
  await page.press(min, 'Enter');
  await waitFor(page, async () => (await page.inputValue(min)) === '2', 'min.insync.replicas = 2');
  await page.keyboard.press('Escape');
  if (!(await page.isDisabled('[data-testid="btn-play"]'))) await page.click('[data-testid="btn-play"]');
  await menu(page, 'node-2', 'crash');
  await menu(page, 'node-3', 'crash');
  await waitFor(page, async () => /ISR 1, partition epoch/.test(await page.textContent('[data-testid="event-log"]')), 'the controller shrinks the ISR to S1');
  await menu(page, 'node-1', 'client-write');
  await waitFor(page, async () => /NOT_ENOUGH_REPLICAS/.test(await page.textContent('[data-testid="event-log"]')), 'NOT_ENOUGH_REPLICAS');
  assert.equal((await nodeStates(page))[3].role, 'controller');
  await noProblems(page);
  await page.close();
});

test('es-replica-cut-stalls-write: the write waits for the cut replica until the master removes it; S2 is then stale', async () => {
  const page = await open(ctx, `${base}?preset=es-replica-cut-stalls-write`);
  assert.deepEqual((await nodeStates(page)).map((n) => n.role), ['primary', 'replica', 'master']);
  await reach(page, 1_000_000);
  // y=2 (request 2) is stalled: not answered while S2 is still in sync.
  assert.doesNotMatch(await page.textContent('[data-testid="event-log"]'), /reply to #2/);
  await reach(page, 2_000_000);
  assert.deepEqual((await nodeStates(page)).map((n) => n.role), ['primary', 'stale', 'master']);
  await reach(page, 6_000_000);
  assert.deepEqual((await nodeStates(page)).map((n) => n.role), ['primary', 'replica', 'master']);
  assert.equal(await page.getAttribute(lin, 'data-verdict'), 'ok');
  // z=3 is below the global checkpoint on both copies, marked under its name.
  assert.equal(await page.getAttribute('[data-testid="log-1"] [data-testid="commit-mark"]', 'title'), 'global checkpoint = 3');
  await noProblems(page);
  await page.close();
});

test('elasticsearch: number_of_replicas in the settings panel; crashing the primary promotes the in-sync replica with term 2', async () => {
  const page = await open(ctx, `${base}?protocol=elasticsearch&nodes=4&seed=3`);
  await page.click('[data-testid="settings"] summary');
  for (const name of ['number_of_replicas', 'wait_for_active_shards']) {
    assert.equal(await page.locator(`[data-testid="setting-${name}"]`).count(), 1, name);
  }
  const reps = '[data-testid="setting-number_of_replicas"]';
  assert.equal(await page.inputValue(reps), '1');
  await page.fill(reps, '2');
  await page.press(reps, 'Enter');
  await waitFor(page, async () => (await page.inputValue(reps)) === '2', 'number_of_replicas = 2');
  await page.keyboard.press('Escape');
  assert.deepEqual((await nodeStates(page)).map((n) => n.role), ['primary', 'replica', 'replica', 'master']);
  if (!(await page.isDisabled('[data-testid="btn-play"]'))) await page.click('[data-testid="btn-play"]');
  await menu(page, 'node-1', 'client-write');
  await menu(page, 'node-1', 'crash');
  // The master removes S1 after three follower-check timeouts (about 30 s): at 10x.
  await setRange(page, 'speed', 1);
  await waitFor(page, async () => (await nodeStates(page))[1].role === 'primary', 'S2 promoted', 30000);
  const s2 = (await nodeStates(page))[1];
  assert.equal(s2.term, 2);
  await noProblems(page);
  await page.close();
});

test('mongodb-w1-rollback: S1 is elected in term 2, S3 rolls back the w:1 write y=2, in amber', async () => {
  const page = await open(ctx, `${base}?preset=mongodb-w1-rollback`);
  assert.deepEqual((await nodeStates(page)).map((n) => n.role), ['secondary', 'secondary', 'secondary']);
  await reach(page, 6_000_000);
  const nodes = await nodeStates(page);
  assert.deepEqual(nodes.map((n) => [n.role, n.term]), [['primary', 2], ['secondary', 2], ['secondary', 2]]);
  assert.match(await page.textContent('[data-testid="event-log"]'), /S3 enters ROLLBACK: its oplog diverged from S1's after ts 2; 1 writes go to rollback\/removed\.bson/);
  assert.equal(await page.getAttribute(lin, 'data-verdict'), 'lesson');
  const allowed = /Allowed by "w:1 \(or a minority w\): the primary answers before a majority has the write; it rolls back on failover"/;
  assert.match(await page.textContent(lin), /read y → nil/);
  const lost = await page.textContent('[data-testid="lost-writes"]');
  assert.match(lost, /1 acknowledged write is not on S1, the current primary \(acknowledged at 1501 ms\)/);
  assert.match(lost, allowed);
  await noProblems(page);
  await page.close();
});

test('mongodb: w set to majority in the settings panel; crashing the primary elects another in a higher term, no write lost', async () => {
  const page = await open(ctx, `${base}?protocol=mongodb&nodes=3&seed=2`);
  await page.click('[data-testid="settings"] summary');
  for (const name of ['w', 'wtimeout', 'readConcern', 'readPreference']) {
    assert.equal(await page.locator(`[data-testid="setting-${name}"]`).count(), 1, name);
  }
  const w = '[data-testid="setting-w"]';
  await page.fill(w, '1');
  await page.press(w, 'Enter');
  await waitFor(page, async () => (await page.inputValue(w)) === '1', 'w = 1');
  await page.fill(w, 'majority');
  await page.press(w, 'Enter');
  await waitFor(page, async () => (await page.inputValue(w)) === 'majority', 'w = majority');
  // A word the system does not take is refused, and nothing changes.
  await page.fill(w, 'most');
  await page.press(w, 'Enter');
  await waitFor(page, async () => (await page.inputValue(w)) === 'majority', 'w still majority');
  assert.match(await page.textContent('[data-testid="error-banner"]'), /w = most is refused/);
  await page.keyboard.press('Escape');
  if (!(await page.isDisabled('[data-testid="btn-play"]'))) await page.click('[data-testid="btn-play"]');
  // Elections take electionTimeoutMillis (1 s here) after the first heartbeats.
  await waitFor(page, async () => (await nodeStates(page)).some((n) => n.role === 'primary'), 'a primary', 30000);
  const first = (await nodeStates(page)).findIndex((n) => n.role === 'primary');
  const term = (await nodeStates(page))[first].term;
  await menu(page, `node-${first + 1}`, 'client-write');
  await menu(page, `node-${first + 1}`, 'crash');
  await waitFor(page, async () => (await nodeStates(page)).some((n, i) => i !== first && n.role === 'primary' && n.term > term),
    'another primary in a higher term', 30000);
  assert.equal(await page.locator('[data-testid="lost-writes"]').count() === 0
    || !/not on/.test(await page.textContent('[data-testid="lost-writes"]')), true, 'no acknowledged write lost under w:majority');
  await noProblems(page);
  await page.close();
});

test('mongodb-stale-secondary-read: S1 answers the stale 1; with the causalConsistency switch on it holds the read until it has caught up and answers 2', async () => {
  const page = await open(ctx, `${base}?preset=mongodb-stale-secondary-read`);
  const log = () => page.textContent('[data-testid="event-log"]');
  await reach(page, 2_000_000);
  assert.match(await log(), /S1 answers read #3: 1\b/);
  await page.click('[data-testid="settings"] summary');
  const box = '[data-testid="flag-causalConsistency"]';
  assert.equal(await page.isChecked(box), false);
  await page.click(box);
  await waitFor(page, async () => /Settings changed since/.test(await page.textContent('[data-testid="scenario-about"]')), 'the rerun');
  await page.keyboard.press('Escape');
  await reach(page, 2_000_000);
  assert.match(await log(), /S1 holds the read: afterClusterTime 3 is past what it has applied \(2\)/);
  assert.doesNotMatch(await log(), /S1 answers read #3/);
  assert.match(await page.textContent('[data-testid="details-1"]'), /1 read\(s\) held for afterClusterTime/);
  await reach(page, 2_800_000);
  assert.match(await log(), /S1 answers read #3: 2\b/);
  await noProblems(page);
  await page.close();
});

test('mongodb-bully-vs-pv1: the textbook Bully switch loses two majority writes (amber); switched off, the same script elects by protocol version 1 and keeps them', async () => {
  const page = await open(ctx, `${base}?preset=mongodb-bully-vs-pv1`);
  await reach(page, 5_000_000);
  const log = () => page.textContent('[data-testid="event-log"]');
  await waitFor(page, async () => /S2 enters ROLLBACK/.test(await log()), 'the rollbacks in the event log');
  const text = await log();
  assert.match(text, /S3: no ANSWER from a higher id; it is coordinator \(primary\), as t3/);
  assert.match(text, /S2 steps down: S3 has a higher id/);
  assert.match(text, /S1 enters ROLLBACK: its oplog diverged from S3's after ts 0; 2 writes go to rollback\/removed\.bson/);
  assert.deepEqual((await nodeStates(page)).map((n) => n.role), ['secondary', 'secondary', 'primary']);
  assert.equal(await page.getAttribute(lin, 'data-verdict'), 'lesson');
  const lost = await page.textContent('[data-testid="lost-writes"]');
  assert.match(lost, /2 acknowledged writes are not on S3, the current primary/);
  assert.match(lost, /Allowed by "the textbook Bully election \(not MongoDB\)/);
  assert.equal(await page.getAttribute('[data-testid="invariants"]', 'data-violations'), '0', 'a lesson, not a violation');
  // The switch, through the settings panel: off is MongoDB's own election.
  await page.click('[data-testid="settings"] summary');
  const flag = '[data-testid="flag-bully"]';
  assert.equal(await page.isChecked(flag), true);
  await page.click(flag);
  await waitFor(page, async () => !(await page.isChecked(flag)), 'the switch off');
  await page.keyboard.press('Escape');
  // A settings change runs the same scenario again under the new setting:
  // protocol version 1 elects S2 in term 1 (a dry run first), S3 comes back
  // as a secondary and catches up, and nothing rolls back.
  await reach(page, 5_000_000);
  const fresh = await log();
  assert.match(fresh, /dry run in term 0/);
  assert.match(fresh, /S2 is elected primary of term 1/);
  assert.deepEqual((await nodeStates(page)).map((n) => n.role), ['secondary', 'primary', 'secondary']);
  assert.equal(await page.locator('[data-testid="lost-writes"]').isVisible(), false, 'no acknowledged write lost');
  assert.match(await page.textContent('[data-testid="scenario-about"]'), /Settings changed since/);
  assert.doesNotMatch(fresh, /ROLLBACK|Bully/);
  await noProblems(page);
  await page.close();
});

test('mongodb: priorities typed in the settings panel; the member of priority 2 takes over once caught up', async () => {
  const page = await open(ctx, `${base}?protocol=mongodb&nodes=3&seed=1`);
  // The system's explanation and the settings' hints are fetched texts (not in the bundle).
  assert.match(await page.textContent('[data-testid="scenario-about"]'), /A replica set, protocol version 1/);
  await page.click('[data-testid="settings"] summary');
  const p = '[data-testid="setting-priority"]';
  assert.match(await page.locator(p).evaluate((el) => el.parentElement.title), /priorit/i);
  assert.equal(await page.inputValue(p), '', 'unset: every member has priority 1');
  // Not a list of 0 to 1000: refused, nothing changes.
  await page.fill(p, '1,high');
  await page.press(p, 'Enter');
  await waitFor(page, async () => /priority = 1,high is refused/.test(await page.textContent('[data-testid="error-banner"]')), 'the refusal');
  assert.equal(await page.inputValue(p), '');
  await page.fill(p, '2,1,1');
  await page.press(p, 'Enter');
  await waitFor(page, async () => (await page.inputValue(p)) === '2,1,1', 'priority = 2,1,1');
  await page.keyboard.press('Escape');
  if (!(await page.isDisabled('[data-testid="btn-play"]'))) await page.click('[data-testid="btn-play"]');
  // Whoever is elected first, S1 (priority 2) ends up primary, and says why.
  await waitFor(page, async () => (await nodeStates(page))[0].role === 'primary', 'S1 primary', 30000);
  assert.match(await page.textContent('[data-testid="details-1"]'), /priority 2/);
  await noProblems(page);
  await page.close();
});

test('cassandra-stale-read: ONE/ONE reads nothing at S3 (amber, R + W <= RF); QUORUM/QUORUM typed in the settings panel repairs S3 by last write wins', async () => {
  const page = await open(ctx, `${base}?preset=cassandra-stale-read`);
  // Leaderless: every node is a replica until it coordinates a request.
  assert.deepEqual((await nodeStates(page)).map((n) => n.role), ['replica', 'replica', 'replica']);
  await reach(page, 2_500_000);
  assert.ok((await nodeStates(page)).every((n) => n.role !== 'leader'), 'no leader in a leaderless system');
  assert.match(await page.textContent('[data-testid="event-log"]'), /S1 answers request #1/);
  assert.equal(await page.getAttribute(lin, 'data-verdict'), 'lesson');
  assert.match(await page.textContent(lin), /read x → nil/);
  assert.match(await page.textContent(lin), /R \+ W <= RF/);
  assert.doesNotMatch(await page.textContent('[data-testid="details-3"]'), /x=1/);
  await page.click('[data-testid="settings"] summary');
  for (const [name, value] of [['write_consistency', 'QUORUM'], ['read_consistency', 'QUORUM']]) {
    const input = `[data-testid="setting-${name}"]`;
    await page.fill(input, value);
    await page.press(input, 'Enter');
    await waitFor(page, async () => (await page.inputValue(input)) === value, `${name} = ${value}`);
  }
  await page.keyboard.press('Escape');
  await reach(page, 3_000_000);
  const log = await page.textContent('[data-testid="event-log"]');
  assert.match(log, /S3: digest mismatch/);
  assert.match(log, /S3: last write wins: x=1/);
  assert.notEqual(await page.getAttribute(lin, 'data-verdict'), 'violation');
  assert.equal(await page.getAttribute('[data-testid="invariants"]', 'data-violations'), '0');
  // Anti-entropy from the node menu.
  await menu(page, 'node-2', 'repair');
  await page.click('[data-testid="btn-step"]');
  await noProblems(page);
  await page.close();
});
