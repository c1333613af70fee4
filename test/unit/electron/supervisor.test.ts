// The desktop shell's server supervisor, driven against a real child process
// (test/fixtures/fake-server.mjs) that sends ready, crashes or hangs on demand.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { levelOf, readableLine, ServerSupervisor, type SupervisorOptions, type SupervisorState } from '../../../electron/src/supervisor.js';

const FAKE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/fake-server.mjs');

let dir: string;
let logFile: string;
const supervisors: ServerSupervisor[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gitssy-supervisor-'));
  logFile = path.join(dir, 'server.log');
});

afterEach(async () => {
  for (const s of supervisors.splice(0)) await s.stop();
  await rm(dir, { recursive: true, force: true });
});

function supervisor(args: string[], more: Partial<SupervisorOptions> = {}): ServerSupervisor {
  const s = new ServerSupervisor({
    script: FAKE,
    args,
    execPath: process.execPath,
    // a plain file writer stands in for electron-log's rotating file transport
    log: (level, line) => appendFileSync(logFile, `${level} ${line}\n`),
    readyTimeoutMs: 15_000,
    stopTimeoutMs: 5_000,
    backoff: { initialMs: 100, maxMs: 2_000, factor: 2 },
    crashLoop: { maxCrashes: 5, windowMs: 60_000 },
    ...more,
  });
  supervisors.push(s);
  return s;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function waitFor(s: ServerSupervisor, pred: (st: SupervisorState) => boolean, timeoutMs = 10_000): Promise<SupervisorState> {
  if (pred(s.state)) return Promise.resolve(s.state);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      s.off('state', on);
      reject(new Error(`timed out waiting; state is ${JSON.stringify(s.state)}`));
    }, timeoutMs);
    const on = (st: SupervisorState) => {
      if (!pred(st)) return;
      clearTimeout(t);
      s.off('state', on);
      resolve(st);
    };
    s.on('state', on);
  });
}

async function until(pred: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('supervisor', () => {
  it('starts the server, resolves with the ports from its ready message, and logs its output', async () => {
    const s = supervisor(['ready']);
    const ready = await s.start();
    expect(s.state.status).toBe('running');
    expect(ready.pid).toBe(s.state.pid);
    expect(ready.url).toBe(`http://127.0.0.1:${ready.http}/`);
    expect(alive(ready.pid)).toBe(true);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain(`fake server ready run 1 pid ${ready.pid}`);
    expect(log).toContain('warn a line on stderr');
    // the tail is readable: pino JSON turned into LEVEL message
    expect(s.logTail()).toContainEqual(expect.stringMatching(/INFO fake server ready run 1/));
  });

  it('answers requests over IPC, and refuses them when nothing runs', async () => {
    const s = supervisor(['ready']);
    await expect(s.request('status')).rejects.toThrow(/not running/);
    await s.start();
    await expect(s.request('status')).resolves.toEqual({ mode: 'ready', runs: 1 });
    await expect(s.request('nonsense')).rejects.toThrow(/unknown request nonsense/);
  });

  it('kills a server that does not report ready within the timeout and counts it as a failure', async () => {
    const s = supervisor(['hang'], { readyTimeoutMs: 400, crashLoop: { maxCrashes: 2, windowMs: 60_000 }, backoff: { initialMs: 50, maxMs: 50, factor: 1 } });
    const pids: number[] = [];
    s.on('state', (st: SupervisorState) => {
      if (st.pid && !pids.includes(st.pid)) pids.push(st.pid);
    });
    const started = Date.now();
    await expect(s.start()).rejects.toThrow(/did not report ready within 0.4s/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect(s.state.status).toBe('error');
    expect(s.state.error?.message).toMatch(/did not report ready.*failed 2 times/);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });

  it('restarts a crashed server after a backoff and is running again', async () => {
    const state = path.join(dir, 'runs');
    const s = supervisor(['crash-once', '--state', state]);
    const seen: SupervisorState[] = [];
    s.on('state', (st: SupervisorState) => seen.push(st));
    const ready = await s.start();
    expect(s.state).toMatchObject({ status: 'running', restarts: 1 });
    expect(s.state.lastExit).toMatchObject({ code: 3, reason: 'the server exited with code 3' });
    expect(seen.find((st) => st.status === 'restarting')?.nextRestartInMs).toBe(100);
    expect(readFileSync(state, 'utf8')).toBe('2');
    expect(alive(ready.pid)).toBe(true);
    expect(readFileSync(logFile, 'utf8')).toMatch(/error \{"level":50,"msg":"boom on run 1"\}/);
  });

  it('backs off exponentially between restarts and detects a crash loop, keeping the last log lines', async () => {
    const state = path.join(dir, 'runs');
    const s = supervisor(['crash', '--state', state], { backoff: { initialMs: 150, maxMs: 5_000, factor: 2 }, crashLoop: { maxCrashes: 4, windowMs: 60_000 } });
    const delays: number[] = [];
    s.on('state', (st: SupervisorState) => {
      if (st.status === 'restarting' && st.nextRestartInMs !== null) delays.push(st.nextRestartInMs);
    });
    await expect(s.start()).rejects.toThrow(/failed 4 times within 60s/);
    expect(delays).toEqual([150, 300, 600]);
    // the real gaps between starts honour the backoff
    const starts = readFileSync(`${state}.starts`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => Number(l.split(' ')[0]));
    expect(starts).toHaveLength(4);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(delays[i - 1]! - 10);
    const st = s.state;
    expect(st.status).toBe('error');
    expect(st.error?.message).toMatch(/^the server exited with code 3\. It failed 4 times within 60s, so Gitssy stopped restarting it/);
    expect(st.error?.logTail).toContainEqual('ERROR boom on run 4');
    expect(st.restarts).toBe(3);
    // no fifth attempt comes later
    await new Promise((r) => setTimeout(r, 1_500));
    expect(readFileSync(state, 'utf8')).toBe('4');
  });

  it('forgets crashes that fall out of the window', async () => {
    let now = 0;
    const state = path.join(dir, 'runs');
    const s = supervisor(['crash', '--state', state], { now: () => (now += 120_000), crashLoop: { maxCrashes: 2, windowMs: 60_000 }, backoff: { initialMs: 50, maxMs: 50, factor: 1 } });
    s.start().catch(() => {});
    // every crash is two minutes after the last, so no two fall in one window: it keeps restarting
    await waitFor(s, () => existsSync(state) && Number(readFileSync(state, 'utf8')) >= 4);
    expect(s.state.status).not.toBe('error');
    await s.stop();
    expect(s.state.status).toBe('stopped');
  });

  it('stops cleanly: asks the server to shut down and waits for it', async () => {
    const s = supervisor(['ready', '--stop-delay', '300']);
    const { pid } = await s.start();
    const t0 = Date.now();
    const result = await s.stop();
    expect(result).toEqual({ graceful: true, code: 0, signal: null });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(alive(pid)).toBe(false);
    expect(s.state.status).toBe('stopped');
    expect(readFileSync(logFile, 'utf8')).toContain('stopping (shutdown) in 300ms');
    // a clean stop is not a crash: nothing restarts it
    await new Promise((r) => setTimeout(r, 400));
    expect(s.state.status).toBe('stopped');
  });

  it('kills a server that does not stop within the bound', async () => {
    const s = supervisor(['stubborn'], { stopTimeoutMs: 500 });
    const { pid } = await s.start();
    const t0 = Date.now();
    const result = await s.stop();
    expect(result).toEqual({ graceful: false, code: null, signal: 'SIGKILL' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    expect(alive(pid)).toBe(false);
    expect(s.state.status).toBe('stopped');
    expect(readFileSync(logFile, 'utf8')).toMatch(/ignoring shutdown[\s\S]*did not stop within 0.5s; killing it/);
  });

  it('stop() before the server is ready signals it instead of waiting for the bound', async () => {
    const s = supervisor(['hang'], { stopTimeoutMs: 5_000 });
    s.start().catch(() => {});
    await until(() => s.logTail().some((l) => l.includes('fake server hang')));
    const pid = s.state.pid!;
    const t0 = Date.now();
    const result = await s.stop();
    expect(Date.now() - t0).toBeLessThan(2_000);
    // the fixture exits 0 from its SIGTERM handler, or dies of the signal if it had not set one up yet
    expect(result.graceful).toBe(true);
    expect(result.code === 0 || result.signal === 'SIGTERM').toBe(true);
    expect(alive(pid)).toBe(false);
    expect(s.state.status).toBe('stopped');
  });

  it('stop() during a backoff cancels the pending restart', async () => {
    const state = path.join(dir, 'runs');
    const s = supervisor(['crash', '--state', state], { backoff: { initialMs: 1_000, maxMs: 1_000, factor: 1 } });
    s.start().catch(() => {});
    await waitFor(s, (st) => st.status === 'restarting');
    await s.stop();
    await new Promise((r) => setTimeout(r, 1_300));
    expect(s.state.status).toBe('stopped');
    expect(readFileSync(state, 'utf8')).toBe('1');
  });

  it('restart() leaves the error state and starts again', async () => {
    const state = path.join(dir, 'runs');
    const s = supervisor(['crash', '--state', state], { crashLoop: { maxCrashes: 1, windowMs: 60_000 } });
    await expect(s.start()).rejects.toThrow(/failed 1 times/);
    expect(s.state.status).toBe('error');
    // swap the failing server for a good one, as an operator fixing the cause would
    (s as unknown as { opts: SupervisorOptions }).opts.args = ['ready'];
    const ready = await s.restart();
    expect(s.state).toMatchObject({ status: 'running', error: null });
    expect(alive(ready.pid)).toBe(true);
  });

  it('fails with a clear error when the Node binary does not exist, without restarting', async () => {
    const s = supervisor(['ready'], { execPath: path.join(dir, 'no-such-node') });
    await expect(s.start()).rejects.toThrow(/could not start the server: .*ENOENT/);
    expect(s.state.status).toBe('error');
  });

  it('keeps only the configured number of tail lines', async () => {
    const s = supervisor(['chatty'], { tailLines: 50 });
    await s.start();
    await until(() => s.logTail().at(-1) === 'line 499');
    expect(s.logTail()).toHaveLength(50);
    expect(s.logTail()[0]).toBe('line 450');
  });
});

describe('log lines', () => {
  it('takes the level from pino JSON and keeps the stream level otherwise', () => {
    expect(levelOf('{"level":50,"msg":"x"}', 'info')).toBe('error');
    expect(levelOf('{"level":40,"msg":"x"}', 'info')).toBe('warn');
    expect(levelOf('{"level":30,"msg":"x"}', 'warn')).toBe('info');
    expect(levelOf('plain', 'warn')).toBe('warn');
  });

  it('makes pino JSON readable and leaves other lines alone', () => {
    expect(readableLine('{"level":50,"time":"2026-01-01T00:00:00.000Z","msg":"listen failed","err":{"message":"EADDRINUSE"}}')).toBe('2026-01-01T00:00:00.000Z ERROR listen failed: EADDRINUSE');
    expect(readableLine('{not json')).toBe('{not json');
    expect(readableLine('{"no":"msg"}')).toBe('{"no":"msg"}');
    expect(readableLine('hello')).toBe('hello');
  });
});
