// Verified restore: unpack into a scratch folder beside the target, check every checksum,
// refuse archives from a newer schema, check each repository's refs against the manifest and
// its connectivity, check and migrate the database, point the repositories at the new data
// dir's hooks — and only then move the data into place.
import { mkdir, readFile, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { checkIntegrity, migrate, openDatabase } from '../db/index.js';
import { LATEST_MIGRATION } from '../db/migrations.js';
import { gitBaseEnv, runGit } from '../git/command.js';
import { randomHex } from '../lib/crypto.js';
import { sha256File, walkFiles } from '../lib/fs.js';
import { BACKUP_FORMAT, type Manifest } from './backup.js';

export class RestoreError extends Error {}

export interface RestoreResult {
  dataDir: string;
  repositories: number;
  files: number;
  app_version: string;
  created_at: string;
}


async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}

/** Restores `archive` into `dataDir`, which must be new or empty. */
export async function restoreBackup(archive: string, dataDir: string, progress: (line: string) => void): Promise<RestoreResult> {
  const target = path.resolve(dataDir);
  if (!(await stat(archive).then((st) => st.isFile(), () => false))) throw new RestoreError(`${archive} is not a file`);
  if (!(await isEmptyOrMissing(target))) {
    throw new RestoreError(`${target} is not empty; restore into a new folder (then point --data at it), or move the current data away first`);
  }
  const scratch = `${target}.restoring-${randomHex(4)}`;
  await mkdir(scratch, { recursive: true });
  try {
    // 1. unpack: plain files and folders only, nothing outside the scratch folder
    progress(`unpacking ${archive} ...`);
    try {
      await tar.extract({
        file: archive,
        cwd: scratch,
        strict: true,
        preservePaths: false,
        filter: (_p, entry) => 'type' in entry && (entry.type === 'File' || entry.type === 'Directory'),
      });
    } catch (err) {
      throw new RestoreError(`the archive is damaged or truncated (${(err as Error).message}); nothing was restored`);
    }

    // 2. the manifest and every checksum
    let manifest: Manifest;
    try {
      manifest = JSON.parse(await readFile(path.join(scratch, 'manifest.json'), 'utf8')) as Manifest;
    } catch {
      throw new RestoreError('the archive has no readable manifest.json: it is not a Gitssy backup, or it is damaged');
    }
    if (manifest.format !== BACKUP_FORMAT) throw new RestoreError(`backup format ${manifest.format} is not supported by this version (${BACKUP_FORMAT})`);
    if (manifest.schema_version > LATEST_MIGRATION) {
      throw new RestoreError(`this backup comes from a newer Gitssy (${manifest.app_version}, schema ${manifest.schema_version}); upgrade Gitssy to restore it`);
    }
    progress(`backup of ${manifest.created_at} by Gitssy ${manifest.app_version}: verifying ${Object.keys(manifest.files).length} files ...`);
    const present = new Set((await walkFiles(scratch)).filter((f) => f !== 'manifest.json'));
    for (const [rel, want] of Object.entries(manifest.files)) {
      if (!present.delete(rel)) throw new RestoreError(`the archive is missing ${rel}; nothing was restored`);
      const full = path.join(scratch, rel);
      if ((await stat(full)).size !== want.size || (await sha256File(full)) !== want.sha256) throw new RestoreError(`${rel} does not match its checksum; nothing was restored`);
    }
    if (present.size) throw new RestoreError(`the archive holds files its manifest doesn't list (${[...present][0]}); nothing was restored`);

    // 3. repositories: refs as recorded, objects all there
    const git = gitBaseEnv(path.join(scratch, 'run', 'git-home'));
    let i = 0;
    for (const repo of manifest.repositories) {
      i++;
      const dir = path.join(scratch, repo.path);
      if (path.relative(scratch, dir).startsWith('..')) throw new RestoreError(`bad repository path ${repo.path}`);
      const { stdout } = await runGit(git, ['--git-dir', dir, 'for-each-ref', '--format=%(objectname) %(refname)']);
      const refs = Object.fromEntries(
        stdout
          .toString()
          .split('\n')
          .filter(Boolean)
          .map((l) => [l.slice(l.indexOf(' ') + 1), l.slice(0, l.indexOf(' '))]),
      );
      if (JSON.stringify(Object.entries(refs).sort()) !== JSON.stringify(Object.entries(repo.refs).sort())) {
        throw new RestoreError(`${repo.owner}/${repo.name}: refs differ from the manifest; nothing was restored`);
      }
      try {
        await runGit(git, ['--git-dir', dir, 'fsck', '--connectivity-only', '--no-progress', '--no-dangling'], { timeoutMs: 3600_000 });
      } catch (err) {
        throw new RestoreError(`${repo.owner}/${repo.name}: git fsck failed (${(err as { stderr?: string }).stderr?.trim().split('\n')[0] ?? err}); nothing was restored`);
      }
      // the hooks live in the new data dir now
      await runGit(git, ['--git-dir', dir, 'config', 'core.hooksPath', path.join(target, 'hooks')]);
      progress(`[${i}/${manifest.repositories.length}] ${repo.owner}/${repo.name}: ${Object.keys(repo.refs).length} refs verified`);
    }

    // 4. the database: integrity, then migrations for an older schema
    const opened = await openDatabase({ dataDir: scratch, databaseUrl: null });
    try {
      const problems = await checkIntegrity(opened);
      if (problems.length) throw new RestoreError(`the database failed its integrity check (${problems[0]}); nothing was restored`);
      await migrate(opened);
    } finally {
      await opened.close();
    }
    await rm(path.join(scratch, 'run'), { recursive: true, force: true });

    // 5. swap in
    await rmdir(target).catch(() => {});
    await mkdir(path.dirname(target), { recursive: true });
    await rename(scratch, target);
    progress(`restored into ${target}`);
    return { dataDir: target, repositories: manifest.repositories.length, files: Object.keys(manifest.files).length, app_version: manifest.app_version, created_at: manifest.created_at };
  } catch (err) {
    await rm(scratch, { recursive: true, force: true });
    throw err;
  }
}
