// Restoring onto a data dir that can't be renamed away: a volume mounted at the data dir under
// a read-only parent, as Docker gives `-v gitssy:/data` on a read-only root. Made real here with
// a read-only bind mount of the parent and a bind mount of a writable folder at the data dir
// (as root; where mounts are refused, an immutable parent via chattr +i, with the data dir an
// ordinary folder). The restore stages inside the data dir and swaps its entries one by one;
// the CLI and the console restore both work there, a fault at any step of the swap leaves the
// old data exactly as it was and says so, and a kill -9 half-way is rolled back at the next start.
// These servers run on SQLite even under GITSSY_TEST_DB=postgres, so the PostgreSQL pass leaves
// this file out: it checks the data dir a restore leaves, gitssy.db among it (a PostgreSQL
// install's backups and in-place restore: backup-postgres.test.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, gitOk, makeRepo, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';
import { alive, cliRestore, dataState, fault, swapLeftovers, type DataState } from './restore-state.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];

type Mechanism = 'read-only bind mount' | 'chattr +i';

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: 'pipe' });

/**
 * Which real way of making a folder's parent unwritable works here (root ignores permission
 * bits). GITSSY_TEST_READONLY=chattr tries the fallback even where mounts work.
 */
function readOnlyMechanism(): Mechanism | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const d = mkdtempSync(path.join(os.tmpdir(), 'gitssy-ro-probe-'));
  const p = path.join(d, 'p');
  mkdirSync(path.join(p, 'data'), { recursive: true });
  try {
    try {
      if (process.env.GITSSY_TEST_READONLY === 'chattr') throw new Error('the fallback was asked for');
      sh('mount', ['--bind', p, p]);
      try {
        sh('mount', ['-o', 'remount,bind,ro', p]);
        sh('mount', ['--bind', path.join(d, 'p', 'data'), path.join(p, 'data')]);
        sh('umount', [path.join(p, 'data')]);
        return 'read-only bind mount';
      } finally {
        sh('umount', [p]);
      }
    } catch {
      // no mounts in this sandbox: try the attribute
    }
    try {
      sh('chattr', ['+i', p]);
      sh('chattr', ['-i', p]);
      return 'chattr +i';
    } catch {
      return null;
    }
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}

const MECHANISM = readOnlyMechanism();

interface Job {
  id: string;
  state: string;
  phase: string;
  error: string | null;
  result: Record<string, unknown> | null;
}

async function finished(s: TestServer, id: string): Promise<Job> {
  return waitFor(
    async () => {
      const res = await s.api('GET', `/api/v1/admin/backups/jobs/${id}`, { auth: alice }).catch(() => null);
      if (!res || res.status !== 200) return null;
      const j = (await res.json()) as Job;
      return j.state === 'done' || j.state === 'failed' ? j : null;
    },
    120_000,
    50,
  );
}

/** What `git ls-remote` lists, as `for-each-ref` prints it (HEAD left out). */
const remoteRefs = async (url: string) =>
  (await gitOk(['ls-remote', url]))
    .trim()
    .split('\n')
    .filter((l) => !l.endsWith('\tHEAD'))
    .map((l) => l.replace('\t', ' '))
    .sort()
    .join('\n');

const safetyBackups = async (data: string) => (await readdir(path.join(data, 'backups')).catch(() => [] as string[])).filter((f) => f.startsWith('gitssy-safety-')).length;

const refsIn = async (data: string, repo: string) =>
  (await gitOk(['--git-dir', path.join(data, 'repos', 'alice', `${repo}.git`), 'for-each-ref', '--format=%(objectname) %(refname)'])).trim().split('\n').sort().join('\n');

describe.skipIf(!MECHANISM)(`restore onto a data dir whose parent is read-only (${MECHANISM ?? 'needs root for a bind mount or chattr: skipped'})`, () => {
  let root: string;
  let parent: string;
  let data: string;
  let archive: string;
  let archiveRefs: string;
  let src: string;
  let old: DataState;
  let oldRefs: string;
  const servers: TestServer[] = [];
  const undo: string[][] = [];

  const serve = async (env: Record<string, string> = {}) => {
    // a killed server leaves its ports.json behind; the rig would read it as the new one's
    await rm(path.join(data, 'run', 'ports.json'), { force: true });
    const s = await startServer({ sqlite: true, data, env });
    servers.push(s);
    return s;
  };
  const stop = async (s: TestServer) => {
    if (alive(s.pid)) await s.stop();
  };

  beforeAll(async () => {
    root = await tempDir('gitssy-ro-');
    parent = path.join(root, 'parent');
    data = path.join(parent, 'data');
    await mkdir(data, { recursive: true });
    await mkdir(path.join(root, 'volume'));
    if (MECHANISM === 'read-only bind mount') {
      sh('mount', ['--bind', parent, parent]);
      undo.push(['umount', '-l', parent]);
      sh('mount', ['-o', 'remount,bind,ro', parent]);
      sh('mount', ['--bind', path.join(root, 'volume'), data]);
      undo.push(['umount', '-l', data]);
    } else {
      sh('chattr', ['+i', parent]);
      undo.push(['chattr', '-i', parent]);
    }
    // the parent really refuses a new entry, even to root
    await expect(mkdir(path.join(parent, 'probe'))).rejects.toThrow(/EROFS|EPERM/);

    // the archive: from an ordinary instance elsewhere
    src = await tempDir();
    await makeRepo(src, 3);
    const s0 = await startServer({ sqlite: true });
    try {
      await createUser(s0, 'alice', alice[1], { admin: true });
      await createRepo(s0, alice, { name: 'one' });
      await gitOk(['push', '-q', s0.gitUrl('alice/one.git', alice), 'main', 'main:dev'], { cwd: src });
      const made = await s0.cli(['backup', 'create']);
      expect(made.code, made.stderr).toBe(0);
      archive = path.join(root, 'backup.tar.gz');
      await copyFile(made.stdout.match(/^backup: (\S+),/m)![1]!, archive);
      archiveRefs = await refsIn(s0.data, 'one');
    } finally {
      await s0.stop();
    }
  });

  afterAll(async () => {
    for (const s of servers) await stop(s).catch(() => {});
    for (const cmd of undo.reverse()) {
      try {
        sh(cmd[0]!, cmd.slice(1));
      } catch {
        // already undone by the test itself
      }
    }
    if (root) await rm(root, { recursive: true, force: true });
    if (src) await rm(src, { recursive: true, force: true });
  });

  it('restores into the empty volume: staged inside it, moved in entry by entry, nothing written beside it', async () => {
    const r = await cliRestore(archive, data);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(MECHANISM === 'chattr +i' ? /its parent folder is not writable \(EPERM\), so the restore is staged inside it/ : /it is a mount point, so the restore is staged inside it/);
    expect(r.stdout).toMatch(/^restore: 1 repositories and \d+ files .* are in /m);
    expect(await refsIn(data, 'one')).toBe(archiveRefs);
    expect(await swapLeftovers(data)).toEqual([]);
    expect(await readdir(parent)).toEqual(['data']);

    // it serves; then it changes, so that a restore has something to replace
    const s = await serve();
    await gitOk(['push', '-q', s.gitUrl('alice/one.git', alice), 'main:later'], { cwd: src });
    await createRepo(s, alice, { name: 'two' });
    await createUser(s, 'bob', 'bob-pass-1234', { via: alice });
    await stop(s);
    oldRefs = await refsIn(data, 'one');
    expect(oldRefs).toContain('refs/heads/later');
    old = await dataState(data);
    expect(old.db.users!.length).toBe(2);
  });

  it('replaces the instance with --force after a safety backup: a fault at every step of the swap leaves the old data exactly as it was', async () => {
    // the data dir's entries: old gitssy.db, hooks, manifest.json, repos, ssh move aside; the new
    // gitssy.db, manifest.json, repos, ssh move in. Every step once, and a fault with entries on
    // both sides of it (the unit tests take every position: server/backup/swap-in-place.test.ts)
    for (const step of ['prepare', 'move-old:3', 'move-new:1', 'move-new:4', 'commit']) {
      const safetyBefore = await safetyBackups(data);
      const r = await cliRestore(archive, data, { force: true, env: fault(step) });
      expect(r.code, `${step}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(/taking a safety backup of the current data/);
      expect(r.stderr).toContain(`gitssy: restore failed: the archive was verified but could not be swapped in (injected fault at restore-swap:${step}`);
      expect(r.stderr).toMatch(/the previous data is still in place, unchanged\n$/);
      expect(r.stdout).toBe('');
      // the same files byte for byte, the same rows in every table, no swap leftovers
      expect(await dataState(data), step).toEqual(old);
      expect(await refsIn(data, 'one')).toBe(oldRefs);
      expect(await swapLeftovers(data)).toEqual([]);
      expect(await safetyBackups(data)).toBe(safetyBefore + 1);
      expect(await readdir(parent)).toEqual(['data']);
    }
  });

  it('rolls back at the next start a restore killed (kill -9) in the middle of its swap', async () => {
    const r = await cliRestore(archive, data, { force: true, env: fault('move-new:2:crash') });
    expect(r.code).toBe(-1); // killed by SIGKILL: no exit code
    expect(r.stdout).toBe('');
    expect((await readdir(data)).filter((n) => n.startsWith('.restore-')).sort()).toEqual([
      expect.stringMatching(/^\.restore-journal\.json$/),
      expect.stringMatching(/^\.restore-old-/),
      expect.stringMatching(/^\.restore-staging-/),
    ]);
    // half-swapped: the old repositories are aside
    expect(existsSync(path.join(data, 'gitssy.db'))).toBe(true);

    const s = await serve();
    await waitFor(async () => /a restore was cut short while its data was being swapped in: the previous data was put back/.test(s.log()));
    expect((await s.api('GET', '/api/v1/repos/alice/two', { auth: alice })).status).toBe(200);
    await stop(s);
    expect(await refsIn(data, 'one')).toBe(oldRefs);
    expect(await swapLeftovers(data)).toEqual([]);
    const now = await dataState(data);
    expect(now.files).toEqual(old.files);
    expect(now.db.users).toEqual(old.db.users);
    expect(now.db.repos).toEqual(old.db.repos);
  });

  it('restores from the console onto the volume; a failed swap is reported by the job and the old data served on the same port', async () => {
    await copyFile(archive, path.join(data, 'backups', 'gitssy-2026-01-01T00-00-00Z.tar.gz'));
    const name = 'gitssy-2026-01-01T00-00-00Z.tar.gz';
    const restore = async (s: TestServer) => {
      const res = await s.api('POST', `/api/v1/admin/backups/${name}/restore`, { auth: alice });
      expect(res.status).toBe(202);
      return ((await res.json()) as Job).id;
    };

    // a fault half-way through moving the old entries aside
    const s1 = await serve(fault('move-old:2'));
    const failed = await finished(s1, await restore(s1));
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/^the restore was verified but could not be swapped in \(injected fault at restore-swap:move-old:2 .*\); the previous data is still in place$/);
    expect(failed.result).toMatchObject({ safety_backup: expect.stringMatching(/^gitssy-safety-/) });
    expect((await s1.api('GET', '/api/v1/repos/alice/two', { auth: alice })).status).toBe(200);
    expect(await remoteRefs(s1.gitUrl('alice/one.git', alice))).toBe(oldRefs);
    expect(await swapLeftovers(data)).toEqual([]);
    await stop(s1);

    // the server killed half-way through moving the new entries in: the next start rolls back and the job says so
    const s2 = await serve(fault('move-new:2:crash'));
    const id = await restore(s2);
    await waitFor(async () => !alive(s2.pid), 120_000, 50);
    expect(await readdir(data)).toContain('.restore-journal.json');
    const s3 = await serve();
    const cut = await finished(s3, id);
    expect(cut.state).toBe('failed');
    expect(cut.error).toMatch(/the server stopped while the restore was being swapped in; the previous data was put back and nothing was restored/);
    expect((await s3.api('GET', '/api/v1/repos/alice/two', { auth: alice })).status).toBe(200);
    expect(await swapLeftovers(data)).toEqual([]);

    // and without a fault: the restored data, on the same port, pushes land
    const done = await finished(s3, await restore(s3));
    expect(done.error).toBeNull();
    expect(done.state).toBe('done');
    expect(done.result).toMatchObject({ safety_backup: expect.stringMatching(/^gitssy-safety-/) });
    expect((await s3.api('GET', '/api/v1/repos/alice/two', { auth: alice })).status).toBe(404);
    expect(await remoteRefs(s3.gitUrl('alice/one.git', alice))).toBe(archiveRefs);
    await gitOk(['push', '-q', s3.gitUrl('alice/one.git', alice), 'main:after-restore'], { cwd: src });
    expect(await swapLeftovers(data)).toEqual([]);
    // run/ stayed put through the swap: the restarted server still holds the data dir
    const second = await cliRestore(archive, data, { force: true });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`restore refused: a Gitssy server \\(pid ${s3.pid}\\) is running on`));
    expect(await readdir(parent)).toEqual(['data']);
    // the safety backup holds what it replaced
    const safety = path.join(data, 'backups', done.result!.safety_backup as string);
    const elsewhere = path.join(root, 'safety');
    expect((await cliRestore(safety, elsewhere)).code).toBe(0);
    expect(existsSync(path.join(elsewhere, 'repos', 'alice', 'two.git'))).toBe(true);
    await stop(s3);
  });

  it('a cleanup that fails after the swap keeps the restore, and the next start removes what it left', async () => {
    const r = await cliRestore(archive, data, { force: true, env: fault('cleanup') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/replaced .*; the previous data is in .*gitssy-safety-/);
    expect(r.stderr).toMatch(/the restore is in place, but \S+\.restore-old-\S+ \(the previous data\) could not be removed/);
    expect(await refsIn(data, 'one')).toBe(archiveRefs);
    expect((await swapLeftovers(data)).sort()).toEqual([expect.stringMatching(/^\.restore-journal\.json$/), expect.stringMatching(/^\.restore-old-/), expect.stringMatching(/^\.restore-staging-/)]);
    const s = await serve();
    await waitFor(async () => /a restore was cut short after its data was swapped in: finished it/.test(s.log()));
    await stop(s);
    expect(await swapLeftovers(data)).toEqual([]);
    expect(await readFile(path.join(data, 'manifest.json'), 'utf8')).toMatch(/"kind": "manual"/);
  });
});
