// The restore swap on real folders: entry by entry inside a data dir (a mount point, a
// read-only parent) and as a whole folder beside it. A fault at any step puts the old data back
// exactly; a crash at any step (a step that never returns, leaving the disk as kill -9 would)
// is rolled back or finished by the recovery the next start runs.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InjectedFault, faultsFromEnv, type FaultHook } from './fault.js';
import { SWAP_STEPS, stagingFor, swapInStaged } from './restore.js';
import { JOURNAL_FILE, SwapError, isMountPoint, recoverInterruptedSwap, stagingInside, swapInPlace, whyNotSwapWhole } from './swap-in-place.js';

const roots: string[] = [];
const cleanups: (() => void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) {
    try {
      c();
    } catch {
      // best effort: the next one still runs
    }
  }
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

async function tmp(): Promise<string> {
  const r = await mkdtemp(path.join(os.tmpdir(), 'gitssy-swap-'));
  roots.push(r);
  return r;
}

async function put(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, body] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), body);
  }
}

/** Every entry under `dir` with what it holds: a file's sha-256, `dir`, or a link's target. */
async function tree(dir: string, rel = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(path.join(dir, rel))).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    const full = path.join(dir, r);
    const st = await lstat(full);
    if (st.isDirectory()) {
      out[r] = 'dir';
      Object.assign(out, await tree(dir, r));
    } else if (st.isSymbolicLink()) out[r] = `-> ${await readlink(full)}`;
    else
      out[r] = createHash('sha256')
        .update(await readFile(full))
        .digest('hex');
  }
  return out;
}

const OLD = {
  'gitssy.db': 'old database',
  'repos/alice/one.git/HEAD': 'ref: refs/heads/main\n',
  'repos/alice/one.git/packed-refs': 'old refs',
  'hooks/pre-receive': '#!/bin/sh\n',
  'ssh/ssh_host_ed25519_key': 'old key',
  'backups/gitssy-safety-2026-01-01T00-00-00Z.tar.gz': 'the safety backup',
  'logs/gitssy.log': 'old log',
  '.gitssy.env': 'GITSSY_HOST=this-machine\n',
  'manifest.json': '{"old":true}',
  'run/ports.json': '{"http":1}',
  'lost+found/keep': 'fs',
};
const NEW = {
  'gitssy.db': 'restored database',
  'repos/alice/one.git/HEAD': 'ref: refs/heads/main\n',
  'repos/alice/one.git/packed-refs': 'restored refs',
  'repos/bob/two.git/HEAD': 'ref: refs/heads/main\n',
  'ssh/ssh_host_ed25519_key': 'restored key',
  '.gitssy.env': 'GITSSY_HOST=other-machine\n',
  'manifest.json': '{"new":true}',
  'extra.txt': 'only in the backup',
};

/** A data dir with the old data and a verified restore staged inside it. */
async function inPlaceFixture(): Promise<{ data: string; staged: string; before: Record<string, string> }> {
  const data = path.join(await tmp(), 'data');
  await put(data, OLD);
  const staged = stagingInside(data);
  await put(staged, NEW);
  return { data, staged, before: outside(await tree(data), staged) };
}

/** A tree without the staging folder (which the caller of a failed swap removes). */
function outside(t: Record<string, string>, staged: string): Record<string, string> {
  const rel = path.basename(staged);
  return Object.fromEntries(Object.entries(t).filter(([k]) => k !== rel && !k.startsWith(`${rel}/`)));
}

/** The data dir as a successful restore leaves it: the new data, the old backups, logs, .gitssy.env and run/, the archive's env beside. */
function expectRestored(t: Record<string, string>): void {
  const files = Object.keys(t).filter((k) => t[k] !== 'dir');
  expect(files.sort()).toEqual(
    [
      '.gitssy.env',
      '.gitssy.env.restored',
      'backups/gitssy-safety-2026-01-01T00-00-00Z.tar.gz',
      'extra.txt',
      'gitssy.db',
      'logs/gitssy.log',
      'lost+found/keep',
      'manifest.json',
      'repos/alice/one.git/HEAD',
      'repos/alice/one.git/packed-refs',
      'repos/bob/two.git/HEAD',
      'run/ports.json',
      'ssh/ssh_host_ed25519_key',
    ].sort(),
  );
}

const bodyOf = (data: string, rel: string) => readFile(path.join(data, rel), 'utf8');

/** A hook that fails at the n-th time it sees `step`. */
function failAt(step: string, nth = 1): FaultHook {
  let seen = 0;
  return async (at) => {
    if (at === step && ++seen === nth) throw new InjectedFault(`injected at ${step}:${nth}`);
  };
}

/** A hook that stops for good at the n-th `step`: the swap never continues, as if the process had died there. */
function crashAt(step: string, nth = 1): { hook: FaultHook; reached: Promise<void> } {
  let seen = 0;
  let hit!: () => void;
  const reached = new Promise<void>((r) => (hit = r));
  return {
    reached,
    hook: async (at) => {
      if (at === step && ++seen === nth) {
        hit();
        await new Promise(() => {});
      }
    },
  };
}

// the fixture moves 5 old entries aside (all but backups, logs, .gitssy.env, run, lost+found) and
// 6 new ones in; a fault at the first, a middle and the last of each
const IN_PLACE_CASES: [string, number][] = [
  ['prepare', 1],
  ['move-old', 1],
  ['move-old', 3],
  ['move-old', 5],
  ['move-new', 1],
  ['move-new', 3],
  ['move-new', 6],
  ['commit', 1],
];

describe('swapping a restore in entry by entry (inside the data dir)', () => {
  it('moves the new data in, keeps backups, logs, this machine’s .gitssy.env, run/ and lost+found, and leaves nothing behind', async () => {
    const { data, staged } = await inPlaceFixture();
    const r = await swapInStaged(data, staged, { fault: async () => {} });
    expect(r).toEqual({ env_restored_as: '.gitssy.env.restored', mode: 'in-place', leftover: null });
    const after = await tree(data);
    expectRestored(after);
    expect(await bodyOf(data, 'gitssy.db')).toBe('restored database');
    expect(await bodyOf(data, 'repos/alice/one.git/packed-refs')).toBe('restored refs');
    expect(await bodyOf(data, '.gitssy.env')).toBe(OLD['.gitssy.env']);
    expect(await bodyOf(data, '.gitssy.env.restored')).toBe(NEW['.gitssy.env']);
    expect(await bodyOf(data, 'run/ports.json')).toBe(OLD['run/ports.json']);
    expect(Object.keys(after).filter((k) => k.startsWith('.restore') || k === 'hooks')).toEqual([]);
    expect((await recoverInterruptedSwap(data)).action).toBeNull();
  });

  it('counts every step the fault cases name', async () => {
    // the cases above reach into the middle and the end of each repeated step
    const { data, staged } = await inPlaceFixture();
    const seen: string[] = [];
    await swapInStaged(data, staged, { fault: async (s) => void seen.push(s) });
    expect([...new Set(seen)].sort()).toEqual([...SWAP_STEPS['in-place']].sort());
    expect(seen.filter((s) => s === 'move-old').length).toBe(5);
    expect(seen.filter((s) => s === 'move-new').length).toBe(6);
  });

  for (const [step, nth] of IN_PLACE_CASES) {
    it(`puts every old entry back when the swap fails at ${step}:${nth}`, async () => {
      const { data, staged, before } = await inPlaceFixture();
      const stagedBefore = await tree(staged);
      const err = await swapInStaged(data, staged, { fault: failAt(step, nth) }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SwapError);
      expect((err as SwapError).rolledBack).toBe(true);
      expect((err as Error).message).toMatch(`injected at ${step}:${nth}`);
      // the data dir exactly as it was, byte for byte, apart from the staging folder the caller removes
      const rel = path.basename(staged);
      expect(outside(await tree(data), staged)).toEqual(before);
      // and the staged data as it was (its .gitssy.env already set aside)
      const { ['.gitssy.env']: env, ...rest } = stagedBefore;
      expect(await tree(staged)).toEqual({ ...rest, '.gitssy.env.restored': env });
      expect(await recoverInterruptedSwap(data)).toEqual({ action: null, context: null, removed: [rel] });
      expect(await tree(data)).toEqual(before);
    });
  }

  for (const [step, nth] of IN_PLACE_CASES) {
    it(`rolls back at the next start when the process dies at ${step}:${nth}`, async () => {
      const { data, staged, before } = await inPlaceFixture();
      const crash = crashAt(step, nth);
      void swapInStaged(data, staged, { fault: crash.hook, context: { job: { id: 'j1' } } });
      await crash.reached;
      const r = await recoverInterruptedSwap(data);
      if (step === 'prepare') {
        // before the journal: only the staging folder to drop
        expect(r).toEqual({ action: null, context: null, removed: [path.basename(staged)] });
      } else {
        expect(r.action).toBe('rolled-back');
        expect(r.context).toEqual({ job: { id: 'j1' }, env_restored_as: '.gitssy.env.restored' });
      }
      expect(await tree(data)).toEqual(before);
      expect((await recoverInterruptedSwap(data)).action).toBeNull();
    });
  }

  it('brings in this machine’s .gitssy.env naming the database a PostgreSQL restore loaded, and the old one back when the swap fails or dies', async () => {
    const url = 'postgres://gitssy@127.0.0.1:5432/gitssy_r0011aabb';
    const { data, staged } = await inPlaceFixture();
    await swapInStaged(data, staged, { databaseUrl: url, fault: async () => {} });
    // every other line of this machine's file stays; the archive's is set aside as always
    expect(await bodyOf(data, '.gitssy.env')).toBe(`${OLD['.gitssy.env']}DATABASE_URL=${url}\n`);
    expect(await bodyOf(data, '.gitssy.env.restored')).toBe(NEW['.gitssy.env']);

    const failed = await inPlaceFixture();
    await expect(swapInStaged(failed.data, failed.staged, { databaseUrl: url, fault: failAt('move-new', 6) })).rejects.toBeInstanceOf(SwapError);
    expect(outside(await tree(failed.data), failed.staged)).toEqual(failed.before);

    // a crash half-way: the next start puts the old file back and names the database to drop
    const died = await inPlaceFixture();
    const crash = crashAt('move-new', 3);
    void swapInStaged(died.data, died.staged, { databaseUrl: url, fault: crash.hook, context: { job: { id: 'j3' } } });
    await crash.reached;
    const r = await recoverInterruptedSwap(died.data);
    expect(r.action).toBe('rolled-back');
    expect(r.context).toEqual({ job: { id: 'j3' }, env_restored_as: '.gitssy.env.restored', new_database: url });
    expect(await tree(died.data)).toEqual(died.before);
  });

  it('finishes at the next start when the process dies after the swap committed', async () => {
    const { data, staged } = await inPlaceFixture();
    const crash = crashAt('cleanup');
    void swapInStaged(data, staged, { fault: crash.hook, context: { job: { id: 'j2' } } });
    await crash.reached;
    expect(await readdir(data)).toContain(JOURNAL_FILE);
    const r = await recoverInterruptedSwap(data);
    expect(r.action).toBe('completed');
    expect(r.context).toMatchObject({ job: { id: 'j2' } });
    expectRestored(await tree(data));
    expect(await bodyOf(data, 'gitssy.db')).toBe('restored database');
  });

  it('reports a cleanup that failed after the swap succeeded, and the next start finishes it', async () => {
    const { data, staged } = await inPlaceFixture();
    const r = await swapInPlace(data, staged, { keep: ['backups', 'logs', '.gitssy.env'], fault: failAt('cleanup') });
    expect(r.leftover).toMatch(/\.restore-old-[0-9a-f]+$/);
    expect(await bodyOf(data, 'gitssy.db')).toBe('restored database');
    expect((await recoverInterruptedSwap(data)).action).toBe('completed');
    expect((await readdir(data)).filter((n) => n.startsWith('.restore'))).toEqual([]);
  });

  it('resumes a rollback that a second crash cut short', async () => {
    const { data, staged, before } = await inPlaceFixture();
    const crash = crashAt('move-new', 5);
    void swapInPlace(data, staged, { fault: crash.hook });
    await crash.reached;
    // entries in order: .gitssy.env.restored, extra.txt, gitssy.db, hooks, manifest.json, repos, ssh;
    // the crash came before repos' new one moved in. The first steps of a rollback (it goes in
    // reverse), as a recovery that died after them would leave it:
    const journal = JSON.parse(await readFile(path.join(data, JOURNAL_FILE), 'utf8')) as { old: string };
    const { rename } = await import('node:fs/promises');
    await rename(path.join(data, journal.old, 'repos'), path.join(data, 'repos'));
    await rename(path.join(data, 'manifest.json'), path.join(staged, 'manifest.json'));
    expect((await recoverInterruptedSwap(data)).action).toBe('rolled-back');
    expect(await tree(data)).toEqual(before);
  });

  it('refuses to start on a damaged journal rather than guess', async () => {
    const { data } = await inPlaceFixture();
    await writeFile(path.join(data, JOURNAL_FILE), JSON.stringify({ version: 1, state: 'swapping', staging: '../x', old: '.restore-old-00', entries: [] }));
    await expect(recoverInterruptedSwap(data)).rejects.toThrow(/journal .* is damaged/);
  });

  it.skipIf(process.getuid?.() !== 0 || process.platform !== 'linux')('puts everything back when a real rename fails half-way (an immutable folder, as root)', async () => {
    const { data, staged, before } = await inPlaceFixture();
    // ssh/ sorts after most entries: several have moved when its rename fails with EPERM
    execFileSync('chattr', ['+i', path.join(data, 'ssh')]);
    cleanups.push(() => execFileSync('chattr', ['-i', path.join(data, 'ssh')]));
    try {
      const err = await swapInPlace(data, staged, { fault: async () => {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SwapError);
      expect((err as SwapError).rolledBack).toBe(true);
      expect((err as Error).message).toMatch(/EPERM/);
    } finally {
      execFileSync('chattr', ['-i', path.join(data, 'ssh')]);
    }
    expect(outside(await tree(data), staged)).toEqual(before);
  });

  it('moves a restore into an empty data dir that holds only lost+found', async () => {
    const data = path.join(await tmp(), 'data');
    await put(data, { 'lost+found/x': 'fs' });
    const staged = stagingInside(data);
    await put(staged, NEW);
    await swapInPlace(data, staged, { fault: async () => {} });
    const t = await tree(data);
    expect(t['lost+found/x']).toBeDefined();
    expect(await bodyOf(data, '.gitssy.env')).toBe(NEW['.gitssy.env']);
    expect(await bodyOf(data, 'gitssy.db')).toBe('restored database');
    expect(Object.keys(t).filter((k) => k.startsWith('.restore'))).toEqual([]);
  });
});

describe('swapping a restore in as a whole folder (beside the data dir)', () => {
  async function fixture(): Promise<{ data: string; staged: string; before: Record<string, string>; stagedBefore: Record<string, string> }> {
    const root = await tmp();
    const data = path.join(root, 'data');
    await put(data, OLD);
    const staged = `${data}.restoring-abcd`;
    await put(staged, NEW);
    return { data, staged, before: await tree(data), stagedBefore: await tree(staged) };
  }

  it('swaps the folders and carries backups, logs and this machine’s .gitssy.env across', async () => {
    const { data, staged } = await fixture();
    const r = await swapInStaged(data, staged, { fault: async () => {} });
    expect(r).toEqual({ env_restored_as: '.gitssy.env.restored', mode: 'whole', leftover: null });
    expect(await bodyOf(data, 'gitssy.db')).toBe('restored database');
    expect(await bodyOf(data, '.gitssy.env')).toBe(OLD['.gitssy.env']);
    expect(await bodyOf(data, 'backups/gitssy-safety-2026-01-01T00-00-00Z.tar.gz')).toBe('the safety backup');
    expect(await readdir(path.dirname(data))).toEqual(['data']);
  });

  // the fixture carries three entries (backups, logs, .gitssy.env): a fault at the first and the last
  const cases: [string, number][] = [
    ['prepare', 1],
    ['move-old', 1],
    ['move-new', 1],
    ['keep', 1],
    ['keep', 3],
    ['commit', 1],
  ];
  for (const [step, nth] of cases) {
    it(`puts the old folder back when the swap fails at ${step}:${nth}`, async () => {
      const { data, staged, before, stagedBefore } = await fixture();
      const err = await swapInStaged(data, staged, { fault: failAt(step, nth) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SwapError);
      expect((err as SwapError).rolledBack).toBe(true);
      expect(await tree(data)).toEqual(before);
      // the staged folder is back where it was (the caller removes it); only the data dir and it are there
      expect((await readdir(path.dirname(data))).sort()).toEqual(['data', path.basename(staged)]);
      const staging = await tree(staged);
      for (const k of Object.keys(stagedBefore).filter((k) => k !== '.gitssy.env')) expect(staging[k], k).toBe(stagedBefore[k]);
    });
  }

  it('brings in this machine’s .gitssy.env naming the database a PostgreSQL restore loaded, and the old one back when the swap fails', async () => {
    const url = 'postgres://gitssy@127.0.0.1:5432/gitssy_r0011aabb';
    const ok = await fixture();
    await swapInStaged(ok.data, ok.staged, { databaseUrl: url, fault: async () => {} });
    expect(await bodyOf(ok.data, '.gitssy.env')).toBe(`${OLD['.gitssy.env']}DATABASE_URL=${url}\n`);
    expect(await bodyOf(ok.data, 'backups/gitssy-safety-2026-01-01T00-00-00Z.tar.gz')).toBe('the safety backup');
    const failed = await fixture();
    await expect(swapInStaged(failed.data, failed.staged, { databaseUrl: url, fault: failAt('commit') })).rejects.toBeInstanceOf(SwapError);
    expect(await tree(failed.data)).toEqual(failed.before);
  });

  it('reports a cleanup that failed after the swap succeeded', async () => {
    const { data, staged } = await fixture();
    const r = await swapInStaged(data, staged, { fault: failAt('cleanup') });
    expect(r.leftover).toMatch(/data\.replaced-[0-9a-f]+$/);
    expect(await bodyOf(data, 'gitssy.db')).toBe('restored database');
  });
});

describe('choosing where to stage a restore', () => {
  it('stages beside an ordinary data dir, and inside one that is a symbolic link', async () => {
    const root = await tmp();
    const data = path.join(root, 'data');
    await mkdir(data);
    expect(await whyNotSwapWhole(data)).toBeNull();
    expect((await stagingFor(data)).staged).toMatch(new RegExp(`^${data}\\.restoring-[0-9a-f]+$`));
    expect(await whyNotSwapWhole(path.join(root, 'missing'))).toBeNull();
    await symlink(data, path.join(root, 'link'));
    expect(await whyNotSwapWhole(path.join(root, 'link'))).toBe('it is a symbolic link');
    expect((await stagingFor(path.join(root, 'link'))).staged).toMatch(/link\/\.restore-staging-[0-9a-f]+$/);
    expect(await readdir(root)).toEqual(['data', 'link']);
  });

  const asRoot = process.getuid?.() === 0 && process.platform === 'linux';

  it.skipIf(!asRoot)('stages inside when the parent folder is immutable (chattr +i, as root)', async () => {
    const root = await tmp();
    const parent = path.join(root, 'parent');
    await mkdir(path.join(parent, 'data'), { recursive: true });
    execFileSync('chattr', ['+i', parent]);
    cleanups.push(() => execFileSync('chattr', ['-i', parent]));
    try {
      expect(await whyNotSwapWhole(path.join(parent, 'data'))).toBe('its parent folder is not writable (EPERM)');
      expect((await stagingFor(path.join(parent, 'data'))).staged).toMatch(/parent\/data\/\.restore-staging-[0-9a-f]+$/);
    } finally {
      execFileSync('chattr', ['-i', parent]);
    }
  });

  it.skipIf(!asRoot)('stages inside a data dir that is a bind mount from the same file system (st_dev alone would miss it)', async () => {
    const root = await tmp();
    const data = path.join(root, 'data');
    await mkdir(path.join(root, 'vol'));
    await mkdir(data);
    execFileSync('mount', ['--bind', path.join(root, 'vol'), data]);
    cleanups.push(() => execFileSync('umount', [data]));
    try {
      expect((await lstat(data)).dev).toBe((await lstat(root)).dev);
      expect(await isMountPoint(data)).toBe(true);
      expect(await whyNotSwapWhole(data)).toBe('it is a mount point');
    } finally {
      execFileSync('umount', [data]);
    }
    expect(await isMountPoint(data)).toBe(false);
  });
});

describe('the fault hook', () => {
  it('does nothing unless the test-only switch is on, and fails the n-th step when it is', async () => {
    await expect(faultsFromEnv('restore-swap', { GITSSY_FAULT: 'restore-swap:prepare' })('prepare')).resolves.toBeUndefined();
    const hook = faultsFromEnv('restore-swap', { GITSSY_TEST_FAULTS: '1', GITSSY_FAULT: 'restore-swap:move-new:2' });
    await expect(hook('move-new')).resolves.toBeUndefined();
    await expect(hook('move-old')).resolves.toBeUndefined();
    await expect(hook('move-new')).rejects.toThrow(/injected fault at restore-swap:move-new:2 \(GITSSY_FAULT, a test-only setting\)/);
    await expect(hook('move-new')).resolves.toBeUndefined();
    await expect(faultsFromEnv('restore-swap', { GITSSY_TEST_FAULTS: '1', GITSSY_FAULT: 'other:prepare' })('prepare')).resolves.toBeUndefined();
  });
});
