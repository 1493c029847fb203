// Compare-mode frame benchmark in headless Chromium (a figure, not a test):
// four panes of five nodes (Raft, Paxos, Zab, MySQL) with three clients,
// played at 1x and at 10x; frame intervals of the compare page (p50, p95
// over 10 s: every pane draws in the same main thread). Usage:
//   node comparebench.mjs
import { serve, launch, copyLink, setRange, open } from './harness.mjs';

const { server, base } = await serve();
const ctx = await launch();
// A five-node run with three clients, as a link.
const one = await open(ctx, `${base}?protocol=raft&nodes=5&seed=3`);
await one.fill('[data-testid="clients"]', '3');
await one.press('[data-testid="clients"]', 'Enter');
await one.waitForTimeout(300);
const link = await copyLink(one);
await one.close();
const page = await ctx.newPage();
await page.goto(`${base}?compare=raft,paxos,zab,mysql${link.slice(link.indexOf('#'))}`);
for (let i = 0; i < 4; i++) {
  await page.frameLocator(`[data-testid="pane-${i}"] iframe`).locator('[data-testid="cluster"]').waitFor({ timeout: 30000 });
}
await page.bringToFront();
for (const speed of ['100', '1000']) {
  await setRange(page, 'timeline', 0);
  await page.selectOption('[data-testid="speed"]', speed);
  await page.click('[data-testid="btn-play"]');
  await page.waitForTimeout(500);
  const frames = await page.evaluate(() => new Promise((done) => {
    const f = [];
    const t0 = performance.now();
    function tick(t) { f.push(t); if (t - t0 < 10000) requestAnimationFrame(tick); else done(f); }
    requestAnimationFrame(tick);
  }));
  await page.click('[data-testid="btn-pause"]').catch(() => {});
  const gaps = frames.slice(1).map((t, i) => t - frames[i]).sort((a, b) => a - b);
  const q = (p) => gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))].toFixed(1);
  console.log(`compare mode, 4 panes x 5 nodes, 3 clients, ${Number(speed) / 100}x: ${gaps.length} frames in 10 s, interval p50 ${q(0.5)} ms, p95 ${q(0.95)} ms`);
}
const ok = await page.frameLocator('[data-testid="pane-0"] iframe').locator('[data-testid="metric-writes-ok"]').getAttribute('data-value');
console.log(`(pane 0, Raft: ${ok} writes ok by then)`);
await ctx.close();
server.close();
