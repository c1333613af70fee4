#!/usr/bin/env node
// Gitssy CI benchmark: how fast a pushed commit's job starts and its status is posted, per
// backend, and whether a burst of pushes runs every job exactly once.
//
//   npm run bench:ci                          (builds first)
//   node scripts/bench/ci.mjs [--backends sandbox,docker,podman] [--pushes N] [--burst N] [--workers N] [--keep]
//
// For each backend that is available here (the others are reported as skipped, with the reason
// the forge gives), one forge is built in this process by the real composition root (createApp)
// on its own data dir and free ports, with `ci.backend` set to that backend, and:
//
// 1. Latency: --pushes (default 20) pushes, one after the other, each of one small commit whose
//    .ci/run.sh is `echo ok`, with the real `git push` over HTTP; after each push the next waits
//    until its job's success status is posted. From the database (one clock): push acknowledged
//    (push_events.created_at: the moment post-receive committed the push event, which is when the
//    push is answered) → job queued (ci_jobs.created_at) → job running (started_at) → the
//    gitssy/ci success status posted (commit_statuses.created_at). Goals: acknowledged → running
//    p50 < 1 s on the sandbox, < 2 s on Docker and Podman. Two warm-up pushes are not counted
//    (a container backend may pull its image then).
// 2. Burst: --burst (default 20) commits on as many branches, pushed by that many `git push`
//    processes at once; then every job must finish, exactly one job per commit, each with one
//    run in its log and one success status. Reports the wall time from the first push to the
//    last status.
//
// Results: scripts/bench/results/ci-latest.json.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const DIST = path.join(ROOT, 'dist', 'server');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const BACKENDS = String(opt('backends', 'sandbox,docker,podman')).split(',').filter(Boolean);
const PUSHES = Number(opt('pushes', 20));
const BURST = Number(opt('burst', 20));
const WORKERS = Number(opt('workers', 1));
const KEEP = args.includes('--keep');
const GOAL_MS = { sandbox: 1000, docker: 2000, podman: 2000 };

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
    const child = spawn(cmd, argv, { cwd, env: GIT_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${argv.join(' ')} failed (${code}): ${err}`))));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const dist = (xs) => ({ p50: quantile(xs, 0.5), p90: quantile(xs, 0.9), max: Math.max(...xs), n: xs.length });
const fmt = (ms) => (ms === undefined ? '—' : `${Math.round(ms)} ms`);

async function startForge(backend) {
  const { createApp } = await import(path.join(DIST, 'app.js'));
  const { loadConfig } = await import(path.join(DIST, 'config.js'));
  const { createLogger } = await import(path.join(DIST, 'lib', 'log.js'));
  // the console's setting decides; an inherited GITSSY_CI_BACKEND would override it
  delete process.env.GITSSY_CI_BACKEND;
  const data = await fs.mkdtemp(path.join(os.tmpdir(), `gitssy-bench-ci-${backend}-`));
  const config = loadConfig({ dataDir: data, host: '127.0.0.1', httpPort: '0', sshPort: '0' }, { PATH: process.env.PATH });
  const app = await createApp(config, { quiet: true, log: createLogger({ level: 'warn' }) });
  const ports = await app.start();
  const s = app.services;
  await s.settings.update({ 'ci.backend': backend, 'ci.workers': WORKERS });
  const choice = await s.ci.backend(true);
  if (choice.active?.name !== backend) {
    await app.stop();
    await fs.rm(data, { recursive: true, force: true });
    return { skipped: choice.reason };
  }
  const alice = await s.users.create({ username: 'alice', email: 'alice@example.test', password: 'alice-pass-1234', isAdmin: true });
  const actor = { kind: 'user', user: { id: alice.id, name: alice.name, isAdmin: true }, scopes: null, via: 'session' };
  const rec = await s.repos.create(actor, alice, { name: 'proj' });
  return { app, s, data, repoId: rec.repo.id, detail: choice.reason, remote: `http://alice:alice-pass-1234@127.0.0.1:${ports.http}/alice/proj.git` };
}

async function clientRepo(remote) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitssy-bench-ci-client-'));
  await run('git', ['init', '-q', '-b', 'main', dir]);
  await fs.mkdir(path.join(dir, '.ci'));
  await fs.writeFile(path.join(dir, '.ci', 'run.sh'), '#!/bin/sh\necho "ok $GIT_SHA"\n', { mode: 0o755 });
  await fs.writeFile(path.join(dir, 'counter.txt'), '0\n');
  await run('git', ['add', '-A'], dir);
  await run('git', ['commit', '-q', '-m', 'first'], dir);
  await run('git', ['remote', 'add', 'origin', remote], dir);
  let n = 0;
  return {
    dir,
    /** Commits one small change on HEAD; answers its id. */
    async commit() {
      n++;
      await fs.writeFile(path.join(dir, 'counter.txt'), `${n}\n`);
      await run('git', ['commit', '-q', '-am', `change ${n}`], dir);
      return (await run('git', ['rev-parse', 'HEAD'], dir)).trim();
    },
  };
}

/** The job for a commit and the times that matter, once its final status is posted. */
async function finished(f, sha, timeoutMs = 120_000) {
  const db = f.s.db;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await db.selectFrom('ci_jobs').selectAll().where('repo_id', '=', f.repoId).where('sha', '=', sha).execute();
    const job = jobs[0];
    if (job && ['success', 'failure', 'error', 'timed_out', 'cancelled'].includes(job.state)) {
      const status = await db
        .selectFrom('commit_statuses')
        .select(['state', 'created_at'])
        .where('repo_id', '=', f.repoId)
        .where('sha', '=', sha)
        .where('context', '=', 'gitssy/ci')
        .where('state', '!=', 'pending')
        .orderBy('id')
        .executeTakeFirst();
      if (status) return { jobs, job, status };
    }
    if (Date.now() > deadline) throw new Error(`the job for ${sha} did not finish within ${timeoutMs / 1000} s (${job?.state ?? 'not queued'})`);
    await sleep(5);
  }
}

async function pushAckAt(f, sha) {
  const rows = await f.s.db.selectFrom('push_events').select(['created_at', 'updates']).where('repo_id', '=', f.repoId).orderBy('id', 'desc').limit(200).execute();
  const row = rows.find((r) => r.updates.includes(sha));
  if (!row) throw new Error(`no push event for ${sha}`);
  return row.created_at;
}

async function bench(backend) {
  const f = await startForge(backend);
  if (f.skipped) {
    console.log(`${backend}: skipped (${f.skipped})`);
    return { backend, skipped: f.skipped };
  }
  console.log(`${backend}: ${f.detail}`);
  const client = await clientRepo(f.remote);
  try {
    // 1. one push at a time
    const toQueued = [];
    const toRunning = [];
    const toStatus = [];
    const clientToStatus = [];
    for (let i = -2; i < PUSHES; i++) {
      const sha = await client.commit();
      await run('git', ['push', '-q', 'origin', 'HEAD:refs/heads/main'], client.dir);
      const t1 = Date.now();
      const { job, status } = await finished(f, sha);
      if (job.state !== 'success') throw new Error(`job ${job.id} ended ${job.state}: ${job.reason}`);
      if (i < 0) continue;
      const ack = await pushAckAt(f, sha);
      toQueued.push(job.created_at - ack);
      toRunning.push(job.started_at - ack);
      toStatus.push(status.created_at - ack);
      clientToStatus.push(status.created_at - t1);
    }
    const latency = { toQueued: dist(toQueued), toRunning: dist(toRunning), toStatus: dist(toStatus), clientExitToStatus: dist(clientToStatus) };

    // 2. a burst of pushes at once, each its own branch and commit
    const base = (await run('git', ['rev-parse', 'HEAD'], client.dir)).trim();
    const shas = [];
    for (let i = 0; i < BURST; i++) {
      await run('git', ['checkout', '-q', '-B', `burst-${i}`, base], client.dir);
      shas.push(await client.commit());
    }
    const b0 = Date.now();
    await Promise.all(shas.map((_, i) => run('git', ['push', '-q', 'origin', `burst-${i}:refs/heads/burst-${i}`], client.dir)));
    const pushedAt = Date.now();
    const results = await Promise.all(shas.map((sha) => finished(f, sha, 300_000)));
    const burstMs = Math.max(...results.map((r) => r.status.created_at)) - b0;
    // exactly once: one job per commit, each ran once (one line in its log), one final status each
    let problems = 0;
    for (const [i, r] of results.entries()) {
      if (r.jobs.length !== 1) (problems++, console.log(`  ${shas[i]}: ${r.jobs.length} jobs`));
      if (r.job.state !== 'success') (problems++, console.log(`  job ${r.job.id}: ${r.job.state} ${r.job.reason}`));
      const log = await fs.readFile(f.s.ci.logs.file(f.repoId, r.job.id), 'utf8');
      const runs = log.split('\n').filter((l) => l === `ok ${shas[i]}`).length;
      if (runs !== 1) (problems++, console.log(`  job ${r.job.id}: ran ${runs} times`));
      const finals = await f.s.db
        .selectFrom('commit_statuses')
        .select('id')
        .where('repo_id', '=', f.repoId)
        .where('sha', '=', shas[i])
        .where('context', '=', 'gitssy/ci')
        .where('state', '=', 'success')
        .execute();
      if (finals.length !== 1) (problems++, console.log(`  ${shas[i]}: ${finals.length} success statuses`));
    }
    const total = Number(
      (
        await f.s.db
          .selectFrom('ci_jobs')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('repo_id', '=', f.repoId)
          .executeTakeFirstOrThrow()
      ).n,
    );
    const burst = { pushes: BURST, pushWallMs: pushedAt - b0, wallMs: burstMs, jobsTotal: total, expectedTotal: PUSHES + 2 + BURST, problems };
    return { backend, detail: f.detail, latency, burst, goalMs: GOAL_MS[backend] };
  } finally {
    await f.app.stop();
    if (!KEEP) for (const d of [f.data, client.dir]) await fs.rm(d, { recursive: true, force: true });
  }
}

async function main() {
  console.log(`CI benchmark: ${PUSHES} pushes one at a time (+2 warm-up), then ${BURST} at once; ${WORKERS} worker(s); backends ${BACKENDS.join(', ')}`);
  const out = [];
  for (const b of BACKENDS) out.push(await bench(b));
  console.log('');
  console.log('| backend | ack → queued p50 | ack → running p50 / p90 / max | ack → status p50 / p90 | git push exit → status p50 | goal (ack → running p50) |');
  console.log('|---|---:|---:|---:|---:|---|');
  for (const r of out) {
    if (r.skipped) {
      console.log(`| ${r.backend} | skipped: ${r.skipped} | | | | |`);
      continue;
    }
    const l = r.latency;
    console.log(
      `| ${r.backend} | ${fmt(l.toQueued.p50)} | ${fmt(l.toRunning.p50)} / ${fmt(l.toRunning.p90)} / ${fmt(l.toRunning.max)} | ${fmt(l.toStatus.p50)} / ${fmt(l.toStatus.p90)} | ${fmt(l.clientExitToStatus.p50)} | < ${r.goalMs} ms: ${l.toRunning.p50 < r.goalMs ? 'met' : 'MISSED'} |`,
    );
  }
  console.log('');
  console.log('| backend | burst | pushes done | last status | jobs | exactly once |');
  console.log('|---|---:|---:|---:|---:|---|');
  for (const r of out) {
    if (r.skipped) continue;
    const b = r.burst;
    console.log(
      `| ${r.backend} | ${b.pushes} pushes at once | ${fmt(b.pushWallMs)} | ${fmt(b.wallMs)} | ${b.jobsTotal} | ${b.problems === 0 && b.jobsTotal === b.expectedTotal ? 'yes' : `NO (${b.problems} problems, ${b.jobsTotal}/${b.expectedTotal} jobs)`} |`,
    );
  }
  const result = { at: new Date().toISOString(), pushes: PUSHES, burst: BURST, workers: WORKERS, results: out, cpus: os.cpus().length, load: os.loadavg() };
  await fs.mkdir(path.join(HERE, 'results'), { recursive: true });
  await fs.writeFile(path.join(HERE, 'results', 'ci-latest.json'), JSON.stringify(result, null, 2) + '\n');
  const ran = out.filter((r) => !r.skipped);
  const ok = ran.length > 0 && ran.every((r) => r.latency.toRunning.p50 < r.goalMs && r.burst.problems === 0 && r.burst.jobsTotal === r.burst.expectedTotal);
  console.log(ok ? 'PASS' : 'FAIL');
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
