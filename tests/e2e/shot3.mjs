// Screenshots of the Paxos, 2PC and Zab scenarios (light and dark) for
// looking at the UI: node shot3.mjs [outdir]
import { serve, launch, open, reach } from './harness.mjs';
const out = process.argv[2] ?? 'artifacts';
const { server, base } = await serve();
const ctx = await launch();
for (const [preset, us] of [['paxos-dueling', 1_500_000], ['2pc-blocking', 2_500_000], ['zab-truncate', 3_400_000], ['paxos-leader-crash', 2_000_000]]) {
  for (const scheme of ['light', 'dark']) {
    const page = await open(ctx, `${base}?preset=${preset}`, { colorScheme: scheme, viewport: { width: 1280, height: 720 } });
    await reach(page, us);
    await page.screenshot({ path: `${out}/${preset}-${scheme}.png` });
    console.log(preset, scheme, page.problems);
    await page.close();
  }
}
await ctx.close();
server.close();
