// Simulation speed in the browser against native, on the same machine in
// one run: reads the native figures (`name events wall_ms` per protocol,
// from `cargo run --release --example native_load`) on stdin, runs the same
// workload in headless Chromium (`?bench=sim`), and prints events per second
// for both and their ratio (goal: wasm at least 0.7x native). Usage:
//   cargo run -q --release --example native_load | node simbench.mjs
import { serve, launch, BENCH_DIST } from './harness.mjs';

const input = await new Promise((ok) => { let s = ''; process.stdin.on('data', (d) => { s += d; }); process.stdin.on('end', () => ok(s)); });
const parse = (text) => Object.fromEntries(text.trim().split('\n').map((l) => {
  const [name, events, ms] = l.trim().split(/\s+/);
  return [name, { events: Number(events), ms: Number(ms) }];
}));
const native = parse(input);
const { server, base } = await serve(BENCH_DIST);
const ctx = await launch();
const page = await ctx.newPage();
await page.goto(`${base}?bench=sim`);
await page.waitForSelector('[data-testid="bench-result"]', { timeout: 300000 });
const wasm = parse(await page.textContent('[data-testid="bench-result"]'));
for (const [name, n] of Object.entries(native)) {
  const w = wasm[name];
  if (!w) {
    console.log(`sim speed ${name.padEnd(6)} native ${(n.events / n.ms / 1e3).toFixed(2)} M events/s (not in the browser build)`);
    continue;
  }
  const rate = (r) => r.events / r.ms * 1000;
  console.log(`sim speed ${name.padEnd(6)} native ${(rate(n) / 1e6).toFixed(2)} M events/s, wasm ${(rate(w) / 1e6).toFixed(2)} M events/s: ${(rate(w) / rate(n)).toFixed(2)}x${w.events === n.events ? '' : ' (event counts differ!)'}`);
}
await ctx.close();
server.close();
