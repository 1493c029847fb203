import { serve, launch, setRange } from './harness.mjs';
const frag = (await new Promise((ok) => { let s = ''; process.stdin.on('data', (d) => { s += d; }); process.stdin.on('end', () => ok(s)); })).trim();
const { server, base } = await serve(process.env.PDIST);
const ctx = await launch();
const page = await ctx.newPage();
await page.addInitScript(() => {
  const d = Object.getOwnPropertyDescriptor(Element.prototype, 'innerHTML');
  window.__ih = new Map(); window.__on = false;
  Object.defineProperty(Element.prototype, 'innerHTML', { get: d.get, set(v) {
    if (window.__on) { let el = this; let id = ''; while (el && !id) { id = el.getAttribute?.('data-testid') || (el.className?.baseVal ?? el.className) || ''; el = el.parentElement; }
      const k = this.tagName + ' ' + id; const e = window.__ih.get(k) ?? [0, 0]; e[0]++; e[1] += v.length; window.__ih.set(k, e); }
    d.set.call(this, v); } });
  const sa = Element.prototype.setAttribute; window.__sa = new Map();
  Element.prototype.setAttribute = function (n, v) { if (window.__on) { const k = this.tagName + ' ' + n; window.__sa.set(k, (window.__sa.get(k) ?? 0) + 1); } return sa.call(this, n, v); };
});
await page.goto(`${base}#${frag}`);
await page.waitForFunction(() => document.querySelectorAll('g[data-testid^="node-"]').length === 9, null, { timeout: 60000 });
await setRange(page, 'speed', 1);
await page.click('[data-testid="btn-play"]');
await page.waitForTimeout(500);
await page.evaluate(() => { window.__on = true; });
await page.waitForTimeout(5000);
const out = await page.evaluate(() => { window.__on = false; return { ih: [...window.__ih.entries()], sa: [...window.__sa.entries()] }; });
out.ih.sort((a, b) => b[1][1] - a[1][1]);
for (const [k, [n, len]] of out.ih.slice(0, 20)) console.log('innerHTML', n, 'times', (len / 1e3).toFixed(0), 'kB', k);
out.sa.sort((a, b) => b[1] - a[1]);
for (const [k, n] of out.sa.slice(0, 15)) console.log('setAttribute', n, k);
await ctx.close(); server.close();
