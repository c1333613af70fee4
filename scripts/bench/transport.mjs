#!/usr/bin/env node
// Gitssy transport benchmark: our server vs the reference implementations, per transport:
//   http  smart HTTP          vs nginx + fcgiwrap + git-http-backend
//   ssh   embedded ssh2 server vs OpenSSH sshd + git-shell
//   git   git:// daemon       vs git daemon
//
//   npm run bench:transport            (builds first)
//   node scripts/bench/transport.mjs [--rounds N] [--quick] [--keep] [--strict] [--transports http,ssh,git] [--only LIST]
//
// All peers serve a byte-identical copy of the same bare repository (a
// deterministic synthetic repo, pushed to our server and then copied with
// `cp -a` to the peer root). Scenarios alternate ours/peer every round (the order
// flips each round), one warm-up round is discarded, and the median of the
// measured rounds is reported together with the ratio ours/peer.
// Results: scripts/bench/results/transport-<timestamp>.json and transport-latest.json.
//
// Only Node's standard library is used.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedRepo, gitEnv, Rng, randomText, DEFAULTS as GEN_DEFAULTS } from './gen-repo.mjs';
import { readStatusKb } from './proc.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
// GITSSY_BENCH_SERVER_MAIN lets the benchmark run against another build (or a stand-in while developing).
const SERVER_MAIN = process.env.GITSSY_BENCH_SERVER_MAIN ? path.resolve(process.env.GITSSY_BENCH_SERVER_MAIN) : path.join(ROOT, 'dist', 'server', 'gitssy.js');
// GITSSY_BENCH_NODE_ARGS: extra node options for our server only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
// (NODE_OPTIONS refuses --cpu-prof, and would profile the harness too).
const SERVER_NODE_ARGS = (process.env.GITSSY_BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const RESULTS_DIR = path.join(HERE, 'results');
const TARGET_RATIO = 1.05;
const USER = 'alice';
const PASS = 'BenchPass-2026-gitssy';
const REPO = 'perf';

// ---------------------------------------------------------------------------
// options

const TRANSPORTS = ['http', 'ssh', 'git'];
/** Scenario keys per transport, in the order they run (pushes run last, see main()). */
const SCENARIO_KEYS = {
  http: ['clone', 'fetch', 'noop', 'concurrent', 'push'],
  ssh: ['ssh-clone', 'ssh-fetch', 'ssh-noop', 'ssh-concurrent', 'ssh-push', 'ssh-ciphers'],
  git: ['git-clone', 'git-fetch', 'git-noop', 'git-concurrent'],
};
const KEY_ALIASES = { 'http-clone': 'clone', 'http-fetch': 'fetch', 'http-noop': 'noop', 'http-concurrent': 'concurrent', 'http-push': 'push' };
const transportOf = (key) => TRANSPORTS.find((t) => SCENARIO_KEYS[t].includes(key));
// Cipher sub-benchmark: "cipher" or "cipher/mac". aes128-ctr is not an AEAD cipher, so the MAC
// is pinned as well: OpenSSH's client prefers umac-64-etm, which sshd has and ssh2 lacks, and
// the comparison would otherwise mix a cipher difference with a MAC difference.
// Key exchange: OpenSSH 9.x prefers sntrup761x25519-sha512, which ssh2 does not implement, so by
// default the two sides would run different key exchanges (sntrup761 costs ~70 ms more per
// connection on 2 cores, mostly on the client). Pinned so that only the servers differ.
const DEFAULT_SSH_KEX = 'curve25519-sha256';
const DEFAULT_SSH_CIPHERS = ['aes128-gcm@openssh.com', 'chacha20-poly1305@openssh.com', 'aes128-ctr/hmac-sha2-256-etm@openssh.com'];

function usage() {
  return `usage: node scripts/bench/transport.mjs [options]
  --rounds N        measured rounds per scenario (default 5; 3 with --quick), plus 1 warm-up
  --quick           small repo (500 commits / 300 files) and a 4 MB push, for a smoke test
  --keep            keep the temp directories (server data, peer root, logs)
  --strict          exit 1 when a ratio is above ${TARGET_RATIO}
  --transports LIST comma-separated transport groups to run: ${TRANSPORTS.join(',')} (default: all)
  --only LIST       comma-separated subset of scenarios:
                      http: ${SCENARIO_KEYS.http.join(',')} (also accepted as http-clone, ...)
                      ssh:  ${SCENARIO_KEYS.ssh.join(',')}
                      git:  ${SCENARIO_KEYS.git.join(',')}
  --concurrency N   parallel clones in the concurrency scenarios (default 20)
  --push-mb N       size of the pushed branch in MB of pack (default 20; 4 with --quick)
  --peer-git-config ours|default
                    the peers' global git config: a copy of the one our server gives its git
                    (default: same durability, core.fsync=committed) or none (git's defaults)
  --peer-auth basic|none
                    how the HTTP peer lets pushes in: nginx auth_basic on receive-pack requests (default;
                    git http-backend's documented setup, git sends the same credentials as to ours) or
                    none (anonymous pushes, REMOTE_USER fixed in the config: skips the 401 round trip)
  --fetch-reps N    fetches averaged into one sample of the fetch scenarios (default 5)
  --fcgi-workers N  fcgiwrap worker processes for the HTTP peer (default 4)
  --ssh-ciphers LIST  ciphers for the ssh-ciphers sub-benchmark, each "cipher" or "cipher/mac"
                    (default ${DEFAULT_SSH_CIPHERS.join(',')})
  --ssh-kex NAME    key exchange pinned on the client for both sides (default ${DEFAULT_SSH_KEX}, which
                    both have; "default" = OpenSSH's own order, where sshd picks sntrup761x25519-sha512
                    and ssh2 curve25519-sha256)
  --commits N, --files N, --seed N   override the generated repo's parameters`;
}

function parseArgs(argv) {
  const o = {
    rounds: null,
    quick: false,
    keep: false,
    strict: false,
    concurrency: 20,
    pushMb: null,
    peerGitConfig: 'ours',
    peerAuth: 'basic',
    fcgiWorkers: 4,
    fetchReps: 5,
    gen: {},
    only: null,
    transports: [...TRANSPORTS],
    sshCiphers: [...DEFAULT_SSH_CIPHERS],
    sshKex: DEFAULT_SSH_KEX,
  };
  const list = (a, v) => {
    const xs = String(v ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    if (!xs.length) throw new BenchError(`${a} needs a comma-separated list`, 'see --help');
    return xs;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new BenchError(`${a} needs a positive number`, 'see --help');
      return v;
    };
    if (a === '--rounds') o.rounds = Math.floor(num());
    else if (a === '--quick') o.quick = true;
    else if (a === '--keep') o.keep = true;
    else if (a === '--strict') o.strict = true;
    else if (a === '--concurrency') o.concurrency = Math.floor(num());
    else if (a === '--push-mb') o.pushMb = num();
    else if (a === '--peer-auth') {
      o.peerAuth = argv[++i];
      if (o.peerAuth !== 'basic' && o.peerAuth !== 'none') throw new BenchError('--peer-auth takes "basic" or "none"', 'see --help');
    } else if (a === '--peer-git-config') {
      o.peerGitConfig = argv[++i];
      if (o.peerGitConfig !== 'ours' && o.peerGitConfig !== 'default') throw new BenchError('--peer-git-config takes "ours" or "default"', 'see --help');
    } else if (a === '--fetch-reps') o.fetchReps = Math.floor(num());
    else if (a === '--fcgi-workers') o.fcgiWorkers = Math.floor(num());
    else if (a === '--commits') o.gen.commits = Math.floor(num());
    else if (a === '--files') o.gen.files = Math.floor(num());
    else if (a === '--seed') o.gen.seed = Math.floor(num());
    else if (a === '--only') {
      o.only = list(a, argv[++i]).map((k) => KEY_ALIASES[k] ?? k);
      const bad = o.only.filter((k) => !transportOf(k));
      if (bad.length) throw new BenchError(`--only: unknown scenario ${bad.join(', ')}`, `known: ${TRANSPORTS.map((t) => SCENARIO_KEYS[t].join(',')).join(',')}`);
    } else if (a === '--transports') {
      o.transports = list(a, argv[++i]);
      const bad = o.transports.filter((t) => !TRANSPORTS.includes(t));
      if (bad.length) throw new BenchError(`--transports: unknown transport ${bad.join(', ')}`, `known: ${TRANSPORTS.join(',')}`);
    } else if (a === '--ssh-ciphers') {
      o.sshCiphers = list(a, argv[++i]);
      const bad = o.sshCiphers.filter((c) => !/^[A-Za-z0-9@._-]+(\/[A-Za-z0-9@._-]+)?$/.test(c));
      if (bad.length) throw new BenchError(`--ssh-ciphers: malformed entry ${bad.join(', ')}`, 'each entry is "cipher" or "cipher/mac"');
    } else if (a === '--ssh-kex') {
      o.sshKex = String(argv[++i] ?? '');
      if (!/^[A-Za-z0-9@._,-]+$/.test(o.sshKex)) throw new BenchError('--ssh-kex needs an algorithm name', 'e.g. --ssh-kex curve25519-sha256');
      if (o.sshKex === 'default') o.sshKex = null;
    } else if (a === '-h' || a === '--help') {
      console.log(usage());
      process.exit(0);
    } else throw new BenchError(`unknown option ${a}`, 'see --help for the options');
  }
  if (o.rounds == null) o.rounds = o.quick ? 3 : 5;
  if (o.pushMb == null) o.pushMb = o.quick ? 4 : 20;
  if (o.quick) o.gen = { commits: 500, files: 300, ...o.gen };
  o.want = (key) => o.transports.includes(transportOf(key)) && (!o.only || o.only.includes(key));
  o.wantTransport = (t) => SCENARIO_KEYS[t].some((k) => o.want(k));
  if (!TRANSPORTS.some(o.wantTransport)) throw new BenchError('--only and --transports select no scenario', 'see --help');
  return o;
}

// ---------------------------------------------------------------------------
// process bookkeeping and cleanup

const live = new Map(); // pid -> name (each is the leader of its own process group)
const tempDirs = [];
let keepTemp = false;
let cleanedUp = false;

function log(msg = '') {
  process.stderr.write(msg + '\n');
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** True while any non-zombie process is left in process group `pgid`. */
function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  let entries;
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return true;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const s = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' '); // state ppid pgrp ...
      if (Number(f[2]) === pgid && f[0] !== 'Z') return true;
    } catch {
      /* raced */
    }
  }
  return false;
}

function killGroup(pid, sig) {
  try {
    process.kill(-pid, sig);
  } catch {
    /* gone */
  }
}

/** pid -> { ppid, pgrp, state, start } for every process, read synchronously from /proc. */
function procTableSync() {
  const t = new Map();
  let entries;
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return t;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const s = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' '); // state ppid pgrp ... (field n at index n-3)
      t.set(Number(e), { state: f[0], ppid: Number(f[1]), pgrp: Number(f[2]), start: f[19] });
    } catch {
      /* raced */
    }
  }
  return t;
}

/**
 * Descendants of `roots` that are not in a root's process group, i.e. that a group kill would
 * miss: sshd's per-connection children call setsid(). Returned with their start time so a
 * recycled pid is never signalled later.
 */
function stragglersOf(roots) {
  const t = procTableSync();
  const kids = new Map();
  for (const [pid, p] of t) {
    if (!kids.has(p.ppid)) kids.set(p.ppid, []);
    kids.get(p.ppid).push(pid);
  }
  const groups = new Set(roots);
  const out = [];
  const stack = [...roots];
  const seen = new Set();
  while (stack.length) {
    const p = stack.pop();
    if (seen.has(p)) continue;
    seen.add(p);
    for (const c of kids.get(p) ?? []) {
      const info = t.get(c);
      if (info && !groups.has(info.pgrp) && info.state !== 'Z') out.push({ pid: c, start: info.start });
      stack.push(c);
    }
  }
  return out;
}

const stragglers = new Map(); // pid -> start time
function sameProcess(pid, start) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return f[19] === start && f[0] !== 'Z';
  } catch {
    return false;
  }
}
function signalStragglers(sig) {
  for (const [pid, start] of stragglers) {
    if (!sameProcess(pid, start)) {
      stragglers.delete(pid);
      continue;
    }
    try {
      process.kill(pid, sig);
    } catch {
      stragglers.delete(pid);
    }
  }
}
function collectStragglers(pids) {
  for (const { pid, start } of stragglersOf(pids)) stragglers.set(pid, start);
}
const stragglersAlive = () => [...stragglers].some(([pid, start]) => sameProcess(pid, start));

function cleanupSync() {
  if (cleanedUp) return;
  cleanedUp = true;
  const pids = [...live.keys()];
  collectStragglers(pids);
  for (const pid of pids) killGroup(pid, 'SIGTERM');
  signalStragglers('SIGTERM');
  const deadline = Date.now() + 5000;
  while ((pids.some(groupAlive) || stragglersAlive()) && Date.now() < deadline) sleepSync(50);
  for (const pid of pids) if (groupAlive(pid)) killGroup(pid, 'SIGKILL');
  signalStragglers('SIGKILL');
  live.clear();
  if (cgroups.base) {
    const until = Date.now() + 2000; // SIGKILLed processes leave their cgroup once reaped
    while (pids.some(groupAlive) && Date.now() < until) sleepSync(50);
    cgroups.destroy();
  }
  if (keepTemp) {
    for (const d of tempDirs) log(`kept: ${d}`);
  } else {
    for (const d of tempDirs) {
      try {
        fs.rmSync(d, { recursive: true, force: true, maxRetries: 3 });
      } catch (e) {
        log(`warning: could not remove ${d}: ${e.message}`);
      }
    }
  }
}

/** Graceful version used on normal exit, errors and signals: lets Node reap the children. */
async function cleanup() {
  if (cleanedUp) return;
  const pids = [...live.keys()];
  collectStragglers(pids); // before the parents go: afterwards they are re-parented to init
  for (const pid of pids) killGroup(pid, 'SIGTERM');
  signalStragglers('SIGTERM');
  const deadline = Date.now() + 5000;
  while ((pids.some(groupAlive) || stragglersAlive()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  cleanupSync();
}

process.on('exit', cleanupSync); // last resort; normally cleanup() already ran
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    log(`\n${sig}: stopping, cleaning up...`);
    cleanup().finally(() => process.exit(130));
  });
}

class BenchError extends Error {
  constructor(message, hint) {
    super(message);
    this.hint = hint;
  }
}

/**
 * Spawn a command in its own process group, with a timeout.
 * Resolves { code, signal, stdout, stderr, seconds }; rejects on failure unless allowFail.
 */
function run(cmd, args, { cwd, env, timeout = 300_000, allowFail = false, name, capture = true } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let child;
    try {
      child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', capture ? 'pipe' : 'ignore', 'pipe'] });
    } catch (e) {
      reject(e);
      return;
    }
    const label = name ?? `${cmd} ${args.join(' ')}`;
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      if (stdout.length < 1 << 20) stdout += d;
    });
    child.stderr.on('data', (d) => {
      if (stderr.length < 1 << 20) stderr += d;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
    }, timeout);
    child.on('error', (e) => {
      clearTimeout(timer);
      live.delete(child.pid);
      reject(new BenchError(`${label}: ${e.message}`));
    });
    if (child.pid) live.set(child.pid, label);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child.pid);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const res = { code, signal, stdout, stderr, seconds };
      if (timedOut) return reject(new BenchError(`${label}: timed out after ${timeout / 1000}s`));
      if (code !== 0 && !allowFail) {
        return reject(new BenchError(`${label}: exited ${code ?? signal}\n${stderr.trim().slice(-3000)}`));
      }
      resolve(res);
    });
  });
}

/** Start a long-lived process in its own group; output goes to logFile. */
function startDaemon(name, cmd, args, { env, cwd, logFile }) {
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { env, cwd, detached: true, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  live.set(child.pid, name);
  const state = { child, name, logFile, exited: null };
  child.on('exit', (code, signal) => {
    live.delete(child.pid);
    state.exited = { code, signal };
  });
  child.on('error', (e) => {
    state.exited = { error: e.message };
  });
  return state;
}

function tail(file, n = 40) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, fn, { timeout = 60_000, interval = 100, daemon } = {}) {
  const deadline = Date.now() + timeout;
  let lastErr;
  while (Date.now() < deadline) {
    if (daemon?.exited) {
      throw new BenchError(`${daemon.name} exited (${JSON.stringify(daemon.exited)}) while waiting for ${what}\n--- ${daemon.logFile} (tail) ---\n${tail(daemon.logFile)}`);
    }
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastErr = e;
    }
    await sleep(interval);
  }
  throw new BenchError(`timed out after ${timeout / 1000}s waiting for ${what}${lastErr ? `: ${lastErr.message}` : ''}${daemon ? `\n--- ${daemon.logFile} (tail) ---\n${tail(daemon.logFile)}` : ''}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function httpGet(url, headers = {}) {
  const ctl = AbortSignal.timeout(10_000);
  const res = await fetch(url, { headers, signal: ctl });
  const body = await res.text();
  return { status: res.status, body };
}

// ---------------------------------------------------------------------------
// memory sampling (/proc; readStatusKb is in proc.mjs)

/** Resets VmHWM to the current RSS (Linux >= 4.0). Returns false if not permitted. */
function resetHwm(pid) {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

const PAGE_KB = (() => {
  const r = spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' });
  const v = Number(r.stdout);
  return Number.isFinite(v) && v > 0 ? v / 1024 : 4;
})();

async function treeRssKb(rootPids) {
  // Sum of RSS of the given pids and all their descendants.
  let entries;
  try {
    entries = await fsp.readdir('/proc');
  } catch {
    return null;
  }
  const ppid = new Map();
  await Promise.all(
    entries.map(async (e) => {
      if (!/^\d+$/.test(e)) return;
      try {
        const s = await fsp.readFile(`/proc/${e}/stat`, 'utf8');
        const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
        ppid.set(Number(e), Number(rest[1]));
      } catch {
        /* raced */
      }
    }),
  );
  const children = new Map();
  for (const [pid, pp] of ppid) {
    if (!children.has(pp)) children.set(pp, []);
    children.get(pp).push(pid);
  }
  const all = [];
  const stack = rootPids.filter((p) => ppid.has(p));
  while (stack.length) {
    const p = stack.pop();
    all.push(p);
    for (const c of children.get(p) ?? []) stack.push(c);
  }
  let total = 0;
  await Promise.all(
    all.map(async (p) => {
      try {
        const s = await fsp.readFile(`/proc/${p}/statm`, 'utf8');
        total += Number(s.split(' ')[1]) * PAGE_KB;
      } catch {
        /* raced */
      }
    }),
  );
  return total;
}

// ---------------------------------------------------------------------------
// CPU accounting (/proc): where a scenario's time goes, per side

const CLK_TCK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const v = Number(r.stdout);
  return Number.isFinite(v) && v > 0 ? v : 100;
})();

/**
 * CPU seconds used so far by the trees under `rootPids`: for every live process in the trees,
 * its own utime+stime plus cutime+cstime (the reaped children it waited for). A process that
 * exits between two snapshots moves from "own" to its parent's "children" time, so deltas of
 * `total` stay consistent. `self` is `selfPid`'s own time (our Node process).
 */
async function cpuSnapshot(rootPids, selfPid = null) {
  let entries;
  try {
    entries = await fsp.readdir('/proc');
  } catch {
    return null;
  }
  const info = new Map();
  await Promise.all(
    entries.map(async (e) => {
      if (!/^\d+$/.test(e)) return;
      try {
        const s = await fsp.readFile(`/proc/${e}/stat`, 'utf8');
        const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
        // f[1] ppid, f[11] utime, f[12] stime, f[13] cutime, f[14] cstime
        info.set(Number(e), { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), kids: Number(f[13]) + Number(f[14]) });
      } catch {
        /* raced */
      }
    }),
  );
  const children = new Map();
  for (const [pid, p] of info) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(pid);
  }
  let total = 0;
  const stack = rootPids.filter((p) => info.has(p));
  const seen = new Set();
  while (stack.length) {
    const p = stack.pop();
    if (seen.has(p)) continue;
    seen.add(p);
    const i = info.get(p);
    total += i.own + i.kids;
    for (const c of children.get(p) ?? []) stack.push(c);
  }
  const self = selfPid != null && info.has(selfPid) ? info.get(selfPid).own : 0;
  return { total: total / CLK_TCK, self: self / CLK_TCK };
}

/** Busy CPU seconds of the whole machine so far (/proc/stat: all but idle and iowait). */
function systemBusySeconds() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already in user)
    return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] || 0)) / CLK_TCK;
  } catch {
    return null;
  }
}

/**
 * Exact CPU accounting per side with cgroup-v1 cpuacct groups (accounting only: the cpu
 * controller, i.e. scheduling, is a separate hierarchy and is not touched). A process tree's
 * /proc times miss children that are reaped without wait() (fcgiwrap's CGI children), a
 * cgroup does not. Layout: <our cpuacct cgroup>/gitssy-bench-<pid>/{ours,peer-http,...}; the
 * benchmark process itself (and so every git client) sits in the base group, whose usage
 * includes the sub-groups. Removed again on exit. Unavailable -> null, and /proc is used.
 */
class CpuGroups {
  constructor() {
    this.base = null;
    this.parent = null;
    this.subs = new Map();
  }
  init() {
    const root = '/sys/fs/cgroup/cpuacct';
    try {
      if (!fs.existsSync(path.join(root, 'cpuacct.usage'))) return false;
      const rel = fs.readFileSync('/proc/self/cgroup', 'utf8').match(/^\d+:(?:[^:]*,)?cpuacct(?:,[^:]*)?:(.*)$/m)?.[1] ?? '/';
      const parent = path.join(root, rel);
      const base = path.join(parent, `gitssy-bench-${process.pid}`);
      fs.mkdirSync(base);
      this.base = base;
      this.parent = parent;
      fs.writeFileSync(path.join(base, 'cgroup.procs'), String(process.pid));
      return true;
    } catch (e) {
      log(`note: no cgroup CPU accounting (${e.code ?? e.message}); using /proc process trees`);
      this.destroy();
      return false;
    }
  }
  /** Moves the trees under `pids` into sub-group `name` (new children are born in it). */
  add(name, pids) {
    if (!this.base) return false;
    try {
      const dir = path.join(this.base, name);
      if (!this.subs.has(name)) {
        fs.mkdirSync(dir);
        this.subs.set(name, dir);
      }
      const t = procTableSync();
      const kids = new Map();
      for (const [pid, p] of t) {
        if (!kids.has(p.ppid)) kids.set(p.ppid, []);
        kids.get(p.ppid).push(pid);
      }
      const stack = [...pids];
      const seen = new Set();
      while (stack.length) {
        const pid = stack.pop();
        if (seen.has(pid)) continue;
        seen.add(pid);
        try {
          fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
        } catch {
          /* exited meanwhile */
        }
        for (const c of kids.get(pid) ?? []) stack.push(c);
      }
      return true;
    } catch (e) {
      log(`note: cgroup accounting for ${name} unavailable (${e.code ?? e.message})`);
      return false;
    }
  }
  /** CPU seconds used by group `name` (null = the base group: everything the benchmark runs). */
  usage(name = null) {
    const dir = name == null ? this.base : this.subs.get(name);
    if (!dir) return null;
    try {
      return Number(fs.readFileSync(path.join(dir, 'cpuacct.usage'), 'utf8')) / 1e9;
    } catch {
      return null;
    }
  }
  destroy() {
    if (!this.base) return;
    const moveOut = (dir) => {
      try {
        for (const pid of fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
          try {
            fs.writeFileSync(path.join(this.parent, 'cgroup.procs'), pid);
          } catch {
            /* gone */
          }
        }
      } catch {
        /* gone */
      }
    };
    for (const dir of this.subs.values()) {
      moveOut(dir);
      try {
        fs.rmdirSync(dir);
      } catch (e) {
        log(`warning: could not remove cgroup ${dir}: ${e.code ?? e.message}`);
      }
    }
    this.subs.clear();
    moveOut(this.base);
    try {
      fs.rmdirSync(this.base);
    } catch (e) {
      log(`warning: could not remove cgroup ${this.base}: ${e.code ?? e.message}`);
    }
    this.base = null;
  }
}
const cgroups = new CpuGroups();

class MemSampler {
  constructor() {
    this.serverPid = null;
    this.peerPids = [];
    this.phase = 'startup';
    this.phases = {}; // phase -> { serverRssMaxKb, serverHwmKb, serverTreeMaxKb, peerTreeMaxKb }
    this.hwmResettable = false;
    this.busy = false;
    this.timer = null;
    this.tick = 0;
  }
  cur() {
    return (this.phases[this.phase] ??= { serverRssMaxKb: 0, serverHwmKb: null, serverTreeMaxKb: 0, peerTreeMaxKb: 0 });
  }
  start() {
    this.timer = setInterval(() => this.sample(), 100);
    this.timer.unref();
  }
  stop() {
    clearInterval(this.timer);
    this.closePhase();
  }
  async sample() {
    if (this.busy) return;
    this.busy = true;
    try {
      const c = this.cur();
      if (this.serverPid) {
        const rss = readStatusKb(this.serverPid, 'VmRSS');
        if (rss != null) c.serverRssMaxKb = Math.max(c.serverRssMaxKb, rss);
      }
      // process trees every other tick (200 ms): they cost more to read
      if (this.tick++ % 2 === 0) {
        if (this.serverPid) {
          const t = await treeRssKb([this.serverPid]);
          if (t != null) c.serverTreeMaxKb = Math.max(c.serverTreeMaxKb, t);
        }
        if (this.peerPids.length) {
          const t = await treeRssKb(this.peerPids);
          if (t != null) c.peerTreeMaxKb = Math.max(c.peerTreeMaxKb, t);
        }
      }
    } finally {
      this.busy = false;
    }
  }
  closePhase() {
    if (!this.serverPid) return;
    const c = this.cur();
    const hwm = readStatusKb(this.serverPid, 'VmHWM');
    if (hwm != null) c.serverHwmKb = hwm;
  }
  setPhase(name) {
    this.closePhase();
    this.phase = name;
    if (this.serverPid) this.hwmResettable = resetHwm(this.serverPid) || this.hwmResettable;
    this.cur();
  }
}

// ---------------------------------------------------------------------------
// git helpers

const CLIENT_CFG = [
  '-c',
  'user.name=Bench',
  '-c',
  'user.email=bench@example.test',
  '-c',
  'gc.auto=0',
  '-c',
  'maintenance.auto=false',
  '-c',
  'credential.helper=',
  '-c',
  'core.askPass=',
  '-c',
  'advice.detachedHead=false',
];

function clientEnv() {
  const env = gitEnv();
  for (const k of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY']) delete env[k];
  env.no_proxy = env.NO_PROXY = '127.0.0.1,localhost';
  delete env.SSH_ASKPASS;
  return env;
}
const CENV = clientEnv();

function git(args, opts = {}) {
  return run('git', [...CLIENT_CFG, ...args], { env: CENV, ...opts });
}

async function gitOut(args, opts = {}) {
  return (await git(args, opts)).stdout.trim();
}

async function rmrf(p) {
  await fsp.rm(p, { recursive: true, force: true, maxRetries: 3 });
}

function which(bin) {
  for (const dir of (process.env.PATH || '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin'])) {
    const p = path.join(dir, bin);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

// ---------------------------------------------------------------------------
// peer: nginx + fcgiwrap + git-http-backend

async function ensurePeerTools() {
  let nginx = which('nginx');
  let fcgiwrap = which('fcgiwrap');
  if (nginx && fcgiwrap) return { nginx, fcgiwrap };
  const missing = [!nginx && 'nginx', !fcgiwrap && 'fcgiwrap'].filter(Boolean).join(' and ');
  if (process.getuid?.() !== 0) {
    throw new BenchError(`${missing} not installed`, 'install them first: sudo apt-get install -y nginx-light fcgiwrap');
  }
  log(`peer: ${missing} missing, installing from apt: apt-get install -y nginx-light fcgiwrap`);
  // Keep Debian's maintainer scripts from starting system services (port 80) during the install.
  const policy = '/usr/sbin/policy-rc.d';
  let addedPolicy = false;
  if (!fs.existsSync(policy)) {
    fs.writeFileSync(policy, '#!/bin/sh\n# added temporarily by gitssy scripts/bench/transport.mjs\nexit 101\n', { mode: 0o755 });
    addedPolicy = true;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => run('apt-get', args, { env, timeout: 600_000, allowFail: true, name: `apt-get ${args.join(' ')}` });
  try {
    let r = await apt(['install', '-y', '-q', 'nginx-light', 'fcgiwrap']);
    if (r.code !== 0) {
      log('peer: install failed; running apt-get update and retrying');
      await apt(['update', '-q']);
      r = await apt(['install', '-y', '-q', 'nginx-light', 'fcgiwrap']);
      if (r.code !== 0) r = await apt(['install', '-y', '-q', 'nginx', 'fcgiwrap']);
    }
    if (r.code !== 0) {
      throw new BenchError(`apt-get install failed:\n${r.stderr.trim().slice(-2000)}`, 'install them by hand: apt-get update && apt-get install -y nginx-light fcgiwrap');
    }
  } finally {
    if (addedPolicy) fs.rmSync(policy, { force: true });
  }
  nginx = which('nginx');
  fcgiwrap = which('fcgiwrap');
  if (!nginx || !fcgiwrap) throw new BenchError('nginx/fcgiwrap still not found after apt-get install', 'check `apt-get install nginx-light fcgiwrap` output');
  return { nginx, fcgiwrap };
}

function nginxConf({ prefix, port, root, backend, sock, gitConfig, htpasswd }) {
  // fastcgi params written inline so the config does not depend on /etc/nginx.
  // With htpasswd, pushes (the receive-pack advertisement and POST) need Basic credentials, reads
  // stay anonymous: git http-backend's documented setup, and what our server does for a public
  // repository. Without it every request runs as a fixed REMOTE_USER (anonymous pushes).
  const authMap = htpasswd
    ? `  map $request_uri $bench_push_auth {
    ~^[^?]*/git-receive-pack$ "git push";
    ~[?&]service=git-receive-pack(&|$) "git push";
    default off;
  }
`
    : '';
  const auth = htpasswd
    ? `      auth_basic $bench_push_auth;
      auth_basic_user_file ${htpasswd};
`
    : '';
  return `user root;
worker_processes 2;
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${prefix}/tmp/body;
  fastcgi_temp_path ${prefix}/tmp/fcgi;
  proxy_temp_path ${prefix}/tmp/proxy;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
${authMap}  server {
    listen 127.0.0.1:${port};
    client_max_body_size 0;
    location ~ ^/(?<git_path>.*\\.git/(HEAD|info/refs|objects/info/.*|git-(upload|receive)-pack))$ {
${auth}      fastcgi_param QUERY_STRING $query_string;
      fastcgi_param REQUEST_METHOD $request_method;
      fastcgi_param CONTENT_TYPE $content_type;
      fastcgi_param CONTENT_LENGTH $content_length;
      fastcgi_param SCRIPT_NAME $fastcgi_script_name;
      fastcgi_param REQUEST_URI $request_uri;
      fastcgi_param DOCUMENT_URI $document_uri;
      fastcgi_param SERVER_PROTOCOL $server_protocol;
      fastcgi_param REQUEST_SCHEME $scheme;
      fastcgi_param GATEWAY_INTERFACE CGI/1.1;
      fastcgi_param SERVER_SOFTWARE nginx/$nginx_version;
      fastcgi_param REMOTE_ADDR $remote_addr;
      fastcgi_param REMOTE_PORT $remote_port;
      fastcgi_param SERVER_ADDR $server_addr;
      fastcgi_param SERVER_PORT $server_port;
      fastcgi_param SERVER_NAME $server_name;
      fastcgi_param HTTP_CONTENT_ENCODING $http_content_encoding;
      fastcgi_param PATH /usr/local/bin:/usr/bin:/bin;
      fastcgi_param SCRIPT_FILENAME ${backend};
      fastcgi_param GIT_PROJECT_ROOT ${root};
      fastcgi_param GIT_HTTP_EXPORT_ALL "";
      fastcgi_param GIT_CONFIG_NOSYSTEM 1;
      fastcgi_param GIT_CONFIG_GLOBAL ${gitConfig};
      fastcgi_param PATH_INFO /$git_path; # named: the auth map's regex would overwrite $1
      fastcgi_param GIT_PROTOCOL $http_git_protocol;
      fastcgi_param REMOTE_USER ${htpasswd ? '$remote_user' : 'bench'};
      fastcgi_pass unix:${sock};
      fastcgi_buffering off;
      fastcgi_request_buffering off;
      fastcgi_read_timeout 600s;
      fastcgi_send_timeout 600s;
    }
  }
}
`;
}

async function startPeer({ tools, dir, root, fcgiWorkers, gitConfig, auth }) {
  const prefix = path.join(dir, 'nginx');
  let htpasswd = null;
  if (auth === 'basic') {
    // the apr1 hash nginx's documentation suggests (`openssl passwd -apr1`)
    const r = spawnSync('openssl', ['passwd', '-apr1', '-stdin'], { input: `${PASS}\n`, encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0 || !r.stdout.startsWith('$apr1$'))
      throw new BenchError(`openssl passwd -apr1 failed: ${(r.stderr || r.error?.message || '').trim()}`, 'install openssl, or run with --peer-auth none');
    htpasswd = path.join(prefix, 'htpasswd');
    fs.mkdirSync(prefix, { recursive: true });
    fs.writeFileSync(htpasswd, `${USER}:${r.stdout.trim()}\n`);
  }
  for (const d of ['tmp/body', 'tmp/fcgi', 'tmp/proxy', 'tmp/uwsgi', 'tmp/scgi']) fs.mkdirSync(path.join(prefix, d), { recursive: true });
  const sock = path.join(prefix, 'fcgi.sock');
  const execPath = (await gitOut(['--exec-path'])).trim();
  const backend = path.join(execPath, 'git-http-backend');
  if (!fs.existsSync(backend)) throw new BenchError(`git-http-backend not found at ${backend}`, 'install git (Debian package "git")');
  const fcgi = startDaemon('fcgiwrap', tools.fcgiwrap, ['-c', String(fcgiWorkers), '-s', `unix:${sock}`], {
    env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
    cwd: prefix,
    logFile: path.join(prefix, 'fcgiwrap.log'),
  });
  await waitFor('fcgiwrap socket', () => fs.existsSync(sock), { daemon: fcgi, timeout: 15_000 });

  let port;
  let ng;
  for (let attempt = 0; attempt < 5; attempt++) {
    port = await freePort();
    fs.writeFileSync(path.join(prefix, 'nginx.conf'), nginxConf({ prefix, port, root, backend, sock, gitConfig, htpasswd }));
    ng = startDaemon('nginx', tools.nginx, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-e', path.join(prefix, 'error.log')], {
      env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
      cwd: prefix,
      logFile: path.join(prefix, 'nginx.out.log'),
    });
    try {
      await waitFor('nginx', async () => (await httpGet(`http://127.0.0.1:${port}/${USER}/${REPO}.git/info/refs?service=git-upload-pack`)).status === 200, {
        daemon: ng,
        timeout: 15_000,
      });
      break;
    } catch (e) {
      const errLog = tail(path.join(prefix, 'error.log'));
      if (ng.exited && /Address already in use/.test(errLog) && attempt < 4) continue;
      throw new BenchError(`${e.message}\n--- nginx error.log ---\n${errLog}`);
    }
  }
  if (htpasswd) {
    // the push side really is behind the password, and the read side is not
    const adv = `http://127.0.0.1:${port}/${USER}/${REPO}.git/info/refs?service=git-receive-pack`;
    const anon = await httpGet(adv);
    const authed = await httpGet(adv, { authorization: `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}` });
    if (anon.status !== 401 || authed.status !== 200)
      throw new BenchError(`peer auth_basic check: push advertisement answered ${anon.status} without and ${authed.status} with credentials (want 401, 200)`);
  }
  return {
    port,
    nginx: ng,
    fcgi,
    prefix,
    url: `http://127.0.0.1:${port}/${USER}/${REPO}.git`,
    pushUrl: htpasswd ? `http://${USER}:${PASS}@127.0.0.1:${port}/${USER}/${REPO}.git` : `http://127.0.0.1:${port}/${USER}/${REPO}.git`,
  };
}

// ---------------------------------------------------------------------------
// peer: OpenSSH sshd + git-shell

/** apt-get install with Debian's service start-up suppressed (no system daemons on port 22/80). */
async function aptInstall(pkgs, what) {
  if (process.getuid?.() !== 0) throw new BenchError(`${what} not installed`, `install first: sudo apt-get install -y ${pkgs.join(' ')}`);
  log(`${what} missing, installing from apt: apt-get install -y ${pkgs.join(' ')}`);
  const policy = '/usr/sbin/policy-rc.d';
  let addedPolicy = false;
  if (!fs.existsSync(policy)) {
    fs.writeFileSync(policy, '#!/bin/sh\n# added temporarily by gitssy scripts/bench/transport.mjs\nexit 101\n', { mode: 0o755 });
    addedPolicy = true;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => run('apt-get', args, { env, timeout: 600_000, allowFail: true, name: `apt-get ${args.join(' ')}` });
  try {
    let r = await apt(['install', '-y', '-q', '--no-install-recommends', ...pkgs]);
    if (r.code !== 0) {
      log('install failed; running apt-get update and retrying');
      await apt(['update', '-q']);
      r = await apt(['install', '-y', '-q', '--no-install-recommends', ...pkgs]);
    }
    if (r.code !== 0) throw new BenchError(`apt-get install ${pkgs.join(' ')} failed:\n${r.stderr.trim().slice(-2000)}`, `install by hand: apt-get update && apt-get install -y ${pkgs.join(' ')}`);
  } finally {
    if (addedPolicy) fs.rmSync(policy, { force: true });
  }
}

async function ensureSshTools() {
  const find = () => ({ sshd: fs.existsSync('/usr/sbin/sshd') ? '/usr/sbin/sshd' : null, ssh: which('ssh'), keygen: which('ssh-keygen'), gitShell: which('git-shell') });
  let t = find();
  if (!t.sshd) {
    await aptInstall(['openssh-server'], 'ssh peer: /usr/sbin/sshd');
    t = find();
  }
  if (!t.ssh || !t.keygen) {
    await aptInstall(['openssh-client'], 'ssh client');
    t = find();
  }
  if (!t.sshd || !t.ssh || !t.keygen) throw new BenchError('sshd/ssh/ssh-keygen still not found after apt-get install', 'apt-get install -y openssh-server openssh-client');
  if (!t.gitShell) throw new BenchError('git-shell not found', 'it ships with Debian\'s "git" package');
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege-separation directory
  t.version = (spawnSync(t.ssh, ['-V'], { encoding: 'utf8' }).stderr || '').trim().split('\n')[0];
  return t;
}

const shq = (x) => `'${String(x).replace(/'/g, `'\\''`)}'`;

/** Reads the SSH banner from host:port; resolves true when it starts with SSH-2.0. */
function sshBanner(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    const done = (v) => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(3000, () => done(false));
    sock.on('error', () => done(false));
    sock.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) done(buf.startsWith('SSH-2.0-'));
    });
  });
}

async function startSshd({ tools, dir, root, clientPub, gitConfig }) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const hostKey = path.join(dir, 'host_key');
  await run(tools.keygen, ['-q', '-t', 'ed25519', '-N', '', '-C', 'gitssy-bench-peer-host', '-f', hostKey], { timeout: 30_000 });
  const authKeys = path.join(dir, 'authorized_keys');
  fs.writeFileSync(authKeys, `command="cd '${root}' && git-shell -c \\"$SSH_ORIGINAL_COMMAND\\"",restrict ${clientPub}\n`, { mode: 0o600 });
  const conf = path.join(dir, 'sshd_config');
  const logFile = path.join(dir, 'sshd.log');
  let port;
  let d;
  for (let attempt = 0; attempt < 5; attempt++) {
    port = await freePort();
    fs.writeFileSync(
      conf,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authKeys}`,
        'StrictModes no',
        'UsePAM no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'PermitRootLogin prohibit-password',
        'AcceptEnv GIT_PROTOCOL',
        // HOME: bash (root's login shell, which runs the forced command) sources ~/.bashrc when
        // started by sshd; a developer's ~/.bashrc (pyenv init etc.) can add 100s of ms per
        // connection, which is not sshd's cost. And git's configuration as our server gives it
        // to its git children: no system config, the same global one (see peerGitConfig).
        `SetEnv HOME=${dir} GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=${gitConfig}`,
        'LogLevel ERROR',
        'MaxStartups 100:30:200',
        '',
      ].join('\n'),
    );
    const t = spawnSync(tools.sshd, ['-t', '-f', conf], { encoding: 'utf8', timeout: 15_000 });
    if (t.status !== 0) throw new BenchError(`sshd -t rejected the generated config:\n${(t.stderr || '').trim()}`);
    fs.writeFileSync(logFile, '');
    d = startDaemon('sshd', tools.sshd, ['-D', '-e', '-f', conf], { env: { PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin' }, cwd: dir, logFile });
    try {
      await waitFor('sshd banner', () => sshBanner(port), { daemon: d, timeout: 15_000 });
      break;
    } catch (e) {
      if (d.exited && /Address already in use|Cannot bind/i.test(tail(logFile)) && attempt < 4) continue;
      throw e;
    }
  }
  const hostPub = fs.readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  return { port, daemon: d, hostPub, logFile, dir };
}

/** GIT_SSH_COMMAND for the benchmark client; `extra` are more ssh options (-c, -m, -v). */
function sshCommand(client, extra = []) {
  return [
    'ssh',
    '-F',
    '/dev/null',
    '-i',
    shq(client.key),
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `UserKnownHostsFile=${shq(client.knownHosts)}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=20',
    ...(client.kex ? ['-o', `KexAlgorithms=${client.kex}`] : []),
    ...extra,
  ].join(' ');
}

function sshEnv(client, extra = []) {
  const env = { ...CENV, GIT_SSH_COMMAND: sshCommand(client, extra), GIT_SSH_VARIANT: 'ssh' };
  delete env.SSH_AUTH_SOCK;
  delete env.GIT_SSH;
  return env;
}

/** "cipher" or "cipher/mac" -> ssh options */
function cipherArgs(spec) {
  const [cipher, mac] = spec.split('/');
  return mac ? ['-c', cipher, '-m', mac] : ['-c', cipher];
}

/** What `ssh -v` says was negotiated. */
function parseSshDebug(stderr) {
  const m = (re) => stderr.match(re)?.[1] ?? null;
  return {
    serverSoftware: m(/remote software version (.+)$/m),
    kex: m(/debug1: kex: algorithm: (\S+)/),
    hostKeyAlgorithm: m(/debug1: kex: host key algorithm: (\S+)/),
    serverToClient: { cipher: m(/server->client cipher: (\S+)/), mac: m(/server->client cipher: \S+ MAC: (\S+)/), compression: m(/server->client cipher: \S+ MAC: \S+ compression: (\S+)/) },
    clientToServer: { cipher: m(/client->server cipher: (\S+)/), mac: m(/client->server cipher: \S+ MAC: (\S+)/), compression: m(/client->server cipher: \S+ MAC: \S+ compression: (\S+)/) },
  };
}

/** One extra `git ls-remote` with `ssh -v`: does it work, and what was negotiated. */
async function sshProbe(url, client, extra = []) {
  const r = await git(['ls-remote', url, 'refs/heads/main'], { env: sshEnv(client, [...extra, '-v']), timeout: 60_000, allowFail: true, name: `ssh probe ${url}` });
  const neg = parseSshDebug(r.stderr);
  const errLines = r.stderr.split('\n').filter((l) => l && !l.startsWith('debug') && !l.startsWith('OpenSSH_') && !/^Authenticated to|^Transferred:|^Bytes per second/.test(l));
  // ssh's own complaint ("Unknown cipher type", "Unable to negotiate ...") says more than git's "fatal"
  const why = errLines.filter((l) => !/^fatal: Could not read from remote|^Please make sure you have|^and the repository exists/.test(l));
  return { ok: r.code === 0 && /refs\/heads\/main/.test(r.stdout), negotiated: neg, error: r.code === 0 ? null : (why.length ? why : errLines).slice(-3).join(' | ') || `exit ${r.code}` };
}

const fmtNeg = (n) =>
  n ? `${n.serverSoftware ?? '?'}: kex ${n.kex ?? '?'}, host key ${n.hostKeyAlgorithm ?? '?'}, cipher ${n.serverToClient.cipher ?? '?'}, MAC ${n.serverToClient.mac ?? '?'}` : 'n/a';

// ---------------------------------------------------------------------------
// peer: git daemon

async function startGitDaemon({ dir, root, gitConfig }) {
  fs.mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, 'git-daemon.log');
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: gitConfig };
  let port;
  let d;
  for (let attempt = 0; attempt < 5; attempt++) {
    port = await freePort();
    fs.writeFileSync(logFile, '');
    d = startDaemon('git daemon', 'git', ['daemon', '--reuseaddr', '--listen=127.0.0.1', `--port=${port}`, `--base-path=${root}`, '--export-all'], { env, cwd: dir, logFile });
    const url = `git://127.0.0.1:${port}/${USER}/${REPO}.git`;
    try {
      await waitFor('git daemon', async () => (await git(['ls-remote', url, 'refs/heads/main'], { timeout: 10_000, allowFail: true })).code === 0, { daemon: d, timeout: 15_000, interval: 200 });
      return { port, daemon: d, url, logFile };
    } catch (e) {
      if (d.exited && /Address already in use|unable to allocate any listen sockets/i.test(tail(logFile)) && attempt < 4) continue;
      throw e;
    }
  }
  throw new BenchError('git daemon did not start');
}

// ---------------------------------------------------------------------------
// our server

async function startOurs({ dir }) {
  if (!fs.existsSync(SERVER_MAIN)) {
    throw new BenchError(`${path.relative(ROOT, SERVER_MAIN)} not found`, 'build first: `npm run build`, or run `npm run bench:transport`');
  }
  const data = path.join(dir, 'data');
  fs.mkdirSync(data, { recursive: true });
  const logFile = path.join(dir, 'server.log');
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('GIT_')) delete env[k];
  const srv = startDaemon(
    'gitssy server',
    process.execPath,
    [...SERVER_NODE_ARGS, SERVER_MAIN, 'serve', '--data', data, '--host', '127.0.0.1', '--http-port', '0', '--ssh-port', '0', '--git-port', '0'],
    {
      env,
      cwd: ROOT,
      logFile,
    },
  );
  const portsFile = path.join(data, 'run', 'ports.json');
  const ports = await waitFor(
    `${portsFile}`,
    () => {
      if (!fs.existsSync(portsFile)) return null;
      const p = JSON.parse(fs.readFileSync(portsFile, 'utf8'));
      return p.http ? p : null;
    },
    { daemon: srv, timeout: 60_000 },
  );
  const base = `http://127.0.0.1:${ports.http}`;
  await waitFor(
    `${base}/ping`,
    async () => {
      const r = await httpGet(`${base}/ping`);
      return r.status === 200 && JSON.parse(r.body).ok === true;
    },
    { daemon: srv, timeout: 30_000 },
  );
  const pid = Number(ports.pid) || srv.child.pid;
  if (pid !== srv.child.pid) log(`note: ports.json pid ${pid} differs from the spawned pid ${srv.child.pid}; sampling memory of ${pid}`);
  return { srv, data, logFile, ports, base, pid };
}

async function setupOurRepo(ours) {
  await run(process.execPath, [SERVER_MAIN, 'admin', 'user', 'create', '--data', ours.data, '--username', USER, '--password', PASS, '--email', `${USER}@example.test`, '--admin'], {
    cwd: ROOT,
    timeout: 60_000,
    name: 'admin user create',
  });
  const auth = 'Basic ' + Buffer.from(`${USER}:${PASS}`).toString('base64');
  const res = await fetch(`${ours.base}/api/v1/user/repos`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ name: REPO }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = await res.text();
  if (res.status !== 201) throw new BenchError(`POST /api/v1/user/repos returned ${res.status}: ${body.slice(0, 500)}`);
  const repoDir = path.join(ours.data, 'repos', USER, `${REPO}.git`);
  if (!fs.existsSync(repoDir)) throw new BenchError(`repo created but ${repoDir} does not exist`);
  return {
    repoDir,
    url: `${ours.base}/${USER}/${REPO}.git`,
    pushUrl: `http://${USER}:${PASS}@127.0.0.1:${ours.ports.http}/${USER}/${REPO}.git`,
  };
}

function packListing(repoDir) {
  const d = path.join(repoDir, 'objects', 'pack');
  try {
    return fs
      .readdirSync(d)
      .filter((f) => f.endsWith('.pack'))
      .sort()
      .map((f) => `${f}:${fs.statSync(path.join(d, f)).size}`);
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------------------
// scenarios

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

async function verifyRef(repoDir, ref, want, what) {
  const got = await gitOut(['-C', repoDir, 'rev-parse', '--verify', '-q', ref], { allowFail: true });
  if (got !== want) throw new BenchError(`${what}: ${ref} is ${got || '(missing)'}, expected ${want}`);
}

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  keepTemp = opt.keep;
  const startedAt = new Date();
  const t0 = Date.now();
  const wantHttp = opt.wantTransport('http');
  const wantSsh = opt.wantTransport('ssh');
  const wantGit = opt.wantTransport('git');
  const cgOk = cgroups.init();

  const gv = spawnSync('git', ['--version'], { encoding: 'utf8' });
  if (gv.status !== 0) throw new BenchError('git not found', 'apt-get install -y git');
  if (!fs.existsSync(SERVER_MAIN)) {
    throw new BenchError(`${path.relative(ROOT, SERVER_MAIN)} not found`, 'build first: `npm run build`, or run `npm run bench:transport`');
  }

  // 1. tools + repo
  const tools = wantHttp ? await ensurePeerTools() : null;
  const nginxVersion = tools ? (spawnSync(tools.nginx, ['-v'], { encoding: 'utf8' }).stderr || '').trim() : null;
  const sshTools = wantSsh ? await ensureSshTools() : null;
  log(`repo: preparing synthetic repository${opt.quick ? ' (--quick)' : ''} ...`);
  const genT0 = Date.now();
  const repo = await cachedRepo(opt.gen);
  log(
    `repo: ${repo.dir}\n      ${repo.commits} commits, ${repo.files} files, pack ${(repo.packBytes / 1048576).toFixed(1)} MiB, tip ${repo.tip.slice(0, 12)}` +
      (repo.cached ? ' (cached)' : ` (generated in ${((Date.now() - genT0) / 1000).toFixed(0)}s)`),
  );

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gitssy-bench-transport-'));
  tempDirs.push(tmp);
  const work = path.join(tmp, 'work');
  // Client-side clones go to tmpfs when there is room, so disk writeback of the
  // many GB written by the clone scenarios does not add noise to the timings.
  const clients = clientDir(tmp, repo.packBytes * (opt.concurrency + 4));

  // Work repo: borrows the cached repo's objects; holds refs used by the scenarios.
  await git(['init', '-q', '--bare', '-b', 'main', work]);
  fs.writeFileSync(path.join(work, 'objects', 'info', 'alternates'), path.join(repo.dir, 'objects') + '\n');
  await git(['-C', work, 'update-ref', 'refs/heads/main', repo.tip]);
  const behindCount = 10;
  const behind = await gitOut(['-C', work, 'rev-parse', `${repo.tip}~${behindCount}`]);
  const nBehind = Number(await gitOut(['-C', work, 'rev-list', '--count', `${behind}..${repo.tip}`]));
  if (nBehind !== behindCount) throw new BenchError(`main~${behindCount}..main has ${nBehind} commits, expected ${behindCount} (history tail not linear?)`);
  await git(['-C', work, 'update-ref', 'refs/heads/behind', behind]);

  // 2. our server
  const mem = new MemSampler();
  log('ours: starting server ...');
  const ours = await startOurs({ dir: tmp });
  mem.serverPid = ours.pid;
  cgroups.add('ours', [...new Set([ours.srv.child.pid, ours.pid])]);
  mem.start();
  await sleep(1000);
  const idle = { rssKb: readStatusKb(ours.pid, 'VmRSS'), hwmKb: readStatusKb(ours.pid, 'VmHWM') };
  log(`ours: listening on ${ours.base} (pid ${ours.pid}), ssh port ${ours.ports.ssh}, git:// port ${ours.ports.git}, idle RSS ${(idle.rssKb / 1024).toFixed(1)} MiB`);
  const ourRepo = await setupOurRepo(ours);
  mem.setPhase('seed-push');
  log(`ours: pushing main (${repo.commits} commits) ...`);
  const seedPush = await git(['-C', work, 'push', '-q', ourRepo.pushUrl, 'refs/heads/main:refs/heads/main'], { timeout: 900_000, name: 'seed push to ours' });
  log(`ours: seed push took ${seedPush.seconds.toFixed(1)}s`);
  await verifyRef(ourRepo.repoDir, 'refs/heads/main', repo.tip, 'our repo after seed push');
  await sleep(1000); // let any post-receive work settle before copying

  // 3. the peers get a byte-identical copy (one copy, served by all three peers)
  const peerRoot = path.join(tmp, 'peer-root');
  fs.mkdirSync(path.join(peerRoot, USER), { recursive: true });
  const peerRepo = path.join(peerRoot, USER, `${REPO}.git`);
  await run('cp', ['-a', ourRepo.repoDir, peerRepo], { timeout: 300_000 });
  const emptyHooks = path.join(tmp, 'peer-no-hooks');
  fs.mkdirSync(emptyHooks);
  // git http-backend takes pushes only from an authenticated REMOTE_USER unless told otherwise
  if (opt.peerAuth === 'none') await git(['-C', peerRepo, 'config', 'http.receivepack', 'true']);
  await git(['-C', peerRepo, 'config', 'core.hooksPath', emptyHooks]); // our server's hooks must not run for the peer
  const packsAtCopy = packListing(ourRepo.repoDir);
  if (JSON.stringify(packsAtCopy) !== JSON.stringify(packListing(peerRepo))) throw new BenchError('peer copy differs from our repo (pack listing)');
  await verifyRef(peerRepo, 'refs/heads/main', repo.tip, 'peer repo');
  // The peers' git gets the global configuration our server gives its git children (the repo's
  // own config is the copy's): the same durability (core.fsync=committed: loose objects and refs
  // flushed before a push is acknowledged), so the two sides do the same work on disk and only
  // the servers differ. --peer-git-config default runs the peers on git's defaults instead.
  const peerGitConfig = path.join(tmp, 'peer-gitconfig');
  if (opt.peerGitConfig === 'ours') fs.copyFileSync(path.join(ours.data, 'run', 'git-home', '.gitconfig'), peerGitConfig);
  else fs.writeFileSync(peerGitConfig, '');
  log(
    `peers: git's global config ${opt.peerGitConfig === 'ours' ? "is our server's" : "is empty (git's defaults)"}: ${fs.readFileSync(peerGitConfig, 'utf8').trim().replace(/\s+/g, ' ') || '(none)'}`,
  );

  /** transport -> { ours: side, peer: side, peerPids, peerLabel, daemons }; side = { url, pushUrl, repoDir, env } */
  const sides = {};
  const peerDaemons = [];

  if (wantHttp) {
    log(`peer http: starting nginx + fcgiwrap (${opt.fcgiWorkers} workers) ...`);
    const peer = await startPeer({ tools, dir: tmp, root: peerRoot, fcgiWorkers: opt.fcgiWorkers, gitConfig: peerGitConfig, auth: opt.peerAuth });
    peerDaemons.push({ d: peer.nginx, log: path.join(peer.prefix, 'error.log') }, { d: peer.fcgi, log: path.join(peer.prefix, 'error.log') });
    log(`peer http: listening on ${peer.url}`);
    sides.http = {
      ours: { url: ourRepo.url, pushUrl: ourRepo.pushUrl, repoDir: ourRepo.repoDir, env: CENV },
      peer: { url: peer.url, pushUrl: peer.pushUrl, repoDir: peerRepo, env: CENV },
      peerPids: [peer.nginx.child.pid, peer.fcgi.child.pid],
      peerLabel: 'nginx+fcgiwrap+git',
    };
  }

  let sshSetup = null;
  let sshClient = null;
  if (wantSsh) {
    if (!ours.ports.ssh) throw new BenchError('our server did not report an ssh port in ports.json');
    const cdir = path.join(tmp, 'ssh-client');
    fs.mkdirSync(cdir, { mode: 0o700 });
    const key = path.join(cdir, 'id_ed25519');
    await run(sshTools.keygen, ['-q', '-t', 'ed25519', '-N', '', '-C', 'gitssy-bench-client', '-f', key], { timeout: 30_000 });
    const clientPub = fs.readFileSync(`${key}.pub`, 'utf8').trim();
    const auth = 'Basic ' + Buffer.from(`${USER}:${PASS}`).toString('base64');
    const kr = await fetch(`${ours.base}/api/v1/user/keys`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ title: 'bench', key: clientPub }),
      signal: AbortSignal.timeout(30_000),
    });
    const kbody = await kr.text();
    if (kr.status !== 201) throw new BenchError(`POST /api/v1/user/keys returned ${kr.status}: ${kbody.slice(0, 500)}`);
    const sr = await httpGet(`${ours.base}/api/v1/settings/ssh`, { accept: 'application/json' });
    let hostKeyLine;
    try {
      hostKeyLine = JSON.parse(sr.body).host_key;
    } catch {
      /* reported below */
    }
    if (sr.status !== 200 || !/^ssh-[a-z0-9-]+ [A-Za-z0-9+/=]+$/.test(hostKeyLine ?? ''))
      throw new BenchError(`GET /api/v1/settings/ssh returned ${sr.status} without a usable host_key: ${sr.body.slice(0, 300)}`);

    log('peer ssh: starting sshd ...');
    const sshd = await startSshd({ tools: sshTools, dir: path.join(tmp, 'sshd'), root: peerRoot, clientPub, gitConfig: peerGitConfig });
    peerDaemons.push({ d: sshd.daemon, log: sshd.logFile });
    const knownHosts = path.join(cdir, 'known_hosts');
    fs.writeFileSync(knownHosts, `[127.0.0.1]:${ours.ports.ssh} ${hostKeyLine}\n[127.0.0.1]:${sshd.port} ${sshd.hostPub}\n`);
    sshClient = { key, knownHosts, kex: opt.sshKex };
    // ssh:// paths are absolute: git runs `git-upload-pack '/alice/perf.git'` on our server (a
    // repository name) and `git-upload-pack '<peer root>/alice/perf.git'` through git-shell.
    const oursUrl = `ssh://git@127.0.0.1:${ours.ports.ssh}/${USER}/${REPO}.git`;
    const peerUrl = `ssh://root@127.0.0.1:${sshd.port}${peerRepo}`;
    const env = sshEnv(sshClient);
    sides.ssh = {
      ours: { url: oursUrl, pushUrl: oursUrl, repoDir: ourRepo.repoDir, env },
      peer: { url: peerUrl, pushUrl: peerUrl, repoDir: peerRepo, env },
      peerPids: [sshd.daemon.child.pid],
      peerLabel: 'sshd+git-shell+git',
    };
    // one extra connection per side with `ssh -v`: it must work, and it tells what was negotiated
    const po = await sshProbe(oursUrl, sshClient);
    if (!po.ok) throw new BenchError(`git ls-remote ${oursUrl} failed: ${po.error}\n--- server log (tail) ---\n${tail(ours.logFile)}`);
    const pp = await sshProbe(peerUrl, sshClient);
    if (!pp.ok) throw new BenchError(`git ls-remote ${peerUrl} failed: ${pp.error}\n--- sshd log (tail) ---\n${tail(sshd.logFile)}`);
    const a = po.negotiated;
    const b = pp.negotiated;
    const mismatch = [
      a.kex !== b.kex && 'kex',
      a.hostKeyAlgorithm !== b.hostKeyAlgorithm && 'host key algorithm',
      a.serverToClient.cipher !== b.serverToClient.cipher && 'cipher',
      a.serverToClient.mac !== b.serverToClient.mac && 'MAC',
    ].filter(Boolean);
    sshSetup = {
      oursPort: ours.ports.ssh,
      peerPort: sshd.port,
      oursUrl,
      peerUrl,
      clientCommand: sshCommand(sshClient),
      kexPinned: opt.sshKex,
      negotiated: { ours: a, peer: b },
      mismatch,
      peerVersion: sshTools.version,
    };
    log(`peer ssh: sshd on 127.0.0.1:${sshd.port}`);
    log(`ssh negotiated (OpenSSH client defaults${opt.sshKex ? ` + KexAlgorithms=${opt.sshKex}` : ''}):\n   ours: ${fmtNeg(po.negotiated)}\n   peer: ${fmtNeg(pp.negotiated)}`);
  }

  let gitSetup = null;
  if (wantGit) {
    if (!ours.ports.git) throw new BenchError('our server did not report a git:// port in ports.json (started with --git-port 0)');
    log('peer git: starting git daemon ...');
    const gd = await startGitDaemon({ dir: path.join(tmp, 'git-daemon'), root: peerRoot, gitConfig: peerGitConfig });
    peerDaemons.push({ d: gd.daemon, log: gd.logFile });
    const oursUrl = `git://127.0.0.1:${ours.ports.git}/${USER}/${REPO}.git`;
    const lr = await git(['ls-remote', oursUrl, 'refs/heads/main'], { timeout: 30_000, allowFail: true });
    if (lr.code !== 0 || !lr.stdout.includes(repo.tip)) throw new BenchError(`git ls-remote ${oursUrl} failed: ${lr.stderr.trim().slice(-500)}\n--- server log (tail) ---\n${tail(ours.logFile)}`);
    sides.git = {
      ours: { url: oursUrl, repoDir: ourRepo.repoDir, env: CENV },
      peer: { url: gd.url, repoDir: peerRepo, env: CENV },
      peerPids: [gd.daemon.child.pid],
      peerLabel: 'git-daemon+git',
    };
    gitSetup = { oursPort: ours.ports.git, peerPort: gd.port, oursUrl, peerUrl: gd.url };
    log(`peer git: git daemon on ${gd.url}`);
  }

  for (const t of TRANSPORTS) if (sides[t]) sides[t].cg = cgroups.add(`peer-${t}`, sides[t].peerPids) ? `peer-${t}` : null;

  const checkAlive = () => {
    if (ours.srv.exited) throw new BenchError(`our server exited during the benchmark (${JSON.stringify(ours.srv.exited)})\n--- server log (tail) ---\n${tail(ours.logFile)}`);
    for (const { d, log: lf } of peerDaemons) if (d.exited) throw new BenchError(`peer ${d.name} exited during the benchmark (${JSON.stringify(d.exited)})\n--- ${lf} (tail) ---\n${tail(lf)}`);
  };

  const totalRounds = opt.rounds + 1; // + warm-up
  const order = (r) => (r % 2 === 0 ? ['ours', 'peer'] : ['peer', 'ours']);
  let seq = 0;
  const scenarioResults = [];
  const phasePeer = {}; // memory phase -> peer label
  const keyFor = (t, base) => (t === 'http' ? base : `${t}-${base}`);

  // CPU seconds: exact per cgroup where available (see CpuGroups), else /proc process trees.
  // `other` = busy CPU of the whole machine minus everything the benchmark runs (servers,
  // peers, git clients): load from outside that competes for the same cores.
  async function cpuOf(side, S) {
    const busy = systemBusySeconds();
    const bench = cgOk ? cgroups.usage() : (await cpuSnapshot([process.pid]))?.total;
    if (side === 'ours') {
      const p = await cpuSnapshot([ours.pid], ours.pid);
      return { self: p?.self, total: (cgOk ? cgroups.usage('ours') : null) ?? p?.total, busy, bench };
    }
    return { total: (S.cg && cgroups.usage(S.cg)) ?? (await cpuSnapshot(S.peerPids))?.total, busy, bench };
  }
  function cpuDelta(side, a, b) {
    if (!a || !b) return null;
    const r3 = (x) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);
    const other = a.busy != null && b.busy != null && a.bench != null && b.bench != null ? r3(Math.max(0, b.busy - a.busy - (b.bench - a.bench))) : null;
    if (side === 'ours') return { node: r3(b.self - a.self), git: r3(b.total - b.self - (a.total - a.self)), total: r3(b.total - a.total), other };
    return { total: r3(b.total - a.total), other };
  }

  /**
   * Waits until our server's process tree is idle (under 5 % of a core over 100 ms; at most
   * 60 s) and returns the CPU seconds it used meanwhile. Work a server does after answering
   * (after a push: the durable subscribers, the secret scan of the new content, commit-graph
   * upkeep) is not part of the next run's time on either side, and is reported on its own as
   * "after" CPU. The peers do nothing after answering.
   */
  async function settle(S) {
    const start = await cpuOf('ours', S);
    const deadline = Date.now() + 60_000;
    let prev = start;
    while (Date.now() < deadline) {
      await sleep(100);
      const cur = await cpuOf('ours', S);
      if (cur.total == null || prev.total == null) return null;
      const used = cur.total - prev.total;
      prev = cur;
      if (used < 0.005) break;
    }
    return prev.total != null && start.total != null ? Math.round((prev.total - start.total) * 1000) / 1000 : null;
  }

  async function scenario({ key, transport, title, phase = key, prepare, measure, sides: S = sides[transport], info = null }) {
    if (!opt.want(key)) return null;
    checkAlive();
    mem.peerPids = S.peerPids;
    mem.setPhase(phase);
    phasePeer[phase] = S.peerLabel;
    log(`\n== [${transport}] ${title} (1 warm-up + ${opt.rounds} rounds)`);
    const runs = { ours: [], peer: [] };
    const cpu = { ours: [], peer: [] };
    /** CPU seconds our server used after a run had ended (see settle()) */
    const afterCpu = [];
    let error = null;
    for (let r = 0; r < totalRounds && !error; r++) {
      const line = [];
      for (const side of order(r)) {
        let ctx = null;
        try {
          ctx = await prepare(side, r, S[side]);
          checkAlive();
          const after = await settle(S);
          if (r > 0 && after != null) afterCpu.push(after);
          const c0 = await cpuOf(side, S);
          const secs = await measure(side, r, ctx, S[side]);
          const c1 = await cpuOf(side, S);
          checkAlive();
          if (r > 0) {
            runs[side].push(secs);
            cpu[side].push(cpuDelta(side, c0, c1));
          }
          line.push(`${side} ${secs.toFixed(3)}s`);
        } catch (e) {
          // A dead server or peer ends the run; any other failure (clones refused, a
          // timeout, a wrong ref) fails this scenario only, is reported, and the run goes on.
          checkAlive();
          if (!(e instanceof BenchError)) throw e;
          error = { side, round: r, message: e.message.slice(0, 4000) };
          line.push(`${side} FAILED`);
          for (const p of [ctx].flat()) if (typeof p === 'string' && p.startsWith(clients + path.sep)) await rmrf(p).catch(() => {});
          break;
        }
      }
      log(`   ${r === 0 ? 'warm-up' : `round ${r}`}: ${line.join('  ')}`);
    }
    mem.closePhase();
    if (error) {
      log(`   FAILED (${error.side}, ${error.round === 0 ? 'warm-up' : `round ${error.round}`}): ${error.message.split('\n').slice(0, 4).join(' | ')}`);
      const res = {
        key,
        transport,
        title,
        ...(info ? { informational: true, ...info } : {}),
        error,
        oursMedian: null,
        peerMedian: null,
        ratio: null,
        pass: false,
        oursRuns: runs.ours,
        peerRuns: runs.peer,
        cpu: { oursRuns: cpu.ours, peerRuns: cpu.peer },
        memory: { ...mem.phases[phase], peerTree: S.peerLabel },
      };
      scenarioResults.push(res);
      return res;
    }
    const mo = median(runs.ours);
    const mp = median(runs.peer);
    const medOf = (xs, f) => {
      const v = xs
        .filter(Boolean)
        .map(f)
        .filter((x) => x != null);
      return v.length ? Math.round(median(v) * 1000) / 1000 : null;
    };
    const res = {
      key,
      transport,
      title,
      ...(info ? { informational: true, ...info } : {}),
      oursMedian: mo,
      peerMedian: mp,
      ratio: mo / mp,
      pass: mo / mp <= TARGET_RATIO,
      oursRuns: runs.ours,
      peerRuns: runs.peer,
      // CPU seconds per measured run (all processes of that side, incl. reaped git children)
      cpu: {
        oursNodeMedian: medOf(cpu.ours, (c) => c.node),
        oursGitMedian: medOf(cpu.ours, (c) => c.git),
        oursTotalMedian: medOf(cpu.ours, (c) => c.total),
        peerTotalMedian: medOf(cpu.peer, (c) => c.total),
        otherMedian: medOf([...cpu.ours, ...cpu.peer], (c) => c.other),
        otherMax: Math.max(0, ...[...cpu.ours, ...cpu.peer].map((c) => c?.other ?? 0)),
        // our server's CPU after its runs, until idle (nonzero where it works after answering)
        oursAfterMax: afterCpu.length ? Math.max(...afterCpu) : null,
        oursRuns: cpu.ours,
        peerRuns: cpu.peer,
      },
      memory: { ...mem.phases[phase], peerTree: S.peerLabel },
    };
    log(
      `   median: ours ${mo.toFixed(3)}s, peer ${mp.toFixed(3)}s, ratio ${res.ratio.toFixed(3)}; CPU/run ours node ${res.cpu.oursNodeMedian}s + git ${res.cpu.oursGitMedian}s, peer ${res.cpu.peerTotalMedian}s; other load ${res.cpu.otherMedian}s (max ${res.cpu.otherMax}s)${res.cpu.oursAfterMax ? `; ours after answering up to ${res.cpu.oursAfterMax}s` : ''}`,
    );
    scenarioResults.push(res);
    return res;
  }

  // --- scenario bodies, shared by the transports

  const cloneBody = {
    prepare: async (side, r) => path.join(clients, `clone-${side}-${r}-${seq++}`),
    measure: async (side, r, dest, T) => {
      const res = await git(['clone', '--bare', '-q', T.url, dest], { env: T.env, timeout: 900_000, name: `clone from ${side} (${T.url})` });
      await verifyRef(dest, 'refs/heads/main', repo.tip, `clone from ${side}`);
      await rmrf(dest);
      return res.seconds;
    },
  };

  const template = path.join(clients, 'behind-template.git'); // same filesystem as the copies (cp -al)
  const fetchBody = {
    prepare: async (side, r) => {
      // Fresh copies of the 10-commits-behind repo. Hard links are safe: git never
      // modifies object files in place and replaces refs by rename.
      const dests = [];
      for (let i = 0; i < opt.fetchReps; i++) {
        const dest = path.join(clients, `fetch-${side}-${r}-${seq++}`);
        await run('cp', ['-al', template, dest], { timeout: 300_000 });
        dests.push(dest);
      }
      return dests;
    },
    measure: async (side, r, dests, T) => {
      // A 10-commit fetch takes well under a second, so one sample is the mean of
      // --fetch-reps back-to-back fetches (each into its own fresh copy) to keep noise down.
      let total = 0;
      for (const dest of dests) {
        const res = await git(['-C', dest, 'fetch', '-q', '--no-tags', '--no-write-fetch-head', T.url, '+refs/heads/main:refs/heads/main'], {
          env: T.env,
          timeout: 300_000,
          name: `fetch from ${side} (${T.url})`,
        });
        total += res.seconds;
      }
      for (const dest of dests) {
        await verifyRef(dest, 'refs/heads/main', repo.tip, `fetch from ${side}`);
        await rmrf(dest);
      }
      return total / dests.length;
    },
  };

  // A fetch with nothing to fetch: the client is at the server's tip, so it costs the ref
  // advertisement and nothing else (what `git pull` on an up-to-date branch costs). The copy
  // never changes, so each side keeps one for all its rounds.
  const upToDate = path.join(clients, 'up-to-date-template.git');
  const noopBody = {
    prepare: async (side) => {
      const dest = path.join(clients, `noop-${side}`);
      if (!fs.existsSync(dest)) await run('cp', ['-al', upToDate, dest], { timeout: 300_000 });
      return dest;
    },
    measure: async (side, r, dest, T) => {
      let total = 0;
      for (let i = 0; i < opt.fetchReps; i++) {
        const res = await git(['-C', dest, 'fetch', '-q', '--no-tags', '--no-write-fetch-head', T.url, '+refs/heads/main:refs/heads/main'], {
          env: T.env,
          timeout: 300_000,
          name: `no-op fetch from ${side} (${T.url})`,
        });
        total += res.seconds;
      }
      await verifyRef(dest, 'refs/heads/main', repo.tip, `no-op fetch from ${side}`);
      return total / opt.fetchReps;
    },
  };

  const concurrentBody = {
    prepare: async (side, r) => {
      const base = path.join(clients, `conc-${side}-${r}-${seq++}`);
      fs.mkdirSync(base);
      return base;
    },
    measure: async (side, r, base, T) => {
      const t = process.hrtime.bigint();
      const all = [];
      for (let i = 0; i < opt.concurrency; i++) {
        all.push(git(['clone', '--bare', '-q', T.url, path.join(base, `c${i}`)], { env: T.env, timeout: 1_800_000, name: `concurrent clone ${i} from ${side} (${T.url})` }));
      }
      const settled = await Promise.allSettled(all);
      const secs = Number(process.hrtime.bigint() - t) / 1e9;
      const failed = settled.filter((s) => s.status === 'rejected');
      if (failed.length) throw new BenchError(`${failed.length}/${opt.concurrency} concurrent clones from ${side} failed; first: ${failed[0].reason.message}`);
      for (let i = 0; i < opt.concurrency; i++) await verifyRef(path.join(base, `c${i}`), 'refs/heads/main', repo.tip, `concurrent clone ${i} from ${side}`);
      await rmrf(base);
      return secs;
    },
  };

  // --- read scenarios, per transport (all pushes come last, so every read scenario serves
  //     exactly the copied repository and nothing that a push added)
  const runTransports = TRANSPORTS.filter((t) => sides[t]);
  if (runTransports.some((t) => opt.want(keyFor(t, 'fetch')))) {
    await git(['init', '-q', '--bare', '-b', 'main', template]);
    await git(['-C', template, 'fetch', '-q', '--no-tags', `file://${work}`, 'refs/heads/behind:refs/heads/main'], { timeout: 600_000 });
    await verifyRef(template, 'refs/heads/main', behind, 'behind template');
  }
  if (runTransports.some((t) => opt.want(keyFor(t, 'noop')))) {
    await git(['init', '-q', '--bare', '-b', 'main', upToDate]);
    await git(['-C', upToDate, 'fetch', '-q', '--no-tags', `file://${work}`, `${repo.tip}:refs/heads/main`], { timeout: 600_000 });
    await verifyRef(upToDate, 'refs/heads/main', repo.tip, 'up-to-date template');
  }
  for (const t of runTransports) {
    await scenario({ key: keyFor(t, 'clone'), transport: t, title: 'full clone (git clone --bare)', ...cloneBody });
    await scenario({ key: keyFor(t, 'fetch'), transport: t, title: `incremental fetch of ${behindCount} commits (git fetch; mean of ${opt.fetchReps})`, ...fetchBody });
    await scenario({ key: keyFor(t, 'noop'), transport: t, title: `no-op fetch, already up to date (git fetch; mean of ${opt.fetchReps})`, ...noopBody });
    await scenario({ key: keyFor(t, 'concurrent'), transport: t, title: `${opt.concurrency} concurrent full clones (wall time)`, ...concurrentBody });
  }

  // --- SSH cipher sub-benchmark: the same full clone with one cipher forced on the client
  const cipherInfo = { specs: [], skipped: [] };
  if (sides.ssh && opt.want('ssh-ciphers')) {
    log('\n== [ssh] cipher sub-benchmark: full clone with each cipher forced on the client (both sides)');
    for (const spec of opt.sshCiphers) {
      const extra = cipherArgs(spec);
      const po = await sshProbe(sides.ssh.ours.url, sshClient, extra);
      const pp = await sshProbe(sides.ssh.peer.url, sshClient, extra);
      if (!po.ok || !pp.ok) {
        const note = { cipher: spec, ours: po.ok ? 'ok' : po.error, peer: pp.ok ? 'ok' : pp.error };
        cipherInfo.skipped.push(note);
        log(`   skipping ${spec}: ours ${note.ours}; peer ${note.peer}`);
        continue;
      }
      cipherInfo.specs.push(spec);
      const env = sshEnv(sshClient, extra);
      const S = { ...sides.ssh, ours: { ...sides.ssh.ours, env }, peer: { ...sides.ssh.peer, env } };
      await scenario({
        key: 'ssh-ciphers',
        transport: 'ssh',
        title: `full clone, ssh ${extra.join(' ')}`,
        phase: `ssh-cipher ${spec}`,
        sides: S,
        info: { cipher: spec, sshArgs: extra, negotiated: { ours: po.negotiated, peer: pp.negotiated } },
        ...cloneBody,
      });
    }
  }

  // --- push of a fresh ~20 MB branch (new commit per transport, round and side's ref name)
  const runId = Date.now().toString(36);
  const pushInfos = {};
  for (const t of runTransports) {
    if (t === 'git' || !opt.want(keyFor(t, 'push'))) continue; // git:// is read-only
    log(`\n[${t}] push: preparing ${totalRounds} branches of ~${opt.pushMb} MB of poorly-compressible content ...`);
    const seedBase = (repo.params?.seed ?? GEN_DEFAULTS.seed) + 1 + TRANSPORTS.indexOf(t); // http keeps its original seed
    const pushInfo = await preparePushBranches({ work, tip: repo.tip, rounds: totalRounds, mb: opt.pushMb, seed: seedBase, tag: t });
    pushInfos[t] = pushInfo;
    log(`[${t}] push: each branch is 1 commit, ${pushInfo.files} files, ${(pushInfo.rawBytes / 1e6).toFixed(1)} MB raw, ~${(pushInfo.packBytes / 1e6).toFixed(1)} MB packed`);
    await scenario({
      key: keyFor(t, 'push'),
      transport: t,
      title: `push of a new ~${opt.pushMb} MB branch (git push)`,
      prepare: async (side, r) => ({ sha: pushInfo.commits[r], ref: `refs/heads/bench-push-${t}-${runId}-${r}` }),
      measure: async (side, r, { sha, ref }, T) => {
        const res = await git(['-C', work, 'push', '-q', T.pushUrl, `${sha}:${ref}`], { env: T.env, timeout: 900_000, name: `push to ${side} (${t})` });
        await verifyRef(T.repoDir, ref, sha, `push to ${side}`);
        return res.seconds;
      },
    });
  }

  mem.stop();
  const packsAtEnd = packListing(ourRepo.repoDir);
  const packsChanged = packsAtCopy.some((p) => !packsAtEnd.includes(p));
  const peakHwmKb = Math.max(idle.hwmKb ?? 0, ...Object.values(mem.phases).map((p) => p.serverHwmKb ?? 0));
  const peakSampledKb = Math.max(...Object.values(mem.phases).map((p) => p.serverRssMaxKb ?? 0));
  const finalHwmKb = readStatusKb(ours.pid, 'VmHWM');

  // ---------------------------------------------------------------------------
  // report
  const mainResults = scenarioResults.filter((s) => !s.informational);
  const cipherResults = scenarioResults.filter((s) => s.informational);
  const mib = (kb) => (kb == null ? 'n/a' : `${(kb / 1024).toFixed(1)} MiB`);
  const f2 = (x) => (x == null ? 'n/a' : x.toFixed(2));
  const table = (head, rows, numeric) => {
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const fmt = (r) => r.map((c, i) => (numeric.includes(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ');
    return [fmt(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(fmt)];
  };
  const out = [];
  out.push('');
  out.push(
    `Gitssy transport benchmark — ${repo.commits} commits, ${repo.files} files, pack ${(repo.packBytes / 1048576).toFixed(1)} MiB; ` +
      `${opt.rounds} rounds + 1 warm-up; median; ratio = ours/peer (target ≤ ${TARGET_RATIO})`,
  );
  const peersLine = [];
  if (sides.http) peersLine.push(`http: ${nginxVersion} + fcgiwrap (-c ${opt.fcgiWorkers}) + git-http-backend, pushes ${opt.peerAuth === 'basic' ? 'behind auth_basic' : 'anonymous'}`);
  if (sides.ssh) peersLine.push(`ssh: ${sshSetup.negotiated.peer.serverSoftware ?? sshTools.version} sshd + git-shell`);
  if (sides.git) peersLine.push('git: git daemon');
  peersLine.push(`peers' git config: ${opt.peerGitConfig === 'ours' ? "our server's (same core.fsync)" : "git's defaults"}`);
  out.push(`peers: ${peersLine.join('; ')}; ${gv.stdout.trim()}; host: ${os.cpus().length} CPUs, node ${process.version}`);
  out.push(`CPU/run = CPU seconds per measured run (${cgOk ? 'cgroup cpuacct' : '/proc process trees'}): ours = Node process + its git children; peer = its whole process tree;`);
  out.push(`other = busy CPU of the machine outside the benchmark during a run (competing load; ${os.cpus().length} cores = ${os.cpus().length}.00 CPU-s per wall second).`);
  out.push('');
  out.push(
    ...table(
      [
        'transport',
        'scenario',
        'ours med (s)',
        'peer med (s)',
        'ratio',
        'ours runs (s)',
        'peer runs (s)',
        'CPU/run ours node+git (s)',
        'CPU/run peer (s)',
        'other CPU/run med/max (s)',
        'ours peak RSS',
      ],
      mainResults.map((s) => [
        s.transport,
        s.title,
        s.error ? `FAILED (${s.error.side})` : s.oursMedian.toFixed(3),
        s.error ? '-' : s.peerMedian.toFixed(3),
        s.error ? '-' : s.ratio.toFixed(3),
        s.oursRuns.map((x) => x.toFixed(2)).join(' '),
        s.peerRuns.map((x) => x.toFixed(2)).join(' '),
        `${f2(s.cpu.oursNodeMedian)}+${f2(s.cpu.oursGitMedian)}`,
        f2(s.cpu.peerTotalMedian),
        `${f2(s.cpu.otherMedian)}/${f2(s.cpu.otherMax ?? null)}`,
        mib(s.memory.serverHwmKb ?? s.memory.serverRssMaxKb),
      ]),
      [2, 3, 4, 7, 8, 9],
    ),
  );
  if (sshSetup) {
    out.push('');
    out.push(`ssh negotiated (client: OpenSSH defaults${opt.sshKex ? ` + KexAlgorithms=${opt.sshKex}` : ''}; one extra \`ssh -v\` connection per side):`);
    out.push(`  ours: ${fmtNeg(sshSetup.negotiated.ours)}`);
    out.push(`  peer: ${fmtNeg(sshSetup.negotiated.peer)}`);
    if (sshSetup.mismatch.length) out.push(`  note: the sides negotiated different ${sshSetup.mismatch.join(', ')}`);
  }
  if (cipherResults.length || cipherInfo.skipped.length) {
    out.push('');
    out.push('ssh cipher sub-benchmark — full clone with the cipher forced on the client for both sides (informational; not part of PASS/FAIL):');
    out.push(
      ...table(
        ['cipher', 'ours med (s)', 'peer med (s)', 'ratio', 'ours runs (s)', 'peer runs (s)', 'CPU/run ours node+git (s)', 'CPU/run peer (s)', 'negotiated MAC ours / peer', 'kex ours / peer'],
        cipherResults.map((s) => [
          s.cipher,
          s.error ? `FAILED (${s.error.side})` : s.oursMedian.toFixed(3),
          s.error ? '-' : s.peerMedian.toFixed(3),
          s.error ? '-' : s.ratio.toFixed(3),
          s.oursRuns.map((x) => x.toFixed(2)).join(' '),
          s.peerRuns.map((x) => x.toFixed(2)).join(' '),
          `${f2(s.cpu.oursNodeMedian)}+${f2(s.cpu.oursGitMedian)}`,
          f2(s.cpu.peerTotalMedian),
          `${s.negotiated.ours.serverToClient.mac} / ${s.negotiated.peer.serverToClient.mac}`,
          `${s.negotiated.ours.kex} / ${s.negotiated.peer.kex}`,
        ]),
        [1, 2, 3, 6, 7],
      ),
    );
    for (const k of cipherInfo.skipped) out.push(`  skipped ${k.cipher}: ours: ${k.ours}; peer: ${k.peer}`);
  }
  out.push('');
  out.push(`our server (pid ${ours.pid}) memory, Node process only (VmHWM${mem.hwmResettable ? ', reset per scenario' : ''}):`);
  out.push(`  idle after start:          RSS ${mib(idle.rssKb)}`);
  out.push(`  peak during the whole run: ${mib(peakHwmKb)} (VmHWM; max sampled VmRSS ${mib(peakSampledKb)}; final VmHWM ${mib(finalHwmKb)})`);
  for (const [ph, p] of Object.entries(mem.phases)) {
    const peerPart = phasePeer[ph] ? `; peer ${phasePeer[ph]} (sampled) ${mib(p.peerTreeMaxKb || null)}` : '';
    out.push(`  ${(ph + ':').padEnd(26)} peak ${mib(p.serverHwmKb ?? p.serverRssMaxKb)}; server+git children (sampled) ${mib(p.serverTreeMaxKb)}${peerPart}`);
  }
  if (packsChanged) out.push(`  warning: our repo's packs changed during the run (server repacked?) — the two sides did not serve identical bytes throughout`);
  out.push('');
  let allPass = true;
  for (const s of mainResults) {
    allPass &&= s.pass;
    if (s.error)
      out.push(`FAIL  [${s.transport}] ${s.title}: ${s.error.side} failed (${s.error.round === 0 ? 'warm-up' : `round ${s.error.round}`}): ${s.error.message.split('\n').slice(0, 3).join(' | ')}`);
    else out.push(`${s.pass ? 'PASS' : 'FAIL'}  [${s.transport}] ${s.title}: ratio ${s.ratio.toFixed(3)} ${s.pass ? '≤' : '>'} ${TARGET_RATIO}`);
  }
  for (const s of cipherResults) if (s.error) out.push(`note  [ssh] ${s.title}: ${s.error.side} failed: ${s.error.message.split('\n')[0]}`);
  out.push(allPass ? `all ratios ≤ ${TARGET_RATIO}` : `some ratios are above ${TARGET_RATIO}`);
  console.log(out.join('\n'));

  const result = {
    benchmark: 'transport',
    version: 2,
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - t0) / 1000,
    quick: opt.quick,
    rounds: opt.rounds,
    warmupRounds: 1,
    targetRatio: TARGET_RATIO,
    pass: allPass,
    transports: runTransports,
    only: opt.only,
    host: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memBytes: os.totalmem(),
      node: process.version,
      git: gv.stdout.trim(),
      nginx: nginxVersion,
      openssh: sshTools?.version ?? null,
      platform: `${os.platform()} ${os.release()}`,
      loadavgAtEnd: os.loadavg(),
    },
    cpuAccounting: cgOk ? 'cgroup-v1 cpuacct per side' : '/proc process trees (children reaped without wait() are missed)',
    repo: {
      commits: repo.commits,
      files: repo.files,
      seed: repo.params?.seed,
      params: repo.params,
      packBytes: repo.packBytes,
      tip: repo.tip,
      generatorVersion: repo.generatorVersion,
      generationSeconds: repo.seconds,
    },
    setup: {
      seedPushSeconds: seedPush.seconds,
      fcgiWorkers: opt.fcgiWorkers,
      peerGitConfig: { mode: opt.peerGitConfig, text: fs.readFileSync(peerGitConfig, 'utf8') },
      peerAuth: opt.peerAuth,
      concurrency: opt.concurrency,
      fetchReps: opt.fetchReps,
      clientDir: clients,
      fetchCommits: behindCount,
      push: Object.fromEntries(Object.entries(pushInfos).map(([t, p]) => [t, { mb: opt.pushMb, files: p.files, rawBytes: p.rawBytes, packBytes: p.packBytes }])),
      ssh: sshSetup,
      git: gitSetup,
    },
    scenarios: mainResults,
    sshCiphers:
      sides.ssh && opt.want('ssh-ciphers')
        ? { note: 'full clone with the cipher (and MAC, where given as cipher/mac) forced on the client; informational', specs: cipherInfo.specs, skipped: cipherInfo.skipped, results: cipherResults }
        : null,
    memory: {
      serverPid: ours.pid,
      idleRssKb: idle.rssKb,
      peakRssKb: peakHwmKb,
      peakSampledRssKb: peakSampledKb,
      hwmResetPerPhase: mem.hwmResettable,
      phases: mem.phases,
      phasePeerTree: phasePeer,
    },
    errors: scenarioResults.filter((s) => s.error).map((s) => ({ key: s.key, transport: s.transport, title: s.title, ...s.error })),
    warnings: packsChanged ? ['our repo packs changed during the run'] : [],
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const prefix = opt.quick ? 'transport-quick' : 'transport';
  const f1 = path.join(RESULTS_DIR, `${prefix}-${stamp}.json`);
  const fl = path.join(RESULTS_DIR, `${prefix}-latest.json`);
  const json = JSON.stringify(result, null, 2) + '\n';
  fs.writeFileSync(f1, json);
  fs.writeFileSync(fl, json);
  console.log(`\nwrote ${path.relative(ROOT, f1)} and ${path.relative(ROOT, fl)} (${((Date.now() - t0) / 1000).toFixed(0)}s total)`);
  const errored = scenarioResults.filter((s) => s.error);
  if (errored.length) {
    log(`\n${errored.length} scenario(s) failed: ${errored.map((s) => `[${s.transport}] ${s.key}`).join(', ')} (details above and in the JSON)`);
    return 1;
  }
  return opt.strict && !allPass ? 1 : 0;
}

function clientDir(tmp, needBytes) {
  try {
    const st = fs.statfsSync('/dev/shm');
    if (st.bavail * st.bsize > needBytes * 1.5 + 1e9) {
      const d = fs.mkdtempSync('/dev/shm/gitssy-bench-clients-');
      tempDirs.push(d);
      return d;
    }
  } catch {
    /* no tmpfs */
  }
  const d = path.join(tmp, 'clients');
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/** One commit per round on top of `tip`, each with ~mb MB (packed) of fresh base64 data. */
async function preparePushBranches({ work, tip, rounds, mb, seed, tag = 'http' }) {
  const rawBytes = Math.round((mb * 1e6) / 0.76); // base64 text packs to ~76% with zlib
  const nfiles = Math.max(1, Math.round(mb * 2));
  const per = Math.ceil(rawBytes / nfiles);
  const chunks = [];
  const marks = [];
  let mark = 0;
  for (let r = 0; r < rounds; r++) {
    const rng = new Rng((seed * 1000003 + r) >>> 0);
    let s = '';
    const files = [];
    for (let i = 0; i < nfiles; i++) {
      const content = randomText(rng, per);
      s += `blob\nmark :${++mark}\ndata ${Buffer.byteLength(content)}\n${content}\n`;
      files.push([`assets/bench-${tag}-${r}/data-${String(i).padStart(3, '0')}.b64`, mark]);
    }
    const cm = ++mark;
    const ts = 1767225600 + r * 60;
    const msg = `Add generated assets batch ${r}\n`;
    s += `commit refs/heads/push-${tag}-${r}\nmark :${cm}\nauthor Bench <bench@example.test> ${ts} +0000\ncommitter Bench <bench@example.test> ${ts} +0000\ndata ${Buffer.byteLength(msg)}\n${msg}from ${tip}\n`;
    for (const [p, m] of files) s += `M 100644 :${m} ${p}\n`;
    chunks.push(s + '\n');
    marks.push(cm);
  }
  const input = chunks.join('') + 'done\n';
  const r = spawnSync('git', ['-C', work, 'fast-import', '--quiet', '--done'], {
    input,
    env: CENV,
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new BenchError(`fast-import of push branches failed: ${r.stderr || r.error?.message}`);
  const commits = [];
  for (let i = 0; i < rounds; i++) commits.push(await gitOut(['-C', work, 'rev-parse', `refs/heads/push-${tag}-${i}`]));
  // measure what actually goes over the wire for one branch
  const pk = spawnSync('sh', ['-c', `git -C "${work}" rev-list --objects ${tip}..${commits[0]} | git -C "${work}" pack-objects --stdout -q | wc -c`], {
    env: CENV,
    encoding: 'utf8',
    timeout: 600_000,
  });
  return { commits, files: nfiles, rawBytes: per * nfiles, packBytes: Number(pk.stdout.trim()) || null };
}

main().then(
  async (code) => {
    await cleanup();
    process.exit(code);
  },
  async (e) => {
    if (stopping) return;
    log(`\ntransport benchmark FAILED: ${e.message}`);
    if (e.hint) log(`what to do: ${e.hint}`);
    else if (!(e instanceof BenchError)) log(e.stack);
    else log('what to do: fix the failure above and re-run; add --keep to keep the temp dirs (server data, logs) for inspection');
    await cleanup();
    process.exit(1);
  },
);
