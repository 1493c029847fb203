// Screenshots of a built-in scenario mid-run with the timeline (light, dark).
import { serve, launch, open, waitFor, simTime, setRange } from './harness.mjs';
const out = process.argv[2] ?? 'artifacts';
const { server, base } = await serve();
const ctx = await launch();
for (const scheme of ['light', 'dark']) {
  const page = await open(ctx, `${base}?preset=partitioned-leader`, { colorScheme: scheme, viewport: { width: 1280, height: 720 } });
  await setRange(page, 'speed', 1);
  await page.click('[data-testid="btn-play"]');
  await waitFor(page, async () => (await simTime(page)) > 4_500_000, 'time');
  await page.click('[data-testid="btn-pause"]');
  await setRange(page, 'timeline', 2805000);
  await page.click('[data-testid="btn-copy-link"]');
  await page.screenshot({ path: `${out}/preset-${scheme}.png` });
  console.log(scheme, page.problems);
  await page.close();
}
await ctx.close(); server.close();
