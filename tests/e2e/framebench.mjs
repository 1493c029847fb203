// Frame benchmark in headless Chromium (a figure, not a test): time from
// navigation until all 9 nodes are drawn; then frame intervals (p50, p95,
// p99 of requestAnimationFrame over 10 s) while playing at 10x a 9-node run
// under client load (a write every 10 ms), with the number of messages in
// flight sampled on the way. Usage:
//   cargo run -q --release --example load_link | node framebench.mjs
//   cargo run -q --release --example load_link -- 2500 12 | node framebench.mjs 'a write every 2.5 ms'
// (the second: about 125 messages in flight, 5,000 new ones a second), or
//   cargo run -q --release --example load_link -- 1500 11 json | node framebench.mjs 'a write every 1.5 ms'
// (about 200 in flight: a scenario file for "Import…", more than a link holds).
import { serve, launch, setRange } from './harness.mjs';

const frag = (await new Promise((ok) => { let s = ''; process.stdin.on('data', (d) => { s += d; }); process.stdin.on('end', () => ok(s)); })).trim();
const { server, base } = await serve();
const ctx = await launch();

async function drawn(url, n) {
  const page = await ctx.newPage();
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForFunction((k) => document.querySelectorAll('g[data-testid^="node-"]').length === k, n, { timeout: 60000 });
  const ms = Date.now() - t0;
  return { page, ms };
}

const fresh = await drawn(`${base}?nodes=9&seed=1`, 9);
console.log(`start: 9 nodes drawn ${fresh.ms} ms after navigation (goal <= 1000 ms)`);
await fresh.page.close();

let page;
if (frag.startsWith('{')) {
  // A scenario as "Export scenario" writes it (`load_link -- 1500 11 json`):
  // more load than a link can hold, opened with "Import…".
  ({ page } = await drawn(`${base}?nodes=9&seed=1`, 9));
  const t0 = Date.now();
  await page.setInputFiles('[data-testid="import-file"]', { name: 'load.json', mimeType: 'application/json', buffer: Buffer.from(frag) });
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="marker"]').length > 0 && document.querySelector('[data-testid="seed"]').value === String(n), JSON.parse(frag).seed, { timeout: 60000 });
  console.log(`start: the 9-node load scenario (${JSON.parse(frag).actions.length} actions) imported in ${Date.now() - t0} ms`);
  if (await page.isEnabled('[data-testid="btn-pause"]')) await page.click('[data-testid="btn-pause"]');
  await page.click('[data-testid="btn-start"]');
} else {
  let ms;
  ({ page, ms } = await drawn(`${base}#${frag}`, 9));
  console.log(`start: the 9-node load link (${frag.length} characters) drawn in ${ms} ms`);
}
await page.bringToFront();
await setRange(page, 'speed', 1);
await page.click('[data-testid="btn-play"]');
await page.waitForTimeout(500);
const r = await page.evaluate(() => new Promise((done) => {
  const frames = [];
  const inFlight = [];
  const t0 = performance.now();
  const sample = setInterval(() => inFlight.push(document.querySelectorAll('[data-testid="msg"]').length + [...document.querySelectorAll('[data-testid="msg-dots"]')].reduce((k, d) => k + Number(d.dataset.n), 0)), 250);
  function tick(t) {
    frames.push(t);
    if (t - t0 < 10000) requestAnimationFrame(tick);
    else { clearInterval(sample); done({ frames, inFlight }); }
  }
  requestAnimationFrame(tick);
}));
const gaps = r.frames.slice(1).map((t, i) => t - r.frames[i]).sort((a, b) => a - b);
const q = (p) => gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))].toFixed(1);
const fl = r.inFlight.sort((a, b) => a - b);
console.log(`frames at 10x, 9 nodes, ${process.argv[2] ?? 'a write every 10 ms'}: ${gaps.length} frames in 10 s, interval p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, p99 ${q(0.99)} ms (goal p95 <= 16.7 ms); messages in flight median ${fl[fl.length >> 1]}, max ${fl[fl.length - 1]}`);
if (page.problems?.length) console.log('problems', page.problems);
await ctx.close();
server.close();
