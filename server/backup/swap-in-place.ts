// Restoring into a data dir that can't be swapped as a whole: a mount point (a Docker volume at
// /data), a symbolic link, or a folder whose parent this process may not write (/var/lib on a
// read-only root). The archive is staged inside the data dir instead, and the swap moves its
// top-level entries one by one — the old ones into a folder of their own, the new ones into
// place. It is all or nothing: a failure puts every entry back, and a journal written before
// the first move lets the next start roll back (or finish) a swap that a crash cut short.
// The data dir's run/ (the lock of whoever restores, its ports) and a file system's lost+found
// never move.
import { lstat, mkdir, open, readFile, readdir, realpath, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { randomHex } from '../lib/crypto.js';
import { faultsFromEnv, type FaultHook } from './fault.js';

/** The staging folder of an in-place restore: `<data>/.restore-staging-<id>`. */
export const STAGING_PREFIX = '.restore-staging-';
/** Where the old entries wait while they are swapped: `<data>/.restore-old-<id>`. */
export const OLD_PREFIX = '.restore-old-';
/** What the swap is doing, so that the next start can finish or undo it after a crash. */
export const JOURNAL_FILE = '.restore-journal.json';

/** Entries a swap never moves: the restoring process's lock and ports, a file system's own folder, the swap's own files. */
const FIXED = new Set(['run', 'lost+found', JOURNAL_FILE, `${JOURNAL_FILE}.tmp`]);
const isFixed = (name: string) => FIXED.has(name) || name.startsWith(STAGING_PREFIX) || name.startsWith(OLD_PREFIX);
const ID = /^[0-9a-f]{4,32}$/;

/** The swap failed. `rolledBack`: every old entry is back in place (else the next start finishes the rollback). */
export class SwapError extends Error {
  constructor(
    message: string,
    readonly rolledBack: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface Journal {
  version: 1;
  /** swapping: entries are moving (a crash rolls back); swapped: the new data is in (a crash finishes the cleanup). */
  state: 'swapping' | 'swapped';
  /** Names inside the data dir. */
  staging: string;
  old: string;
  /** Every entry the swap moves, in order: `old` moves aside, then `new` moves in. */
  entries: { name: string; old: boolean; new: boolean }[];
  /** The caller's record of the restore (the restore job), handed back by recovery. */
  context: Record<string, unknown> | null;
  started_at: string;
}

const exists = (p: string) =>
  lstat(p).then(
    () => true,
    (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? false : Promise.reject(err)),
  );

/**
 * Why `dataDir` can't be replaced by renaming another folder into its name, or null when it
 * can (or doesn't exist yet). A restore stages inside it when it can't.
 */
export async function whyNotSwapWhole(dataDir: string): Promise<string | null> {
  const target = path.resolve(dataDir);
  const st = await lstat(target).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : Promise.reject(err)));
  if (!st) return null;
  if (st.isSymbolicLink()) return 'it is a symbolic link';
  if (await isMountPoint(target)) return 'it is a mount point';
  // renaming it needs a writable parent: ask the file system (root ignores permission bits,
  // not a read-only mount or an immutable folder)
  const probe = `${target}.probe-${randomHex(4)}`;
  try {
    await mkdir(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return `its parent folder is not writable (${code})`;
    throw err;
  }
  await rmdir(probe).catch(() => {});
  return null;
}

/** Whether `dir` is a mount point: another device than its parent, or (Linux) listed as one, which a bind mount from the same file system is. */
export async function isMountPoint(dir: string): Promise<boolean> {
  const real = await realpath(dir);
  const parent = path.dirname(real);
  if (parent === real) return true;
  const [a, b] = await Promise.all([stat(real), stat(parent)]);
  if (a.dev !== b.dev) return true;
  if (process.platform !== 'linux') return false;
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  for (const line of info.split('\n')) {
    const at = line.split(' ')[4];
    // spaces, tabs, newlines and backslashes in a mount point are written as octal escapes
    if (at && at.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))) === real) return true;
  }
  return false;
}

/** A staging folder inside `dataDir` for an in-place restore. */
export function stagingInside(dataDir: string): string {
  return path.join(path.resolve(dataDir), `${STAGING_PREFIX}${randomHex(4)}`);
}

/** Whether `staged` is an in-place staging folder of `dataDir`. */
export function isStagedInside(dataDir: string, staged: string): boolean {
  return path.dirname(path.resolve(staged)) === path.resolve(dataDir) && path.basename(staged).startsWith(STAGING_PREFIX);
}

export interface InPlaceOptions {
  /** Entries of the old data that stay (the new data's copies are dropped): backups, logs, this machine's .gitssy.env. */
  keep?: readonly string[];
  /** Kept in the journal and handed back by recoverInterruptedSwap after a crash. */
  context?: Record<string, unknown> | null;
  /** Test-only fault injection (fault.ts); by default read from the environment. */
  fault?: FaultHook;
}

/**
 * Swaps the verified data staged in `<dataDir>/.restore-staging-<id>` in for the data dir's
 * contents, which nothing may have open. All or nothing: on a failure every entry is put back
 * and a SwapError thrown; the staging folder is left for the caller to remove. `leftover` names
 * what a failed cleanup left behind after the swap itself succeeded (the next start removes it).
 */
export async function swapInPlace(dataDir: string, staged: string, opts: InPlaceOptions = {}): Promise<{ leftover: string | null }> {
  const target = path.resolve(dataDir);
  if (!isStagedInside(target, staged)) throw new Error(`${staged} is not a staging folder inside ${target}`);
  const fault = opts.fault ?? faultsFromEnv('restore-swap');
  const id = path.basename(staged).slice(STAGING_PREFIX.length);
  if (await exists(path.join(target, JOURNAL_FILE))) throw new SwapError(`${path.join(target, JOURNAL_FILE)} shows an unfinished restore; start the server once to finish it`, true);
  const keep = new Set(opts.keep ?? []);
  const live = new Set((await readdir(target)).filter((n) => !isFixed(n)));
  const incoming = new Set((await readdir(staged)).filter((n) => !isFixed(n)));
  const journal: Journal = {
    version: 1,
    state: 'swapping',
    staging: path.basename(staged),
    old: `${OLD_PREFIX}${id}`,
    entries: [...new Set([...live, ...incoming])]
      .sort()
      .filter((name) => !(live.has(name) && keep.has(name)))
      .map((name) => ({ name, old: live.has(name), new: incoming.has(name) })),
    context: opts.context ?? null,
    started_at: new Date().toISOString(),
  };
  const old = path.join(target, journal.old);
  try {
    await fault('prepare');
    await mkdir(old);
    // on disk before the first move: from here a crash is undone at the next start
    await writeJournal(target, journal);
    for (const e of journal.entries) {
      if (e.old) {
        await fault('move-old');
        await rename(path.join(target, e.name), path.join(old, e.name));
      }
      if (e.new) {
        await fault('move-new');
        await rename(path.join(staged, e.name), path.join(target, e.name));
      }
    }
    await fault('commit');
    await syncDir(target);
    await writeJournal(target, { ...journal, state: 'swapped' });
  } catch (err) {
    try {
      await rollBack(target, journal);
    } catch (err2) {
      throw new SwapError(`${(err as Error).message}; putting the previous data back failed too (${(err2 as Error).message}): it is in ${old} and the next start puts it back`, false, { cause: err });
    }
    throw new SwapError((err as Error).message, true, { cause: err });
  }
  // swapped: what is left is cleanup, which the next start finishes if it can't be done now
  try {
    await fault('cleanup');
    await finish(target, journal);
    return { leftover: null };
  } catch {
    return { leftover: old };
  }
}

/** Puts every old entry back where it was and the new ones back into the staging folder; then drops the journal. */
async function rollBack(target: string, j: Journal): Promise<void> {
  const staged = path.join(target, j.staging);
  const old = path.join(target, j.old);
  for (const e of [...j.entries].reverse()) {
    const here = path.join(target, e.name);
    const aside = path.join(old, e.name);
    // moves are renames: an entry is wholly in one place. A new entry is in when its name is
    // taken here and (if an old one had that name) the old one is aside.
    if (e.new && (await exists(here)) && (!e.old || (await exists(aside)))) {
      await mkdir(staged, { recursive: true });
      await rename(here, path.join(staged, e.name));
    }
    if (e.old && (await exists(aside)) && !(await exists(here))) await rename(aside, here);
  }
  for (const e of j.entries) if (e.old && !(await exists(path.join(target, e.name)))) throw new Error(`${e.name} is not back in place`);
  // empty now; rmdir (not rm -r) so that nothing old is ever deleted
  await rmdir(old).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
  await unlink(path.join(target, JOURNAL_FILE)).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
  await syncDir(target);
}

/** After the commit: the old entries and what is left of the staging folder go, then the journal. */
async function finish(target: string, j: Journal): Promise<void> {
  await rm(path.join(target, j.old), { recursive: true, force: true });
  await rm(path.join(target, j.staging), { recursive: true, force: true });
  await unlink(path.join(target, JOURNAL_FILE)).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
}

async function writeJournal(target: string, j: Journal): Promise<void> {
  const file = path.join(target, JOURNAL_FILE);
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(JSON.stringify(j, null, 1) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  await syncDir(target);
}

/** Makes renames in `dir` durable (a power cut, not only a crash); a no-op where folders can't be synced. */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // some file systems refuse fsync on a folder; the renames are still ordered
  } finally {
    await fh.close();
  }
}

export interface SwapRecovery {
  /** What was done about an interrupted swap: rolled back (it crashed while moving), completed (it crashed while cleaning up), or nothing. */
  action: 'rolled-back' | 'completed' | null;
  /** The swap's context (InPlaceOptions.context), when there was one. */
  context: Record<string, unknown> | null;
  /** Leftovers of a restore that never reached its swap (staging folders), removed. */
  removed: string[];
}

/**
 * At start, holding the data dir: finishes or undoes an in-place swap that a crash cut short
 * (from its journal) and removes staging folders of restores that never reached their swap.
 * Throws when the journal can't be read or an old entry can't be put back: the data dir must
 * not be served half-swapped.
 */
export async function recoverInterruptedSwap(dataDir: string): Promise<SwapRecovery> {
  const target = path.resolve(dataDir);
  const file = path.join(target, JOURNAL_FILE);
  const out: SwapRecovery = { action: null, context: null, removed: [] };
  let text: string | null;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
    text = null;
  }
  if (text !== null) {
    const j = parseJournal(text);
    if (!j) throw new Error(`${file} (the journal of a restore that was cut short) is damaged; move the entries in ${target}/${OLD_PREFIX}* back by hand, then delete it`);
    if (j.state === 'swapped') {
      await finish(target, j);
      out.action = 'completed';
    } else {
      await rollBack(target, j);
      await rm(path.join(target, j.staging), { recursive: true, force: true });
      out.action = 'rolled-back';
    }
    out.context = j.context;
  }
  await rm(`${file}.tmp`, { force: true });
  for (const name of await readdir(target).catch(() => [] as string[])) {
    if (name.startsWith(STAGING_PREFIX)) {
      await rm(path.join(target, name), { recursive: true, force: true });
      out.removed.push(name);
    } else if (name.startsWith(OLD_PREFIX)) {
      // with no journal it can only be empty (made just before the journal); never delete old data
      await rmdir(path.join(target, name)).then(
        () => out.removed.push(name),
        () => {},
      );
    }
  }
  return out;
}

function parseJournal(text: string): Journal | null {
  let j: Journal;
  try {
    j = JSON.parse(text) as Journal;
  } catch {
    return null;
  }
  const plain = (n: unknown) => typeof n === 'string' && n !== '' && n !== '.' && n !== '..' && !/[/\\\0]/.test(n) && !isFixed(n);
  if (
    j?.version !== 1 ||
    (j.state !== 'swapping' && j.state !== 'swapped') ||
    typeof j.staging !== 'string' ||
    !ID.test(j.staging.slice(STAGING_PREFIX.length)) ||
    !j.staging.startsWith(STAGING_PREFIX) ||
    typeof j.old !== 'string' ||
    !j.old.startsWith(OLD_PREFIX) ||
    !ID.test(j.old.slice(OLD_PREFIX.length)) ||
    !Array.isArray(j.entries) ||
    !j.entries.every((e) => e && plain(e.name) && typeof e.old === 'boolean' && typeof e.new === 'boolean')
  )
    return null;
  return { ...j, context: j.context && typeof j.context === 'object' ? j.context : null };
}
