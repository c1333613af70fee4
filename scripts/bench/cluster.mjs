#!/usr/bin/env node
// Gitssy scale-out benchmark: one forge behind nginx (build/nginx/gitssy.conf) on one and on two
// instances sharing PostgreSQL, Redis and the repository store, and the API's main read views on
// SQLite against PostgreSQL.
//
//   npm run bench:cluster                      (builds first)
//   node scripts/bench/cluster.mjs [--clones N] [--pushers N] [--commits N] [--runs N] [--keep]
//
// 1. Git through nginx, 1 instance vs 2: --clones (default 200) concurrent `git clone --bare` of
//    a generated repository (--commits, default 2,000), then --pushers (default 50) concurrent
//    pushes of one new commit each to a branch of their own (their clones made beforehand,
//    outside the timing). Aggregate throughput (operations per second of wall time) and p50/p99
//    of each operation's own time. The same nginx, the same database and store; only the
//    upstream list differs.
// 2. The API's main read views, --runs (default 200) requests each, one at a time, on SQLite and
//    then on PostgreSQL with the same records: the install is made on SQLite, measured, moved with
//    `gitssy admin migrate-db` and measured again (one instance each time).
// Needs PostgreSQL (initdb, pg_ctl), redis-server and nginx on this machine (.ci/run installs
// them). Results: scripts/bench/results/cluster-latest.json.
import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { cachedRepo } from './gen-repo.mjs';
import { renderSample } from '../../build/nginx/render.mjs';

const exec = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const CLI = path.join(ROOT, 'dist', 'server', 'gitssy.js');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const CLONES = opt('clones', 200);
const PUSHERS = opt('pushers', 50);
const COMMITS = opt('commits', 2000);
const RUNS = opt('runs', 200);
const KEEP = args.includes('--keep');
const ADMIN = ['alice', 'alice-bench-pass-1'];

const log = (...a) => console.log(...a);
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const r1 = (x) => Math.round(x * 10) / 10;
const stopAll = [];

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function findBin(name, extra = []) {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin', ...extra]) if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  return null;
}

async function startPostgres(tmp) {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  const bin = findBin('initdb') ? path.dirname(findBin('initdb')) : versions.length ? path.join(root, versions.sort((a, b) => b - a)[0], 'bin') : null;
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const dir = path.join(tmp, 'pg');
  await fs.mkdir(dir);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number((await exec('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await exec('id', ['-g', 'postgres'])).stdout.trim());
    await fs.chown(dir, uid, gid);
  }
  const as = (cmd, a) => (asRoot ? exec('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...a]) : exec(path.join(bin, cmd), a));
  const port = await freePort();
  const data = path.join(dir, 'data');
  await as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  await as('pg_ctl', ['-D', data, '-w', '-l', path.join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`, 'start']);
  stopAll.push(() => as('pg_ctl', ['-D', data, '-m', 'fast', 'stop']).catch(() => {}));
  const { default: pg } = await import('pg');
  const base = `postgres://postgres@127.0.0.1:${port}`;
  return {
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: `${base}/postgres` });
      await c.connect();
      await c.query(`CREATE DATABASE ${name}`);
      await c.end();
      return `${base}/${name}`;
    },
  };
}

async function startRedis() {
  const bin = findBin('redis-server');
  if (!bin) throw new Error('redis-server is not installed (apt-get install redis-server)');
  const port = await freePort();
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  stopAll.push(() => child.kill('SIGTERM'));
  for (let i = 0; i < 100; i++) {
    if (await canConnect(port)) return `redis://127.0.0.1:${port}`;
    await sleep(50);
  }
  throw new Error('redis-server did not start');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const canConnect = (port) =>
  new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

/** nginx with the sample configuration, its upstreams and listen port replaced (as the tests do). */
async function startNginx(tmp, upstreams) {
  const bin = findBin('nginx');
  if (!bin) throw new Error('nginx is not installed (apt-get install nginx-light)');
  const dir = await fs.mkdtemp(path.join(tmp, 'nginx-'));
  const t = path.join(dir, 'tmp');
  await fs.mkdir(t);
  await fs.chmod(dir, 0o755);
  await fs.chmod(t, 0o777);
  const port = await freePort();
  const conf = renderSample(await fs.readFile(path.join(ROOT, 'build/nginx/gitssy.conf'), 'utf8'), upstreams, `127.0.0.1:${port}`);
  await fs.writeFile(path.join(dir, 'gitssy.conf'), conf);
  await fs.writeFile(
    path.join(dir, 'nginx.conf'),
    `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\nworker_processes auto;\nevents { worker_connections 4096; }\nhttp {\n  access_log off;\n${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((x) => `  ${x}_temp_path ${t}/${x};`).join('\n')}\n  include ${dir}/gitssy.conf;\n}\n`,
  );
  const child = spawn(bin, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !(await canConnect(port)); i++) await sleep(50);
  return {
    port,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function startInstance(tmp, name, env) {
  const data = path.join(tmp, name);
  await fs.mkdir(data, { recursive: true });
  const child = spawn(process.execPath, [CLI, 'serve', '--data', data, '--host', '127.0.0.1', '--http-port', '0', '--ssh-port', '0'], {
    env: { PATH: process.env.PATH, GITSSY_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const portsFile = path.join(data, 'run', 'ports.json');
  for (let i = 0; ; i++) {
    const ports = await fs
      .readFile(portsFile, 'utf8')
      .then(JSON.parse)
      .catch(() => null);
    if (ports?.pid === child.pid) {
      const inst = {
        data,
        port: ports.http,
        url: `http://127.0.0.1:${ports.http}`,
        async stop() {
          if (child.exitCode !== null) return;
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        },
      };
      stopAll.push(() => inst.stop());
      return inst;
    }
    if (child.exitCode !== null || i > 600) throw new Error(`${name} did not start: ${err}`);
    await sleep(50);
  }
}

function cli(args, env) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gitssy ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function git(args, opts = {}) {
  const t0 = performance.now();
  await exec('git', args, { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' }, ...opts });
  return performance.now() - t0;
}

async function api(base, method, p, body) {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: { Authorization: `Basic ${Buffer.from(ADMIN.join(':')).toString('base64')}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

const gitUrl = (port, repo) => `http://${ADMIN[0]}:${ADMIN[1]}@127.0.0.1:${port}/${repo}`;

/** Busy and total CPU jiffies of the whole machine (every core), from /proc/stat. */
async function cpuTimes() {
  const line = (await fs.readFile('/proc/stat', 'utf8')).split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = line[3] + (line[4] ?? 0);
  const total = line.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}
const busyShare = (a, b) => Math.round(((b.busy - a.busy) / Math.max(1, b.total - a.total)) * 100);

/** N concurrent clones and M concurrent pushes through nginx at `port`. */
async function gitLoad(tmp, port, label, repo) {
  const work = await fs.mkdtemp(path.join(tmp, `${label}-`));
  log(`  ${CLONES} concurrent clones ...`);
  let t0 = performance.now();
  let cpu0 = await cpuTimes();
  const cloneMs = await Promise.all(Array.from({ length: CLONES }, (_, i) => git(['clone', '-q', '--bare', gitUrl(port, repo), path.join(work, `c${i}`)])));
  const cloneWall = performance.now() - t0;
  const cloneCpu = busyShare(cpu0, await cpuTimes());
  await fs.rm(work, { recursive: true, force: true });
  // the pushers' clones, outside the timing: one shared object store, a worktree each
  const base = path.join(tmp, `${label}-push`);
  await git(['clone', '-q', gitUrl(port, repo), base]);
  const trees = [];
  for (let i = 0; i < PUSHERS; i++) {
    const d = path.join(tmp, `${label}-p${i}`);
    await git(['-C', base, 'worktree', 'add', '-q', '-b', `${label}/${i}`, d]);
    await fs.writeFile(path.join(d, `pusher-${label}-${i}.txt`), `pushed by ${i}\n`);
    await git(['-C', d, 'add', '.']);
    await git(['-C', d, '-c', 'user.name=Bench', '-c', 'user.email=bench@example.test', 'commit', '-q', '-m', `pusher ${i}`]);
    trees.push(d);
  }
  log(`  ${PUSHERS} concurrent pushes ...`);
  t0 = performance.now();
  cpu0 = await cpuTimes();
  const pushMs = await Promise.all(trees.map((d, i) => git(['-C', d, 'push', '-q', 'origin', `${label}/${i}`])));
  const pushWall = performance.now() - t0;
  const pushCpu = busyShare(cpu0, await cpuTimes());
  // cpuBusyPercent: how much of every core the machine spent (clients, nginx, instances, PostgreSQL)
  const row = (ms, wall, cpu) => ({
    n: ms.length,
    wallMs: Math.round(wall),
    perSecond: r1((ms.length / wall) * 1000),
    p50Ms: Math.round(quantile(ms, 0.5)),
    p99Ms: Math.round(quantile(ms, 0.99)),
    cpuBusyPercent: cpu,
  });
  return { clones: row(cloneMs, cloneWall, cloneCpu), pushes: row(pushMs, pushWall, pushCpu) };
}

const VIEWS = [
  ['repository', '/api/v1/repos/alice/bench'],
  ['branches', '/api/v1/repos/alice/bench/branches'],
  ['commits', '/api/v1/repos/alice/bench/commits?limit=20'],
  ['contents (root)', '/api/v1/repos/alice/bench/contents/'],
  ['issues', '/api/v1/repos/alice/bench/issues?limit=20'],
  ['issue search', '/api/v1/repos/alice/bench/issues?q=widget&limit=20'],
  ['pull requests', '/api/v1/repos/alice/bench/pulls?limit=20'],
  ['repositories of the user', '/api/v1/user/repos?limit=20'],
  ['notifications', '/api/v1/notifications?limit=20'],
];

async function views(url) {
  const out = {};
  for (const [name, p] of VIEWS) {
    for (let i = 0; i < 10; i++) await api(url, 'GET', p); // warm
    const ms = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await api(url, 'GET', p);
      ms.push(performance.now() - t0);
    }
    out[name] = { p50Ms: r1(quantile(ms, 0.5)), p99Ms: r1(quantile(ms, 0.99)) };
  }
  return out;
}

async function main() {
  for (const bin of ['git']) if (!findBin(bin)) throw new Error(`${bin} is needed`);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gitssy-bench-cluster-'));
  await fs.chmod(tmp, 0o755); // PostgreSQL runs as its own user when this runs as root
  const result = { at: new Date().toISOString(), machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model }, clones: CLONES, pushers: PUSHERS, commits: COMMITS, runs: RUNS };
  try {
    log(`repository: ${COMMITS} commits (generated once, cached) ...`);
    // a lean history (small edits, no data fixtures): a pack of a few MB, so the clones measure the forge, not the loopback
    const src = await cachedRepo({ commits: COMMITS, files: 400, fixtureEvery: 0, editBytes: 1500, maxLines: 160, newFileLines: 120, maxEditFiles: 2, repack: 'reuse' });
    log(`  ${src.dir} (pack ${(src.packBytes / 1048576).toFixed(1)} MiB)`);

    // ---- 2. the read views: SQLite, then the same records on PostgreSQL (migrate-db) ----
    const pg = await startPostgres(tmp);
    const single = await startInstance(tmp, 'single', {});
    cli(['admin', 'user', 'create', '--data', single.data, '--username', ADMIN[0], '--password', ADMIN[1], '--email', 'alice@example.test', '--admin'], {});
    await api(single.url, 'POST', '/api/v1/user/repos', { name: 'bench' });
    await git(['--git-dir', src.dir, 'push', '-q', gitUrl(single.port, 'alice/bench.git'), '--all']);
    for (let i = 0; i < 200; i++) await api(single.url, 'POST', '/api/v1/repos/alice/bench/issues', { title: `Issue ${i} about the ${i % 7 === 0 ? 'widget' : 'gadget'}`, body: `Body ${i}` });
    log('read views on SQLite ...');
    result.viewsSqlite = await views(single.url);
    await single.stop();
    const moved = await pg.createDatabase('views');
    cli(['admin', 'migrate-db', '--data', single.data, '--to', moved], {});
    const onPg = await startInstance(tmp, 'single', {});
    log('read views on PostgreSQL ...');
    result.viewsPostgres = await views(onPg.url);
    await onPg.stop();

    // ---- 1. git through nginx: 1 instance, then 2, on PostgreSQL + Redis + one store ----
    const redis = await startRedis();
    const store = path.join(tmp, 'store');
    const env = { DATABASE_URL: await pg.createDatabase('cluster'), REDIS_URL: redis, GITSSY_REPOS_DIR: store };
    const a = await startInstance(tmp, 'a', env);
    const b = await startInstance(tmp, 'b', env);
    cli(['admin', 'user', 'create', '--data', a.data, '--username', ADMIN[0], '--password', ADMIN[1], '--email', 'alice@example.test', '--admin'], env);
    // 200 people cloning at once come from 200 addresses as 200 users; here they are one of each,
    // so the per-user and per-address session caps are off (set through a, announced to b)
    await api(a.url, 'PATCH', '/api/v1/admin/settings', { 'limits.gitSessionsPerUser': 0, 'limits.gitSessionsPerIp': 0 });
    await api(a.url, 'POST', '/api/v1/user/repos', { name: 'bench' });
    await git(['--git-dir', src.dir, 'push', '-q', gitUrl(a.port, 'alice/bench.git'), 'main']);
    for (const [label, upstreams] of [
      ['one', [`127.0.0.1:${a.port}`]],
      ['two', [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`]],
    ]) {
      log(`git through nginx to ${upstreams.length} instance${upstreams.length === 1 ? '' : 's'}:`);
      const nginx = await startNginx(tmp, upstreams);
      result[label === 'one' ? 'oneInstance' : 'twoInstances'] = await gitLoad(tmp, nginx.port, label, 'alice/bench.git');
      await nginx.stop();
    }
  } finally {
    for (const stop of stopAll.reverse()) await stop();
    if (!KEEP) await fs.rm(tmp, { recursive: true, force: true });
  }

  const o = result.oneInstance;
  const t = result.twoInstances;
  log('\ngit through nginx (aggregate ops/s, p50 / p99 per operation):');
  const line = (x) => `${x.perSecond}/s (${x.p50Ms} / ${x.p99Ms} ms, CPU ${x.cpuBusyPercent}% busy)`;
  log(`  clones x${CLONES}:  1 instance ${line(o.clones)}   2 instances ${line(t.clones)}   scaling ${(t.clones.perSecond / o.clones.perSecond).toFixed(2)}x`);
  log(`  pushes x${PUSHERS}:   1 instance ${line(o.pushes)}   2 instances ${line(t.pushes)}   scaling ${(t.pushes.perSecond / o.pushes.perSecond).toFixed(2)}x`);
  log(`  (${os.cpus().length} cores shared by the git clients, nginx, the instances and PostgreSQL: a saturated machine cannot scale by adding instances)`);
  log('\nAPI read views, p50 / p99 (SQLite | PostgreSQL):');
  for (const [name] of VIEWS)
    log(`  ${name.padEnd(26)} ${result.viewsSqlite[name].p50Ms} / ${result.viewsSqlite[name].p99Ms} ms  |  ${result.viewsPostgres[name].p50Ms} / ${result.viewsPostgres[name].p99Ms} ms`);
  await fs.mkdir(path.join(HERE, 'results'), { recursive: true });
  await fs.writeFile(path.join(HERE, 'results', 'cluster-latest.json'), JSON.stringify(result, null, 1) + '\n');
}

main().catch(async (err) => {
  console.error(`bench:cluster: ${err.message}`);
  for (const stop of stopAll.reverse()) await Promise.resolve(stop()).catch(() => {});
  process.exit(1);
});
