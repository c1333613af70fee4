// Supervises the forge server as a child process: forks `node dist/server/gitssy.js serve`,
// waits for its `ready` IPC message (with a timeout), tees its output into a log sink and a
// tail kept in memory, restarts it with exponential backoff after a crash, gives up after a
// crash loop (state 'error' with the last log lines), and stops it cleanly (IPC 'shutdown',
// then SIGTERM, then SIGKILL after a bound). It imports nothing from Electron: the main
// process passes the Node binary, the environment and the log sink in, so it runs in vitest.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';

import type { SupervisorError, SupervisorStatus } from './state.js';

export type { SupervisorError, SupervisorStatus };
export type LogLevel = 'info' | 'warn' | 'error';

/** What the server reports once it is listening (see server/main.ts `serve`). */
export interface ReadyInfo {
  http: number;
  ssh: number | null;
  git: number | null;
  pid: number;
  /** The URL the shell opens, ending in `/`: loopback unless the server listens on one address only. */
  url: string;
  /** The one-time setup token while no administrator exists yet. */
  setupToken: string | null;
}

/** Where the server's output goes (electron-log's file transport in the app; a plain file in tests). */
export type LogSink = (level: LogLevel, line: string) => void;

export interface SupervisorOptions {
  /** The server's entry script, e.g. <app>/dist/server/gitssy.js. */
  script: string;
  /** Arguments after the script, e.g. ['serve', '--data', dir]. */
  args: string[];
  /** The Node binary (Electron's own with ELECTRON_RUN_AS_NODE=1 in a packaged app). */
  execPath?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  log: LogSink;
  /** How long a start may take before it counts as a failure. */
  readyTimeoutMs?: number;
  /** How long a clean stop may take (in-flight pushes finishing) before the child is killed. */
  stopTimeoutMs?: number;
  backoff?: { initialMs: number; maxMs: number; factor: number };
  /** `maxCrashes` failures within `windowMs` is a crash loop: stop restarting. */
  crashLoop?: { maxCrashes: number; windowMs: number };
  /** Lines of output kept for the error window. */
  tailLines?: number;
  now?: () => number;
}

export interface SupervisorState {
  status: SupervisorStatus;
  pid: number | null;
  ready: ReadyInfo | null;
  /** Restarts after crashes since start(). */
  restarts: number;
  lastExit: { code: number | null; signal: string | null; reason: string } | null;
  /** While 'restarting': the delay before the next attempt. */
  nextRestartInMs: number | null;
  error: SupervisorError | null;
}

export interface StopResult {
  /** False when the child had to be killed after the bound. */
  graceful: boolean;
  code: number | null;
  signal: string | null;
}

interface Child {
  proc: ChildProcess;
  ready: boolean;
  stopping: boolean;
  failure: string | null;
  readyTimer: NodeJS.Timeout | null;
  exited: Promise<{ code: number | null; signal: string | null }>;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

const DEFAULTS = {
  readyTimeoutMs: 60_000,
  stopTimeoutMs: 20_000,
  backoff: { initialMs: 1_000, maxMs: 30_000, factor: 2 },
  crashLoop: { maxCrashes: 5, windowMs: 120_000 },
  tailLines: 200,
};

/** A duration for people: 0.4s, 20s. */
function secs(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))}s`;
}

/** The level of a server log line: pino's JSON level when there is one, else the stream's. */
export function levelOf(line: string, fallback: LogLevel): LogLevel {
  const m = /^\{.*"level":(\d+)/.exec(line);
  if (!m) return fallback;
  const n = Number(m[1]);
  return n >= 50 ? 'error' : n >= 40 ? 'warn' : 'info';
}

/** A pino JSON line as `LEVEL message` for people; any other line as it is. */
export function readableLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const o = JSON.parse(line) as { level?: unknown; msg?: unknown; time?: unknown; err?: { message?: unknown } };
    if (typeof o.msg !== 'string') return line;
    const level = typeof o.level === 'number' ? (o.level >= 50 ? 'ERROR' : o.level >= 40 ? 'WARN' : 'INFO') : 'INFO';
    const time = typeof o.time === 'string' ? `${o.time} ` : '';
    const err = o.err && typeof o.err.message === 'string' ? `: ${o.err.message}` : '';
    return `${time}${level} ${o.msg}${err}`;
  } catch {
    return line;
  }
}

function parseReady(msg: Record<string, unknown>): ReadyInfo | null {
  const port = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 65536 ? v : null);
  // the server sends the ports at the top level and (older builds) under `ports`
  const src = (msg.ports && typeof msg.ports === 'object' ? { ...(msg.ports as Record<string, unknown>), ...msg } : msg) as Record<string, unknown>;
  const http = port(src.http);
  if (http === null) return null;
  const url = typeof src.url === 'string' && /^http:\/\/(?:[\w.-]+|\[[0-9a-fA-F:.]+\]):\d{1,5}\/$/.test(src.url) ? src.url : `http://127.0.0.1:${http}/`;
  return {
    http,
    ssh: port(src.ssh),
    git: port(src.git),
    pid: typeof src.pid === 'number' ? src.pid : 0,
    url,
    setupToken: typeof src.setupToken === 'string' && /^[A-Za-z0-9_-]{1,200}$/.test(src.setupToken) ? src.setupToken : null,
  };
}

export class ServerSupervisor extends EventEmitter {
  private readonly opts: Required<Omit<SupervisorOptions, 'execPath' | 'env' | 'cwd'>> & Pick<SupervisorOptions, 'execPath' | 'env' | 'cwd'>;
  private current: Child | null = null;
  private wanted = false;
  private crashes: number[] = [];
  private restartTimer: NodeJS.Timeout | null = null;
  private tail: string[] = [];
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private st: SupervisorState = { status: 'idle', pid: null, ready: null, restarts: 0, lastExit: null, nextRestartInMs: null, error: null };

  constructor(opts: SupervisorOptions) {
    super();
    this.opts = {
      readyTimeoutMs: DEFAULTS.readyTimeoutMs,
      stopTimeoutMs: DEFAULTS.stopTimeoutMs,
      backoff: DEFAULTS.backoff,
      crashLoop: DEFAULTS.crashLoop,
      tailLines: DEFAULTS.tailLines,
      now: Date.now,
      ...opts,
    };
  }

  get state(): SupervisorState {
    return { ...this.st, error: this.st.error ? { ...this.st.error, logTail: [...this.st.error.logTail] } : null };
  }

  /** The last lines the server printed, readable (pino JSON turned into `LEVEL message`). */
  logTail(): string[] {
    return [...this.tail];
  }

  /**
   * Starts the server (a no-op while it runs). Resolves with its ports once it is ready;
   * rejects when it ends in a crash loop or is stopped before it was ready.
   */
  start(): Promise<ReadyInfo> {
    if (this.st.status === 'running' && this.st.ready) return Promise.resolve(this.st.ready);
    const ready = this.whenReady();
    if (this.st.status === 'starting' || this.st.status === 'restarting') return ready;
    if (this.st.status === 'stopping') return Promise.reject(new Error('the server is stopping; start it again once it has stopped'));
    this.wanted = true;
    this.crashes = [];
    this.set({ restarts: 0, error: null, lastExit: null, nextRestartInMs: null });
    this.spawnChild();
    return ready;
  }

  /** Stops the server (asking first, killing after the bound) and does not restart it. */
  async stop(): Promise<StopResult> {
    this.wanted = false;
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = null;
    }
    const c = this.current;
    if (!c) {
      if (this.st.status !== 'error') this.set({ status: 'stopped', pid: null, ready: null, nextRestartInMs: null });
      return { graceful: true, code: null, signal: null };
    }
    c.stopping = true;
    this.set({ status: 'stopping', nextRestartInMs: null });
    this.log('info', `[supervisor] stopping the server (pid ${c.proc.pid}); waiting up to ${secs(this.opts.stopTimeoutMs)} for work in flight`);
    let asked = false;
    // before ready the server has not set up its IPC handler yet: a signal is what it hears
    if (c.ready && c.proc.connected) {
      try {
        c.proc.send({ type: 'shutdown' });
        asked = true;
      } catch {
        /* the channel closed under us: fall back to the signal */
      }
    }
    if (!asked) c.proc.kill('SIGTERM');
    const timeout = Symbol('timeout');
    let timer: NodeJS.Timeout | undefined;
    const first = await Promise.race([c.exited, new Promise<typeof timeout>((r) => (timer = setTimeout(() => r(timeout), this.opts.stopTimeoutMs)))]);
    clearTimeout(timer);
    if (first !== timeout) return { graceful: true, ...first };
    this.log('warn', `[supervisor] the server did not stop within ${secs(this.opts.stopTimeoutMs)}; killing it`);
    c.proc.kill('SIGKILL');
    const killed = await c.exited;
    return { graceful: false, ...killed };
  }

  /** Stops whatever runs, forgets past crashes (leaving the error state) and starts again. */
  async restart(): Promise<ReadyInfo> {
    await this.stop();
    this.set({ status: 'idle', error: null });
    return this.start();
  }

  /**
   * Asks the running server something over IPC: sends `{type, id, ...payload}` and waits
   * for `{type: 'reply', id, ok, result | error}`.
   */
  request<T = unknown>(type: string, payload: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<T> {
    const c = this.current;
    if (!c || !c.ready || !c.proc.connected) return Promise.reject(new Error('the server is not running'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the server did not answer "${type}" within ${secs(timeoutMs)}`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      try {
        c.proc.send({ ...payload, type, id });
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(err as Error);
      }
    });
  }

  private whenReady(): Promise<ReadyInfo> {
    return new Promise((resolve, reject) => {
      const onState = (s: SupervisorState) => {
        if (s.status === 'running' && s.ready) {
          this.off('state', onState);
          resolve(s.ready);
        } else if (s.status === 'error' || s.status === 'stopped') {
          this.off('state', onState);
          reject(new Error(s.error?.message ?? 'the server was stopped before it was ready'));
        }
      };
      this.on('state', onState);
    });
  }

  private set(patch: Partial<SupervisorState>): void {
    this.st = { ...this.st, ...patch };
    this.emit('state', this.state);
  }

  private log(level: LogLevel, line: string): void {
    this.tail.push(readableLine(line));
    if (this.tail.length > this.opts.tailLines) this.tail.splice(0, this.tail.length - this.opts.tailLines);
    try {
      this.opts.log(level, line);
    } catch {
      /* a broken log sink must not take the supervisor down */
    }
  }

  private pipeLines(stream: NodeJS.ReadableStream | null, fallback: LogLevel): () => void {
    let buf = '';
    if (!stream) return () => {};
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        if (line) this.log(levelOf(line, fallback), line);
      }
      // a runaway line without newlines is cut rather than held forever
      if (buf.length > 64 * 1024) {
        this.log(fallback, buf);
        buf = '';
      }
    });
    return () => {
      if (buf) this.log(levelOf(buf, fallback), buf);
      buf = '';
    };
  }

  private spawnChild(): void {
    this.restartTimer = null;
    this.set({ status: 'starting', pid: null, ready: null, nextRestartInMs: null });
    let proc: ChildProcess;
    try {
      proc = fork(this.opts.script, this.opts.args, {
        execPath: this.opts.execPath,
        execArgv: [],
        env: this.opts.env,
        cwd: this.opts.cwd,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        serialization: 'json',
      });
    } catch (err) {
      this.fail(`could not start the server: ${(err as Error).message}`);
      return;
    }
    let resolveExit!: (v: { code: number | null; signal: string | null }) => void;
    const c: Child = { proc, ready: false, stopping: false, failure: null, readyTimer: null, exited: new Promise((r) => (resolveExit = r)) };
    this.current = c;
    const flushOut = this.pipeLines(proc.stdout, 'info');
    const flushErr = this.pipeLines(proc.stderr, 'warn');
    this.log('info', `[supervisor] starting the server: ${this.opts.script} ${this.opts.args.join(' ')}`);
    if (proc.pid !== undefined) this.set({ pid: proc.pid });

    c.readyTimer = setTimeout(() => {
      c.readyTimer = null;
      if (c.ready || c.stopping) return;
      c.failure = `the server did not report ready within ${secs(this.opts.readyTimeoutMs)}`;
      this.log('error', `[supervisor] ${c.failure}; killing it`);
      proc.kill('SIGKILL');
    }, this.opts.readyTimeoutMs);

    proc.on('message', (raw: unknown) => {
      if (!raw || typeof raw !== 'object') return;
      const msg = raw as Record<string, unknown>;
      if (msg.type === 'ready') {
        const ready = parseReady(msg);
        if (!ready) {
          this.log('warn', `[supervisor] ignored a malformed ready message: ${JSON.stringify(msg).slice(0, 200)}`);
          return;
        }
        if (c.ready || c.stopping || this.current !== c) return;
        c.ready = true;
        if (c.readyTimer) clearTimeout(c.readyTimer);
        c.readyTimer = null;
        this.log('info', `[supervisor] the server is ready on ${ready.url}`);
        this.set({ status: 'running', ready, error: null });
        return;
      }
      if (msg.type === 'reply' && typeof msg.id === 'number') {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.ok === true) p.resolve(msg.result);
        else p.reject(new Error(typeof msg.error === 'string' ? msg.error : 'the server refused the request'));
        return;
      }
      this.emit('message', msg);
    });

    proc.on('error', (err) => {
      // spawning failed (no such binary, no permission): restarting would fail the same way
      if (proc.pid === undefined && this.current === c) {
        if (c.readyTimer) clearTimeout(c.readyTimer);
        this.current = null;
        resolveExit({ code: null, signal: null });
        this.fail(`could not start the server: ${err.message}`);
      } else {
        this.log('warn', `[supervisor] ${err.message}`);
      }
    });

    proc.on('exit', (code, signal) => {
      flushOut();
      flushErr();
      if (c.readyTimer) clearTimeout(c.readyTimer);
      c.readyTimer = null;
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error('the server stopped before it answered'));
        this.pending.delete(id);
      }
      resolveExit({ code, signal });
      if (this.current !== c) return;
      this.current = null;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      this.log(c.stopping ? 'info' : 'error', `[supervisor] the server ${how}`);
      if (c.stopping || !this.wanted) {
        this.set({ status: 'stopped', pid: null, ready: null, lastExit: { code, signal, reason: `stopped (${how})` } });
        return;
      }
      this.crashed(c.failure ?? `the server ${how}`, code, signal);
    });
  }

  private crashed(reason: string, code: number | null, signal: string | null): void {
    const now = this.opts.now();
    const { maxCrashes, windowMs } = this.opts.crashLoop;
    this.crashes = this.crashes.filter((t) => now - t < windowMs);
    this.crashes.push(now);
    const lastExit = { code, signal, reason };
    if (this.crashes.length >= maxCrashes) {
      this.wanted = false;
      this.set({ lastExit });
      this.fail(`${reason}. It failed ${this.crashes.length} times within ${secs(windowMs)}, so Gitssy stopped restarting it; the log lines below say why. Fix the cause, then choose Restart.`);
      return;
    }
    const { initialMs, maxMs, factor } = this.opts.backoff;
    const delay = Math.min(maxMs, Math.round(initialMs * factor ** (this.crashes.length - 1)));
    this.log('warn', `[supervisor] restarting the server in ${delay}ms (${reason})`);
    this.set({ status: 'restarting', pid: null, ready: null, restarts: this.st.restarts + 1, lastExit, nextRestartInMs: delay });
    this.restartTimer = setTimeout(() => {
      if (this.wanted) this.spawnChild();
    }, delay);
  }

  private fail(message: string): void {
    this.wanted = false;
    this.log('error', `[supervisor] ${message}`);
    this.set({ status: 'error', pid: null, ready: null, nextRestartInMs: null, error: { message, logTail: this.logTail() } });
  }
}
