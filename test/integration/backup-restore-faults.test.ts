// The restore swap's failure path on an ordinary data dir (the staged folder beside it takes its
// name, then the backups and logs move across): a fault injected at each step of the swap
// (GITSSY_FAULT, honoured only with GITSSY_TEST_FAULTS=1) puts the old data back exactly, the
// CLI says so and exits 1, and the console's restore job fails with the same message while the
// old data is served again. The in-place swap (a mount point, a read-only parent) has its own
// file: backup-restore-readonly.test.ts.
// These servers run on SQLite even under GITSSY_TEST_DB=postgres, so the PostgreSQL pass leaves
// this file out: it checks the data dir a restore leaves, gitssy.db among it (a PostgreSQL
// install's backups and in-place restore: backup-postgres.test.ts).
import { copyFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, gitOk, makeRepo, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';
import { alive, cliRestore, dataState, fault, type DataState } from './restore-state.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];

let data: string;
let archive: string;
let src: string;
let old: DataState;
const servers: TestServer[] = [];

const refsIn = async (repo: string) =>
  (await gitOk(['--git-dir', path.join(data, 'repos', 'alice', `${repo}.git`), 'for-each-ref', '--format=%(objectname) %(refname)'])).trim().split('\n').sort().join('\n');
/** What lies beside the data dir: only the data dir itself, when no swap left anything. */
const beside = async () => (await readdir(path.dirname(data))).sort();
const safetyBackups = async () => (await readdir(path.join(data, 'backups'))).filter((f) => f.startsWith('gitssy-safety-')).length;
/** The safety backup a restore says it took (two taken in one second differ only by a -2 suffix, so names alone don't order them). */
const safetyOf = (r: { stdout: string }) => {
  const m = /the previous data is in (\S+gitssy-safety-\S+\.tar\.gz)\n/.exec(r.stdout);
  if (!m) throw new Error(`the restore named no safety backup: ${r.stdout}`);
  return m[1]!;
};
/** The safety backup of the last restore that replaced the old data (the console test brings that data back). */
let oldDataSafety: string;

beforeAll(async () => {
  data = path.join(await tempDir('gitssy-faults-'), 'data');
  src = await tempDir();
  await makeRepo(src, 3);
  const s = await startServer({ sqlite: true, data });
  servers.push(s);
  await createUser(s, 'alice', alice[1], { admin: true });
  await createRepo(s, alice, { name: 'one' });
  await gitOk(['push', '-q', s.gitUrl('alice/one.git', alice), 'main'], { cwd: src });
  const made = await s.cli(['backup', 'create']);
  expect(made.code, made.stderr).toBe(0);
  archive = path.join(path.dirname(src), `${path.basename(src)}-backup.tar.gz`);
  await copyFile(made.stdout.match(/^backup: (\S+),/m)![1]!, archive);
  // what the restore would replace: a later branch, another repository, another user
  await gitOk(['push', '-q', s.gitUrl('alice/one.git', alice), 'main:later'], { cwd: src });
  await createRepo(s, alice, { name: 'two' });
  await createUser(s, 'bob', 'bob-pass-1234', { via: alice });
  await s.stop();
  old = await dataState(data);
  expect(old.db.users!.length).toBe(2);
  expect(await refsIn('one')).toContain('refs/heads/later');
});

afterAll(async () => {
  for (const s of servers) if (alive(s.pid)) await s.stop().catch(() => {});
  await rm(path.dirname(data), { recursive: true, force: true });
  if (archive) await rm(archive, { force: true });
  if (src) await rm(src, { recursive: true, force: true });
});

describe('restore --force when the swap fails', () => {
  // the old data dir carries backups and logs across: keep:1 and keep:2
  for (const step of ['prepare', 'move-old', 'move-new', 'keep:1', 'keep:2', 'commit']) {
    it(`puts the old data back exactly when the swap fails at ${step}, and says so`, async () => {
      const safety = await safetyBackups().catch(() => 0);
      const r = await cliRestore(archive, data, { force: true, env: fault(step) });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`gitssy: restore failed: the archive was verified but could not be swapped in (injected fault at restore-swap:${step}`);
      expect(r.stderr).toMatch(/the previous data is still in place, unchanged\n$/);
      expect(r.stdout).toBe('');
      expect(await dataState(data)).toEqual(old);
      expect(await beside()).toEqual(['data']);
      expect(await safetyBackups()).toBe(safety + 1);
    });
  }

  it('ignores GITSSY_FAULT without the test-only switch', async () => {
    const r = await cliRestore(archive, data, { force: true, env: { GITSSY_FAULT: 'restore-swap:prepare' } });
    expect(r.code, r.stderr).toBe(0);
    expect(await refsIn('one')).not.toContain('refs/heads/later');
    // back to the old data for the next test, through the same restore
    const back = await cliRestore(safetyOf(r), data, { force: true });
    expect(back.code, back.stderr).toBe(0);
    expect(await refsIn('one')).toContain('refs/heads/later');
  });

  it('keeps the restore when only the cleanup after the swap fails, naming what it left', async () => {
    const r = await cliRestore(archive, data, { force: true, env: fault('cleanup') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/the restore is in place, but \S+data\.replaced-[0-9a-f]+ \(the previous data\) could not be removed/);
    oldDataSafety = safetyOf(r);
    expect(await refsIn('one')).not.toContain('refs/heads/later');
    const left = (await beside()).filter((n) => n !== 'data');
    expect(left).toEqual([expect.stringMatching(/^data\.replaced-[0-9a-f]+$/)]);
    await rm(path.join(path.dirname(data), left[0]!), { recursive: true });
  });
});

describe('a console restore whose swap fails', () => {
  it('fails the job with the reason, serves the old data again on the same port, and leaves nothing beside the data dir', async () => {
    // the old data again (the previous test restored the archive)
    const back = await cliRestore(oldDataSafety, data, { force: true });
    expect(back.code, back.stderr).toBe(0);
    expect(await refsIn('one')).toContain('refs/heads/later');
    const name = 'gitssy-2026-01-01T00-00-00Z.tar.gz';
    await copyFile(archive, path.join(data, 'backups', name));

    // after the restored folder took the data dir's name, while the backups move across
    const s = await startServer({ sqlite: true, data, env: fault('keep:1') });
    servers.push(s);
    const res = await s.api('POST', `/api/v1/admin/backups/${name}/restore`, { auth: alice });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const job = await waitFor(
      async () => {
        const r = await s.api('GET', `/api/v1/admin/backups/jobs/${id}`, { auth: alice }).catch(() => null);
        if (!r || r.status !== 200) return null;
        const j = (await r.json()) as { state: string; error: string | null; result: Record<string, unknown> | null };
        return j.state === 'done' || j.state === 'failed' ? j : null;
      },
      120_000,
      50,
    );
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/^the restore was verified but could not be swapped in \(injected fault at restore-swap:keep:1 .*\); the previous data is still in place$/);
    expect(job.result).toMatchObject({ safety_backup: expect.stringMatching(/^gitssy-safety-/) });
    // the same port, the old data: the later branch, the second repository
    expect((await s.api('GET', '/api/v1/repos/alice/two', { auth: alice })).status).toBe(200);
    expect(await gitOk(['ls-remote', s.gitUrl('alice/one.git', alice)])).toMatch(/refs\/heads\/later/);
    await gitOk(['push', '-q', s.gitUrl('alice/one.git', alice), 'main:after-failed-restore'], { cwd: src });
    expect(await beside()).toEqual(['data']);
    await s.stop();
  });
});
