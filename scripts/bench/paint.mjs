#!/usr/bin/env node
// Time to first paint of a page element in Chromium, in a process of its own so the browser's
// client never shares an event loop with a forge the calling benchmark runs in-process.
//
//   node scripts/bench/paint.mjs <url> <css selector> [--runs N]     (prints one JSON object)
//
// The browser is started and has shown a blank page before anything is timed (a visitor's
// browser is already running). Then the URL is loaded --runs times (default 3) in one tab: the
// first with an empty cache (cold), the others warm. Each run's figure is measured in the page:
// a MutationObserver notes when the selector first matches, and the time is read just after
// the next frame (requestAnimationFrame, then a message: the frame has been painted). Not the
// time the harness notices, which is later by its own round trips.
// The cold run's requests (start and end from navigation start) say where its time went.
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';

/** Installed in every page before its scripts: records when `selector` first painted. */
function watch(selector) {
  const w = /** @type {any} */ (window);
  const seen = () => {
    if (w.__paintDom !== undefined || !document.querySelector(selector)) return false;
    w.__paintDom = performance.now();
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => (w.__paintAt = performance.now());
      ch.port2.postMessage(0);
    });
    return true;
  };
  const mo = new MutationObserver(() => seen() && mo.disconnect());
  mo.observe(document, { childList: true, subtree: true });
}

export async function measurePaint(url, selector, runs = 3) {
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    return { ok: false, reason: `playwright-core not importable: ${e.message}` };
  }
  if (!existsSync(CHROMIUM)) return { ok: false, reason: `${CHROMIUM} not found (apt-get install -y chromium)` };
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const warmup = await browser.newPage();
    await warmup.goto('about:blank');
    await warmup.close();
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    await ctx.addInitScript(watch, selector);
    const page = await ctx.newPage();
    const out = [];
    let waterfall;
    for (let i = 0; i < runs; i++) {
      await page.goto(url, { waitUntil: 'commit' });
      await page.waitForFunction(() => /** @type {any} */ (window).__paintAt !== undefined, null, { timeout: 30_000 });
      const r = await page.evaluate(() => {
        const w = /** @type {any} */ (window);
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        return { inDomMs: w.__paintDom, ms: w.__paintAt, fcpMs: fcp ? fcp.startTime : null };
      });
      out.push({ run: i === 0 ? 'cold' : 'warm', ...r });
      if (i === 0)
        waterfall = await page.evaluate(() =>
          performance.getEntriesByType('resource').map((e) => ({ path: new URL(e.name).pathname, startMs: Math.round(e.startTime), endMs: Math.round(e.responseEnd), bytes: e.transferSize })),
        );
    }
    return {
      ok: true,
      runs: out,
      coldWaterfall: waterfall,
      note: `ms: from navigation start to the frame after ${selector} first matched; cold: empty cache, in a browser already running`,
    };
  } catch (e) {
    return { ok: false, reason: `Chromium run failed: ${e.message.split('\n')[0]}` };
  } finally {
    await browser.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [url, selector] = process.argv.slice(2);
  const i = process.argv.indexOf('--runs');
  if (!url || !selector) {
    console.error('usage: node scripts/bench/paint.mjs <url> <css selector> [--runs N]');
    process.exit(2);
  }
  console.log(JSON.stringify(await measurePaint(url, selector, i > 0 ? Number(process.argv[i + 1]) : 3)));
}
