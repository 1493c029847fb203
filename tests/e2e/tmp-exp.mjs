import { serve, launch, setRange } from './harness.mjs';
const frag = (await new Promise((ok) => { let s = ''; process.stdin.on('data', (d) => { s += d; }); process.stdin.on('end', () => ok(s)); })).trim();
const { server, base } = await serve(process.env.PDIST);
const ctx = await launch();
for (const mode of (process.env.MODES ?? 'none,hide,skiphtml,nomsgs').split(',')) {
  const page = await ctx.newPage();
  await page.addInitScript((mode) => {
    const d = Object.getOwnPropertyDescriptor(Element.prototype, 'innerHTML');
    const skip = mode === 'skiphtml' ? /logs|event-log|metrics/ : mode === 'skiplogs' ? /^logs$/ : mode === 'skipevents' ? /event-log/ : mode === 'skipmetrics' ? /metrics/ : null;
    Object.defineProperty(Element.prototype, 'innerHTML', { get: d.get, set(v) {
      if (skip && window.__on) { let el = this; let id = ''; while (el && !id) { id = el.getAttribute?.('data-testid') || ''; el = el.parentElement; } if (skip.test(id)) return; }
      if (mode.startsWith('flatlogs') && window.__on && this.parentElement?.getAttribute('data-testid') === 'logs') { v = v.replace(/<span class="rv-entry-term">([^<]*)<\/span><span class="rv-entry-text">([^<]*)<\/span>/g, '$1 $2'); if (mode === 'flatlogs12') { /* keep last 12 entries per row */ v = v.replace(/(<div class="rv-log-entries">)((?:<span class="rv-entry[^>]*>[^<]*<\/span>(?:<span class="rv-commit-mark"[^>]*><\/span>)?)*)/g, (m, a, b) => { const parts = b.match(/<span class="rv-entry[^>]*>[^<]*<\/span>(?:<span class="rv-commit-mark"[^>]*><\/span>)?/g) ?? []; return a + parts.slice(-12).join(''); }); } }
      d.set.call(this, v); } });
  }, mode);
  await page.goto(`${base}#${frag}`);
  await page.waitForFunction(() => document.querySelectorAll('g[data-testid^="node-"]').length === 9, null, { timeout: 60000 });
  if (mode === 'hide') await page.addStyleTag({ content: '[data-testid="logs"],[data-testid="event-log"],[data-testid="metrics"]{display:none!important}' });
  if (process.env.CSS) await page.addStyleTag({ content: process.env.CSS });
  if (mode === 'shot') await page.screenshot({ path: '/tmp/exp-shot.png' });
  if (mode === 'nomsgs') await page.addStyleTag({ content: '.rv-msgs{display:none!important}' });
  await setRange(page, 'speed', 1);
  await page.click('[data-testid="btn-play"]');
  await page.waitForTimeout(500);
  await page.evaluate(() => { window.__on = true; });
  const r = await page.evaluate(() => new Promise((done) => {
    const frames = []; const t0 = performance.now();
    function tick(t) { frames.push(t); if (t - t0 < 8000) requestAnimationFrame(tick); else done(frames); }
    requestAnimationFrame(tick);
  }));
  const gaps = r.slice(1).map((t, i) => t - r[i]).sort((a, b) => a - b);
  console.log(mode.padEnd(12), 'frames', gaps.length, 'p50', gaps[gaps.length >> 1].toFixed(1), 'p90', gaps[Math.floor(gaps.length * 0.9)].toFixed(1), 'p95', gaps[Math.floor(gaps.length * 0.95)].toFixed(1));
  await page.close();
}
await ctx.close(); server.close();
