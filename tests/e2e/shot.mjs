// Takes screenshots of the release build (light and dark, 1280x720 and
// 1920x1080) for the README and for looking at the UI: node shot.mjs [outdir]
import { serve, launch, open, waitFor, nodeStates } from './harness.mjs';
const out = process.argv[2] ?? 'artifacts';
const { server, base } = await serve();
const ctx = await launch();
for (const [scheme, w, h] of [['light', 1280, 720], ['dark', 1280, 720], ['light', 1920, 1080]]) {
  const page = await open(ctx, `${base}?nodes=5&seed=42`, { colorScheme: scheme, viewport: { width: w, height: h } });
  await page.click('[data-testid="speed"]'); // focus
  await waitFor(page, async () => (await nodeStates(page)).some((n) => n.role === 'leader'), 'leader');
  // Send a few client requests at the leader and crash one follower for a lively picture.
  for (let i = 0; i < 3; i++) {
    const leader = (await nodeStates(page)).find((n) => n.role === 'leader');
    await page.click(`[data-testid="${leader.id}"]`);
    await page.click('[data-testid="action-client-write"]');
    await page.waitForTimeout(400);
  }
  await page.click('[data-testid="link-2-3"]');
  await page.click('[data-testid="action-cut-both"]');
  await page.waitForTimeout(1500);
  await page.click('[data-testid="btn-pause"]');
  await page.screenshot({ path: `${out}/ui-${scheme}-${w}x${h}.png` });
  console.log('problems', scheme, w, page.problems);
  await page.close();
}
await ctx.close();
server.close();
