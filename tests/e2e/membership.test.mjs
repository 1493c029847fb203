// End-to-end test of Raft membership changes (issue 13) through the real
// UI: servers outside the configuration are drawn off the ring as
// non-voters, "Add server" brings one in (it catches up first), and a
// node's "Remove from the cluster" takes the leader out; the ring re-lays
// out each time and the log shows the configuration entries.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, reach, simTime, waitFor, noProblems } from './harness.mjs';

let server, base, ctx;
before(async () => { ({ server, base } = await serve()); ctx = await launch(); });
after(async () => { await ctx?.close(); server?.close(); });

const role = (page, id) => page.getAttribute(`[data-testid="node-${id}"]`, 'data-role');
const pos = (page, id) => page.getAttribute(`[data-testid="node-${id}"]`, 'transform');
const log = (page) => page.textContent('[data-testid="event-log"]');
const play = async (page, us) => {
  const until = (await simTime(page)) + us;
  await page.click('[data-testid="btn-play"]');
  await waitFor(page, async () => (await simTime(page)) >= until, `time ${until}`);
  await page.click('[data-testid="btn-pause"]');
};

test('add a server, then remove the leader, from the UI', async () => {
  const page = await open(ctx, `${base}?preset=raft-membership`);
  await reach(page, 850_000);
  assert.equal(await role(page, 3), 'leader');
  for (const id of [4, 5]) assert.equal(await role(page, id), 'non-voter', `S${id}`);
  // Off the ring: the column at the bottom right.
  assert.match(await pos(page, 4), /^translate\(548\.0,/);
  const ringS2 = await pos(page, 2);
  assert.equal(await page.isDisabled('[data-testid="btn-add-server"]'), false);
  await page.click('[data-testid="btn-add-server"]');
  assert.match(await log(page), /S3 catches S4 up as a non-voter: round 1/);
  await play(page, 300_000);
  assert.equal(await role(page, 4), 'follower');
  assert.doesNotMatch(await pos(page, 4), /^translate\(548\.0,/, 'S4 moved onto the ring');
  assert.notEqual(await pos(page, 2), ringS2, 'the ring re-laid out for four');
  assert.match(await log(page), /configuration \{S1,S2,S3,S4\} committed/);
  // The leader's menu: remove it from the cluster.
  await page.click('[data-testid="node-3"]');
  await page.click('[data-testid="action-remove"]');
  await play(page, 800_000);
  assert.match(await log(page), /S3 is not in the committed configuration: it steps down/);
  assert.equal(await role(page, 3), 'non-voter');
  assert.match(await pos(page, 3), /^translate\(548\.0,/, 'S3 off the ring');
  const leaders = await page.$$eval('[data-testid^="node-"][data-role="leader"]', (n) => n.map((x) => x.getAttribute('data-testid')));
  assert.equal(leaders.length, 1, `${leaders}`);
  assert.notEqual(leaders[0], 'node-3');
  // A node off the ring offers to add it back.
  await page.click('[data-testid="node-5"]');
  assert.ok(await page.$('[data-testid="action-add"]'), 'S5 can be added');
  await noProblems(page);
  await page.close();
});
