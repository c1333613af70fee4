// Rendering off the event loop, through the real server: a README that micromark would chew on
// for a minute comes back as markdown-it's rendering within the budgets while /ping and a tree
// view keep answering at once; the markdown API falls back the same way; anonymous callers of
// the markdown API get a small budget per address and then a 429 that says what to do.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, gitOk, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';

type Json = Record<string, any>;
const alice: [string, string] = ['alice', 'alice-pass-123'];
/** The server's budgets (renderer.ts DEFAULT_BUDGETS): full pipeline, then markdown-it. */
const MARKDOWN_MS = 2_000;
const FALLBACK_MS = 2_000;
/** 240 KB of emphasis runs: micromark takes most of a minute, markdown-it under a second. */
const HOSTILE = 'a**'.repeat(80_000);
/**
 * What comes back: markdown-it's rendering, or (if a loaded machine makes markdown-it overrun its
 * budget in its cold worker too) the text escaped; never micromark's.
 */
const FALLBACK = /^(?:<p>a<strong>a<\/strong>a<strong>a<\/strong>|<pre>a\*\*a\*\*a\*\*)/;

let s: TestServer;

async function pushRepo(name: string, files: Record<string, string>): Promise<void> {
  const src = await tempDir();
  await gitOk(['init', '-q', '-b', 'main', src]);
  for (const [p, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(src, p)), { recursive: true });
    await writeFile(path.join(src, p), content);
  }
  await gitOk(['add', '-A'], { cwd: src });
  await gitOk(['commit', '-q', '-m', 'files'], { cwd: src });
  await createRepo(s, alice, { name });
  await gitOk(['push', '-q', s.gitUrl(`alice/${name}.git`, alice), 'main'], { cwd: src });
  await waitFor(async () => ((await (await s.api('GET', `/api/v1/repos/alice/${name}`)).json()) as Json).empty === false);
}

beforeAll(async () => {
  s = await startServer();
  await createUser(s, 'alice', alice[1], { admin: true });
  await pushRepo('pub', { 'README.md': '# Pub\n\nA *normal* README.\n', 'src/app.ts': 'export const a = 1;\n' });
  await pushRepo('hostile', { 'README.md': HOSTILE });
}, 120_000);
afterAll(async () => s?.stop());

/** Times cheap requests, back to back, for as long as `work` is under way (from `afterMs` on). */
async function timeWhile<T>(work: Promise<T>, cheap: () => Promise<Response>, afterMs: number): Promise<{ value: T; ms: number; times: number[] }> {
  const start = performance.now();
  let done = false;
  const value = work.finally(() => (done = true));
  await new Promise((r) => setTimeout(r, afterMs));
  const times: number[] = [];
  while (!done) {
    const t = performance.now();
    const res = await cheap();
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    if (!done) times.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { value: await value, ms: performance.now() - start, times };
}

const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return `${times.length} requests, p50 ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms`;
};

describe('rendering in worker threads', () => {
  it('serves a hostile README as the fallback within the budgets while /ping keeps answering', async () => {
    // the render worker is up and the pub README cached: what follows measures the hostile render alone
    expect((await (await s.api('GET', '/api/v1/repos/alice/pub/tree/main')).json()).readme.html).toContain('<em>normal</em>');
    const { value: res, ms, times } = await timeWhile(s.api('GET', '/api/v1/repos/alice/hostile/tree/main'), () => fetch(`${s.url}/ping`), 300);
    expect(res.status).toBe(200);
    const html: string = ((await res.json()) as Json).readme.html;
    expect(html).toMatch(FALLBACK);
    console.log(`hostile README: ${ms.toFixed(0)} ms (${html.startsWith('<pre>') ? 'escaped text' : 'markdown-it'}); /ping meanwhile: ${summary(times)}`);
    // the budgets plus a fresh worker's start, with room for a loaded machine; micromark alone takes most of a minute
    expect(ms).toBeLessThan(MARKDOWN_MS + FALLBACK_MS + 7_000);
    // the event loop stayed free: every ping answered in well under the budget
    expect(times.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...times)).toBeLessThan(MARKDOWN_MS / 2);
    expect(s.log()).toMatch(/markdown render fell back \(timeout\)/);
  });

  it('answers the fallback from the cache the second time, in well under the budget', async () => {
    const t = performance.now();
    const v = (await (await s.api('GET', '/api/v1/repos/alice/hostile/tree/main')).json()) as Json;
    expect(v.readme.html).toMatch(FALLBACK);
    expect(performance.now() - t).toBeLessThan(MARKDOWN_MS / 2);
  });

  it('renders hostile text sent to POST /markdown the same way, while tree views keep answering', async () => {
    const text = `${HOSTILE}b`; // not the README's text: a miss
    // the file view rendered once (its highlighting cached): a cold render would wait for the worker
    const file = `/api/v1/repos/alice/pub/tree/main/src/app.ts`;
    expect(((await (await s.api('GET', file, { auth: alice })).json()) as Json).file.highlighted_html).toContain('hljs-keyword');
    const post = s.api('POST', '/api/v1/markdown', { auth: alice, json: { text, mode: 'gfm', context: 'alice/pub' } });
    const { value: res, times } = await timeWhile(post, () => s.api('GET', file, { auth: alice }), 300);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(FALLBACK);
    console.log(`hostile POST /markdown; file view meanwhile: ${summary(times)}`);
    expect(times.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...times)).toBeLessThan(MARKDOWN_MS / 2);
  });
});

describe('markdown API rate limit', () => {
  it('gives anonymous callers 20 renders a minute per address, then 429 with what to do; signed-in users their own budget', async () => {
    const anon = (i: number) =>
      i % 2 ? s.api('POST', '/api/v1/markdown', { json: { text: `n${i}` } }) : s.api('POST', '/api/v1/markdown/raw', { headers: { 'Content-Type': 'text/plain' }, body: `n${i}` });
    for (let i = 0; i < 20; i++) {
      const res = await anon(i);
      expect(res.status, `call ${i + 1}`).toBe(200);
      expect(await res.text()).toBe(`<p>n${i}</p>`);
    }
    for (const i of [20, 21]) {
      const res = await anon(i);
      expect(res.status).toBe(429);
      expect(res.headers.get('ratelimit-policy')).toMatch(/q=20; w=60/);
      expect(await res.json()).toEqual({
        code: 'too_many_requests',
        message: 'too many markdown renders from your address (20 a minute without signing in); wait a minute, or sign in or send a token for a larger allowance',
      });
    }
    // the same address signed in is counted on its own
    const signedIn = await s.api('POST', '/api/v1/markdown', { auth: alice, json: { text: '**ok**' } });
    expect(signedIn.status).toBe(200);
    expect(await signedIn.text()).toBe('<p><strong>ok</strong></p>');
    // other endpoints are not limited by it
    expect((await s.api('GET', '/api/v1/repos/alice/pub')).status).toBe(200);
  });
});
