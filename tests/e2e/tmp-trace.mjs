import { serve, launch, setRange } from './harness.mjs';
const frag = (await new Promise((ok) => { let s = ''; process.stdin.on('data', (d) => { s += d; }); process.stdin.on('end', () => ok(s)); })).trim();
const { server, base } = await serve(process.env.PDIST);
const ctx = await launch();
const page = await ctx.newPage();
await page.goto(`${base}#${frag}`);
await page.waitForFunction(() => document.querySelectorAll('g[data-testid^="node-"]').length === 9, null, { timeout: 60000 });
await setRange(page, 'speed', 1);
const cdp = await ctx.newCDPSession(page);
await page.click('[data-testid="btn-play"]');
await page.waitForTimeout(500);
const events = [];
cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
const done = new Promise((ok) => cdp.once('Tracing.tracingComplete', ok));
await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
await page.waitForTimeout(3000);
await cdp.send('Tracing.end');
await done;
const cnt = new Map(); for (const e of events) if (e.name === 'FireAnimationFrame') { const k = `${e.pid}:${e.tid}`; cnt.set(k, (cnt.get(k) ?? 0) + 1); }
const [pid, tid] = [...cnt.entries()].sort((a, b) => b[1] - a[1])[0][0].split(':').map(Number);
const mev = events.filter((e) => e.tid === tid && e.pid === pid && e.ph === 'X');
const tasks = mev.filter((e) => e.name === 'RunTask').sort((a, b) => b.dur - a.dur);
const total = new Map();
for (const e of mev) if (e.name !== 'RunTask') total.set(e.name, (total.get(e.name) ?? 0) + e.dur);
console.log('main thread totals over 3 s (ms):');
for (const [k, v] of [...total.entries()].sort((a, b) => b[1] - a[1]).slice(0, 18)) console.log('  ', (v / 1000).toFixed(1).padStart(7), k);
const durs = tasks.map((t) => t.dur / 1000);
console.log('tasks', tasks.length, 'over 16 ms:', durs.filter((d) => d > 16).length, 'over 8 ms:', durs.filter((d) => d > 8).length);
for (const t of tasks.slice(0, 6)) {
  const kids = mev.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur);
  const by = new Map(); for (const k of kids) by.set(k.name, (by.get(k.name) ?? 0) + k.dur);
  console.log('task', (t.dur / 1000).toFixed(1), 'ms:', [...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', '));
}
await ctx.close(); server.close();
