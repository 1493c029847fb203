// The client-history check in the browser: a 10-minute Raft run with four
// simulated clients (`?bench=history`), then the linearizability and
// session checks the page runs, timed with performance.now(). Usage:
//   node historybench.mjs
import { serve, launch, BENCH_DIST } from './harness.mjs';

const { server, base } = await serve(BENCH_DIST);
const ctx = await launch();
const page = await ctx.newPage();
await page.goto(`${base}?bench=history`);
await page.waitForSelector('[data-testid="bench-result"]', { timeout: 300000 });
const [ops, simMs, checkMs, verdict] = (await page.textContent('[data-testid="bench-result"]')).trim().split(/\s+/);
console.log(`history in wasm: 10-minute Raft run with 4 clients: ${ops} operations, simulated in ${simMs} ms, checked in ${checkMs} ms (${verdict})`);
await ctx.close();
server.close();
