// Shared harness for the end-to-end tests: serves the release build (dist/)
// on 127.0.0.1, launches Debian's Chromium headless through playwright-core,
// and collects console errors and page errors so every test can assert that
// nothing went wrong (a wasm panic shows up as a console error).

import { createServer } from 'node:http';
import { readFile, mkdtemp } from 'node:fs/promises';
import { extname, join, resolve, normalize } from 'node:path';
import { tmpdir } from 'node:os';
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const DIST = process.env.DIST ?? resolve(new URL('.', import.meta.url).pathname, '../../dist');
// The benchmark build: the app plus its browser benchmarks and frozen-run
// check (`--features browser-bench`, built into dist-bench/ by
// scripts/test.sh and scripts/bench.sh).
export const BENCH_DIST = process.env.BENCH_DIST ?? resolve(new URL('.', import.meta.url).pathname, '../../dist-bench');
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export async function serve(dir = DIST) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dir)) { res.writeHead(403); res.end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404); res.end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { server, base: `http://127.0.0.1:${port}/` };
}

export async function launch() {
  const userDataDir = await mkdtemp(join(tmpdir(), 'replviz-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 720 },
    args: [
      '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return context;
}

/** Open a page and record problems: console errors, page errors, panics. */
export async function open(context, url, opts = {}) {
  const page = await context.newPage();
  if (opts.colorScheme) await page.emulateMedia({ colorScheme: opts.colorScheme });
  if (opts.viewport) await page.setViewportSize(opts.viewport);
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.problems = problems;
  await page.goto(url);
  // Fail fast, with what went wrong, when the app never draws its cluster
  // (a panic at start-up, a wasm that does not load): never wait out a
  // test's whole timeout on a dead page.
  const drawn = await page.waitForSelector('[data-testid="cluster"], [data-testid="panic-banner"]', { timeout: 15000 })
    .then(() => page.$('[data-testid="cluster"]'), () => null);
  if (!drawn) {
    await page.close();
    throw new Error(`page never drew its cluster: ${url}\n  ${problems.join('\n  ') || 'no console error'}`);
  }
  return page;
}

export async function nodeStates(page) {
  return page.$$eval('g[data-testid^="node-"]', (els) => els.map((e) => ({
    id: e.getAttribute('data-testid'),
    role: e.getAttribute('data-role'),
    term: Number(e.getAttribute('data-term')),
    up: e.getAttribute('data-up') === 'true',
  })));
}

/** Set a range input (speed, timeline) the way a drag does: value, then an input event. */
export async function setRange(page, testid, value) {
  await page.$eval(`[data-testid="${testid}"]`, (el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

/** No console or page error, no panic banner, no invariant violation. */
export async function noProblems(page) {
  assert.deepEqual(page.problems, [], 'console errors or page errors');
  assert.equal(await page.locator('[data-testid="panic-banner"]').count(), 0, 'panic banner shown');
  assert.equal(await page.getAttribute('[data-testid="invariants"]', 'data-violations'), '0');
}

export async function simTime(page) {
  return Number(await page.getAttribute('[data-testid="sim-time"]', 'data-us'));
}

export async function waitFor(page, fn, what, timeout = 20000) {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > timeout) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(50);
  }
}

/** Click "Copy link" and return the link it shows (the browser deflates it
 * asynchronously, so wait for a new one). */
export async function copyLink(page) {
  const before = await page.inputValue('[data-testid="link-output"]');
  await page.click('[data-testid="btn-copy-link"]');
  return waitFor(page, async () => {
    const v = await page.inputValue('[data-testid="link-output"]');
    return v && v !== before ? v : null;
  }, 'the copied link');
}

/** Open a node's menu and pick one of its actions (`action-{action}`). */
export async function menu(page, node, action) {
  await page.click(`[data-testid="${node}"]`);
  await page.click(`[data-testid="action-${action}"]`);
}

/** Play at 10x until virtual time passes `us`, then pause and seek exactly there. */
export async function reach(page, us) {
  await page.bringToFront(); // background tabs get no animation frames
  await setRange(page, 'speed', 1);
  if (!(await page.isDisabled('[data-testid="btn-play"]'))) await page.click('[data-testid="btn-play"]');
  await waitFor(page, async () => (await simTime(page)) > us, `time ${us}`);
  await page.click('[data-testid="btn-pause"]');
  await setRange(page, 'timeline', us);
  assert.equal(await simTime(page), us);
}
