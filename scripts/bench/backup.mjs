#!/usr/bin/env node
// Backup benchmark: `gitssy backup create` and `gitssy backup restore` against `tar czf` and
// `tar xzf` of the same data dir, in the same run, plus the longest time the write barrier
// held pushes while a push loop ran during the backup.
//
//   npm run bench:backup                          # 100 repositories, ~1 GB (generated once, cached)
//   node scripts/bench/backup.mjs --quick         # 10 repositories, for a fast check
//   node scripts/bench/backup.mjs --repos 40 --rounds 3 --keep
//
// The data dir: N deterministic repositories from gen-repo.mjs (900 commits, 400 files, seed
// 20260100+i, ~10 MB of pack each), adopted by `gitssy admin import --move` into a fresh data
// dir. Repositories and the data dir are cached under $GITSSY_BENCH_CACHE (default
// $TMPDIR/gitssy-bench-cache); each run works on a copy.
//
// Per round (the order of ours and tar alternates every round; the median is reported):
//   - tar czf of the data dir (without run/ and backups/, which a backup leaves out too)
//   - gitssy backup create with the server running and 4 clients pushing in a loop
//     (through the server, as an operator would run it; the barrier is measured in the server)
//   - gitssy backup create with no server running (the same work without the push load)
//   - tar xzf into an empty folder, and gitssy backup restore into an empty data dir (which
//     also checks every checksum, every repository's refs and connectivity, and the database)
//
// Results: scripts/bench/results/backup-latest.json (--quick: backup-quick-latest.json).
// Only Node's standard library is used.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot, cachedRepo, gitEnv } from './gen-repo.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const MAIN = process.env.GITSSY_BENCH_SERVER_MAIN ? path.resolve(process.env.GITSSY_BENCH_SERVER_MAIN) : path.join(ROOT, 'dist', 'server', 'gitssy.js');
const RESULTS = path.join(HERE, 'results');
const DATA_VERSION = 1;
const GEN = { commits: 900, files: 400 };
const SEED0 = 20260100;
const USER = 'bench';
const PASS = 'BenchPass-2026-backup';

class BenchError extends Error {}

function parseArgs(argv) {
  const o = { quick: false, repos: null, rounds: 1, keep: false, pushers: 4 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v <= 0) throw new BenchError(`${a} needs a positive whole number`);
      return v;
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--repos') o.repos = num();
    else if (a === '--rounds') o.rounds = num();
    else if (a === '--pushers') o.pushers = num();
    else if (a === '--keep') o.keep = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node scripts/bench/backup.mjs [--quick] [--repos N] [--rounds N] [--pushers N] [--keep]\n');
      process.exit(0);
    } else throw new BenchError(`unknown option ${a} (see --help)`);
  }
  o.repos ??= o.quick ? 10 : 100;
  return o;
}

const log = (m) => process.stderr.write(`${m}\n`);
const MiB = (n) => `${(n / 1048576).toFixed(1)} MiB`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** Runs a program; resolves {code, stdout, stderr, ms}; rejects when it fails unless allowFail. */
function run(cmd, args, { env, cwd, allowFail = false, timeoutMs = 3600_000 } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env: env ?? process.env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const r = { code, stdout, stderr, ms: performance.now() - t0 };
      if (code !== 0 && !allowFail) reject(new BenchError(`${cmd} ${args.join(' ')} failed (${code}):\n${stderr.slice(-3000)}`));
      else resolve(r);
    });
  });
}

const gitssy = (args, opts) => run(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH, GITSSY_LOG_LEVEL: 'warn' }, ...opts });

async function du(dir) {
  let total = 0;
  for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await du(p);
    else if (e.isFile()) total += (await fsp.stat(p)).size;
  }
  return total;
}

// ---------------------------------------------------------------------------
// the data dir

/** Generates the repositories (two generator processes at a time), cached. */
async function repositories(n) {
  const want = Array.from({ length: n }, (_, i) => SEED0 + i);
  const script = `import { cachedRepo } from ${JSON.stringify(path.join(HERE, 'gen-repo.mjs'))};
for (const seed of process.argv.slice(1).map(Number)) {
  const info = await cachedRepo({ commits: ${GEN.commits}, files: ${GEN.files}, seed, log: () => {} });
  process.stdout.write(JSON.stringify({ seed, dir: info.dir, packBytes: info.packBytes }) + '\\n');
}`;
  const workers = Math.max(1, Math.min(2, os.availableParallelism()));
  const out = new Map();
  let made = 0;
  await Promise.all(
    Array.from(
      { length: workers },
      (_, w) =>
        new Promise((resolve, reject) => {
          const seeds = want.filter((_, i) => i % workers === w);
          const child = spawn(process.execPath, ['--input-type=module', '-e', script, ...seeds.map(String)], { stdio: ['ignore', 'pipe', 'inherit'] });
          let buf = '';
          child.stdout.on('data', (c) => {
            buf += c;
            let nl;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const info = JSON.parse(buf.slice(0, nl));
              buf = buf.slice(nl + 1);
              out.set(info.seed, info);
              made++;
              if (made % 10 === 0 || made === n) log(`  repositories: ${made}/${n}`);
            }
          });
          child.on('error', reject);
          child.on('close', (code) => (code === 0 ? resolve() : reject(new BenchError(`repository generator exited with ${code}`))));
        }),
    ),
  );
  return want.map((seed) => out.get(seed));
}

/** A data dir with N adopted repositories and an admin, cached. */
async function cachedDataDir(n) {
  const dir = path.join(cacheRoot(), `backup-data-v${DATA_VERSION}-n${n}-c${GEN.commits}-f${GEN.files}`);
  const marker = path.join(dir, '.bench-ready.json');
  if (fs.existsSync(marker)) return { dir, ...JSON.parse(fs.readFileSync(marker, 'utf8')), cached: true };
  log(`building the data dir (${n} repositories) ...`);
  const repos = await repositories(n);
  const tmp = `${dir}.tmp-${process.pid}`;
  await fsp.rm(tmp, { recursive: true, force: true });
  await fsp.rm(dir, { recursive: true, force: true });
  const from = `${tmp}-import`;
  try {
    await fsp.mkdir(from, { recursive: true });
    for (const [i, r] of repos.entries()) {
      await run('cp', ['-r', r.dir, path.join(from, `repo-${String(i).padStart(3, '0')}.git`)]);
      await fsp.rm(path.join(from, `repo-${String(i).padStart(3, '0')}.git`, 'gitssy-bench.json'), { force: true });
    }
    await gitssy(['admin', 'user', 'create', '--username', USER, '--password', PASS, '--email', 'bench@example.test', '--admin', '--data', tmp]);
    const imp = await gitssy(['admin', 'import', '--from', from, '--owner', USER, '--move', '--data', tmp]);
    if (!new RegExp(`import: ${n} imported`).test(imp.stdout)) throw new BenchError(`import did not adopt every repository:\n${imp.stdout.slice(-2000)}`);
    await fsp.rm(path.join(tmp, 'run'), { recursive: true, force: true });
    const info = { repositories: n, bytes: await du(tmp), packBytes: repos.reduce((s, r) => s + r.packBytes, 0) };
    await fsp.writeFile(path.join(tmp, '.bench-ready.json'), JSON.stringify(info) + '\n');
    await fsp.rename(tmp, dir);
    return { dir, ...info, cached: false };
  } finally {
    await fsp.rm(from, { recursive: true, force: true });
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// the server and the push loop

async function startServer(data) {
  const child = spawn(process.execPath, [MAIN, 'serve', '--data', data, '--host', '127.0.0.1', '--http-port', '0', '--ssh-port', '0'], {
    env: { PATH: process.env.PATH, GITSSY_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let err = '';
  child.stderr.on('data', (c) => (err = (err + c).slice(-4000)));
  const portsFile = path.join(data, 'run', 'ports.json');
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new BenchError(`the server exited (${child.exitCode}): ${err}`);
    if (Date.now() > deadline) throw new BenchError(`the server did not start within 60 s: ${err}`);
    try {
      const ports = JSON.parse(await fsp.readFile(portsFile, 'utf8'));
      return {
        child,
        url: `http://127.0.0.1:${ports.http}`,
        stop: async () => {
          if (child.exitCode !== null) return;
          const gone = new Promise((r) => child.once('exit', r));
          process.kill(-child.pid, 'SIGTERM');
          const t = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), 15_000);
          await gone;
          clearTimeout(t);
        },
      };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function api(server, method, p, body) {
  const res = await fetch(`${server.url}${p}`, {
    method,
    headers: { Authorization: `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new BenchError(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Clients pushing small new branches in a loop; latency of every acknowledged push. */
async function pushLoop(server, work, pushers) {
  await api(server, 'POST', '/api/v1/user/repos', { name: 'pushes' }).catch((e) => {
    if (!/409|already/.test(e.message)) throw e;
  });
  const env = gitEnv();
  const clients = [];
  for (let i = 0; i < pushers; i++) {
    const dir = path.join(work, `pusher-${i}`);
    await run('git', ['init', '-q', '-b', 'main', dir], { env });
    await fsp.writeFile(path.join(dir, 'f.txt'), `pusher ${i}\n`);
    await run('git', ['-C', dir, 'add', '-A'], { env });
    await run('git', ['-C', dir, 'commit', '-q', '-m', `pusher ${i}`], { env });
    clients.push(dir);
  }
  const remote = `${server.url.replace('http://', `http://${USER}:${PASS}@`)}/${USER}/pushes.git`;
  const samples = [];
  let stop = false;
  let n = 0;
  let failures = 0;
  const loops = clients.map(async (dir, i) => {
    while (!stop) {
      const branch = `p${i}-${n++}`;
      const t0 = performance.now();
      const r = await run('git', ['-C', dir, 'push', '-q', remote, `HEAD:refs/heads/${branch}`], { env, allowFail: true, timeoutMs: 120_000 });
      if (r.code === 0) samples.push({ at: t0, ms: performance.now() - t0 });
      else failures++;
    }
  });
  return {
    samples,
    failures: () => failures,
    stop: async () => {
      stop = true;
      await Promise.all(loops);
    },
  };
}

// ---------------------------------------------------------------------------

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(MAIN)) throw new BenchError(`${MAIN} is missing: run "npm run build" first (npm run bench:backup does)`);
  const data = await cachedDataDir(o.repos);
  log(`data dir: ${o.repos} repositories, ${MiB(data.bytes)}${data.cached ? ' (cached)' : ''}`);
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'gitssy-bench-backup-'));
  const results = { tarCreate: [], oursOnline: [], oursOffline: [], tarExtract: [], oursRestore: [], barrier: [], pushDuring: [], pushBaseline: [], sizes: {} };
  let server = null;
  const cleanup = async () => {
    await server?.stop().catch(() => {});
    if (!o.keep) await fsp.rm(work, { recursive: true, force: true });
  };
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    const dataDir = path.join(work, 'data');
    log('copying the data dir ...');
    await run('cp', ['-a', data.dir, dataDir]);
    await fsp.rm(path.join(dataDir, '.bench-ready.json'), { force: true });
    // warm the page cache so the first contender doesn't pay for it
    await run('tar', ['cf', '/dev/null', '-C', dataDir, '.']);

    for (let round = 0; round < o.rounds; round++) {
      const oursFirst = round % 2 === 1;
      const tarFile = path.join(work, 'tar.tgz');
      const oursFile = path.join(work, 'ours.tar.gz');
      const offFile = path.join(work, 'ours-offline.tar.gz');
      const tarCreate = async () => {
        await fsp.rm(tarFile, { force: true });
        const r = await run('tar', ['czf', tarFile, '--exclude=./run', '--exclude=./backups', '-C', dataDir, '.']);
        results.tarCreate.push(r.ms);
        log(`  tar czf: ${(r.ms / 1000).toFixed(2)} s`);
      };
      const oursOffline = async () => {
        await fsp.rm(offFile, { force: true });
        const r = await gitssy(['backup', 'create', '--out', offFile, '--data', dataDir]);
        results.oursOffline.push(r.ms);
        log(`  gitssy backup create (no server): ${(r.ms / 1000).toFixed(2)} s`);
      };
      const oursOnline = async () => {
        server = await startServer(dataDir);
        const loop = await pushLoop(server, path.join(work, `push-${round}`), o.pushers);
        await new Promise((r) => setTimeout(r, 3000)); // baseline latency
        await fsp.rm(oursFile, { force: true });
        const t0 = performance.now();
        const r = await gitssy(['backup', 'create', '--out', oursFile, '--data', dataDir]);
        const t1 = performance.now();
        await new Promise((r2) => setTimeout(r2, 1000));
        await loop.stop();
        const jobs = await api(server, 'GET', '/api/v1/admin/backups/jobs');
        const barrier = jobs.find((j) => j.type === 'create' && j.state === 'done')?.result?.barrier;
        const during = loop.samples.filter((s) => s.at + s.ms >= t0 && s.at <= t1).map((s) => s.ms);
        const baseline = loop.samples.filter((s) => s.at + s.ms < t0).map((s) => s.ms);
        const held = /writes held for (\d+) ms/.exec(r.stdout)?.[1];
        results.oursOnline.push(r.ms);
        results.barrier.push({ held_ms: Number(held), ...barrier, pushes_during: during.length, push_failures: loop.failures() });
        results.pushDuring.push(...during);
        results.pushBaseline.push(...baseline);
        log(
          `  gitssy backup create (serving, ${o.pushers} pushers): ${(r.ms / 1000).toFixed(2)} s; barrier held ${held} ms, longest push wait ${barrier?.longest_wait_ms ?? '?'} ms; ${during.length} pushes landed during the backup`,
        );
        await server.stop();
        server = null;
      };
      const steps = oursFirst ? [oursOnline, oursOffline, tarCreate] : [tarCreate, oursOnline, oursOffline];
      log(`round ${round + 1}/${o.rounds}: creating ...`);
      for (const step of steps) await step();
      results.sizes = { tar: (await fsp.stat(tarFile)).size, ours: (await fsp.stat(oursFile)).size };

      const tarOut = path.join(work, 'tar-x');
      const oursOut = path.join(work, 'restored');
      const tarExtract = async () => {
        await fsp.rm(tarOut, { recursive: true, force: true });
        await fsp.mkdir(tarOut);
        const r = await run('tar', ['xzf', tarFile, '-C', tarOut]);
        results.tarExtract.push(r.ms);
        log(`  tar xzf: ${(r.ms / 1000).toFixed(2)} s`);
      };
      const oursRestore = async () => {
        await fsp.rm(oursOut, { recursive: true, force: true });
        const r = await gitssy(['backup', 'restore', oursFile, '--data', oursOut]);
        results.oursRestore.push(r.ms);
        log(`  gitssy backup restore (verified): ${(r.ms / 1000).toFixed(2)} s`);
      };
      log(`round ${round + 1}/${o.rounds}: restoring ...`);
      for (const step of oursFirst ? [oursRestore, tarExtract] : [tarExtract, oursRestore]) await step();
    }

    const row = (what, ours, peer) => ({ what, ours_s: ours / 1000, tar_s: peer / 1000, ratio: ours / peer });
    const rows = [
      row('backup (serving, pushes running) vs tar czf', median(results.oursOnline), median(results.tarCreate)),
      row('backup (no server) vs tar czf', median(results.oursOffline), median(results.tarCreate)),
      row('restore (verified) vs tar xzf', median(results.oursRestore), median(results.tarExtract)),
    ];
    const barrierMax = Math.max(...results.barrier.map((b) => b.held_ms));
    const waitMax = Math.max(...results.barrier.map((b) => b.longest_wait_ms ?? 0));
    const out = {
      version: 1,
      at: new Date().toISOString(),
      quick: o.quick,
      host: { cpus: os.availableParallelism(), node: process.version, platform: `${os.platform()} ${os.release()}` },
      data: { repositories: o.repos, bytes: data.bytes, pack_bytes: data.packBytes, generator: { ...GEN, seeds: `${SEED0}..${SEED0 + o.repos - 1}` } },
      rounds: o.rounds,
      pushers: o.pushers,
      rows,
      archive_bytes: results.sizes,
      barrier: { longest_hold_ms: barrierMax, longest_push_wait_ms: waitMax, per_round: results.barrier },
      push_latency_ms: {
        baseline_median: results.pushBaseline.length ? median(results.pushBaseline) : null,
        during_backup_median: results.pushDuring.length ? median(results.pushDuring) : null,
        during_backup_max: results.pushDuring.length ? Math.max(...results.pushDuring) : null,
      },
      samples_ms: { tarCreate: results.tarCreate, oursOnline: results.oursOnline, oursOffline: results.oursOffline, tarExtract: results.tarExtract, oursRestore: results.oursRestore },
    };

    const lines = [
      '',
      `Backup benchmark: ${o.repos} repositories, ${MiB(data.bytes)} data dir, ${o.rounds} round(s), ${os.availableParallelism()} CPUs`,
      '',
      '| what | gitssy | tar | ratio |',
      '|---|---:|---:|---:|',
      ...rows.map((r) => `| ${r.what} | ${r.ours_s.toFixed(2)} s | ${r.tar_s.toFixed(2)} s | ${r.ratio.toFixed(2)} |`),
      '',
      `archive size: gitssy ${MiB(results.sizes.ours)}, tar czf ${MiB(results.sizes.tar)}`,
      `write barrier: held at most ${barrierMax} ms; the longest a push waited behind it: ${waitMax} ms`,
      `push latency (${o.pushers} pushers): median ${out.push_latency_ms.baseline_median?.toFixed(0)} ms before the backup, median ${out.push_latency_ms.during_backup_median?.toFixed(0)} ms / max ${out.push_latency_ms.during_backup_max?.toFixed(0)} ms during it`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
    await fsp.mkdir(RESULTS, { recursive: true });
    const stamp = out.at.replace(/[:.]/g, '-');
    const base = o.quick ? 'backup-quick' : 'backup';
    await fsp.writeFile(path.join(RESULTS, `${base}-${stamp}.json`), JSON.stringify(out, null, 2) + '\n');
    await fsp.writeFile(path.join(RESULTS, `${base}-latest.json`), JSON.stringify(out, null, 2) + '\n');
    log(`results: ${path.join(RESULTS, `${base}-latest.json`)}${o.keep ? `; work dir kept: ${work}` : ''}`);
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:backup: ${err instanceof BenchError ? err.message : err.stack}\n`);
  process.exit(1);
});
