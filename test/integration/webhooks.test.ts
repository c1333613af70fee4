// Webhooks in Gitea's shapes (/repos/{o}/{r}/hooks…, /orgs/{org}/hooks…) against the real server
// and real receivers on 127.0.0.1: targets on loopback refused until the operator allows them,
// the forge's own port never; signed deliveries (exact HMAC) for push, create, issues,
// pull_request and status; the branch filter; retries after a 500; redirects not followed; the
// check again at delivery time; organization hooks; the delivery log and redelivery; who may
// manage hooks.
import { createHmac } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, gitOk, makeRepo, tempDir, waitFor } from '../fixtures/rig.js';
import { startInProcess, type InProcessServer } from './in-process.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
const bob: [string, string] = ['bob', 'bob-pass-123'];
const carol: [string, string] = ['carol', 'carol-pass-123'];
const dave: [string, string] = ['dave', 'dave-pass-123'];
const SECRET = 's3cret-für-hooks';

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  body: Record<string, unknown>;
}

interface Receiver {
  url: string;
  port: number;
  got: Received[];
  /** The answer to the n-th request (0-based); 200 "ok" by default. */
  answer: (n: number, req: Received) => { status: number; headers?: Record<string, string>; body?: string };
  close(): Promise<void>;
}

async function receiver(answer?: Receiver['answer']): Promise<Receiver> {
  const r: Receiver = { url: '', port: 0, got: [], answer: answer ?? (() => ({ status: 200, body: 'ok' })), close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        // left empty: the test looks at raw
      }
      const got: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, body };
      const a = r.answer(r.got.length, got);
      r.got.push(got);
      res.writeHead(a.status, { 'Content-Type': 'text/plain', ...a.headers });
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.port = (server.address() as AddressInfo).port;
  r.url = `http://127.0.0.1:${r.port}/hook`;
  r.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return r;
}

let s: InProcessServer;
let src: string;
const receivers: Receiver[] = [];
async function newReceiver(answer?: Receiver['answer']): Promise<Receiver> {
  const r = await receiver(answer);
  receivers.push(r);
  return r;
}

beforeAll(async () => {
  s = await startInProcess();
  // the first administrator through the service graph (the CLI would need a build of this tree)
  await s.app.services.users.create({ username: alice[0], password: alice[1], email: 'alice@example.test', isAdmin: true });
  for (const u of [bob, carol, dave]) await createUser(s, ...u, { via: alice });
  src = await tempDir();
  await makeRepo(src, 2);
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await s?.stop();
});

async function call<T = Record<string, unknown>>(method: string, path: string, who: [string, string] | null, json?: unknown): Promise<{ status: number; body: T }> {
  const res = await s.api(method, `/api/v1${path}`, { auth: who ?? undefined, json });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function allowCidrs(list: string[]): Promise<void> {
  const r = await call('PATCH', '/admin/settings', alice, { 'webhooks.allowCidrs': list });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

interface Hook {
  id: number;
  type: string;
  config: Record<string, string>;
  events: string[];
  branch_filter: string;
  active: boolean;
  authorization_header: string;
  created_at: string;
  updated_at: string;
}
interface Delivery {
  id: number;
  uuid: string;
  event: string;
  event_type: string;
  state: string;
  attempts: number;
  status_code: number | null;
  success: boolean;
  is_test: boolean;
  redelivery_of: number | null;
  request: { url: string; headers: Record<string, string>; body: string };
  response: { status: number; headers: Record<string, string>; body: string } | null;
  error: string | null;
}

async function hook(prefix: string, url: string, extra: Record<string, unknown> = {}, who: [string, string] = alice): Promise<Hook> {
  const r = await call<Hook>('POST', `${prefix}/hooks`, who, { type: 'gitea', config: { url, content_type: 'json', secret: SECRET }, events: ['push'], active: true, ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

async function push(repo: string, message: string, ref = 'main'): Promise<string> {
  await gitOk(['commit', '-q', '--allow-empty', '-m', message], { cwd: src });
  await gitOk(['push', '-q', '--force', s.gitUrl(`${repo}.git`, alice), `HEAD:refs/heads/${ref}`], { cwd: src });
  return (await gitOk(['rev-parse', 'HEAD'], { cwd: src })).trim();
}

/** Waits until every outbox delivery (and so every webhook attempt) has had its turn. */
async function outboxIdle(): Promise<void> {
  const db = s.app.services.db;
  await waitFor(async () => {
    const r = await db
      .selectFrom('event_deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', 'in', ['pending', 'running'])
      .executeTakeFirstOrThrow();
    return Number(r.n) === 0;
  }, 30_000);
}

const hmac = (body: Buffer) => createHmac('sha256', SECRET).update(body).digest('hex');
const deliveries = async (prefix: string, id: number) => (await call<Delivery[]>('GET', `${prefix}/hooks/${id}/deliveries`, alice)).body;

describe('creating webhooks', () => {
  beforeAll(async () => {
    await createRepo(s, alice, { name: 'guarded' });
  });

  it('refuses loopback, link-local, private and unresolvable targets by default, with the reason (422)', async () => {
    const cases: [string, RegExp][] = [
      ['http://127.0.0.1:9/hook', /loopback.*webhooks\.allowCidrs/],
      ['http://localhost:9/hook', /localhost resolves to .*loopback/],
      ['http://169.254.169.254/latest/meta-data/', /link-local/],
      ['http://10.1.2.3/hook', /private \(10\.0\.0\.0\/8\)/],
      ['http://172.20.0.1/hook', /private \(172\.16\.0\.0\/12\)/],
      ['http://192.168.1.20:8080/hook', /private \(192\.168\.0\.0\/16\)/],
      ['http://[::1]:9/hook', /loopback/],
      ['http://[fd00::1]/hook', /unique local/],
      ['http://[::ffff:127.0.0.1]:9/hook', /loopback/],
      ['http://2130706433:9/hook', /127\.0\.0\.1 is a loopback/],
      ['http://0.0.0.0:9/hook', /unspecified/],
      ['http://no-such-host.invalid/hook', /could not be resolved/],
    ];
    for (const [url, reason] of cases) {
      const r = await call<{ message: string }>('POST', '/repos/alice/guarded/hooks', alice, { type: 'gitea', config: { url, content_type: 'json' }, events: ['push'], active: true });
      expect(r.status, url).toBe(422);
      expect(r.body.message, url).toMatch(reason);
    }
    expect((await call<Hook[]>('GET', '/repos/alice/guarded/hooks', alice)).body).toEqual([]);
  });

  it('refuses bad input with a clear message and stores nothing', async () => {
    const ok = { type: 'gitea', config: { url: 'http://8.8.8.8/hook', content_type: 'json' }, events: ['push'] };
    const cases: [unknown, RegExp][] = [
      [{ ...ok, config: { url: 'ftp://8.8.8.8/x', content_type: 'json' } }, /http:\/\/ or https:\/\//],
      [{ ...ok, config: { url: 'http://u:p@8.8.8.8/x', content_type: 'json' } }, /user name or password/],
      [{ ...ok, config: { url: 'not a url' } }, /not a URL/],
      [{ ...ok, config: { url: 'http://8.8.8.8/x', content_type: 'form' } }, /"form" is not supported/],
      [{ ...ok, events: ['push', 'tea_time'] }, /unknown event "tea_time"/],
      [{ ...ok, branch_filter: '{main' }, /branch_filter: .*without its "}"/],
      [{ ...ok, type: 'slack' }, /not supported/],
      [{ ...ok, config: { url: ['http://8.8.8.8/'] } }, /config\.url/],
      [{ ...ok, authorization_header: 'Bearer x\r\nX-Evil: 1' }, /one line/],
    ];
    for (const [body, reason] of cases) {
      const r = await call<{ message: string }>('POST', '/repos/alice/guarded/hooks', alice, body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.body.message, JSON.stringify(body)).toMatch(reason);
    }
    expect((await call<Hook[]>('GET', '/repos/alice/guarded/hooks', alice)).body).toEqual([]);
  });

  it('takes a target once the operator lists it in webhooks.allowCidrs, and answers in Gitea’s Hook shape without the secret', async () => {
    const r = await newReceiver();
    await allowCidrs(['127.0.0.1/32']);
    const created = await hook('/repos/alice/guarded', r.url, { branch_filter: 'main', events: ['push', 'issues'] });
    expect(created).toEqual({
      id: expect.any(Number),
      type: 'gitea',
      branch_filter: 'main',
      config: { url: r.url, content_type: 'json', http_method: 'post', branch_filter: 'main' },
      events: ['push', 'issues'],
      authorization_header: '',
      active: true,
      is_system_webhook: false,
      has_secret: true,
      owner_kind: 'repository',
      created_at: expect.stringMatching(/^\d{4}-/),
      updated_at: expect.stringMatching(/^\d{4}-/),
    });
    expect(JSON.stringify(created)).not.toContain(SECRET);
    expect((await call<Hook>('GET', `/repos/alice/guarded/hooks/${created.id}`, alice)).body).toEqual(created);
    const edited = await call<Hook>('PATCH', `/repos/alice/guarded/hooks/${created.id}`, alice, { events: ['status'], active: false, branch_filter: '' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ events: ['status'], active: false, branch_filter: '' });
    const refused = await call<{ message: string }>('PATCH', `/repos/alice/guarded/hooks/${created.id}`, alice, { config: { url: 'http://169.254.169.254/' } });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toMatch(/link-local/);
    expect((await call<Hook>('GET', `/repos/alice/guarded/hooks/${created.id}`, alice)).body.config.url).toBe(r.url);
    expect((await call('DELETE', `/repos/alice/guarded/hooks/${created.id}`, alice)).status).toBe(204);
    expect((await call('GET', `/repos/alice/guarded/hooks/${created.id}`, alice)).status).toBe(404);
  });

  it("refuses the forge's own HTTP port even when loopback is allowed", async () => {
    await allowCidrs(['127.0.0.0/8', '::1/128']);
    for (const url of [`${s.url}/api/v1/user/repos`, `http://localhost:${s.port}/`, `http://127.0.0.2:${s.port}/`]) {
      const r = await call<{ message: string }>('POST', '/repos/alice/guarded/hooks', alice, { type: 'gitea', config: { url, content_type: 'json' }, active: true });
      expect(r.status, url).toBe(422);
      expect(r.body.message, url).toMatch(/this forge's own port/);
    }
    await allowCidrs(['127.0.0.1/32']);
  });

  it('lets only repository administrators manage hooks', async () => {
    await createRepo(s, alice, { name: 'private-hooks', private: true });
    for (const [who, permission] of [
      ['bob', 'write'],
      ['dave', 'admin'],
    ]) {
      expect((await call('PUT', `/repos/alice/private-hooks/collaborators/${who}`, alice, { permission })).status).toBe(204);
    }
    const r = await newReceiver();
    const body = { type: 'gitea', config: { url: r.url, content_type: 'json' }, active: true };
    expect((await call('POST', '/repos/alice/private-hooks/hooks', bob, body)).status).toBe(403);
    expect((await call('GET', '/repos/alice/private-hooks/hooks', bob)).status).toBe(403);
    expect((await call('POST', '/repos/alice/private-hooks/hooks', carol, body)).status).toBe(404);
    expect((await call('GET', '/repos/alice/private-hooks/hooks', null)).status).toBe(401);
    const made = await call<Hook>('POST', '/repos/alice/private-hooks/hooks', dave, body);
    expect(made.status).toBe(201);
    expect((await call('DELETE', `/repos/alice/private-hooks/hooks/${made.body.id}`, bob)).status).toBe(403);
    expect((await call('GET', `/repos/alice/private-hooks/hooks/${made.body.id}/deliveries`, bob)).status).toBe(403);
    expect((await call('POST', `/repos/alice/private-hooks/hooks/${made.body.id}/tests`, carol)).status).toBe(404);
    // a hook id of another repository is not found through this one
    expect((await call('GET', `/repos/alice/guarded/hooks/${made.body.id}`, alice)).status).toBe(404);
  });
});

describe('deliveries', () => {
  let r: Receiver;
  let main: Hook;
  beforeAll(async () => {
    await allowCidrs(['127.0.0.1/32']);
    await createRepo(s, alice, { name: 'proj' });
    await push('alice/proj', 'first push');
    r = await newReceiver();
    main = await hook('/repos/alice/proj', r.url, { events: ['push', 'create', 'issues', 'pull_request', 'status'] });
  });

  it('signs a push delivery with the exact HMAC-SHA256 of its body and sends Gitea’s, Gogs’ and GitHub’s headers', async () => {
    const before = (await gitOk(['rev-parse', 'HEAD'], { cwd: src })).trim();
    const after = await push('alice/proj', 'second push\n\nwith a body');
    const got = await waitFor(async () => r.got.find((g) => g.headers['x-gitea-event'] === 'push' && (g.body as { after?: string }).after === after));
    expect(got.method).toBe('POST');
    expect(got.path).toBe('/hook');
    expect(got.headers['content-type']).toBe('application/json');
    const sig = hmac(got.raw);
    expect(got.headers['x-gitea-signature']).toBe(sig);
    expect(got.headers['x-gogs-signature']).toBe(sig);
    expect(got.headers['x-hub-signature-256']).toBe(`sha256=${sig}`);
    expect(got.headers['x-hub-signature']).toBe(`sha1=${createHmac('sha1', SECRET).update(got.raw).digest('hex')}`);
    expect(got.headers['x-gitea-event-type']).toBe('push');
    expect(got.headers['x-github-event']).toBe('push');
    expect(got.headers['x-gogs-event']).toBe('push');
    expect(got.headers['x-gitea-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(got.headers['x-github-delivery']).toBe(got.headers['x-gitea-delivery']);
    expect(got.body).toMatchObject({
      ref: 'refs/heads/main',
      before,
      after,
      compare_url: `${s.url}/alice/proj/compare/${before}...${after}`,
      total_commits: 1,
      commits: [
        {
          id: after,
          message: 'second push\n\nwith a body\n',
          url: `${s.url}/alice/proj/commit/${after}`,
          author: { name: expect.any(String), email: expect.any(String), username: expect.any(String) },
          committer: { name: expect.any(String), email: expect.any(String) },
          timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$/),
          added: [],
          removed: [],
          modified: [],
        },
      ],
      head_commit: { id: after },
      repository: { full_name: 'alice/proj', name: 'proj', owner: { login: 'alice' }, html_url: `${s.url}/alice/proj`, clone_url: `${s.url}/alice/proj.git` },
      pusher: { login: 'alice' },
      sender: { login: 'alice' },
    });
  });

  it('lists added, removed and modified files of each pushed commit, oldest first', async () => {
    const before = (await gitOk(['rev-parse', 'HEAD'], { cwd: src })).trim();
    await gitOk(['mv', 'README.md', 'GUIDE.md'], { cwd: src });
    await gitOk(['commit', '-q', '-m', 'rename'], { cwd: src });
    await gitOk(['rm', '-q', 'GUIDE.md'], { cwd: src });
    await gitOk(['commit', '-q', '-m', 'remove'], { cwd: src });
    await gitOk(['push', '-q', s.gitUrl('alice/proj.git', alice), 'HEAD:main'], { cwd: src });
    const after = (await gitOk(['rev-parse', 'HEAD'], { cwd: src })).trim();
    const got = await waitFor(async () => r.got.find((g) => (g.body as { after?: string }).after === after && g.headers['x-gitea-event'] === 'push'));
    const body = got.body as { before: string; total_commits: number; commits: { message: string; added: string[]; removed: string[]; modified: string[] }[] };
    expect(body.before).toBe(before);
    expect(body.total_commits).toBe(2);
    expect(body.commits.map((c) => [c.message.trim(), c.added, c.removed])).toEqual([
      ['rename', ['GUIDE.md'], ['README.md']],
      ['remove', [], ['GUIDE.md']],
    ]);
  });

  it('sends create and push for a new branch, and keeps to the branch filter', async () => {
    const filtered = await newReceiver();
    const f = await hook('/repos/alice/proj', filtered.url, { events: ['push'], branch_filter: '{main,release/*}' });
    const tip = await push('alice/proj', 'on a release branch', 'release/1.0');
    const created = await waitFor(async () => r.got.find((g) => g.headers['x-gitea-event'] === 'create' && (g.body as { ref?: string }).ref === 'release/1.0'));
    expect(created.body).toMatchObject({ sha: tip, ref: 'release/1.0', ref_type: 'branch', repository: { full_name: 'alice/proj' }, sender: { login: 'alice' } });
    expect(created.headers['x-gitea-signature']).toBe(hmac(created.raw));
    await waitFor(async () => filtered.got.find((g) => (g.body as { ref?: string }).ref === 'refs/heads/release/1.0'));
    await push('alice/proj', 'on a feature branch', 'feature/x');
    await push('alice/proj', 'on main again', 'main');
    await waitFor(async () => filtered.got.find((g) => (g.body as { ref?: string }).ref === 'refs/heads/main'));
    await outboxIdle();
    expect(filtered.got.map((g) => (g.body as { ref: string }).ref).sort()).toEqual(['refs/heads/main', 'refs/heads/release/1.0']);
    expect(r.got.some((g) => (g.body as { ref?: string }).ref === 'refs/heads/feature/x')).toBe(true);
    await call('DELETE', `/repos/alice/proj/hooks/${f.id}`, alice);
  });

  it('sends issues events: opened, closed, and an assignment as issue_assign', async () => {
    const opened = await call<{ number: number }>('POST', '/repos/alice/proj/issues', alice, { title: 'Webhooks please', body: 'as Gitea sends them' });
    expect(opened.status).toBe(201);
    const n = opened.body.number;
    const got = await waitFor(async () => r.got.find((g) => g.headers['x-gitea-event'] === 'issues' && (g.body as { action?: string }).action === 'opened'));
    expect(got.headers['x-gitea-event-type']).toBe('issues');
    expect(got.headers['x-gitea-signature']).toBe(hmac(got.raw));
    expect(got.body).toMatchObject({
      action: 'opened',
      number: n,
      issue: { number: n, title: 'Webhooks please', body: 'as Gitea sends them', state: 'open' },
      repository: { full_name: 'alice/proj' },
      sender: { login: 'alice' },
    });
    expect((await call('PATCH', `/repos/alice/proj/issues/${n}`, alice, { assignees: ['alice'] })).status).toBe(201);
    const assigned = await waitFor(async () => r.got.find((g) => g.headers['x-gitea-event-type'] === 'issue_assign'));
    expect(assigned.headers['x-gitea-event']).toBe('issues');
    expect(assigned.body).toMatchObject({ action: 'assigned', number: n, issue: { assignees: [{ login: 'alice' }] } });
    expect((await call('PATCH', `/repos/alice/proj/issues/${n}`, alice, { state: 'closed' })).status).toBe(201);
    const closed = await waitFor(async () => r.got.find((g) => g.headers['x-gitea-event'] === 'issues' && (g.body as { action?: string }).action === 'closed'));
    expect(closed.body).toMatchObject({ action: 'closed', number: n, issue: { state: 'closed' } });
  });

  it('sends pull_request events: opened, and a merge as closed with merged true', async () => {
    await gitOk(['checkout', '-q', '-b', 'topic'], { cwd: src });
    await push('alice/proj', 'a topic', 'topic');
    await gitOk(['checkout', '-q', 'main'], { cwd: src });
    const opened = await call<{ number: number }>('POST', '/repos/alice/proj/pulls', alice, { head: 'topic', base: 'main', title: 'Add the topic' });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const n = opened.body.number;
    const got = await waitFor(async () => r.got.find((g) => g.headers['x-gitea-event'] === 'pull_request' && (g.body as { action?: string }).action === 'opened'));
    expect(got.headers['x-gitea-signature']).toBe(hmac(got.raw));
    expect(got.body).toMatchObject({
      action: 'opened',
      number: n,
      pull_request: { number: n, title: 'Add the topic', state: 'open', head: { ref: 'topic' }, base: { ref: 'main' } },
      repository: { full_name: 'alice/proj' },
      sender: { login: 'alice' },
    });
    await waitFor(async () => ((await call<{ mergeable: boolean | null }>('GET', `/repos/alice/proj/pulls/${n}`, alice)).body.mergeable === null ? null : true));
    const merged = await call('POST', `/repos/alice/proj/pulls/${n}/merge`, alice, { Do: 'merge' });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    const closed = await waitFor(async () => r.got.find((g) => g.headers['x-gitea-event'] === 'pull_request' && (g.body as { action?: string }).action === 'closed'));
    expect(closed.body).toMatchObject({ action: 'closed', number: n, pull_request: { merged: true, state: 'closed' } });
  });

  it('sends a reopened pull request as pull_request "reopened", and line comments as Gitea does: a new one as a review, a reply as a comment', async () => {
    const only = await newReceiver();
    await hook('/repos/alice/proj', only.url, { events: ['pull_request_comment'] });
    await gitOk(['checkout', '-q', '-b', 'notes'], { cwd: src });
    await writeFile(path.join(src, 'notes.txt'), 'one\ntwo\nthree\n');
    await gitOk(['add', 'notes.txt'], { cwd: src });
    await push('alice/proj', 'add notes', 'notes');
    await gitOk(['checkout', '-q', 'main'], { cwd: src });
    const opened = await call<{ number: number }>('POST', '/repos/alice/proj/pulls', alice, { head: 'notes', base: 'main', title: 'Notes' });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const n = opened.body.number;
    const ofThis = (g: Received) => (g.body as { number?: number; issue?: { number?: number } }).number === n || (g.body as { issue?: { number?: number } }).issue?.number === n;

    expect((await call('PATCH', `/repos/alice/proj/pulls/${n}`, alice, { state: 'closed' })).status).toBe(201);
    expect((await call('PATCH', `/repos/alice/proj/pulls/${n}`, alice, { state: 'open' })).status).toBe(201);
    const reopened = await waitFor(async () => r.got.find((g) => ofThis(g) && (g.body as { action?: string }).action === 'reopened'));
    expect(reopened.headers['x-gitea-event']).toBe('pull_request');
    expect(reopened.headers['x-gitea-event-type']).toBe('pull_request');
    expect(reopened.headers['x-gitea-signature']).toBe(hmac(reopened.raw));
    expect(reopened.body).toMatchObject({ action: 'reopened', number: n, pull_request: { number: n, state: 'open' }, repository: { full_name: 'alice/proj' }, sender: { login: 'alice' } });
    expect(r.got.filter((g) => ofThis(g) && g.headers['x-gitea-event-type'] === 'pull_request').map((g) => (g.body as { action: string }).action)).toEqual(['opened', 'closed', 'reopened']);

    // a new line comment: Gitea's one-comment review
    const first = await call<{ id: number }>('POST', `/repos/alice/proj/pulls/${n}/comments`, alice, { path: 'notes.txt', line: 2, body: 'why two?' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const review = await waitFor(async () => r.got.find((g) => ofThis(g) && g.headers['x-gitea-event-type'] === 'pull_request_review_comment'));
    expect(review.headers['x-gitea-event']).toBe('pull_request_comment');
    expect(review.headers['x-gitea-signature']).toBe(hmac(review.raw));
    expect(review.body).toMatchObject({
      action: 'reviewed',
      number: n,
      pull_request: { number: n },
      review: { type: 'pull_request_review_comment', content: 'why two?' },
      sender: { login: 'alice' },
    });

    // a reply in its thread: a comment on the pull request, with the code comment
    const reply = await call<{ id: number }>('POST', `/repos/alice/proj/pulls/${n}/comments`, alice, { in_reply_to: first.body.id, body: 'because three' });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    const comment = await waitFor(async () => r.got.find((g) => ofThis(g) && g.headers['x-gitea-event-type'] === 'pull_request_comment'));
    expect(comment.headers['x-gitea-event']).toBe('issue_comment');
    expect(comment.headers['x-gitea-signature']).toBe(hmac(comment.raw));
    expect(comment.body).toMatchObject({
      action: 'created',
      is_pull: true,
      issue: { number: n },
      comment: { id: reply.body.id, body: 'because three', path: 'notes.txt', in_reply_to_id: first.body.id, user: { login: 'alice' } },
      repository: { full_name: 'alice/proj' },
      sender: { login: 'alice' },
    });

    // a hook on pull_request_comment alone hears the reply only
    await outboxIdle();
    expect(only.got.map((g) => [g.headers['x-gitea-event-type'], (g.body as { comment?: { id: number } }).comment?.id])).toEqual([['pull_request_comment', reply.body.id]]);
  });

  it('sends status events for a posted commit status', async () => {
    const sha = (await gitOk(['rev-parse', 'HEAD'], { cwd: src })).trim();
    const posted = await call('POST', `/repos/alice/proj/statuses/${sha}`, alice, { state: 'success', context: 'outside/ci', description: 'all green', target_url: 'https://ci.example/1' });
    expect(posted.status).toBe(201);
    const got = await waitFor(async () => r.got.find((g) => g.headers['x-gitea-event'] === 'status' && (g.body as { context?: string }).context === 'outside/ci'));
    expect(got.headers['x-gitea-signature']).toBe(hmac(got.raw));
    expect(got.body).toMatchObject({
      sha,
      context: 'outside/ci',
      state: 'success',
      description: 'all green',
      target_url: 'https://ci.example/1',
      commit: { id: sha },
      repository: { full_name: 'alice/proj' },
      sender: { login: 'alice' },
      id: expect.any(Number),
    });
  });

  it('logs every delivery with its request and response, and redelivers one as a new delivery', async () => {
    await outboxIdle();
    const log = await deliveries('/repos/alice/proj', main.id);
    const push = log.find((d) => d.event === 'push')!;
    expect(push).toMatchObject({ state: 'delivered', success: true, status_code: 200, attempts: 1, is_test: false, redelivery_of: null, error: null });
    expect(push.request.url).toBe(r.url);
    expect(push.request.headers['X-Gitea-Event']).toBe('push');
    expect(push.request.headers['X-Gitea-Signature']).toBe(hmac(Buffer.from(push.request.body)));
    expect(push.response).toMatchObject({ status: 200, body: 'ok' });
    const sent = r.got.find((g) => g.headers['x-gitea-delivery'] === push.uuid)!;
    expect(sent.raw.toString('utf8')).toBe(push.request.body);

    const again = await call<Delivery>('POST', `/repos/alice/proj/hooks/${main.id}/deliveries/${push.id}/redeliver`, alice);
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ state: 'pending', redelivery_of: push.id, event: 'push' });
    expect(again.body.uuid).not.toBe(push.uuid);
    const resent = await waitFor(async () => r.got.find((g) => g.headers['x-gitea-delivery'] === again.body.uuid));
    expect(resent.raw.toString('utf8')).toBe(push.request.body);
    expect(resent.headers['x-gitea-signature']).toBe(hmac(resent.raw));
    await waitFor(async () => (await deliveries('/repos/alice/proj', main.id)).find((d) => d.id === again.body.id && d.state === 'delivered'));
    expect((await call('POST', `/repos/alice/proj/hooks/${main.id}/deliveries/999999/redeliver`, alice)).status).toBe(404);
  });

  it('sends a test push of the default branch’s head, whatever the hook’s events and active flag', async () => {
    const t = await newReceiver();
    const quiet = await hook('/repos/alice/proj', t.url, { events: ['status'], active: false });
    expect((await call('POST', `/repos/alice/proj/hooks/${quiet.id}/tests`, alice)).status).toBe(204);
    const head = (await call<{ commit: { id: string } }>('GET', '/repos/alice/proj/branches/main', alice)).body.commit.id;
    const got = await waitFor(async () => t.got[0]);
    expect(got.headers['x-gitea-event']).toBe('push');
    expect(got.body).toMatchObject({ ref: 'refs/heads/main', before: head, after: head, head_commit: { id: head }, commits: [{ id: head }], total_commits: 1 });
    await waitFor(async () => (await deliveries('/repos/alice/proj', quiet.id)).find((d) => d.is_test && d.state === 'delivered'));
    // inactive: the pushes and statuses it subscribes to are not sent
    await call('POST', `/repos/alice/proj/statuses/${head}`, alice, { state: 'pending', context: 'quiet' });
    await outboxIdle();
    expect(t.got).toHaveLength(1);
  });
});

describe('failures and isolation', () => {
  beforeAll(async () => {
    await allowCidrs(['127.0.0.1/32']);
    await createRepo(s, alice, { name: 'flaky' });
  });

  it('retries a delivery after a 500 and logs its success', async () => {
    const r = await newReceiver((n) => (n === 0 ? { status: 500, body: 'try later' } : { status: 200, body: 'ok now' }));
    const h = await hook('/repos/alice/flaky', r.url);
    await push('alice/flaky', 'flaky one');
    await waitFor(async () => r.got[1], 20_000);
    expect(r.got[1]!.headers['x-gitea-delivery']).toBe(r.got[0]!.headers['x-gitea-delivery']);
    expect(r.got[1]!.raw.equals(r.got[0]!.raw)).toBe(true);
    const d = await waitFor(async () => (await deliveries('/repos/alice/flaky', h.id)).find((x) => x.state === 'delivered'));
    expect(d).toMatchObject({ attempts: 2, status_code: 200, success: true, error: null, response: { status: 200, body: 'ok now' } });
    await call('DELETE', `/repos/alice/flaky/hooks/${h.id}`, alice);
  });

  it('does not follow a redirect, to a refused target or any other', async () => {
    const elsewhere = await newReceiver();
    const r = await newReceiver(() => ({ status: 302, headers: { Location: `http://127.0.0.1:${s.port}/api/v1/admin/settings` } }));
    const r2 = await newReceiver(() => ({ status: 307, headers: { Location: elsewhere.url } }));
    const h = await hook('/repos/alice/flaky', r.url);
    const h2 = await hook('/repos/alice/flaky', r2.url);
    await push('alice/flaky', 'redirected');
    const d = await waitFor(async () => (await deliveries('/repos/alice/flaky', h.id)).find((x) => x.state === 'failed'));
    expect(d).toMatchObject({ attempts: 1, status_code: 302, success: false });
    expect(d.error).toMatch(/answered 302 with Location http:\/\/127\.0\.0\.1:\d+\/api\/v1\/admin\/settings; redirects are not followed/);
    const d2 = await waitFor(async () => (await deliveries('/repos/alice/flaky', h2.id)).find((x) => x.state === 'failed'));
    expect(d2.error).toMatch(/answered 307 .* redirects are not followed/);
    await outboxIdle();
    expect(r.got).toHaveLength(1);
    expect(elsewhere.got).toHaveLength(0);
    await call('DELETE', `/repos/alice/flaky/hooks/${h.id}`, alice);
    await call('DELETE', `/repos/alice/flaky/hooks/${h2.id}`, alice);
  });

  it('checks the target again at delivery: a hook made while allowed sends nothing once the setting is removed', async () => {
    const r = await newReceiver();
    const h = await hook('/repos/alice/flaky', r.url);
    await allowCidrs([]);
    try {
      await push('alice/flaky', 'after the setting went');
      const d = await waitFor(async () => (await deliveries('/repos/alice/flaky', h.id)).find((x) => x.state === 'refused'), 20_000);
      expect(d).toMatchObject({ success: false, status_code: null, response: null, attempts: 1 });
      expect(d.error).toMatch(/^not sent: 127\.0\.0\.1 is a loopback address; .*webhooks\.allowCidrs/);
      // a test delivery is refused the same way
      expect((await call('POST', `/repos/alice/flaky/hooks/${h.id}/tests`, alice)).status).toBe(204);
      await waitFor(async () => (await deliveries('/repos/alice/flaky', h.id)).find((x) => x.is_test && x.state === 'refused'));
      await outboxIdle();
      expect(r.got).toHaveLength(0);
    } finally {
      await allowCidrs(['127.0.0.1/32']);
    }
    // allowed again: a redelivery goes through
    const refused = (await deliveries('/repos/alice/flaky', h.id)).find((x) => x.state === 'refused' && !x.is_test)!;
    expect((await call('POST', `/repos/alice/flaky/hooks/${h.id}/deliveries/${refused.id}/redeliver`, alice)).status).toBe(201);
    await waitFor(async () => r.got[0]);
    await call('DELETE', `/repos/alice/flaky/hooks/${h.id}`, alice);
  });

  it('resolves a host name itself and sends to the address it checked (Host kept)', async () => {
    const r = await newReceiver();
    const url = `http://localhost:${r.port}/named`;
    const h = await hook('/repos/alice/flaky', url);
    expect((await call('POST', `/repos/alice/flaky/hooks/${h.id}/tests`, alice)).status).toBe(204);
    const got = await waitFor(async () => r.got[0]);
    expect(got.headers.host).toBe(`localhost:${r.port}`);
    expect(got.path).toBe('/named');
    await call('DELETE', `/repos/alice/flaky/hooks/${h.id}`, alice);
  });
});

describe('organization hooks', () => {
  it('fire for every repository of the organization, and only its owners manage them', async () => {
    await allowCidrs(['127.0.0.1/32']);
    expect((await call('POST', '/orgs', alice, { username: 'acme' })).status).toBe(201);
    expect((await call('PUT', '/orgs/acme/members/bob', alice, { role: 'member' })).status).toBe(204);
    await createRepo(s, alice, { name: 'app' }, 'acme');
    await createRepo(s, alice, { name: 'lib' }, 'acme');
    const r = await newReceiver();
    const body = { type: 'gitea', config: { url: r.url, content_type: 'json', secret: SECRET }, events: ['push'], active: true };
    expect((await call('POST', '/orgs/acme/hooks', bob, body)).status).toBe(403);
    expect((await call('GET', '/orgs/acme/hooks', carol)).status).toBe(403);
    const made = await call<Hook & { owner_kind: string }>('POST', '/orgs/acme/hooks', alice, body);
    expect(made.status).toBe(201);
    expect(made.body.owner_kind).toBe('organization');
    expect((await call<Hook[]>('GET', '/orgs/acme/hooks', alice)).body.map((h) => h.id)).toEqual([made.body.id]);
    await push('acme/app', 'into the org');
    await push('acme/lib', 'into the org too');
    await waitFor(async () => (r.got.length >= 2 ? true : null));
    expect(r.got.map((g) => (g.body as { repository: { full_name: string } }).repository.full_name).sort()).toEqual(['acme/app', 'acme/lib']);
    for (const g of r.got) expect(g.headers['x-gitea-signature']).toBe(hmac(g.raw));
    // an organization hook is not reachable through a repository's hooks
    expect((await call('GET', `/repos/acme/app/hooks/${made.body.id}`, alice)).status).toBe(404);
    expect((await call('POST', `/orgs/acme/hooks/${made.body.id}/tests`, alice)).status).toBe(204);
    await waitFor(async () => (await deliveries('/orgs/acme', made.body.id)).find((d) => d.is_test && d.state === 'delivered'));
  });
});
