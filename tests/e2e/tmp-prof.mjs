import { serve, launch, setRange } from './harness.mjs';
const frag = (await new Promise((ok) => { let s = ''; process.stdin.on('data', (d) => { s += d; }); process.stdin.on('end', () => ok(s)); })).trim();
const { server, base } = await serve(process.env.PDIST);
const ctx = await launch();
const page = await ctx.newPage();
await page.goto(`${base}#${frag}`);
await page.waitForFunction(() => document.querySelectorAll('g[data-testid^="node-"]').length === 9, null, { timeout: 60000 });
await setRange(page, 'speed', 1);
const cdp = await ctx.newCDPSession(page);
await cdp.send('Performance.enable');
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
await page.click('[data-testid="btn-play"]');
await page.waitForTimeout(500);
const m0 = (await cdp.send('Performance.getMetrics')).metrics;
await cdp.send('Profiler.start');
const r = await page.evaluate(() => new Promise((done) => {
  const frames = []; const t0 = performance.now();
  function tick(t) { frames.push(t); if (t - t0 < 8000) requestAnimationFrame(tick); else done(frames); }
  requestAnimationFrame(tick);
}));
const { profile } = await cdp.send('Profiler.stop');
const m1 = (await cdp.send('Performance.getMetrics')).metrics;
const get = (m, n) => m.find((x) => x.name === n)?.value ?? 0;
for (const n of ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration', 'LayoutCount', 'RecalcStyleCount', 'Nodes', 'JSHeapUsedSize']) console.log(n, (get(m1, n) - get(m0, n)).toFixed(3), get(m1, n));
const gaps = r.slice(1).map((t, i) => t - r[i]).sort((a, b) => a - b);
console.log('frames', gaps.length, 'p50', gaps[gaps.length >> 1].toFixed(1), 'p95', gaps[Math.floor(gaps.length * 0.95)].toFixed(1));
// self time per function
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas; let total = 0;
profile.samples.forEach((id, i) => { const n = byId.get(id); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0)); total += dt[i] ?? 0; });
const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 40));
for (const [k, v] of top) console.log((v / 1000).toFixed(1).padStart(8), 'ms', (100 * v / total).toFixed(1).padStart(5), '%', k);
// inclusive time per function (once per sample)
const parent = new Map(); for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map();
profile.samples.forEach((id, i) => { const seen = new Set(); let x = id; while (x !== undefined) { const n = byId.get(x); const f = (n.callFrame.functionName || '(anon)').replace(/\[[0-9a-f]+\]/g, '').slice(0, 140); if (!seen.has(f)) { seen.add(f); incl.set(f, (incl.get(f) ?? 0) + (dt[i] ?? 0)); } x = parent.get(x); } });
const pat = new RegExp(process.env.INCL ?? 'replviz');
for (const [k, v] of [...incl.entries()].filter(([k]) => pat.test(k)).sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log('incl', (v / 1000).toFixed(1).padStart(8), 'ms', k);
if (process.env.UNDER) {
  const re = new RegExp(process.env.UNDER); const sub = new Map(); let tot = 0;
  profile.samples.forEach((id, i) => { let x = id; let hit = false; while (x !== undefined) { const n = byId.get(x); if (re.test(n.callFrame.functionName)) { hit = true; break; } x = parent.get(x); }
    if (!hit) return; const n = byId.get(id); const f = (n.callFrame.functionName || '(anon)').replace(/\[[0-9a-f]+\]/g, '').slice(0, 150); sub.set(f, (sub.get(f) ?? 0) + (dt[i] ?? 0)); tot += dt[i] ?? 0; });
  console.log('under', process.env.UNDER, (tot / 1000).toFixed(1), 'ms');
  for (const [k, v] of [...sub.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log('  self', (v / 1000).toFixed(1).padStart(8), 'ms', k);
}
if (process.env.LONG) {
  // busy periods between (idle) samples
  let t = profile.startTime; const periods = []; let cur = null;
  profile.samples.forEach((id, i) => { t += dt[i] ?? 0; const n = byId.get(id); const idle = n.callFrame.functionName === '(idle)';
    if (idle) { if (cur) { periods.push(cur); cur = null; } return; }
    if (!cur) cur = { start: t, end: t, samples: [] }; cur.end = t; cur.samples.push([id, dt[i + 1] ?? 0]); });
  const long = periods.filter((p) => p.end - p.start > 16000);
  console.log('busy periods', periods.length, 'over 16 ms', long.length, 'avg long', (long.reduce((a, p) => a + p.end - p.start, 0) / long.length / 1000).toFixed(1));
  const agg = new Map(); const selfAgg = new Map(); let tot = 0;
  for (const p of long) for (const [id, d] of p.samples) { tot += d; const seen = new Set(); let x = id; const sn = byId.get(id); const sf = (sn.callFrame.functionName || '(anon)').replace(/\[[0-9a-f]+\]/g, '').slice(0, 120); selfAgg.set(sf, (selfAgg.get(sf) ?? 0) + d);
    while (x !== undefined) { const n = byId.get(x); const f = (n.callFrame.functionName || '(anon)').replace(/\[[0-9a-f]+\]/g, '').slice(0, 120); if (!seen.has(f)) { seen.add(f); agg.set(f, (agg.get(f) ?? 0) + d); } x = parent.get(x); } }
  console.log('in long periods, total', (tot / 1000).toFixed(0), 'ms');
  for (const [k, v] of [...agg.entries()].filter(([k]) => /replviz|component_for/.test(k)).sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log('  incl', (v / 1000).toFixed(1).padStart(7), k);
  for (const [k, v] of [...selfAgg.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log('  self', (v / 1000).toFixed(1).padStart(7), k);
}
await ctx.close(); server.close();
