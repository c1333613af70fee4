// The security view's API against the real built server and the real git CLI: a pushed
// repository whose old commits hold secrets (removed later) and look-alikes is scanned in the
// background from the push event; findings carry file, line, commit and author; suppressing
// needs a reason and is audited; only repository administrators see any of it (404 for everyone
// else signed in); a rescan runs with progress over socket.io to administrators only; a later
// push is scanned incrementally; a push that adds a private key is refused when the repository
// says so, with a clear message in git's stderr, and accepted when it doesn't.
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample } from '../../server/security/samples.js';
import { createRepo, createUser, git, gitOk, startServer, waitFor, type TestServer } from '../fixtures/rig.js';
import { secretRepo, type SecretRepo } from '../fixtures/secret-repo.js';
import { query } from './outbox-probe.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
const bob: [string, string] = ['bob', 'bob-pass-123'];
const carol: [string, string] = ['carol', 'carol-pass-123'];
const REPO = '/api/v1/repos/alice/vault';

interface Finding {
  id: number;
  rule_id: string;
  path: string;
  line: number | null;
  commit_sha: string;
  author: { name: string; email: string };
  secret_preview: string | null;
  state: string;
  suppressed_by: string | null;
  suppress_reason: string | null;
  html_url: string;
}
interface Scan {
  id: number;
  kind: string;
  state: string;
  blobs_total: number;
  blobs_done: number;
  findings_new: number;
  error: string | null;
}
interface Latest {
  scan: Scan | null;
  open: number;
  suppressed: number;
}

let s: TestServer;
let fx: SecretRepo;
const sockets: Socket[] = [];

async function call<T>(method: string, p: string, who: [string, string] | null, json?: unknown): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await s.api(method, p, { auth: who ?? undefined, json });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

async function findings(state = 'all'): Promise<Finding[]> {
  const r = await call<Finding[]>('GET', `${REPO}/security/findings?state=${state}&limit=50`, alice);
  expect(r.status).toBe(200);
  return r.body;
}

async function latest(kind?: string): Promise<Latest> {
  const r = await call<Latest>('GET', `${REPO}/security/scans/latest${kind ? `?kind=${kind}` : ''}`, alice);
  expect(r.status).toBe(200);
  return r.body;
}

async function token(who: [string, string]): Promise<string> {
  const res = await s.api('POST', `/api/v1/users/${who[0]}/tokens`, { auth: who, json: { name: `t-${Math.random().toString(36).slice(2)}`, scopes: ['all'] } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { sha1: string }).sha1;
}

async function joinedSocket(tok: string): Promise<Socket> {
  const sock = io(s.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: tok } });
  sockets.push(sock);
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', () => resolve());
    sock.once('connect_error', reject);
  });
  const ack = await new Promise<{ ok: boolean }>((resolve) => sock.emit('repo:subscribe', { repo: 'alice/vault' }, resolve));
  expect(ack.ok).toBe(true);
  return sock;
}

beforeAll(async () => {
  s = await startServer();
  await createUser(s, ...alice, { admin: false });
  await createUser(s, 'root', 'root-pass-123', { admin: true });
  await createUser(s, ...bob, { via: ['root', 'root-pass-123'] });
  await createUser(s, ...carol, { via: ['root', 'root-pass-123'] });
  await createRepo(s, alice, { name: 'vault', private: true });
  const collab = await s.api('PUT', `${REPO}/collaborators/bob`, { auth: alice, json: { permission: 'read' } });
  expect(collab.status).toBe(204);
  fx = await secretRepo();
  await gitOk(['push', '-q', s.gitUrl('alice/vault.git', alice), 'main', 'billing'], { cwd: fx.dir });
});

afterAll(async () => {
  for (const sock of sockets) sock.disconnect();
  await s?.stop();
});

describe('findings from the push scan', () => {
  it('finds the planted secrets in old commits, with file, line, commit and author, and no look-alikes', async () => {
    const all = await waitFor(async () => {
      const l = await latest('push');
      return l.scan?.state === 'done' || l.scan?.state === 'failed' ? findings() : null;
    }, 60_000);
    const got = all
      .map((f) => ({ rule: f.rule_id, path: f.path, line: f.line, commit: f.commit_sha, author: f.author.name, email: f.author.email }))
      .sort((a, b) => `${a.path}${a.rule}`.localeCompare(`${b.path}${b.rule}`));
    expect(got).toEqual([...fx.expected].sort((a, b) => `${a.path}${a.rule}`.localeCompare(`${b.path}${b.rule}`)));
    for (const p of fx.lookAlikePaths)
      expect(
        all.filter((f) => f.path === p),
        p,
      ).toEqual([]);
    const gh = all.find((f) => f.rule_id === 'github-token')!;
    expect(gh.secret_preview).toBe('ghp_****');
    expect(gh.html_url).toBe(`${s.url}/alice/vault/src/commit/${gh.commit_sha}/src/ci.ts#L2`);
    expect(JSON.stringify(all)).not.toContain(sample.githubPat('fixture'));
  });

  it('filters by state and pages with X-Total-Count', async () => {
    const r = await call<Finding[]>('GET', `${REPO}/security/findings?state=open&limit=2&page=1`, alice);
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(2);
    expect(r.headers.get('x-total-count')).toBe(String(fx.expected.length));
    expect((await call('GET', `${REPO}/security/findings?state=bogus`, alice)).status).toBe(422);
  });
});

describe('who may see the security view', () => {
  it('is 404 to a reader who is not an administrator, and to someone who cannot read the repository', async () => {
    for (const who of [bob, carol]) {
      for (const [method, p, json] of [
        ['GET', `${REPO}/security/findings`],
        ['GET', `${REPO}/security/scans/latest`],
        ['POST', `${REPO}/security/scans`],
        ['GET', `${REPO}/security/settings`],
        ['PATCH', `${REPO}/security/settings`, { refuse_private_keys: false }],
        ['PATCH', `${REPO}/security/findings/1`, { state: 'suppressed', reason: 'x' }],
      ] as const) {
        const r = await call<{ message: string }>(method, p, who, json);
        expect(r.status, `${who[0]} ${method} ${p}`).toBe(404);
        expect(r.body.message).toBe('repository not found');
      }
    }
    // bob reads the code all the same
    expect((await call('GET', REPO, bob)).status).toBe(200);
  });

  it('asks anonymous callers to sign in', async () => {
    expect((await call('GET', `${REPO}/security/findings`, null)).status).toBe(401);
  });
});

describe('suppressing a finding', () => {
  it('needs a reason (422 without one), records who and why, is audited, and can be undone', async () => {
    const f = (await findings('open')).find((x) => x.rule_id === 'aws-access-key-id')!;
    for (const body of [{ state: 'suppressed' }, { state: 'suppressed', reason: '   ' }]) {
      const r = await call<{ message: string }>('PATCH', `${REPO}/security/findings/${f.id}`, alice, body);
      expect(r.status).toBe(422);
      expect(r.body.message).toMatch(/reason/);
    }
    const done = await call<Finding>('PATCH', `${REPO}/security/findings/${f.id}`, alice, { state: 'suppressed', reason: 'rotated on 2026-01-02' });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ state: 'suppressed', suppressed_by: 'alice', suppress_reason: 'rotated on 2026-01-02' });
    expect((await findings('open')).map((x) => x.id)).not.toContain(f.id);
    expect((await findings('suppressed')).map((x) => x.id)).toEqual([f.id]);
    expect(await latest()).toMatchObject({ open: fx.expected.length - 1, suppressed: 1 });

    const rows = await query<{ action: string; detail: string }>(s.data, "SELECT action, detail FROM audit_log WHERE action LIKE 'repo.security.%' ORDER BY id");
    expect(rows.map((r) => r.action)).toContain('repo.security.suppress');
    expect(JSON.parse(rows.find((r) => r.action === 'repo.security.suppress')!.detail)).toMatchObject({ finding: f.id, reason: 'rotated on 2026-01-02', path: 'config/deploy.yml' });

    const reopened = await call<Finding>('PATCH', `${REPO}/security/findings/${f.id}`, alice, { state: 'open' });
    expect(reopened.body).toMatchObject({ state: 'open', suppressed_by: null, suppress_reason: null });
    expect((await call('PATCH', `${REPO}/security/findings/999999`, alice, { state: 'open' })).status).toBe(404);
  });
});

describe('rescan', () => {
  it('runs in the background with progress to administrators only, and keeps the findings and their suppression', async () => {
    const f = (await findings('open')).find((x) => x.rule_id === 'github-token')!;
    await call('PATCH', `${REPO}/security/findings/${f.id}`, alice, { state: 'suppressed', reason: 'revoked' });

    const adminSock = await joinedSocket(await token(alice));
    const readerSock = await joinedSocket(await token(bob));
    const adminEvents: Scan[] = [];
    const readerEvents: unknown[] = [];
    adminSock.on('security.scan', (e: { repo: string; scan: Scan }) => adminEvents.push(e.scan));
    readerSock.on('security.scan', (e: unknown) => readerEvents.push(e));

    const r = await call<Scan>('POST', `${REPO}/security/scans`, alice);
    expect(r.status).toBe(202);
    expect(r.body.kind).toBe('full');
    expect(['queued', 'running', 'done']).toContain(r.body.state);
    const done = await waitFor(async () => {
      const l = await latest('full');
      return l.scan && l.scan.id === r.body.id && (l.scan.state === 'done' || l.scan.state === 'failed') ? l.scan : null;
    }, 60_000);
    expect(done).toMatchObject({ state: 'done', error: null, findings_new: 0 });
    expect(done.blobs_done).toBe(done.blobs_total);
    await waitFor(async () => adminEvents.some((e) => e.id === r.body.id && e.state === 'done'), 10_000);
    expect(adminEvents.some((e) => e.state === 'running')).toBe(true);
    expect(readerEvents).toEqual([]);

    const after = await findings();
    expect(after).toHaveLength(fx.expected.length);
    expect(after.find((x) => x.id === f.id)).toMatchObject({ state: 'suppressed', suppress_reason: 'revoked' });
  });
});

describe('a later push', () => {
  it('is scanned incrementally: its new secret is found, attributed to its commit', async () => {
    const before = (await latest('push')).scan!.id;
    const sha = await fx.work.commit({ 'ops/gitlab.sh': `#!/bin/sh\n# mirror\nexport GITLAB_TOKEN=${sample.gitlabPat('later')}\n` }, 'mirror', { author: ['Erin Ops', 'erin@example.test'] });
    await gitOk(['push', '-q', s.gitUrl('alice/vault.git', alice), 'main'], { cwd: fx.dir });
    const scan = await waitFor(async () => {
      const l = await latest('push');
      return l.scan && l.scan.id > before && l.scan.state === 'done' ? l.scan : null;
    }, 30_000);
    expect(scan.findings_new).toBe(1);
    // only the push's own blob was read
    expect(scan.blobs_total).toBe(1);
    const f = (await findings()).find((x) => x.rule_id === 'gitlab-token')!;
    expect(f).toMatchObject({ path: 'ops/gitlab.sh', line: 3, commit_sha: sha, author: { name: 'Erin Ops', email: 'erin@example.test' }, state: 'open' });
  });
});

describe('refusing private keys', () => {
  it('refuses a push that adds a private key when the setting is on, with a clear message, and accepts it when off', async () => {
    expect((await call('GET', `${REPO}/security/settings`, alice)).body).toEqual({ refuse_private_keys: false });
    expect((await call('PATCH', `${REPO}/security/settings`, alice, { refuse_private_keys: 'yes' })).status).toBe(422);
    const on = await call('PATCH', `${REPO}/security/settings`, alice, { refuse_private_keys: true });
    expect(on).toMatchObject({ status: 200, body: { refuse_private_keys: true } });

    // a push without a key still lands
    await fx.work.commit({ 'notes.txt': 'nothing secret\n' }, 'notes');
    await gitOk(['push', '-q', s.gitUrl('alice/vault.git', alice), 'main'], { cwd: fx.dir });

    const serverHead = async () => (await gitOk(['ls-remote', s.gitUrl('alice/vault.git', alice), 'refs/heads/main'])).split('\t')[0];
    const landed = await serverHead();
    const sha = await fx.work.commit({ 'deploy/id_ecdsa.pem': sample.ecKey() }, 'add deploy key');
    const refused = await git(['push', s.gitUrl('alice/vault.git', alice), 'main'], { cwd: fx.dir });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Gitssy: push refused: it adds a private key');
    expect(refused.stderr).toContain(`deploy/id_ecdsa.pem:1 (commit ${sha.slice(0, 10)})`);
    expect(refused.stderr).toContain('rotate it');
    expect(await serverHead()).toBe(landed);

    await call('PATCH', `${REPO}/security/settings`, alice, { refuse_private_keys: false });
    const accepted = await git(['push', s.gitUrl('alice/vault.git', alice), 'main'], { cwd: fx.dir });
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(await serverHead()).toBe(sha);
    // and the push scan reports it
    await waitFor(async () => (await findings()).some((f) => f.rule_id === 'private-key' && f.path === 'deploy/id_ecdsa.pem' && f.commit_sha === sha), 30_000);
  });
});
