// `gitssy admin import`: adopting a folder of existing bare repositories.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, createUser, git, gitOk, makeRepo, run, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
let s: TestServer;
let src: string;
let head: string;
beforeAll(async () => {
  s = await startServer();
  await createUser(s, 'alice', alice[1], { admin: true });
  src = await tempDir();
  head = await makeRepo(src, 4);
});
afterAll(async () => s?.stop());

async function bare(dir: string, branch = 'main'): Promise<void> {
  await gitOk(['init', '-q', '--bare', '-b', branch, dir]);
  await gitOk(['push', '-q', dir, `main:${branch}`], { cwd: src });
}

describe('admin import', () => {
  it('copies repositories in with our config and none of theirs, and reports a summary', async () => {
    const from = await tempDir('gitssy-import-');
    await bare(path.join(from, 'alpha.git'));
    await bare(path.join(from, 'team', 'beta.git'), 'trunk');
    // a hostile repository: its own hook and a config that would run a program
    await bare(path.join(from, 'gamma.git'));
    await writeFile(path.join(from, 'gamma.git', 'hooks', 'post-receive'), '#!/bin/sh\ntouch /tmp/pwned\n', { mode: 0o755 });
    await gitOk(['--git-dir', path.join(from, 'gamma.git'), 'config', 'core.fsmonitor', 'touch /tmp/pwned-fsmonitor']);
    await mkdir(path.join(from, '-bad.git'));
    await bare(path.join(from, '-bad.git'));

    const r = await s.cli(['admin', 'import', '--from', from, '--owner', 'alice']);
    expect(r.stdout).toMatch(/found 4 bare repositories/);
    expect(r.stdout).toMatch(/\[1\/4\]/);
    expect(r.stdout).toMatch(/import: 3 imported, 1 skipped/);
    expect(r.code).toBe(1); // something was skipped

    const beta = (await (await s.api('GET', '/api/v1/repos/alice/beta', { auth: alice })).json()) as { private: boolean; default_branch: string; empty: boolean };
    expect(beta).toMatchObject({ private: true, default_branch: 'trunk', empty: false });
    const dst = await tempDir();
    await gitOk(['clone', '-q', s.gitUrl('alice/alpha.git', alice), `${dst}/a`]);
    expect((await gitOk(['rev-parse', 'HEAD'], { cwd: `${dst}/a` })).trim()).toBe(head);

    const gamma = path.join(s.data, 'repos', 'alice', 'gamma.git');
    expect((await git(['--git-dir', gamma, 'config', '--get', 'core.fsmonitor'])).code).not.toBe(0);
    expect((await gitOk(['--git-dir', gamma, 'config', '--get', 'core.hooksPath'])).trim()).toBe(path.join(s.data, 'hooks'));
    // pushes to an imported repo go through our hooks (and so record an event)
    await gitOk(['push', '-q', s.gitUrl('alice/gamma.git', alice), 'main:more'], { cwd: src });
    expect(existsSync('/tmp/pwned')).toBe(false);
    const acts = (await (await s.api('GET', '/api/v1/repos/alice/gamma/activities/feeds', { auth: alice })).json()) as unknown[];
    expect(acts.length).toBe(1);
    // the originals are still there when copying
    expect(existsSync(path.join(from, 'alpha.git', 'HEAD'))).toBe(true);
  });

  it('moves repositories with --move while no server runs, rewriting their config, and refuses names already taken', async () => {
    // --move needs the data dir to itself: a data dir of its own, its server stopped
    const data = path.join(await tempDir(), 'd');
    let m = await startServer({ data });
    await createUser(m, 'alice', alice[1], { admin: true });
    const taken = await tempDir('gitssy-import-');
    await bare(path.join(taken, 'alpha.git'));
    expect((await m.cli(['admin', 'import', '--from', taken, '--owner', 'alice'])).code).toBe(0);

    const from = await tempDir('gitssy-import-');
    await bare(path.join(from, 'delta.git'));
    await gitOk(['--git-dir', path.join(from, 'delta.git'), 'config', 'remote.origin.url', 'https://example.invalid/x.git']);
    await bare(path.join(from, 'alpha.git'));
    const running = await m.cli(['admin', 'import', '--from', from, '--owner', 'alice', '--move']);
    expect(running.code).toBe(1);
    expect(running.stderr).toMatch(new RegExp(`^gitssy: a Gitssy server \\(pid ${m.pid}\\) is running on .*; stop it first, or import without --move`));
    expect(existsSync(path.join(from, 'delta.git'))).toBe(true);
    await m.stop();

    const r = await run(process.execPath, [CLI, 'admin', 'import', '--from', from, '--owner', 'alice', '--move', '--data', data], { env: { PATH: process.env.PATH! } });
    expect(r.stdout).toMatch(/delta: imported/);
    expect(r.stdout).toMatch(/alpha: skipped: repository alice\/alpha already exists/);
    expect(existsSync(path.join(from, 'delta.git'))).toBe(false);
    const delta = path.join(data, 'repos', 'alice', 'delta.git');
    expect((await git(['--git-dir', delta, 'config', '--get', 'remote.origin.url'])).code).not.toBe(0);
    m = await startServer({ data });
    try {
      expect(await gitOk(['ls-remote', m.gitUrl('alice/delta.git', alice)])).toMatch(/refs\/heads\/main/);
    } finally {
      await m.stop();
    }
  });

  it('refuses an unknown owner and a missing folder with a clear message', async () => {
    const r1 = await s.cli(['admin', 'import', '--from', '/nonexistent', '--owner', 'alice']);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/is not a folder/);
    const r2 = await s.cli(['admin', 'import', '--from', '/tmp', '--owner', 'nobody']);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/does not exist/);
  });
});
