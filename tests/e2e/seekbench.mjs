// Seek benchmark in headless Chromium: opens the 10-minute run printed by
// `cargo run --release --example long_link` (fragment on stdin), then seeks
// to 60 random points through the timeline and reports the wall time of each
// seek as measured by the app (data-seek-ms). Usage:
//   cargo run -q --release --example long_link | node seekbench.mjs
import { serve, launch, open, setRange } from './harness.mjs';

const frag = (await new Promise((ok) => { let s = ''; process.stdin.on('data', (d) => { s += d; }); process.stdin.on('end', () => ok(s)); })).trim();
const { server, base } = await serve();
const ctx = await launch();
const t0 = Date.now();
const page = await open(ctx, `${base}#${frag}`);
const openMs = Date.now() - t0;
const frontier = Number(await page.getAttribute('[data-testid="timeline"]', 'data-frontier'));
let seed = 12345;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const times = [];
for (let i = 0; i < 60; i++) {
  const t = Math.floor(rnd() * frontier / 1000) * 1000;
  await setRange(page, 'timeline', t);
  times.push(Number(await page.getAttribute('[data-testid="timeline"]', 'data-seek-ms')));
}
times.sort((a, b) => a - b);
console.log(`link ${frag.length} characters; opening it (simulating ${(frontier / 1e6).toFixed(0)} s) took ${openMs} ms`);
console.log(`seek over a ${(frontier / 6e7).toFixed(0)}-minute run: median ${times[30].toFixed(1)} ms, worst ${times[59].toFixed(1)} ms (60 random seeks)`);
if (page.problems.length) console.log('problems:', page.problems);
await ctx.close();
server.close();
