// The host sandbox, for machines without a container engine: bubblewrap puts the command in new
// namespaces (user, mount, pid, ipc, uts, cgroup, and network unless the job may use it) over a
// read-only view of the system folders, with the job's folder at /workspace and fresh tmpfs
// scratch space; prlimit caps processes, memory, file size and CPU time, since cgroups are not
// something an unprivileged desktop user can count on. Nothing of the forge is inside: not its
// data dir, not its environment (bwrap itself starts with PATH only, and the job's variables,
// secrets included, reach it through a pipe, never argv), not its processes, not the engine's
// socket (/run is not mounted).
//
// When the forge runs as root, each run gets its own unprivileged host uid: RLIMIT_NPROC is not
// enforced for root, and a uid of its own makes the process limit count this run alone. The
// work folder is handed to that uid (and must be reachable by it: see ci/workspace.ts).
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, chmod, chown, lstat, mkdtemp, readdir, readFile, readlink, realpath, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { IPty } from 'node-pty';
import type { Availability, RunLimits, RunResult, RunSpec, Runtime, Terminal, TerminalSpec, Usage } from './types.js';

export interface SandboxOptions {
  /**
   * Host paths never visible inside, even when they sit under a system folder that is (the
   * forge's data dir under /opt, say): each is covered with an empty tmpfs.
   */
  hidden: readonly string[];
  /** Root only: host uids for runs are picked from [uidBase, uidBase + uidCount). */
  uidBase?: number;
  uidCount?: number;
}

/** The uid and gid the job sees itself as (mapped to the real one by the user namespace). */
export const SANDBOX_UID = 1000;

/** System folders bound read-only (when they exist); the rest of the host is not there at all. */
const SYSTEM_DIRS = ['/usr', '/etc', '/opt'];
/** Merged-/usr links (or real folders on older systems). */
const SYSTEM_LINKS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
const DISK_CHECK_MS = 2_000;

interface Tools {
  bwrap: string;
  prlimit: string;
  nice: string | null;
  version: [number, number, number];
  versionText: string;
}

async function findInPath(name: string): Promise<string | null> {
  const dirs = (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':').filter(Boolean);
  for (const d of [...dirs, '/usr/bin', '/bin']) {
    const p = path.join(d, name);
    try {
      await access(p, fsConstants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

function runQuiet(cmd: string, args: string[], timeoutMs = 5_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { PATH: '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(t);
      resolve({ code: null, out: err.message });
    });
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out });
    });
  });
}

/** Tasks (threads included, as RLIMIT_NPROC counts them) the host uid runs now. */
async function tasksOf(uid: number): Promise<number> {
  let n = 0;
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const st = await readFile(`/proc/${pid}/status`, 'utf8');
      const u = /^Uid:\s+(\d+)/m.exec(st);
      if (!u || Number(u[1]) !== uid) continue;
      n += Number(/^Threads:\s+(\d+)/m.exec(st)?.[1] ?? 1);
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

/** Bytes a folder takes on disk (du), or null when it can't be measured. */
function diskUsage(dir: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn('du', ['-s', '-B1', '-x', '--', dir], { env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', () => resolve(null));
    child.on('close', () => {
      const n = Number(out.trim().split(/\s+/)[0]);
      resolve(Number.isFinite(n) && out.trim() !== '' ? n : null);
    });
  });
}

function chownRecursive(dir: string, uid: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('chown', ['-R', '-h', `${uid}:${uid}`, '--', dir], { env: { PATH: '/usr/bin:/bin' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`chown of the work folder failed: ${err.trim()}`))));
  });
}

const isRoot = () => process.getuid?.() === 0;
const atLeast = (v: [number, number, number], w: [number, number, number]) => (v[0] !== w[0] ? v[0] > w[0] : v[1] !== w[1] ? v[1] > w[1] : v[2] >= w[2]);

export class SandboxRuntime implements Runtime {
  readonly name = 'sandbox' as const;
  private tools: Tools | null = null;
  private probed: { at: number; result: Availability } | null = null;
  private readonly uidBase: number;
  private readonly uidCount: number;

  constructor(private readonly opts: SandboxOptions) {
    this.uidBase = opts.uidBase ?? 1_100_000;
    this.uidCount = opts.uidCount ?? 800_000;
  }

  async available(): Promise<Availability> {
    if (this.probed && Date.now() - this.probed.at < 60_000) return this.probed.result;
    const result = await this.probe();
    this.probed = { at: Date.now(), result };
    return result;
  }

  private async probe(): Promise<Availability> {
    if (process.platform !== 'linux') return { ok: false, reason: `the host sandbox needs Linux (bubblewrap); this machine runs ${process.platform}` };
    const tools = await this.findTools();
    if (typeof tools === 'string') return { ok: false, reason: tools };
    // a real run: user namespaces may be switched off (sysctl, AppArmor), and only trying tells
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitssy-sandbox-probe-'));
    try {
      await chmod(dir, 0o755);
      let out = '';
      const r = await this.run({
        id: 'probe',
        image: null,
        workdir: dir,
        command: ['/bin/sh', '-c', 'test "$(id -u)" = ' + SANDBOX_UID],
        env: {},
        limits: { cpus: 1, memoryMb: 256, pids: 16, diskMb: 16, timeoutSec: 10, network: 'none' },
        onOutput: (c) => (out += c.toString()),
        signal: new AbortController().signal,
      });
      if (r.error) return { ok: false, reason: r.error };
      if (r.exitCode !== 0) return { ok: false, reason: `a test run in the sandbox failed (exit ${r.exitCode}): ${out.trim().slice(0, 300)}` };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const who = isRoot() ? `each run as its own unprivileged host uid (${this.uidBase}+)` : `as uid ${process.getuid?.()} (this user) inside a user namespace`;
    return {
      ok: true,
      detail: `${tools.versionText} at ${tools.bwrap}: new namespaces, read-only system, no network unless allowed; limits by prlimit (processes, memory, file size, CPU time); ${who}`,
    };
  }

  private async findTools(): Promise<Tools | string> {
    if (this.tools) return this.tools;
    const bwrap = await findInPath('bwrap');
    if (!bwrap) return 'bubblewrap is not installed (apt-get install bubblewrap, dnf install bubblewrap)';
    const prlimit = await findInPath('prlimit');
    if (!prlimit) return 'prlimit (util-linux) is not installed';
    const v = await runQuiet(bwrap, ['--version']);
    const m = /(\d+)\.(\d+)\.(\d+)/.exec(v.out);
    if (v.code !== 0 || !m) return `${bwrap} --version failed: ${v.out.trim().slice(0, 200)}`;
    const version: [number, number, number] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (!atLeast(version, [0, 5, 0])) return `bubblewrap ${m[0]} is too old (0.5.0 or newer is needed for tmpfs sizes)`;
    this.tools = { bwrap, prlimit, nice: await findInPath('nice'), version, versionText: `bubblewrap ${m[0]}` };
    return this.tools;
  }

  /** The bwrap options (they go through a pipe: secrets never reach argv, which every local user can read). */
  private async bwrapArgs(spec: Pick<RunSpec, 'workdir' | 'env' | 'limits'>, tools: Tools, terminal = false): Promise<string[]> {
    const a: string[] = ['--unshare-all', '--unshare-user'];
    if (spec.limits.network !== 'none') a.push('--share-net');
    // a job gets a session of its own (no terminal to push keystrokes into); a shell keeps its pty
    // as the controlling terminal for job control, and that pty is its own, with nothing else on it
    a.push('--die-with-parent');
    if (!terminal) a.push('--new-session');
    a.push('--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_UID), '--hostname', terminal ? 'gitssy-shell' : 'gitssy-ci', '--cap-drop', 'ALL');
    if (atLeast(tools.version, [0, 8, 0])) a.push('--disable-userns');
    const bound: string[] = [];
    for (const d of SYSTEM_DIRS) {
      const st = await stat(d).catch(() => null);
      if (!st?.isDirectory()) continue;
      a.push('--ro-bind', d, d);
      bound.push(await realpath(d));
    }
    for (const l of SYSTEM_LINKS) {
      const st = await lstat(l).catch(() => null);
      if (!st) continue;
      if (st.isSymbolicLink()) a.push('--symlink', await readlink(l), l);
      else if (st.isDirectory()) {
        a.push('--ro-bind', l, l);
        bound.push(await realpath(l));
      }
    }
    // the forge's own folders, where a bound system folder would show them
    for (const h of this.opts.hidden) {
      const real = await realpath(h).catch(() => h);
      if (bound.some((b) => real === b || real.startsWith(b + '/'))) a.push('--tmpfs', real);
    }
    const diskBytes = spec.limits.diskMb * 1024 * 1024;
    a.push('--proc', '/proc', '--dev', '/dev');
    a.push('--size', String(Math.min(diskBytes, 256 * 1024 * 1024)), '--tmpfs', '/dev/shm');
    a.push('--size', String(diskBytes), '--tmpfs', '/tmp', '--dir', '/tmp/home');
    a.push('--bind', spec.workdir, '/workspace', '--chdir', '/workspace');
    a.push('--clearenv');
    const env: Record<string, string> = {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: '/tmp/home',
      USER: 'ci',
      LOGNAME: 'ci',
      LANG: 'C.UTF-8',
      TMPDIR: '/tmp',
      ...spec.env,
    };
    for (const [k, v] of Object.entries(env)) a.push('--setenv', k, v);
    return a;
  }

  /** Nothing survives the forge: every run dies with it (--die-with-parent). */
  async removeLeftovers(): Promise<number> {
    return 0;
  }

  /** The prlimit options for a run's limits (as root the run has a uid of its own, so nproc counts it alone). */
  private async prlimits(L: RunLimits, hostUid: number, root: boolean): Promise<string[]> {
    // RLIMIT_NPROC counts the host uid's tasks: as root that is this run alone (its own uid);
    // as a desktop user it is everything they run, so the run's share comes on top of that
    const nproc = L.pids + 3 + (root ? 0 : await tasksOf(hostUid));
    const cpuSec = Math.ceil(L.cpus * L.timeoutSec) + 5;
    return [`--nproc=${nproc}`, `--data=${L.memoryMb * 1024 * 1024}`, `--fsize=${L.diskMb * 1024 * 1024}`, `--cpu=${cpuSec}:${cpuSec + 5}`, '--core=0', '--nofile=4096'];
  }

  /**
   * A dev shell on a pty (node-pty): the same sandbox and limits as a job. node-pty can't hand
   * bwrap a pipe, so its options go through a file only the run's uid can read, which a tiny
   * wrapper opens as fd 3 and deletes before bwrap starts.
   */
  async openTerminal(spec: TerminalSpec): Promise<Terminal> {
    const tools = await this.findTools();
    if (typeof tools === 'string') throw new Error(tools);
    for (const [k, v] of Object.entries(spec.env)) if (k.includes('\0') || v.includes('\0') || k.includes('=')) throw new Error(`environment variable ${JSON.stringify(k)} cannot be passed`);
    const pty = await import('node-pty').catch((err: unknown) => {
      throw new Error(`the terminal library (node-pty) could not be loaded: ${(err as Error).message}`);
    });
    const root = isRoot();
    const hostUid = root ? this.uidBase + Math.floor(Math.random() * this.uidCount) : (process.getuid?.() ?? 0);
    if (root) await chownRecursive(spec.workdir, hostUid);
    const argsDir = await mkdtemp(path.join(os.tmpdir(), 'gitssy-shell-'));
    const argsFile = path.join(argsDir, 'args');
    const args = await this.bwrapArgs(spec, tools, true);
    await writeFile(argsFile, Buffer.from(args.map((x) => `${x}\0`).join(''), 'utf8'), { mode: 0o600 });
    if (root) {
      await chown(argsDir, hostUid, hostUid);
      await chown(argsFile, hostUid, hostUid);
    }
    const chain = [...(await this.prlimits(spec.limits, hostUid, root)), ...(tools.nice ? [tools.nice, '-n', '10'] : []), tools.bwrap, '--args', '3', '--', ...spec.command];
    let p: IPty;
    try {
      p = pty.spawn('/bin/sh', ['-c', 'exec 3<"$0" && rm -f -- "$0" && exec "$@"', argsFile, tools.prlimit, ...chain], {
        name: 'xterm-256color',
        cols: spec.cols,
        rows: spec.rows,
        cwd: '/',
        env: { PATH: '/usr/bin:/bin' },
        ...(root ? { uid: hostUid, gid: hostUid } : {}),
      });
    } catch (err) {
      await rm(argsDir, { recursive: true, force: true });
      throw new Error(`could not start the sandbox: ${(err as Error).message}`);
    }
    return new PtyTerminal(p, spec, argsDir);
  }

  async run(spec: RunSpec): Promise<RunResult> {
    const tools = await this.findTools();
    if (typeof tools === 'string') return { exitCode: null, timedOut: false, cancelled: false, error: tools };
    if (spec.signal.aborted) return { exitCode: null, timedOut: false, cancelled: true };
    for (const [k, v] of Object.entries(spec.env)) {
      if (k.includes('\0') || v.includes('\0') || k.includes('=')) return { exitCode: null, timedOut: false, cancelled: false, error: `environment variable ${JSON.stringify(k)} cannot be passed` };
    }
    const root = isRoot();
    const hostUid = root ? this.uidBase + Math.floor(Math.random() * this.uidCount) : (process.getuid?.() ?? 0);
    if (root) {
      try {
        await chownRecursive(spec.workdir, hostUid);
      } catch (err) {
        return { exitCode: null, timedOut: false, cancelled: false, error: (err as Error).message };
      }
    }
    const L = spec.limits;
    const prlimitArgs = await this.prlimits(L, hostUid, root);
    // stderr joins stdout inside, so the log interleaves them exactly as they were written
    const command = ['/bin/sh', '-c', 'exec "$@" 2>&1', 'sh', ...spec.command];
    const chain = [...prlimitArgs, ...(tools.nice ? [tools.nice, '-n', '10'] : []), tools.bwrap, '--args', '3', '--json-status-fd', '4', '--', ...command];
    const args = await this.bwrapArgs(spec, tools);

    return new Promise<RunResult>((resolve) => {
      let timedOut = false;
      let cancelled = false;
      let limitHit: string | null = null;
      let bwrapErr = '';
      const child = spawn(tools.prlimit, chain, {
        env: { PATH: '/usr/bin:/bin' },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
        ...(root ? { uid: hostUid, gid: hostUid } : {}),
      });
      const kill = () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      };
      const argPipe = child.stdio[3] as NodeJS.WritableStream;
      argPipe.on('error', () => {});
      argPipe.end(Buffer.from(args.map((x) => `${x}\0`).join(''), 'utf8'));
      let status = '';
      (child.stdio[4] as NodeJS.ReadableStream).on('data', (c: Buffer) => (status += c.toString()));
      child.stdout!.on('data', (c: Buffer) => spec.onOutput(c));
      // bwrap's own complaints (the job's stderr is joined to its stdout inside)
      child.stderr!.on('data', (c: Buffer) => {
        bwrapErr += c.toString();
        spec.onOutput(c);
      });
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, L.timeoutSec * 1000);
      const onAbort = () => {
        cancelled = true;
        kill();
      };
      spec.signal.addEventListener('abort', onAbort, { once: true });
      const diskLimit = L.diskMb * 1024 * 1024;
      let checking = false;
      const disk = setInterval(() => {
        if (checking) return;
        checking = true;
        void diskUsage(spec.workdir)
          .then((used) => {
            if (used !== null && used > diskLimit && !limitHit) {
              limitHit = `the job wrote more than its disk limit (${L.diskMb} MiB) and was stopped`;
              spec.onOutput(Buffer.from(`\r\ngitssy: ${limitHit}\r\n`));
              kill();
            }
          })
          .finally(() => (checking = false));
      }, DISK_CHECK_MS);
      const done = (r: RunResult) => {
        clearTimeout(timer);
        clearInterval(disk);
        spec.signal.removeEventListener('abort', onAbort);
        resolve(r);
      };
      child.on('error', (err) => done({ exitCode: null, timedOut: false, cancelled: false, error: `could not start the sandbox: ${err.message}` }));
      child.on('close', (code, signal) => {
        if (cancelled) return done({ exitCode: null, timedOut: false, cancelled: true });
        if (timedOut) return done({ exitCode: null, timedOut: true, cancelled: false });
        if (limitHit) return done({ exitCode: 137, timedOut: false, cancelled: false, reason: limitHit });
        // only bwrap, prlimit and nice write to this stderr: the job's own is joined to stdout
        if (code !== 0 && bwrapErr.trim() !== '') {
          const why = bwrapErr.trim().split('\n').slice(-1)[0]!;
          return done({ exitCode: null, timedOut: false, cancelled: false, error: `the sandbox could not start: ${why}` });
        }
        const m = /"exit-code"\s*:\s*(\d+)/.exec(status);
        const exit = m ? Number(m[1]) : (code ?? (signal ? 128 + (os.constants.signals[signal] ?? 9) : 1));
        done({ exitCode: exit, timedOut: false, cancelled: false });
      });
    });
  }
}

/** The host pids of a process and everything under it, from /proc (ppid links). */
async function processTree(rootPid: number): Promise<{ pid: number; stat: string[] }[]> {
  const all: { pid: number; ppid: number; stat: string[] }[] = [];
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const raw = await readFile(`/proc/${name}/stat`, 'utf8');
      // after the command name (which may hold spaces and parentheses): state, ppid, …
      const rest = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
      all.push({ pid: Number(name), ppid: Number(rest[1]), stat: rest });
    } catch {
      // gone meanwhile
    }
  }
  const children = new Map<number, typeof all>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: { pid: number; stat: string[] }[] = [];
  const self = all.find((p) => p.pid === rootPid);
  const stack = self ? [self] : [];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

const TICKS = 100; // USER_HZ on Linux
const PAGE = 4096;

class PtyTerminal implements Terminal {
  readonly exited: Promise<RunResult>;
  private readonly listeners: ((text: string) => void)[] = [];
  private readonly decoder = new StringDecoder('utf8');
  private cancelled = false;
  private timedOut = false;
  private limitHit: string | null = null;
  private lastCpu: { at: number; ticks: number } | null = null;

  constructor(
    private readonly p: IPty,
    spec: TerminalSpec,
    argsDir: string,
  ) {
    // node-pty hands out strings already; its decoder is per chunk, so bytes are decoded here
    p.onData((d) => {
      const text = typeof d === 'string' ? d : this.decoder.write(d as unknown as Buffer);
      if (text) for (const fn of this.listeners) fn(text);
    });
    const L = spec.limits;
    const timer = setTimeout(() => {
      this.timedOut = true;
      this.stop();
    }, L.timeoutSec * 1000);
    const diskLimit = L.diskMb * 1024 * 1024;
    let checking = false;
    const disk = setInterval(() => {
      if (checking) return;
      checking = true;
      void diskUsage(spec.workdir)
        .then((used) => {
          if (used !== null && used > diskLimit && !this.limitHit) {
            this.limitHit = `it wrote more than its disk limit (${L.diskMb} MiB)`;
            this.stop();
          }
        })
        .finally(() => (checking = false));
    }, DISK_CHECK_MS);
    // the options file is gone once bwrap has it; the folder goes too
    setTimeout(() => void rm(argsDir, { recursive: true, force: true }), 5_000).unref();
    this.exited = new Promise<RunResult>((resolve) => {
      p.onExit(({ exitCode, signal }) => {
        clearTimeout(timer);
        clearInterval(disk);
        void rm(argsDir, { recursive: true, force: true });
        if (this.cancelled) return resolve({ exitCode: null, timedOut: false, cancelled: true });
        if (this.timedOut) return resolve({ exitCode: null, timedOut: true, cancelled: false });
        if (this.limitHit) return resolve({ exitCode: 137, timedOut: false, cancelled: false, reason: this.limitHit });
        const code = signal ? 128 + signal : exitCode;
        // prlimit's SIGKILL of a process over its CPU time, or the kernel's for memory, looks like this
        resolve({ exitCode: code, timedOut: false, cancelled: false, ...(signal === 9 ? { reason: 'it was killed (a process, memory or CPU limit)' } : {}) });
      });
    });
  }

  private stop(): void {
    try {
      process.kill(-this.p.pid, 'SIGKILL');
    } catch {
      try {
        this.p.kill('SIGKILL');
      } catch {
        // gone already
      }
    }
  }

  write(data: string): void {
    this.p.write(data);
  }

  resize(cols: number, rows: number): void {
    try {
      this.p.resize(cols, rows);
    } catch {
      // ended meanwhile
    }
  }

  onData(fn: (text: string) => void): void {
    this.listeners.push(fn);
  }

  kill(): void {
    this.cancelled = true;
    this.stop();
  }

  async usage(): Promise<Usage> {
    // the first look has nothing to compare with: take a second one shortly after
    if (!this.lastCpu) {
      await this.sample();
      await new Promise((r) => setTimeout(r, 500));
    }
    return this.sample();
  }

  private async sample(): Promise<Usage> {
    const tree = await processTree(this.p.pid);
    if (!tree.length) return { cpuPercent: null, memoryBytes: null };
    // stat fields after ')': [0]=state … [11]=utime [12]=stime … [21]=rss (pages)
    const ticks = tree.reduce((n, t) => n + Number(t.stat[11] ?? 0) + Number(t.stat[12] ?? 0), 0);
    const rss = tree.reduce((n, t) => n + Number(t.stat[21] ?? 0) * PAGE, 0);
    const now = Date.now();
    const prev = this.lastCpu;
    this.lastCpu = { at: now, ticks };
    const cpuPercent = prev && now > prev.at ? Math.round(((ticks - prev.ticks) / TICKS / ((now - prev.at) / 1000)) * 1000) / 10 : null;
    return { cpuPercent, memoryBytes: rss };
  }
}
