// One-click backup: a single streamed, compressed archive holding a consistent snapshot taken
// while the forge keeps serving — the database through SQLite's online backup API, every
// repository (refs captured under a short write barrier, then objects linked in: packs are
// immutable and gc is paused meanwhile), the SSH host key, the config, and a manifest with
// the schema version, every repository's refs and a checksum of every file.
import { copyFile, link, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { LATEST_MIGRATION } from '../db/migrations.js';
import { randomHex } from '../lib/crypto.js';
import { sha256File, walkFiles } from '../lib/fs.js';
import { VERSION } from '../lib/version.js';
import type { Services } from '../services.js';
import type { WriteBarrier } from './barrier.js';

export const BACKUP_FORMAT = 1;

export interface Manifest {
  format: number;
  app_version: string;
  schema_version: string;
  created_at: string;
  repositories: { path: string; owner: string; name: string; refs: Record<string, string> }[];
  files: Record<string, { size: number; sha256: string }>;
}

export interface BackupResult {
  file: string;
  bytes: number;
  repositories: number;
  files: number;
  barrier_ms: number;
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
  } catch {
    await copyFile(from, to);
  }
}

export function defaultBackupFile(dataDir: string, now = new Date()): string {
  return path.join(dataDir, 'backups', `gitssy-${now.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z')}.tar.gz`);
}

export async function createBackup(deps: BackupDeps, out: string | undefined, progress: (line: string) => void): Promise<BackupResult> {
  const { s, dataDir } = deps;
  const file = path.resolve(out ?? defaultBackupFile(dataDir));
  const stage = path.join(dataDir, 'run', `backup-${randomHex(6)}`);
  await mkdir(stage, { recursive: true });
  const resumeGc = s.store.holdMaintenance();
  try {
    const repos = await s.repos.allNames();

    // 1. the database and every ref, at one moment
    progress('capturing the database and the refs of every repository ...');
    const release = deps.barrier ? await deps.barrier.hold() : () => {};
    const started = performance.now();
    const captured: Manifest['repositories'] = [];
    try {
      await s.dbBackup(path.join(stage, 'gitssy.db'));
      for (const r of repos) {
        const ref = { owner: r.owner, name: r.name };
        const refs = await s.pushes.readRefs(ref);
        captured.push({ path: path.relative(dataDir, s.store.dir(ref)), owner: r.owner, name: r.name, refs: Object.fromEntries(refs) });
      }
    } finally {
      release();
    }
    const barrierMs = Math.round(performance.now() - started);
    progress(`captured ${repos.length} repositor${repos.length === 1 ? 'y' : 'ies'} (writes held for ${barrierMs} ms)`);

    // 2. objects (immutable: linked, not copied), HEAD, config, and the captured refs
    let i = 0;
    for (const repo of captured) {
      i++;
      const src = path.join(dataDir, repo.path);
      const dst = path.join(stage, repo.path);
      let count = 0;
      for (const rel of await walkFiles(path.join(src, 'objects'))) {
        if (/(^|\/)(tmp_objdir|incoming-)/.test(rel) || /\/tmp_|\.lock$|^pack\/tmp_/.test(rel)) continue;
        await linkOrCopy(path.join(src, 'objects', rel), path.join(dst, 'objects', rel));
        count++;
      }
      for (const f of ['HEAD', 'config']) await copyFile(path.join(src, f), path.join(dst, f));
      const refLines = Object.entries(repo.refs)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, sha]) => `${sha} ${name}\n`)
        .join('');
      await writeFile(path.join(dst, 'packed-refs'), `# pack-refs with: sorted \n${refLines}`);
      for (const d of ['refs/heads', 'refs/tags']) await mkdir(path.join(dst, d), { recursive: true });
      progress(`[${i}/${captured.length}] ${repo.owner}/${repo.name}: ${count} object files, ${Object.keys(repo.refs).length} refs`);
    }

    // 3. the host key and the config file
    for (const rel of ['ssh/ssh_host_ed25519_key', 'ssh/ssh_host_ed25519_key.pub', '.gitssy.env']) {
      const from = path.join(dataDir, rel);
      if (await stat(from).then(() => true, () => false)) await linkOrCopy(from, path.join(stage, rel));
    }

    // 4. the manifest: schema, refs, and a checksum of every file
    progress('checksumming ...');
    const files: Manifest['files'] = {};
    for (const rel of await walkFiles(stage)) {
      const full = path.join(stage, rel);
      files[rel] = { size: (await stat(full)).size, sha256: await sha256File(full) };
    }
    const manifest: Manifest = { format: BACKUP_FORMAT, app_version: VERSION, schema_version: LATEST_MIGRATION, created_at: new Date().toISOString(), repositories: captured, files };
    await writeFile(path.join(stage, 'manifest.json'), JSON.stringify(manifest, null, 1));

    // 5. one compressed archive, manifest first, written aside and renamed into place
    progress('writing the archive ...');
    await mkdir(path.dirname(file), { recursive: true });
    const partial = `${file}.partial`;
    const top = (await readdir(stage)).filter((n) => n !== 'manifest.json').sort();
    await tar.create({ gzip: { level: 6 }, cwd: stage, file: partial, portable: true, noDirRecurse: false }, ['manifest.json', ...top]);
    await rename(partial, file);
    const bytes = (await stat(file)).size;
    progress(`backup written: ${file} (${(bytes / 1048576).toFixed(1)} MiB)`);
    return { file, bytes, repositories: captured.length, files: Object.keys(files).length, barrier_ms: barrierMs };
  } finally {
    resumeGc();
    await rm(stage, { recursive: true, force: true });
  }
}
