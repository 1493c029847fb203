// Where a frame's time goes (a figure for profiling, not a test): plays a
// link at 10x for 3 s under Chromium's tracing and prints the renderer main
// thread's totals by event (script in FireAnimationFrame, Layout, Paint,
// ParseHTML, ...), how many tasks took over 8 and 16 ms, and the breakdown
// of the six longest. Profile before optimising (issue 9). Usage:
//   cargo run -q --release --example load_link | node frametrace.mjs
//   cargo run -q --release --example load_link -- 1500 11 json | node frametrace.mjs
import { serve, launch, setRange } from './harness.mjs';

const frag = (await new Promise((ok) => { let s = ''; process.stdin.on('data', (d) => { s += d; }); process.stdin.on('end', () => ok(s)); })).trim();
const { server, base } = await serve();
const ctx = await launch();
const page = await ctx.newPage();
if (frag.startsWith('{')) {
  // A scenario file (`load_link -- 1500 11 json`), imported as framebench.mjs does.
  await page.goto(`${base}?nodes=9&seed=1`);
  await page.waitForSelector('g[data-testid^="node-"]', { timeout: 60000 });
  await page.setInputFiles('[data-testid="import-file"]', { name: 'load.json', mimeType: 'application/json', buffer: Buffer.from(frag) });
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="marker"]').length > 0 && document.querySelector('[data-testid="seed"]').value === String(n), JSON.parse(frag).seed, { timeout: 60000 });
  if (await page.isEnabled('[data-testid="btn-pause"]')) await page.click('[data-testid="btn-pause"]');
  await page.click('[data-testid="btn-start"]');
} else {
  await page.goto(`${base}#${frag}`);
  await page.waitForSelector('g[data-testid^="node-"]', { timeout: 60000 });
}
await setRange(page, 'speed', 1);
const cdp = await ctx.newCDPSession(page);
if (await page.isEnabled('[data-testid="btn-play"]')) await page.click('[data-testid="btn-play"]');
await page.waitForTimeout(500);
const events = [];
cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
const done = new Promise((ok) => cdp.once('Tracing.tracingComplete', ok));
await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
await page.waitForTimeout(3000);
await cdp.send('Tracing.end');
await done;
// The renderer's main thread: the one that fires animation frames.
const count = new Map();
for (const e of events) if (e.name === 'FireAnimationFrame') count.set(`${e.pid}:${e.tid}`, (count.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
const [pid, tid] = [...count.entries()].sort((a, b) => b[1] - a[1])[0][0].split(':').map(Number);
const main = events.filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X');
const total = new Map();
for (const e of main) if (e.name !== 'RunTask') total.set(e.name, (total.get(e.name) ?? 0) + e.dur);
console.log('main thread over 3 s (ms, nested events counted in each):');
for (const [k, v] of [...total.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${(v / 1000).toFixed(1).padStart(7)} ${k}`);
const tasks = main.filter((e) => e.name === 'RunTask').sort((a, b) => b.dur - a.dur);
const ms = tasks.map((t) => t.dur / 1000);
console.log(`tasks ${tasks.length}: over 16 ms ${ms.filter((d) => d > 16).length}, over 8 ms ${ms.filter((d) => d > 8).length}`);
for (const t of tasks.slice(0, 6)) {
  const by = new Map();
  for (const k of main) if (k !== t && k.ts >= t.ts && k.ts + k.dur <= t.ts + t.dur) by.set(k.name, (by.get(k.name) ?? 0) + k.dur);
  console.log(`task ${(t.dur / 1000).toFixed(1)} ms: ${[...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, 7).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ')}`);
}
await ctx.close();
server.close();
