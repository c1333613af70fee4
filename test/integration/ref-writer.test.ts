// The one write path for refs the server moves itself (web branch create and delete today): the
// same push policy as `git push` (protected branches, maintenance), a compare-and-swap
// `update-ref` that a racing push makes fail cleanly, and exactly one push event per write.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZERO_SHA } from '../../server/git/ref-update.js';
import { repoTarget } from '../../server/http/api/git-http-util.js';
import { createRepo, createUser, git, gitOk, makeRepo, tempDir, waitFor } from '../fixtures/rig.js';
import { startInProcess, type InProcessServer } from './in-process.js';
import { outboxIdle } from './outbox-probe.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
const bob: [string, string] = ['bob', 'bob-pass-123'];
type Activity = { id: number; op_type: string; ref_name: string; content: string; transport: string; act_user: { login: string } | null };

// in-process, so the RefWriter itself can be called with a stale old value; everything else is HTTP and git
let s: InProcessServer;
let src: string;
beforeAll(async () => {
  s = await startInProcess();
  await createUser(s, 'alice', alice[1], { admin: true });
  await createUser(s, 'bob', bob[1], { via: alice });
  src = await tempDir();
  await makeRepo(src, 3);
});
afterAll(async () => s?.stop());

const heads = async (repo: string) => (await gitOk(['ls-remote', '--heads', s.gitUrl(`${repo}.git`, alice)])).trim();
const feed = async (repo: string) => (await (await s.api('GET', `/api/v1/repos/${repo}/activities/feeds?limit=50`, { auth: alice })).json()) as Activity[];
const pushCount = async () =>
  Number(
    (
      await s.app.services.db
        .selectFrom('push_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

async function target(owner: string, name: string) {
  const rec = (await s.app.services.repos.find(owner, name))!;
  return { id: rec.repo.id, owner, name, dir: s.app.services.store.dir({ owner, name }), size: rec.repo.size };
}

describe('web branch writes and the push policy', () => {
  it('refuses to delete a protected branch from the web with the sentence a git push deletion gets', async () => {
    await createRepo(s, alice, { name: 'guarded' });
    const url = s.gitUrl('alice/guarded.git', alice);
    await gitOk(['push', '-q', url, 'main', 'main:release'], { cwd: src });
    expect((await s.api('POST', '/api/v1/repos/alice/guarded/branch_protections', { auth: alice, json: { rule_name: 'release' } })).status).toBe(201);
    const before = await heads('alice/guarded');

    const pushed = await git(['push', url, ':release'], { cwd: src });
    expect(pushed.code).not.toBe(0);
    const sentence = /^remote: Gitssy: (.+?)\s*$/m.exec(pushed.stderr)?.[1];
    expect(sentence).toBe('release is a protected branch and may not be deleted');

    const web = await s.api('DELETE', '/api/v1/repos/alice/guarded/branches/release', { auth: alice });
    expect(web.status).toBe(403);
    expect(((await web.json()) as { message: string }).message).toBe(sentence);
    expect(await heads('alice/guarded')).toBe(before);
    expect((await s.api('GET', '/api/v1/repos/alice/guarded/branches/release', { auth: alice })).status).toBe(200);
  });

  it('fails a web write cleanly when a push moved the ref first: 409, the pushed value stays, no event', async () => {
    await createRepo(s, alice, { name: 'race' });
    const url = s.gitUrl('alice/race.git', alice);
    await gitOk(['push', '-q', url, 'main'], { cwd: src });
    const seen = (await gitOk(['rev-parse', 'main'], { cwd: src })).trim();
    const parent = (await gitOk(['rev-parse', 'main~1'], { cwd: src })).trim();

    // someone pushes a new commit after the web page read `seen`
    const work = await tempDir();
    await gitOk(['clone', '-q', url, `${work}/w`]);
    await gitOk(['commit', '-q', '--allow-empty', '-m', 'pushed meanwhile'], { cwd: `${work}/w` });
    await gitOk(['push', '-q', 'origin', 'main'], { cwd: `${work}/w` });
    const pushedSha = (await gitOk(['rev-parse', 'HEAD'], { cwd: `${work}/w` })).trim();
    await outboxIdle(s.data);
    const events = await pushCount();
    const activities = await feed('alice/race');

    const alicesId = (await s.app.services.users.byName('alice'))!.id;
    const write = s.app.services.refs.write({
      repo: await target('alice', 'race'),
      actor: { id: alicesId, isSiteAdmin: true },
      updates: [{ ref: 'refs/heads/main', oldSha: seen, newSha: parent }],
      message: 'test: reset from a stale page',
    });
    await expect(write).rejects.toMatchObject({ status: 409, code: 'conflict', message: expect.stringMatching(/"main" moved while this change was being made.*nothing was written/) });

    expect(await heads('alice/race')).toBe(`${pushedSha}\trefs/heads/main`);
    await outboxIdle(s.data);
    expect(await pushCount()).toBe(events);
    expect(await feed('alice/race')).toEqual(activities);

    // a create whose ref appeared meanwhile (old value "must not exist") fails the same way
    const create = s.app.services.refs.write({
      repo: await target('alice', 'race'),
      actor: { id: alicesId, isSiteAdmin: true },
      updates: [{ ref: 'refs/heads/main', oldSha: ZERO_SHA, newSha: parent }],
      message: 'test: create over an existing branch',
    });
    await expect(create).rejects.toMatchObject({ status: 409 });
    expect(await heads('alice/race')).toBe(`${pushedSha}\trefs/heads/main`);
    expect(await pushCount()).toBe(events);

    // with the value the push left, the same write goes through as one web push event
    await s.app.services.refs.write({
      repo: await target('alice', 'race'),
      actor: { id: alicesId, isSiteAdmin: true },
      updates: [{ ref: 'refs/heads/main', oldSha: pushedSha, newSha: parent }],
      message: 'test: reset from a fresh page',
    });
    expect(await heads('alice/race')).toBe(`${parent}\trefs/heads/main`);
    expect(await pushCount()).toBe(events + 1);
  });

  it('records exactly one push event with transport "web" for a web branch create and one for a delete', async () => {
    await createRepo(s, alice, { name: 'webby' });
    await gitOk(['push', '-q', s.gitUrl('alice/webby.git', alice), 'main'], { cwd: src });
    const main = (await gitOk(['rev-parse', 'main'], { cwd: src })).trim();
    await s.api('PUT', '/api/v1/repos/alice/webby/collaborators/bob', { auth: alice, json: { permission: 'write' } });
    const start = await pushCount();

    const created = await s.api('POST', '/api/v1/repos/alice/webby/branches', { auth: bob, json: { new_branch_name: 'feature/x', old_ref_name: 'main' } });
    expect(created.status).toBe(201);
    expect(await pushCount()).toBe(start + 1);
    let acts = await feed('alice/webby');
    expect(acts[0]).toMatchObject({ op_type: 'commit_repo', ref_name: 'refs/heads/feature/x', transport: 'web', act_user: { login: 'bob' } });
    expect(JSON.parse(acts[0]!.content)).toEqual({ old: ZERO_SHA, new: main });

    expect((await s.api('DELETE', '/api/v1/repos/alice/webby/branches/feature/x', { auth: bob })).status).toBe(204);
    expect(await pushCount()).toBe(start + 2);
    acts = await feed('alice/webby');
    expect(acts[0]).toMatchObject({ op_type: 'delete_branch', ref_name: 'refs/heads/feature/x', transport: 'web', act_user: { login: 'bob' } });
    expect(JSON.parse(acts[0]!.content)).toEqual({ old: main, new: ZERO_SHA });
    expect(acts.filter((a) => a.transport === 'web')).toHaveLength(2);
    expect(new Set(acts.map((a) => a.id)).size).toBe(3); // the first push, the create, the delete

    // and nothing downstream counts them twice, nor recovers them again at the next start
    await outboxIdle(s.data);
    expect((await s.app.services.pushes.reconcile()).recovered).toBe(0);
    expect(await pushCount()).toBe(start + 2);
    expect(await heads('alice/webby')).toBe(`${main}\trefs/heads/main`);
  });

  it('refuses a web branch create in maintenance mode with 503 and the operator message', async () => {
    await createRepo(s, alice, { name: 'paused' });
    await gitOk(['push', '-q', s.gitUrl('alice/paused.git', alice), 'main'], { cwd: src });
    await s.api('PUT', '/api/v1/repos/alice/paused/collaborators/bob', { auth: alice, json: { permission: 'write' } });
    const start = await pushCount();
    expect((await s.api('PUT', '/api/v1/admin/maintenance', { auth: alice, json: { enabled: true, message: 'disk swap until 14:00' } })).status).toBe(200);
    try {
      const res = await s.api('POST', '/api/v1/repos/alice/paused/branches', { auth: bob, json: { new_branch_name: 'during' } });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { message: string }).message).toMatch(/maintenance mode.*: disk swap until 14:00$/);

      // the RefWriter asks the push policy itself, so a write that got past the HTTP layer is refused too
      const rec = (await s.app.services.repos.find('alice', 'paused'))!;
      const bobUser = (await s.app.services.users.byName('bob'))!;
      const direct = s.app.services.branches.create(repoTarget(s.app.services, rec), { id: bobUser.id, isSiteAdmin: false }, 'during');
      await expect(direct).rejects.toMatchObject({ status: 503, message: 'Gitssy is in maintenance mode; pushes are paused: disk swap until 14:00' });
      expect(await heads('alice/paused')).not.toMatch(/refs\/heads\/during/);
      expect(await pushCount()).toBe(start);
    } finally {
      expect((await s.api('PUT', '/api/v1/admin/maintenance', { auth: alice, json: { enabled: false } })).status).toBe(200);
    }
    expect((await s.api('POST', '/api/v1/repos/alice/paused/branches', { auth: bob, json: { new_branch_name: 'during' } })).status).toBe(201);
    expect(await pushCount()).toBe(start + 1);
  });
});

describe('what a push leaves until after its answer', () => {
  const packs = (dir: string) => readdirSync(path.join(dir, 'objects', 'pack')).filter((f) => f.endsWith('.pack')).length;

  it("leaves gc --auto to the server's own upkeep after the push, which a backup's hold pauses", async () => {
    await createRepo(s, alice, { name: 'packs' });
    const dir = s.app.services.store.dir({ owner: 'alice', name: 'packs' });
    // every push keeps its pack, and two packs are one too many for gc --auto
    await gitOk(['--git-dir', dir, 'config', 'receive.unpackLimit', '1']);
    await gitOk(['--git-dir', dir, 'config', 'gc.autoPackLimit', '1']);
    const url = s.gitUrl('alice/packs.git', alice);
    const release = s.app.services.store.holdMaintenance();
    try {
      await gitOk(['push', '-q', url, 'main~1:refs/heads/main'], { cwd: src });
      await gitOk(['push', '-q', url, 'main:refs/heads/main'], { cwd: src });
      await outboxIdle(s.data);
      // receive-pack ran no gc of its own (it would have repacked the two under the backup)
      expect(packs(dir)).toBe(2);
    } finally {
      release();
    }
    // held no more: the next push's upkeep repacks
    await gitOk(['push', '-q', url, 'main:refs/heads/again'], { cwd: src });
    await waitFor(async () => packs(dir) === 1, 20_000);
    await gitOk(['--git-dir', dir, 'fsck', '--connectivity-only']);
  });
});
