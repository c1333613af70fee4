// What a restore test compares: a data dir's files (byte for byte) and its database (every row
// of every table), so that "the old data is intact" means exactly that.
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { CLI, run, type RunResult } from '../fixtures/rig.js';

/** Not data: the process's run/ (lock, ports), the logs, the backups folder (a failed restore still adds its safety backup), the db's own files (compared by content). */
const VOLATILE = /^(run|logs|backups|gitssy\.db(-wal|-shm)?)(\/|$)/;

/** Every entry of the data dir but the volatile ones, with a file's sha-256, `dir` or a link's target. */
export async function dataFiles(dir: string, rel = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(path.join(dir, rel))).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    if (VOLATILE.test(r)) continue;
    const full = path.join(dir, r);
    const st = await lstat(full);
    if (st.isDirectory()) {
      out[r] = 'dir';
      Object.assign(out, await dataFiles(dir, r));
    } else if (st.isSymbolicLink()) out[r] = `-> ${await readlink(full)}`;
    else
      out[r] = createHash('sha256')
        .update(await readFile(full))
        .digest('hex');
  }
  return out;
}

/** Every row of every table, in rowid order (read-only). */
export function dbRows(dataDir: string): Record<string, unknown[]> {
  const db = new Database(path.join(dataDir, 'gitssy.db'), { readonly: true, fileMustExist: true });
  try {
    const out: Record<string, unknown[]> = {};
    const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string; sql: string }[];
    for (const t of tables) {
      const q = `"${t.name.replace(/"/g, '""')}"`;
      out[t.name] = db.prepare(/WITHOUT ROWID/i.test(t.sql) ? `SELECT * FROM ${q} ORDER BY 1` : `SELECT * FROM ${q} ORDER BY rowid`).all();
    }
    return out;
  } finally {
    db.close();
  }
}

export interface DataState {
  files: Record<string, string>;
  db: Record<string, unknown[]>;
}

export async function dataState(dataDir: string): Promise<DataState> {
  return { files: await dataFiles(dataDir), db: dbRows(dataDir) };
}

/** The swap's own leftovers in a data dir (staging, old entries, journal). */
export async function swapLeftovers(dataDir: string): Promise<string[]> {
  return (await readdir(dataDir)).filter((n) => n.startsWith('.restore-'));
}

/** `gitssy backup restore FILE --data DIR [--force]` with extra environment (the test-only fault switches). */
export function cliRestore(archive: string, data: string, opts: { force?: boolean; env?: Record<string, string> } = {}): Promise<RunResult> {
  return run(process.execPath, [CLI, 'backup', 'restore', archive, '--data', data, ...(opts.force ? ['--force'] : [])], {
    env: { PATH: process.env.PATH!, ...opts.env },
    timeoutMs: 120_000,
  });
}

/** GITSSY_FAULT for a step, with the switch that makes it count (fault.ts: test only). */
export const fault = (spec: string): Record<string, string> => ({ GITSSY_TEST_FAULTS: '1', GITSSY_FAULT: `restore-swap:${spec}` });

export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * `bytes` of a .tar.gz with one byte flipped at or after `from` so that what it unpacks to really
 * changes (gunzip fails, or gives other bytes). Not every flip in a deflate stream does: a few
 * land in bits the decoder never reads, and that archive is still whole, byte for byte.
 */
export function damaged(bytes: Buffer, from: number): Buffer {
  const plain = gunzipSync(bytes);
  for (let at = from; at < bytes.length; at++) {
    const bad = Buffer.from(bytes);
    bad[at] = bad[at]! ^ 0x55;
    try {
      if (!gunzipSync(bad).equals(plain)) return bad;
    } catch {
      return bad;
    }
  }
  throw new Error('no byte from there on damages the archive');
}
