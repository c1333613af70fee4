#!/usr/bin/env node
// Gitssy events benchmark: what durable, asynchronous events cost a push, and how fast a
// watcher hears about one.
//
//   npm run bench:events                      (builds first)
//   node scripts/bench/events.mjs [--pushes N] [--latency-pushes N] [--subscribers N] [--work-ms N] [--keep]
//
// 1. Push latency: two servers side by side in this process, on their own data dirs and free
//    ports, built by the real composition root (createApp). One has only the forge's own
//    modules; the other has N extra durable subscribers on `push`, each doing --work-ms of work
//    (an awaited timer: the shape of a webhook call or a mail send). A client pushes one small
//    commit with the real `git push` over HTTP, alternating servers (the order flips every
//    round); the report is the median and p90 of the client-observed `git push` wall time, and
//    the ratio with/without subscribers (goal: no measurable difference, ratio ≤ 1.05).
// 2. Notification latency: bob watches alice's repository and listens on socket.io with a token;
//    alice pushes --latency-pushes times. For each push: the time from the push being
//    acknowledged (the moment the server committed its push event, which is when post-receive
//    answers and git reports success; read from push_events.created_at, same clock) to bob's
//    `notification` event; and, from the client's side, from `git push` starting and from it
//    exiting (an event that arrives before the client has exited counts 0 ms there). Goal: p99 <
//    250 ms on loopback.
//
// Results: scripts/bench/results/events-latest.json.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const DIST = path.join(ROOT, 'dist', 'server');
const require = createRequire(path.join(ROOT, 'package.json'));

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const PUSHES = opt('pushes', 100);
const LATENCY_PUSHES = opt('latency-pushes', 200);
const SUBSCRIBERS = opt('subscribers', 10);
const WORK_MS = opt('work-ms', 50);
const KEEP = args.includes('--keep');

const GIT_ENV = {
  PATH: process.env.PATH,
  HOME: os.tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Alice',
  GIT_AUTHOR_EMAIL: 'alice@example.test',
  GIT_COMMITTER_NAME: 'Alice',
  GIT_COMMITTER_EMAIL: 'alice@example.test',
  LC_ALL: 'C',
};

function run(cmd, argv, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd, env: GIT_ENV, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${argv.join(' ')} failed (${code}): ${err}`))));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const fmt = (ms) => `${ms.toFixed(1)} ms`;

async function startForge(name, extraModules) {
  const { createApp } = await import(path.join(DIST, 'app.js'));
  const { MODULES } = await import(path.join(DIST, 'modules.js'));
  const { loadConfig } = await import(path.join(DIST, 'config.js'));
  const { createLogger } = await import(path.join(DIST, 'lib', 'log.js'));
  const data = await fs.mkdtemp(path.join(os.tmpdir(), `gitssy-bench-events-${name}-`));
  const config = loadConfig({ dataDir: data, host: '127.0.0.1', httpPort: '0', sshPort: '0' }, { PATH: process.env.PATH });
  const app = await createApp(config, { quiet: true, log: createLogger({ level: 'warn' }), modules: [...MODULES, ...extraModules] });
  const ports = await app.start();
  const s = app.services;
  const alice = await s.users.create({ username: 'alice', email: 'alice@example.test', password: 'alice-pass-1234', isAdmin: true });
  const bob = await s.users.create({ username: 'bob', email: 'bob@example.test', password: 'bob-pass-12345' });
  const actor = (u) => ({ kind: 'user', user: { id: u.id, name: u.name, isAdmin: u.is_admin === 1 }, scopes: null, via: 'session' });
  const rec = await s.repos.create(actor(alice), alice, { name: 'proj' });
  await s.repos.setWatch(actor(bob), rec, true);
  const { token } = await s.users.createToken(bob.id, 'bench', 'all');
  const url = `http://127.0.0.1:${ports.http}`;
  return { name, app, data, url, remote: `http://alice:alice-pass-1234@127.0.0.1:${ports.http}/alice/proj.git`, bobToken: token };
}

async function clientRepo(remote) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitssy-bench-events-client-'));
  await run('git', ['init', '-q', '-b', 'main', dir]);
  await fs.writeFile(path.join(dir, 'README.md'), '# bench\n');
  await run('git', ['add', '-A'], dir);
  await run('git', ['commit', '-q', '-m', 'first'], dir);
  await run('git', ['remote', 'add', 'origin', remote], dir);
  await run('git', ['push', '-q', 'origin', 'main'], dir);
  let n = 0;
  return {
    dir,
    /** Commits one small change and pushes it; resolves with the push's wall time (ms). */
    async push() {
      n++;
      await fs.writeFile(path.join(dir, 'counter.txt'), `${n}\n`);
      await run('git', ['commit', '-q', '-am', `change ${n}`], dir).catch(async () => {
        await run('git', ['add', '-A'], dir);
        await run('git', ['commit', '-q', '-m', `change ${n}`], dir);
      });
      const t0 = performance.now();
      await run('git', ['push', '-q', 'origin', 'main'], dir);
      return { t0, t1: performance.now() };
    },
  };
}

/** N subscribers on `push`, each doing `ms` of (awaited) work, counting what they handled. */
function slowModule(n, ms, counter) {
  return {
    name: 'bench',
    subscribers: () =>
      Array.from({ length: n }, (_, i) => ({
        name: `bench.slow-${i}`,
        events: ['push'],
        handle: async () => {
          await sleep(ms);
          counter.handled++;
        },
      })),
  };
}

async function main() {
  console.log(`events benchmark: ${PUSHES} pushes per side, ${SUBSCRIBERS} subscribers × ${WORK_MS} ms; ${LATENCY_PUSHES} pushes for notification latency`);
  const counter = { handled: 0 };
  const plain = await startForge('plain', []);
  const loaded = await startForge('loaded', [slowModule(SUBSCRIBERS, WORK_MS, counter)]);
  const clients = { plain: await clientRepo(plain.remote), loaded: await clientRepo(loaded.remote) };

  // 1. push latency, interleaved; two warm-up rounds discarded
  const times = { plain: [], loaded: [] };
  for (let round = -2; round < PUSHES; round++) {
    const order = round % 2 === 0 ? ['plain', 'loaded'] : ['loaded', 'plain'];
    for (const side of order) {
      const { t0, t1 } = await clients[side].push();
      if (round >= 0) times[side].push(t1 - t0);
    }
  }
  // every slow subscriber got every push, after the pushes had returned
  const expected = SUBSCRIBERS * (PUSHES + 2 + 1);
  const deadline = Date.now() + 120_000;
  while (counter.handled < expected && Date.now() < deadline) await sleep(100);
  const push = {
    plain: { p50: quantile(times.plain, 0.5), p90: quantile(times.plain, 0.9) },
    loaded: { p50: quantile(times.loaded, 0.5), p90: quantile(times.loaded, 0.9) },
  };
  const ratio = push.loaded.p50 / push.plain.p50;

  // 2. notification latency on the plain server
  const { io } = require('socket.io-client');
  const sock = io(plain.url, { auth: { token: plain.bobToken }, transports: ['websocket'], reconnection: false });
  await new Promise((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('connect_error', reject);
  });
  const arrivals = [];
  sock.on('notification', () => arrivals.push({ mono: performance.now(), wall: Date.now() }));
  const fromAck = [];
  const fromStart = [];
  const fromExit = [];
  const lastPushAt = () => plain.app.services.db.selectFrom('push_events').select(['id', 'created_at']).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
  for (let i = 0; i < LATENCY_PUSHES; i++) {
    const before = arrivals.length;
    const { t0, t1 } = await clients.plain.push();
    const wait = Date.now() + 5_000;
    while (arrivals.length === before && Date.now() < wait) await sleep(1);
    if (arrivals.length === before) throw new Error(`push ${i}: no notification within 5 s`);
    const pushed = await lastPushAt();
    fromAck.push(arrivals[before].wall - pushed.created_at);
    fromStart.push(arrivals[before].mono - t0);
    fromExit.push(Math.max(0, arrivals[before].mono - t1));
  }
  sock.close();
  const dist = (xs) => ({ p50: quantile(xs, 0.5), p90: quantile(xs, 0.9), p99: quantile(xs, 0.99), max: Math.max(...xs) });
  const notify = { ...dist(fromAck), fromPushStart: dist(fromStart), fromPushExit: { ...dist(fromExit), beforeExit: fromExit.filter((l) => l === 0).length } };

  console.log('');
  console.log('| push latency (git push, one small commit) | p50 | p90 |');
  console.log('|---|---:|---:|');
  console.log(`| forge's own subscribers only | ${fmt(push.plain.p50)} | ${fmt(push.plain.p90)} |`);
  console.log(`| plus ${SUBSCRIBERS} subscribers × ${WORK_MS} ms | ${fmt(push.loaded.p50)} | ${fmt(push.loaded.p90)} |`);
  console.log(`| ratio (p50) | ${ratio.toFixed(3)} | goal ≤ 1.05 |`);
  console.log('');
  console.log(`slow subscribers handled ${counter.handled}/${expected} deliveries (all after the pushes returned)`);
  console.log('');
  console.log(`| notification latency, ${LATENCY_PUSHES} pushes | p50 | p90 | p99 | max |`);
  console.log('|---|---:|---:|---:|---:|');
  const row = (label, d) => console.log(`| ${label} | ${fmt(d.p50)} | ${fmt(d.p90)} | ${fmt(d.p99)} | ${fmt(d.max)} |`);
  row('push acknowledged (push event committed) → socket event', notify);
  row('`git push` started → socket event', notify.fromPushStart);
  row('`git push` exited → socket event (0 if before)', notify.fromPushExit);
  console.log(`(${notify.fromPushExit.beforeExit} of ${LATENCY_PUSHES} events arrived before the git client had exited; goal p99 < 250 ms)`);

  const result = {
    at: new Date().toISOString(),
    pushes: PUSHES,
    subscribers: SUBSCRIBERS,
    work_ms: WORK_MS,
    push,
    ratio,
    notify,
    handled: counter.handled,
    expected,
    cpus: os.cpus().length,
    load: os.loadavg(),
  };
  await fs.mkdir(path.join(HERE, 'results'), { recursive: true });
  await fs.writeFile(path.join(HERE, 'results', 'events-latest.json'), JSON.stringify(result, null, 2) + '\n');

  for (const f of [plain, loaded]) await f.app.stop();
  if (!KEEP) for (const d of [plain.data, loaded.data, clients.plain.dir, clients.loaded.dir]) await fs.rm(d, { recursive: true, force: true });
  const ok = ratio <= 1.05 && notify.p99 < 250 && counter.handled >= expected;
  console.log(ok ? 'PASS' : 'FAIL');
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
