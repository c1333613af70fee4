// A small pool of worker threads for CPU-bound rendering, so a slow or hostile document costs a
// worker's time and never the event loop that serves git, SSH and the API. Workers start when
// work arrives, leave after a while idle, and never keep the process alive; every task has a
// time budget, and a worker that overruns it, crashes or runs out of memory is terminated and
// replaced. A task whose worker died under it is tried once more on a fresh worker (it may have
// been an innocent bystander). The caller gets an outcome, never an exception, and decides what
// to show instead.
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, type ResourceLimits } from 'node:worker_threads';

/** Why a task has no value: over its budget, the worker died, the handler threw, the queue is full, or the pool is closed. */
export type FailReason = 'timeout' | 'crashed' | 'failed' | 'busy' | 'closed';

export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: FailReason; message: string };

export interface WorkerScript {
  url: URL;
  /** Node options for the worker (the TypeScript hooks when running from sources); default: the process's. */
  execArgv?: string[];
}

/**
 * A worker script as Node can start it. From dist/ (the server as shipped) the compiled `.js`
 * runs as it is. From the TypeScript sources (vitest runs them, and Node 20 cannot load `.ts`)
 * the worker gets module hooks that transpile our sources as they load (ts-worker-hooks.mjs),
 * so tests exercise the code they test rather than a build that may be stale or missing.
 */
export function workerScript(compiled: URL, source: URL, runningFromSource: boolean): WorkerScript {
  if (!runningFromSource) return { url: compiled };
  const hooks = new URL('./ts-worker-hooks.mjs', import.meta.url).href;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(hooks)});`;
  return { url: source, execArgv: ['--enable-source-maps', '--import', `data:text/javascript,${encodeURIComponent(register)}`] };
}

export interface PoolOptions {
  script: WorkerScript;
  /** Worker threads at most (default: one per spare core, at most 2, at least 1). */
  size?: number;
  /** A worker idle this long exits (default 2 minutes). */
  idleMs?: number;
  /** Tasks waiting for a worker at most; more answer `busy` at once (default 256). */
  maxQueue?: number;
  /** A task still waiting for a worker after this long answers `busy` (default 10 s). */
  maxWaitMs?: number;
  /** A worker that has not loaded its modules by then is given up on (default 60 s). */
  startTimeoutMs?: number;
  /** Heap caps per worker: a document that blows up the heap kills its worker, not the server. */
  resourceLimits?: ResourceLimits;
}

export interface RunOptions {
  /** Milliseconds of worker time the task may take, counted from when a worker picks it up. */
  budgetMs: number;
  /** Progress notes the handler sends while it works (which engine it switched to, say). */
  onNote?: (note: unknown) => void;
}

/** The messages between pool and worker. */
type ToWorker = { id: number; op: string; args: unknown };
type FromWorker = { type: 'ready' } | { type: 'note'; id: number; note: unknown } | { type: 'done'; id: number; ok: true; value: unknown } | { type: 'done'; id: number; ok: false; message: string };

interface Task {
  id: number;
  op: string;
  args: unknown;
  opts: RunOptions;
  resolve: (o: Outcome<unknown>) => void;
  /** The budget while running, the wait cap while queued. */
  timer?: NodeJS.Timeout;
  /** Workers that died under this task. */
  crashes: number;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  task: Task | null;
  timer?: NodeJS.Timeout;
  gone: boolean;
}

export function defaultPoolSize(): number {
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}

export class WorkerPool {
  readonly size: number;
  private readonly idleMs: number;
  private readonly maxQueue: number;
  private readonly maxWaitMs: number;
  private readonly startTimeoutMs: number;
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  /** Counters for tests, logs and the bench. */
  readonly stats = { started: 0, tasks: 0, timeouts: 0, crashes: 0, busy: 0 };

  constructor(private readonly opts: PoolOptions) {
    this.size = Math.max(1, opts.size ?? defaultPoolSize());
    this.idleMs = opts.idleMs ?? 120_000;
    this.maxQueue = opts.maxQueue ?? 256;
    this.maxWaitMs = opts.maxWaitMs ?? 10_000;
    this.startTimeoutMs = opts.startTimeoutMs ?? 60_000;
  }

  /** Workers alive now (starting, busy or idle). */
  get live(): number {
    return this.slots.size;
  }

  run<T>(op: string, args: unknown, opts: RunOptions): Promise<Outcome<T>> {
    if (this.closed) return Promise.resolve({ ok: false, reason: 'closed', message: 'the render pool is closed' });
    if (this.queue.length >= this.maxQueue) {
      this.stats.busy++;
      return Promise.resolve({ ok: false, reason: 'busy', message: `${this.queue.length} renders already waiting` });
    }
    this.stats.tasks++;
    return new Promise<Outcome<T>>((resolve) => {
      const task: Task = { id: this.nextId++, op, args, opts, resolve: resolve as (o: Outcome<unknown>) => void, crashes: 0 };
      this.enqueue(task);
      this.dispatch();
    });
  }

  private enqueue(task: Task, first = false): void {
    if (first) this.queue.unshift(task);
    else this.queue.push(task);
    task.timer = setTimeout(() => {
      const i = this.queue.indexOf(task);
      if (i < 0) return;
      this.queue.splice(i, 1);
      this.stats.busy++;
      task.resolve({ ok: false, reason: 'busy', message: `waited ${this.maxWaitMs} ms for a render worker` });
    }, this.maxWaitMs);
  }

  /** Ends every worker; waiting and running tasks answer `closed`. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) {
      clearTimeout(t.timer);
      t.resolve({ ok: false, reason: 'closed', message: 'the render pool is closed' });
    }
    const ends: Promise<unknown>[] = [];
    for (const slot of [...this.slots]) {
      if (slot.task) this.finish(slot, { ok: false, reason: 'closed', message: 'the render pool is closed' });
      ends.push(this.retire(slot));
    }
    await Promise.all(ends);
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.ready && !slot.task) this.assign(slot, this.queue.shift()!);
    }
    // start as many workers as the waiting tasks need (a starting worker takes the next task when ready)
    let starting = [...this.slots].filter((s) => !s.ready).length;
    while (this.queue.length > starting && this.slots.size < this.size) {
      this.spawn();
      starting++;
    }
  }

  private assign(slot: Slot, task: Task): void {
    clearTimeout(slot.timer);
    clearTimeout(task.timer);
    slot.task = task;
    // a busy worker holds the process open (someone awaits its answer); an idle one doesn't
    slot.worker.ref();
    task.timer = setTimeout(() => {
      this.stats.timeouts++;
      this.finish(slot, { ok: false, reason: 'timeout', message: `took longer than ${task.opts.budgetMs} ms` });
      void this.retire(slot);
      this.dispatch();
    }, task.opts.budgetMs);
    slot.worker.postMessage({ id: task.id, op: task.op, args: task.args } satisfies ToWorker);
  }

  private finish(slot: Slot, outcome: Outcome<unknown>): void {
    const task = slot.task;
    if (!task) return;
    clearTimeout(task.timer);
    slot.task = null;
    if (!slot.gone) {
      slot.worker.unref();
      slot.timer = setTimeout(() => void this.retire(slot), this.idleMs).unref();
    }
    task.resolve(outcome);
  }

  private spawn(): void {
    const worker = new Worker(this.opts.script.url, {
      execArgv: this.opts.script.execArgv,
      resourceLimits: this.opts.resourceLimits,
      stdout: false,
      stderr: false,
    });
    worker.unref();
    this.stats.started++;
    const slot: Slot = { worker, ready: false, task: null, gone: false };
    slot.timer = setTimeout(() => this.died(slot, new Error(`the render worker did not start within ${this.startTimeoutMs} ms`)), this.startTimeoutMs).unref();
    this.slots.add(slot);
    worker.on('message', (m: FromWorker) => {
      if (slot.gone) return;
      if (m.type === 'ready') {
        clearTimeout(slot.timer);
        slot.ready = true;
        slot.timer = setTimeout(() => void this.retire(slot), this.idleMs).unref();
        this.dispatch();
      } else if (m.type === 'note') {
        if (slot.task?.id === m.id) slot.task.opts.onNote?.(m.note);
      } else if (m.type === 'done' && slot.task?.id === m.id) {
        this.finish(slot, m.ok ? { ok: true, value: m.value } : { ok: false, reason: 'failed', message: m.message });
        this.dispatch();
      }
    });
    // a dying worker's last messages (an answer it sent just before it threw) may arrive after
    // 'error' but always before 'exit': the death is handled at 'exit', with the error's message
    let error: Error | undefined;
    worker.on('error', (err) => (error ??= err));
    worker.on('exit', (code) => this.died(slot, error ?? new Error(`the render worker exited with code ${code}`)));
  }

  /** A worker ended by itself (uncaught exception, out of memory, exit) or never became ready. */
  private died(slot: Slot, err: Error): void {
    if (slot.gone) return;
    const wasReady = slot.ready;
    this.stats.crashes++;
    const task = slot.task;
    if (task && wasReady && task.crashes === 0) {
      // once more, first in line, on a fresh worker: a second death says it is the task's doing
      clearTimeout(task.timer);
      slot.task = null;
      task.crashes++;
      this.enqueue(task, true);
    } else {
      this.finish(slot, { ok: false, reason: 'crashed', message: err.message });
    }
    void this.retire(slot);
    if (!wasReady) {
      // it could not even load: the waiting tasks would fail the same way, so don't respawn in a loop
      for (const t of this.queue.splice(0)) {
        clearTimeout(t.timer);
        t.resolve({ ok: false, reason: 'crashed', message: `the render worker could not start: ${err.message}` });
      }
      return;
    }
    this.dispatch();
  }

  private retire(slot: Slot): Promise<unknown> {
    if (slot.gone) return Promise.resolve();
    slot.gone = true;
    clearTimeout(slot.timer);
    this.slots.delete(slot);
    return slot.worker.terminate().catch(() => undefined);
  }
}

export type Handler = (args: never, note: (n: unknown) => void) => unknown;

/**
 * The worker side: answers the pool's tasks with `handlers[op](args)`, one at a time. A handler
 * that throws answers `failed` and the worker carries on.
 */
export function serveTasks(handlers: Record<string, Handler>): void {
  if (isMainThread || !parentPort) throw new Error('serveTasks runs in a worker thread');
  const port = parentPort;
  port.on('message', (m: ToWorker) => {
    const handler = Object.hasOwn(handlers, m.op) ? handlers[m.op] : undefined;
    try {
      if (!handler) throw new Error(`unknown task "${m.op}"`);
      const value = handler(m.args as never, (note) => port.postMessage({ type: 'note', id: m.id, note } satisfies FromWorker));
      port.postMessage({ type: 'done', id: m.id, ok: true, value } satisfies FromWorker);
    } catch (err) {
      port.postMessage({ type: 'done', id: m.id, ok: false, message: err instanceof Error ? err.message : String(err) } satisfies FromWorker);
    }
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
}
