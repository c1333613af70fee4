#!/usr/bin/env node
// Gitssy CI benchmark: how fast a pushed commit's job starts and its status is posted, per
// backend, and whether a burst of pushes runs every job exactly once.
//
//   npm run bench:ci                          (builds first)
//   node scripts/bench/ci.mjs [--backends sandbox,docker,podman] [--pushes N] [--burst N] [--workers N] [--image REF] [--keep]
//
// For each backend that is available here (the others are reported as skipped, with the reason
// the forge gives), one forge is built in this process by the real composition root (createApp)
// on its own data dir and free ports, with `ci.backend` set to that backend, and:
//
// 0. Docker and Podman: the engine the forge finds (DOCKER_HOST, CONTAINER_HOST, the standard
//    sockets) is used; when none answers and this runs as root, the bench starts its own dockerd
//    (or `podman system service`) on a private socket in a temp dir (own data root, no bridge, no
//    iptables) and points DOCKER_HOST (CONTAINER_HOST) at it, as a user would. The jobs' image
//    (`ci.defaultImage`) is --image, or a busybox image imported from Debian's busybox-static
//    (no registry needed), removed again afterwards from an engine the bench did not start.
//
// 1. Latency: --pushes (default 20) pushes, one after the other, each of one small commit whose
//    .ci/run.sh is `echo ok` (and the time it started), with the real `git push` over HTTP; after
//    each push the next waits until its job's success status is posted. From the database (one
//    clock): push acknowledged (push_events.created_at: the moment post-receive committed the push
//    event, which is when the push is answered) → job queued (ci_jobs.created_at) → job claimed
//    and `running` (started_at, before its checkout and container) → the script started (it
//    prints /proc/uptime, which the job shares with the host: no time namespace; turned into this
//    process's clock, ±10 ms) → the gitssy/ci success status posted (commit_statuses.created_at).
//    Goals: acknowledged → script started p50 < 1 s on the sandbox, < 2 s on Docker and Podman
//    (the claim alone is the same on every backend; the start is what a backend costs). Two
//    warm-up pushes are not counted (a container backend may pull its image then).
// 2. Burst: --burst (default 20) commits on as many branches, pushed by that many `git push`
//    processes at once; then every job must finish, exactly one job per commit, each with one
//    run in its log and one success status. Reports the wall time from the first push to the
//    last status.
//
// Results: scripts/bench/results/ci-latest.json.
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';

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
const IMAGE = opt('image', null);
const GOAL_MS = { sandbox: 1000, docker: 2000, podman: 2000 };
const LABEL = { docker: 'Docker', podman: 'Podman' };
/** What to undo on exit, an error or a signal (private engines, imported images), newest first. */
const cleanups = [];

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

/**
 * Date.now() minus /proc/uptime, in ms: turns an uptime a job printed into this process's clock.
 * /proc/uptime counts hundredths, so each reading is up to 10 ms low: the smallest difference
 * over 50 ms of readings is the offset.
 */
function uptimeOffset() {
  let best = Infinity;
  const end = Date.now() + 50;
  while (Date.now() < end) {
    const up = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1000;
    best = Math.min(best, Date.now() - up);
  }
  return best;
}

// ---- a container engine for the run ----
// A small, focused duplicate of test/fixtures/dockerd.ts: that fixture is TypeScript outside the
// build (dist/ holds only the server), so a plain .mjs can't import it. Same approach: the daemon
// started by hand with its own data root, exec root and unix socket in a temp dir, no bridge and
// no iptables, so it touches nothing of the machine's; its leftovers (helpers, mounts) are
// cleaned up by pid and by path when it stops. Keep the two in step when one changes.
const exec = promisify(execFile);
const BENCH_IMAGE = 'gitssy-bench:busybox';
const SBIN = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function which(cmd) {
  for (const dir of [...(process.env.PATH ?? '').split(':'), ...SBIN]) if (dir && existsSync(path.join(dir, cmd))) return path.join(dir, cmd);
  return null;
}

/** True when the 64-bit ELF file has no program interpreter (static: it runs in an empty rootfs). */
async function isStaticElf(file) {
  const fh = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(64);
    await fh.read(head, 0, 64, 0);
    if (head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2) return false;
    const phoff = Number(head.readBigUInt64LE(32));
    const phentsize = head.readUInt16LE(54);
    const phnum = head.readUInt16LE(56);
    const ph = Buffer.alloc(phentsize * phnum);
    await fh.read(ph, 0, ph.length, phoff);
    for (let i = 0; i < phnum; i++) if (ph.readUInt32LE(i * phentsize) === 3) return false; // PT_INTERP
    return true;
  } finally {
    await fh.close();
  }
}

async function findBusybox() {
  for (const p of ['/bin/busybox', '/usr/bin/busybox']) if (existsSync(p) && (await isStaticElf(p).catch(() => false))) return p;
  return null;
}

/** Imports a busybox rootfs (its applets, /tmp, /workspace, an unprivileged user 10001) as ref. */
async function importBusybox(client, ref) {
  const busybox = await findBusybox();
  if (!busybox) throw new Error('no static busybox to build the image from (apt-get install busybox-static), and no --image given');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitssy-bench-rootfs-'));
  try {
    for (const d of ['bin', 'etc', 'tmp', 'workspace', 'proc', 'sys', 'dev', 'run', 'root']) await fs.mkdir(path.join(dir, d), { recursive: true });
    await fs.chmod(path.join(dir, 'tmp'), 0o1777);
    await fs.copyFile(busybox, path.join(dir, 'bin', 'busybox'));
    await fs.chmod(path.join(dir, 'bin', 'busybox'), 0o755);
    const { stdout } = await exec(busybox, ['--list']);
    for (const applet of stdout.split('\n')) if (applet && applet !== 'busybox' && /^[\w.[-]+$/.test(applet)) await fs.symlink('busybox', path.join(dir, 'bin', applet)).catch(() => {});
    await fs.writeFile(path.join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nci:x:10001:10001:ci:/tmp:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
    await fs.writeFile(path.join(dir, 'etc', 'group'), 'root:x:0:\nci:x:10001:\nnogroup:x:65534:\n');
    const tar = spawn('tar', ['-C', dir, '--numeric-owner', '--owner=0', '--group=0', '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    // the whole reference as `repo`, as the docker CLI sends it (Podman ignores a separate tag)
    const progress = await client.importImage(tar.stdout, { repo: ref, changes: ['ENV PATH=/usr/local/bin:/usr/bin:/bin'] });
    await new Promise((resolve, reject) => {
      let out = '';
      progress.on('data', (d) => (out += d.toString()));
      progress.on('end', () => (/"error"/.test(out) ? reject(new Error(out)) : resolve()));
      progress.on('error', reject);
    });
    await client.getImage(ref).inspect();
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function unmountUnder(dir) {
  const info = await fs.readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const points = info
    .split('\n')
    .map((l) => l.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((p) => !!p && (p === dir || p.startsWith(dir + '/')))
    .sort((a, b) => b.length - a.length);
  for (const p of points) await exec('umount', ['-l', p]).catch(() => {});
}

/** Pids of processes whose command line names dir (what the daemon spawned: containerd, conmon, cleanup helpers). */
async function strays(dir) {
  const out = [];
  for (const pid of (await fs.readdir('/proc').catch(() => [])).filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    const cmd = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(dir)) out.push(Number(pid));
  }
  return out;
}

async function reapStrays(dir) {
  for (let i = 0; i < 50; i++) {
    if (!(await strays(dir)).length) return;
    await sleep(200);
  }
  for (const pid of await strays(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(t);
}

function engineArgv(engine, dir, socket) {
  if (engine === 'docker')
    return [
      ...['--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'docker.pid')],
      ...['--host', `unix://${socket}`, '--config-file', path.join(dir, 'daemon.json'), '--bridge', 'none'],
      ...['--iptables=false', '--ip6tables=false', '--ip-forward=false', '--ip-masq=false', '--log-level', 'warn'],
    ];
  const runc = which('runc');
  return [
    ...['--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'run'), '--tmpdir', path.join(dir, 'tmp')],
    // crun is not what Debian's podman finds working everywhere; runc is (dockerd uses it too)
    ...(runc ? ['--runtime', runc] : []),
    ...['--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--storage-driver', 'overlay', '--log-level', 'warn'],
    ...['system', 'service', '--time', '0', `unix://${socket}`],
  ];
}

/** Starts dockerd or `podman system service` on a private socket: {socketPath, client, stop} or {skip}. */
async function startPrivateEngine(engine) {
  const bin = which(engine === 'docker' ? 'dockerd' : 'podman');
  if (!bin) return { skip: `${engine === 'docker' ? 'dockerd' : 'podman'} is not installed` };
  if (process.getuid?.() !== 0) return { skip: `starting a private ${LABEL[engine]} needs root, and the bench is not running as root` };
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `gitssy-bench-${engine}-`));
  const socketPath = path.join(dir, `${engine}.sock`);
  const logFile = path.join(dir, 'daemon.log');
  // an empty daemon config, so the machine's /etc/docker/daemon.json is never read
  await fs.writeFile(path.join(dir, 'daemon.json'), '{}\n');
  const fd = openSync(logFile, 'a');
  const child = spawn(bin, engineArgv(engine, dir, socketPath), { cwd: dir, stdio: ['ignore', fd, fd], env: { ...process.env, XDG_RUNTIME_DIR: path.join(dir, 'xdg') } });
  closeSync(fd);
  const client = new Docker({ socketPath });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const c of await client.listContainers({ all: true }).catch(() => []))
      await client
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {});
    await stopChild(child);
    await reapStrays(dir);
    await unmountUnder(dir);
    await fs.rm(dir, { recursive: true, force: true }).catch(async () => {
      await unmountUnder(dir);
      await fs.rm(dir, { recursive: true, force: true }).catch(() => {});
    });
  };
  const deadline = Date.now() + 60_000;
  let problem = `it did not answer within 60 s`;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      problem = `it exited (${child.exitCode ?? child.signalCode})`;
      break;
    }
    try {
      await client.ping();
      problem = null;
      break;
    } catch {
      await sleep(200);
    }
  }
  if (problem) {
    const tail = (await fs.readFile(logFile, 'utf8').catch(() => '')).trim().split('\n').slice(-3).join(' | ');
    await stop();
    return { skip: `a private ${LABEL[engine]} could not start: ${problem}: ${tail}` };
  }
  return { socketPath, client, stop };
}

/**
 * The engine for a container backend: the one the forge would find, else a private one. Points
 * DOCKER_HOST (CONTAINER_HOST) at it and makes sure the image is there. Answers
 * {image, engine: sentence, done()} or {skip}.
 */
async function prepareEngine(backend) {
  const { DockerRuntime, engineSockets } = await import(path.join(DIST, 'runtime', 'docker.js'));
  const envVar = backend === 'docker' ? 'DOCKER_HOST' : 'CONTAINER_HOST';
  let socketPath = null;
  let privateEngine = null;
  const problems = [];
  for (const candidate of engineSockets(backend)) {
    if (!existsSync(candidate)) continue;
    const a = await new DockerRuntime({ engine: backend, socketPath: candidate }).available();
    if (a.ok) {
      socketPath = candidate;
      break;
    }
    problems.push(a.reason);
  }
  const found = socketPath ? `the ${LABEL[backend]} on ${socketPath}` : null;
  if (!socketPath) {
    const started = await startPrivateEngine(backend);
    if (started.skip) return { skip: `no ${LABEL[backend]} answers here${problems.length ? ` (${problems.join('; ')})` : ''}, and ${started.skip}` };
    privateEngine = started;
    socketPath = started.socketPath;
  }
  const saved = { DOCKER_HOST: process.env.DOCKER_HOST, CONTAINER_HOST: process.env.CONTAINER_HOST };
  // only this engine: a DOCKER_HOST left pointing at a dockerd would be tried by the Podman backend too
  delete process.env.DOCKER_HOST;
  delete process.env.CONTAINER_HOST;
  process.env[envVar] = `unix://${socketPath}`;
  const client = privateEngine?.client ?? new Docker({ socketPath });
  let image = IMAGE;
  let imported = false;
  const done = async () => {
    if (imported && !privateEngine)
      await client
        .getImage(image)
        .remove({ force: true })
        .catch(() => {});
    if (privateEngine) await privateEngine.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  cleanups.push(done);
  try {
    if (!image) {
      image = BENCH_IMAGE;
      const there = await client
        .getImage(image)
        .inspect()
        .then(() => true)
        .catch(() => false);
      if (!there) {
        await importBusybox(client, image);
        imported = true;
      }
    } else await client.getImage(image).inspect();
  } catch (err) {
    cleanups.splice(cleanups.indexOf(done), 1);
    await done();
    return { skip: `the image ${image} is not usable on ${found ?? `the private ${LABEL[backend]}`}: ${err.message}` };
  }
  return { image, engine: found ? `${found} (the machine's)` : `a private ${LABEL[backend]} started by the bench (${envVar}=unix://${socketPath})`, done };
}

async function startForge(backend, image) {
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
  await s.settings.update({ 'ci.backend': backend, 'ci.workers': WORKERS, ...(image ? { 'ci.defaultImage': image } : {}) });
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
  await fs.writeFile(path.join(dir, '.ci', 'run.sh'), '#!/bin/sh\nread up rest < /proc/uptime\necho "ok $GIT_SHA"\necho "started $up"\n', { mode: 0o755 });
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
  let eng = null;
  if (backend !== 'sandbox') {
    eng = await prepareEngine(backend);
    if (eng.skip) {
      console.log(`${backend}: skipped (${eng.skip})`);
      return { backend, skipped: eng.skip };
    }
    console.log(`${backend}: ${eng.engine}, image ${eng.image}`);
  }
  try {
    return await benchOn(backend, eng);
  } finally {
    if (eng) {
      await eng.done();
      cleanups.splice(cleanups.indexOf(eng.done), 1);
    }
  }
}

async function benchOn(backend, eng) {
  const f = await startForge(backend, eng?.image ?? null);
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
    const toScript = [];
    const offset = uptimeOffset();
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
      const up = /^started (\d+(?:\.\d+)?)$/m.exec(await fs.readFile(f.s.ci.logs.file(f.repoId, job.id), 'utf8'))?.[1];
      if (!up) throw new Error(`job ${job.id}: its log has no start time`);
      toScript.push(offset + Number(up) * 1000 - ack);
      toStatus.push(status.created_at - ack);
      clientToStatus.push(status.created_at - t1);
    }
    const latency = { toQueued: dist(toQueued), toRunning: dist(toRunning), toScript: dist(toScript), toStatus: dist(toStatus), clientExitToStatus: dist(clientToStatus) };

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
    return { backend, detail: f.detail, ...(eng ? { engine: eng.engine, image: eng.image } : {}), latency, burst, goalMs: GOAL_MS[backend] };
  } finally {
    await f.app.stop();
    if (!KEEP) for (const d of [f.data, client.dir]) await fs.rm(d, { recursive: true, force: true });
  }
}

async function main() {
  console.log(`CI benchmark: ${PUSHES} pushes one at a time (+2 warm-up), then ${BURST} at once; ${WORKERS} worker(s); backends ${BACKENDS.join(', ')}`);
  const loadAtStart = os.loadavg();
  const out = [];
  for (const b of BACKENDS) out.push(await bench(b));
  console.log('');
  console.log(
    '| backend | ack → queued p50 | ack → running (claimed) p50 / p90 | ack → script started p50 / p90 / max | ack → status posted p50 / p90 | git push exit → status p50 | goal (ack → script started p50) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---|');
  for (const r of out) {
    if (r.skipped) {
      console.log(`| ${r.backend} | skipped: ${r.skipped} | | | | | |`);
      continue;
    }
    const l = r.latency;
    console.log(
      `| ${r.backend} | ${fmt(l.toQueued.p50)} | ${fmt(l.toRunning.p50)} / ${fmt(l.toRunning.p90)} | ${fmt(l.toScript.p50)} / ${fmt(l.toScript.p90)} / ${fmt(l.toScript.max)} | ${fmt(l.toStatus.p50)} / ${fmt(l.toStatus.p90)} | ${fmt(l.clientExitToStatus.p50)} | < ${r.goalMs} ms: ${l.toScript.p50 < r.goalMs ? 'met' : 'MISSED'} |`,
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
  console.log('');
  for (const r of out) if (r.engine) console.log(`${r.backend}: ${r.engine}, image ${r.image}`);
  const result = { at: new Date().toISOString(), pushes: PUSHES, burst: BURST, workers: WORKERS, results: out, cpus: os.cpus().length, loadAtStart, load: os.loadavg() };
  await fs.mkdir(path.join(HERE, 'results'), { recursive: true });
  await fs.writeFile(path.join(HERE, 'results', 'ci-latest.json'), JSON.stringify(result, null, 2) + '\n');
  const ran = out.filter((r) => !r.skipped);
  const ok = ran.length > 0 && ran.every((r) => r.latency.toScript.p50 < r.goalMs && r.burst.problems === 0 && r.burst.jobsTotal === r.burst.expectedTotal);
  console.log(ok ? 'PASS' : 'FAIL');
  process.exit(ok ? 0 : 1);
}

async function cleanUp() {
  while (cleanups.length)
    await cleanups
      .pop()()
      .catch((err) => console.error(`cleanup: ${err.message}`));
}

for (const sig of ['SIGINT', 'SIGTERM'])
  process.once(sig, () => {
    console.error(`${sig}: stopping what the bench started`);
    void cleanUp().finally(() => process.exit(130));
  });

main().catch(async (err) => {
  console.error(err);
  await cleanUp();
  process.exit(2);
});
