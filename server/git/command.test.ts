import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitError, gitBaseEnv, runGit, spawnGit, userArg } from './command.js';

const env = gitBaseEnv(os.tmpdir());

describe('git runner', () => {
  it('refuses a user value that starts with "-" before anything is spawned', () => {
    expect(() => userArg('--upload-pack=touch /tmp/pwned')).toThrow(/may not start with '-'/);
    expect(() => userArg('-c')).toThrow();
  });

  it('refuses NUL bytes in any argument', async () => {
    expect(() => userArg('main\0evil')).toThrow(/NUL/);
    await expect(runGit(env, ['version', 'a\0b'])).rejects.toThrow(/NUL/);
  });

  it('passes a safe user value through unchanged', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cmd-'));
    await runGit(env, ['init', '-q', '--bare', dir]);
    const { stdout } = await runGit(env, ['--git-dir', dir, 'check-ref-format', '--branch', userArg('feature/x')]);
    expect(stdout.toString().trim()).toBe('feature/x');
  });

  it("does not inherit the server's GIT_* environment", async () => {
    process.env.GIT_DIR = '/nonexistent/should-not-leak';
    try {
      const { stdout } = await runGit(env, ['var', 'GIT_COMMITTER_IDENT'], { env: { GIT_COMMITTER_NAME: 'X', GIT_COMMITTER_EMAIL: 'x@y' } });
      expect(stdout.toString()).toMatch(/^X <x@y>/);
      const dir = await mkdtemp(path.join(os.tmpdir(), 'cmd-'));
      await runGit(env, ['init', '-q', '--bare', dir]);
      // GIT_DIR from our own environment would make this fail
      await runGit(env, ['--git-dir', dir, 'rev-parse', '--git-dir']);
    } finally {
      delete process.env.GIT_DIR;
    }
  });

  it('reports a failing git as a GitError with exit code and stderr', async () => {
    const err = await runGit(env, ['--git-dir', '/nonexistent', 'rev-parse', 'HEAD']).catch((e) => e);
    expect(err).toBeInstanceOf(GitError);
    expect(err.failure).toBe('exit');
    expect(err.exitCode).not.toBe(0);
    expect(err.stderr).toMatch(/not a git repository/);
  });

  // `git cat-file --batch` on a real repository waits on its open stdin until killed.
  const idleGit = async (opts: { timeoutMs?: number; signal?: AbortSignal }) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cmd-'));
    await runGit(env, ['init', '-q', '--bare', dir]);
    const g = spawnGit(env, ['--git-dir', dir, 'cat-file', '--batch'], opts);
    const ended = new Promise((r) => g.child.once('close', (c, sig) => r(sig ?? c)));
    return { g, ended };
  };

  it('kills git at the timeout', async () => {
    const { g, ended } = await idleGit({ timeoutMs: 200 });
    expect(await ended).toBe('SIGKILL');
    expect(g.killedFor()).toBe('timeout');
  });

  it('kills git when the signal aborts', async () => {
    const ac = new AbortController();
    const { g, ended } = await idleGit({ signal: ac.signal });
    ac.abort();
    expect(await ended).toBe('SIGKILL');
    expect(g.killedFor()).toBe('aborted');
  });

  it('caps output and fails instead of buffering without bound', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cmd-'));
    await runGit(env, ['init', '-q', '--bare', dir]);
    await expect(runGit(env, ['--git-dir', dir, 'help', '-a'], { maxOutputBytes: 10 })).rejects.toMatchObject({ failure: 'output-limit' });
  });
});
