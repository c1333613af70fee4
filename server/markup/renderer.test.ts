// The real render worker behind its pool: hostile documents come back as the fallback within
// their budget while the event loop stays free, highlighting over budget leaves the file plain,
// and the service's cache answers repeats without asking a worker.
import { afterAll, describe, expect, it } from 'vitest';
import type { GitReadContext } from '../git/read-context.js';
import { MarkupService } from './markup-service.js';
import { MarkupRenderer, type RendererOptions } from './renderer.js';

const renderers: MarkupRenderer[] = [];
function renderer(opts: RendererOptions = {}): MarkupRenderer {
  const r = new MarkupRenderer(opts);
  renderers.push(r);
  return r;
}
afterAll(async () => {
  await Promise.all(renderers.map((r) => r.close()));
});

/** The longest the event loop went without running a timer while `work` was under way. */
async function maxLoopGap<T>(work: Promise<T>): Promise<{ value: T; gapMs: number; ms: number }> {
  const start = performance.now();
  let last = start;
  let gapMs = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
  }, 5);
  try {
    const value = await work;
    return { value, gapMs, ms: performance.now() - start };
  } finally {
    clearInterval(tick);
  }
}

/** A 2,000-line TypeScript file, about 35 characters a line (~70 ms to highlight). */
const TS_2000 = Array.from(
  { length: 2000 },
  (_, i) => [`export async function load${i}(id: string): Promise<Row | null> {\n`, `  const row = await db.get(\`item-\${id}\`, { n: ${i} });\n`, '  if (!row) return null;\n', '}\n'][i % 4],
).join('');

/** 240 KB that micromark takes most of a minute over (emphasis runs) and markdown-it under a second. */
const SLOW_FOR_MICROMARK = 'a**'.repeat(80_000);
/** 256 KiB of unclosed image brackets: sent straight to markdown-it, which still takes a second or more. */
const BRACKETS = '!['.repeat(128 * 1024);

describe('MarkupRenderer', () => {
  it('renders markdown and highlights code in a worker, through the sanitizer', async () => {
    const r = renderer();
    expect(await r.markdown('# Hi\n\n<script>alert(1)</script>\n\n```ts\nconst a = 1;\n```', null)).toEqual({
      value:
        '<h1 id="user-content-hi">Hi</h1>\n&#x3C;script>alert(1)&#x3C;/script>\n<pre><code class="language-ts"><span class="hljs-keyword">const</span> a = <span class="hljs-number">1</span>;\n</code></pre>',
      cacheable: true,
      fellBack: null,
    });
    const h = await r.highlight('let s = "<b>";\n', 'javascript');
    expect(h).toEqual({
      value: { language: 'javascript', lines: 1, html: '<span class="hljs-keyword">let</span> s = <span class="hljs-string">"&lt;b&gt;"</span>;\n' },
      cacheable: true,
      fellBack: null,
    });
    expect(r.pool.stats).toMatchObject({ started: 1, tasks: 2, timeouts: 0 });
  });

  it('answers unknown languages and files over the limits without a worker', async () => {
    const r = renderer();
    expect(await r.highlight('x\n', null)).toMatchObject({ value: { language: null, html: null, lines: 1 } });
    expect(await r.highlight('\n'.repeat(10_001), 'python')).toMatchObject({ value: { html: null, lines: 10_001 } });
    expect(await r.markdown(Buffer.alloc(5 * 1024 * 1024 + 1, 'a'), null)).toEqual({ value: null, cacheable: true, fellBack: null });
    expect(r.pool.stats.tasks).toBe(0);
  });

  it('gives a document micromark chokes on to markdown-it in a fresh worker, within the budgets, the event loop free throughout', async () => {
    const fell: string[] = [];
    const r = renderer({ budgets: { markdownMs: 500, fallbackMs: 5_000 }, onFallback: (e) => fell.push(`${e.kind} ${e.reason} ${e.bytes}`) });
    await r.markdown('warm', null); // the worker is up: what follows measures rendering, not start-up
    const { value, gapMs, ms } = await maxLoopGap(r.markdown(SLOW_FOR_MICROMARK, null));
    expect(value.fellBack).toBe('timeout');
    expect(value.cacheable).toBe(true);
    expect(value.value!.startsWith('<p>a<strong>a</strong>a<strong>a</strong>')).toBe(true);
    expect(fell).toEqual([`markdown timeout ${SLOW_FOR_MICROMARK.length}`]);
    // 500 ms of budget, a fresh worker's start and markdown-it's fraction of a second; micromark alone would take a minute
    expect(ms).toBeLessThan(15_000);
    expect(gapMs).toBeLessThan(250);
    expect(r.pool.stats).toMatchObject({ timeouts: 1, started: 2 });
  });

  it('shows 128k unclosed brackets as escaped text once markdown-it has run out of time too, and renders the next document', async () => {
    const r = renderer({ budgets: { markdownMs: 100 } });
    await r.markdown('warm', null);
    const { value, gapMs, ms } = await maxLoopGap(r.markdown(BRACKETS, null));
    // the worker said it had switched to markdown-it, so there is no second try: straight to <pre>
    expect(value).toEqual({ value: `<pre>${BRACKETS}</pre>`, cacheable: true, fellBack: 'timeout' });
    expect(ms).toBeLessThan(1_500);
    expect(gapMs).toBeLessThan(250);
    expect(r.pool.stats.timeouts).toBe(1);
    expect(await r.markdown('**next**', null)).toEqual({ value: '<p><strong>next</strong></p>', cacheable: true, fellBack: null });
  });

  it('escapes the text when both engines run out of time', async () => {
    const r = renderer({ budgets: { markdownMs: 200, fallbackMs: 1 } });
    const doc = `<b>bold</b> & ${SLOW_FOR_MICROMARK}`;
    const { value } = await r.markdown(doc, null);
    expect(value).toBe(`<pre>&#x3C;b>bold&#x3C;/b> &#x26; ${SLOW_FOR_MICROMARK}</pre>`);
    expect(r.pool.stats.timeouts).toBe(2);
  });

  it('leaves a file plain when highlighting runs out of time, and highlights the next one', async () => {
    const r = renderer({ budgets: { highlightMs: 1 } });
    const h = await r.highlight(TS_2000, 'typescript');
    expect(h).toEqual({ value: { language: 'typescript', html: null, lines: 2000 }, cacheable: true, fellBack: 'timeout' });
    const quick = renderer();
    expect((await quick.highlight(TS_2000, 'typescript')).value.html).toContain('<span class="hljs-keyword">export</span>');
    r.budgets.highlightMs = 30_000;
    expect((await r.highlight('const a = 1;\n', 'typescript')).value.html).toBe('<span class="hljs-keyword">const</span> a = <span class="hljs-number">1</span>;\n');
    expect(r.pool.stats).toMatchObject({ started: 2, timeouts: 1 });
  });

  it('stands in with escaped text, not cached, when the pool is closed', async () => {
    const r = renderer();
    await r.close();
    expect(await r.markdown('a < b', null)).toEqual({ value: '<pre>a &#x3C; b</pre>', cacheable: false, fellBack: 'closed' });
    expect(await r.highlight('const a = 1;\n', 'typescript')).toEqual({ value: { language: 'typescript', html: null, lines: 1 }, cacheable: false, fellBack: 'closed' });
  });
});

describe('MarkupService over the render workers', () => {
  // the /markdown API path reads no git: a context is never used
  const noGit = {} as GitReadContext;

  it('answers a repeat from the cache without a worker', async () => {
    const r = renderer();
    const markup = new MarkupService(noGit, { renderer: r });
    const html = await markup.markdown('# Cached', null);
    expect(html).toBe('<h1 id="user-content-cached">Cached</h1>');
    const tasks = r.pool.stats.tasks;
    await r.close(); // a closed pool would stand in with <pre>: only the cache can answer this
    expect(await markup.markdown('# Cached', null)).toBe(html);
    expect(r.pool.stats.tasks).toBe(tasks);
    expect(markup.stats).toEqual({ hits: 1, misses: 1 });
  });

  it('renders concurrent misses for the same text once', async () => {
    const r = renderer();
    const markup = new MarkupService(noGit, { renderer: r });
    const all = await Promise.all([1, 2, 3].map(() => markup.markdown('*same*', null)));
    expect(all).toEqual(['<p><em>same</em></p>', '<p><em>same</em></p>', '<p><em>same</em></p>']);
    expect(r.pool.stats.tasks).toBe(1);
    expect(markup.stats).toEqual({ hits: 2, misses: 1 });
  });

  it('does not cache a stand-in for a closed pool', async () => {
    const r = renderer();
    await r.close();
    const markup = new MarkupService(noGit, { renderer: r });
    expect(await markup.markdown('# x', null)).toBe('<pre># x</pre>');
    expect(await markup.markdown('# x', null)).toBe('<pre># x</pre>');
    expect(markup.stats).toEqual({ hits: 0, misses: 2 });
  });

  it('caches the fallback of a document over budget, so it costs the budget once', async () => {
    const r = renderer({ budgets: { markdownMs: 100 } });
    const markup = new MarkupService(noGit, { renderer: r });
    const first = await markup.markdown(BRACKETS, null);
    const t = performance.now();
    expect(await markup.markdown(BRACKETS, null)).toBe(first);
    expect(performance.now() - t).toBeLessThan(250);
    expect(r.pool.stats).toMatchObject({ tasks: 1, timeouts: 1 });
  });
});
