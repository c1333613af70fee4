// One-click backup: a single streamed, compressed archive holding a consistent snapshot taken
// while the forge keeps serving — the database through SQLite's online backup API, every
// repository and wiki (refs captured under a short write barrier, then objects linked in:
// packs are immutable and gc is paused meanwhile), the SSH host key, the config, and a
// manifest with the schema version, every repository's refs and a checksum of every file.
// CI job logs are listed in the manifest; their bytes go in only when the operator asks.
import { createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sharedFilesDir } from '../config.js';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import os from 'node:os';
import * as tar from 'tar';
import type { DbCapture } from '../db/index.js';
import { latestMigration } from '../db/migrations/index.js';
import { readAllRefs } from '../git/ref-files.js';
import { randomHex } from '../lib/crypto.js';
import { sha256File, walkFiles } from '../lib/fs.js';
import { VERSION } from '../lib/version.js';
import type { Services } from '../services.js';
import type { WriteBarrier } from './barrier.js';
import { ciLogsManifest, copyCiLogs, listCiLogs, summarize, type CiLogsManifest, type CiLogsSummary } from './ci-logs.js';
import { ParallelGzip } from './parallel-gzip.js';

export const BACKUP_FORMAT = 1;

/**
 * gzip level for the archive. Most of a forge's bytes are git packs and loose objects, which
 * are zlib streams already: level 1 makes an archive within a few percent of level 6's size
 * in a fraction of the time (see scripts/bench/backup.mjs).
 */
export const GZIP_LEVEL = 1;

export interface Manifest {
  format: number;
  app_version: string;
  schema_version: string;
  created_at: string;
  /** Why the backup was made: by hand, by the schedule, or as the safety net of a restore. */
  kind?: BackupKind;
  repositories: { path: string; owner: string; name: string; refs: Record<string, string> }[];
  files: Record<string, { size: number; sha256: string }>;
  /** The CI job logs: always listed, their bytes in the archive (under ci/) only when `included`. Absent before CI. */
  ci_logs?: CiLogsManifest;
  /** Which database the records are in: `gitssy.db` (SQLite; also when absent) or `gitssy.pgdump` (pg_dump's custom format). */
  database?: 'sqlite' | 'postgres';
}

export type BackupKind = 'manual' | 'scheduled' | 'safety' | 'uploaded';

export interface BackupResult {
  file: string;
  bytes: number;
  repositories: number;
  files: number;
  /** How long the write barrier was held while the database and refs were captured. */
  barrier_ms: number;
  /** Wall time of the whole backup. */
  duration_ms: number;
  ci_logs: CiLogsSummary;
}

/**
 * Structured progress of a backup (phases capture, copy, checksum, archive, done) or a restore
 * (unpack, checksum, repositories, database, records — loading a PostgreSQL install's new
 * database —, done): `done`/`total` count the phase's units (repositories, files, bytes),
 * `bytes` the bytes handled so far.
 */
export interface BackupProgress {
  phase: string;
  done: number;
  total: number;
  bytes: number;
}

export interface BackupOptions {
  kind?: BackupKind;
  /** Carry the CI job logs' bytes too (they are listed either way). */
  includeCiLogs?: boolean;
  onProgress?: (p: BackupProgress) => void;
}

export interface BackupDeps {
  s: Services;
  dataDir: string;
  /** Held while the db and refs are captured; absent when no server is running. */
  barrier?: WriteBarrier;
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  try {
    await link(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
    await copyFile(from, to);
  }
}

/** Like linkOrCopy, but a file that vanished since the listing is skipped (false). */
async function linkIfStillThere(from: string, to: string): Promise<boolean> {
  try {
    await linkOrCopy(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

/** `gitssy-2026-11-22T10-30-00Z.tar.gz`, with the kind after `gitssy-` unless it is a manual backup. */
export function backupFileName(kind: BackupKind = 'manual', now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
  return `gitssy-${kind === 'manual' ? '' : `${kind}-`}${stamp}.tar.gz`;
}

/**
 * What a backup's file name says: its kind, when it was made and, for the second and later backups
 * of one second, which one it was (`-2`, `-3` ...; 1 for the first). Null when it isn't one of ours.
 */
export function parseBackupFileName(name: string): { kind: BackupKind; created_at: Date; seq: number } | null {
  const m = /^gitssy-(?:(scheduled|safety|uploaded)-)?(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})Z(?:-(\d+))?\.tar\.gz$/.exec(name);
  if (!m) return null;
  const at = new Date(`${m[2]}T${m[3]}:${m[4]}:${m[5]}Z`);
  return Number.isNaN(at.getTime()) ? null : { kind: (m[1] as BackupKind | undefined) ?? 'manual', created_at: at, seq: m[6] ? Number(m[6]) : 1 };
}

export function defaultBackupFile(dataDir: string, now = new Date(), kind: BackupKind = 'manual'): string {
  return path.join(dataDir, 'backups', backupFileName(kind, now));
}

/** A name in the backups folder that isn't taken yet (two backups within one second get -2, -3 ...). */
export async function freeBackupFile(dataDir: string, kind: BackupKind, now = new Date()): Promise<string> {
  const base = defaultBackupFile(dataDir, now, kind);
  let file = base;
  for (let n = 2; (await exists(file)) || (await exists(`${file}.partial`)); n++) file = base.replace(/\.tar\.gz$/, `-${n}.tar.gz`);
  return file;
}

/** Runs `fn` over `items`, at most `limit` at a time, keeping the order of the results. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function createBackup(deps: BackupDeps, out: string | undefined, progress: (line: string) => void, opts: BackupOptions = {}): Promise<BackupResult> {
  const { s, dataDir } = deps;
  // the archive holds the repositories under repos/ wherever they live (a store that several
  // instances share, GITSSY_REPOS_DIR, included)
  const store = path.resolve(s.config.reposDir ?? path.join(dataDir, 'repos'));
  const t0 = performance.now();
  const kind = opts.kind ?? 'manual';
  const file = path.resolve(out ?? (await freeBackupFile(dataDir, kind)));
  const report = opts.onProgress ?? (() => {});
  const stage = path.join(dataDir, 'run', `backup-${randomHex(6)}`);
  await mkdir(stage, { recursive: true });
  const resumeGc = s.store.holdMaintenance();
  try {
    const repos: { owner: string; name: string; dir: string }[] = [];
    const inArchive = (dir: string) => ['repos', ...path.relative(store, dir).split(path.sep)].join('/');
    const source = new Map<string, string>();
    const allRepos = await s.repos.allNames();
    for (const r of allRepos) {
      const dir = s.store.dir({ owner: r.owner, name: r.name });
      repos.push({ owner: r.owner, name: r.name, dir });
      const wiki = s.store.wikiDir({ owner: r.owner, name: r.name });
      if (await exists(wiki)) repos.push({ owner: r.owner, name: `${r.name}.wiki`, dir: wiki });
    }

    // 0. the CI logs there are now: listed before the database is captured, every one's job is
    //    in it (a job's row is written before its log)
    const ciRoot = sharedFilesDir(s.config);
    let ciLogs = await listCiLogs(ciRoot, new Map(allRepos.map((r) => [r.id, `${r.owner}/${r.name}`])));

    // 1. the database and every ref, at one moment; refs are read a few repositories at a time
    //    so the barrier stays short with hundreds of them
    progress('capturing the database and the refs of every repository ...');
    report({ phase: 'capture', done: 0, total: repos.length, bytes: 0 });
    const release = deps.barrier ? await deps.barrier.hold() : () => {};
    const started = performance.now();
    let captured: Manifest['repositories'];
    let db: DbCapture | null = null;
    try {
      db = await s.dbCapture(stage);
      captured = await mapLimit(repos, 8, async (r) => ({
        path: inArchive(r.dir),
        owner: r.owner,
        name: r.name,
        refs: Object.fromEntries(await readAllRefs(s.git, r.dir)),
      }));
    } catch (err) {
      await db?.finish(false);
      throw err;
    } finally {
      await release();
    }
    for (const r of repos) source.set(inArchive(r.dir), r.dir);
    const barrierMs = Math.round(performance.now() - started);
    progress(`captured ${repos.length} repositor${repos.length === 1 ? 'y' : 'ies'} (writes held for ${barrierMs} ms)`);
    // PostgreSQL: pg_dump writes the snapshot taken above while the forge takes writes again
    if (s.dialect === 'postgres') progress('dumping the PostgreSQL database at that moment (pg_dump) ...');
    await db.finish(true);

    // 2. objects (immutable: linked, not copied), HEAD, config, and the captured refs
    let i = 0;
    report({ phase: 'copy', done: 0, total: captured.length, bytes: 0 });
    for (const repo of captured) {
      i++;
      const src = source.get(repo.path)!;
      const dst = path.join(stage, repo.path);
      let count = 0;
      for (const rel of await walkObjects(path.join(src, 'objects'))) {
        // temporary packs and locks belong to pushes after the capture
        if (/(^|\/)tmp_|\.lock$/.test(rel)) continue;
        // a push that finished after the capture removes its pack's .keep and may rewrite
        // objects/info; nothing the captured refs reach goes away while gc is paused (and the
        // restore's fsck would catch it if it did)
        if (await linkIfStillThere(path.join(src, 'objects', rel), path.join(dst, 'objects', rel))) count++;
      }
      await mkdir(path.join(dst, 'objects'), { recursive: true });
      for (const f of ['HEAD', 'config', 'description']) if (await exists(path.join(src, f))) await copyFile(path.join(src, f), path.join(dst, f));
      const refLines = Object.entries(repo.refs)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, sha]) => `${sha} ${name}\n`)
        .join('');
      await writeFile(path.join(dst, 'packed-refs'), `# pack-refs with: sorted \n${refLines}`);
      for (const d of ['refs/heads', 'refs/tags']) await mkdir(path.join(dst, d), { recursive: true });
      progress(`[${i}/${captured.length}] ${repo.owner}/${repo.name}: ${count} object files, ${Object.keys(repo.refs).length} refs`);
      report({ phase: 'copy', done: i, total: captured.length, bytes: 0 });
    }

    // 3. the host key and the config file
    for (const rel of ['ssh/ssh_host_ed25519_key', 'ssh/ssh_host_ed25519_key.pub', '.gitssy.env']) {
      const from = path.join(dataDir, rel);
      if (await exists(from)) await linkOrCopy(from, path.join(stage, rel));
    }

    // 3b. the CI logs' bytes, when asked for
    const includeCiLogs = opts.includeCiLogs === true;
    if (includeCiLogs) ciLogs = await copyCiLogs(ciRoot, stage, ciLogs);
    const ciManifest = ciLogsManifest(ciLogs, includeCiLogs);
    const ciSize = `${ciManifest.count} CI log${ciManifest.count === 1 ? '' : 's'} (${(ciManifest.bytes / 1048576).toFixed(1)} MiB)`;
    progress(includeCiLogs ? `${ciSize} included` : `${ciSize} listed, not included (--include-ci-logs includes them)`);

    // 4. the manifest: schema, refs, and a checksum of every file
    progress('checksumming ...');
    const rels = await walkFiles(stage);
    const files: Manifest['files'] = {};
    let hashed = 0;
    let hashedBytes = 0;
    report({ phase: 'checksum', done: 0, total: rels.length, bytes: 0 });
    let lastReport = 0;
    // two at a time: one file's read overlaps the other's hashing
    const sums = await mapLimit(rels, 2, async (rel) => {
      const full = path.join(stage, rel);
      const size = (await stat(full)).size;
      const sha256 = await sha256File(full);
      hashed++;
      hashedBytes += size;
      if (performance.now() - lastReport > 200 || hashed === rels.length) {
        lastReport = performance.now();
        report({ phase: 'checksum', done: hashed, total: rels.length, bytes: hashedBytes });
      }
      return { size, sha256 };
    });
    rels.forEach((rel, n) => (files[rel] = sums[n]!));
    const totalBytes = hashedBytes;
    const manifest: Manifest = {
      format: BACKUP_FORMAT,
      app_version: VERSION,
      schema_version: latestMigration(deps.s.migrations),
      database: s.dialect,
      created_at: new Date().toISOString(),
      kind,
      repositories: captured,
      files,
      ci_logs: ciManifest,
    };
    await writeFile(path.join(stage, 'manifest.json'), JSON.stringify(manifest, null, 1));

    // 5. one compressed archive, manifest first, written aside and renamed into place; tar
    //    packs on this thread while zlib compresses blocks on the thread pool, a core each
    progress('writing the archive ...');
    await mkdir(path.dirname(file), { recursive: true });
    const partial = `${file}.partial`;
    const top = (await readdir(stage)).filter((n) => n !== 'manifest.json').sort();
    let written = 0;
    let entries = 0;
    let inBytes = 0;
    lastReport = 0;
    const pack = tar.create(
      {
        cwd: stage,
        portable: true,
        onWriteEntry: (e) => {
          entries++;
          inBytes += e.stat?.isFile() ? e.stat.size : 0;
        },
      },
      ['manifest.json', ...top],
    );
    const count = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        written += chunk.length;
        if (performance.now() - lastReport > 200) {
          lastReport = performance.now();
          report({ phase: 'archive', done: Math.min(inBytes, totalBytes), total: totalBytes, bytes: written });
        }
        cb(null, chunk);
      },
    });
    try {
      await pipeline(pack as unknown as NodeJS.ReadableStream, new ParallelGzip({ level: GZIP_LEVEL, parallel: Math.max(2, os.availableParallelism()) }), count, createWriteStream(partial));
      await rename(partial, file);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
    const bytes = (await stat(file)).size;
    report({ phase: 'done', done: totalBytes, total: totalBytes, bytes });
    progress(`backup written: ${file} (${(bytes / 1048576).toFixed(1)} MiB, ${entries} entries)`);
    return {
      file,
      bytes,
      repositories: captured.length,
      files: Object.keys(files).length,
      barrier_ms: barrierMs,
      duration_ms: Math.round(performance.now() - t0),
      ci_logs: summarize(ciManifest),
    };
  } finally {
    resumeGc();
    await rm(stage, { recursive: true, force: true });
  }
}

/**
 * Every file under a repository's objects folder, as relative paths. Quarantine folders
 * (objects still being received, which belong to pushes after the capture) are not entered,
 * and folders that vanish while we look (a finished push's quarantine) are skipped.
 */
async function walkObjects(dir: string, rel = ''): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(path.join(dir, rel), { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && rel) return [];
    throw err;
  }
  const out: string[] = [];
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (/^(tmp_objdir|incoming-)/.test(e.name)) continue;
      out.push(...(await walkObjects(dir, r)));
    } else out.push(r);
  }
  return out;
}
