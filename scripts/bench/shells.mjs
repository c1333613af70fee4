#!/usr/bin/env node
// Gitssy dev shells benchmark: how long a shell takes from "start" to its prompt, per backend,
// and how fast a typed key comes back, against `ssh -tt` into the same container (Docker) or the
// same kind of sandbox (host sandbox) as the reference.
//
//   npm run bench:shells                      (builds first)
//   node scripts/bench/shells.mjs [--backends sandbox,docker] [--starts-sandbox N] [--starts-docker N] [--keys N] [--keep] [--verbose]
//
// For each backend (the others are reported as skipped, with the reason), the built server
// (dist/server/gitssy.js serve) runs as a child process of its own (so the bench's client never
// shares its event loop) on a temp data dir, 127.0.0.1 and free ports, with
// GITSSY_CI_BACKEND=<backend>. Set-up through the CLI and the API: an admin user (gitssy admin
// user create), a repository with one commit (auto_init), a token (POST /users/:name/tokens) and
// the settings (PATCH /admin/settings): shells.maxPerUser 10 (each start waits for the previous
// shell to be stopped anyway); for Docker shells.image and shells.defaultNetwork none (below).
//
// Docker: the bench starts its own dockerd with the test fixture's logic (test/fixtures/dockerd.ts,
// transpiled on the fly with the project's TypeScript: no copy of it here): own data root, exec
// root and unix socket in a temp dir, no bridge, no iptables. Its image is the fixture's
// gitssy-test:git (busybox plus the host's git and bash, imported from a rootfs: no registry);
// the time that import takes is printed. The forge gets DOCKER_HOST=unix://<that socket>. That
// engine has no bridge network, so shells.defaultNetwork is none there (a container on `open`
// or `lan` would get the engine's bridge, which also costs its veth set-up at each start).
//
// The client is a socket.io client (default namespace, auth {token}, websocket only), connected
// before any timing starts, as a browser tab with the forge open would be.
//
// 1. Start to prompt, --starts-<backend> times (default 10 on the sandbox, 5 on Docker), one
//    after the other, after one warm-up start that is not counted. Per start:
//      t0        just before POST /api/v1/user/shells {repo, branch} is sent;
//      201       its answer ({id, state: 'starting'});
//      then `shell:attach {id}` is emitted at once (retried every 20 ms while its ack is not ok);
//      output    the first shell:output (or non-empty attach replay) for the shell;
//      prompt    the first moment the output so far, with terminal escape sequences removed,
//                ends in "$ " or "# " (the server's PS1 is '\w \$ ': "/workspace $ "). This is
//                what the goal is measured on: < 1.5 s on the sandbox, < 3 s on Docker.
//    No input is sent before the prompt. Then DELETE /api/v1/user/shells/{id} and GET it until
//    its state is stopped (or failed): the next start never overlaps a teardown.
// 2. Echo latency, on the last started shell (kept running for this): the terminal is resized to
//    200x50 (shell:resize) so a line never wraps, then --keys (default 1,000) single lowercase
//    letters are typed at the prompt one at a time (shell:input {id, data}): the time from the
//    emit to the first shell:output that contains the letter (the shell's line editor echoing
//    it: bash's readline, as the user sees it). After every 50 letters a Ctrl-U clears the line
//    (untimed, and the output is let settle for 50 ms). 20 warm-up keys are not counted.
//    Reference: `ssh -tt` (OpenSSH client in a node-pty, 200x50, key auth, host key pinned) to a
//    throwaway sshd the bench starts on 127.0.0.1 (own host key, config, authorized_keys) whose
//    ForceCommand enters
//      Docker:  the same container: `docker exec -it <id> <the container's own command>` (found
//               by its labels gitssy.shell=1 and gitssy.run=<id>; the exec gets the container's
//               env, user and /workspace), through the same engine;
//      sandbox: a sandbox of the same kind as the server's: `nice -n 10 bwrap` with the server's
//               options for a shell (new namespaces, the pty kept as the controlling terminal, uid 1000, read-only /usr /etc /opt and the
//               merged-/usr links, /proc, /dev, tmpfs /tmp and /dev/shm, a bound /workspace,
//               cleared env with the same PS1/TERM/LANG) running the server's shell command as
//               read from its bwrap's command line (prlimit is left out: no limit is reached).
//    The same typing is done there (pty.write, wait for the letter in pty output), interleaved
//    with ours in 4 blocks (ours, ssh, ours, ssh, …) so load drift hits both alike. The time
//    `ssh` takes from spawn to that prompt is shown too, for context only (it includes the SSH
//    handshake; the forge's start includes a clone and a new container or sandbox).
//    Goal: ours p99 < 30 ms on loopback.
//    Then, untimed, `git rev-parse --abbrev-ref HEAD && git status --porcelain | wc -l` is run in
//    our shell: it must name the branch (the shell is in its checkout, and git works there).
//
// Results: scripts/bench/results/shells-latest.json. Exit 0 when every backend that ran met its
// goals, 1 when one did not, 2 on an error.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const SERVER_MAIN = path.join(ROOT, 'dist', 'server', 'gitssy.js');
const require = createRequire(path.join(ROOT, 'package.json'));

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const BACKENDS = String(opt('backends', 'sandbox,docker')).split(',').filter(Boolean);
const STARTS = { sandbox: Number(opt('starts-sandbox', 10)), docker: Number(opt('starts-docker', 5)) };
const KEYS = Number(opt('keys', 1000));
const KEEP = args.includes('--keep');
/** Prints each shell's output up to its prompt (and the reference's), to see what was matched. */
const VERBOSE = args.includes('--verbose');
const WARMUP_KEYS = 20;
const LINE_KEYS = 50;
const BLOCKS = 4;
const COLS = 200;
const ROWS = 50;
const GOAL_START_MS = { sandbox: 1500, docker: 3000 };
const GOAL_ECHO_P99_MS = 30;
const LABEL = { sandbox: 'host sandbox', docker: 'Docker' };
const USER = 'alice';
const PASS = 'alice-pass-1234';
const SBIN = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
/** What to undo on exit, an error or a signal (servers, sshd, the engine, temp dirs), newest first. */
const cleanups = [];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const fmt = (ms, digits = 0) => (ms === undefined || ms === null || Number.isNaN(ms) ? '—' : `${ms.toFixed(digits)} ms`);
const shq = (x) => `'${String(x).replace(/'/g, `'\\''`)}'`;
// CSI, OSC, charset and keypad-mode sequences: what a shell prints around its prompt
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?<=>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>78]/g;
const atPrompt = (text) => /[$#] $/.test(text.replace(ANSI, '').replace(/\r/g, ''));

function which(cmd) {
  for (const dir of [...(process.env.PATH ?? '').split(':'), ...SBIN]) if (dir && existsSync(path.join(dir, cmd))) return path.join(dir, cmd);
  return null;
}

function run(cmd, argv, { cwd, env, allowFail = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 || allowFail ? resolve(out) : reject(new Error(`${cmd} ${argv.join(' ')} failed (${code}): ${err.trim()}`))));
  });
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

async function waitFor(what, fn, timeoutMs, interval = 50) {
  const deadline = Date.now() + timeoutMs;
  let last = null;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await sleep(interval);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

const tail = (file, n = 15) => {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
};

/** A process in a process group of its own (a server's shells, sshd's sessions), stopped with the group. */
function startDaemon(name, cmd, argv, { env, cwd, logFile }) {
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, argv, { env, cwd, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const d = { name, child, logFile, exited: false };
  child.on('exit', () => (d.exited = true));
  d.stop = async (graceMs = 15_000) => {
    if (d.exited) return;
    const gone = new Promise((r) => child.once('exit', r));
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, graceMs);
    await gone;
    clearTimeout(timer);
    // what the group still has (a session's children)
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  };
  return d;
}

// ---- the container engine: the test fixture's, not a copy of it ----

/**
 * test/fixtures/dockerd.ts, transpiled by the project's TypeScript into a temp dir (with a
 * node_modules link, so `dockerode` resolves) and imported: startDockerd() and the git image.
 */
async function engineFixture() {
  const ts = (await import('typescript')).default;
  const src = await fs.readFile(path.join(ROOT, 'test', 'fixtures', 'dockerd.ts'), 'utf8');
  const { outputText } = ts.transpileModule(src, { fileName: 'dockerd.ts', compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitssy-bench-fixture-'));
  try {
    await fs.symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    await fs.writeFile(path.join(dir, 'dockerd.mjs'), outputText);
    return await import(pathToFileURL(path.join(dir, 'dockerd.mjs')).href);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The bench's own dockerd with the git image: {fx, image, importMs} or {skip}. */
async function prepareDocker() {
  const { startDockerd } = await engineFixture();
  const started = await startDockerd();
  if (started.skip) return { skip: started.skip };
  const fx = started;
  const stop = () => fx.stop();
  cleanups.push(stop);
  const done = async () => {
    cleanups.splice(cleanups.indexOf(stop), 1);
    await stop();
  };
  const t0 = performance.now();
  try {
    const image = await fx.gitImage();
    return { fx, image, importMs: performance.now() - t0, done };
  } catch (err) {
    await done();
    return { skip: err.message };
  }
}

// ---- the forge ----

async function startForge(backend, env) {
  if (!existsSync(SERVER_MAIN)) throw new Error(`${path.relative(ROOT, SERVER_MAIN)} not found: build first (npm run bench:shells does)`);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `gitssy-bench-shells-${backend}-`));
  const data = path.join(dir, 'data');
  await fs.mkdir(data);
  const serverEnv = { ...process.env, ...env, GITSSY_CI_BACKEND: backend };
  for (const k of Object.keys(serverEnv)) if (k.startsWith('GIT_')) delete serverEnv[k];
  const logFile = path.join(dir, 'server.log');
  const srv = startDaemon('gitssy', process.execPath, [SERVER_MAIN, 'serve', '--data', data, '--host', '127.0.0.1', '--http-port', '0', '--ssh-port', '0'], { env: serverEnv, cwd: ROOT, logFile });
  const forge = { dir, data, srv, logFile };
  const stop = async () => {
    await srv.stop();
    if (!KEEP) await fs.rm(dir, { recursive: true, force: true });
  };
  cleanups.push(stop);
  forge.stop = async () => {
    cleanups.splice(cleanups.indexOf(stop), 1);
    await stop();
  };
  try {
    const portsFile = path.join(data, 'run', 'ports.json');
    const ports = await waitFor(
      'the server to write run/ports.json',
      async () => {
        if (srv.exited) throw new Error(`the server exited:\n${tail(logFile)}`);
        const p = JSON.parse(await fs.readFile(portsFile, 'utf8'));
        return p.http ? p : null;
      },
      60_000,
    );
    forge.base = `http://127.0.0.1:${ports.http}`;
    await waitFor('/ping', async () => (await fetch(`${forge.base}/ping`)).ok, 30_000);
    await run(process.execPath, [SERVER_MAIN, 'admin', 'user', 'create', '--data', data, '--username', USER, '--password', PASS, '--email', `${USER}@example.test`, '--admin'], { cwd: ROOT });
    const basic = 'Basic ' + Buffer.from(`${USER}:${PASS}`).toString('base64');
    const tok = await api(forge, 'POST', `/users/${USER}/tokens`, { name: 'bench', scopes: ['all'] }, basic);
    if (tok.status !== 201 || !tok.body?.sha1) throw new Error(`POST /api/v1/users/${USER}/tokens answered ${tok.status}: ${tok.text.slice(0, 300)}`);
    forge.token = tok.body.sha1;
    const repo = await api(forge, 'POST', '/user/repos', { name: 'proj', auto_init: true });
    if (repo.status !== 201) throw new Error(`POST /api/v1/user/repos answered ${repo.status}: ${repo.text.slice(0, 300)}`);
    forge.repo = `${USER}/proj`;
    forge.branch = repo.body.default_branch ?? 'main';
  } catch (err) {
    await forge.stop();
    throw err;
  }
  return forge;
}

async function api(forge, method, p, body, authorization) {
  const res = await fetch(`${forge.base}/api/v1${p}`, {
    method,
    headers: { authorization: authorization ?? `token ${forge.token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: json, text };
}

/** The socket.io client with the token, and per-shell output listeners. */
async function connectSocket(forge) {
  const { io } = require('socket.io-client');
  const sock = io(forge.base, { auth: { token: forge.token }, transports: ['websocket'], reconnection: false });
  await new Promise((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('connect_error', (err) => reject(new Error(`socket.io: ${err.message}`)));
  });
  const listeners = new Map();
  // a chunk can come twice (the attach replay and live output): its `end` says so
  const ends = new Map();
  sock.on('shell:output', (m) => {
    const id = Number(m?.id);
    if (typeof m?.end === 'number') {
      if (m.end <= (ends.get(id) ?? 0)) return;
      ends.set(id, m.end);
    }
    listeners.get(id)?.(String(m?.data ?? ''));
  });
  return {
    sock,
    onOutput: (id, fn) => listeners.set(Number(id), fn),
    off: (id) => listeners.delete(Number(id)),
    attach: (id) =>
      new Promise((resolve) => {
        const t = setTimeout(() => resolve({ ok: false, error: 'no ack within 10 s' }), 10_000);
        sock.emit('shell:attach', { id }, (ack) => {
          clearTimeout(t);
          resolve(ack ?? { ok: false, error: 'empty ack' });
        });
      }),
    close: () => sock.close(),
  };
}

/**
 * A terminal the bench types into: write(), and the output as it comes (onData). key() types one
 * character and answers the ms until output containing it arrived.
 */
function typist(write) {
  let pending = null;
  let lastData = performance.now();
  let text = '';
  return {
    data(chunk) {
      const now = performance.now();
      lastData = now;
      text += chunk;
      if (text.length > 65536) text = text.slice(-4096);
      if (pending && chunk.replace(ANSI, '').includes(pending.ch)) {
        const p = pending;
        pending = null;
        clearTimeout(p.timer);
        p.resolve(now - p.t0);
      }
    },
    text: () => text,
    write,
    key(ch, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending = null;
          reject(new Error(`no echo of ${JSON.stringify(ch)} within ${timeoutMs} ms; last output: ${JSON.stringify(text.slice(-200))}`));
        }, timeoutMs);
        pending = { ch, t0: performance.now(), resolve, timer };
        write(ch);
      });
    },
    /** Until no output came for ms (at most maxMs). */
    async quiet(ms, maxMs = 3000) {
      const deadline = performance.now() + maxMs;
      while (performance.now() < deadline && performance.now() - lastData < ms) await sleep(5);
    },
  };
}

/** Types `keys` letters (plus the warm-up ones when warm), Ctrl-U every LINE_KEYS; answers the timed latencies. */
async function typeKeys(t, keys, warm) {
  const out = [];
  let onLine = 0;
  for (let i = warm ? -WARMUP_KEYS : 0; i < keys; i++) {
    if (onLine === LINE_KEYS) {
      t.write('\x15');
      await t.quiet(50);
      onLine = 0;
    }
    const ms = await t.key(String.fromCharCode(97 + ((i + WARMUP_KEYS) % 26)));
    onLine++;
    if (i >= 0) out.push(ms);
  }
  t.write('\x15');
  await t.quiet(50);
  return out;
}

/** Runs a command line at the prompt (untimed) and answers what it printed, without the echoed line. */
async function commandOutput(t, line) {
  const from = t.text().length;
  // the typed line shows $((6*7)); only the shell running it prints 42
  t.write(`${line}; echo "__end_$((6*7))__"\r`);
  await waitFor('the command to finish', () => t.text().slice(from).includes('__end_42__'), 15_000, 10);
  const out = t.text().slice(from).replace(ANSI, '').replace(/\r/g, '');
  return out.slice(out.indexOf('\n') + 1, out.indexOf('__end_42__')).trim();
}

async function waitStopped(forge, id) {
  return waitFor(
    `shell ${id} to stop`,
    async () => {
      const r = await api(forge, 'GET', `/user/shells/${id}`);
      if (r.status !== 200) throw new Error(`GET /api/v1/user/shells/${id} answered ${r.status}: ${r.text.slice(0, 200)}`);
      return ['stopped', 'failed'].includes(r.body?.state) ? r.body : null;
    },
    60_000,
    50,
  );
}

/** One start: POST, attach, until the prompt. Answers {id, ms: {created, output, prompt}, t}. */
async function startShell(forge, sock) {
  const t = typist(() => {});
  let firstOutput = null;
  let prompt = null;
  let t0 = 0;
  let id = null;
  const seen = (chunk) => {
    if (!chunk) return;
    const now = performance.now();
    firstOutput ??= now;
    t.data(chunk);
    if (prompt === null && atPrompt(t.text())) prompt = now;
  };
  t0 = performance.now();
  const res = await api(forge, 'POST', '/user/shells', { repo: forge.repo, branch: forge.branch });
  const created = performance.now();
  if (res.status !== 201 || res.body?.id === undefined) {
    const err = new Error(`POST /api/v1/user/shells ${JSON.stringify({ repo: forge.repo, branch: forge.branch })} answered ${res.status}: ${res.text.slice(0, 500)}`);
    err.status = res.status;
    err.body = res.body;
    throw err;
  }
  id = res.body.id;
  if (res.body.state !== 'starting') console.log(`  note: POST answered state ${JSON.stringify(res.body.state)}, not "starting"`);
  sock.onOutput(id, seen);
  let ack;
  for (let i = 0; ; i++) {
    ack = await sock.attach(id);
    if (ack?.ok) break;
    if (performance.now() - t0 > 30_000) throw new Error(`shell:attach {id: ${id}} never acked ok: ${JSON.stringify(ack)}`);
    await sleep(20);
  }
  if (ack.replay !== undefined && typeof ack.replay === 'object' && ack.replay?.data) seen(ack.replay.data);
  else if (typeof ack.data === 'string') seen(ack.data);
  else if (typeof ack.replay === 'string' && ack.replay !== 'full' && ack.replay !== 'tail') seen(ack.replay);
  let checked = performance.now();
  await waitFor(
    `the prompt of shell ${id}`,
    async () => {
      if (prompt !== null) return true;
      // a shell that failed to start says so in its state: no need to wait the whole minute
      if (performance.now() - checked > 1000) {
        checked = performance.now();
        const r = await api(forge, 'GET', `/user/shells/${id}`);
        if (['stopped', 'failed'].includes(r.body?.state)) throw new Error(`shell ${id} ended before its prompt: ${r.text.slice(0, 400)}; output: ${JSON.stringify(t.text().slice(-300))}`);
      }
      return false;
    },
    60_000,
    5,
  ).catch((err) => {
    throw new Error(`${err.message}; output so far: ${JSON.stringify(t.text().slice(-300))}`);
  });
  return { id, ms: { created: created - t0, output: firstOutput - t0, prompt: prompt - t0 }, t, ack };
}

// ---- the ssh reference ----

async function startSshd() {
  const sshd = which('sshd');
  const ssh = which('ssh');
  const keygen = which('ssh-keygen');
  if (!sshd || !ssh || !keygen)
    return { skip: `OpenSSH is not installed (${[!sshd && 'sshd', !ssh && 'ssh', !keygen && 'ssh-keygen'].filter(Boolean).join(', ')} missing: apt-get install openssh-server openssh-client)` };
  if (process.getuid?.() !== 0) return { skip: 'the reference sshd logs in as root to enter the container or sandbox, and the bench is not running as root' };
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitssy-bench-sshd-'));
  cleanups.push(() => (KEEP ? null : fs.rm(dir, { recursive: true, force: true })));
  await fs.chmod(dir, 0o700);
  const hostKey = path.join(dir, 'host_key');
  const clientKey = path.join(dir, 'client_key');
  await run(keygen, ['-q', '-t', 'ed25519', '-N', '', '-C', 'gitssy-bench-host', '-f', hostKey]);
  await run(keygen, ['-q', '-t', 'ed25519', '-N', '', '-C', 'gitssy-bench-client', '-f', clientKey]);
  await fs.writeFile(path.join(dir, 'authorized_keys'), (await fs.readFile(`${clientKey}.pub`, 'utf8')).trim() + '\n', { mode: 0o600 });
  const enter = path.join(dir, 'enter.sh');
  await fs.writeFile(enter, '#!/bin/sh\necho "no reference target set" >&2\nexit 1\n', { mode: 0o755 });
  // sshd wants its privilege separation folder
  if (!existsSync('/run/sshd')) await fs.mkdir('/run/sshd', { mode: 0o755 });
  const conf = path.join(dir, 'sshd_config');
  const logFile = path.join(dir, 'sshd.log');
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    await fs.writeFile(
      conf,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
        'StrictModes no',
        'UsePAM no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'PermitRootLogin prohibit-password',
        'PermitTTY yes',
        'PrintMotd no',
        'PrintLastLog no',
        // HOME: not a developer's ~/.bashrc (root's login shell runs the ForceCommand and reads it when sshd starts it)
        `SetEnv HOME=${dir}`,
        `ForceCommand ${enter}`,
        'LogLevel ERROR',
        '',
      ].join('\n'),
    );
    const t = spawnSync(sshd, ['-t', '-f', conf], { encoding: 'utf8' });
    if (t.status !== 0) return { skip: `sshd -t rejected the bench's config: ${(t.stderr || '').trim()}` };
    const d = startDaemon('sshd', sshd, ['-D', '-e', '-f', conf], { env: { PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin' }, cwd: dir, logFile });
    cleanups.push(() => d.stop(3000));
    const up = await waitFor(
      'sshd',
      () =>
        new Promise((resolve) => {
          if (d.exited) return resolve('exited');
          const s = net.connect({ host: '127.0.0.1', port });
          s.once('data', (b) => (s.destroy(), resolve(String(b).startsWith('SSH-2.0-') ? 'up' : null)));
          s.once('error', () => resolve(null));
        }),
      15_000,
    ).catch(() => 'exited');
    if (up === 'up') {
      const hostPub = (await fs.readFile(`${hostKey}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
      await fs.writeFile(path.join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`);
      const version = (spawnSync(ssh, ['-V'], { encoding: 'utf8' }).stderr || '').trim();
      return { dir, port, ssh, enter, clientKey, knownHosts: path.join(dir, 'known_hosts'), version };
    }
    await d.stop(1000);
  }
  return { skip: `sshd did not start: ${tail(logFile, 5)}` };
}

/** ssh -tt in a node-pty, to the prompt of what enter.sh runs: {t, ms, close()}. */
async function sshSession(sshd, script) {
  await fs.writeFile(sshd.enter, script, { mode: 0o755 });
  const pty = require('node-pty');
  const argv = [
    '-tt',
    '-F',
    '/dev/null',
    '-i',
    sshd.clientKey,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `UserKnownHostsFile=${sshd.knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'LogLevel=ERROR',
    '-e',
    'none',
    '-p',
    String(sshd.port),
    'root@127.0.0.1',
  ];
  const t0 = performance.now();
  const p = pty.spawn(sshd.ssh, argv, { name: 'xterm-256color', cols: COLS, rows: ROWS, cwd: sshd.dir, env: { PATH: process.env.PATH, HOME: sshd.dir, TERM: 'xterm-256color', LANG: 'C.UTF-8' } });
  let exited = false;
  p.onExit(() => (exited = true));
  const t = typist((d) => p.write(d));
  let prompt = null;
  p.onData((d) => {
    t.data(d);
    if (prompt === null && atPrompt(t.text())) prompt = performance.now();
  });
  try {
    await waitFor(
      'the ssh reference prompt',
      () => {
        if (exited) throw new Error(`ssh exited: ${JSON.stringify(t.text().slice(-400))}`);
        return prompt !== null;
      },
      30_000,
      5,
    );
  } catch (err) {
    p.kill();
    throw err;
  }
  return {
    t,
    ms: prompt - t0,
    close: async () => {
      if (exited) return;
      p.write('\x15exit\r');
      await waitFor('ssh to exit', () => exited, 5000, 20).catch(() => p.kill());
    },
  };
}

/** The reference for Docker: a shell in the very container, through the same engine. */
async function dockerReference(fx, id) {
  const docker = which('docker');
  if (!docker) return { skip: 'no docker CLI to `docker exec` into the container (apt-get install docker.io or docker-ce-cli)' };
  const list = await fx.client.listContainers({ filters: { label: ['gitssy.shell=1', `gitssy.run=${id}`] } });
  if (list.length !== 1) return { skip: `expected one container labelled gitssy.shell=1, gitssy.run=${id}; found ${list.length}` };
  const info = await fx.client.getContainer(list[0].Id).inspect();
  const cmd = info.Config.Cmd ?? ['sh', '-i'];
  const script = `#!/bin/sh\nexport DOCKER_HOST=${shq(`unix://${fx.socketPath}`)}\nexec ${shq(docker)} exec -it ${shq(info.Id)} ${cmd.map(shq).join(' ')}\n`;
  return { script, what: `docker exec -it <the shell's container> ${cmd.join(' ')}`.slice(0, 200) };
}

/** The server's sandbox shell command, from its bwrap's command line (bwrap --args 3 -- <command>). */
async function sandboxCommand(serverPid) {
  const parents = new Map();
  const cmdlines = new Map();
  for (const pid of (await fs.readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    parents.set(Number(pid), ppid);
    cmdlines.set(
      Number(pid),
      (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter((x, i, a) => i < a.length - 1 || x),
    );
  }
  const under = (pid) => {
    for (let p = pid, n = 0; p > 1 && n < 50; p = parents.get(p) ?? 0, n++) if (p === serverPid) return true;
    return false;
  };
  for (const [pid, argv] of cmdlines) {
    if (!argv[0]?.endsWith('bwrap') || !under(pid)) continue;
    const dd = argv.indexOf('--');
    if (dd >= 0 && argv.length > dd + 1) return argv.slice(dd + 1);
  }
  return null;
}

/** The reference for the sandbox: the same kind of bwrap sandbox, with the server's options and shell command. */
async function sandboxReference(serverPid, workdir) {
  const bwrap = which('bwrap');
  if (!bwrap) return { skip: 'bubblewrap is not installed' };
  const found = await sandboxCommand(serverPid);
  const cmd = found ?? ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash --noprofile --norc -i; fi; exec sh -i'];
  const version = /(\d+)\.(\d+)/.exec(spawnSync(bwrap, ['--version'], { encoding: 'utf8' }).stdout ?? '');
  const a = ['--unshare-all', '--unshare-user', '--share-net', '--die-with-parent', '--uid', '1000', '--gid', '1000', '--hostname', 'gitssy-shell', '--cap-drop', 'ALL'];
  if (version && (Number(version[1]) > 0 || Number(version[2]) >= 8)) a.push('--disable-userns');
  for (const d of ['/usr', '/etc', '/opt']) if (existsSync(d)) a.push('--ro-bind', d, d);
  for (const l of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    const st = await fs.lstat(l).catch(() => null);
    if (st?.isSymbolicLink()) a.push('--symlink', await fs.readlink(l), l);
    else if (st?.isDirectory()) a.push('--ro-bind', l, l);
  }
  a.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/dev/shm', '--tmpfs', '/tmp', '--dir', '/tmp/home', '--bind', workdir, '/workspace', '--chdir', '/workspace', '--clearenv');
  const env = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: '/tmp/home',
    USER: 'ci',
    LOGNAME: 'ci',
    LANG: 'C.UTF-8',
    TMPDIR: '/tmp',
    TERM: 'xterm-256color',
    PS1: '\\w \\$ ',
  };
  for (const [k, v] of Object.entries(env)) a.push('--setenv', k, v);
  const nice = which('nice');
  const script = `#!/bin/sh\nexec ${nice ? `${shq(nice)} -n 10 ` : ''}${shq(bwrap)} ${a.map(shq).join(' ')} -- ${cmd.map(shq).join(' ')}\n`;
  return {
    script,
    what: `${nice ? 'nice -n 10 ' : ''}bwrap (the server's options) -- ${cmd.join(' ')}${found ? '' : ' (the server’s bwrap was not found in /proc: the command the server is known to use)'}`.slice(
      0,
      300,
    ),
  };
}

// ---- one backend ----

async function bench(backend, sshd) {
  let eng = null;
  const env = {};
  if (backend === 'docker') {
    eng = await prepareDocker();
    if (eng.skip) {
      console.log(`${backend}: skipped (${eng.skip})`);
      return { backend, skipped: eng.skip };
    }
    console.log(`${backend}: the bench's own dockerd (DOCKER_HOST=unix://${eng.fx.socketPath}); image ${eng.image} imported in ${fmt(eng.importMs)}`);
    env.DOCKER_HOST = `unix://${eng.fx.socketPath}`;
  } else if (backend !== 'sandbox') return { backend, skipped: `unknown backend "${backend}" (sandbox or docker)` };
  let forge;
  try {
    forge = await startForge(backend, env);
  } catch (err) {
    await eng?.done();
    throw err;
  }
  let sock = null;
  try {
    const settings = { 'shells.maxPerUser': 10, ...(backend === 'docker' ? { 'shells.image': eng.image, 'shells.defaultNetwork': 'none' } : {}) };
    const patched = await api(forge, 'PATCH', '/admin/settings', settings);
    if (patched.status !== 200) throw new Error(`PATCH /api/v1/admin/settings ${JSON.stringify(settings)} answered ${patched.status}: ${patched.text.slice(0, 300)}`);
    sock = await connectSocket(forge);
    const n = STARTS[backend];
    const starts = [];
    let last = null;
    for (let i = -1; i < n; i++) {
      let s;
      try {
        s = await startShell(forge, sock);
      } catch (err) {
        // the backend is not usable here: the forge says why (503 with its reason)
        if (err.status === 503 && i === -1) {
          console.log(`${backend}: skipped (${err.message})`);
          return { backend, skipped: err.body?.message ?? err.message };
        }
        throw err;
      }
      if (i >= 0) starts.push(s.ms);
      if (VERBOSE) console.log(`  output to the prompt: ${JSON.stringify(s.t.text())}`);
      console.log(`  ${i < 0 ? 'warm-up' : `start ${i + 1}/${n}`}: shell ${s.id}: 201 after ${fmt(s.ms.created)}, first output ${fmt(s.ms.output)}, prompt ${fmt(s.ms.prompt)}`);
      if (i === n - 1) {
        last = s;
        break;
      }
      sock.off(s.id);
      const del = await api(forge, 'DELETE', `/user/shells/${s.id}`);
      if (del.status !== 204) throw new Error(`DELETE /api/v1/user/shells/${s.id} answered ${del.status}: ${del.text.slice(0, 300)}`);
      await waitStopped(forge, s.id);
    }

    // echo: ours and the ssh reference, interleaved
    const id = last.id;
    const ours = typist((data) => sock.sock.emit('shell:input', { id, data }));
    sock.onOutput(id, (d) => ours.data(d));
    sock.sock.emit('shell:resize', { id, cols: COLS, rows: ROWS });
    await ours.quiet(200);
    let ref = null;
    let refSkip = sshd.skip ?? null;
    if (!refSkip) {
      const target =
        backend === 'docker'
          ? await dockerReference(eng.fx, id)
          : await sandboxReference(forge.srv.child.pid, await fs.mkdtemp(path.join(forge.dir, 'ref-ws-')).then(async (d) => (await fs.chmod(d, 0o777), d)));
      if (target.skip) refSkip = target.skip;
      else {
        ref = await sshSession(sshd, target.script);
        ref.what = target.what;
        if (VERBOSE) console.log(`  reference output to the prompt: ${JSON.stringify(ref.t.text())}`);
        await ref.t.quiet(200);
      }
    }
    const echo = { ours: [], ssh: [] };
    const per = Math.ceil(KEYS / BLOCKS);
    for (let b = 0; b < BLOCKS; b++) {
      const k = Math.min(per, KEYS - b * per);
      if (k <= 0) break;
      echo.ours.push(...(await typeKeys(ours, k, b === 0)));
      if (ref) echo.ssh.push(...(await typeKeys(ref.t, k, b === 0)));
    }
    await ref?.close();
    // untimed: the shell is a working one, in the checkout, with git
    const check = await commandOutput(ours, 'git rev-parse --abbrev-ref HEAD && git status --porcelain | wc -l');
    const gitOk = check.split('\n')[0]?.trim() === forge.branch;
    if (!gitOk) console.log(`  note: in shell ${id}, \`git rev-parse --abbrev-ref HEAD && git status --porcelain | wc -l\` printed ${JSON.stringify(check)}, not the branch ${forge.branch}`);
    sock.off(id);
    const del = await api(forge, 'DELETE', `/user/shells/${id}`);
    if (del.status !== 204) throw new Error(`DELETE /api/v1/user/shells/${id} answered ${del.status}: ${del.text.slice(0, 300)}`);
    await waitStopped(forge, id);

    const pick = (k) => starts.map((s) => s[k]);
    const stat = (xs) => (xs.length ? { p50: quantile(xs, 0.5), p90: quantile(xs, 0.9), p99: quantile(xs, 0.99), max: Math.max(...xs), n: xs.length } : null);
    return {
      backend,
      ...(eng ? { engine: `the bench's own dockerd`, image: eng.image, imageImportMs: Math.round(eng.importMs) } : {}),
      start: { created: stat(pick('created')), output: stat(pick('output')), prompt: stat(pick('prompt')) },
      echo: { ours: stat(echo.ours), ssh: stat(echo.ssh), keys: echo.ours.length },
      gitInShell: { ok: gitOk, output: check },
      reference: ref ? { what: ref.what, sshToPromptMs: ref.ms, ssh: sshd.version } : { skipped: refSkip },
      goals: { startP50Ms: GOAL_START_MS[backend], echoP99Ms: GOAL_ECHO_P99_MS },
    };
  } finally {
    sock?.close();
    await forge.stop();
    await eng?.done();
  }
}

async function main() {
  console.log(
    `Dev shells benchmark: start → prompt (${BACKENDS.map((b) => `${STARTS[b] ?? '?'} on ${b}`).join(', ')}, +1 warm-up), then ${KEYS} keys echoed (+${WARMUP_KEYS} warm-up) vs ssh -tt; backends ${BACKENDS.join(', ')}`,
  );
  const loadAtStart = os.loadavg();
  const sshd = await startSshd();
  if (sshd.skip) console.log(`ssh reference: skipped (${sshd.skip})`);
  else console.log(`ssh reference: ${sshd.version}, sshd on 127.0.0.1:${sshd.port}`);
  const out = [];
  for (const b of BACKENDS) out.push(await bench(b, sshd));
  console.log('');
  console.log('| backend | start → prompt p50 / p90 / max | (POST → 201 p50; → first output p50) | goal (prompt p50) | echo p50 / p99 ours | echo p50 / p99 ssh -tt reference | goal (ours p99) |');
  console.log('|---|---:|---:|---|---:|---:|---|');
  const okOf = (r) => r.start.prompt.p50 < r.goals.startP50Ms && r.echo.ours.p99 < r.goals.echoP99Ms;
  for (const r of out) {
    if (r.skipped) {
      console.log(`| ${r.backend} | skipped: ${r.skipped} | | | | | |`);
      continue;
    }
    const p = r.start.prompt;
    const e = r.echo;
    console.log(
      `| ${LABEL[r.backend]} (n=${p.n}) | ${fmt(p.p50)} / ${fmt(p.p90)} / ${fmt(p.max)} | ${fmt(r.start.created.p50)}; ${fmt(r.start.output.p50)} | < ${r.goals.startP50Ms} ms: ${p.p50 < r.goals.startP50Ms ? 'met' : 'MISSED'} | ${fmt(e.ours.p50, 1)} / ${fmt(e.ours.p99, 1)} | ${e.ssh ? `${fmt(e.ssh.p50, 1)} / ${fmt(e.ssh.p99, 1)}` : `skipped: ${r.reference.skipped}`} | < ${r.goals.echoP99Ms} ms: ${e.ours.p99 < r.goals.echoP99Ms ? 'met' : 'MISSED'} |`,
    );
  }
  console.log('');
  for (const r of out) {
    if (r.skipped) continue;
    console.log(
      `${r.backend}: git in the shell: ${r.gitInShell.ok ? `on ${r.gitInShell.output.split('\n')[0]}, ${r.gitInShell.output.split('\n')[1]?.trim()} changed files` : `NOT WORKING: ${JSON.stringify(r.gitInShell.output)}`}`,
    );
    console.log(
      `${r.backend}: ${r.echo.keys} keys each side; reference: ${r.reference.what ?? `skipped (${r.reference.skipped})`}${r.reference.sshToPromptMs ? `; ssh spawn → its prompt ${fmt(r.reference.sshToPromptMs)}` : ''}`,
    );
    if (r.image) console.log(`${r.backend}: image ${r.image} (imported in ${r.imageImportMs} ms), ${r.engine}, shells.defaultNetwork none`);
  }
  const result = { at: new Date().toISOString(), keys: KEYS, starts: STARTS, results: out, cpus: os.cpus().length, loadAtStart, load: os.loadavg() };
  await fs.mkdir(path.join(HERE, 'results'), { recursive: true });
  await fs.writeFile(path.join(HERE, 'results', 'shells-latest.json'), JSON.stringify(result, null, 2) + '\n');
  const ran = out.filter((r) => !r.skipped);
  const ok = ran.length > 0 && ran.every(okOf);
  console.log(ok ? 'PASS' : 'FAIL');
  await cleanUp();
  process.exit(ok ? 0 : 1);
}

async function cleanUp() {
  while (cleanups.length) await (async () => cleanups.pop()())().catch((err) => console.error(`cleanup: ${err.message}`));
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
