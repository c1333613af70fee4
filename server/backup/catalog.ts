// The backups folder as a list: every archive with what its manifest says (read from the
// archive's first entry, without unpacking the rest), its kind, and the last verify result
// recorded beside it as <file>.verify.json. Also prunes scheduled backups beyond "keep N".
import { createReadStream } from 'node:fs';
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar';
import { parseBackupFileName, type BackupKind, type Manifest } from './backup.js';
import { summarize, type CiLogsSummary } from './ci-logs.js';
import type { VerifyResult } from './restore.js';

/** Names the API accepts: plain file names of archives, nothing that could leave the folder. */
export const BACKUP_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.tar\.gz$/;

export interface BackupEntry {
  name: string;
  size: number;
  created_at: string;
  kind: BackupKind;
  /** From the manifest; null when the archive has none up front (not ours, or damaged). */
  app_version: string | null;
  schema_version: string | null;
  repositories: number | null;
  /** The CI job logs the manifest lists and whether their bytes are in; null: no list (before CI, or no manifest). */
  ci_logs: CiLogsSummary | null;
  /** The last verify's result, or null when it was never verified. */
  verify: VerifyResult | null;
}

interface Head {
  app_version: string;
  schema_version: string;
  created_at: string;
  kind?: BackupKind;
  repositories: number;
  ci_logs: CiLogsSummary | null;
}

const headCache = new Map<string, Head | null>();

/** Reads manifest.json from the front of an archive, stopping right after it. */
export function readManifestHead(file: string): Promise<Head | null> {
  return new Promise((resolve) => {
    const src = createReadStream(file);
    const gunzip = createGunzip();
    const parser = new tar.Parser();
    let done = false;
    const finish = (h: Head | null) => {
      if (done) return;
      done = true;
      src.destroy();
      gunzip.destroy();
      resolve(h);
    };
    parser.on('entry', (entry: tar.ReadEntry) => {
      if (entry.path !== 'manifest.json') return finish(null);
      const chunks: Buffer[] = [];
      let size = 0;
      entry.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 256 * 1024 * 1024) finish(null);
        else chunks.push(c);
      });
      entry.on('end', () => {
        try {
          const m = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Manifest;
          finish({
            app_version: String(m.app_version),
            schema_version: String(m.schema_version),
            created_at: String(m.created_at),
            kind: m.kind,
            repositories: Array.isArray(m.repositories) ? m.repositories.length : 0,
            ci_logs: m.ci_logs && typeof m.ci_logs === 'object' ? summarize(m.ci_logs) : null,
          });
        } catch {
          finish(null);
        }
      });
    });
    parser.on('end', () => finish(null));
    for (const s of [src, gunzip]) s.on('error', () => finish(null));
    parser.on('error', () => finish(null));
    src.pipe(gunzip).pipe(parser as unknown as NodeJS.WritableStream);
  });
}

export const verifyFileOf = (archive: string) => `${archive}.verify.json`;

export async function readVerifyResult(archive: string): Promise<VerifyResult | null> {
  try {
    return JSON.parse(await readFile(verifyFileOf(archive), 'utf8')) as VerifyResult;
  } catch {
    return null;
  }
}

export async function writeVerifyResult(archive: string, result: VerifyResult): Promise<void> {
  await writeFile(verifyFileOf(archive), JSON.stringify(result, null, 1) + '\n');
}

/** Every archive in `dir`, newest first. */
export async function listBackups(dir: string): Promise<BackupEntry[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => BACKUP_NAME_RE.test(n));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: BackupEntry[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const st = await stat(file).catch(() => null);
    if (!st?.isFile()) continue;
    const key = `${file}:${st.size}:${st.mtimeMs}`;
    let head = headCache.get(key);
    if (head === undefined) {
      head = await readManifestHead(file);
      headCache.set(key, head);
    }
    const fromName = parseBackupFileName(name);
    out.push({
      name,
      size: st.size,
      // the name's time orders the folder (and the schedule); an uploaded file's name only says when it arrived
      created_at: (fromName && fromName.kind !== 'uploaded' ? fromName.created_at.toISOString() : head?.created_at) ?? fromName?.created_at.toISOString() ?? st.mtime.toISOString(),
      // the file name says how it came here (an uploaded copy of a scheduled backup is "uploaded")
      kind: fromName?.kind ?? head?.kind ?? 'manual',
      app_version: head?.app_version ?? null,
      schema_version: head?.schema_version ?? null,
      repositories: head?.repositories ?? null,
      ci_logs: head?.ci_logs ?? null,
      verify: await readVerifyResult(file),
    });
  }
  // newest first; within one second the name's sequence (`…Z.tar.gz`, then `…Z-2.tar.gz`) says which came later
  const seq = (name: string) => parseBackupFileName(name)?.seq ?? 0;
  return out.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : seq(b.name) - seq(a.name) || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0)));
}

export async function deleteBackup(dir: string, name: string): Promise<void> {
  const file = path.join(dir, name);
  await rm(file);
  await rm(verifyFileOf(file), { force: true });
}

/**
 * Deletes scheduled backups beyond the newest `keep`; manual, uploaded and safety backups are
 * never pruned. `busy` names are skipped (a job is reading them). Returns what it deleted.
 */
export async function pruneScheduled(dir: string, keep: number, busy: Set<string> = new Set()): Promise<string[]> {
  const scheduled = (await listBackups(dir)).filter((b) => parseBackupFileName(b.name)?.kind === 'scheduled');
  const gone: string[] = [];
  for (const b of scheduled.slice(Math.max(0, keep))) {
    if (busy.has(b.name)) continue;
    await deleteBackup(dir, b.name);
    gone.push(b.name);
  }
  return gone;
}
