// One process per data directory: `gitssy serve`, and the CLI commands that need the data dir
// to themselves, hold an exclusive lock on it for the life of the process. A second one is
// refused with the holder's pid and ports, before it writes anything in the data dir.
//
// Why a listening socket: Node has no flock(), and a pid file goes stale (kill -9 leaves it
// behind, and its pid may belong to another program by then). A listening socket is a lock the
// kernel drops with its process, however the process ends:
// - Linux and macOS: a Unix domain socket in <data>/run/lock/. While its process lives,
//   connect() reaches it (and it answers with its pid and command); once the process is gone,
//   connect() gets ECONNREFUSED: the file is known to be dead, with no guessing from pids or
//   ages. What a dead file must never cost is a race: "it is dead, so delete it and bind
//   mine" lets two claimants that both saw it dead each delete the other's fresh one. So a
//   dead lock is never deleted or reused; it is superseded. The lock files are numbered
//   generations (0.sock, 1.sock, …) and the highest one is the lock. A claimant probes the
//   highest: live means busy; dead means it links its own socket as the next number. link()
//   fails atomically when the name exists, so of any number of claimants racing past the same
//   dead generation exactly one wins it, and the others find the winner alive. The socket
//   listens before it is linked in, so a lock file is never bound-but-not-listening, and
//   "dead" is never a false reading (a listener also refuses while its queue of connections
//   not yet accepted is full; the lock accepts each at once, and the queue holds 511). A
//   holder that ends cleanly removes its own file (the highest, so no number is skipped); a
//   killed one leaves an empty file behind, superseded at the next start. The lock lives
//   inside the data dir, so another spelling of the path, a symlink, or another container
//   sharing the volume finds it too. A data dir shared between machines over a network file
//   system is not supported (sockets don't cross machines, and neither does SQLite's locking).
// - Windows: a named pipe named after the data dir's real path. The pipe namespace refuses a
//   second server on a name in use, and the pipe closes with its process: no file, nothing stale.
import { existsSync } from 'node:fs';
import { link, lstat, mkdir, mkdtemp, readFile, readdir, realpath, rmdir, symlink, unlink } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomHex, sha256Hex } from './crypto.js';
import { AppError } from './errors.js';

/** Where the lock and the ports live in a data dir (the composition root's `run/`). */
const RUN_DIR = 'run';
const LOCK_DIR = 'lock';
const PORTS_FILE = 'ports.json';
const GENERATION = /^(\d{1,15})\.sock$/;

export interface LockHolder {
  pid: number | null;
  /** What holds it: "serve", "backup restore", … (null when it did not say). */
  command: string | null;
  /** The holder's ports from run/ports.json (null while a server is still starting, or for a CLI command). */
  ports: { http: number; ssh: number | null; git: number | null } | null;
}

/** The data dir is locked by another process. */
export class DataDirBusy extends AppError {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super('conflict', describeHolder(dataDir, holder));
  }
}

/** "a Gitssy server (pid 4242) is running on /srv/gitssy, listening on HTTP port 3000, SSH port 2222" */
export function describeHolder(dataDir: string, h: LockHolder): string {
  const pid = h.pid === null ? '' : ` (pid ${h.pid})`;
  if (h.command === 'serve' || (h.command === null && h.ports)) {
    if (!h.ports) return `a Gitssy server${pid} is starting on ${dataDir}`;
    const ports = [`HTTP port ${h.ports.http}`, ...(h.ports.ssh !== null ? [`SSH port ${h.ports.ssh}`] : []), ...(h.ports.git !== null ? [`git:// port ${h.ports.git}`] : [])];
    return `a Gitssy server${pid} is running on ${dataDir}, listening on ${ports.join(', ')}`;
  }
  return `another gitssy process${pid}${h.command ? ` ("gitssy ${h.command}")` : ''} is using ${dataDir}`;
}

export interface DataDirLock {
  readonly dataDir: string;
  /** Gives the lock up now (a process that ends gives it up anyway). */
  release(): Promise<void>;
}

/**
 * Takes the data dir for this process, creating the data dir and its run/ folder if needed
 * (and nothing else); throws DataDirBusy when another process holds it.
 */
export async function lockDataDir(dataDir: string, command: string): Promise<DataDirLock> {
  return process.platform === 'win32' ? lockWithPipe(dataDir, command) : lockWithSocket(dataDir, command);
}

/** Who holds the data dir, or null when nobody does. Writes nothing in it. */
export async function dataDirHolder(dataDir: string): Promise<LockHolder | null> {
  let seen: Probe;
  if (process.platform === 'win32') {
    if (!existsSync(dataDir)) return null;
    seen = await probe(await pipeName(dataDir));
  } else {
    const top = await highest(path.join(dataDir, RUN_DIR, LOCK_DIR));
    if (top === null) return null;
    seen = await viaShortPath(top.file, probe);
  }
  return seen.state === 'live' ? holderOf(dataDir, seen) : null;
}

/**
 * A restore swaps another folder in as the data dir: the lock goes with it (a second name for
 * the same listening socket), so the data dir is never unlocked, not even for the instant of
 * the swap. Call it right before the swap, holding the lock.
 */
export async function carryDataDirLock(dataDir: string, into: string): Promise<void> {
  if (process.platform === 'win32') return; // the pipe is named after the path, which stays
  // the holder's file is the highest generation
  const top = await highest(path.join(dataDir, RUN_DIR, LOCK_DIR));
  if (top === null) return;
  const dir = path.join(into, RUN_DIR, LOCK_DIR);
  await mkdir(dir, { recursive: true });
  const to = path.join(dir, path.basename(top.file));
  await unlink(to).catch(() => {});
  await link(top.file, to);
}

// ---- Linux and macOS ------------------------------------------------------------------------

async function lockWithSocket(dataDir: string, command: string): Promise<DataDirLock> {
  const lockDir = path.join(dataDir, RUN_DIR, LOCK_DIR);
  await mkdir(lockDir, { recursive: true });
  // listening under a private name first: whatever name the lock gets, it answers at once
  const own = path.join(lockDir, `.${process.pid}-${randomHex(4)}.sock`);
  const server = lockServer(command);
  await viaShortPath(own, (p) => listenOn(server, p));
  let mine: { file: string; dev: number; ino: number };
  try {
    const st = await lstat(own);
    mine = { file: await claim(dataDir, lockDir, own), dev: st.dev, ino: st.ino };
  } catch (err) {
    server.close();
    throw err;
  } finally {
    await unlink(own).catch(() => {});
  }
  server.unref();
  return {
    dataDir,
    async release() {
      // a restore may have carried the file into a new data dir: the same name there, the same socket
      const st = await lstat(mine.file).catch(() => null);
      if (st && st.dev === mine.dev && st.ino === mine.ino) await unlink(mine.file).catch(() => {});
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Links `own` in as the next generation after a dead highest one; returns its name, or throws DataDirBusy. */
async function claim(dataDir: string, lockDir: string, own: string): Promise<string> {
  for (let round = 0; round < 100; round++) {
    const top = await highest(lockDir);
    let next = 0;
    if (top) {
      const seen = await viaShortPath(top.file, probe);
      if (seen.state === 'live') throw new DataDirBusy(dataDir, await holderOf(dataDir, seen));
      if (seen.state === 'gone') continue; // its holder ended cleanly just now: look again
      next = top.generation + 1;
    }
    const file = path.join(lockDir, `${next}.sock`);
    try {
      await link(own, file);
      return file;
    } catch (err) {
      // another claimant took that number first: it is the one to look at now
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new Error(`could not lock ${dataDir}: the lock in ${lockDir} kept changing under us`);
}

/** The highest-numbered lock file, or null when there is none. */
async function highest(lockDir: string): Promise<{ generation: number; file: string } | null> {
  let top: number | null = null;
  for (const name of await readdir(lockDir).catch(() => [] as string[])) {
    const m = GENERATION.exec(name);
    if (m && (top === null || Number(m[1]) > top)) top = Number(m[1]);
  }
  return top === null ? null : { generation: top, file: path.join(lockDir, `${top}.sock`) };
}

/** sun_path holds 108 bytes on Linux and 104 on macOS, and Node silently cuts a longer path short. */
const MAX_SOCKET_PATH = 100;

/**
 * Runs `fn` with a path to `file` short enough for a socket address: the path itself, or the
 * same file through a symlink to its folder from a fresh private folder in the temp dir.
 */
async function viaShortPath<T>(file: string, fn: (p: string) => Promise<T>): Promise<T> {
  if (Buffer.byteLength(file) <= MAX_SOCKET_PATH) return fn(file);
  const dir = await mkdtemp(path.join(Buffer.byteLength(os.tmpdir()) <= 60 ? os.tmpdir() : '/tmp', 'gitssy-'));
  const alias = path.join(dir, 'd');
  try {
    await symlink(path.dirname(file), alias);
    return await fn(path.join(alias, path.basename(file)));
  } finally {
    await unlink(alias).catch(() => {});
    await rmdir(dir).catch(() => {});
  }
}

// ---- Windows --------------------------------------------------------------------------------

async function pipeName(dataDir: string): Promise<string> {
  const real = (await realpath(dataDir)).toLowerCase();
  return `\\\\.\\pipe\\gitssy-${sha256Hex(real).slice(0, 40)}`;
}

async function lockWithPipe(dataDir: string, command: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const name = await pipeName(dataDir);
  const server = lockServer(command);
  try {
    await listenOn(server, name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    const seen = await probe(name);
    throw new DataDirBusy(dataDir, seen.state === 'live' ? await holderOf(dataDir, seen) : { pid: null, command: null, ports: null });
  }
  server.unref();
  return { dataDir, release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

// ---- both -----------------------------------------------------------------------------------

/** The lock itself: a server that tells whoever connects which process holds it. */
function lockServer(command: string): net.Server {
  const greeting = `${JSON.stringify({ pid: process.pid, command })}\n`;
  const server = net.createServer((c) => {
    c.on('error', () => {});
    c.end(greeting);
  });
  return server;
}

function listenOn(server: net.Server, where: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(where, () => {
      server.off('error', reject);
      server.on('error', () => {}); // a failed accept is not the lock's concern; it keeps listening
      resolve();
    });
  });
}

type Probe = { state: 'live'; pid: number | null; command: string | null } | { state: 'dead' } | { state: 'gone' };

/** Connects to a lock: live (with what its holder says), dead (a file nobody listens on), or gone. */
function probe(where: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(where);
    let connected = false;
    let text = '';
    const live = () => {
      let said: { pid?: unknown; command?: unknown } = {};
      try {
        said = JSON.parse(text.split('\n')[0] ?? '') as typeof said;
      } catch {
        // a holder that said nothing readable is still a holder
      }
      resolve({ state: 'live', pid: typeof said.pid === 'number' ? said.pid : null, command: typeof said.command === 'string' ? said.command : null });
    };
    // a holder that accepts and says nothing (or a pipe that never answers) still holds the lock
    const timer = setTimeout(() => {
      sock.destroy();
      live();
    }, 2_000);
    sock.on('connect', () => (connected = true));
    sock.on('data', (c: Buffer) => {
      if (text.length < 4096) text += c.toString('utf8');
    });
    sock.on('close', () => {
      clearTimeout(timer);
      if (connected) live();
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (connected) return live();
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOTSOCK') resolve({ state: 'dead' });
      else if (err.code === 'ENOENT') resolve({ state: 'gone' });
      else if (err.code === 'EAGAIN')
        resolve({ state: 'live', pid: null, command: null }); // listening, backlog full
      else reject(err);
    });
  });
}

/** The holder as it described itself, with its ports when run/ports.json is its own. */
async function holderOf(dataDir: string, seen: { pid: number | null; command: string | null }): Promise<LockHolder> {
  let ports: LockHolder['ports'] = null;
  try {
    const p = JSON.parse(await readFile(path.join(dataDir, RUN_DIR, PORTS_FILE), 'utf8')) as { http: number; ssh: number | null; git: number | null; pid: number };
    if (seen.pid === null || p.pid === seen.pid) ports = { http: p.http, ssh: p.ssh ?? null, git: p.git ?? null };
  } catch {
    // still starting, or not a server
  }
  return { pid: seen.pid ?? null, command: seen.command, ports };
}
