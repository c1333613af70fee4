// Commit messages and pull request descriptions from a local model, end to end: a real server
// on a real repository, and a local HTTP server speaking Ollama's API in place of the model.
// Off until configured (503 with the reason); the real change's diff goes to /api/chat and to
// nothing else; a message that names a file the change doesn't touch loses it (listed in
// `removed`), one whose subject is such a claim is refused; garbage, nothing, an error page and
// a slow model end in clear errors within the timeout; the answer streams as NDJSON, and a
// client that goes away stops the model's request.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fixtures/ollama.js';
import { createRepo, createUser, gitOk, makeRepo, tempDir } from '../fixtures/rig.js';
import { startInProcess, type InProcessServer } from './in-process.js';

const ALICE: [string, string] = ['alice', 'alice-pass-123']; // owns alice/proj, site admin
const CAROL: [string, string] = ['carol', 'carol-pass-123']; // read collaborator on alice/proj

let s: InProcessServer;
let fake: FakeOllama;

const b64 = (text: string) => Buffer.from(text).toString('base64');
const api = (method: string, p: string, json?: unknown, opts: { auth?: [string, string]; headers?: Record<string, string>; signal?: AbortSignal } = {}) =>
  fetch(`${s.url}/api/v1${p}`, {
    method,
    headers: {
      Authorization: `Basic ${Buffer.from((opts.auth ?? ALICE).join(':')).toString('base64')}`,
      ...(json !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...opts.headers,
    },
    body: json === undefined ? undefined : JSON.stringify(json),
    signal: opts.signal,
  });
const settings = async (patch: Record<string, unknown>) => {
  const res = await api('PATCH', '/admin/settings', patch);
  expect(res.status, await res.clone().text()).toBe(200);
};
async function json<T = Record<string, unknown>>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}
const tip = async (branch = 'main') => (await gitOk(['--git-dir', path.join(s.data, 'repos', 'alice', 'proj.git'), 'rev-parse', `refs/heads/${branch}`])).trim();
const readmeSha = async () => (await gitOk(['--git-dir', path.join(s.data, 'repos', 'alice', 'proj.git'), 'rev-parse', 'main:README.md'])).trim();

/** A change set for the editor's commit dialog: a new file with a function, and the README updated. */
async function change(): Promise<Record<string, unknown>> {
  return {
    branch: 'main',
    files: [
      { operation: 'create', path: 'src/greet.ts', content: b64('export function greet(name: string) {\n  return `Hello, ${name}`;\n}\n') },
      { operation: 'update', path: 'README.md', content: b64('# Demo\n\nHello **LAN**.\n\nCall greet() to say hello.\n'), sha: await readmeSha() },
    ],
  };
}
const commitMessage = async (body: unknown, opts: Parameters<typeof api>[3] = {}) => api('POST', '/repos/alice/proj/ai/commit-message', body, opts);

/** Reads an NDJSON response line by line. */
async function* ndjson(res: Response): AsyncGenerator<Record<string, unknown>> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) if (l.trim()) yield JSON.parse(l) as Record<string, unknown>;
  }
  if (buf.trim()) yield JSON.parse(buf) as Record<string, unknown>;
}

beforeAll(async () => {
  fake = await startFakeOllama();
  s = await startInProcess();
  await s.app.services.users.create({ username: ALICE[0], password: ALICE[1], email: 'alice@example.test', isAdmin: true });
  await createUser(s, ...CAROL, { via: ALICE });
  await createRepo(s, ALICE, { name: 'proj' });
  expect((await api('PUT', '/repos/alice/proj/collaborators/carol', { permission: 'read' })).status).toBe(204);
  const src = await tempDir();
  await makeRepo(src, 2);
  await gitOk(['push', '-q', s.gitUrl('alice/proj.git', ALICE), 'main'], { cwd: src });
  // a feature branch for pull request descriptions: one commit that adds a farewell
  await gitOk(['checkout', '-q', '-b', 'feature/farewell'], { cwd: src });
  await gitOk(['mv', 'src/index.ts', 'src/main.ts'], { cwd: src });
  await writeFile(path.join(src, 'src', 'farewell.ts'), 'export function farewell() {\n  return "bye";\n}\n');
  await gitOk(['add', '-A'], { cwd: src });
  await gitOk(['-c', 'user.name=A', '-c', 'user.email=a@example.test', 'commit', '-q', '-m', 'Add farewell (#7)'], { cwd: src });
  await gitOk(['push', '-q', s.gitUrl('alice/proj.git', ALICE), 'feature/farewell'], { cwd: src });
}, 60_000);
afterAll(async () => {
  await s?.stop();
  await fake?.stop();
});

describe('while no model is configured', () => {
  it('says it is off, and answers 503 with the reason', async () => {
    expect(await json(await api('GET', '/ai'), 200)).toEqual({ enabled: false, model: null });
    const res = await commitMessage(await change());
    const body = await json<{ message: string }>(res, 503);
    expect(body.message).toMatch(/off: a site administrator sets the Ollama host and model/);
    expect(fake.requests).toHaveLength(0);
  });

  it('needs a signed-in user', async () => {
    expect((await fetch(`${s.url}/api/v1/ai`)).status).toBe(401);
  });

  it.each([
    ['ftp://127.0.0.1:11434', /http:\/\/ or https:\/\//],
    ['http://user:secret@127.0.0.1:11434', /user name or password/],
    ['http://127.0.0.1:11434/?x=1', /query or fragment/],
    ['https://ollama.com', /not a cloud service/],
  ])('refuses %j as the Ollama host', async (host, why) => {
    const res = await api('PATCH', '/admin/settings', { 'ai.ollamaHost': host });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { message: string }).message).toMatch(why);
  });
});

describe('with the local model configured', () => {
  beforeAll(async () => {
    await settings({ 'ai.ollamaHost': `${fake.url}/`, 'ai.model': 'tiny-coder:1b', 'ai.timeoutSeconds': 2 });
  });

  it('reports the model', async () => {
    expect(await json(await api('GET', '/ai', undefined, { auth: CAROL }), 200)).toEqual({ enabled: true, model: 'tiny-coder:1b' });
  });

  it("sends the change set's real diff to /api/chat and returns the suggestion; nothing is committed", async () => {
    const before = await tip();
    fake.reply = { kind: 'text', text: 'Add greet() in src/greet.ts\n\nThe README now tells how to call greet().' };
    const seen = fake.requests.length;
    const out = await json(await commitMessage(await change()), 200);
    expect(out).toEqual({ subject: 'Add greet() in src/greet.ts', body: 'The README now tells how to call greet().', removed: [] });
    const req = fake.requests.slice(seen);
    expect(req).toHaveLength(1);
    expect(req[0]).toMatchObject({ method: 'POST', path: '/api/chat', body: { model: 'tiny-coder:1b', stream: true } });
    const prompt = req[0]!.body!.messages!.map((m) => m.content).join('\n');
    expect(prompt).toContain('### src/greet.ts (added, +3 \u22120)');
    expect(prompt).toContain('+export function greet(name: string) {');
    expect(prompt).toContain('+Call greet() to say hello.');
    expect(prompt).toContain('Branch: main');
    expect(await tip()).toBe(before);
  });

  it('removes a file the diff does not contain and lists it in `removed`', async () => {
    fake.reply = { kind: 'text', text: 'Add a greeting to src/greet.ts and docs/missing.md\n\nAdds greet().\n\n- Update README.md\n- Delete the old docs/missing.md\n' };
    const out = await json(await commitMessage(await change()), 200);
    expect(out).toEqual({ subject: 'Add a greeting to src/greet.ts', body: 'Adds greet().\n\n- Update README.md', removed: ['docs/missing.md'] });
  });

  it('refuses a suggestion whose subject claims what the diff does not contain, with the reason', async () => {
    fake.reply = { kind: 'text', text: 'Release 4.2.0\n\nFixes #99.' };
    const out = await json<{ message: string; removed: string[] }>(await commitMessage(await change()), 422);
    expect(out.message).toMatch(/refused: its subject names "4\.2\.0", which the change does not contain/);
    expect(out.removed).toEqual(['4.2.0', '#99']);
  });

  it.each([
    ['garbage', { kind: 'garbage' } as const, 502, /not Ollama's JSON/],
    ['nothing', { kind: 'text', text: '' } as const, 502, /answered nothing/],
    ['symbols', { kind: 'text', text: '}{}{][ ## $$ %% ^^ ~~ ||' } as const, 502, /not a message/],
    ['a web page', { kind: 'html' } as const, 502, /text\/html/],
    ['an unknown model', { kind: 'error', status: 404, error: "model 'tiny-coder:1b' not found" } as const, 502, /answered 404: model 'tiny-coder:1b' not found/],
  ])('answers %s from the model with a clear error', async (_what, reply, status, message) => {
    fake.reply = reply;
    const out = await json<{ message: string }>(await commitMessage(await change()), status);
    expect(out.message).toMatch(message);
  });

  it('gives up on a model that does not start within the timeout', async () => {
    fake.reply = { kind: 'hang' };
    const t0 = Date.now();
    const out = await json<{ message: string }>(await commitMessage(await change()), 504);
    expect(out.message).toMatch(/did not start answering within 2 s/);
    expect(Date.now() - t0).toBeLessThan(6000);
    await expect.poll(() => fake.open, { timeout: 2000 }).toBe(0);
  });

  it('gives up on a model that writes too slowly to finish within the timeout', async () => {
    fake.reply = { kind: 'text', text: 'Add greet() in src/greet.ts and much more, more and more', chunks: 40, chunkDelayMs: 300 };
    const t0 = Date.now();
    const out = await json<{ message: string }>(await commitMessage(await change()), 504);
    expect(out.message).toMatch(/did not finish within 2 s/);
    expect(Date.now() - t0).toBeLessThan(6000);
  });

  it('streams the answer as NDJSON: deltas as the model writes, then the checked suggestion', async () => {
    const text = 'Add greet() in src/greet.ts\n\nGreets by name.\n- Mention it in src/nowhere.ts';
    fake.reply = { kind: 'text', text, chunks: 10, chunkDelayMs: 20 };
    const res = await commitMessage(await change(), { headers: { Accept: 'application/x-ndjson' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines: Record<string, unknown>[] = [];
    for await (const l of ndjson(res)) lines.push(l);
    const deltas = lines.filter((l) => 'delta' in l);
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.map((d) => d.delta).join('')).toBe(text);
    expect(lines[lines.length - 1]).toEqual({ done: true, subject: 'Add greet() in src/greet.ts', body: 'Greets by name.', removed: ['src/nowhere.ts'] });
  });

  it('streams a failure as an error line', async () => {
    fake.reply = { kind: 'hang' };
    const res = await commitMessage(await change(), { headers: { Accept: 'application/x-ndjson' } });
    expect(res.status).toBe(200);
    const lines: Record<string, unknown>[] = [];
    for await (const l of ndjson(res)) lines.push(l);
    expect(lines).toEqual([{ error: expect.stringMatching(/did not start answering/), status: 504 }]);
    await expect.poll(() => fake.open, { timeout: 2000 }).toBe(0);
  });

  it("stops the model's request when the client goes away (cancel)", async () => {
    fake.reply = { kind: 'text', text: 'word '.repeat(200), chunks: 200, chunkDelayMs: 50 };
    await expect.poll(() => fake.open, { timeout: 2000 }).toBe(0);
    const closed = fake.closedEarly;
    const ac = new AbortController();
    const res = await commitMessage(await change(), { headers: { Accept: 'application/x-ndjson' }, signal: ac.signal });
    const lines = ndjson(res);
    expect((await lines.next()).value).toHaveProperty('delta');
    ac.abort();
    await expect.poll(() => fake.closedEarly, { timeout: 1500 }).toBe(closed + 1);
    expect(fake.open).toBe(0);
  });

  it('needs write access for a commit message, as the commit does', async () => {
    fake.reply = { kind: 'text', text: 'Add greet()' };
    const seen = fake.requests.length;
    expect((await commitMessage(await change(), { auth: CAROL })).status).toBe(403);
    expect(fake.requests.length).toBe(seen);
  });

  it('writes a pull request title and description from the merge base to the head and its commits', async () => {
    fake.reply = { kind: 'text', text: 'Add farewell()\n\nMoves src/index.ts to src/main.ts and adds farewell() in src/farewell.ts (#7).\n\n- Bump to 2.0.0' };
    const seen = fake.requests.length;
    const out = await json(await api('POST', '/repos/alice/proj/ai/pull-description', { base: 'main', head: 'feature/farewell' }, { auth: CAROL }), 200);
    expect(out).toEqual({ title: 'Add farewell()', body: 'Moves src/index.ts to src/main.ts and adds farewell() in src/farewell.ts (#7).', removed: ['2.0.0'] });
    const prompt = fake.requests[seen]!.body!.messages!.map((m) => m.content).join('\n');
    expect(prompt).toContain('Merging feature/farewell into main');
    expect(prompt).toContain('- Add farewell (#7)');
    expect(prompt).toContain('+export function farewell() {');
    expect(prompt).toContain('src/index.ts → src/main.ts (renamed');
  });

  it('refuses a pull request description for branches that do not exist or do not differ', async () => {
    expect((await api('POST', '/repos/alice/proj/ai/pull-description', { base: 'main', head: 'nope' })).status).toBe(404);
    expect((await api('POST', '/repos/alice/proj/ai/pull-description', { base: 'main', head: 'main' })).status).toBe(422);
    expect((await api('POST', '/repos/alice/proj/ai/pull-description', { base: '--upload-pack=x', head: 'main' })).status).toBe(422);
  });

  it('only ever called /api/chat or /api/generate on the configured host', async () => {
    expect(fake.requests.length).toBeGreaterThan(10);
    for (const r of fake.requests) {
      expect(r.method).toBe('POST');
      expect(['/api/chat', '/api/generate']).toContain(r.path);
    }
  });

  it('is off again once the host is cleared', async () => {
    await settings({ 'ai.ollamaHost': '' });
    expect(await json(await api('GET', '/ai'), 200)).toEqual({ enabled: false, model: null });
    expect((await commitMessage(await change())).status).toBe(503);
  });
});
