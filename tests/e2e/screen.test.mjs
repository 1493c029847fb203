// Browser tests of the lecture-hall layout (issue 10): at 1280x720 the
// cluster, the controls and timeline, the checks, every node's log and the
// latest events fit one screen without page scrolling; text in the cluster
// is at least 14 px; a phone and 150 % zoom never scroll sideways; and axe
// finds no serious or critical accessibility problem on any protocol, in
// light or dark.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { serve, launch, open, noProblems, reach } from './harness.mjs';

let server, base, ctx;
before(async () => { ({ server, base } = await serve()); ctx = await launch(); });
after(async () => { await ctx?.close(); server?.close(); });

/** Boxes (viewport coordinates) of what a class must see, and the page's scroll size. */
async function screen(page) {
  return page.evaluate(() => {
    const box = (e) => { const b = e.getBoundingClientRect(); return { x: b.x, y: b.y, r: b.right, b: b.bottom }; };
    const one = (sel) => { const e = document.querySelector(sel); return e ? box(e) : null; };
    const events = document.querySelectorAll('[data-testid="event-log"] li');
    return {
      w: innerWidth, h: innerHeight,
      scrollW: document.documentElement.scrollWidth, scrollH: document.documentElement.scrollHeight,
      panels: {
        cluster: one('[data-testid="cluster"]'),
        play: one('[data-testid="btn-play"]'),
        speed: one('[data-testid="speed"]'),
        timeline: one('[data-testid="timeline"]'),
        invariants: one('[data-testid="invariants"]'),
        legend: one('[data-testid="legend"]'),
        ...Object.fromEntries([...document.querySelectorAll('[data-testid^="log-"]')].map((e) => [e.getAttribute('data-testid'), box(e)])),
        'event 1': events[0] ? box(events[0]) : null,
        'event 3': events[2] ? box(events[2]) : null,
      },
    };
  });
}

function assertOneScreen(s, what) {
  assert.ok(s.scrollW <= s.w, `${what}: no sideways scroll (${s.scrollW} > ${s.w})`);
  assert.ok(s.scrollH <= s.h, `${what}: the page does not scroll (${s.scrollH} > ${s.h})`);
  for (const [name, b] of Object.entries(s.panels)) {
    assert.ok(b, `${what}: ${name} is drawn`);
    assert.ok(b.x >= 0 && b.y >= 0 && b.r <= s.w + 0.5 && b.b <= s.h + 0.5, `${what}: ${name} within the screen: ${JSON.stringify(b)}`);
  }
}

async function clients(page, n) {
  await page.fill('[data-testid="clients"]', String(n));
  await page.press('[data-testid="clients"]', 'Enter');
  await page.dispatchEvent('[data-testid="clients"]', 'change');
}

/** Rendered size in pixels of the cluster's smallest text of each kind. */
async function clusterText(page) {
  return page.evaluate(() => {
    const svg = document.querySelector('[data-testid="cluster"]');
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const px = (sel) => {
      const sizes = [...svg.querySelectorAll(sel)].map((e) => parseFloat(getComputedStyle(e).fontSize) * scale);
      return sizes.length ? Math.min(...sizes) : null;
    };
    return { name: px('.rv-node-name'), term: px('.rv-node-term'), vote: px('.rv-node-vote'), role: px('.rv-node-role'), message: px('.rv-msg text') };
  });
}

for (const [url, until, what] of [
  ['?preset=leader-crash', 2_500_000, 'Raft leader crash (5 nodes)'],
  ['?preset=2pc-blocking', 2_500_000, '2PC blocking (4 nodes, the long explanation)'],
  ['?nodes=9&seed=3', 3_000_000, 'Raft with 9 nodes and 2 clients'],
]) {
  test(`one screen at 1280x720: ${what}`, async () => {
    const page = await open(ctx, `${base}${url}`);
    if (/clients/.test(what)) await clients(page, 2);
    await reach(page, until);
    assertOneScreen(await screen(page), what);
    const text = await clusterText(page);
    for (const [kind, px] of Object.entries(text)) {
      if (px !== null) assert.ok(px >= 14, `${what}: ${kind} text is ${px.toFixed(1)} px, under 14`);
    }
    // The explanation collapses to its title.
    if (await page.isVisible('[data-testid="scenario-about"]')) {
      await page.click('[data-testid="scenario-about"] summary');
      assert.equal(await page.$eval('[data-testid="scenario-about"]', (d) => d.open), false, 'collapsed');
      assertOneScreen(await screen(page), `${what}, explanation collapsed`);
    }
    await noProblems(page);
    await page.close();
  });
}

test('1920x1080 grows the panels with the cluster and stays one screen', async () => {
  const page = await open(ctx, `${base}?preset=leader-crash`, { viewport: { width: 1920, height: 1080 } });
  await reach(page, 2_500_000);
  const s = await screen(page);
  assertOneScreen(s, '1920x1080');
  const rem = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  assert.ok(rem >= 20, `side text grows with the screen (root ${rem} px)`);
  assert.ok((await clusterText(page)).term >= 20, 'cluster text grows');
  await noProblems(page);
  await page.close();
});

for (const [w, h, what] of [[390, 844, 'a 390x844 phone'], [853, 480, '1280x720 at 150 % zoom']]) {
  test(`${what} never scrolls sideways`, async () => {
    const page = await open(ctx, `${base}?preset=2pc-blocking`, { viewport: { width: w, height: h } });
    await reach(page, 2_500_000);
    const s = await screen(page);
    assert.ok(s.scrollW <= w, `page width ${s.scrollW} > ${w}`);
    for (const name of ['cluster', 'timeline', 'play', 'invariants']) {
      const b = s.panels[name];
      assert.ok(b.x >= 0 && b.r <= w + 0.5, `${name} within the width: ${JSON.stringify(b)}`);
    }
    // The cluster uses the room it has: the width on a phone, most of the
    // height at 150 % zoom.
    const c = s.panels.cluster;
    assert.ok(c.r - c.x >= Math.min(w - 40, h * 0.85), `cluster ${Math.round(c.r - c.x)} px wide`);
    await noProblems(page);
    await page.close();
  });
}

const axeSource = await readFile(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

test('axe finds no serious or critical problem on any protocol, light or dark', async () => {
  const probe = await open(ctx, base);
  const protocols = await probe.$$eval('[data-testid="protocol-picker"] option', (o) => o.map((x) => x.value));
  await probe.close();
  assert.ok(protocols.length >= 9, `${protocols.length} protocols`);
  const found = [];
  for (const scheme of ['light', 'dark']) {
    for (const p of protocols) {
      const page = await open(ctx, `${base}?protocol=${p}&seed=2`, { colorScheme: scheme });
      await clients(page, 1);
      await reach(page, 2_000_000);
      await page.addScriptTag({ content: axeSource });
      const v = await page.evaluate(async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
        .filter((x) => x.impact === 'serious' || x.impact === 'critical')
        .map((x) => `${x.id}: ${x.nodes.slice(0, 2).map((n) => n.target.join(' ') + ' ' + (n.failureSummary ?? '').split('\n')[1]).join(' | ')}`));
      for (const x of v) found.push(`${p} ${scheme}: ${x}`);
      await noProblems(page);
      await page.close();
    }
  }
  assert.deepEqual(found, []);
});
