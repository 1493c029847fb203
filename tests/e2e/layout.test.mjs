// Browser tests of bugs a teacher hit: the diagram must follow the node
// count whatever changed it (a scenario of another size picked from the
// menu, a protocol switch), with every node on its own spot of the circle
// and every link ending at its nodes.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, open, noProblems, waitFor, setRange, simTime, reach } from './harness.mjs';

let server, base, ctx;
before(async () => { ({ server, base } = await serve()); ctx = await launch(); });
after(async () => { await ctx?.close(); server?.close(); });

/** Node centres from their transforms, and each link's end points. */
async function geometry(page) {
  return page.evaluate(() => {
    const nodes = {};
    for (const g of document.querySelectorAll('g[data-testid^="node-"]')) {
      const m = /translate\(([-\d.]+),([-\d.]+)\)/.exec(g.getAttribute('transform'));
      nodes[g.getAttribute('data-testid').slice(5)] = [Number(m[1]), Number(m[2])];
    }
    const links = [...document.querySelectorAll('g[data-testid^="link-"]')].map((g) => {
      const [a, b] = g.getAttribute('data-testid').slice(5).split('-');
      const l = g.querySelector('line.rv-link-line');
      return { a, b, p: [Number(l.getAttribute('x1')), Number(l.getAttribute('y1'))], q: [Number(l.getAttribute('x2')), Number(l.getAttribute('y2'))] };
    });
    return { nodes, links };
  });
}

/** Every node where the circle layout of `n` puts it (clockwise from the
 * top, turned half a step when `n` is even, so that no label falls below
 * a 720-pixel screen); links end at their nodes. */
function assertLayout({ nodes, links }, n) {
  assert.equal(Object.keys(nodes).length, n, 'node count');
  const r = n <= 5 ? 200 : 225;
  const turn = n % 2 === 0 ? Math.PI / n : 0;
  for (let id = 1; id <= n; id++) {
    const a = -Math.PI / 2 + turn + (id - 1) * 2 * Math.PI / n;
    const [x, y] = nodes[id];
    assert.ok(Math.abs(x - (300 + r * Math.cos(a))) < 0.2 && Math.abs(y - (300 + r * Math.sin(a))) < 0.2, `S${id} at (${x}, ${y}) for ${n} nodes`);
  }
  assert.equal(links.length, n * (n - 1) / 2, 'one link per pair');
  for (const { a, b, p, q } of links) {
    const close = (u, v) => Math.abs(u[0] - v[0]) < 0.2 && Math.abs(u[1] - v[1]) < 0.2;
    assert.ok(close(p, nodes[a]) && close(q, nodes[b]), `link ${a}-${b} ends at its nodes`);
  }
}

test('picking a scenario of another size from the menu redraws the circle', async () => {
  const page = await open(ctx, `${base}?preset=2pc-blocking`);
  assertLayout(await geometry(page), 4);
  await page.selectOption('[data-testid="scenario-menu"]', 'leader-crash');
  await waitFor(page, async () => (await page.$$('g[data-testid^="node-"]')).length === 5, '5 nodes');
  await page.click('[data-testid="btn-play"]');
  await page.waitForTimeout(300);
  assertLayout(await geometry(page), 5);
  // And back: 2PC after Raft draws a square, not a pentagon with a gap.
  await page.selectOption('[data-testid="scenario-menu"]', '2pc-vote-no');
  await waitFor(page, async () => (await page.$$('g[data-testid^="node-"]')).length === 4, '4 nodes');
  assertLayout(await geometry(page), 4);
  // A protocol switch keeps the size and redraws the roles.
  await page.selectOption('[data-testid="protocol-picker"]', 'zab');
  await waitFor(page, async () => (await page.getAttribute('[data-testid="node-1"]', 'data-role')) !== 'coordinator', 'Zab roles');
  assertLayout(await geometry(page), 4);
  await noProblems(page);
  await page.close();
});

test('a node menu stays inside the viewport, pauses the run, and Escape closes it', async () => {
  const page = await open(ctx, `${base}?nodes=5&seed=1`);
  await page.bringToFront();
  await setRange(page, 'speed', 1);
  if (!(await page.isDisabled('[data-testid="btn-play"]'))) await page.click('[data-testid="btn-play"]');
  await page.waitForTimeout(200);
  const vp = page.viewportSize();
  // S3 and S4 are the bottom row of five.
  for (const id of [3, 4, 2, 5]) {
    await page.click(`[data-testid="node-${id}"]`);
    const box = await page.locator('[data-testid="menu"]').boundingBox();
    // Bounding boxes are relative to the viewport.
    assert.ok(box.x >= 0 && box.x + box.width <= vp.width, `S${id}'s menu within the width: ${JSON.stringify(box)}`);
    assert.ok(box.y >= 0 && box.y + box.height <= vp.height, `S${id}'s menu within the height: ${JSON.stringify(box)}`);
    const t0 = await simTime(page);
    await page.waitForTimeout(300);
    assert.equal(await simTime(page), t0, 'the run is paused while the menu is open');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('[data-testid="menu"]').count(), 0, 'Escape closes the menu');
    await waitFor(page, async () => (await simTime(page)) > t0, 'the run resumes');
  }
  await noProblems(page);
  await page.close();
});

test('a long press (the contextmenu event a touch screen sends; here a right click) opens a node\'s and a link\'s menu', async () => {
  const page = await open(ctx, `${base}?nodes=3&seed=1`);
  await page.click('[data-testid="node-2"]', { button: 'right' });
  await page.waitForSelector('[data-testid="action-crash"]');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('[data-testid="menu"]').count(), 0);
  await page.click('[data-testid="link-1-3"]', { button: 'right' });
  await page.waitForSelector('[data-testid="action-cut-both"]');
  await page.click('[data-testid="action-cut-both"]');
  assert.equal(await page.getAttribute('[data-testid="link-1-3"]', 'data-state'), 'cut');
  await noProblems(page);
  await page.close();
});

/** Touch events as iOS Safari sends them (no `contextmenu` for a long press,
 * and, made in the page, no gesture Chromium would turn into one): a finger
 * on `sel`, held `ms`, moved by `dx` px meanwhile. Whether the touch's end
 * was cancelled (the press opened a menu, so it makes no click). */
async function touch(page, sel, ms, dx = 0) {
  const box = await page.locator(sel).boundingBox();
  const x = box.x + box.width / 2, y = box.y + box.height / 2;
  const send = (type, px) => page.evaluate(([sel, type, px, y]) => {
    const target = document.querySelector(sel).querySelector('circle, line') ?? document.querySelector(sel);
    const t = new Touch({ identifier: 1, target, clientX: px, clientY: y });
    const live = type === 'touchend' ? [] : [t];
    return !target.dispatchEvent(new TouchEvent(type, { bubbles: true, cancelable: true, touches: live, targetTouches: live, changedTouches: [t] }));
  }, [sel, type, px, y]);
  await send('touchstart', x);
  if (dx) await send('touchmove', x + dx);
  await page.waitForTimeout(ms);
  return send('touchend', x + dx);
}

test('a long press with touch events alone (iOS Safari sends no contextmenu) opens a node\'s and a link\'s menu; a short touch or a drag does not', async () => {
  const page = await open(ctx, `${base}?nodes=3&seed=1`);
  assert.equal(await touch(page, '[data-testid="node-2"]', 150), false, 'a short touch is left to be a click');
  assert.equal(await page.locator('[data-testid="menu"]').count(), 0, 'no menu after a short touch');
  assert.equal(await touch(page, '[data-testid="node-2"]', 700, 40), false);
  assert.equal(await page.locator('[data-testid="menu"]').count(), 0, 'no menu after a drag');
  assert.equal(await touch(page, '[data-testid="node-2"]', 700), true, 'the press\'s end makes no click');
  await page.waitForSelector('[data-testid="action-crash"]');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('[data-testid="menu"]').count(), 0);
  assert.equal(await touch(page, '[data-testid="link-1-3"]', 700), true);
  await page.click('[data-testid="action-cut-both"]');
  assert.equal(await page.getAttribute('[data-testid="link-1-3"]', 'data-state'), 'cut');
  await noProblems(page);
  await page.close();
});

test('the chosen scenario stays named in the menu; routine traffic is left out of the event log', async () => {
  const page = await open(ctx, `${base}?preset=2pc-blocking`);
  assert.equal(await page.inputValue('[data-testid="scenario-menu"]'), '2pc-blocking');
  await page.selectOption('[data-testid="scenario-menu"]', 'leader-crash');
  await page.click('[data-testid="btn-play"]');
  await page.waitForTimeout(400);
  assert.equal(await page.inputValue('[data-testid="scenario-menu"]'), 'leader-crash', 'still named while it runs');
  await waitFor(page, async () => /heartbeat timer fires|sends heartbeat/.test(await page.textContent('body')) || (await simTime(page)) > 800_000, 'time for heartbeats');
  await page.click('[data-testid="btn-pause"]');
  const quiet = await page.textContent('[data-testid="event-log"]');
  assert.ok(!/heartbeat/.test(quiet), 'no heartbeat lines by default');
  await page.check('[data-testid="show-routine"]');
  await waitFor(page, async () => /heartbeat/.test(await page.textContent('[data-testid="event-log"]')), 'heartbeats shown on request');
  await page.selectOption('[data-testid="protocol-picker"]', 'zab');
  await waitFor(page, async () => (await page.inputValue('[data-testid="scenario-menu"]')) === '', 'placeholder after a protocol switch');
  await noProblems(page);
  await page.close();
});

test('the event log stresses faults, elections and commits, not messages', async () => {
  const page = await open(ctx, `${base}?preset=leader-crash`);
  await reach(page, 2_600_000);
  const lines = await page.$$eval('[data-testid="event-log"] li', (ls) => ls.map((l) => [l.className, l.textContent]));
  const weight = (re) => lines.filter(([, t]) => re.test(t)).map(([c]) => c);
  assert.deepEqual([...new Set(weight(/S3 restarts/))], ['rv-event-key'], 'a restart');
  assert.deepEqual([...new Set(weight(/S1 becomes leader for term 2/))], ['rv-event-key'], 'an election');
  assert.deepEqual([...new Set(weight(/ commits entries/))], ['rv-event-key'], 'commits');
  assert.deepEqual([...new Set(weight(/ sends AppendEntries/))], [''], 'messages are plain');
  await noProblems(page);
  await page.close();
});

test("Figure 8's chapters are labelled on the timeline and seek there", async () => {
  const page = await open(ctx, `${base}?preset=figure-8`);
  const chapters = await page.$$eval('[data-testid="chapter"]', (cs) => cs.map((c) => [c.textContent, c.getAttribute('data-us'), c.title]));
  assert.deepEqual(chapters.map((c) => c[0]), ['(a)', '(b)', '(c)', '(d)']);
  assert.match(chapters[2][2], /copies its term-2 entry to S3/);
  const boxes = await page.$$eval('[data-testid="chapter"]', (cs) => cs.map((c) => c.getBoundingClientRect().x));
  assert.ok(boxes.every((x, i) => i === 0 || x > boxes[i - 1]), `in order along the track: ${boxes}`);
  await page.click('[data-testid="chapter"] >> text=(c)');
  await waitFor(page, async () => (await simTime(page)) === 3_600_000, 'seek to (c)');
  // A scenario without chapters shows none.
  await page.selectOption('[data-testid="scenario-menu"]', 'raft-stale-read');
  await waitFor(page, async () => (await page.$$('[data-testid="chapter"]')).length === 0, 'no chapters');
  await noProblems(page);
  await page.close();
});

test('a blocked 2PC participant says so on the node', async () => {
  const page = await open(ctx, `${base}?preset=2pc-blocking`);
  await setRange(page, 'timeline', 2_500_000);
  await waitFor(page, async () => (await simTime(page)) === 2_500_000, 'seek to 2.5 s');
  for (const id of [2, 3, 4]) {
    const badge = await page.getAttribute(`[data-testid="node-${id}"]`, 'data-badge');
    assert.match(badge, /^BLOCKED \d+\.\d s$/, `S${id}`);
    assert.match(await page.textContent(`[data-testid="node-${id}"] .rv-badge`), /BLOCKED/);
  }
  await setRange(page, 'timeline', 4_000_000);
  await waitFor(page, async () => (await page.getAttribute('[data-testid="node-2"]', 'data-badge')) === '', 'released after recovery');
  await noProblems(page);
  await page.close();
});

test('keyboard only: Tab reaches a server and a link, Enter opens the menu, arrows move in it, Escape gives the focus back', async () => {
  const page = await open(ctx, `${base}?nodes=3&seed=2`);
  const active = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
  // Tab from the page reaches the servers (they are focusable, in order).
  await page.focus('[data-testid="node-1"]');
  await page.keyboard.press('Tab');
  assert.equal(await active(), 'node-2');
  await page.keyboard.press('Enter');
  await waitFor(page, async () => (await active())?.startsWith('action-'), 'the first action focused');
  const first = await active();
  await page.keyboard.press('ArrowDown');
  const second = await active();
  assert.ok(second?.startsWith('action-') && second !== first, `${first} then ${second}`);
  await page.keyboard.press('ArrowUp');
  assert.equal(await active(), first);
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('[data-testid="menu"]').count(), 0);
  assert.equal(await active(), 'node-2', 'the focus goes back to the server');
  // Walk to "crash" with the arrows and press Enter on it.
  await page.keyboard.press('Enter');
  await waitFor(page, async () => (await active())?.startsWith('action-'), 'the menu again');
  for (let k = 0; k < 12 && (await active()) !== 'action-crash'; k++) await page.keyboard.press('ArrowDown');
  assert.equal(await active(), 'action-crash');
  await page.keyboard.press('Enter');
  await waitFor(page, async () => (await page.getAttribute('[data-testid="node-2"]', 'data-up')) === 'false', 'S2 crashed');
  // A link too: focus it, Enter, its menu offers the cuts.
  await page.focus('[data-testid="link-1-3"]');
  await page.keyboard.press('Enter');
  await waitFor(page, async () => (await active()) === 'action-cut-both', 'the link menu focused');
  await page.keyboard.press('Enter');
  await waitFor(page, async () => (await page.getAttribute('[data-testid="link-1-3"]', 'data-state')) === 'cut', 'the link cut');
  await noProblems(page);
  await page.close();
});

test('with prefers-reduced-motion, messages jump (two places each) instead of gliding', async () => {
  // Distinct positions each message takes over a second of play at 1x.
  const places = async (reducedMotion) => {
    const page = await ctx.newPage();
    await page.emulateMedia({ reducedMotion });
    await page.goto(`${base}?nodes=3&seed=1`);
    await page.waitForSelector('[data-testid="cluster"]');
    await page.bringToFront();
    // From the first message on (the first election, about 0.15 s in).
    await page.waitForSelector('[data-testid="msg"]');
    const most = await page.evaluate(() => new Promise((done) => {
      const seen = new Map();
      const t0 = performance.now();
      const tick = (t) => {
        // The layer is drawn again each frame: a message is its data-id.
        for (const m of document.querySelectorAll('[data-testid="msg"][data-state="flying"]')) {
          if (!seen.has(m.dataset.id)) seen.set(m.dataset.id, new Set());
          seen.get(m.dataset.id).add(m.getAttribute('transform'));
        }
        if (t - t0 < 1500) requestAnimationFrame(tick);
        else done(`${Math.max(0, ...[...seen.values()].map((s) => s.size))} (${seen.size} messages, ${document.querySelector('[data-testid="sim-time"]').getAttribute('data-us')} µs)`);
      };
      requestAnimationFrame(tick);
    }));
    await page.close();
    return most;
  };
  const reduced = await places('reduce');
  const normal = await places('no-preference');
  assert.ok(parseInt(reduced) >= 1 && parseInt(reduced) <= 2, `reduced motion: a message took ${reduced} places`);
  assert.ok(parseInt(normal) > 2, `normal motion: a message took ${normal} places`);
});
