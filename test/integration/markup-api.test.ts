// Rendered markdown and highlighted code through the real server: a pushed README full of
// hostile HTML comes back inert in the tree view, nested markdown links resolve in its
// directory, code is highlighted, and POST /markdown(/raw) sanitize the same way, with the
// session's CSRF rules, body limits and the 404 for repositories the caller may not read.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createRepo, createUser, gitOk, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';

type Json = Record<string, any>;
const alice: [string, string] = ['alice', 'alice-pass-123'];
const bob: [string, string] = ['bob', 'bob-pass-123'];
const A = '/api/v1/repos/alice/pub';

const HOSTILE_README = `# Gitssy demo

<script>document.title = 'pwned'</script>
<img src="x.png" onerror="alert(1)">
<a href="javascript:alert(1)">js</a> <a href="JaVaScRiPt:alert(2)">mixed</a> <a href="java&#x09;script:alert(3)">tab</a>
<a href="data:text/html,<script>alert(4)</script>">data</a> <a href="//evil.example/">net</a>
<iframe src="https://evil.example/"></iframe>
<form action="https://evil.example/"><input name="q"></form>
<svg onload="alert(5)"><script>alert(6)</script></svg>
<p style="position:fixed" onclick="alert(7)">styled</p>

See the [guide](docs/guide.md) and ![logo](img/logo.png).

- [x] pushed
- [ ] reviewed
`;

let s: TestServer;
let src: string;

async function write(p: string, content: string): Promise<void> {
  await mkdir(path.dirname(path.join(src, p)), { recursive: true });
  await writeFile(path.join(src, p), content);
}

beforeAll(async () => {
  s = await startServer();
  await createUser(s, 'alice', alice[1], { admin: true });
  await createUser(s, 'bob', bob[1], { via: alice });
  src = await tempDir();
  await gitOk(['init', '-q', '-b', 'main', src]);
  await write('README.md', HOSTILE_README);
  await write('docs/guide.md', '## Guide\n\nBack to the [README](../README.md), see [api](api/index.md#auth).\n\n```ts\nconst x: string = "<b>";\n```\n');
  await write('docs/api/index.md', '# API\n');
  await write('src/app.ts', 'export function hello(name: string): string {\n  return `<b>${name}</b>`;\n}\n');
  await write('big.ts', 'export const x = 1;\n'.repeat(15_000));
  await gitOk(['add', '-A'], { cwd: src });
  await gitOk(['commit', '-q', '-m', 'hostile readme'], { cwd: src });
  await gitOk(['branch', 'feature/docs'], { cwd: src });
  await createRepo(s, alice, { name: 'pub' });
  await createRepo(s, alice, { name: 'secret', private: true });
  await gitOk(['push', '-q', s.gitUrl('alice/pub.git', alice), 'main', 'feature/docs'], { cwd: src });
  await waitFor(async () => ((await (await s.api('GET', A)).json()) as Json).empty === false);
}, 120_000);
afterAll(async () => s?.stop());

const get = async (p: string, auth?: [string, string]) => {
  const res = await s.api('GET', p, { auth });
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
};

/** What must never be in HTML the UI inserts: script-bearing elements, handlers, active URLs. */
function expectInert(html: string): void {
  expect(html).not.toMatch(/<(?:script|iframe|form|svg|style|object|embed|input(?![^>]*type="checkbox"))\b/i);
  expect(html).not.toMatch(/<[^>]+\son[a-z]+=/i);
  expect(html).not.toMatch(/<[^>]+\sstyle=/i);
  expect(html).not.toMatch(/(?:href|src)="\s*(?:javascript|data|vbscript):/i);
}

describe('the tree view', () => {
  it('returns the README rendered and sanitized with the directory listing', async () => {
    const v = await get(`${A}/tree/main`);
    expect(v.readme).toMatchObject({ name: 'README.md', path: 'README.md', type: 'file' });
    const html: string = v.readme.html;
    expectInert(html);
    expect(html).toContain('<h1 id="user-content-gitssy-demo">Gitssy demo</h1>');
    expect(html).toContain('<img src="/api/v1/repos/alice/pub/media/x.png?ref=main">');
    expect(html).toContain('<a rel="nofollow noopener">js</a> <a rel="nofollow noopener">mixed</a> <a rel="nofollow noopener">tab</a>');
    expect(html).toContain('<a href="//evil.example/" rel="nofollow noopener">net</a>');
    expect(html).toContain('<a href="/alice/pub/src/branch/main/docs/guide.md">guide</a>');
    expect(html).toContain('<img src="/api/v1/repos/alice/pub/media/img/logo.png?ref=main" alt="logo">');
    expect(html).toContain('<li class="task-list-item"><input type="checkbox" checked disabled> pushed</li>');
    expect(html).toContain('<p>styled</p>');
    // the listing itself is unchanged
    expect(v.entries.map((e: Json) => e.name)).toEqual(['docs', 'src', 'README.md', 'big.ts']);
  });

  it('links the README to the branch it was read from (a branch with a slash)', async () => {
    const v = await get(`${A}/tree/feature/docs`);
    expect(v.readme.html).toContain('<a href="/alice/pub/src/branch/feature/docs/docs/guide.md">guide</a>');
    expect(v.readme.html).toContain('/api/v1/repos/alice/pub/media/img/logo.png?ref=feature%2Fdocs');
  });

  it('renders a nested markdown file with links relative to its directory, and its highlighted source', async () => {
    const v = await get(`${A}/tree/main/docs/guide.md`);
    expect(v.readme).toBeNull();
    expect(v.file).toMatchObject({ language: 'markdown', line_count: 7, binary: false, too_large: false });
    expect(v.file.content).toContain('## Guide');
    expect(v.file.rendered_html).toContain('<a href="/alice/pub/src/branch/main/README.md">README</a>, see <a href="/alice/pub/src/branch/main/docs/api/index.md#auth">api</a>');
    expect(v.file.rendered_html).toContain('<code class="language-ts"><span class="hljs-keyword">const</span>');
    expect(v.file.highlighted_html).toContain('<span class="hljs-section">## Guide</span>');
    expectInert(v.file.rendered_html);
  });

  it('highlights code, escaping markup, one line per line', async () => {
    const v = await get(`${A}/tree/main/src/app.ts`);
    expect(v.file).toMatchObject({ language: 'typescript', line_count: 3, rendered_html: null });
    const lines = (v.file.highlighted_html as string).split('\n');
    expect(lines[0]).toBe(
      '<span class="hljs-keyword">export</span> <span class="hljs-keyword">function</span> <span class="hljs-title function_">hello</span>(<span class="hljs-params"><span class="hljs-attr">name</span>: <span class="hljs-built_in">string</span></span>): <span class="hljs-built_in">string</span> {',
    );
    expect(lines[1]).toContain('<span class="hljs-string">`&lt;b&gt;<span class="hljs-subst">${name}</span>&lt;/b&gt;`</span>');
  });

  it('does not highlight a file over the line limit but still counts its lines', async () => {
    const v = await get(`${A}/tree/main/big.ts`);
    expect(v.file).toMatchObject({ language: 'typescript', line_count: 15_000, highlighted_html: null, rendered_html: null });
    expect(v.file.content).toHaveLength('export const x = 1;\n'.length * 15_000);
  });

  it('answers a warm tree view from the cache (prints timings, not asserted)', async () => {
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await get(`${A}/tree/main`);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`tree view with README, warm: p50 ${times[10]!.toFixed(1)} ms, max ${times[19]!.toFixed(1)} ms over 20 requests`);
  });
});

describe('POST /markdown', () => {
  const post = (body: unknown, auth: [string, string] | undefined = alice) => s.api('POST', '/api/v1/markdown', { auth, json: body });

  it('renders GFM sanitized, as sandboxed text/html', async () => {
    const res = await post({ text: HOSTILE_README, mode: 'gfm', context: 'alice/pub' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expectInert(html);
    expect(html).toContain('<a href="/alice/pub/src/branch/main/docs/guide.md">guide</a>');
  });

  it("accepts Gitea's capitalised field names, and a /src/… context naming a file", async () => {
    const res = await post({ Text: '[up](../README.md) [side](b.md)', Mode: 'file', Context: '/alice/pub/src/branch/feature/docs/docs/guide.md' });
    expect(await res.text()).toBe('<p><a href="/alice/pub/src/branch/feature/docs/README.md">up</a> <a href="/alice/pub/src/branch/feature/docs/docs/b.md">side</a></p>');
  });

  it('mode "markdown" ignores the context; anonymous callers may render', async () => {
    const res = await post({ text: '[a](b.md)', mode: 'markdown', context: 'alice/pub' }, undefined);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<p><a href="b.md">a</a></p>');
  });

  it('answers 404 for a context repository the caller may not read, like a missing one', async () => {
    const asBob = await post({ text: 'x', mode: 'gfm', context: 'alice/secret' }, bob);
    const missing = await post({ text: 'x', mode: 'gfm', context: 'alice/nope' }, bob);
    expect([asBob.status, missing.status]).toEqual([404, 404]);
    expect(await asBob.json()).toEqual(await missing.json());
    expect((await post({ text: 'x', mode: 'gfm', context: 'alice/secret' }, alice)).status).toBe(200);
  });

  it('refuses bad modes, contexts and oversized text with a clear error', async () => {
    const mode = await post({ text: 'x', mode: 'html' });
    expect(mode.status).toBe(422);
    expect(((await mode.json()) as Json).message).toMatch(/mode/);
    const ctx = await post({ text: 'x', mode: 'gfm', context: 'just-a-name' });
    expect(ctx.status).toBe(422);
    expect(((await ctx.json()) as Json).message).toMatch(/context must be "owner\/repo"/);
    const ref = await post({ text: 'x', mode: 'gfm', context: '/alice/pub/src/branch/nope' });
    expect(ref.status).toBe(404);
    const big = await post({ text: 'x'.repeat(1024 * 1024 + 10) });
    expect(big.status).toBe(413);
  });

  it('needs the CSRF token when called with a session cookie', async () => {
    const b = new Browser(s.url);
    await b.session();
    expect((await b.request('POST', '/api/v1/auth/signin', { json: { username: 'alice', password: alice[1] } })).status).toBe(200);
    await b.session();
    const without = await b.request('POST', '/api/v1/markdown', { json: { text: '**x**' }, csrf: false });
    expect(without.status).toBe(403);
    const withToken = await b.request('POST', '/api/v1/markdown', { json: { text: '**x**' } });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toBe('<p><strong>x</strong></p>');
  });
});

describe('POST /markdown/raw', () => {
  it('renders the body as markdown, sanitized', async () => {
    const res = await s.api('POST', '/api/v1/markdown/raw', { headers: { 'Content-Type': 'text/plain' }, body: '# Hi\n\n<img src=x onerror=alert(1)>' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<h1 id="user-content-hi">Hi</h1>\n<img src="x">');
  });

  it('refuses JSON and bodies over 1 MiB', async () => {
    const asJson = await s.api('POST', '/api/v1/markdown/raw', { json: { text: 'x' } });
    expect(asJson.status).toBe(415);
    expect(((await asJson.json()) as Json).message).toMatch(/text\/plain/);
    const big = await s.api('POST', '/api/v1/markdown/raw', { headers: { 'Content-Type': 'text/plain' }, body: 'x'.repeat(1024 * 1024 + 10) });
    expect(big.status).toBe(413);
  });
});
