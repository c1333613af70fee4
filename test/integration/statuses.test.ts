// Commit statuses in Gitea's shapes (POST|GET /repos/{o}/{r}/statuses/{sha},
// GET …/commits/{ref}/statuses and …/commits/{ref}/status) against the real server: history
// kept and the newest per context current, the combined state, paging, refs by branch, tag and
// id, who may post and read, bad input refused with nothing stored, and the live and durable
// `status.created` events.
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, gitOk, makeRepo, startServer, tempDir, type TestServer } from '../fixtures/rig.js';
import { query } from './outbox-probe.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
const bob: [string, string] = ['bob', 'bob-pass-123'];
const dave: [string, string] = ['dave', 'dave-pass-123'];

interface Status {
  id: number;
  state: string;
  target_url: string;
  description: string;
  url: string;
  context: string;
  creator: { id: number; login: string; username: string; email: string } | null;
  created_at: string;
  updated_at: string;
}
interface Combined {
  state: string;
  sha: string;
  total_count: number;
  statuses: Status[];
  repository: { id: number; full_name: string; private: boolean };
  commit_url: string;
  url: string;
}

let s: TestServer;
let src: string;
/** main's tip, its parent (feature/x's tip) and the root commit (tag v1, annotated). */
let head: string;
let parent: string;
let root: string;
let tagObject: string;

beforeAll(async () => {
  s = await startServer();
  await createUser(s, 'alice', alice[1], { admin: true });
  for (const [name, pass] of [bob, dave]) await createUser(s, name, pass, { via: alice });
  src = await tempDir();
  head = await makeRepo(src, 3);
  parent = (await gitOk(['rev-parse', 'HEAD~1'], { cwd: src })).trim();
  root = (await gitOk(['rev-parse', 'HEAD~2'], { cwd: src })).trim();
  await gitOk(['tag', '-a', 'v1', '-m', 'first', root], { cwd: src });
  tagObject = (await gitOk(['rev-parse', 'v1'], { cwd: src })).trim();
  await createRepo(s, alice, { name: 'ci' });
  await createRepo(s, alice, { name: 'secret', private: true });
  for (const repo of ['ci', 'secret']) {
    await gitOk(['push', '-q', s.gitUrl(`alice/${repo}.git`, alice), 'main', `${parent}:refs/heads/feature/x`, 'v1'], { cwd: src });
  }
  expect((await s.api('PUT', '/api/v1/repos/alice/ci/collaborators/bob', { auth: alice, json: { permission: 'read' } })).status).toBe(204);
  expect((await s.api('PUT', '/api/v1/repos/alice/secret/collaborators/bob', { auth: alice, json: { permission: 'read' } })).status).toBe(204);
});
afterAll(async () => s?.stop());

async function post(repo: string, sha: string, body: unknown, who: [string, string] | { token: string } = alice): Promise<Response> {
  return s.api('POST', `/api/v1/repos/alice/${repo}/statuses/${sha}`, { ...(Array.isArray(who) ? { auth: who } : who), json: body });
}
async function posted(repo: string, sha: string, body: Record<string, unknown>): Promise<Status> {
  const res = await post(repo, sha, body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Status;
}
async function combined(repo: string, ref: string, who: [string, string] | undefined = alice): Promise<Combined> {
  const res = await s.api('GET', `/api/v1/repos/alice/${repo}/commits/${ref}/status`, who ? { auth: who } : {});
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Combined;
}
async function statuses(p: string, who: [string, string] | undefined = alice): Promise<{ list: Status[]; total: number; link: string | null }> {
  const res = await s.api('GET', p, who ? { auth: who } : {});
  expect(res.status, await res.clone().text()).toBe(200);
  return { list: (await res.json()) as Status[], total: Number(res.headers.get('x-total-count')), link: res.headers.get('link') };
}
const storedFor = async (sha: string) => (await query<{ n: number }>(s.data, 'SELECT count(*) AS n FROM commit_statuses WHERE sha = ?', sha))[0]!.n;
const eventsFor = async (sha: string) =>
  (await query<{ payload: string }>(s.data, "SELECT payload FROM events WHERE type = 'status.created' ORDER BY id"))
    .map((e) => JSON.parse(e.payload) as { repoId: number; sha: string; context: string; state: string; id: number })
    .filter((e) => e.sha === sha);

describe('posting a status', () => {
  it("answers 201 with Gitea's CommitStatus", async () => {
    const st = await posted('ci', root, { state: 'success', context: 'shape', description: '  all good  ', target_url: 'https://ci.example.test/runs/1' });
    expect(st).toMatchObject({ state: 'success', context: 'shape', description: 'all good', target_url: 'https://ci.example.test/runs/1' });
    expect(st.id).toBeGreaterThan(0);
    expect(st.url).toBe(`${s.url}/api/v1/repos/alice/ci/statuses/${root}`);
    expect(st.creator).toMatchObject({ login: 'alice', username: 'alice' });
    expect(new Date(st.created_at).toISOString()).toBe(st.created_at);
    expect(st.updated_at).toBe(st.created_at);
  });

  it('gives a status without a context the context "default", and accepts an upper-case id', async () => {
    const st = await posted('ci', root.toUpperCase(), { state: 'pending' });
    expect(st.context).toBe('default');
    expect(st.target_url).toBe('');
    expect(st.description).toBe('');
    expect(st.url.endsWith(`/statuses/${root}`)).toBe(true);
  });

  it('records a durable status.created event with the status', async () => {
    const st = await posted('ci', root, { state: 'failure', context: 'outbox' });
    const repoId = ((await (await s.api('GET', '/api/v1/repos/alice/ci', { auth: alice })).json()) as { id: number }).id;
    expect(await eventsFor(root)).toContainEqual({ repoId, sha: root, context: 'outbox', state: 'failure', id: st.id });
  });
});

describe('the combined status', () => {
  it('is "" with no statuses, then follows the newest status of each context', async () => {
    const none = await combined('ci', 'main');
    expect(none).toMatchObject({ state: '', sha: head, total_count: 0, statuses: [] });

    await posted('ci', head, { state: 'pending', context: 'gitssy/ci' });
    expect((await combined('ci', 'main')).state).toBe('pending');
    await posted('ci', head, { state: 'success', context: 'gitssy/ci' });
    let c = await combined('ci', 'main');
    expect(c).toMatchObject({ state: 'success', total_count: 1 });
    expect(c.statuses.map((x) => [x.context, x.state])).toEqual([['gitssy/ci', 'success']]);

    await posted('ci', head, { state: 'pending', context: 'lint' });
    expect((await combined('ci', 'main')).state).toBe('pending');
    await posted('ci', head, { state: 'warning', context: 'lint' });
    expect((await combined('ci', 'main')).state).toBe('success');
    await posted('ci', head, { state: 'error', context: 'lint' });
    expect((await combined('ci', 'main')).state).toBe('failure');
    // the newest status of a context replaces its earlier ones
    await posted('ci', head, { state: 'success', context: 'lint' });
    expect((await combined('ci', 'main')).state).toBe('success');
    await posted('ci', head, { state: 'failure', context: 'gitssy/ci' });
    c = await combined('ci', head);
    expect(c.state).toBe('failure');
    expect(c.total_count).toBe(2);
    // newest first, one per context
    expect(c.statuses.map((x) => [x.context, x.state])).toEqual([
      ['gitssy/ci', 'failure'],
      ['lint', 'success'],
    ]);
    expect(c.repository).toMatchObject({ full_name: 'alice/ci', private: false });
    expect(c.url).toBe(`${s.url}/api/v1/repos/alice/ci/commits/${head}/status`);
    // the history is kept: seven posts on this commit
    expect((await statuses(`/api/v1/repos/alice/ci/statuses/${head}?limit=50`)).total).toBe(7);
  });

  it('is read the same by branch, full id and annotated tag (peeled to its commit)', async () => {
    expect((await combined('ci', 'main')).sha).toBe(head);
    expect((await combined('ci', head)).sha).toBe(head);
    const tagged = await combined('ci', 'v1');
    expect(tagged.sha).toBe(root);
    expect(tagged.statuses.map((x) => x.context).sort()).toEqual(['default', 'outbox', 'shape']);
    expect(tagged.state).toBe('failure');
  });

  it('answers 404 for a ref that does not exist', async () => {
    expect((await s.api('GET', '/api/v1/repos/alice/ci/commits/no-such-branch/status', { auth: alice })).status).toBe(404);
    expect((await s.api('GET', '/api/v1/repos/alice/ci/commits/no-such-branch/statuses', { auth: alice })).status).toBe(404);
  });
});

describe('listing statuses', () => {
  let ids: number[];
  beforeAll(async () => {
    ids = [];
    for (const [i, state] of (['pending', 'success', 'failure', 'success', 'error'] as const).entries()) {
      ids.push((await posted('ci', parent, { state, context: `page-${i % 2}`, description: `run ${i}` })).id);
    }
  });

  it('pages newest first with X-Total-Count and a Link header', async () => {
    const first = await statuses(`/api/v1/repos/alice/ci/statuses/${parent}?limit=2`);
    expect(first.total).toBe(5);
    expect(first.list.map((x) => x.id)).toEqual([ids[4], ids[3]]);
    expect(first.link).toContain('rel="next"');
    const last = await statuses(`/api/v1/repos/alice/ci/statuses/${parent}?limit=2&page=3`);
    expect(last.list.map((x) => x.id)).toEqual([ids[0]]);
    expect(last.link).not.toContain('rel="next"');
  });

  it("sorts and filters as Gitea's sort and state take them", async () => {
    expect((await statuses(`/api/v1/repos/alice/ci/statuses/${parent}?sort=oldest`)).list.map((x) => x.id)).toEqual(ids);
    const ok = await statuses(`/api/v1/repos/alice/ci/statuses/${parent}?state=success`);
    expect(ok.total).toBe(2);
    expect(ok.list.map((x) => x.id)).toEqual([ids[3], ids[1]]);
    expect((await s.api('GET', `/api/v1/repos/alice/ci/statuses/${parent}?state=bogus`, { auth: alice })).status).toBe(422);
    expect((await s.api('GET', `/api/v1/repos/alice/ci/statuses/${parent}?limit=51`, { auth: alice })).status).toBe(422);
  });

  it('finds the same statuses by branch (with a slash, plain or encoded), by full id and by short id', async () => {
    const byId = (await statuses(`/api/v1/repos/alice/ci/statuses/${parent}`)).list.map((x) => x.id);
    expect(byId).toHaveLength(5);
    for (const ref of ['feature/x', 'feature%2Fx', parent, parent.slice(0, 10)]) {
      expect((await statuses(`/api/v1/repos/alice/ci/commits/${ref}/statuses`)).list.map((x) => x.id)).toEqual(byId);
    }
    expect((await statuses(`/api/v1/repos/alice/ci/statuses/feature%2Fx`)).list.map((x) => x.id)).toEqual(byId);
    const c = await combined('ci', 'feature/x');
    expect(c.sha).toBe(parent);
    // page-0 ended in error, page-1 in success
    expect(c.state).toBe('failure');
    expect(c.statuses.map((x) => x.context)).toEqual(['page-0', 'page-1']);
  });
});

describe('who may post and read', () => {
  it('refuses a reader with 403 and an anonymous caller with 401', async () => {
    const before = await storedFor(parent);
    const res = await post('ci', parent, { state: 'success', context: 'bob' }, bob);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toMatch(/write access/);
    expect((await s.api('POST', `/api/v1/repos/alice/ci/statuses/${parent}`, { json: { state: 'success' } })).status).toBe(401);
    expect(await storedFor(parent)).toBe(before);
    // but a reader reads
    expect((await statuses(`/api/v1/repos/alice/ci/statuses/${parent}`, bob)).total).toBe(before);
  });

  it('answers 404 for a private repository to anonymous callers and non-readers, on every route', async () => {
    await posted('secret', head, { state: 'success', context: 'hidden' });
    for (const p of [`/api/v1/repos/alice/secret/statuses/${head}`, `/api/v1/repos/alice/secret/commits/main/statuses`, `/api/v1/repos/alice/secret/commits/main/status`]) {
      expect((await s.api('GET', p)).status, p).toBe(404);
      expect((await s.api('GET', p, { auth: dave })).status, p).toBe(404);
      expect((await s.api('GET', p, { auth: bob })).status, p).toBe(200);
    }
    expect((await post('secret', head, { state: 'success' }, dave)).status).toBe(404);
    expect((await combined('secret', 'main', bob)).statuses.map((x) => x.context)).toEqual(['hidden']);
  });

  it('needs a token with write:repository to post', async () => {
    const token = async (scopes: string[]) => {
      const res = await s.api('POST', '/api/v1/users/alice/tokens', { auth: alice, json: { name: `st-${scopes.join('-')}`, scopes } });
      expect(res.status).toBe(201);
      return ((await res.json()) as { sha1: string }).sha1;
    };
    const readOnly = await token(['read:repository']);
    const res = await post('ci', root, { state: 'success', context: 'token' }, { token: readOnly });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toMatch(/write:repository/);
    expect((await s.api('GET', `/api/v1/repos/alice/ci/commits/${root}/status`, { token: readOnly })).status).toBe(200);
    expect((await s.api('GET', `/api/v1/repos/alice/ci/commits/${root}/status`, { token: await token(['read:user']) })).status).toBe(403);
    expect((await post('ci', root, { state: 'success', context: 'token' }, { token: await token(['write:repository']) })).status).toBe(201);
  });
});

describe('bad input', () => {
  const missing = 'a'.repeat(40);
  const cases: [string, string, unknown, RegExp][] = [
    ['a short id', 'abc1234', { state: 'success' }, /full commit id/],
    ['39 hex digits', 'b'.repeat(39), { state: 'success' }, /full commit id/],
    ['a non-hex id', 'z'.repeat(40), { state: 'success' }, /full commit id/],
    ['a branch name', 'main', { state: 'success' }, /full commit id/],
    ['an id of no commit in the repository', missing, { state: 'success' }, /no commit/],
    ['an unknown state', '<head>', { state: 'bogus' }, /state/],
    ['no state', '<head>', { context: 'x' }, /state/],
    ['a state that is a list', '<head>', { state: ['success'] }, /state/],
    ['a javascript: target URL', '<head>', { state: 'success', target_url: 'javascript:alert(1)' }, /target_url/],
    ['an ftp target URL', '<head>', { state: 'success', target_url: 'ftp://example.test/x' }, /target_url/],
    ['a relative target URL', '<head>', { state: 'success', target_url: '/runs/1' }, /target_url/],
    ['a target URL with a space', '<head>', { state: 'success', target_url: 'https://example.test/a b' }, /target_url/],
    ['a description over 1024 characters', '<head>', { state: 'success', description: 'd'.repeat(1025) }, /description/],
    ['a context over 255 characters', '<head>', { state: 'success', context: 'c'.repeat(256) }, /context/],
    ['a context that is a number', '<head>', { state: 'success', context: 5 }, /context/],
  ];
  for (const [name, sha, body, message] of cases) {
    it(`refuses ${name} with 422 and stores nothing`, async () => {
      const target = sha === '<head>' ? head : sha;
      const before = await storedFor(head);
      const eventsBefore = (await eventsFor(head)).length;
      const res = await post('ci', target, body);
      expect(res.status).toBe(422);
      expect(((await res.json()) as { message: string }).message).toMatch(message);
      expect(await storedFor(head)).toBe(before);
      expect(await storedFor(target.toLowerCase())).toBe(sha === '<head>' ? before : 0);
      expect(await eventsFor(head)).toHaveLength(eventsBefore);
    });
  }

  it("refuses an annotated tag object's id (it names a tag, not a commit)", async () => {
    const res = await post('ci', tagObject, { state: 'success' });
    expect(res.status).toBe(422);
    expect(await storedFor(tagObject)).toBe(0);
  });
});

describe('live events', () => {
  const open: Socket[] = [];
  afterAll(() => {
    for (const sock of open) sock.disconnect();
  });

  async function socketFor(who: [string, string]): Promise<Socket> {
    const res = await s.api('POST', `/api/v1/users/${who[0]}/tokens`, { auth: who, json: { name: `rt-${Math.random().toString(36).slice(2)}`, scopes: ['all'] } });
    const token = ((await res.json()) as { sha1: string }).sha1;
    const sock = io(s.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
    open.push(sock);
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', () => resolve());
      sock.once('connect_error', reject);
    });
    return sock;
  }
  function next<T>(sock: Socket, event: string, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
      sock.once(event, (payload: T) => {
        clearTimeout(t);
        resolve(payload);
      });
    });
  }

  it('sends status.created to the sockets subscribed to the repository', async () => {
    const sock = await socketFor(bob);
    expect(await sock.timeout(10_000).emitWithAck('repo:subscribe', { repo: 'alice/secret' })).toEqual({ ok: true });
    const got = next<{ repository: { id: number; full_name: string }; sha: string; status: Status; combined_state: string }>(sock, 'status.created');
    const st = await posted('secret', head, { state: 'failure', context: 'live', target_url: 'http://ci.example.test/2' });
    const event = await got;
    expect(event.repository.full_name).toBe('alice/secret');
    expect(event.sha).toBe(head);
    expect(event.status).toMatchObject({ id: st.id, state: 'failure', context: 'live', target_url: 'http://ci.example.test/2' });
    expect(event.status.creator?.login).toBe('alice');
    // nobody's email goes to a room
    expect(event.status.creator?.email).toBe('');
    expect(event.combined_state).toBe('failure');
  });

  it("doesn't send a private repository's statuses to a socket that may not read it", async () => {
    const sock = await socketFor(dave);
    const refused = (await sock.timeout(10_000).emitWithAck('repo:subscribe', { repo: 'alice/secret' })) as { ok: boolean; code?: string };
    expect(refused).toMatchObject({ ok: false, code: 'not_found' });
    let seen = 0;
    sock.on('status.created', () => seen++);
    // a public repository's room as a control: the socket does hear that one
    expect(await sock.timeout(10_000).emitWithAck('repo:subscribe', { repo: 'alice/ci' })).toEqual({ ok: true });
    const control = next(sock, 'status.created');
    await posted('secret', head, { state: 'success', context: 'live-private' });
    await posted('ci', head, { state: 'success', context: 'live-public' });
    await control;
    expect(seen).toBe(1);
  });
});

describe('many commits at once (GET …/statuses?sha=…)', () => {
  const batch = async (repo: string, shas: string[], who: [string, string] | null = alice): Promise<Response> =>
    s.api('GET', `/api/v1/repos/alice/${repo}/statuses?${shas.map((x) => `sha=${x}`).join('&')}`, who ? { auth: who } : {});

  it("answers each commit's combined state and count as its own …/status does, '' for one with none", async () => {
    await posted('ci', root, { state: 'failure', context: 'batch-failed' });
    await posted('ci', root, { state: 'pending', context: 'batch' });
    const none = 'f'.repeat(40);
    const res = await batch('ci', [head, parent, root, none]);
    expect(res.status, await res.clone().text()).toBe(200);
    const got = (await res.json()) as Record<string, { state: string; total_count: number }>;
    expect(Object.keys(got).sort()).toEqual([head, parent, root, none].sort());
    for (const sha of [head, parent, root]) {
      const one = await combined('ci', sha);
      expect(got[sha], sha).toEqual({ state: one.state, total_count: one.total_count });
    }
    // root has failures among its contexts: a pending one doesn't hide them
    expect(got[root]!.state).toBe('failure');
    expect(got[none]).toEqual({ state: '', total_count: 0 });
  });

  it('takes one sha, and upper-case ids, keyed in lower case', async () => {
    const res = await batch('ci', [head.toUpperCase()]);
    expect(res.status).toBe(200);
    expect(Object.keys((await res.json()) as object)).toEqual([head]);
  });

  it('refuses no sha, a short or malformed id, and more than 100 commits with 422', async () => {
    expect((await s.api('GET', '/api/v1/repos/alice/ci/statuses', { auth: alice })).status).toBe(422);
    expect((await batch('ci', [head.slice(0, 10)])).status).toBe(422);
    expect((await batch('ci', [head, 'main'])).status).toBe(422);
    const many = Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(40, '0'));
    expect((await batch('ci', many)).status).toBe(422);
    expect((await batch('ci', many.slice(0, 100))).status).toBe(200);
  });

  it("answers 404 for a private repository to anonymous callers and non-readers, and the reader's answer to a reader", async () => {
    expect((await batch('secret', [head], null)).status).toBe(404);
    expect((await batch('secret', [head], dave)).status).toBe(404);
    expect((await batch('secret', [head], bob)).status).toBe(200);
  });
});
