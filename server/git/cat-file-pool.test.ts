import { rm, writeFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readRig, workRepo, type ReadRig } from '../../test/fixtures/git-repos.js';
import { tempDir, waitFor } from '../../test/fixtures/rig.js';
import { CatFileProcess } from './cat-file.js';

const rigs: ReadRig[] = [];
async function rig(opts: Parameters<typeof readRig>[0] = {}) {
  const r = await readRig(opts);
  rigs.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(rigs.splice(0).map((r) => r.close()));
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('cat-file process', () => {
  it('answers info and contents in order, pipelined, and null for what is missing', async () => {
    const r = await rig();
    const w = await workRepo();
    const head = await w.commit({ 'a b.txt': 'hello\n', 'dir/x': 'x' }, 'one');
    const cat = new CatFileProcess(r.env, w.repo.dir);
    try {
      const [info, blob, missing, tree, ambiguous] = await Promise.all([cat.info(head), cat.contents(`${head}:a b.txt`), cat.info(`${head}:nope`), cat.info(`${head}:dir`), cat.info('0')]);
      expect(info).toMatchObject({ sha: head, type: 'commit' });
      expect(blob?.data?.toString()).toBe('hello\n');
      expect(blob).toMatchObject({ type: 'blob', size: 6 });
      expect(missing).toBeNull();
      expect(tree?.type).toBe('tree');
      expect(ambiguous).toBeNull();
    } finally {
      await cat.close();
    }
  });

  it('skips the bytes of an object over the cap instead of buffering them', async () => {
    const r = await rig();
    const w = await workRepo();
    const head = await w.commit({ big: Buffer.alloc(300_000, 'a'), small: 'ok' }, 'one');
    const cat = new CatFileProcess(r.env, w.repo.dir);
    try {
      const [big, small] = await Promise.all([cat.contents(`${head}:big`, 1000), cat.contents(`${head}:small`, 1000)]);
      expect(big).toMatchObject({ size: 300_000, data: null });
      expect(small?.data?.toString()).toBe('ok');
    } finally {
      await cat.close();
    }
  });

  it('refuses an object name that would smuggle in a second command', async () => {
    const r = await rig();
    const w = await workRepo();
    await w.commit({ a: 'a' }, 'one');
    const cat = new CatFileProcess(r.env, w.repo.dir);
    try {
      await expect(cat.info('HEAD\ncontents HEAD')).rejects.toThrow(/invalid object name/);
      expect(cat.alive).toBe(true);
    } finally {
      await cat.close();
    }
  });

  it('sees refs and objects pushed after it started', async () => {
    const r = await rig();
    const w = await workRepo();
    await w.commit({ a: '1' }, 'one');
    const cat = new CatFileProcess(r.env, w.repo.dir);
    try {
      await cat.info('refs/heads/main');
      const second = await w.commit({ a: '2' }, 'two');
      await w.git(['gc', '-q']); // the new commit now lives in a pack the process hasn't opened
      const third = await w.commit({ a: '3' }, 'three');
      expect((await cat.info('refs/heads/main'))?.sha).toBe(third);
      expect((await cat.info(second))?.type).toBe('commit');
    } finally {
      await cat.close();
    }
  });
});

describe('cat-file pool', () => {
  it('reuses one process for consecutive requests of a repository', async () => {
    const r = await rig();
    const w = await workRepo();
    await w.commit({ a: 'a' }, 'one');
    const first = await r.pool.use(w.repo, async (cat) => (await cat.info('HEAD'), cat.pid));
    const second = await r.pool.use(w.repo, async (cat) => (await cat.info('HEAD'), cat.pid));
    expect(second).toBe(first);
    expect(r.pool.stats()).toMatchObject({ processes: 1, idle: 1, busy: 0 });
  });

  it('gives every read inside one lease the same process, and nothing after the lease ends', async () => {
    const r = await rig();
    const w = await workRepo();
    await w.commit({ a: 'a' }, 'one');
    let later: Promise<number | undefined> = Promise.resolve(undefined);
    const inside = await r.pool.lease(w.repo, async () => {
      const pids = await Promise.all([1, 2, 3].map(() => r.pool.use(w.repo, async (cat) => (await cat.info('HEAD'), cat.pid))));
      expect(r.pool.stats()).toMatchObject({ processes: 1, busy: 1 });
      // work that outlives the lease must not keep using its process
      later = new Promise((res) => setTimeout(res, 50)).then(() => r.pool.use(w.repo, async (cat) => (expect(r.pool.stats().busy).toBe(1), cat.pid)));
      return pids;
    });
    expect(new Set(inside).size).toBe(1);
    await later;
    expect(r.pool.stats()).toMatchObject({ busy: 0 });
  });

  it('leases each concurrent request its own process, up to the per-repository cap, then queues', async () => {
    const r = await rig({ perRepo: 2 });
    const w = await workRepo();
    await w.commit({ a: 'a' }, 'one');
    let release!: () => void;
    const gate = new Promise<void>((res) => (release = res));
    const pids: number[] = [];
    const holders = [1, 2].map(() => r.pool.use(w.repo, async (cat) => (pids.push(cat.pid!), gate)));
    await waitFor(async () => pids.length === 2);
    let third = false;
    const waiting = r.pool.use(w.repo, async (cat) => {
      third = true;
      return cat.pid;
    });
    await new Promise((res) => setTimeout(res, 100));
    expect(third).toBe(false);
    expect(r.pool.stats()).toMatchObject({ processes: 2, busy: 2, waiting: 1 });
    release();
    await Promise.all(holders);
    expect(pids).toContain(await waiting);
    expect(new Set(pids).size).toBe(2);
  });

  it('closes an idle process of another repository to stay under the global cap', async () => {
    const r = await rig({ maxProcesses: 1 });
    const a = await workRepo();
    const b = await workRepo();
    await a.commit({ a: 'a' }, 'one');
    await b.commit({ b: 'b' }, 'one');
    const pidA = await r.pool.use(a.repo, async (cat) => (await cat.info('HEAD'), cat.pid!));
    await r.pool.use(b.repo, (cat) => cat.info('HEAD'));
    expect(r.pool.stats().processes).toBe(1);
    await waitFor(async () => !alive(pidA));
  });

  it('answers 503 when every process is busy for longer than the wait limit', async () => {
    const r = await rig({ perRepo: 1, waitMs: 100 });
    const w = await workRepo();
    await w.commit({ a: 'a' }, 'one');
    let release!: () => void;
    const gate = new Promise<void>((res) => (release = res));
    const holder = r.pool.use(w.repo, () => gate);
    await expect(r.pool.use(w.repo, (cat) => cat.info('HEAD'))).rejects.toMatchObject({ status: 503 });
    release();
    await holder;
  });

  it('closes processes that stay idle', async () => {
    const r = await rig({ idleMs: 200 });
    const w = await workRepo();
    await w.commit({ a: 'a' }, 'one');
    const pid = await r.pool.use(w.repo, async (cat) => (await cat.info('HEAD'), cat.pid!));
    await waitFor(async () => !alive(pid), 5_000);
    expect(r.pool.stats().processes).toBe(0);
  });

  it('fails fast on a directory that is not a repository, and holds no process for it', async () => {
    const r = await rig();
    const dir = await tempDir('not-a-repo-');
    for (let i = 0; i < 3; i++) await expect(r.pool.use({ id: 1, dir }, (cat) => cat.info('HEAD'))).rejects.toThrow(/not a git repository|cat-file/);
    expect(r.pool.stats().processes).toBe(0);
  });

  it('replaces a process that was killed, and the next request succeeds', async () => {
    const r = await rig();
    const w = await workRepo();
    const head = await w.commit({ a: 'a' }, 'one');
    const pid = await r.pool.use(w.repo, async (cat) => (await cat.info('HEAD'), cat.pid!));
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => !alive(pid));
    const again = await r.pool.use(w.repo, async (cat) => ({ info: await cat.info('HEAD'), pid: cat.pid }));
    expect(again.info?.sha).toBe(head);
    expect(again.pid).not.toBe(pid);
  });

  it('kills a process that stops answering, then recovers', async () => {
    const r = await rig({ stallMs: 300 });
    const w = await workRepo();
    const head = await w.commit({ a: 'a' }, 'one');
    const pid = await r.pool.use(w.repo, async (cat) => (await cat.info('HEAD'), cat.pid!));
    process.kill(pid, 'SIGSTOP'); // a hung git
    const started = Date.now();
    await expect(r.pool.use(w.repo, (cat) => cat.info('HEAD'))).rejects.toThrow(/no answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
    await waitFor(async () => !alive(pid));
    expect((await r.pool.use(w.repo, (cat) => cat.info('HEAD')))?.sha).toBe(head);
  });

  it('survives a corrupt object that makes cat-file die, serving the rest of the repository', async () => {
    const r = await rig();
    const w = await workRepo();
    const head = await w.commit({ good: 'good\n', bad: 'this blob gets corrupted\n' }, 'one');
    const bad = (await w.git(['rev-parse', 'HEAD:bad'])).trim();
    const object = path.join(w.repo.dir, 'objects', bad.slice(0, 2), bad.slice(2));
    // a truncated zlib stream: git prints the header, then dies half-way through the object
    const intact = deflateSync(Buffer.from('blob 25\0this blob gets corrupted\n'));
    await rm(object, { force: true });
    await writeFile(object, intact.subarray(0, intact.length - 6));
    await expect(r.pool.use(w.repo, (cat) => cat.contents(bad))).rejects.toThrow();
    const good = await r.pool.use(w.repo, (cat) => cat.contents(`${head}:good`));
    expect(good?.data?.toString()).toBe('good\n');
    expect(r.pool.stats()).toMatchObject({ busy: 0, waiting: 0 });
  });

  it('does not share processes between a repository and a re-created one at the same path', async () => {
    const r = await rig();
    const w = await workRepo();
    await w.commit({ a: 'a' }, 'one');
    const first = await r.pool.use(w.repo, async (cat) => (await cat.info('HEAD'), cat.pid));
    const second = await r.pool.use({ id: w.repo.id + 1, dir: w.repo.dir }, async (cat) => (await cat.info('HEAD'), cat.pid));
    expect(second).not.toBe(first);
  });

  it('leaves no cat-file processes behind when closed', async () => {
    const r = await rig();
    const w = await workRepo();
    await w.commit({ a: 'a' }, 'one');
    const pid = await r.pool.use(w.repo, async (cat) => (await cat.info('HEAD'), cat.pid!));
    await r.pool.close();
    await waitFor(async () => !alive(pid));
    await expect(r.pool.use(w.repo, (cat) => cat.info('HEAD'))).rejects.toMatchObject({ status: 503 });
  });
});
