#!/usr/bin/env node
// Gitssy browsing benchmark: server latency of the JSON the browser UI loads for each view,
// against cgit (nginx + fcgiwrap + cgit.cgi) serving the same bare repository in the same run.
//
//   npm run bench:views                 (builds first)
//   node scripts/bench/views.mjs [--quick] [--iterations N] [--warmup N] [--keep] [--strict]
//                                [--only VIEWS] [--no-cgit-cache] [--no-browser]
//
// The repository is generated deterministically by gen-repo.mjs (≥50,000 commits, ≥10,000
// files, a deep directory, a 2,000-line file and a 400-file commit), adopted by our server with
// `gitssy admin import --move`, made public, and served from the same directory by cgit.
// Each view is requested once cold (the first request after start-up, reported apart), then
// warmed up, then measured: ours and cgit alternate, request after request, on one keep-alive
// connection each. Last, the server's resident memory is read after 5 s and 130 s idle (goal: 120 MB).
// Results: scripts/bench/results/views-latest.json (and views-<timestamp>.json).
//
// Only Node's standard library is used, plus playwright-core for the optional browser part.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { cachedRepo } from './gen-repo.mjs';
import { readStatusKb } from './proc.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const SERVER_MAIN = process.env.GITSSY_BENCH_SERVER_MAIN ? path.resolve(process.env.GITSSY_BENCH_SERVER_MAIN) : path.join(ROOT, 'dist', 'server', 'gitssy.js');
const RESULTS_DIR = path.join(HERE, 'results');
const CGIT_CGI = '/usr/lib/cgit/cgit.cgi';
const CHROMIUM = '/usr/bin/chromium';
const USER = 'alice';
const PASS = 'BenchPass-2026-gitssy';
const REPO = 'perf';
const TARGET_RATIO = 1.0;
const TARGET_P99_MS = 150;
const JS_BUDGET_BYTES = 250 * 1024;
// the idle memory goal (issue 18, point 7), read as bench:startup reads it
const GOAL_IDLE_RSS_MB = 120;
const MEMORY_SETTLE_MS = 5000;
const MEMORY_IDLE_MS = 130_000;
const LOG_LIMIT = 50; // our page size, and cgit's default max-commit-count

// The repository: big and lean (small files, one or two per commit, no data fixtures), so that
// 50,000 commits are generated in about a minute; `views` adds the browsing fixtures.
const GEN_FULL = { commits: 50_000, files: 10_000, views: true, editBytes: 1500, fixtureEvery: 0, maxLines: 160, newFileLines: 120, maxEditFiles: 2, repack: 'reuse' };
const GEN_QUICK = { ...GEN_FULL, commits: 12_000, files: 3_000 };

function usage() {
  return `usage: node scripts/bench/views.mjs [options]
  --quick             smaller repository (${GEN_QUICK.commits} commits, ${GEN_QUICK.files} files), fewer iterations
  --iterations N      measured requests per view and side (default 150; --quick 30)
  --warmup N          unmeasured requests per view and side first (default 10; --quick 3)
  --only LIST         only these views (comma-separated keys, see the table)
  --no-cgit-cache     skip the extra column of cgit with its cache on
  --no-browser        skip the JavaScript size and Chromium first-render part
  --nice N            run the benchmark (so both servers and all their children) at this nice value
                      (default -10 when root: other work on the machine disturbs both sides less; 0 = leave it)
  --keep              keep the temp dir (server data, logs)
  --strict            exit 1 when a target is missed
  --commits N --files N --seed N   repository parameters
  GITSSY_BENCH_SERVER_MAIN=path/to/gitssy.js runs against another build.`;
}

function parseArgs(argv) {
  const o = { quick: false, iterations: null, warmup: null, only: null, cgitCache: true, browser: true, keep: false, strict: false, nice: null, gen: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${a} needs a whole number`);
      return v;
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--iterations') o.iterations = num();
    else if (a === '--warmup') o.warmup = num();
    else if (a === '--only') o.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--no-cgit-cache') o.cgitCache = false;
    else if (a === '--no-browser') o.browser = false;
    else if (a === '--nice') o.nice = Number(argv[++i]);
    else if (a === '--keep') o.keep = true;
    else if (a === '--strict') o.strict = true;
    else if (a === '--commits') o.gen.commits = num();
    else if (a === '--files') o.gen.files = num();
    else if (a === '--seed') o.gen.seed = num();
    else if (a === '-h' || a === '--help') {
      console.log(usage());
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${usage()}`);
  }
  o.gen = { ...(o.quick ? GEN_QUICK : GEN_FULL), ...o.gen };
  o.iterations ??= o.quick ? 30 : 150;
  o.warmup ??= o.quick ? 3 : 10;
  if (o.iterations < 1) throw new Error('--iterations must be at least 1');
  return o;
}

const log = (m = '') => process.stderr.write(m + '\n');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// processes: each daemon in its own process group, all stopped on exit

const live = new Map(); // pid -> name
const tempDirs = [];
let keepTemp = false;
let cleanedUp = false;

function killGroup(pid, sig) {
  try {
    process.kill(-pid, sig);
  } catch {
    /* gone */
  }
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function cleanupSync() {
  if (cleanedUp) return;
  cleanedUp = true;
  const pids = [...live.keys()];
  for (const pid of pids) killGroup(pid, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (pids.some(groupAlive) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  for (const pid of pids) if (groupAlive(pid)) killGroup(pid, 'SIGKILL');
  live.clear();
  for (const d of tempDirs) {
    if (keepTemp) log(`kept: ${d}`);
    else fs.rmSync(d, { recursive: true, force: true, maxRetries: 3 });
  }
}

process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`\n${sig}: stopping, cleaning up...`);
    cleanupSync();
    process.exit(130);
  });
}

class BenchError extends Error {
  constructor(message, hint) {
    super(message);
    this.hint = hint;
  }
}

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
  child.on('error', (e) => (state.exited = { error: e.message }));
  return state;
}

/** VmRSS and VmHWM of a process in MB (null where /proc can't say). */
function procMemoryMb(pid) {
  const mb = (key) => {
    const kb = readStatusKb(pid, key);
    return kb === null ? null : kb / 1024;
  };
  return { rssMb: mb('VmRSS'), hwmMb: mb('VmHWM') };
}

function tail(file, n = 8) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitFor(what, fn, { timeout = 60_000, interval = 100, daemon } = {}) {
  const deadline = Date.now() + timeout;
  let lastErr;
  while (Date.now() < deadline) {
    if (daemon?.exited) throw new BenchError(`${daemon.name} exited (${JSON.stringify(daemon.exited)}) while waiting for ${what}\n--- ${daemon.logFile} ---\n${tail(daemon.logFile)}`);
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastErr = e;
    }
    await sleep(interval);
  }
  throw new BenchError(`timed out after ${timeout / 1000}s waiting for ${what}${lastErr ? `: ${lastErr.message}` : ''}${daemon ? `\n--- ${daemon.logFile} ---\n${tail(daemon.logFile)}` : ''}`);
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

function runSync(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: opts.timeout ?? 600_000, maxBuffer: 64 << 20, ...opts });
  if (r.error) throw new BenchError(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new BenchError(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}\n${(r.stderr || '').slice(-3000)}${(r.stdout || '').slice(-1000)}`);
  return r.stdout;
}

// ---------------------------------------------------------------------------
// CPU per side: utime + stime + reaped children of each root process and its live children, from
// /proc (clock ticks, so one request reads as 0 or 10 ms; the average over many is what counts).
// On a busy machine wall times mix in waiting for a CPU; this is the work each side did.

const TICK_MS = 10;

function ticksOf(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  } catch {
    return 0; // gone: its time is in its parent's children counters
  }
}

function childPids(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** CPU milliseconds used so far by these processes and their (live) children. */
function sideCpuMs(roots) {
  let ticks = 0;
  for (const pid of roots) {
    ticks += ticksOf(pid);
    for (const c of childPids(pid)) ticks += ticksOf(c);
  }
  return ticks * TICK_MS;
}

/**
 * fcgiwrap doesn't wait() for its CGI children, so their CPU shows up nowhere in /proc: cgit's
 * own work is measured by running cgit.cgi directly (same config, same request) and reading
 * this process's reaped-children counters.
 */
function cgitDirectCpuMs(config, pagePath, runs) {
  const [pathInfo, query = ''] = pagePath.split('?');
  const env = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: path.dirname(config),
    CGIT_CONFIG: config,
    GATEWAY_INTERFACE: 'CGI/1.1',
    REQUEST_METHOD: 'GET',
    SCRIPT_NAME: '/c',
    PATH_INFO: pathInfo,
    QUERY_STRING: query,
    GIT_CONFIG_NOSYSTEM: '1',
  };
  const own = () => {
    const f = fs.readFileSync('/proc/self/stat', 'utf8');
    const x = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return Number(x[13]) + Number(x[14]);
  };
  const t0 = own();
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(CGIT_CGI, [], { env, stdio: ['ignore', 'ignore', 'ignore'], timeout: 60_000 });
    if (r.status !== 0) throw new BenchError(`cgit.cgi ${pagePath} exited ${r.status ?? r.signal}`);
  }
  return ((own() - t0) * TICK_MS) / runs;
}

// ---------------------------------------------------------------------------
// HTTP: one keep-alive agent per side, bodies read to the end

function makeClient(base, headers = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const u = new URL(base);
  return function get(pathAndQuery) {
    return new Promise((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const req = http.request({ host: u.hostname, port: u.port, path: pathAndQuery, method: 'GET', agent, headers: { accept: 'application/json, text/html', ...headers } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - t0) / 1e6;
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), ms });
        });
        res.on('error', reject);
      });
      req.setTimeout(120_000, () => req.destroy(new Error(`GET ${pathAndQuery}: no answer in 120 s`)));
      req.on('error', reject);
      req.end();
    });
  };
}

function expectOk(r, what) {
  if (r.status !== 200) throw new BenchError(`${what} answered ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`);
  return r;
}

const json = (r) => JSON.parse(r.body.toString('utf8'));

// ---------------------------------------------------------------------------
// our server

async function startOurs({ dir, repoDir }) {
  if (!fs.existsSync(SERVER_MAIN)) throw new BenchError(`${path.relative(ROOT, SERVER_MAIN)} not found`, 'build first: `npm run build`, or run `npm run bench:views`');
  const data = path.join(dir, 'data');
  fs.mkdirSync(data, { recursive: true });
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('GIT_')) delete env[k];
  const cli = (args, what) => runSync(process.execPath, [SERVER_MAIN, ...args, '--data', data], { cwd: ROOT, env, timeout: 900_000 });
  cli(['admin', 'user', 'create', '--username', USER, '--password', PASS, '--email', `${USER}@example.test`, '--admin'], 'admin user create');
  // adopt a copy (import --move renames it into the data dir and writes the commit-graph)
  const from = path.join(dir, 'import');
  fs.mkdirSync(from);
  runSync('cp', ['-a', repoDir, path.join(from, `${REPO}.git`)]);
  const t0 = Date.now();
  cli(['admin', 'import', '--from', from, '--owner', USER, '--move'], 'admin import');
  const importSeconds = (Date.now() - t0) / 1000;

  const logFile = path.join(dir, 'server.log');
  const extra = process.env.GITSSY_BENCH_NODE_ARGS ? process.env.GITSSY_BENCH_NODE_ARGS.split(' ').filter(Boolean) : [];
  const srv = startDaemon('gitssy server', process.execPath, [...extra, SERVER_MAIN, 'serve', '--data', data, '--host', '127.0.0.1', '--http-port', '0', '--ssh-port', '0', '--git-port', '0'], {
    env,
    cwd: ROOT,
    logFile,
  });
  const portsFile = path.join(data, 'run', 'ports.json');
  const ports = await waitFor(
    portsFile,
    () => {
      if (!fs.existsSync(portsFile)) return null;
      const p = JSON.parse(fs.readFileSync(portsFile, 'utf8'));
      return p.http ? p : null;
    },
    { daemon: srv },
  );
  const base = `http://127.0.0.1:${ports.http}`;
  await waitFor(`${base}/ping`, async () => (await fetch(`${base}/ping`)).status === 200, { daemon: srv });
  // imported repositories start private: make it public, so both sides serve anonymous readers
  const auth = 'Basic ' + Buffer.from(`${USER}:${PASS}`).toString('base64');
  const res = await fetch(`${base}/api/v1/repos/${USER}/${REPO}`, { method: 'PATCH', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ private: false }) });
  if (res.status !== 200) throw new BenchError(`PATCH /api/v1/repos/${USER}/${REPO} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return { srv, base, data, logFile, repoDir: path.join(data, 'repos', USER, `${REPO}.git`), importSeconds, pid: Number(ports.pid) || srv.child.pid };
}

// ---------------------------------------------------------------------------
// cgit behind nginx + fcgiwrap: /c/ without its cache, /cc/ with it

function cgitrc({ repoDir, virtualRoot, cacheRoot, cacheSize }) {
  return [
    `cache-root=${cacheRoot}`,
    `cache-size=${cacheSize}`,
    `virtual-root=${virtualRoot}`,
    'root-title=bench',
    'enable-http-clone=0',
    'enable-index-links=0',
    'enable-commit-graph=0',
    'enable-log-filecount=0',
    'enable-log-linecount=0',
    'max-commit-count=50',
    'snapshots=',
    'css=/cgit.css',
    'logo=',
    `repo.url=${REPO}`,
    `repo.path=${repoDir}`,
    'repo.desc=benchmark repository',
    'repo.defbranch=main',
    '',
  ].join('\n');
}

function nginxConf({ prefix, port, sock, configs }) {
  const loc = (p, cfg) => `
    location ~ ^${p.replace(/\/$/, '')}(/.*)$ {
      fastcgi_param SCRIPT_FILENAME ${CGIT_CGI};
      fastcgi_param QUERY_STRING $args;
      fastcgi_param REQUEST_METHOD $request_method;
      fastcgi_param CONTENT_TYPE $content_type;
      fastcgi_param CONTENT_LENGTH $content_length;
      fastcgi_param REQUEST_URI $request_uri;
      fastcgi_param DOCUMENT_URI $document_uri;
      fastcgi_param SERVER_PROTOCOL $server_protocol;
      fastcgi_param GATEWAY_INTERFACE CGI/1.1;
      fastcgi_param REMOTE_ADDR $remote_addr;
      fastcgi_param SERVER_ADDR $server_addr;
      fastcgi_param SERVER_PORT $server_port;
      fastcgi_param SERVER_NAME $server_name;
      fastcgi_param HTTP_HOST $host;
      fastcgi_param SCRIPT_NAME ${p.replace(/\/$/, '')};
      fastcgi_param PATH_INFO $1;
      fastcgi_param CGIT_CONFIG ${cfg};
      fastcgi_param GIT_CONFIG_NOSYSTEM 1;
      fastcgi_pass unix:${sock};
    }`;
  // as root, nginx's workers would otherwise run as nobody and could not reach the socket
  return `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${prefix}/tmp/body;
  fastcgi_temp_path ${prefix}/tmp/fcgi;
  proxy_temp_path ${prefix}/tmp/proxy;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
  server {
    listen 127.0.0.1:${port};
    ${loc('/c/', configs.nocache)}
    ${loc('/cc/', configs.cache)}
  }
}
`;
}

async function startCgit({ dir, repoDir }) {
  for (const bin of ['/usr/sbin/nginx', '/usr/sbin/fcgiwrap', CGIT_CGI]) {
    if (!fs.existsSync(bin)) throw new BenchError(`${bin} not found`, 'apt-get install -y cgit nginx-light fcgiwrap');
  }
  const prefix = path.join(dir, 'cgit');
  for (const d of ['tmp/body', 'tmp/fcgi', 'tmp/proxy', 'tmp/uwsgi', 'tmp/scgi', 'cache']) fs.mkdirSync(path.join(prefix, d), { recursive: true });
  const configs = { nocache: path.join(prefix, 'cgitrc'), cache: path.join(prefix, 'cgitrc-cache') };
  fs.writeFileSync(configs.nocache, cgitrc({ repoDir, virtualRoot: '/c/', cacheRoot: path.join(prefix, 'cache-off'), cacheSize: 0 }));
  fs.writeFileSync(configs.cache, cgitrc({ repoDir, virtualRoot: '/cc/', cacheRoot: path.join(prefix, 'cache'), cacheSize: 1000 }));
  const sock = path.join(prefix, 'fcgi.sock');
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: prefix };
  const fcgi = startDaemon('fcgiwrap', '/usr/sbin/fcgiwrap', ['-c', '2', '-s', `unix:${sock}`], { env, cwd: prefix, logFile: path.join(prefix, 'fcgiwrap.log') });
  await waitFor('fcgiwrap socket', () => fs.existsSync(sock), { daemon: fcgi, timeout: 15_000 });
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    fs.writeFileSync(path.join(prefix, 'nginx.conf'), nginxConf({ prefix, port, sock, configs }));
    const ng = startDaemon('nginx', '/usr/sbin/nginx', ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-e', path.join(prefix, 'error.log')], {
      env,
      cwd: prefix,
      logFile: path.join(prefix, 'nginx.out.log'),
    });
    try {
      await waitFor(
        'nginx + cgit',
        async () => {
          const r = await fetch(`http://127.0.0.1:${port}/c/${REPO}/`);
          const body = await r.text();
          if (r.status !== 200 || !body.includes('benchmark repository')) throw new Error(`cgit answered ${r.status}: ${body.slice(0, 200)}`);
          return true;
        },
        { daemon: ng, timeout: 15_000 },
      );
      const v = spawnSync('/usr/sbin/nginx', ['-v'], { encoding: 'utf8' }).stderr.trim();
      return { port, base: `http://127.0.0.1:${port}`, nginx: ng, fcgi, prefix, configs, nginxVersion: v };
    } catch (e) {
      if (ng.exited && /Address already in use/.test(tail(path.join(prefix, 'error.log'))) && attempt < 4) continue;
      throw new BenchError(`${e.message}\n--- nginx error.log ---\n${tail(path.join(prefix, 'error.log'))}\n--- fcgiwrap ---\n${tail(path.join(prefix, 'fcgiwrap.log'))}`);
    }
  }
}

// ---------------------------------------------------------------------------
// views: what each side loads for one page

const enc = (p) => p.split('/').map(encodeURIComponent).join('/');

/**
 * Each view: `ours(get)` does the requests the browser makes and returns { ms, bytes, calls, info };
 * `cgit` is the path of the equivalent cgit page (under /c/ or /cc/).
 */
function defineViews(ctx) {
  const api = `/api/v1/repos/${USER}/${REPO}`;
  const { views, branch } = ctx;
  const one = (url, check) => async (get) => {
    const r = expectOk(await get(url), url);
    const info = check ? check(json(r)) : undefined;
    return { ms: r.ms, bytes: r.body.length, calls: [url], info };
  };
  const treeCheck = (body) => {
    if (!Array.isArray(body.entries) || body.entries.length === 0) throw new BenchError(`tree view without entries: ${JSON.stringify(body).slice(0, 200)}`);
    return { entries: body.entries.length, pending: body.pending?.length ?? 0, withLastCommit: body.entries.filter((e) => e.last_commit).length };
  };
  return [
    {
      key: 'home-sequential',
      title: 'repo home, one call after the other (info)',
      info: true,
      how: 'GET repo, then GET tree/<default branch>?kind=branch (sequential: what a client that waits for the default branch pays) = sum; informational',
      async ours(get) {
        const a = expectOk(await get(api), api);
        const repo = json(a);
        const turl = `${api}/tree/${enc(repo.default_branch)}?kind=branch`;
        const b = expectOk(await get(turl), turl);
        const info = treeCheck(json(b));
        info.readme = json(b).readme?.path ?? null;
        return { ms: a.ms + b.ms, bytes: a.body.length + b.body.length, calls: [api, turl], info };
      },
      cgit: `/${REPO}/`,
      cgitWhat: 'summary (branches, tags, last 10 commits; no README)',
    },
    {
      key: 'home',
      title: 'repo home',
      how: 'GET repo and GET tree/@?kind=branch (`@` = the default branch) at the same time, as renderer/ does = wall time of both',
      async ours(get) {
        const t0 = process.hrtime.bigint();
        const turl = `${api}/tree/@?kind=branch`;
        const [a, b] = await Promise.all([get(api), get(turl)]);
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        expectOk(a, api);
        const info = treeCheck(json(expectOk(b, turl)));
        return { ms, bytes: a.body.length + b.body.length, calls: [api, turl], info };
      },
      cgit: `/${REPO}/`,
      cgitWhat: 'summary',
    },
    {
      key: 'tree',
      title: 'root tree + last commits',
      how: 'GET tree/<branch>?kind=branch (budget_ms default)',
      ours: one(`${api}/tree/${branch}?kind=branch`, treeCheck),
      cgit: `/${REPO}/tree/`,
      cgitWhat: 'tree (cgit shows no last commit per entry)',
    },
    {
      key: 'deep-tree',
      title: `deep tree (${views.deepDir.split('/').length} levels)`,
      how: 'GET tree/<branch>/<deep dir>?kind=branch',
      ours: one(`${api}/tree/${branch}/${enc(views.deepDir)}?kind=branch`, treeCheck),
      cgit: `/${REPO}/tree/${enc(views.deepDir)}`,
      cgitWhat: 'tree of the same directory',
    },
    {
      key: 'file',
      title: `${views.bigFileLines}-line file`,
      how: 'GET tree/<branch>/<file>?kind=branch (content and highlighted HTML)',
      ours: one(`${api}/tree/${branch}/${enc(views.bigFile)}?kind=branch`, (b) => {
        if (!b.file || typeof b.file.content !== 'string') throw new BenchError(`file view without content: ${JSON.stringify(b).slice(0, 200)}`);
        return { lines: b.file.content.split('\n').length - 1, highlighted: typeof b.file.highlighted_html === 'string', language: b.file.language ?? null };
      }),
      cgit: `/${REPO}/tree/${enc(views.bigFile)}`,
      cgitWhat: 'blob with line numbers, source-filter off (no highlighting)',
    },
    {
      key: 'log-1',
      title: 'log page 1',
      how: `GET commits?sha=<branch>&page=1&limit=${LOG_LIMIT}`,
      ours: one(`${api}/commits?sha=${branch}&page=1&limit=${LOG_LIMIT}`, (b) => ({ commits: b.length })),
      cgit: `/${REPO}/log/`,
      cgitWhat: 'log, 50 commits',
    },
    {
      key: 'log-200',
      title: 'log page 200',
      how: `GET commits?sha=<branch>&page=200&limit=${LOG_LIMIT}`,
      ours: one(`${api}/commits?sha=${branch}&page=200&limit=${LOG_LIMIT}`, (b) => {
        if (b.length !== LOG_LIMIT) throw new BenchError(`log page 200 has ${b.length} commits (the repository needs ${200 * LOG_LIMIT} commits)`);
        return { commits: b.length };
      }),
      cgit: `/${REPO}/log/?ofs=${199 * LOG_LIMIT}`,
      cgitWhat: `log?ofs=${199 * LOG_LIMIT}`,
    },
    {
      key: 'diff',
      title: `large commit (${ctx.bigDiff.files} files)`,
      how: 'GET commits/<sha>/diff (the UI diff: commit, files, capped patches)',
      ours: one(`${api}/commits/${views.bigDiffCommit}/diff`, (b) => ({ files: b.files.length, total_files: b.total_files, withPatch: b.files.filter((f) => f.patch).length, truncated: b.truncated })),
      cgit: `/${REPO}/commit/?id=${views.bigDiffCommit}`,
      cgitWhat: 'commit with its full diff',
    },
    {
      key: 'commit',
      title: 'large commit, git/commits',
      how: 'GET git/commits/<sha> (Gitea shape: files and stats)',
      ours: one(`${api}/git/commits/${views.bigDiffCommit}`, (b) => ({ files: b.files?.length ?? 0 })),
      cgit: `/${REPO}/commit/?id=${views.bigDiffCommit}`,
      cgitWhat: 'commit with its full diff',
    },
  ];
}

function pct(xs, p) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

function stats(xs) {
  return { n: xs.length, p50: pct(xs, 50), p90: pct(xs, 90), p99: pct(xs, 99), min: Math.min(...xs), max: Math.max(...xs), mean: xs.reduce((a, b) => a + b, 0) / xs.length };
}

async function cgitGet(get, prefix, p) {
  const r = await get(prefix + p);
  if (r.status !== 200) throw new BenchError(`cgit ${prefix}${p} answered ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`);
  return { ms: r.ms, bytes: r.body.length };
}

/** Time until the tree's `pending` list is empty, following up the way the UI does. */
async function treeUntilComplete(get, url) {
  let total = 0;
  let rounds = 0;
  let r = expectOk(await get(url), url);
  total += r.ms;
  const firstMs = r.ms;
  let body = json(r);
  const firstPending = body.pending?.length ?? 0;
  const t0 = Date.now();
  while ((body.pending?.length ?? 0) > 0 && Date.now() - t0 < 120_000) {
    rounds++;
    const again = url.replace(/\/tree\/[^/?]+/, `/tree/${body.ref.commit}`).replace('kind=branch', 'kind=commit');
    r = expectOk(await get(again), again);
    total += r.ms;
    body = json(r);
  }
  return { url, firstMs, firstPending, completeMs: firstMs + (Date.now() - t0), followUps: rounds, pendingLeft: body.pending?.length ?? 0 };
}

// ---------------------------------------------------------------------------
// browser: JavaScript shipped and time to first render

function findRendererIndex() {
  for (const d of ['dist/renderer', 'dist/client', 'renderer/dist', 'dist/web']) {
    const p = path.join(ROOT, d, 'index.html');
    if (fs.existsSync(p)) return p;
  }
  return null;
}

async function browserPart(ours) {
  const out = { ok: false, reason: null };
  const index = await makeClient(ours.base)('/');
  const html = index.body.toString('utf8');
  const onDisk = findRendererIndex();
  if (index.status !== 200 || !/<script/i.test(html)) {
    out.reason = `the server does not serve the browser UI at / yet (GET / answered ${index.status}${onDisk ? `; ${path.relative(ROOT, onDisk)} exists` : '; no renderer build found'})`;
    return out;
  }
  // the JavaScript index.html loads up front: module scripts and modulepreloads
  const srcs = new Set();
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"[^>]*>/gi)) srcs.add(m[1]);
  for (const m of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"[^>]*>/gi)) srcs.add(m[1]);
  for (const m of html.matchAll(/<link\b[^>]*\bhref="([^"]+)"[^>]*\brel="modulepreload"[^>]*>/gi)) srcs.add(m[1]);
  const get = makeClient(ours.base);
  const files = [];
  for (const src of srcs) {
    const u = new URL(src, ours.base + '/');
    const r = await get(u.pathname + u.search);
    if (r.status !== 200) throw new BenchError(`GET ${u.pathname} (from index.html) answered ${r.status}`);
    files.push({ path: u.pathname, bytes: r.body.length, gzip: zlib.gzipSync(r.body, { level: 9 }).length });
  }
  out.js = {
    files,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    gzip: files.reduce((n, f) => n + f.gzip, 0),
    budget: JS_BUDGET_BYTES,
    note: 'scripts and modulepreloads named by index.html, gzip -9 each',
  };

  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    out.reason = `playwright-core not importable: ${e.message}`;
    return out;
  }
  if (!fs.existsSync(CHROMIUM)) {
    out.reason = `${CHROMIUM} not found (apt-get install -y chromium)`;
    return out;
  }
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitssy-bench-chromium-'));
  tempDirs.push(userDir);
  const ctx = await chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    const url = `${ours.base}/${USER}/${REPO}`;
    const readmeSel = process.env.GITSSY_BENCH_README_SELECTOR || '[data-testid="readme"], .markdown-body, article.markdown, [class*="readme" i]';
    const runs = [];
    // the JavaScript the browser fetched for the first (cold) load: lazy route chunks included
    const fetchedJs = new Map();
    const onResponse = async (resp) => {
      try {
        if (resp.request().resourceType() !== 'script' || fetchedJs.has(resp.url())) return;
        const body = await resp.body();
        fetchedJs.set(resp.url(), { bytes: body.length, gzip: zlib.gzipSync(body, { level: 9 }).length });
      } catch {
        /* a response without a body */
      }
    };
    page.on('response', onResponse);
    for (let i = 0; i < 4; i++) {
      if (i === 1) {
        page.off('response', onResponse);
        const files = [...fetchedJs].map(([u, v]) => ({ path: new URL(u).pathname, ...v }));
        out.jsFetched = {
          files,
          bytes: files.reduce((n, f) => n + f.bytes, 0),
          gzip: files.reduce((n, f) => n + f.gzip, 0),
          note: 'every script Chromium fetched for the cold load of the repo home, gzip -9 each',
        };
      }
      const t0 = Date.now();
      await page.goto(url, { waitUntil: 'commit' });
      await page.waitForSelector(readmeSel, { timeout: 30_000 });
      const wall = Date.now() - t0;
      const paint = await page.evaluate(() => {
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        return { fcp: fcp ? fcp.startTime : null, readme: performance.now() };
      });
      runs.push({ run: i === 0 ? 'cold' : 'warm', wallMs: wall, fcpMs: paint.fcp, readmeMs: paint.readme });
    }
    out.firstRender = { url, selector: readmeSel, runs, note: 'readmeMs = performance.now() when the README selector appeared (from navigation start); first run with an empty browser cache' };
    out.ok = true;
  } catch (e) {
    out.reason = `Chromium run failed: ${e.message.split('\n')[0]}`;
  } finally {
    await ctx.close().catch(() => {});
  }
  return out;
}

// ---------------------------------------------------------------------------

const fmt = (v, d = 1) => (v === null || v === undefined ? '-' : v.toFixed(d));

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  keepTemp = opt.keep;
  const startedAt = new Date();
  // Every process of both sides descends from this one and inherits its priority.
  let nice = os.getPriority(0);
  const wantNice = opt.nice ?? (process.getuid?.() === 0 ? -10 : 0);
  if (wantNice !== nice) {
    try {
      os.setPriority(0, wantNice);
      nice = os.getPriority(0);
    } catch (e) {
      log(`note: could not set nice ${wantNice} (${e.message}); running at ${nice}`);
    }
  }

  log(`repo: preparing the synthetic repository (${opt.gen.commits} commits, ${opt.gen.files} files) ...`);
  const genT0 = Date.now();
  const repo = await cachedRepo(opt.gen);
  if (!repo.views) throw new BenchError(`${repo.dir} has no browsing fixtures (views)`, 'remove the cache entry and run again');
  log(
    `repo: ${repo.dir}\n      ${repo.commits} commits, ${repo.files} files, pack ${(repo.packBytes / 1048576).toFixed(1)} MiB` +
      (repo.cached ? ' (cached)' : ` (generated in ${((Date.now() - genT0) / 1000).toFixed(0)} s)`),
  );

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gitssy-bench-views-'));
  tempDirs.push(tmp);
  log('ours: importing and starting the server ...');
  const ours = await startOurs({ dir: tmp, repoDir: repo.dir });
  log(`ours: ${ours.base} (import took ${ours.importSeconds.toFixed(1)} s)`);
  log('cgit: starting nginx + fcgiwrap ...');
  const cgit = await startCgit({ dir: tmp, repoDir: ours.repoDir });
  log(`cgit: ${cgit.base}/c/${REPO}/ (cache off), ${cgit.base}/cc/${REPO}/ (cache on)`);

  const bigDiffFiles = Number(runSync('git', ['--git-dir', ours.repoDir, 'diff-tree', '--no-commit-id', '-r', '--name-only', repo.views.bigDiffCommit]).trim().split('\n').length);
  const depth = repo.views.deepDir.split('/').length;
  let all = defineViews({ views: repo.views, branch: 'main', bigDiff: { files: bigDiffFiles } });
  if (opt.only) {
    const unknown = opt.only.filter((k) => !all.some((v) => v.key === k));
    if (unknown.length) throw new BenchError(`unknown view(s) ${unknown.join(', ')}; choose from ${all.map((v) => v.key).join(', ')}`);
    all = all.filter((v) => opt.only.includes(v.key));
  }

  const oursGet = makeClient(ours.base);
  const oursPids = [ours.pid];
  const cgitPids = [cgit.nginx.child.pid, cgit.fcgi.child.pid];
  const cgitGetter = makeClient(cgit.base);

  // cold: the root tree first, followed up until no row is pending; then the first request of each view
  log('cold: first request per view ...');
  let treeComplete = null;
  if (all.some((v) => v.key === 'tree' || v.key === 'home')) {
    treeComplete = await treeUntilComplete(oursGet, `/api/v1/repos/${USER}/${REPO}/tree/main?kind=branch`);
    log(
      `  root tree: first answer ${fmt(treeComplete.firstMs)} ms with ${treeComplete.firstPending} rows pending; nothing pending after ${fmt(treeComplete.completeMs)} ms (${treeComplete.followUps} follow-ups)`,
    );
  }
  const cold = {};
  for (const v of all) {
    const o = await v.ours(oursGet);
    const c = await cgitGet(cgitGetter, '/c', v.cgit);
    const cc = opt.cgitCache ? await cgitGet(cgitGetter, '/cc', v.cgit) : null;
    cold[v.key] = { ours: v.key === 'tree' && treeComplete ? treeComplete.firstMs : o.ms, cgit: c.ms, cgitCache: cc?.ms ?? null, info: o.info };
    log(`  ${v.key.padEnd(10)} ours ${fmt(o.ms)} ms  cgit ${fmt(c.ms)} ms${o.info ? `  ${JSON.stringify(o.info)}` : ''}`);
  }

  // warm-up, then measured rounds: ours and cgit alternate, the order flips every round
  log(`warm: ${opt.warmup} warm-up + ${opt.iterations} measured requests per view and side ...`);
  const samples = {};
  for (const v of all) {
    const s = (samples[v.key] = { ours: [], cgit: [], cgitCache: [], bytes: { ours: 0, cgit: 0 }, cpu: { ours: 0, cgit: 0 } });
    for (let i = 0; i < opt.warmup + opt.iterations; i++) {
      const measured = i >= opt.warmup;
      const runOurs = async () => {
        const c0 = measured ? sideCpuMs(oursPids) : 0;
        const r = await v.ours(oursGet);
        if (measured) s.cpu.ours += sideCpuMs(oursPids) - c0;
        if (measured) s.ours.push(r.ms);
        s.bytes.ours = r.bytes;
      };
      const runCgit = async () => {
        const c0 = measured ? sideCpuMs(cgitPids) : 0;
        const r = await cgitGet(cgitGetter, '/c', v.cgit);
        if (measured) s.cpu.cgit += sideCpuMs(cgitPids) - c0;
        if (measured) s.cgit.push(r.ms);
        s.bytes.cgit = r.bytes;
        if (opt.cgitCache) {
          const rc = await cgitGet(cgitGetter, '/cc', v.cgit);
          if (measured) s.cgitCache.push(rc.ms);
        }
      };
      if (i % 2) {
        await runCgit();
        await runOurs();
      } else {
        await runOurs();
        await runCgit();
      }
    }
    s.cpu.cgitProcess = cgitDirectCpuMs(cgit.configs.nocache, v.cgit, opt.quick ? 10 : 20);
    const so = stats(s.ours);
    const sc = stats(s.cgit);
    log(`  ${v.key.padEnd(10)} ours p50 ${fmt(so.p50)} p99 ${fmt(so.p99)} | cgit p50 ${fmt(sc.p50)} p99 ${fmt(sc.p99)}`);
  }

  let browser = null;
  if (opt.browser) {
    log('browser: JavaScript shipped and first render ...');
    browser = await browserPart(ours).catch((e) => ({ ok: false, reason: e.message }));
    if (!browser.ok && browser.reason) log(`browser: skipped: ${browser.reason}`);
  }

  // memory once the load is over (issue 18, point 7: <= 120 MB resident when idle, also after
  // this benchmark): the server's VmRSS and peak after the same 5 s bench:startup waits, and
  // again once the render worker threads have left (they stay 2 minutes idle)
  log(`memory: the server's resident set after ${MEMORY_SETTLE_MS / 1000} s and after ${MEMORY_IDLE_MS / 1000} s idle ...`);
  await new Promise((r) => setTimeout(r, MEMORY_SETTLE_MS));
  const soon = procMemoryMb(ours.pid);
  await new Promise((r) => setTimeout(r, MEMORY_IDLE_MS - MEMORY_SETTLE_MS));
  const idle = procMemoryMb(ours.pid);
  const memory = { goalMb: GOAL_IDLE_RSS_MB, soon: { afterMs: MEMORY_SETTLE_MS, ...soon }, idle: { afterMs: MEMORY_IDLE_MS, ...idle } };

  // report
  const rows = all.map((v) => {
    const s = samples[v.key];
    const o = stats(s.ours);
    const c = stats(s.cgit);
    const cc = s.cgitCache.length ? stats(s.cgitCache) : null;
    const ratio = o.p50 / c.p50;
    return {
      key: v.key,
      title: v.title,
      ours: { ...o, cold: cold[v.key].ours, bytes: s.bytes.ours, cpuMs: s.cpu.ours / s.ours.length, how: v.how },
      cgit: {
        ...c,
        cold: cold[v.key].cgit,
        bytes: s.bytes.cgit,
        cpuMs: s.cpu.cgit / s.cgit.length + s.cpu.cgitProcess,
        cpuFrontMs: s.cpu.cgit / s.cgit.length,
        cpuCgitMs: s.cpu.cgitProcess,
        path: `/c${v.cgit}`,
        what: v.cgitWhat,
      },
      cgitCache: cc ? { ...cc, cold: cold[v.key].cgitCache } : null,
      ratio,
      info: cold[v.key].info,
      pass: { ratio: ratio < TARGET_RATIO, p99: o.p99 < TARGET_P99_MS },
      informational: v.info === true,
    };
  });
  const out = [];
  const head = ['view', 'ours p50', 'ours p99', 'ours cold', 'cgit p50', 'cgit p99', 'cgit cold', 'ratio', ...(opt.cgitCache ? ['cgit+cache p50'] : []), 'CPU ours/cgit', 'target'];
  const table = [head];
  for (const r of rows) {
    table.push([
      r.title,
      fmt(r.ours.p50),
      fmt(r.ours.p99),
      fmt(r.ours.cold),
      fmt(r.cgit.p50),
      fmt(r.cgit.p99),
      fmt(r.cgit.cold),
      fmt(r.ratio, 2),
      ...(opt.cgitCache ? [fmt(r.cgitCache?.p50)] : []),
      `${fmt(r.ours.cpuMs)}/${fmt(r.cgit.cpuMs)}`,
      (r.informational ? '(info) ' : '') + (r.pass.ratio && r.pass.p99 ? 'PASS' : `FAIL${r.pass.ratio ? '' : ' ratio'}${r.pass.p99 ? '' : ' p99'}`),
    ]);
  }
  const widths = head.map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
  for (const [i, row] of table.entries()) {
    out.push(row.map((c, j) => (j === 0 ? String(c).padEnd(widths[j]) : String(c).padStart(widths[j]))).join('  '));
    if (i === 0) out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  const notes = [
    `times in ms, server latency seen by a keep-alive HTTP client on 127.0.0.1; ${opt.iterations} measured requests per view and side after ${opt.warmup} warm-up; cold = first request after start-up; both sides at nice ${nice}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at the end`,
    `repo: ${repo.commits} commits, ${repo.files} files, pack ${(repo.packBytes / 1048576).toFixed(0)} MiB; deep dir ${depth} levels; big file ${repo.views.bigFileLines} lines; big commit ${bigDiffFiles} files`,
    'ratio = ours p50 / cgit p50 (cgit with cache-size=0); targets: ratio < 1.0 and ours p99 < 150 ms',
    'CPU = ms of CPU per request and side, from /proc in 10 ms ticks averaged over many requests; ours: the server and its git children; cgit: nginx + fcgiwrap during the run, plus cgit.cgi itself run directly (fcgiwrap does not wait() for it, so its time shows up nowhere)',
    'repo home: ours = GET repo and GET tree/@ (the default branch) at once, as renderer/ does (wall time of both); cgit = summary page (no README, no last-commit column)',
    'repo home, one call after the other: GET repo, then GET tree/<default branch>, summed; informational, not a target',
    "cgit's tree has no last commit per entry; ours includes the last-commit column",
    'file: cgit blob view with its source-filter off (no highlighting); ours = the tree endpoint with content and highlighted HTML (highlight.js, cached by blob id)',
  ];
  if (treeComplete)
    notes.push(
      `root tree, cold (the very first request): first answer ${fmt(treeComplete.firstMs)} ms with ${treeComplete.firstPending} rows pending; every row filled after ${fmt(treeComplete.completeMs)} ms (${treeComplete.followUps} follow-up requests); the repo home's cold time comes after it`,
    );
  if (browser?.js)
    notes.push(
      `initial JavaScript (index.html's scripts and modulepreloads): ${(browser.js.gzip / 1024).toFixed(1)} KiB gzip (${browser.js.files.length} files, ${(browser.js.bytes / 1024).toFixed(0)} KiB raw); budget 250 KiB: ${browser.js.gzip <= JS_BUDGET_BYTES ? 'PASS' : 'FAIL'}`,
    );
  if (browser?.jsFetched)
    notes.push(
      `JavaScript fetched for the first load of the repo home (lazy chunks included): ${(browser.jsFetched.gzip / 1024).toFixed(1)} KiB gzip (${browser.jsFetched.files.length} files, ${(browser.jsFetched.bytes / 1024).toFixed(0)} KiB raw); budget 250 KiB: ${browser.jsFetched.gzip <= JS_BUDGET_BYTES ? 'PASS' : 'FAIL'}`,
    );
  if (browser?.firstRender)
    for (const r of browser.firstRender.runs) notes.push(`first render (${r.run}): README visible after ${fmt(r.readmeMs, 0)} ms, first contentful paint ${fmt(r.fcpMs, 0)} ms`);
  if (browser && !browser.ok) notes.push(`browser part not measured: ${browser.reason}`);
  for (const m of [memory.soon, memory.idle])
    if (m.rssMb !== null)
      notes.push(
        `server memory after the benchmark, ${m.afterMs / 1000} s idle: RSS ${m.rssMb.toFixed(1)} MB (peak ${m.hwmMb?.toFixed(1) ?? '?'} MB); goal <= ${GOAL_IDLE_RSS_MB} MB idle: ${m.rssMb <= GOAL_IDLE_RSS_MB ? 'PASS' : 'FAIL'}`,
      );
  console.log('\n' + out.join('\n') + '\n\n' + notes.map((n) => `- ${n}`).join('\n'));

  const failed = rows.filter((r) => !r.informational && !(r.pass.ratio && r.pass.p99));
  const result = {
    version: 1,
    startedAt: startedAt.toISOString(),
    seconds: (Date.now() - startedAt.getTime()) / 1000,
    quick: opt.quick,
    host: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      node: process.version,
      git: spawnSync('git', ['--version'], { encoding: 'utf8' }).stdout.trim(),
      nginx: cgit.nginxVersion,
      cgit: spawnSync('dpkg-query', ['-W', '-f=${Version}', 'cgit'], { encoding: 'utf8' }).stdout,
    },
    repo: { commits: repo.commits, files: repo.files, packBytes: repo.packBytes, tip: repo.tip, params: repo.params, views: repo.views, bigDiffFiles, deepDirLevels: depth },
    options: { iterations: opt.iterations, warmup: opt.warmup, nice },
    targets: { ratio: TARGET_RATIO, p99Ms: TARGET_P99_MS, jsGzipBytes: JS_BUDGET_BYTES },
    views: rows,
    treeComplete,
    browser,
    memory,
    notes,
    pass: failed.length === 0,
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const name = opt.quick ? `views-quick-${stamp}.json` : `views-${stamp}.json`;
  fs.writeFileSync(path.join(RESULTS_DIR, name), JSON.stringify(result, null, 2) + '\n');
  if (!opt.quick && !opt.only) fs.writeFileSync(path.join(RESULTS_DIR, 'views-latest.json'), JSON.stringify(result, null, 2) + '\n');
  log(`\nresults: ${path.relative(ROOT, path.join(RESULTS_DIR, name))}${!opt.quick && !opt.only ? ' and views-latest.json' : ''}`);
  log(failed.length ? `targets missed: ${failed.map((r) => r.key).join(', ')}` : 'all views meet the targets');
  return opt.strict && failed.length ? 1 : 0;
}

main()
  .then((code) => {
    cleanupSync();
    process.exit(code);
  })
  .catch((e) => {
    log(`\nviews benchmark failed: ${e.message}${e.hint ? `\nhint: ${e.hint}` : ''}`);
    if (!(e instanceof BenchError)) log(e.stack);
    cleanupSync();
    process.exit(2);
  });
