// End-to-end tests of import and export: the scenario JSON round-trips
// through the Import button, a bad file gives a message and changes nothing,
// and the trace, SVG and PNG downloads hold what they claim.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { serve, launch, open, simTime } from './harness.mjs';

let server, base, ctx;
before(async () => { ({ server, base } = await serve()); ctx = await launch(); });
after(async () => { await ctx?.close(); server?.close(); });

async function download(page, testid) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${testid}"]`)]);
  return readFile(await d.path());
}

test('scenario, trace, SVG and PNG exports; import round trip and bad files', async () => {
  const page = await open(ctx, `${base}?preset=catch-up`);
  const scenario = JSON.parse(await download(page, 'btn-export-scenario'));
  assert.equal(scenario.v, 2, "format 2: crashes close connections");
  assert.equal(scenario.title, 'A follower falls behind and catches up');
  assert.equal(scenario.actions.length, 7);

  await page.click('[data-testid="btn-step"]');
  await page.click('[data-testid="btn-step"]');
  const trace = JSON.parse(await download(page, 'btn-export-trace'));
  assert.ok(trace.length > 5 && trace.every((e) => typeof e.text === 'string' && e.t_us >= 0));

  const svg = (await download(page, 'btn-export-svg')).toString();
  assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /data-testid="node-5"/);
  const png = await download(page, 'btn-export-png');
  assert.deepEqual([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
  assert.ok(png.length > 5000, `PNG of ${png.length} bytes`);

  // Import into a different run: the exported scenario comes back, paused at 0.
  const other = await open(ctx, `${base}?nodes=3&seed=9`);
  await other.setInputFiles('[data-testid="import-file"]', { name: 's.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(scenario)) });
  await other.waitForSelector('[data-testid="scenario-about"]');
  assert.equal((await other.$$('g[data-testid^="node-"]')).length, 5);
  assert.equal(await simTime(other), 0);
  assert.equal(await other.inputValue('[data-testid="seed"]'), String(scenario.seed));
  // A bad file: a message, nothing changed.
  await other.setInputFiles('[data-testid="import-file"]', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"nodes": 99}') });
  await other.waitForSelector('[data-testid="error-banner"]');
  assert.match(await other.textContent('[data-testid="error-banner"]'), /99 nodes.*Nothing was changed/);
  assert.equal((await other.$$('g[data-testid^="node-"]')).length, 5);
  for (const p of [page, other]) {
    assert.deepEqual(p.problems, []);
    await p.close();
  }
});
