import { serve, launch, open, setRange } from './harness.mjs';
const { server, base } = await serve();
const ctx = await launch();
for (const scheme of ['light', 'dark']) {
  const page = await open(ctx, `${base}?nodes=5&seed=3`, { colorScheme: scheme, viewport: { width: 1280, height: 720 } });
  await page.fill('[data-testid="clients"]', '3');
  await page.press('[data-testid="clients"]', 'Enter');
  await setRange(page, 'speed', 1);
  await page.waitForTimeout(3000);
  await page.click('[data-testid="btn-pause"]');
  const chart = page.locator('[data-testid="metrics-chart"]');
  await chart.scrollIntoViewIfNeeded();
  console.log(await chart.getAttribute('data-peak-ops-s'), await chart.getAttribute('data-ok'));
  await chart.screenshot({ path: `/tmp/chart-${scheme}.png` });
  await page.screenshot({ path: `/tmp/page-${scheme}.png` });
  await page.close();
}
await ctx.close(); server.close();
