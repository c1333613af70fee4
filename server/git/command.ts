// The one way the server runs git: an argument array (never a shell), a fixed environment with
// nothing inherited from ours, values that came from users wrapped so a leading '-' can never
// turn into an option, a timeout, an AbortSignal, and the whole process group killed on abort.
import { spawn, type ChildProcess } from 'node:child_process';
import { AppError } from '../lib/errors.js';

/** A value that came from outside (a ref, a path, a name): checked before it reaches argv. */
export class UserArg {
  constructor(readonly value: string) {}
}

/** Wraps a user-supplied value for argv; refuses what git could read as an option. */
export function userArg(value: string): UserArg {
  assertSafeArg(value);
  return new UserArg(value);
}

export function assertSafeArg(value: string): void {
  if (value.startsWith('-')) throw new AppError('invalid', `invalid argument ${JSON.stringify(value)}: may not start with '-'`);
  if (value.includes('\0')) throw new AppError('invalid', 'invalid argument: contains a NUL byte');
}

export type GitArg = string | UserArg;

export interface GitEnv {
  /** Environment every git child gets; built once by gitBaseEnv(). */
  readonly base: Readonly<Record<string, string>>;
}

/**
 * The fixed environment for git children: PATH only from ours, everything else set here, so a
 * GIT_DIR, GIT_CONFIG_* or GIT_EXEC_PATH in the server's own environment can't leak in.
 */
export function gitBaseEnv(homeDir: string): GitEnv {
  return {
    base: Object.freeze({
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: homeDir,
      GIT_CONFIG_GLOBAL: `${homeDir}/.gitconfig`,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_TERMINAL_PROMPT: '0',
      GIT_NO_REPLACE_OBJECTS: '1',
      GIT_ATTR_NOSYSTEM: '1',
      LC_ALL: 'C',
      LANG: 'C',
      TZ: 'UTC',
    }),
  };
}

export type GitFailure = 'exit' | 'timeout' | 'aborted' | 'output-limit' | 'spawn';

export class GitError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly failure: GitFailure,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${argv.slice(0, 3).join(' ')}${argv.length > 3 ? ' …' : ''} failed (${failure}${exitCode !== null ? ` ${exitCode}` : ''}): ${stderr.trim().split('\n').slice(-1)[0] ?? ''}`);
    this.name = 'GitError';
  }
}

export interface GitSpawnOptions {
  cwd?: string;
  /** Extra variables on top of the base environment (GIT_PROTOCOL, hook context). */
  env?: Record<string, string>;
  /** Kill the child after this long. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export function toArgv(args: readonly GitArg[]): string[] {
  return args.map((a) => {
    if (a instanceof UserArg) {
      assertSafeArg(a.value);
      return a.value;
    }
    if (a.includes('\0')) throw new AppError('invalid', 'invalid argument: contains a NUL byte');
    return a;
  });
}

export interface GitChild {
  child: ChildProcess;
  argv: string[];
  /** Kills the whole process group (git forks helpers such as index-pack and pack-objects). */
  kill(reason: GitFailure): void;
  /** Why the child was killed, if we killed it. */
  killedFor(): GitFailure | null;
}

/** Starts git for streaming use; the caller wires stdin/stdout and waits for 'close'. */
export function spawnGit(env: GitEnv, args: readonly GitArg[], opts: GitSpawnOptions = {}): GitChild {
  const argv = toArgv(args);
  const child = spawn('git', argv, {
    cwd: opts.cwd ?? '/',
    env: { ...env.base, ...opts.env },
    shell: false,
    detached: true, // own process group, so kill() reaches git's helpers too
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let killed: GitFailure | null = null;
  const kill = (reason: GitFailure) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    killed ??= reason;
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  };
  let timer: NodeJS.Timeout | undefined;
  if (opts.timeoutMs) {
    timer = setTimeout(() => kill('timeout'), opts.timeoutMs);
    timer.unref();
  }
  const onAbort = () => kill('aborted');
  if (opts.signal) {
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
  }
  child.once('close', () => {
    if (timer) clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  });
  // A child that dies before reading its input must not crash us with EPIPE.
  child.stdin?.on('error', () => {});
  return { child, argv, kill, killedFor: () => killed };
}

export interface GitRunOptions extends GitSpawnOptions {
  input?: string | Buffer;
  /** Cap on stdout bytes; exceeding it kills git and throws (default 64 MiB). */
  maxOutputBytes?: number;
  /** Exit codes besides 0 that are answers, not failures (`merge-base --is-ancestor`: 1). */
  okExitCodes?: readonly number[];
}

export interface GitResult {
  stdout: Buffer;
  stderr: string;
  /** 0, or one of `okExitCodes`. */
  code: number;
}

/** Runs git to completion, collecting bounded output; throws GitError on any failure. */
export function runGit(env: GitEnv, args: readonly GitArg[], opts: GitRunOptions = {}): Promise<GitResult> {
  const maxOut = opts.maxOutputBytes ?? 64 * 1024 * 1024;
  const maxErr = 64 * 1024;
  return new Promise((resolve, reject) => {
    let g: GitChild;
    try {
      g = spawnGit(env, args, { timeoutMs: 120_000, ...opts });
    } catch (err) {
      reject(err);
      return;
    }
    const out: Buffer[] = [];
    let outLen = 0;
    let err = '';
    g.child.stdout!.on('data', (chunk: Buffer) => {
      outLen += chunk.length;
      if (outLen > maxOut) g.kill('output-limit');
      else out.push(chunk);
    });
    g.child.stderr!.on('data', (chunk: Buffer) => {
      if (err.length < maxErr) err += chunk.toString('utf8');
    });
    g.child.once('error', (e) => reject(new GitError(g.argv, 'spawn', null, e.message)));
    g.child.once('close', (code) => {
      const killed = g.killedFor();
      if (killed) reject(new GitError(g.argv, killed, code, err));
      else if (code === null || (code !== 0 && !opts.okExitCodes?.includes(code))) reject(new GitError(g.argv, 'exit', code, err));
      else resolve({ stdout: Buffer.concat(out), stderr: err, code });
    });
    if (opts.input !== undefined) g.child.stdin!.end(opts.input);
    else g.child.stdin!.end();
  });
}
