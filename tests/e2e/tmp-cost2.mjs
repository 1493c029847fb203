import { serve, launch, setRange } from './harness.mjs';
const frag = (await new Promise((ok) => { let s = ''; process.stdin.on('data', (d) => { s += d; }); process.stdin.on('end', () => ok(s)); })).trim();
const { server, base } = await serve(process.env.PDIST);
const ctx = await launch();
const page = await ctx.newPage();
await page.goto(`${base}#${frag}`);
await page.waitForFunction(() => document.querySelectorAll('g[data-testid^="node-"]').length === 9, null, { timeout: 60000 });
await setRange(page, 'speed', 1);
await page.click('[data-testid="btn-play"]');
await page.waitForTimeout(2000);
await page.click('[data-testid="btn-pause"]');
await page.waitForTimeout(300);
const r = await page.evaluate(() => {
  const el = document.querySelector('.rv-msgs');
  const html0 = el.innerHTML;
  const variants = {
    orig: html0,
    aria: html0.replace(/><title>([^<]*)<\/title>/g, ' aria-label="$1">'),
    notext: html0.replace(/<text[^>]*>[^<]*<\/text>/g, ''),
    use: (() => { const defs = new Map(); const body = html0.replace(/(<g data-testid="msg"[^>]*>)<title>[^<]*<\/title>(<rect[^>]*>(?:<\/rect>)?<text[^>]*>[^<]*<\/text>)/g, (m, g, inner) => { if (!defs.has(inner)) defs.set(inner, 'u' + defs.size); return g + `<use href="#${defs.get(inner)}"/>`; });
      const d = [...defs.entries()].map(([inner, id]) => `<g id="${id}">${inner}</g>`).join('');
      document.querySelector('svg').insertAdjacentHTML('afterbegin', `<defs>${d}</defs>`); return body; })(),
    nodata: html0.replace(/ data-[a-z]+="[^"]*"/g, ''),
  };
  const out = {};
  for (const [name, html] of Object.entries(variants)) {
    const t = [];
    for (let i = 0; i < 30; i++) {
      const h = html.replace(/translate\(([0-9.]+)/g, (m, x) => `translate(${(+x + (i % 2)).toFixed(1)}`);
      const a = performance.now(); el.innerHTML = h; const b = performance.now(); void el.getBBox(); document.body.offsetHeight; const c = performance.now();
      t.push([b - a, c - b]);
    }
    t.sort((x, y) => (x[0] + x[1]) - (y[0] + y[1]));
    out[name] = { bytes: html.length, msgs: el.children.length, parse: t[15][0].toFixed(2), layout: t[15][1].toFixed(2) };
  }
  return out;
});
console.log(r);
await ctx.close(); server.close();
