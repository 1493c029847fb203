import { serve, launch, setRange } from './harness.mjs';
const frag = (await new Promise((ok) => { let s = ''; process.stdin.on('data', (d) => { s += d; }); process.stdin.on('end', () => ok(s)); })).trim();
const { server, base } = await serve(process.env.PDIST);
const ctx = await launch();
const page = await ctx.newPage();
await page.addInitScript(() => {
  const d = Object.getOwnPropertyDescriptor(Element.prototype, 'innerHTML');
  window.__last = {};
  Object.defineProperty(Element.prototype, 'innerHTML', { get: d.get, set(v) {
    let el = this; let id = ''; while (el && !id) { id = el.getAttribute?.('data-testid') || ''; el = el.parentElement; }
    window.__last[id] = v; d.set.call(this, v); } });
});
await page.goto(`${base}#${frag}`);
await page.waitForFunction(() => document.querySelectorAll('g[data-testid^="node-"]').length === 9, null, { timeout: 60000 });
await setRange(page, 'speed', 1);
await page.click('[data-testid="btn-play"]');
await page.waitForTimeout(3000);
await page.click('[data-testid="btn-pause"]');
await page.waitForTimeout(300);
if (process.env.CSS) await page.addStyleTag({ content: process.env.CSS });
const r = await page.evaluate(() => {
  const html0 = window.__last['logs'];
  const variants = {
    orig: html0,
    noattr: html0.replace(/ title="[^"]*"/g, '').replace(/ data-(term|mark|committed)="[^"]*"/g, ''),
    flat: html0.replace(/<span class="rv-entry-term">([^<]*)<\/span><span class="rv-entry-text">([^<]*)<\/span>/g, '$1 $2'),
    bold: html0.replace(/<span class="rv-entry-term">([^<]*)<\/span><span class="rv-entry-text">([^<]*)<\/span>/g, '<b>$1</b>$2'),
    tiny: '<div>S1</div>',
    pseudo: html0.replace(/"><span class="rv-entry-term">([^<]*)<\/span><span class="rv-entry-text">([^<]*)<\/span>/g, '" data-tag="$1">$2'),
    nohue: html0.replace(/ style="--term-hue:[^"]*"/g, ''),
    all: html0.replace(/ title="[^"]*"/g, '').replace(/ data-(term|mark|committed)="[^"]*"/g, '').replace(/<span class="rv-entry-term">([^<]*)<\/span><span class="rv-entry-text">([^<]*)<\/span>/g, '$1 $2').replace(/ style="--term-hue:[^"]*"/g, ''),
  };
  const el = document.querySelector('[data-testid="logs"]').children[1];
  const out = {};
  for (const [name, html] of Object.entries(variants)) {
    const alt = html.replace('S1</span>', 'S1 </span>');
    const t = [];
    for (let i = 0; i < 30; i++) {
      const a = performance.now(); el.innerHTML = i % 2 ? html : alt; const b = performance.now(); void el.offsetHeight; const c = performance.now();
      t.push([b - a, c - b]);
    }
    t.sort((x, y) => (x[0] + x[1]) - (y[0] + y[1]));
    out[name] = { bytes: html.length, parse: t[15][0].toFixed(2), layout: t[15][1].toFixed(2), nodes: el.querySelectorAll('*').length };
  }
  return out;
});
console.log(r);
await ctx.close(); server.close();
