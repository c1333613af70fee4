import { link, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirBusy, carryDataDirLock, dataDirHolder, lockDataDir, type DataDirLock } from './data-lock.js';

const held: DataDirLock[] = [];
afterEach(async () => {
  for (const l of held.splice(0)) await l.release();
});
const take = async (dir: string, command = 'serve') => {
  const l = await lockDataDir(dir, command);
  held.push(l);
  return l;
};
/** The DataDirBusy a claim fails with (a claim that succeeds fails the test). */
const refusal = (dir: string, command = 'serve'): Promise<DataDirBusy> =>
  lockDataDir(dir, command).then(
    (l) => {
      held.push(l);
      throw new Error('the lock was taken twice');
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(DataDirBusy);
      return e as DataDirBusy;
    },
  );
const tempData = async (prefix = 'gitssy-lock-') => path.join(await mkdtemp(path.join(os.tmpdir(), prefix)), 'data');

const lockDir = (dir: string) => path.join(dir, 'run', 'lock');
const lockFiles = async (dir: string) => (await readdir(lockDir(dir))).sort();

/** A lock file nobody listens on, as a process killed with SIGKILL leaves behind. */
async function staleSocket(dir: string, generation = 0): Promise<void> {
  await mkdir(lockDir(dir), { recursive: true });
  const tmp = path.join(dir, 'tmp.sock');
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(tmp, resolve));
  await link(tmp, path.join(lockDir(dir), `${generation}.sock`));
  await new Promise<void>((resolve) => server.close(() => resolve())); // unlinks tmp.sock only
}

describe.skipIf(process.platform === 'win32')('the data dir lock (Unix socket)', () => {
  it('refuses a second holder, naming the first, until it is released', async () => {
    const dir = await tempData();
    const first = await take(dir);
    await expect(lockDataDir(dir, 'backup restore')).rejects.toThrow(DataDirBusy);
    const busy = await refusal(dir);
    expect(busy.holder).toEqual({ pid: process.pid, command: 'serve', ports: null });
    expect(busy.message).toBe(`a Gitssy server (pid ${process.pid}) is starting on ${dir}`);
    expect(await dataDirHolder(dir)).toEqual({ pid: process.pid, command: 'serve', ports: null });
    expect(await lockFiles(dir)).toEqual(['0.sock']);

    await first.release();
    held.length = 0;
    expect(await lockFiles(dir)).toEqual([]);
    expect(await dataDirHolder(dir)).toBeNull();
    await take(dir, 'backup restore');
    expect(await dataDirHolder(dir)).toMatchObject({ command: 'backup restore' });
  });

  it("names the holder's ports from run/ports.json, and only when they are its own", async () => {
    const dir = await tempData();
    await take(dir);
    await writeFile(path.join(dir, 'run', 'ports.json'), JSON.stringify({ http: 3000, ssh: 2222, git: null, pid: process.pid }));
    expect((await refusal(dir)).message).toBe(`a Gitssy server (pid ${process.pid}) is running on ${dir}, listening on HTTP port 3000, SSH port 2222`);
    await writeFile(path.join(dir, 'run', 'ports.json'), JSON.stringify({ http: 3000, ssh: 2222, git: null, pid: 1 }));
    expect((await dataDirHolder(dir))?.ports).toBeNull();
  });

  it('supersedes a dead lock (a socket nobody listens on, or any other file in its place) with the next generation', async () => {
    const dir = await tempData();
    await staleSocket(dir, 4);
    expect(await dataDirHolder(dir)).toBeNull();
    const lock = await take(dir);
    expect(await dataDirHolder(dir)).toMatchObject({ pid: process.pid });
    expect(await lockFiles(dir)).toEqual(['4.sock', '5.sock']);
    await lock.release();
    held.length = 0;
    expect(await lockFiles(dir)).toEqual(['4.sock']);

    const other = await tempData();
    await mkdir(lockDir(other), { recursive: true });
    await writeFile(path.join(lockDir(other), '0.sock'), 'not a socket');
    await take(other);
    expect(await dataDirHolder(other)).toMatchObject({ pid: process.pid });
    expect(await lockFiles(other)).toEqual(['0.sock', '1.sock']);
  });

  it('lets exactly one of many racing claimants take a stale lock', async () => {
    // claimants start a little apart, so that some find the stale file while others already replaced it
    const jitter = () => new Promise((r) => setTimeout(r, Math.random() * 3));
    for (let round = 0; round < 30; round++) {
      const dir = await tempData();
      await staleSocket(dir);
      const results = await Promise.allSettled(Array.from({ length: 12 }, () => jitter().then(() => lockDataDir(dir, 'serve'))));
      const won = results.filter((r): r is PromiseFulfilledResult<DataDirLock> => r.status === 'fulfilled');
      held.push(...won.map((r) => r.value));
      expect(won.length).toBe(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DataDirBusy);
      expect(await lockFiles(dir)).toEqual(['0.sock', '1.sock']);
    }
  });

  it('works in a data dir whose socket path is longer than a socket address may be', async () => {
    const dir = path.join(await tempData(), 'x'.repeat(120));
    expect(Buffer.byteLength(path.join(lockDir(dir), '0.sock'))).toBeGreaterThan(108);
    await take(dir);
    await expect(lockDataDir(dir, 'serve')).rejects.toThrow(DataDirBusy);
    expect(await lockFiles(dir)).toEqual(['0.sock']);
    expect(await readdir(path.join(dir, 'run'))).toEqual(['lock']);
    // nothing was bound at a cut-short path beside it
    expect(await readdir(path.dirname(dir))).toEqual([path.basename(dir)]);
  });

  it('goes with the data when a restore swaps another folder in', async () => {
    const dir = await tempData();
    const lock = await take(dir);
    const staged = `${dir}.restoring`;
    await mkdir(staged);
    await carryDataDirLock(dir, staged);
    await rename(dir, `${dir}.replaced`);
    await rename(staged, dir);
    await rm(`${dir}.replaced`, { recursive: true });
    expect(await dataDirHolder(dir)).toMatchObject({ pid: process.pid, command: 'serve' });
    await expect(lockDataDir(dir, 'serve')).rejects.toThrow(DataDirBusy);
    await lock.release();
    held.length = 0;
    expect(await lockFiles(dir)).toEqual([]);
    await take(dir);
  });
});
