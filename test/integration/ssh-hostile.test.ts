// Hostile SSH requests: shells, shell syntax, option injection, path traversal, extra
// arguments, environment variables, subsystems and port forwarding. Each is refused with
// nothing spawned by the server (watched in /proc while the request runs) and nothing written.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, git, gitOk, listTree, makeRepo, strayGitProcesses, startServer, tempDir, type TestServer } from '../fixtures/rig.js';
import { outboxIdle } from './outbox-probe.js';
import { generateKey, gitSshEnv, readPorts, registerKey, sshRun, sshTarget, sshUrl, watchChildren, type KeyPair, type SshTarget } from '../fixtures/ssh.js';

const ROOT: [string, string] = ['root', 'root-pass-123'];
const ALICE: [string, string] = ['alice', 'alice-pass-123'];

let s: TestServer;
let t: SshTarget;
let key: KeyPair;
let head: string;
let marks: string; // a folder only these tests write to: any file appearing in it is a breach

beforeAll(async () => {
  s = await startServer();
  await createUser(s, ...ROOT, { admin: true });
  await createUser(s, ...ALICE, { via: ROOT });
  t = await sshTarget(s);
  key = await generateKey('ed25519', 'alice@laptop');
  await registerKey(s, ALICE, key);
  await createRepo(s, ALICE, { name: 'r' });
  const src = await tempDir();
  head = await makeRepo(src, 2);
  await gitOk(['push', '-q', s.gitUrl('alice/r.git', ALICE), 'main'], { cwd: src });
  await outboxIdle(s.data, 30_000); // post-push housekeeping must not land inside a before/after snapshot
  marks = await tempDir('gitssy-marks-');
});
afterAll(async () => s?.stop());

/** Runs `fn` while watching the server's children; returns fn's result and what it spawned. */
async function watched<T>(fn: () => Promise<T>): Promise<{ result: T; spawned: string[] }> {
  const w = watchChildren(s.pid);
  await new Promise((r) => setTimeout(r, 20)); // let the first poll start
  try {
    const result = await fn();
    await new Promise((r) => setTimeout(r, 50)); // and catch anything started at the very end
    return { result, spawned: await w.stop() };
  } catch (err) {
    await w.stop();
    throw err;
  }
}

let n = 0;
const mark = () => path.join(marks, `m${++n}`);

describe('the watch itself', () => {
  it('sees the git process a legitimate clone makes the server spawn (so an empty watch means something)', async () => {
    const dst = path.join(await tempDir(), 'c');
    const { result, spawned } = await watched(() => git(['clone', '-q', sshUrl(t, 'alice/r.git'), dst], { env: gitSshEnv(t, key) }));
    expect(result.code, result.stderr).toBe(0);
    expect(spawned.join('\n')).toMatch(/git upload-pack .*alice\/r\.git/);
  });
});

describe('hostile commands', () => {
  const cases: [string, (m: string) => string, RegExp, number][] = [
    ['a shell', () => 'sh', /unknown command "sh"/, 2],
    ['sh -c', (m) => `sh -c 'touch ${m}'`, /unknown command "sh"/, 2],
    ['bash -c', (m) => `bash -c "touch ${m}"`, /unknown command "bash"/, 2],
    ['env with a variable', (m) => `env GIT_DIR=/ touch ${m}`, /unknown command "env"/, 2],
    ['a plain git command', (m) => `git -c core.pager='touch ${m}' log`, /unknown command "git"/, 2],
    ['an --upload-pack option as the path', (m) => `git-upload-pack '--upload-pack=touch ${m}'`, /repository '--upload-pack=touch .*' not found/, 128],
    ['--help as the path', () => "git-receive-pack '--help'", /repository '--help' not found/, 128],
    ['an option after the path', (m) => `git-upload-pack 'alice/r.git' --upload-pack='touch ${m}'`, /usage: git-upload-pack '<owner>\/<repo>.git'/, 2],
    ['an option before the path', (m) => `git upload-pack --upload-pack='touch ${m}' 'alice/r.git'`, /usage: git-upload-pack/, 2],
    ['an extra argument', () => "git-upload-pack 'alice/r.git' extra", /usage: git-upload-pack/, 2],
    ['an extra argument to upload-archive', () => "git-upload-archive 'alice/r.git' --remote=x", /usage: git-upload-archive/, 2],
    ['a command after ;', (m) => `git-upload-pack 'alice/r.git'; touch ${m}`, /shell operator ";" is not allowed/, 2],
    ['a command after &&', (m) => `git-upload-pack 'alice/r.git' && touch ${m}`, /shell operator "&&" is not allowed/, 2],
    ['a pipe', (m) => `git-upload-pack 'alice/r.git' | tee ${m}`, /shell operator "\|" is not allowed/, 2],
    ['a redirection', (m) => `git-upload-pack 'alice/r.git' > ${m}`, /shell operator ">" is not allowed/, 2],
    ['a background &', (m) => `touch ${m} &`, /shell operator "&" is not allowed/, 2],
    ['$(…) as the command', (m) => `$(touch ${m})`, /shell operator "\(" is not allowed/, 2],
    ['$(…) as the path', (m) => `git-upload-pack $(touch ${m})`, /shell operator "\(" is not allowed/, 2],
    ['$(…) inside double quotes', (m) => `git-upload-pack "alice/$(touch ${m})"`, /repository 'alice\/\$\(touch .*\)' not found/, 128],
    ['backticks', (m) => `\`touch ${m}\``, /unknown command "`touch"/, 2],
    ['backticks in the path', (m) => `git-upload-pack 'alice/\`touch ${m}\`.git'`, /not found/, 128],
    ['a newline', (m) => `git-upload-pack 'alice/r.git'\ntouch ${m}`, /may not contain control characters/, 2],
    ['a comment', (m) => `help # $(touch ${m})`, /comments are not allowed/, 2],
    ['../../etc', () => "git-upload-pack '../../etc'", /repository '..\/..\/etc' not found/, 128],
    ['an absolute path out of the store', () => "git-upload-pack '/etc/passwd'", /not found/, 128],
    ['.. inside an owner path', () => "git-upload-pack 'alice/../../../etc'", /not found/, 128],
    ['a push to a path outside the store', () => "git-receive-pack '../../tmp/evil.git'", /not found/, 128],
    ['a ~user path', () => "git-upload-pack '~alice/r.git'", /not found/, 128],
    ['a glob', () => "git-upload-pack 'alice/*'", /not found/, 128],
    ['a command longer than 4096 characters', () => `help ${'x'.repeat(5000)}`, /longer than 4096 characters/, 2],
  ];

  it.each(cases)('refuses %s, spawning nothing and writing nothing', async (_label, command, message, code) => {
    const m = mark();
    const reposBefore = await listTree(path.join(s.data, 'repos'));
    const { result, spawned } = await watched(() => sshRun(t, key, command(m)));
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(/^Gitssy: /);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
    expect(spawned).toEqual([]);
    expect(existsSync(m)).toBe(false);
    expect(await listTree(marks)).toEqual([]);
    expect(await listTree(path.join(s.data, 'repos'))).toEqual(reposBefore);
    expect(await strayGitProcesses(s.data)).toEqual([]);
  });
});

describe('environment variables from the client', () => {
  it('ignores everything but GIT_PROTOCOL sent with SetEnv: the request is served as if they were absent', async () => {
    const trace = mark();
    const hook = mark();
    const env = [
      'GIT_PROTOCOL=version=2',
      `GIT_TRACE=${trace}`,
      `GIT_TRACE_PACKET=${trace}`,
      'GIT_DIR=/etc',
      `GIT_CONFIG_PARAMETERS="'uploadpack.packobjectshook'='touch ${hook}; git'"`,
      'GIT_CONFIG_COUNT=1',
      'GIT_CONFIG_KEY_0=uploadpack.packObjectsHook',
      `GIT_CONFIG_VALUE_0="touch ${hook}; git"`,
      'LD_PRELOAD=/nonexistent/evil.so',
    ].join(' ');
    const result = await sshRun(t, key, "git-upload-pack 'alice/r.git'", { extra: ['-o', `SetEnv=${env}`], input: '0000' });
    expect(result.code, result.stderr).toBe(0);
    // GIT_PROTOCOL arrived (the answer is protocol v2), so the others were sent too
    expect(result.stdout.startsWith('000eversion 2\n')).toBe(true);
    expect(result.stderr).not.toMatch(/ld\.so|LD_PRELOAD|evil/);
    // (that answer is upload-pack's own; it lives a few milliseconds, too short for a watch of
    // the server's children to be sure to see it run: the files below say nothing else ran)
    expect(existsSync(trace)).toBe(false);
    expect(existsSync(hook)).toBe(false);
  });

  it('ignores variables forwarded with SendEnv', async () => {
    const trace = mark();
    const r = await sshRun(t, key, "git-upload-pack 'alice/r.git'", { extra: ['-o', 'SendEnv=GIT_TRACE GIT_DIR'], env: { GIT_TRACE: trace, GIT_DIR: '/etc' }, input: '0000' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${head} HEAD\0`);
    expect(existsSync(trace)).toBe(false);
  });

  it('refuses a GIT_PROTOCOL that is not just a version, serving protocol v0', async () => {
    const r = await sshRun(t, key, "git-upload-pack 'alice/r.git'", { extra: ['-o', 'SetEnv=GIT_PROTOCOL=version=2:x'], input: '0000' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/version 2/);
    expect(r.stdout).toContain(`${head} HEAD\0`);
  });

  it('clones with hostile SetEnv variables and pack-objects hook config, and nothing happens', async () => {
    const hook = mark();
    const reposBefore = await listTree(path.join(s.data, 'repos'));
    const extra = ['-o', `SetEnv=GIT_DIR=/etc GIT_CONFIG_PARAMETERS="'uploadpack.packobjectshook'='touch ${hook}; git'" GIT_TRACE=${hook}`];
    const dst = path.join(await tempDir(), 'c');
    const r = await git(['clone', '-q', sshUrl(t, 'alice/r.git'), dst], { env: gitSshEnv(t, key, extra) });
    expect(r.code, r.stderr).toBe(0);
    expect((await gitOk(['rev-parse', 'HEAD'], { cwd: dst })).trim()).toBe(head);
    expect(existsSync(hook)).toBe(false);
    expect(await listTree(marks)).toEqual([]);
    expect(await listTree(path.join(s.data, 'repos'))).toEqual(reposBefore);
  });
});

describe('other channel requests', () => {
  it('refuses subsystems (sftp)', async () => {
    const { result, spawned } = await watched(() => sshRun(t, key, 'sftp', { extra: ['-s'] }));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/subsystem request failed/);
    expect(spawned).toEqual([]);
  });

  it('refuses port forwarding in both directions', async () => {
    const { http } = await readPorts(s);
    const local = await sshRun(t, key, '', { extra: ['-W', `127.0.0.1:${http}`], input: 'GET /ping HTTP/1.0\r\n\r\n' });
    expect(local.code).toBe(255);
    expect(local.stdout).not.toMatch(/HTTP\/1/);
    expect(local.stderr).toMatch(/stdio forwarding failed|administratively prohibited|open failed/);

    const remote = await sshRun(t, key, '', { extra: ['-N', '-o', 'ExitOnForwardFailure=yes', '-R', '0:127.0.0.1:9'], timeoutMs: 15_000 });
    expect(remote.code).toBe(255);
    expect(remote.stderr).toMatch(/remote port forwarding failed/);
  });

  it('leaves no git process behind', async () => {
    expect(await strayGitProcesses(s.data)).toEqual([]);
  });
});
