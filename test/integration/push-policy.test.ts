// Server-owned hooks: one push policy before refs land (protected branches, maintenance, ref
// names, quota), one durable push event after, and recovery of pushes the server missed.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, git, gitOk, makeRepo, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
type Activity = { id: number; op_type: string; ref_name: string; content: string; transport: string; act_user: { login: string } | null };

let s: TestServer;
let src: string;
beforeAll(async () => {
  s = await startServer();
  await createUser(s, 'alice', alice[1], { admin: true });
  src = await tempDir();
  await makeRepo(src, 3);
});
afterAll(async () => s?.stop());

const remoteHeads = async (repo: string) => (await gitOk(['ls-remote', s.gitUrl(`${repo}.git`, alice)])).trim();
const activities = async (repo: string) => (await (await s.api('GET', `/api/v1/repos/${repo}/activities/feeds?limit=50`, { auth: alice })).json()) as Activity[];

describe('protected branches', () => {
  it('refuses a force-push and a deletion with a remote: line, and allows fast-forwards', async () => {
    await createRepo(s, alice, { name: 'guarded' });
    const url = s.gitUrl('alice/guarded.git', alice);
    await gitOk(['push', '-q', url, 'main'], { cwd: src });
    const res = await s.api('POST', '/api/v1/repos/alice/guarded/branch_protections', { auth: alice, json: { rule_name: 'main' } });
    expect(res.status).toBe(201);

    // fast-forward is fine
    const work = await tempDir();
    await gitOk(['clone', '-q', url, `${work}/w`]);
    await gitOk(['commit', '-q', '--allow-empty', '-m', 'ff'], { cwd: `${work}/w` });
    await gitOk(['push', '-q', 'origin', 'main'], { cwd: `${work}/w` });
    const before = await remoteHeads('alice/guarded');

    // rewrite history and force-push: refused
    await gitOk(['reset', '-q', '--hard', 'HEAD~2'], { cwd: `${work}/w` });
    await gitOk(['commit', '-q', '--allow-empty', '-m', 'rewritten'], { cwd: `${work}/w` });
    const forced = await git(['push', '--force', 'origin', 'main'], { cwd: `${work}/w` });
    expect(forced.code).not.toBe(0);
    expect(forced.stderr).toMatch(/remote: Gitssy: main is a protected branch: force-pushes are not allowed/);
    const deleted = await git(['push', 'origin', ':main'], { cwd: `${work}/w` });
    expect(deleted.code).not.toBe(0);
    expect(deleted.stderr).toMatch(/remote: Gitssy: main is a protected branch and may not be deleted/);
    expect(await remoteHeads('alice/guarded')).toBe(before);

    // the rule can allow force-pushes
    expect((await s.api('PATCH', '/api/v1/repos/alice/guarded/branch_protections/main', { auth: alice, json: { enable_force_push: true } })).status).toBe(200);
    expect((await git(['push', '--force', 'origin', 'main'], { cwd: `${work}/w` })).code).toBe(0);
    expect(await remoteHeads('alice/guarded')).not.toBe(before);
  });

  it('matches globs and leaves other branches alone', async () => {
    await createRepo(s, alice, { name: 'globbed' });
    const url = s.gitUrl('alice/globbed.git', alice);
    await gitOk(['push', '-q', url, 'main', 'main:release/v1', 'main:scratch'], { cwd: src });
    await s.api('POST', '/api/v1/repos/alice/globbed/branch_protections', { auth: alice, json: { rule_name: 'release/*' } });
    expect((await git(['push', url, ':release/v1'], { cwd: src })).code).not.toBe(0);
    expect((await git(['push', url, ':scratch'], { cwd: src })).code).toBe(0);
    expect(await remoteHeads('alice/globbed')).toMatch(/refs\/heads\/release\/v1/);
    expect(await remoteHeads('alice/globbed')).not.toMatch(/refs\/heads\/scratch/);
  });

  it('lets only repository admins manage rules', async () => {
    await createUser(s, 'bob', 'bob-pass-123', { via: alice });
    await createRepo(s, alice, { name: 'ruled' });
    await s.api('PUT', '/api/v1/repos/alice/ruled/collaborators/bob', { auth: alice, json: { permission: 'write' } });
    expect((await s.api('POST', '/api/v1/repos/alice/ruled/branch_protections', { auth: ['bob', 'bob-pass-123'], json: { rule_name: 'main' } })).status).toBe(403);
    expect((await s.api('POST', '/api/v1/repos/alice/ruled/branch_protections', { auth: alice, json: { rule_name: 'main' } })).status).toBe(201);
    expect((await s.api('POST', '/api/v1/repos/alice/ruled/branch_protections', { auth: alice, json: { rule_name: 'main' } })).status).toBe(409);
    expect((await s.api('DELETE', '/api/v1/repos/alice/ruled/branch_protections/main', { auth: alice })).status).toBe(204);
    expect((await s.api('DELETE', '/api/v1/repos/alice/ruled/branch_protections/main', { auth: alice })).status).toBe(404);
  });
});

describe('push policy', () => {
  it('refuses pushes in maintenance mode with the operator message, while reads keep working', async () => {
    await createRepo(s, alice, { name: 'paused' });
    const url = s.gitUrl('alice/paused.git', alice);
    await gitOk(['push', '-q', url, 'main'], { cwd: src });
    await s.api('PATCH', '/api/v1/admin/settings', { auth: alice, json: { 'maintenance.enabled': true, 'maintenance.message': 'disk swap until 14:00' } });
    try {
      const r = await git(['push', url, 'main:other'], { cwd: src });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/remote: Gitssy: Gitssy is in maintenance mode; pushes are paused: disk swap until 14:00/);
      expect(await remoteHeads('alice/paused')).not.toMatch(/refs\/heads\/other/);
      expect((await git(['ls-remote', s.gitUrl('alice/paused.git')])).code).toBe(0);
    } finally {
      await s.api('PATCH', '/api/v1/admin/settings', { auth: alice, json: { 'maintenance.enabled': false } });
    }
    expect((await git(['push', url, 'main:other'], { cwd: src })).code).toBe(0);
  });

  it('refuses ref names with a component starting with "-"', async () => {
    await createRepo(s, alice, { name: 'dashes' });
    const r = await git(['push', s.gitUrl('alice/dashes.git', alice), 'main:refs/heads/feature/-rf'], { cwd: src });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/components starting with '-'/);
    expect(await remoteHeads('alice/dashes')).toBe('');
  });

  it('refuses a push that would pass the repository quota', async () => {
    await createRepo(s, alice, { name: 'quota' });
    await s.api('PATCH', '/api/v1/admin/settings', { auth: alice, json: { 'git.maxRepoBytes': 100 } });
    try {
      const r = await git(['push', s.gitUrl('alice/quota.git', alice), 'main'], { cwd: src });
      expect(r.code).not.toBe(0);
      // the quota as set, never rounded down to "0 MiB"
      expect(r.stderr).toContain('remote: Gitssy: this push would grow the repository past its quota of 100 bytes');
      expect(await remoteHeads('alice/quota')).toBe('');
    } finally {
      await s.api('PATCH', '/api/v1/admin/settings', { auth: alice, json: { 'git.maxRepoBytes': 0 } });
    }
  });

  it('refuses a push straight into the bare repository on disk (hooks need the server)', async () => {
    await createRepo(s, alice, { name: 'local' });
    const dir = path.join(s.data, 'repos', 'alice', 'local.git');
    const r = await git(['push', dir, 'main'], { cwd: src });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/accepts pushes only through the Gitssy server/);
    expect((await gitOk(['--git-dir', dir, 'for-each-ref'])).trim()).toBe('');
  });
});

describe('push events', () => {
  it('records exactly one event per push, with every ref it moved', async () => {
    await createRepo(s, alice, { name: 'evented' });
    const url = s.gitUrl('alice/evented.git', alice);
    await gitOk(['push', '-q', url, 'main', 'main:dev'], { cwd: src });
    await gitOk(['tag', '-f', 'v1'], { cwd: src });
    await gitOk(['push', '-q', url, 'v1'], { cwd: src });
    await gitOk(['push', '-q', url, ':dev'], { cwd: src });
    const acts = await activities('alice/evented');
    expect(new Set(acts.map((a) => a.id)).size).toBe(3);
    expect(acts.map((a) => [a.op_type, a.ref_name]).sort()).toEqual(
      [
        ['commit_repo', 'refs/heads/dev'],
        ['commit_repo', 'refs/heads/main'],
        ['delete_branch', 'refs/heads/dev'],
        ['push_tag', 'refs/tags/v1'],
      ].sort(),
    );
    expect(acts.every((a) => a.transport === 'http' && a.act_user?.login === 'alice')).toBe(true);
  });

  it('checks and records a push of hundreds of refs whole (past the 16 KiB the hooks read themselves)', async () => {
    await createRepo(s, alice, { name: 'tagged' });
    const url = s.gitUrl('alice/tagged.git', alice);
    const work = await tempDir();
    await gitOk(['clone', '-q', src, work]);
    const head = (await gitOk(['rev-parse', 'HEAD'], { cwd: work })).trim();
    const lines = Array.from({ length: 300 }, (_, i) => `create refs/tags/bulk-${String(i).padStart(3, '0')} ${head}\n`).join('');
    await gitOk(['update-ref', '--stdin'], { cwd: work, input: lines + `create refs/tags/zzz/CON ${head}\n` });

    // the last of 301 new refs, some 30 KB into the hook's input, names a Windows device: refused whole
    const refused = await git(['push', url, 'refs/tags/bulk-*:refs/tags/bulk-*', 'refs/tags/zzz/*:refs/tags/zzz/*'], { cwd: work });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/remote: Gitssy: refs\/tags\/zzz\/CON: /);
    expect((await gitOk(['ls-remote', '--tags', url])).trim()).toBe('');

    await gitOk(['update-ref', '-d', 'refs/tags/zzz/CON'], { cwd: work });
    await gitOk(['push', '-q', url, 'refs/tags/bulk-*:refs/tags/bulk-*'], { cwd: work });
    const acts = await activities('alice/tagged');
    expect(new Set(acts.map((a) => a.id)).size).toBe(1);
    expect(acts.length).toBe(300);
    expect(new Set(acts.map((a) => a.ref_name)).size).toBe(300);
    expect(acts.every((a) => a.op_type === 'push_tag')).toBe(true);
  });

  it('records nothing for a refused push', async () => {
    await createRepo(s, alice, { name: 'quiet' });
    await s.api('POST', '/api/v1/repos/alice/quiet/branch_protections', { auth: alice, json: { rule_name: '*' } });
    await gitOk(['push', '-q', s.gitUrl('alice/quiet.git', alice), 'main'], { cwd: src });
    expect((await git(['push', s.gitUrl('alice/quiet.git', alice), ':main'], { cwd: src })).code).not.toBe(0);
    expect((await activities('alice/quiet')).length).toBe(1);
  });
});

describe('recovery of pushes the server missed', () => {
  it('records refs changed while it was down exactly once, at the next start', async () => {
    const data = await tempDir('gitssy-recover-');
    let srv = await startServer({ data });
    await createUser(srv, 'alice', alice[1], { admin: true });
    await createRepo(srv, alice, { name: 'r' });
    await gitOk(['push', '-q', srv.gitUrl('alice/r.git', alice), 'main'], { cwd: src });
    await srv.stop();

    // refs move behind the server's back (e.g. a restore or a crash between hook and record)
    const dir = path.join(data, 'repos', 'alice', 'r.git');
    const head = (await gitOk(['--git-dir', dir, 'rev-parse', 'main'])).trim();
    await gitOk(['--git-dir', dir, 'update-ref', 'refs/heads/hotfix', head]);
    await gitOk(['--git-dir', dir, 'update-ref', 'refs/heads/main', `${head}~1`]);

    srv = await startServer({ data });
    try {
      const get = async () => (await (await srv.api('GET', '/api/v1/repos/alice/r/activities/feeds', { auth: alice })).json()) as Activity[];
      const acts = await get();
      const recovered = acts.filter((a) => a.transport === 'recovered');
      expect(recovered.map((a) => a.ref_name).sort()).toEqual(['refs/heads/hotfix', 'refs/heads/main']);
      expect(new Set(recovered.map((a) => a.id)).size).toBe(1);
      await srv.stop();
      srv = await startServer({ data });
      expect((await get()).length).toBe(acts.length);
    } finally {
      await srv.stop();
    }
  });
});
