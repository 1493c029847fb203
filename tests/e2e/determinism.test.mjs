// The page replays a link exactly as the native tests do. The browser build
// compiles its own standard library with other settings (scripts/trunk.sh:
// optimize_for_size, immediate abort), so every frozen run of
// tests/fixtures/frozen.txt is replayed in Chromium (`?bench=frozen`) and
// must reach the trace hash the native `frozen` test checks. Also: a panic
// (a wasm trap in this build) shows the banner instead of a frozen page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { serve, launch, open, BENCH_DIST } from './harness.mjs';

let server, base, ctx;
before(async () => { ({ server, base } = await serve(BENCH_DIST)); ctx = await launch(); });
after(async () => { await ctx.close(); server.close(); });

test('every frozen run replays in the page to its native trace hash', async () => {
  const text = await readFile(new URL('../fixtures/frozen.txt', import.meta.url), 'utf8');
  const want = text.trim().split('\n').map((l) => l.split('\t')).map((f) => [f[0], f[2]]);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript((t) => { window.frozenRuns = t; }, text);
  await page.goto(`${base}?bench=frozen`);
  await page.waitForSelector('[data-testid="bench-result"]', { timeout: 300000 });
  const got = (await page.textContent('[data-testid="bench-result"]')).trim().split('\n').map((l) => l.split('\t'))
    .map(([name, h]) => [name, /^\d+$/.test(h) ? BigInt(h).toString(16).padStart(16, '0') : h]);
  assert.deepEqual(errors, []);
  assert.equal(got.length, want.length, 'one hash per frozen run');
  // Every protocol is in the page now, Cassandra and MongoDB included.
  const count = (runs, p) => runs.filter(([name]) => name.startsWith(`builtin:${p}-`)).length;
  for (const p of ['mongodb', 'cassandra']) {
    assert.ok(count(got, p) >= 5 && count(got, p) === count(want, p), `every ${p} run: ${count(got, p)} of ${count(want, p)}`);
  }
  const differ = got.filter(([name, h], i) => name !== want[i][0] || h !== want[i][1]);
  assert.deepEqual(differ, [], 'runs whose hash in the page differs from the native one');
  await page.close();
});

test('a wasm trap (how a panic ends in this build) shows the banner', async () => {
  const page = await open(ctx, `${base}?preset=leader-crash`);
  assert.equal(await page.locator('[data-testid="panic-banner"]').count(), 0);
  // What the browser reports when wasm executes `unreachable`.
  await page.evaluate(() => {
    const error = new WebAssembly.RuntimeError('unreachable');
    window.dispatchEvent(new ErrorEvent('error', { error, message: error.message }));
  });
  const banner = page.locator('[data-testid="panic-banner"]');
  assert.equal(await banner.count(), 1);
  const msg = await banner.textContent();
  assert.match(msg, /simulation stopped \(unreachable\)/);
  assert.match(msg, /preset=leader-crash/);
  // Ordinary script errors are not the simulation's: no banner for them.
  const page2 = await open(ctx, `${base}?preset=leader-crash`);
  await page2.evaluate(() => window.dispatchEvent(new ErrorEvent('error', { error: new TypeError('x') })));
  assert.equal(await page2.locator('[data-testid="panic-banner"]').count(), 0);
  await page.close();
  await page2.close();
});
