#!/usr/bin/env node
// Cold-start benchmark (issue 18, point 7): the time from `gitssy serve` to run/ports.json
// written, and the resident memory 5 s later, idle. Goals: ≤ 1.5 s to ready and ≤ 120 MB RSS.
//
//   npm run bench:startup                      (builds first)
//   node scripts/bench/startup.mjs [--runs N] [--repos N] [--settle-ms N] [--baseline PATH] [--keep]
//
// Scenarios, each started as `node dist/server/gitssy.js serve --data D --host 127.0.0.1
// --http-port 0 --ssh-port 0`:
//   first   an empty data dir, first start (migrations, host key and secrets generated); a fresh dir per run
//   empty   no repositories (one admin user, made with `gitssy admin user create`), served once before
//   repos   the same plus N small repositories (default 100, 5 commits each; adopted by
//           `gitssy admin import --move`), served once before
// Per sample: wall time from spawn to ports.json (polled every 5 ms), the server's CPU time by
// then (user + system, from /proc: less disturbed than wall time by other work on the machine),
// and VmRSS / VmHWM after --settle-ms (default 5000) of idling. The median of --runs (default
// 5) is reported. There is no standard peer for an appliance's start-up, so the report sets
// the figures against the issue's goals and, for context, Node's own floor measured in the
// same run: `node -e ''` (spawn to exit) and an idle `node` (RSS after the same settle time).
// --baseline other/dist/server/gitssy.js measures a second build too, interleaved run by run
// (alternating which goes first), for a before/after under the same load.
// Results: scripts/bench/results/startup-latest.json. Only Node's standard library is used.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gitEnv } from './gen-repo.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const MAIN = process.env.GITSSY_BENCH_SERVER_MAIN ? path.resolve(process.env.GITSSY_BENCH_SERVER_MAIN) : path.join(ROOT, 'dist', 'server', 'gitssy.js');
const RESULTS = path.join(HERE, 'results');
const GOAL_READY_MS = 1500;
const GOAL_RSS_MB = 120;
const USER = 'bench';
const PASS = 'BenchPass-2026-startup';
const POLL_MS = 5;
const READY_TIMEOUT_MS = 60_000;
const CLK_TCK = 100; // /proc/<pid>/stat counts CPU time in clock ticks; 100 per second on Linux

class BenchError extends Error {}

function usage() {
  return `usage: node scripts/bench/startup.mjs [options]
  --runs N         samples per scenario (default 5; the median is reported)
  --repos N        repositories in the "repos" scenario (default 100)
  --settle-ms N    idle time between ready and the RSS reading (default 5000)
  --baseline PATH  another build's dist/server/gitssy.js, measured interleaved with this one
  --keep           keep the temp dir (data dirs, server logs)
  GITSSY_BENCH_SERVER_MAIN=path/to/gitssy.js measures another build instead of dist/.`;
}

function parseArgs(argv) {
  const o = { runs: 5, repos: 100, settleMs: 5000, baseline: null, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) throw new BenchError(`${a} needs a whole number`);
      return v;
    };
    if (a === '--runs') o.runs = Math.max(1, num());
    else if (a === '--repos') o.repos = num();
    else if (a === '--settle-ms') o.settleMs = num();
    else if (a === '--baseline') o.baseline = path.resolve(argv[++i] ?? '');
    else if (a === '--keep') o.keep = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(usage() + '\n');
      process.exit(0);
    } else throw new BenchError(`unknown option ${a}\n${usage()}`);
  }
  return o;
}

const log = (msg) => process.stderr.write(`[startup] ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The server's environment: ours, without any GITSSY_* setting that would change what it does. */
function serverEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('GITSSY_')) delete env[k];
  return env;
}

function procStatus(pid) {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(text.match(new RegExp(`^${key}:\\s+(\\d+)`, 'm'))?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024, threads: kb('Threads') };
}

/** User + system CPU time of a process so far, in ms (fields 14 and 15 of /proc/<pid>/stat). */
function cpuMs(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

function cli(main, args) {
  const r = spawnSync(process.execPath, [main, ...args], { env: serverEnv(), encoding: 'utf8' });
  if (r.status !== 0) throw new BenchError(`gitssy ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

function git(args, cwd) {
  const r = spawnSync('git', args, { cwd, env: gitEnv(), encoding: 'utf8' });
  if (r.status !== 0) throw new BenchError(`git ${args.join(' ')} failed: ${r.stderr}`);
}

/** One start: spawn, wait for ports.json, settle, read memory, stop. */
async function sample(main, dataDir, settleMs, logFile) {
  const portsFile = path.join(dataDir, 'run', 'ports.json');
  await fsp.rm(portsFile, { force: true });
  const out = fs.openSync(logFile, 'a');
  const t0 = performance.now();
  const child = spawn(process.execPath, [main, 'serve', '--data', dataDir, '--host', '127.0.0.1', '--http-port', '0', '--ssh-port', '0'], {
    env: serverEnv(),
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  let exited = null;
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exited = { code, signal }))));
  try {
    let readyMs = null;
    while (readyMs === null) {
      if (exited) throw new BenchError(`the server exited before it was ready (${JSON.stringify(exited)}); see ${logFile}`);
      if (performance.now() - t0 > READY_TIMEOUT_MS) throw new BenchError(`no ${portsFile} after ${READY_TIMEOUT_MS} ms; see ${logFile}`);
      if (fs.existsSync(portsFile)) readyMs = performance.now() - t0;
      else await sleep(POLL_MS);
    }
    const cpu = cpuMs(child.pid);
    const ports = JSON.parse(fs.readFileSync(portsFile, 'utf8'));
    if (ports.pid !== child.pid) throw new BenchError(`${portsFile} names pid ${ports.pid}, not ${child.pid}`);
    await sleep(settleMs);
    if (exited) throw new BenchError(`the server exited while idle (${JSON.stringify(exited)}); see ${logFile}`);
    return { readyMs, cpuMs: cpu, ...procStatus(child.pid) };
  } finally {
    if (!exited) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(killer);
  }
}

/** Node's floor on this machine: `node -e ''` from spawn to exit, and an idle node's memory. */
async function floorSample(settleMs) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const exitMs = performance.now() - t0;
  if (r.status !== 0) throw new BenchError(`node -e '' exited ${r.status}`);
  const child = spawn(process.execPath, ['-e', "process.stdout.write('up\\n'); setInterval(() => {}, 1 << 30)"], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exit = new Promise((resolve) => child.once('exit', resolve));
  await new Promise((resolve) => child.stdout.once('data', resolve)); // running, as the server is at ready
  await sleep(settleMs);
  const mem = procStatus(child.pid);
  child.kill('SIGTERM');
  await exit;
  return { readyMs: exitMs, cpuMs: null, ...mem };
}

/** A small bare repository to copy: a few files over a few commits. */
function templateRepo(work) {
  const src = path.join(work, 'template-src');
  fs.mkdirSync(path.join(src, 'src'), { recursive: true });
  git(['init', '-q', '-b', 'main', src]);
  for (let c = 0; c < 5; c++) {
    fs.writeFileSync(path.join(src, 'README.md'), `# Project\n\nRevision ${c}.\n\n\`\`\`js\nconsole.log(${c});\n\`\`\`\n`);
    fs.writeFileSync(path.join(src, 'src', `file-${c}.ts`), `export const n${c} = ${c};\n`.repeat(20));
    git(['add', '-A'], src);
    git(['commit', '-q', '-m', `commit ${c}`], src);
  }
  const bare = path.join(work, 'template.git');
  git(['clone', '-q', '--bare', src, bare]);
  return bare;
}

/** A data dir for `main`: a user, `repos` repositories, and one unmeasured start (host key, hooks). */
async function prepareDataDir(main, work, name, repos, template) {
  const dataDir = path.join(work, name);
  cli(main, ['admin', 'user', 'create', '--username', USER, '--password', PASS, '--email', `${USER}@example.test`, '--admin', '--data', dataDir]);
  if (repos > 0) {
    const from = path.join(work, `${name}-import`);
    fs.mkdirSync(from);
    for (let i = 0; i < repos; i++) fs.cpSync(template, path.join(from, `repo-${String(i).padStart(3, '0')}.git`), { recursive: true });
    cli(main, ['admin', 'import', '--from', from, '--owner', USER, '--move', '--data', dataDir]);
  }
  await sample(main, dataDir, 0, path.join(work, `${name}.log`));
  return dataDir;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const builds = [{ key: 'gitssy', main: MAIN }];
  if (o.baseline) builds.push({ key: 'baseline', main: o.baseline });
  for (const b of builds) if (!fs.existsSync(b.main)) throw new BenchError(`${b.main} is missing (npm run build)`);
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'gitssy-startup-'));
  const loadBefore = os.loadavg();
  try {
    log(`preparing data dirs in ${work} (${o.repos} repositories)`);
    const template = templateRepo(work);
    for (const b of builds) {
      b.empty = await prepareDataDir(b.main, work, `${b.key}-empty`, 0, template);
      b.repos = await prepareDataDir(b.main, work, `${b.key}-repos`, o.repos, template);
    }
    const samples = { floor: [] };
    for (const b of builds) for (const s of ['first', 'empty', 'repos']) samples[`${b.key}/${s}`] = [];
    for (let run = 0; run < o.runs; run++) {
      const order = run % 2 ? [...builds].reverse() : builds;
      samples.floor.push(await floorSample(o.settleMs));
      for (const s of ['first', 'empty', 'repos']) {
        for (const b of order) {
          const dataDir = s === 'first' ? path.join(work, `${b.key}-first-${run}`) : b[s];
          const r = await sample(b.main, dataDir, o.settleMs, path.join(work, `${b.key}-${s}.log`));
          if (s === 'first') await fsp.rm(dataDir, { recursive: true, force: true });
          samples[`${b.key}/${s}`].push(r);
          log(`run ${run + 1}/${o.runs} ${b.key} ${s}: ready ${r.readyMs.toFixed(0)} ms (cpu ${r.cpuMs.toFixed(0)} ms), RSS ${r.rssMb.toFixed(1)} MB`);
        }
      }
    }
    const loadAfter = os.loadavg();
    const summary = {};
    for (const [k, xs] of Object.entries(samples)) {
      summary[k] = {
        ready_ms: median(xs.map((x) => x.readyMs)),
        cpu_ms: xs[0].cpuMs === null ? null : median(xs.map((x) => x.cpuMs)),
        rss_mb: median(xs.map((x) => x.rssMb)),
        hwm_mb: median(xs.map((x) => x.hwmMb)),
        threads: median(xs.map((x) => x.threads)),
      };
    }
    const f1 = (x) => (x === null ? '–' : x.toFixed(0));
    const verdict = (s) => (s.ready_ms <= GOAL_READY_MS && s.rss_mb <= GOAL_RSS_MB ? 'yes' : 'NO');
    const lines = [
      '',
      `Start-up benchmark: median of ${o.runs}, RSS ${o.settleMs} ms after ready; ${os.availableParallelism()} CPUs, Node ${process.version}`,
      `load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')} before, ${loadAfter.map((x) => x.toFixed(2)).join(' ')} after`,
      '',
      `| build / scenario | ready ms | CPU ms to ready | RSS MB | peak RSS MB | threads | goals (≤ ${GOAL_READY_MS} ms, ≤ ${GOAL_RSS_MB} MB) |`,
      '|---|---:|---:|---:|---:|---:|---|',
      ...Object.entries(summary).map(([k, s]) => {
        const name = k === 'floor' ? "node -e '' (exit) / idle node (RSS)" : k.replace('/repos', `/repos (${o.repos})`);
        return `| ${name} | ${f1(s.ready_ms)} | ${f1(s.cpu_ms)} | ${s.rss_mb.toFixed(1)} | ${s.hwm_mb.toFixed(1)} | ${s.threads} | ${k === 'floor' ? '' : verdict(s)} |`;
      }),
      '',
    ];
    process.stdout.write(lines.join('\n'));
    const out = {
      at: new Date().toISOString(),
      node: process.version,
      cpus: os.availableParallelism(),
      loadavg: { before: loadBefore, after: loadAfter },
      options: { runs: o.runs, repos: o.repos, settle_ms: o.settleMs, builds: builds.map((b) => ({ key: b.key, main: path.relative(ROOT, b.main) || b.main })) },
      goals: { ready_ms: GOAL_READY_MS, rss_mb: GOAL_RSS_MB },
      median: summary,
      samples,
    };
    await fsp.mkdir(RESULTS, { recursive: true });
    await fsp.writeFile(path.join(RESULTS, 'startup-latest.json'), JSON.stringify(out, null, 2) + '\n');
    log(`results: ${path.join(RESULTS, 'startup-latest.json')}${o.keep ? `; work dir kept: ${work}` : ''}`);
  } finally {
    if (!o.keep) await fsp.rm(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench:startup: ${err instanceof BenchError ? err.message : err.stack}\n`);
  process.exit(1);
});
