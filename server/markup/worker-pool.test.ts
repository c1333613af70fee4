// The worker pool on its own, with a fixture worker whose tasks go wrong in every way a render
// can: over budget, throwing, exiting, out of memory, dying after answering, failing to load.
// Each time the caller gets an outcome (never an exception) and the next task runs on a worker.
import { execFile } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorkerPool, workerScript, type PoolOptions } from './worker-pool.js';

const FIXTURE = new URL('../../test/fixtures/pool-worker.ts', import.meta.url);
const script = workerScript(FIXTURE, FIXTURE, true);

const pools: WorkerPool[] = [];
function pool(opts: Partial<PoolOptions> = {}): WorkerPool {
  const p = new WorkerPool({ script, size: 1, ...opts });
  pools.push(p);
  return p;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

/** The longest the event loop went without running a timer while `work` was under way. */
async function maxLoopGap<T>(work: Promise<T>): Promise<{ value: T; gapMs: number }> {
  let last = performance.now();
  let gapMs = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
  }, 5);
  try {
    return { value: await work, gapMs };
  } finally {
    clearInterval(tick);
  }
}

describe('WorkerPool', () => {
  it('answers tasks on one worker, started when the first task arrives, and passes notes on', async () => {
    const p = pool();
    expect(p.live).toBe(0);
    const notes: unknown[] = [];
    expect(await p.run('echo', { a: [1, 2] }, { budgetMs: 30_000 })).toEqual({ ok: true, value: { a: [1, 2] } });
    expect(await p.run('note', 'x', { budgetMs: 30_000, onNote: (n) => notes.push(n) })).toEqual({ ok: true, value: 'x' });
    expect(notes).toEqual(['working on x']);
    expect(p.stats).toMatchObject({ started: 1, tasks: 2 });
  });

  it('runs tasks side by side up to its size, and queues the rest', async () => {
    const p = pool({ size: 2 });
    const ids = await Promise.all([1, 2, 3, 4].map(() => p.run<number>('busy', 200, { budgetMs: 30_000 })));
    expect(ids.every((o) => o.ok)).toBe(true);
    expect(p.stats.started).toBe(2);
    expect(p.live).toBe(2);
  });

  it('terminates a worker that overruns its budget, answers timeout, and runs the next task on a new worker', async () => {
    const p = pool();
    const warm = await p.run<number>('threadId', null, { budgetMs: 30_000 });
    const t = performance.now();
    const { value: spun, gapMs } = await maxLoopGap(p.run('spin', null, { budgetMs: 300 }));
    const took = performance.now() - t;
    expect(spun).toEqual({ ok: false, reason: 'timeout', message: 'took longer than 300 ms' });
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(3_000);
    // the spinning worker never held up the event loop (generous: a loaded machine delays timers)
    expect(gapMs).toBeLessThan(250);
    const after = await p.run<number>('threadId', null, { budgetMs: 30_000 });
    expect(after.ok && warm.ok && after.value !== warm.value).toBe(true);
    expect(p.stats).toMatchObject({ started: 2, timeouts: 1 });
  });

  it('counts the budget from when a worker takes the task, not while it waits in the queue', async () => {
    const p = pool();
    const [first, second] = await Promise.all([p.run('busy', 400, { budgetMs: 30_000 }), p.run('busy', 10, { budgetMs: 300 })]);
    expect(first.ok && second.ok).toBe(true);
  });

  it('answers failed when a handler throws, and keeps the worker', async () => {
    const p = pool();
    expect(await p.run('throw', null, { budgetMs: 30_000 })).toEqual({ ok: false, reason: 'failed', message: 'the handler failed' });
    expect(await p.run('nosuch', null, { budgetMs: 30_000 })).toEqual({ ok: false, reason: 'failed', message: 'unknown task "nosuch"' });
    expect(await p.run('echo', 1, { budgetMs: 30_000 })).toEqual({ ok: true, value: 1 });
    expect(p.stats.started).toBe(1);
  });

  it('replaces a worker that exits in the middle of a task, trying the task once more on a fresh one', async () => {
    const p = pool();
    const r = await p.run('exit', null, { budgetMs: 30_000 });
    expect(r).toEqual({ ok: false, reason: 'crashed', message: 'the render worker exited with code 3' });
    expect(p.stats).toMatchObject({ started: 2, crashes: 2 });
    expect(await p.run('echo', 'next', { budgetMs: 30_000 })).toEqual({ ok: true, value: 'next' });
    expect(p.stats.started).toBe(3);
  });

  it('replaces a worker that runs out of heap: the document dies, not the server', async () => {
    const p = pool({ resourceLimits: { maxOldGenerationSizeMb: 32 } });
    const r = await p.run('oom', null, { budgetMs: 60_000 });
    expect(r).toMatchObject({ ok: false, reason: 'crashed' });
    expect(await p.run('echo', 'next', { budgetMs: 30_000 })).toEqual({ ok: true, value: 'next' });
  });

  it('replaces a worker that throws an uncaught exception; what reached it as it died still gets an answer', async () => {
    const p = pool();
    // the worker answers, then throws: the next task reaches it as it dies (answered there, or tried again on a new one)
    const [answered, next] = await Promise.all([p.run('uncaught', null, { budgetMs: 30_000 }), p.run('echo', 'next', { budgetMs: 30_000 })]);
    expect(answered).toEqual({ ok: true, value: 'answered' });
    expect(next).toEqual({ ok: true, value: 'next' });
    await vi.waitFor(() => expect(p.stats.crashes).toBe(1), { timeout: 10_000 });
    expect(await p.run('echo', 'after', { budgetMs: 30_000 })).toEqual({ ok: true, value: 'after' });
    expect(p.stats.started).toBe(2);
  });

  it('fails the waiting tasks when a worker cannot start, without respawning in a loop', async () => {
    const missing = new URL('./no-such-worker.js', import.meta.url);
    const p = pool({ script: { url: missing } });
    const rs = await Promise.all([p.run('echo', 1, { budgetMs: 30_000 }), p.run('echo', 2, { budgetMs: 30_000 })]);
    for (const r of rs) expect(r).toMatchObject({ ok: false, reason: 'crashed', message: expect.stringMatching(/could not start/) });
    expect(p.stats.started).toBe(1);
  });

  it('answers busy at once when the queue is full', async () => {
    const p = pool({ maxQueue: 1 });
    expect((await p.run('echo', 0, { budgetMs: 30_000 })).ok).toBe(true); // the worker is up
    const running = p.run('busy', 300, { budgetMs: 30_000 });
    const queued = p.run('echo', 1, { budgetMs: 30_000 });
    expect(await p.run('echo', 2, { budgetMs: 30_000 })).toMatchObject({ ok: false, reason: 'busy' });
    expect((await running).ok && (await queued).ok).toBe(true);
  });

  it('answers busy for a task that waited too long for a worker, and runs the rest', async () => {
    const p = pool({ maxWaitMs: 300 });
    // the worker's start may take longer than that: ask until it is up
    await vi.waitFor(async () => expect((await p.run('echo', 0, { budgetMs: 30_000 })).ok).toBe(true), { timeout: 30_000, interval: 50 });
    const [long, waited] = await Promise.all([p.run('busy', 800, { budgetMs: 30_000 }), p.run('echo', 1, { budgetMs: 30_000 })]);
    expect(long).toEqual({ ok: true, value: 800 });
    expect(waited).toEqual({ ok: false, reason: 'busy', message: 'waited 300 ms for a render worker' });
    expect(await p.run('echo', 2, { budgetMs: 30_000 })).toEqual({ ok: true, value: 2 });
  });

  it('lets idle workers exit, and starts one again for new work', async () => {
    const p = pool({ idleMs: 200 });
    expect((await p.run('echo', 1, { budgetMs: 30_000 })).ok).toBe(true);
    expect(p.live).toBe(1);
    await new Promise((r) => setTimeout(r, 600));
    expect(p.live).toBe(0);
    expect(await p.run('echo', 2, { budgetMs: 30_000 })).toEqual({ ok: true, value: 2 });
    expect(p.stats.started).toBe(2);
  });

  it('answers closed for running and later tasks once closed', async () => {
    const p = pool();
    const running = p.run('spin', null, { budgetMs: 30_000 });
    await new Promise((r) => setTimeout(r, 50));
    await p.close();
    expect(await running).toMatchObject({ ok: false, reason: 'closed' });
    expect(await p.run('echo', 1, { budgetMs: 30_000 })).toMatchObject({ ok: false, reason: 'closed' });
    expect(p.live).toBe(0);
  });

  it('does not keep the process alive once its workers are idle', async () => {
    // a separate Node process runs a task and never closes the pool: it must still exit
    const code = `
      import { WorkerPool, workerScript } from ${JSON.stringify(new URL('./worker-pool.ts', import.meta.url).href)};
      const fixture = new URL(${JSON.stringify(FIXTURE.href)});
      const p = new WorkerPool({ script: workerScript(fixture, fixture, true), size: 1 });
      const r = await p.run('echo', 'done', { budgetMs: 60000 });
      console.log(JSON.stringify(r), p.live);
    `;
    const [, , register] = script.execArgv!;
    const started = performance.now();
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', register!, '--input-type=module', '-e', code], { timeout: 60_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    expect(out.trim()).toBe('{"ok":true,"value":"done"} 1');
    // well before the idle timeout (2 minutes) would have ended the worker
    expect(performance.now() - started).toBeLessThan(60_000);
  });
});
