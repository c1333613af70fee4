// Big transfers over smart HTTP: a 50 MB push and clone, the git.maxPushBytes cap, and a client
// that walks away in the middle of a clone.
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, git, gitOk, gitProcessesUnder, gitWithDeadline, makeRepo, noise, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';
import { outboxIdle } from './outbox-probe.js';

const ALICE: [string, string] = ['alice', 'alice-pass-123'];
const MiB = 1024 * 1024;

/** One pkt-line: four hex digits of length (counting themselves), then the data. */
const pkt = (data: string) => Buffer.from(`${(Buffer.byteLength(data) + 4).toString(16).padStart(4, '0')}${data}`);

describe('large transfers over smart HTTP', () => {
  let s: TestServer;
  const scratchDirs: string[] = [];

  /** A temp dir removed after the file's tests (clones here can be 100 MB). */
  async function scratch(): Promise<string> {
    const dir = await tempDir();
    scratchDirs.push(dir);
    return dir;
  }

  async function seedRepo(name: string): Promise<{ src: string; head: string }> {
    await createRepo(s, ALICE, { name });
    const src = await scratch();
    const head = await makeRepo(src, 2);
    await gitOk(['push', '-q', s.gitUrl(`alice/${name}.git`, ALICE), 'main'], { cwd: src });
    return { src, head };
  }

  /** Commits `files` files of `mib` MiB of incompressible bytes each; returns the new HEAD. */
  async function commitNoise(dir: string, label: string, files: number, mib: number): Promise<string> {
    for (let i = 0; i < files; i++) await writeFile(path.join(dir, `${label}-${i}.bin`), noise(mib * MiB, `${label}-${i}`));
    await gitOk(['add', '-A'], { cwd: dir });
    await gitOk(['commit', '-q', '-m', label], { cwd: dir });
    return (await gitOk(['rev-parse', 'HEAD'], { cwd: dir })).trim();
  }

  async function serverRefs(repo: string): Promise<string> {
    return gitOk(['ls-remote', s.gitUrl(`alice/${repo}.git`, ALICE)]);
  }

  async function setMaxPush(bytes: number): Promise<void> {
    const res = await s.api('PATCH', '/api/v1/admin/settings', { auth: ALICE, json: { 'git.maxPushBytes': bytes } });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as Record<string, unknown>)['git.maxPushBytes']).toBe(bytes);
  }

  async function currentMaxPush(): Promise<number> {
    const res = await s.api('GET', '/api/v1/admin/settings', { auth: ALICE });
    return ((await res.json()) as { 'git.maxPushBytes': number })['git.maxPushBytes'];
  }

  beforeAll(async () => {
    s = await startServer();
    await createUser(s, ...ALICE, { admin: true });
  });
  afterAll(async () => {
    await s?.stop();
    await Promise.all(scratchDirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('accepts a 50 MB push and clones it back with the same HEAD and bytes', async () => {
    const { src } = await seedRepo('big');
    const head = await commitNoise(src, 'noise', 5, 10);

    const push = await git(['push', '-q', s.gitUrl('alice/big.git', ALICE), 'main'], { cwd: src });

    expect(push.code, push.stderr).toBe(0);
    expect(await serverRefs('big')).toContain(`${head}\trefs/heads/main`);
    const dst = path.join(await scratch(), 'c');
    await gitOk(['clone', '-q', s.gitUrl('alice/big.git'), dst]);
    expect((await gitOk(['rev-parse', 'HEAD'], { cwd: dst })).trim()).toBe(head);
    const sha = async (f: string) =>
      createHash('sha256')
        .update(await readFile(f))
        .digest('hex');
    expect(await sha(path.join(dst, 'noise-4.bin'))).toBe(await sha(path.join(src, 'noise-4.bin')));
  });

  it('refuses a 3 MB push when git.maxPushBytes is 1 MiB and leaves the refs unchanged', async () => {
    const { src } = await seedRepo('capped');
    const before = await serverRefs('capped');
    await commitNoise(src, 'three', 1, 3);
    const saved = await currentMaxPush();
    await setMaxPush(MiB);
    try {
      const r = await git(['push', '-q', s.gitUrl('alice/capped.git', ALICE), 'main'], { cwd: src });

      expect(r.code).not.toBe(0);
      // the pusher reads the server's words, not git's bare "pack exceeds maximum allowed size"
      expect(r.stderr).toMatch(/^remote: Gitssy: this push is larger than the limit of 1 MiB \(git\.maxPushBytes\); push fewer commits at a time, or ask an administrator to raise the limit/m);
      expect(r.stderr).not.toMatch(/pack exceeds maximum allowed size/);
      expect(await serverRefs('capped')).toBe(before);
    } finally {
      await setMaxPush(saved);
    }
    // the same push goes through once the cap is back, so the cap was the reason
    const again = await git(['push', '-q', s.gitUrl('alice/capped.git', ALICE), 'main'], { cwd: src });
    expect(again.code, again.stderr).toBe(0);
  });

  it('names the size of a push that announced its length (a small one) in the refusal', async () => {
    const { src } = await seedRepo('capped-small');
    const before = await serverRefs('capped-small');
    await writeFile(path.join(src, 'small.bin'), noise(300 * 1024, 'small'));
    await gitOk(['add', '-A'], { cwd: src });
    await gitOk(['commit', '-q', '-m', 'small'], { cwd: src });
    const saved = await currentMaxPush();
    await setMaxPush(100 * 1024);
    try {
      // under git's http.postBuffer (1 MiB) the request carries a Content-Length
      const r = await git(['push', s.gitUrl('alice/capped-small.git', ALICE), 'main'], { cwd: src });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/^remote: Gitssy: this push is 30\d(\.\d)? KiB, more than the limit of 100 KiB \(git\.maxPushBytes\)/m);
      expect(await serverRefs('capped-small')).toBe(before);
    } finally {
      await setMaxPush(saved);
    }
  });

  it('refuses a push far over git.maxPushBytes promptly instead of leaving git hanging', async () => {
    const { src } = await seedRepo('capped-far');
    const before = await serverRefs('capped-far');
    await commitNoise(src, 'far', 1, 24);
    const saved = await currentMaxPush();
    await setMaxPush(MiB);
    try {
      const r = await gitWithDeadline(['push', '-q', s.gitUrl('alice/capped-far.git', ALICE), 'main'], { cwd: src, deadlineMs: 30_000 });

      expect(r.timedOut, `git push still running after ${r.ms} ms:\n${r.stderr}`).toBe(false);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/^remote: Gitssy: this push is larger than the limit of 1 MiB \(git\.maxPushBytes\)/m);
      expect(await serverRefs('capped-far')).toBe(before);
    } finally {
      await setMaxPush(saved);
    }
  });

  it('stops git when a client disconnects in the middle of a clone', async () => {
    const { src } = await seedRepo('stream');
    const head = await commitNoise(src, 'stream', 3, 8);
    await gitOk(['push', '-q', s.gitUrl('alice/stream.git', ALICE), 'main'], { cwd: src });
    await outboxIdle(s.data, 30_000); // post-push housekeeping (size, commit-graph, gc --auto) runs in a durable subscriber
    await waitFor(async () => (await gitProcessesUnder(s.data)).length === 0, 30_000);
    // a v0 fetch of everything without side-band: "NAK" and then the raw pack
    const body = Buffer.concat([pkt(`want ${head} ofs-delta\n`), Buffer.from('0000'), pkt('done\n')]);
    const req = http.request({
      host: s.host,
      port: s.port,
      method: 'POST',
      path: '/alice/stream.git/git-upload-pack',
      headers: { 'Content-Type': 'application/x-git-upload-pack-request' },
      agent: false,
    });
    req.on('error', () => {}); // we are the ones cutting it
    const res = await new Promise<http.IncomingMessage>((resolve) => {
      req.on('response', resolve);
      req.end(body);
    });
    const first = await new Promise<Buffer>((resolve) =>
      res.once('data', (c: Buffer) => {
        res.pause();
        resolve(c);
      }),
    );
    expect(res.statusCode).toBe(200);
    expect(first.subarray(0, 8).toString('latin1')).toBe('0008NAK\n');
    // the pack is far bigger than the socket buffers, so git is still busy sending it
    expect(await gitProcessesUnder(s.data)).not.toEqual([]);

    req.destroy();

    const left = await waitFor(async () => ((await gitProcessesUnder(s.data)).length === 0 ? 'none' : null), 10_000).catch(async () => (await gitProcessesUnder(s.data)).join('\n'));
    expect(left).toBe('none');
  });
});
