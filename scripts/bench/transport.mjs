#!/usr/bin/env node
// Gitssy transport benchmark: our smart-HTTP server vs nginx + fcgiwrap + git-http-backend.
//
//   npm run bench:transport            (builds first)
//   node scripts/bench/transport.mjs [--rounds N] [--quick] [--keep] [--strict] [--concurrency N]
//
// Both sides serve a byte-identical copy of the same bare repository (a
// deterministic synthetic repo, pushed to our server and then copied with
// `cp -a` to the peer). Scenarios alternate ours/peer every round (the order
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

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
// GITSSY_BENCH_SERVER_MAIN lets the benchmark run against another build (or a stand-in while developing).
const SERVER_MAIN = process.env.GITSSY_BENCH_SERVER_MAIN ? path.resolve(process.env.GITSSY_BENCH_SERVER_MAIN) : path.join(ROOT, 'dist', 'server', 'main.js');
const RESULTS_DIR = path.join(HERE, 'results');
const TARGET_RATIO = 1.05;
const USER = 'alice';
const PASS = 'BenchPass-2026-gitssy';
const REPO = 'perf';

// ---------------------------------------------------------------------------
// options

function usage() {
  return `usage: node scripts/bench/transport.mjs [options]
  --rounds N        measured rounds per scenario (default 5; 3 with --quick), plus 1 warm-up
  --quick           small repo (500 commits / 300 files) and a 4 MB push, for a smoke test
  --keep            keep the temp directories (server data, peer root, logs)
  --strict          exit 1 when a ratio is above ${TARGET_RATIO}
  --concurrency N   parallel clones in the concurrency scenario (default 20)
  --push-mb N       size of the pushed branch in MB of pack (default 20; 4 with --quick)
  --fetch-reps N    fetches averaged into one sample of the fetch scenario (default 5)
  --fcgi-workers N  fcgiwrap worker processes for the peer (default 4)
  --commits N, --files N, --seed N   override the generated repo's parameters
  --only LIST       comma-separated subset of scenarios: clone,fetch,concurrent,push`;
}

function parseArgs(argv) {
  const o = { rounds: null, quick: false, keep: false, strict: false, concurrency: 20, pushMb: null, fcgiWorkers: 4, fetchReps: 5, gen: {}, only: null };
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
    else if (a === '--fetch-reps') o.fetchReps = Math.floor(num());
    else if (a === '--fcgi-workers') o.fcgiWorkers = Math.floor(num());
    else if (a === '--commits') o.gen.commits = Math.floor(num());
    else if (a === '--files') o.gen.files = Math.floor(num());
    else if (a === '--seed') o.gen.seed = Math.floor(num());
    else if (a === '--only') o.only = String(argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '-h' || a === '--help') {
      console.log(usage());
      process.exit(0);
    } else throw new BenchError(`unknown option ${a}`, 'see --help for the options');
  }
  if (o.rounds == null) o.rounds = o.quick ? 3 : 5;
  if (o.pushMb == null) o.pushMb = o.quick ? 4 : 20;
  if (o.quick) o.gen = { commits: 500, files: 300, ...o.gen };
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

function cleanupSync() {
  if (cleanedUp) return;
  cleanedUp = true;
  const pids = [...live.keys()];
  for (const pid of pids) killGroup(pid, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (pids.some(groupAlive) && Date.now() < deadline) sleepSync(50);
  for (const pid of pids) if (groupAlive(pid)) killGroup(pid, 'SIGKILL');
  live.clear();
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
  for (const pid of pids) killGroup(pid, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (pids.some(groupAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
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
// memory sampling (/proc)

function readStatusKb(pid, key) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = s.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

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
  '-c', 'user.name=Bench', '-c', 'user.email=bench@example.test',
  '-c', 'gc.auto=0', '-c', 'maintenance.auto=false', '-c', 'credential.helper=',
  '-c', 'core.askPass=', '-c', 'advice.detachedHead=false',
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

function nginxConf({ prefix, port, root, backend, sock }) {
  // fastcgi params written inline so the config does not depend on /etc/nginx.
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
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 0;
    location ~ ^/(.*\\.git/(HEAD|info/refs|objects/info/.*|git-(upload|receive)-pack))$ {
      fastcgi_param QUERY_STRING $query_string;
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
      fastcgi_param PATH_INFO /$1;
      fastcgi_param GIT_PROTOCOL $http_git_protocol;
      fastcgi_param REMOTE_USER bench;
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

async function startPeer({ tools, dir, root, fcgiWorkers }) {
  const prefix = path.join(dir, 'nginx');
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
    fs.writeFileSync(path.join(prefix, 'nginx.conf'), nginxConf({ prefix, port, root, backend, sock }));
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
  return { port, nginx: ng, fcgi, prefix, url: `http://127.0.0.1:${port}/${USER}/${REPO}.git`, pushUrl: `http://127.0.0.1:${port}/${USER}/${REPO}.git` };
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
  const srv = startDaemon('gitssy server', process.execPath, [SERVER_MAIN, 'serve', '--data', data, '--host', '127.0.0.1', '--http-port', '0', '--ssh-port', '0'], {
    env,
    cwd: ROOT,
    logFile,
  });
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
  await waitFor(`${base}/ping`, async () => {
    const r = await httpGet(`${base}/ping`);
    return r.status === 200 && JSON.parse(r.body).ok === true;
  }, { daemon: srv, timeout: 30_000 });
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

  const gv = spawnSync('git', ['--version'], { encoding: 'utf8' });
  if (gv.status !== 0) throw new BenchError('git not found', 'apt-get install -y git');
  if (!fs.existsSync(SERVER_MAIN)) {
    throw new BenchError(`${path.relative(ROOT, SERVER_MAIN)} not found`, 'build first: `npm run build`, or run `npm run bench:transport`');
  }

  // 1. tools + repo
  const tools = await ensurePeerTools();
  const nginxVersion = (spawnSync(tools.nginx, ['-v'], { encoding: 'utf8' }).stderr || '').trim();
  log(`repo: preparing synthetic repository${opt.quick ? ' (--quick)' : ''} ...`);
  const genT0 = Date.now();
  const repo = await cachedRepo(opt.gen);
  log(`repo: ${repo.dir}\n      ${repo.commits} commits, ${repo.files} files, pack ${(repo.packBytes / 1048576).toFixed(1)} MiB, tip ${repo.tip.slice(0, 12)}` +
    (repo.cached ? ' (cached)' : ` (generated in ${((Date.now() - genT0) / 1000).toFixed(0)}s)`));

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
  mem.start();
  await sleep(1000);
  const idle = { rssKb: readStatusKb(ours.pid, 'VmRSS'), hwmKb: readStatusKb(ours.pid, 'VmHWM') };
  log(`ours: listening on ${ours.base} (pid ${ours.pid}), idle RSS ${(idle.rssKb / 1024).toFixed(1)} MiB`);
  const ourRepo = await setupOurRepo(ours);
  mem.setPhase('seed-push');
  log(`ours: pushing main (${repo.commits} commits) ...`);
  const seedPush = await git(['-C', work, 'push', '-q', ourRepo.pushUrl, 'refs/heads/main:refs/heads/main'], { timeout: 900_000, name: 'seed push to ours' });
  log(`ours: seed push took ${seedPush.seconds.toFixed(1)}s`);
  await verifyRef(ourRepo.repoDir, 'refs/heads/main', repo.tip, 'our repo after seed push');
  await sleep(1000); // let any post-receive work settle before copying

  // 3. peer gets a byte-identical copy
  const peerRoot = path.join(tmp, 'peer-root');
  fs.mkdirSync(path.join(peerRoot, USER), { recursive: true });
  const peerRepo = path.join(peerRoot, USER, `${REPO}.git`);
  await run('cp', ['-a', ourRepo.repoDir, peerRepo], { timeout: 300_000 });
  const emptyHooks = path.join(tmp, 'peer-no-hooks');
  fs.mkdirSync(emptyHooks);
  await git(['-C', peerRepo, 'config', 'http.receivepack', 'true']);
  await git(['-C', peerRepo, 'config', 'core.hooksPath', emptyHooks]); // our server's hooks must not run for the peer
  const packsAtCopy = packListing(ourRepo.repoDir);
  if (JSON.stringify(packsAtCopy) !== JSON.stringify(packListing(peerRepo))) throw new BenchError('peer copy differs from our repo (pack listing)');
  await verifyRef(peerRepo, 'refs/heads/main', repo.tip, 'peer repo');
  log(`peer: starting nginx + fcgiwrap (${opt.fcgiWorkers} workers) ...`);
  const peer = await startPeer({ tools, dir: tmp, root: peerRoot, fcgiWorkers: opt.fcgiWorkers });
  mem.peerPids = [peer.nginx.child.pid, peer.fcgi.child.pid];
  log(`peer: listening on ${peer.url}`);

  const sides = {
    ours: { url: ourRepo.url, pushUrl: ourRepo.pushUrl, repoDir: ourRepo.repoDir },
    peer: { url: peer.url, pushUrl: peer.pushUrl, repoDir: peerRepo },
  };
  const checkAlive = () => {
    if (ours.srv.exited) throw new BenchError(`our server exited during the benchmark (${JSON.stringify(ours.srv.exited)})\n--- server log (tail) ---\n${tail(ours.logFile)}`);
    if (peer.nginx.exited || peer.fcgi.exited) throw new BenchError('nginx/fcgiwrap exited during the benchmark\n' + tail(path.join(peer.prefix, 'error.log')));
  };

  const totalRounds = opt.rounds + 1; // + warm-up
  const order = (r) => (r % 2 === 0 ? ['ours', 'peer'] : ['peer', 'ours']);
  let seq = 0;
  const scenarioResults = [];

  async function scenario(key, title, phaseName, prepare, measure) {
    if (opt.only && !opt.only.includes(key)) return;
    checkAlive();
    mem.setPhase(phaseName);
    log(`\n== ${title} (1 warm-up + ${opt.rounds} rounds)`);
    const runs = { ours: [], peer: [] };
    for (let r = 0; r < totalRounds; r++) {
      const line = [];
      for (const side of order(r)) {
        const ctx = await prepare(side, r);
        checkAlive();
        const secs = await measure(side, r, ctx);
        checkAlive();
        if (r > 0) runs[side].push(secs);
        line.push(`${side} ${secs.toFixed(3)}s`);
      }
      log(`   ${r === 0 ? 'warm-up' : `round ${r}`}: ${line.join('  ')}`);
    }
    mem.closePhase();
    const mo = median(runs.ours);
    const mp = median(runs.peer);
    const res = {
      key,
      title,
      oursMedian: mo,
      peerMedian: mp,
      ratio: mo / mp,
      pass: mo / mp <= TARGET_RATIO,
      oursRuns: runs.ours,
      peerRuns: runs.peer,
      memory: { ...mem.phases[phaseName] },
    };
    log(`   median: ours ${mo.toFixed(3)}s, peer ${mp.toFixed(3)}s, ratio ${res.ratio.toFixed(3)}`);
    scenarioResults.push(res);
  }

  // --- full clone
  await scenario(
    'clone',
    'full clone (git clone --bare)',
    'clone',
    async (side, r) => path.join(clients, `clone-${side}-${r}-${seq++}`),
    async (side, r, dest) => {
      const res = await git(['clone', '--bare', '-q', sides[side].url, dest], { timeout: 900_000, name: `clone from ${side}` });
      await verifyRef(dest, 'refs/heads/main', repo.tip, `clone from ${side}`);
      await rmrf(dest);
      return res.seconds;
    },
  );

  // --- incremental fetch of 10 commits
  const template = path.join(clients, 'behind-template.git'); // same filesystem as the copies (cp -al)
  if (!opt.only || opt.only.includes('fetch')) {
    await git(['init', '-q', '--bare', '-b', 'main', template]);
    await git(['-C', template, 'fetch', '-q', '--no-tags', `file://${work}`, 'refs/heads/behind:refs/heads/main'], { timeout: 600_000 });
    await verifyRef(template, 'refs/heads/main', behind, 'behind template');
  }
  await scenario(
    'fetch',
    `incremental fetch of ${behindCount} commits (git fetch; mean of ${opt.fetchReps})`,
    'fetch',
    async (side, r) => {
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
    async (side, r, dests) => {
      // A 10-commit fetch takes well under a second, so one sample is the mean of
      // --fetch-reps back-to-back fetches (each into its own fresh copy) to keep noise down.
      let total = 0;
      for (const dest of dests) {
        const res = await git(['-C', dest, 'fetch', '-q', '--no-tags', '--no-write-fetch-head', sides[side].url, '+refs/heads/main:refs/heads/main'], {
          timeout: 300_000,
          name: `fetch from ${side}`,
        });
        total += res.seconds;
      }
      for (const dest of dests) {
        await verifyRef(dest, 'refs/heads/main', repo.tip, `fetch from ${side}`);
        await rmrf(dest);
      }
      return total / dests.length;
    },
  );

  // --- N concurrent full clones
  await scenario(
    'concurrent',
    `${opt.concurrency} concurrent full clones (wall time)`,
    'concurrent',
    async (side, r) => {
      const base = path.join(clients, `conc-${side}-${r}-${seq++}`);
      fs.mkdirSync(base);
      return base;
    },
    async (side, r, base) => {
      const t = process.hrtime.bigint();
      const all = [];
      for (let i = 0; i < opt.concurrency; i++) {
        all.push(git(['clone', '--bare', '-q', sides[side].url, path.join(base, `c${i}`)], { timeout: 1_800_000, name: `concurrent clone ${i} from ${side}` }));
      }
      const settled = await Promise.allSettled(all);
      const secs = Number(process.hrtime.bigint() - t) / 1e9;
      const failed = settled.filter((s) => s.status === 'rejected');
      if (failed.length) throw new BenchError(`${failed.length}/${opt.concurrency} concurrent clones from ${side} failed; first: ${failed[0].reason.message}`);
      for (let i = 0; i < opt.concurrency; i++) await verifyRef(path.join(base, `c${i}`), 'refs/heads/main', repo.tip, `concurrent clone ${i} from ${side}`);
      await rmrf(base);
      return secs;
    },
  );

  // --- push of a fresh ~20 MB branch (new branch name per round and side)
  let pushInfo = null;
  if (!opt.only || opt.only.includes('push')) {
    log(`\npush: preparing ${totalRounds} branches of ~${opt.pushMb} MB of poorly-compressible content ...`);
    pushInfo = await preparePushBranches({ work, tip: repo.tip, rounds: totalRounds, mb: opt.pushMb, seed: (repo.params?.seed ?? GEN_DEFAULTS.seed) + 1 });
    log(`push: each branch is 1 commit, ${pushInfo.files} files, ${(pushInfo.rawBytes / 1e6).toFixed(1)} MB raw, ~${(pushInfo.packBytes / 1e6).toFixed(1)} MB packed`);
  }
  const runId = Date.now().toString(36);
  await scenario(
    'push',
    `push of a new ~${opt.pushMb} MB branch (git push)`,
    'push',
    async (side, r) => ({ sha: pushInfo.commits[r], ref: `refs/heads/bench-push-${runId}-${r}` }),
    async (side, r, { sha, ref }) => {
      const res = await git(['-C', work, 'push', '-q', sides[side].pushUrl, `${sha}:${ref}`], { timeout: 900_000, name: `push to ${side}` });
      await verifyRef(sides[side].repoDir, ref, sha, `push to ${side}`);
      return res.seconds;
    },
  );

  mem.stop();
  const packsAtEnd = packListing(ourRepo.repoDir);
  const packsChanged = packsAtCopy.some((p) => !packsAtEnd.includes(p));
  const peakHwmKb = Math.max(idle.hwmKb ?? 0, ...Object.values(mem.phases).map((p) => p.serverHwmKb ?? 0));
  const peakSampledKb = Math.max(...Object.values(mem.phases).map((p) => p.serverRssMaxKb ?? 0));
  const finalHwmKb = readStatusKb(ours.pid, 'VmHWM');

  // ---------------------------------------------------------------------------
  // report
  const mib = (kb) => (kb == null ? 'n/a' : `${(kb / 1024).toFixed(1)} MiB`);
  const rows = scenarioResults.map((s) => [
    s.title,
    s.oursMedian.toFixed(3),
    s.peerMedian.toFixed(3),
    s.ratio.toFixed(3),
    s.oursRuns.map((x) => x.toFixed(2)).join(' '),
    s.peerRuns.map((x) => x.toFixed(2)).join(' '),
    mib(s.memory.serverHwmKb ?? s.memory.serverRssMaxKb),
  ]);
  const head = ['scenario', 'ours med (s)', 'peer med (s)', 'ratio', 'ours runs (s)', 'peer runs (s)', 'ours peak RSS'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r) => r.map((c, i) => (i >= 1 && i <= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ');
  const out = [];
  out.push('');
  out.push(`Gitssy transport benchmark — ${repo.commits} commits, ${repo.files} files, pack ${(repo.packBytes / 1048576).toFixed(1)} MiB; ` +
    `${opt.rounds} rounds + 1 warm-up; median; ratio = ours/peer (target ≤ ${TARGET_RATIO})`);
  out.push(`peer: ${nginxVersion} + fcgiwrap (-c ${opt.fcgiWorkers}) + git-http-backend (${gv.stdout.trim()}); host: ${os.cpus().length} CPUs, node ${process.version}`);
  out.push('');
  out.push(fmt(head));
  out.push(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) out.push(fmt(r));
  out.push('');
  out.push(`our server (pid ${ours.pid}) memory, Node process only (VmHWM${mem.hwmResettable ? ', reset per scenario' : ''}):`);
  out.push(`  idle after start:          RSS ${mib(idle.rssKb)}`);
  out.push(`  peak during the whole run: ${mib(peakHwmKb)} (VmHWM; max sampled VmRSS ${mib(peakSampledKb)}; final VmHWM ${mib(finalHwmKb)})`);
  for (const [ph, p] of Object.entries(mem.phases)) {
    out.push(`  ${(ph + ':').padEnd(26)} peak ${mib(p.serverHwmKb ?? p.serverRssMaxKb)}; server+git children (sampled) ${mib(p.serverTreeMaxKb)}; peer nginx+fcgiwrap+git (sampled) ${mib(p.peerTreeMaxKb || null)}`);
  }
  if (packsChanged) out.push(`  warning: our repo's packs changed during the run (server repacked?) — the two sides did not serve identical bytes throughout`);
  out.push('');
  let allPass = true;
  for (const s of scenarioResults) {
    allPass &&= s.pass;
    out.push(`${s.pass ? 'PASS' : 'FAIL'}  ${s.title}: ratio ${s.ratio.toFixed(3)} ${s.pass ? '≤' : '>'} ${TARGET_RATIO}`);
  }
  out.push(allPass ? `all ratios ≤ ${TARGET_RATIO}` : `some ratios are above ${TARGET_RATIO}`);
  console.log(out.join('\n'));

  const result = {
    benchmark: 'transport',
    version: 1,
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - t0) / 1000,
    quick: opt.quick,
    rounds: opt.rounds,
    warmupRounds: 1,
    targetRatio: TARGET_RATIO,
    pass: allPass,
    host: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memBytes: os.totalmem(), node: process.version, git: gv.stdout.trim(), nginx: nginxVersion, platform: `${os.platform()} ${os.release()}` },
    repo: { commits: repo.commits, files: repo.files, seed: repo.params?.seed, params: repo.params, packBytes: repo.packBytes, tip: repo.tip, generatorVersion: repo.generatorVersion, generationSeconds: repo.seconds },
    setup: { seedPushSeconds: seedPush.seconds, fcgiWorkers: opt.fcgiWorkers, concurrency: opt.concurrency, fetchReps: opt.fetchReps, clientDir: clients, push: pushInfo && { mb: opt.pushMb, files: pushInfo.files, rawBytes: pushInfo.rawBytes, packBytes: pushInfo.packBytes }, fetchCommits: behindCount },
    scenarios: scenarioResults,
    memory: {
      serverPid: ours.pid,
      idleRssKb: idle.rssKb,
      peakRssKb: peakHwmKb,
      peakSampledRssKb: peakSampledKb,
      hwmResetPerPhase: mem.hwmResettable,
      phases: mem.phases,
    },
    warnings: packsChanged ? ['our repo packs changed during the run'] : [],
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const prefix = opt.quick ? 'transport-quick' : 'transport';
  const f1 = path.join(RESULTS_DIR, `${prefix}-${stamp}.json`);
  const f2 = path.join(RESULTS_DIR, `${prefix}-latest.json`);
  const json = JSON.stringify(result, null, 2) + '\n';
  fs.writeFileSync(f1, json);
  fs.writeFileSync(f2, json);
  console.log(`\nwrote ${path.relative(ROOT, f1)} and ${path.relative(ROOT, f2)} (${((Date.now() - t0) / 1000).toFixed(0)}s total)`);
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
async function preparePushBranches({ work, tip, rounds, mb, seed }) {
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
      files.push([`assets/bench-${r}/data-${String(i).padStart(3, '0')}.b64`, mark]);
    }
    const cm = ++mark;
    const ts = 1767225600 + r * 60;
    const msg = `Add generated assets batch ${r}\n`;
    s += `commit refs/heads/push-${r}\nmark :${cm}\nauthor Bench <bench@example.test> ${ts} +0000\ncommitter Bench <bench@example.test> ${ts} +0000\ndata ${Buffer.byteLength(msg)}\n${msg}from ${tip}\n`;
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
  for (let i = 0; i < rounds; i++) commits.push(await gitOut(['-C', work, 'rev-parse', `refs/heads/push-${i}`]));
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
