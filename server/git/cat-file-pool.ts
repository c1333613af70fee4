// Pools long-lived cat-file processes per repository: a request leases one process for its
// duration (every lookup inside `lease()` pipelines on it) and gives it back; processes idle
// for a minute exit. A global cap bounds the processes across all repositories: at the cap an
// idle process of another repository is closed to make room, and when every process is busy
// callers queue (briefly: then they get a 503). Dead or misbehaving processes are dropped and
// replaced by fresh ones on the next request.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Unavailable } from '../lib/errors.js';
import type { GitEnv } from './command.js';
import { CatFileProcess } from './cat-file.js';

/** A repository as the git read layer sees it: the db id (so a deleted and re-created
 * repository never shares processes with its predecessor) and its directory. */
export interface GitRepo {
  id: number;
  dir: string;
}

export interface CatFilePoolOptions {
  /** Processes per repository (concurrent requests beyond this queue). */
  perRepo?: number;
  /** Processes across all repositories. */
  maxProcesses?: number;
  /** An idle process exits after this long. */
  idleMs?: number;
  /** How long a request may wait for a process before it is answered 503. */
  waitMs?: number;
  /** Kill a process that leaves a request without output for this long. */
  stallMs?: number;
}

interface Slot {
  key: string;
  dir: string;
  idle: CatFileProcess[];
  busy: Set<CatFileProcess>;
}

interface Held {
  proc: CatFileProcess;
  /** False once the lease ended: work that outlives it must not touch the process. */
  active: boolean;
}

interface Waiter {
  slot: Slot;
  grant(proc: CatFileProcess): void;
  fail(err: Error): void;
}

export class CatFilePool {
  private readonly slots = new Map<string, Slot>();
  private readonly waiters: Waiter[] = [];
  private processes = 0;
  private closed = false;
  private readonly sweeper: NodeJS.Timeout;
  private readonly opts: Required<CatFilePoolOptions>;
  private readonly held = new AsyncLocalStorage<Map<string, Held>>();

  constructor(
    private readonly env: GitEnv,
    opts: CatFilePoolOptions = {},
  ) {
    this.opts = { perRepo: 8, maxProcesses: 64, idleMs: 60_000, waitMs: 10_000, stallMs: 10_000, ...opts };
    this.sweeper = setInterval(() => this.sweep(), Math.min(10_000, Math.max(100, this.opts.idleMs / 2)));
    this.sweeper.unref();
  }

  /**
   * Runs `fn` with a process of this repository, and gives the process back. Inside `lease()`
   * it is the lease's process (requests pipeline on it); elsewhere a process just for `fn`.
   */
  async use<T>(repo: GitRepo, fn: (cat: CatFileProcess) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const held = this.held.getStore()?.get(keyOf(repo));
    if (held?.active && held.proc.alive) return fn(held.proc);
    const slot = this.slot(repo);
    const proc = await this.acquire(slot, signal);
    try {
      return await fn(proc);
    } finally {
      this.release(slot, proc);
    }
  }

  /** Holds one process of this repository while `fn` runs: one lease per request. */
  async lease<T>(repo: GitRepo, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const key = keyOf(repo);
    const outer = this.held.getStore();
    const current = outer?.get(key);
    if (current?.active && current.proc.alive) return fn();
    return this.use(
      repo,
      async (proc) => {
        const held: Held = { proc, active: true };
        try {
          return await this.held.run(new Map(outer ?? []).set(key, held), fn);
        } finally {
          held.active = false;
        }
      },
      signal,
    );
  }

  stats(): { processes: number; idle: number; busy: number; waiting: number } {
    let idle = 0;
    let busy = 0;
    for (const s of this.slots.values()) {
      idle += s.idle.length;
      busy += s.busy.size;
    }
    return { processes: this.processes, idle, busy, waiting: this.waiters.length };
  }

  /** Closes the idle processes of a repository (after it was renamed, deleted or rewritten). */
  async closeRepo(repo: GitRepo): Promise<void> {
    const slot = this.slots.get(keyOf(repo));
    if (!slot) return;
    const idle = slot.idle.splice(0);
    this.processes -= idle.length;
    this.dropIfEmpty(slot);
    await Promise.all(idle.map((p) => p.close()));
  }

  /** Closes everything; waiting callers are refused. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const w of this.waiters.splice(0)) w.fail(Unavailable('the server is shutting down'));
    const all: CatFileProcess[] = [];
    for (const s of this.slots.values()) all.push(...s.idle.splice(0), ...s.busy);
    this.slots.clear();
    this.processes = 0;
    await Promise.all(all.map((p) => p.close()));
  }

  private slot(repo: GitRepo): Slot {
    const key = keyOf(repo);
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { key, dir: repo.dir, idle: [], busy: new Set() };
      this.slots.set(key, slot);
    }
    return slot;
  }

  private acquire(slot: Slot, signal?: AbortSignal): Promise<CatFileProcess> {
    if (this.closed) return Promise.reject(Unavailable('the server is shutting down'));
    const proc = this.takeIdle(slot) ?? this.trySpawn(slot);
    if (proc) return Promise.resolve(proc);
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
      };
      const waiter: Waiter = {
        slot,
        grant: (p) => {
          done();
          resolve(p);
        },
        fail: (err) => {
          done();
          reject(err);
        },
      };
      const timer = setTimeout(() => waiter.fail(Unavailable('the server is busy reading repositories; try again in a moment')), this.opts.waitMs);
      timer.unref();
      const onAbort = () => waiter.fail(Unavailable('request aborted'));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private takeIdle(slot: Slot): CatFileProcess | null {
    while (slot.idle.length) {
      const proc = slot.idle.pop()!;
      if (proc.alive) {
        slot.busy.add(proc);
        return proc;
      }
      this.processes--;
    }
    return null;
  }

  private trySpawn(slot: Slot): CatFileProcess | null {
    if (slot.busy.size >= this.opts.perRepo) return null;
    if (this.processes >= this.opts.maxProcesses && !this.evictOne(slot)) return null;
    const proc = new CatFileProcess(this.env, slot.dir, { stallMs: this.opts.stallMs });
    this.processes++;
    slot.busy.add(proc);
    return proc;
  }

  /** Closes the longest-idle process of another repository; false if none is idle. */
  private evictOne(except: Slot): boolean {
    let victim: { slot: Slot; proc: CatFileProcess } | null = null;
    for (const s of this.slots.values()) {
      if (s === except) continue;
      for (const p of s.idle) if (!victim || p.lastUsed < victim.proc.lastUsed) victim = { slot: s, proc: p };
    }
    if (!victim) return false;
    victim.slot.idle.splice(victim.slot.idle.indexOf(victim.proc), 1);
    this.processes--;
    this.dropIfEmpty(victim.slot);
    void victim.proc.close();
    return true;
  }

  private release(slot: Slot, proc: CatFileProcess): void {
    slot.busy.delete(proc);
    if (this.closed) {
      void proc.close();
      return;
    }
    if (!proc.alive) {
      this.processes--;
    } else {
      const mine = this.waiters.find((w) => w.slot === slot);
      if (mine) {
        slot.busy.add(proc);
        mine.grant(proc);
        return;
      }
      proc.lastUsed = Date.now();
      slot.idle.push(proc);
    }
    this.pump();
    this.dropIfEmpty(slot);
  }

  /** Serves queued callers in order with whatever is now free. */
  private pump(): void {
    for (const w of [...this.waiters]) {
      const proc = this.takeIdle(w.slot) ?? this.trySpawn(w.slot);
      if (proc) w.grant(proc);
    }
  }

  private sweep(): void {
    const cutoff = Date.now() - this.opts.idleMs;
    for (const slot of [...this.slots.values()]) {
      const keep: CatFileProcess[] = [];
      for (const p of slot.idle) {
        if (p.alive && p.lastUsed >= cutoff) keep.push(p);
        else {
          this.processes--;
          void p.close();
        }
      }
      slot.idle = keep;
      this.dropIfEmpty(slot);
    }
  }

  private dropIfEmpty(slot: Slot): void {
    if (slot.idle.length === 0 && slot.busy.size === 0 && !this.waiters.some((w) => w.slot === slot)) this.slots.delete(slot.key);
  }
}

function keyOf(repo: GitRepo): string {
  return `${repo.id}\0${repo.dir}`;
}
