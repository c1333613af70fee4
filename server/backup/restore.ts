// Verified restore: unpack into a scratch folder, check every checksum, refuse archives from a
// newer schema, check each repository's refs against the manifest and its connectivity, check
// and migrate the database, point the repositories at the target data dir's hooks — and only
// then move the data into place. "Verify" is the same work into a temp folder, thrown away.
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar';
import { checkIntegrity, migrate, openDatabase } from '../db/index.js';
import { envFileValue } from '../config.js';
import { createSiblingDatabase, databaseName, dropDatabase, dumpTables, emptyDatabase, restoreDump, tableCount } from '../db/pg-dump.js';
import { envFilePath, setEnvValues } from '../ops/index.js';
import { latestMigration, type MigrationFactory } from '../db/migrations/index.js';
import { gitBaseEnv, runGit } from '../git/command.js';
import { repoConfig } from '../git/repo-store.js';
import { randomHex } from '../lib/crypto.js';
import { carryDataDirLock } from '../lib/data-lock.js';
import { sha256File, walkFiles } from '../lib/fs.js';
import { windowsNameProblem, windowsPathProblem } from '../lib/names.js';
import { BACKUP_FORMAT, mapLimit, type BackupProgress, type Manifest } from './backup.js';
import { checkCiLogs, type CiLogsSummary } from './ci-logs.js';
import { faultsFromEnv, type FaultHook } from './fault.js';
import { SwapError, isStagedInside, stagingInside, swapInPlace, whyNotSwapWhole } from './swap-in-place.js';

export class RestoreError extends Error {}

export interface RestoreResult {
  dataDir: string;
  repositories: number;
  files: number;
  app_version: string;
  schema_version: string;
  created_at: string;
  /** The database was migrated from an older schema. */
  migrated: boolean;
  /** Names in the archive that could not exist on Windows (restored all the same; see windowsIncompatibleNames). */
  windows_incompatible: string[];
  /** The CI job logs the backup listed, and whether their bytes were in it (and so restored). */
  ci_logs: CiLogsSummary;
  /** Which database the backup's records are in. */
  database: 'sqlite' | 'postgres';
}

export interface RestoreOptions {
  onProgress?: (p: BackupProgress) => void;
  /** Every migration this build knows (the base ones and the feature modules'). */
  migrations: Record<string, MigrationFactory>;
  /**
   * Where the restored install keeps its records when it uses PostgreSQL (DATABASE_URL): a
   * backup of a PostgreSQL install is loaded into it, which must be empty. Null: SQLite.
   */
  databaseUrl?: string | null;
}

/** Whether a data dir holds nothing yet (a fresh volume's lost+found is nothing). */
export async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).filter((n) => n !== 'lost+found').length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}

/**
 * Unpacks `archive` into `scratch` (created; must not exist) and runs every check, migrating
 * the database and pointing the repositories' hooks at `target`. Throws RestoreError when
 * anything is wrong; the caller removes `scratch` either way it doesn't keep it.
 */
export async function stageRestore(archive: string, scratch: string, target: string, progress: (line: string) => void, opts: RestoreOptions): Promise<Omit<RestoreResult, 'dataDir'>> {
  const report = opts.onProgress ?? (() => {});
  const st = await stat(archive).catch(() => null);
  if (!st?.isFile()) throw new RestoreError(`${archive} is not a file`);
  await mkdir(scratch, { recursive: false });

  // 1. unpack: plain files and folders only, nothing outside the scratch folder; gunzip runs
  //    on the thread pool while tar writes the files
  progress(`unpacking ${archive} ...`);
  let read = 0;
  let lastReport = 0;
  report({ phase: 'unpack', done: 0, total: st.size, bytes: 0 });
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      read += chunk.length;
      if (performance.now() - lastReport > 200) {
        lastReport = performance.now();
        report({ phase: 'unpack', done: read, total: st.size, bytes: read });
      }
      cb(null, chunk);
    },
  });
  try {
    const unpack = tar.extract({
      cwd: scratch,
      strict: true,
      preservePaths: false,
      filter: (_p, entry) => 'type' in entry && (entry.type === 'File' || entry.type === 'Directory'),
    });
    await pipeline(createReadStream(archive), counter, createGunzip(), unpack as unknown as NodeJS.WritableStream);
  } catch (err) {
    throw new RestoreError(`the archive is damaged or truncated (${(err as Error).message}); nothing was restored`);
  }
  report({ phase: 'unpack', done: st.size, total: st.size, bytes: st.size });

  // 2. the manifest and every checksum
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(path.join(scratch, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    throw new RestoreError('the archive has no readable manifest.json: it is not a Gitssy backup, or it is damaged');
  }
  if (manifest.format !== BACKUP_FORMAT) throw new RestoreError(`backup format ${manifest.format} is not supported by this version of Gitssy (it reads format ${BACKUP_FORMAT})`);
  if (typeof manifest.schema_version !== 'string' || !manifest.files || !Array.isArray(manifest.repositories))
    throw new RestoreError('the manifest is incomplete: the archive is damaged or not a Gitssy backup');
  const latest = latestMigration(opts.migrations);
  if (manifest.schema_version > latest) {
    throw new RestoreError(`this backup comes from a newer Gitssy (${manifest.app_version}, schema ${manifest.schema_version}; this one is ${latest}); upgrade Gitssy to restore it`);
  }
  const entries = Object.entries(manifest.files);
  progress(`backup of ${manifest.created_at} by Gitssy ${manifest.app_version}: verifying ${entries.length} files ...`);
  const present = new Set((await walkFiles(scratch)).filter((f) => f !== 'manifest.json'));
  for (const [rel] of entries) if (!present.delete(rel)) throw new RestoreError(`the archive is missing ${rel}; nothing was restored`);
  if (present.size) throw new RestoreError(`the archive holds files its manifest doesn't list (${[...present][0]}); nothing was restored`);
  const total = entries.reduce((n, [, f]) => n + f.size, 0);
  let checked = 0;
  let checkedBytes = 0;
  report({ phase: 'checksum', done: 0, total: entries.length, bytes: 0 });
  await mapLimit(entries, 2, async ([rel, want]) => {
    const full = path.join(scratch, rel);
    if ((await stat(full)).size !== want.size || (await sha256File(full)) !== want.sha256) throw new RestoreError(`${rel} does not match its checksum; nothing was restored`);
    checked++;
    checkedBytes += want.size;
    if (performance.now() - lastReport > 200 || checked === entries.length) {
      lastReport = performance.now();
      report({ phase: 'checksum', done: checked, total: entries.length, bytes: checkedBytes });
    }
  });
  progress(`${entries.length} files (${(total / 1048576).toFixed(1)} MiB) match their checksums`);

  // CI logs: exactly the ones the manifest lists, when it says they are in (their bytes were checksummed above)
  const ci = checkCiLogs(manifest);
  if (ci.problem) throw new RestoreError(`${ci.problem}; nothing was restored`);
  if (ci.summary.count) {
    const what = `${ci.summary.count} CI log${ci.summary.count === 1 ? '' : 's'} (${(ci.summary.bytes / 1048576).toFixed(1)} MiB)`;
    progress(ci.summary.included ? `${what} in the archive, as listed` : `${what} listed; the backup was taken without their bytes, so those jobs will show no log`);
  }

  // names a Windows machine could not hold (data from before those were refused, or from
  // another forge): they restore here, so only a warning, for whoever moves this data there
  const windows = windowsIncompatibleNames(manifest);
  if (windows.length) {
    progress(`warning: ${windows.length} name${windows.length === 1 ? '' : 's'} in this backup could not exist on Windows (it restores here, but not on a Windows machine):`);
    for (const w of windows.slice(0, 20)) progress(`  ${w}`);
    if (windows.length > 20) progress(`  ... and ${windows.length - 20} more`);
  }

  // 3. repositories: nothing in an archive's repository config or alternates is trusted (an
  //    uploaded archive could make git run commands as this server: core.fsmonitor,
  //    core.alternateRefsCommand, include.path ...): every repository gets our config afresh,
  //    before git touches it; then refs as recorded, objects all there; a git per core
  const git = gitBaseEnv(path.join(scratch, 'run', 'git-home'));
  await mkdir(path.join(scratch, 'run', 'git-home'), { recursive: true });
  const repoDirs = new Set<string>(manifest.repositories.map((r) => r.path));
  for (const [rel] of entries) {
    const m = /^(repos\/.+?\.git)\/(config|HEAD|objects\/.*)$/.exec(rel);
    if (m) repoDirs.add(m[1]!);
  }
  for (const rel of repoDirs) {
    const dir = path.join(scratch, rel);
    const back = path.relative(scratch, dir);
    if (back.startsWith('..') || path.isAbsolute(back) || !back.startsWith(`repos${path.sep}`)) throw new RestoreError(`bad repository path ${rel} in the manifest; nothing was restored`);
    await sanitizeRepository(git, dir, path.join(target, 'hooks')).catch((err: unknown) => {
      throw err instanceof RestoreError ? err : new RestoreError(`${rel}: its config cannot be read (${firstLine(err)}); nothing was restored`);
    });
  }
  let i = 0;
  report({ phase: 'repositories', done: 0, total: manifest.repositories.length, bytes: 0 });
  await mapLimit(manifest.repositories, Math.max(2, os.availableParallelism()), async (repo) => {
    const dir = path.join(scratch, repo.path);
    const rel = path.relative(scratch, dir);
    if (rel.startsWith('..') || path.isAbsolute(rel) || !rel.startsWith(`repos${path.sep}`)) throw new RestoreError(`bad repository path ${repo.path} in the manifest; nothing was restored`);
    const name = `${repo.owner}/${repo.name}`;
    let stdout: Buffer | string;
    try {
      ({ stdout } = await runGit(git, ['--git-dir', dir, 'for-each-ref', '--format=%(objectname) %(refname)'], { maxOutputBytes: 512 * 1024 * 1024 }));
    } catch (err) {
      throw new RestoreError(`${name}: git cannot read the repository (${firstLine(err)}); nothing was restored`);
    }
    const refs: Record<string, string> = {};
    for (const l of stdout.toString().split('\n')) if (l) refs[l.slice(l.indexOf(' ') + 1)] = l.slice(0, l.indexOf(' '));
    if (JSON.stringify(Object.entries(refs).sort()) !== JSON.stringify(Object.entries(repo.refs).sort())) {
      throw new RestoreError(`${name}: refs differ from the manifest; nothing was restored`);
    }
    try {
      await runGit(git, ['--git-dir', dir, 'fsck', '--connectivity-only', '--no-progress', '--no-dangling'], { timeoutMs: 3600_000 });
    } catch (err) {
      throw new RestoreError(`${name}: git fsck failed (${firstLine(err)}); nothing was restored`);
    }
    i++;
    progress(`[${i}/${manifest.repositories.length}] ${name}: ${Object.keys(repo.refs).length} refs verified`);
    report({ phase: 'repositories', done: i, total: manifest.repositories.length, bytes: 0 });
  });

  // 4. the database: integrity, then migrations for an older schema (SQLite); a PostgreSQL dump
  //    must be whole and hold the tables' rows (it is loaded, and migrated, where it is restored)
  report({ phase: 'database', done: 0, total: 1, bytes: 0 });
  const database = manifest.database === 'postgres' ? 'postgres' : 'sqlite';
  const migrated = database === 'postgres' ? (await checkDump(scratch, manifest, progress), false) : await checkSqlite(scratch, manifest, latest, opts, progress);
  report({ phase: 'database', done: 1, total: 1, bytes: 0 });
  await rm(path.join(scratch, 'run'), { recursive: true, force: true });
  return {
    repositories: manifest.repositories.length,
    files: entries.length,
    app_version: manifest.app_version,
    schema_version: manifest.schema_version,
    created_at: manifest.created_at,
    migrated,
    windows_incompatible: windows.slice(0, MAX_WINDOWS_REPORTED),
    ci_logs: ci.summary,
    database,
  };
}

/** A PostgreSQL install's records: pg_restore must read the dump's table of contents, users and repositories among it. */
async function checkDump(scratch: string, manifest: Manifest, progress: (line: string) => void): Promise<void> {
  if (!manifest.files['gitssy.pgdump']) throw new RestoreError('the manifest says PostgreSQL but the archive holds no gitssy.pgdump; nothing was restored');
  let tables: string[];
  try {
    tables = await dumpTables(path.join(scratch, 'gitssy.pgdump'));
  } catch (err) {
    throw new RestoreError(`the PostgreSQL dump cannot be read (${firstLine(err)}); nothing was restored`);
  }
  if (!tables.includes('users') || !tables.includes('repositories')) throw new RestoreError('the PostgreSQL dump holds no users or repositories table; nothing was restored');
  progress(`PostgreSQL dump readable: ${tables.length} tables`);
}

/** A SQLite install's records: the integrity check, then migrations to this version; true when it was migrated. */
async function checkSqlite(scratch: string, manifest: Manifest, latest: string, opts: RestoreOptions, progress: (line: string) => void): Promise<boolean> {
  const opened = await openDatabase({ dataDir: scratch, databaseUrl: null }).catch((err: Error) => {
    throw new RestoreError(`the database cannot be opened (${err.message}); nothing was restored`);
  });
  try {
    let problems: string[];
    try {
      problems = await checkIntegrity(opened);
    } catch (err) {
      problems = [(err as Error).message];
    }
    if (problems.length) throw new RestoreError(`the database failed its integrity check (${problems[0]}); nothing was restored`);
    try {
      await migrate(opened, opts.migrations);
    } catch (err) {
      throw new RestoreError(`the database could not be migrated to this version (${(err as Error).message}); nothing was restored`);
    }
  } finally {
    await opened.close();
  }
  const migrated = manifest.schema_version !== latest;
  if (migrated) progress(`database migrated from schema ${manifest.schema_version} to ${latest}`);
  progress('database integrity check passed');
  for (const f of ['gitssy.db-wal', 'gitssy.db-shm']) await rm(path.join(scratch, f), { force: true });
  return migrated;
}

/** How many Windows-incompatible names a result records (the count is what matters beyond it). */
const MAX_WINDOWS_REPORTED = 200;

/**
 * The names in a backup that could not exist on Windows, one sentence each: owners and
 * repositories (their folders), every ref of every repository (packed or loose, a ref becomes
 * a file when git updates it), and any other file whose path has such a part.
 */
export function windowsIncompatibleNames(manifest: Pick<Manifest, 'repositories' | 'files'>): string[] {
  const out: string[] = [];
  const owners = new Set<string>();
  const repoDirs = new Map<string, { full: string; refs: Set<string> }>();
  for (const r of manifest.repositories) {
    const full = `${r.owner}/${r.name}`;
    if (!owners.has(r.owner)) {
      owners.add(r.owner);
      const p = windowsNameProblem(r.owner);
      if (p) out.push(`owner ${p}`);
    }
    const p = windowsNameProblem(r.name);
    if (p) out.push(`repository ${full}: ${p}`);
    const refs = new Set<string>();
    for (const ref of Object.keys(r.refs).sort()) {
      const rp = windowsPathProblem(ref);
      if (rp) {
        out.push(`${full}: ref ${rp}`);
        refs.add(ref);
      }
    }
    repoDirs.set(r.path.replace(/\/+$/, ''), { full, refs });
  }
  for (const rel of Object.keys(manifest.files).sort()) {
    const m = /^(repos\/[^/]+\/[^/]+)\/(.*)$/.exec(rel);
    const repo = m ? repoDirs.get(m[1]!) : undefined;
    if (repo && m) {
      // the folder was reported with its repository; loose refs and their logs with the refs
      const inner = m[2]!;
      if (repo.refs.has(inner) || repo.refs.has(inner.replace(/^logs\//, ''))) continue;
      const p = windowsPathProblem(inner);
      if (p) out.push(`${repo.full}: file ${p}`);
      continue;
    }
    const p = windowsPathProblem(rel);
    if (p) out.push(`file ${p}`);
  }
  return out;
}

/** Config keys an archived repository keeps: what git needs to open it. Everything else is ours (repoConfig). */
const KEPT_REPO_CONFIG: Record<string, RegExp> = {
  'core.repositoryformatversion': /^[01]$/,
  'extensions.objectformat': /^(sha1|sha256)$/i,
  'extensions.refstorage': /^(files|reftable)$/i,
};

/**
 * Replaces a restored repository's config with a fresh one (the format keys it needs plus the
 * config RepoStore gives every repository, hooks in `hooksDir`), and drops what could point
 * git outside it: alternates and the repository's own hooks folder.
 */
async function sanitizeRepository(git: ReturnType<typeof gitBaseEnv>, dir: string, hooksDir: string): Promise<void> {
  for (const f of ['objects/info/alternates', 'objects/info/http-alternates']) await rm(path.join(dir, f), { force: true });
  await rm(path.join(dir, 'hooks'), { recursive: true, force: true });
  const file = path.join(dir, 'config');
  const kept = new Map<string, string>();
  if (
    await stat(file).then(
      (st) => st.isFile(),
      () => false,
    )
  ) {
    // --file without --includes: include.path / includeIf are not followed
    const { stdout } = await runGit(git, ['config', '--file', file, '--no-includes', '--null', '--list']);
    for (const item of stdout.toString().split('\0')) {
      const nl = item.indexOf('\n');
      if (nl < 0) continue;
      const key = item.slice(0, nl).toLowerCase();
      const value = item.slice(nl + 1);
      const ok = KEPT_REPO_CONFIG[key];
      if (!ok) continue;
      if (!ok.test(value)) throw new RestoreError(`${path.basename(dir)}: unsupported ${key} = ${value}; nothing was restored`);
      kept.set(key, value.toLowerCase());
    }
  }
  const sections = new Map<string, [string, string][]>();
  const put = (key: string, value: string) => {
    const dot = key.indexOf('.');
    const [section, name] = [key.slice(0, dot), key.slice(dot + 1)];
    if (!sections.has(section)) sections.set(section, []);
    sections.get(section)!.push([name, value]);
  };
  put('core.repositoryformatversion', kept.get('core.repositoryformatversion') ?? (kept.has('extensions.objectformat') || kept.has('extensions.refstorage') ? '1' : '0'));
  put('core.bare', 'true');
  for (const k of ['extensions.objectformat', 'extensions.refstorage']) if (kept.has(k)) put(k, kept.get(k)!);
  for (const [k, v] of repoConfig(hooksDir)) {
    if (/[\n\r\0]/.test(v)) throw new RestoreError(`cannot configure ${k} = ${JSON.stringify(v)}`);
    put(k, v);
  }
  const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const text = [...sections].map(([section, kv]) => `[${section}]\n${kv.map(([k, v]) => `\t${k} = ${quote(v)}\n`).join('')}`).join('');
  await writeFile(file, text);
}

function firstLine(err: unknown): string {
  return ((err as { stderr?: unknown }).stderr ? String((err as { stderr: unknown }).stderr) : String((err as Error).message ?? err)).trim().split('\n')[0] ?? 'unknown error';
}

/**
 * Removes a scratch folder for good. After a failed unpack tar may still have file writes in
 * flight that would recreate folders behind a single rm, so it looks again until it stays gone.
 */
export async function removeScratch(dir: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    await new Promise((r) => setTimeout(r, i === 0 ? 20 : 100));
    if (
      !(await stat(dir).then(
        () => true,
        () => false,
      ))
    )
      return;
  }
}

/** A fresh scratch folder beside `target` (same filesystem, so the final move is a rename). */
export function scratchBeside(target: string, what = 'restoring'): string {
  return `${path.resolve(target)}.${what}-${randomHex(4)}`;
}

/**
 * Where to stage a restore of `dataDir`: beside it, to be swapped in as a whole by renaming, or
 * (a mount point, a symlink, a parent this process can't write) inside it, to be swapped in
 * entry by entry (swap-in-place.ts). `reason` says why it is inside.
 */
export async function stagingFor(dataDir: string): Promise<{ staged: string; reason: string | null }> {
  const reason = await whyNotSwapWhole(dataDir);
  return { staged: reason ? stagingInside(dataDir) : scratchBeside(dataDir), reason };
}

/** Restores `archive` into `dataDir`, which must be new or empty. */
export async function restoreBackup(archive: string, dataDir: string, progress: (line: string) => void, opts: RestoreOptions): Promise<RestoreResult> {
  const target = path.resolve(dataDir);
  if (
    !(await stat(archive).then(
      (st) => st.isFile(),
      () => false,
    ))
  )
    throw new RestoreError(`${archive} is not a file`);
  if (!(await isEmptyOrMissing(target))) {
    throw new RestoreError(`${target} is not empty; restore into a new folder (then point --data at it), or replace it with --force (a safety backup is taken first)`);
  }
  const databaseUrl = opts.databaseUrl ?? null;
  if (databaseUrl) {
    const tables = await tableCount(databaseUrl).catch((err: unknown) => {
      throw new RestoreError(`cannot reach the PostgreSQL at DATABASE_URL (${firstLine(err)}); nothing was restored`);
    });
    if (tables > 0) throw new RestoreError('the database at DATABASE_URL is not empty: a backup of a PostgreSQL install is restored into an empty database');
  }
  const { staged: scratch, reason } = await stagingFor(target);
  if (reason) progress(`${target}: ${reason}, so the restore is staged inside it and moved into place entry by entry`);
  let loaded = false;
  try {
    const r = await stageRestore(archive, scratch, target, progress, opts);
    if (r.database === 'postgres' && !databaseUrl) throw new RestoreError('this is a backup of a PostgreSQL install: set DATABASE_URL to an empty PostgreSQL database to restore its records into');
    if (r.database === 'sqlite' && databaseUrl)
      throw new RestoreError('this is a backup of a SQLite install and DATABASE_URL is set: restore it without DATABASE_URL, then move it with gitssy admin migrate-db');
    if (r.database === 'postgres') {
      // all of it or nothing (one transaction); the next start migrates it to this version
      progress('loading the records into PostgreSQL (pg_restore) ...');
      try {
        await restoreDump(path.join(scratch, 'gitssy.pgdump'), databaseUrl!);
      } catch (err) {
        throw new RestoreError(`the PostgreSQL dump could not be loaded (${firstLine(err)}); nothing was restored`);
      }
      loaded = true;
      await rm(path.join(scratch, 'gitssy.pgdump'));
      // the restored install uses the database it was restored into, not the one it was backed up from
      await setEnvValues(scratch, { DATABASE_URL: databaseUrl });
    }
    if (reason) {
      await swapInPlace(target, scratch);
    } else {
      await rmdir(target).catch(() => {});
      await mkdir(path.dirname(target), { recursive: true });
      await rename(scratch, target);
    }
    progress(`restored into ${target}`);
    opts.onProgress?.({ phase: 'done', done: 1, total: 1, bytes: 0 });
    return { dataDir: target, ...r };
  } catch (err) {
    await removeScratch(scratch);
    // the records went in but the files could not: the database is made empty again
    if (loaded) await emptyDatabase(databaseUrl!).catch(() => {});
    throw err;
  }
}

/**
 * Why the records of this install can't be replaced in place, or null when they can: an
 * install on PostgreSQL switches to the database a restore loads (stageDatabase) through its
 * .gitssy.env, so its DATABASE_URL must come from there, not from the environment.
 */
export function whyNotReplaceDatabase(config: { dataDir: string; databaseUrl: string | null }, env: NodeJS.ProcessEnv = process.env): string | null {
  if (!config.databaseUrl || (!env.DATABASE_URL && envFileValue(config.dataDir, 'DATABASE_URL') === config.databaseUrl)) return null;
  return `this install's DATABASE_URL comes from the environment, and a restore in place switches it to a new database in ${envFilePath(config.dataDir)}, which the environment would override: move DATABASE_URL into that file (and out of the environment), or restore into a new data dir and an empty database with \`DATABASE_URL=postgres://… gitssy backup restore FILE --data NEWDIR\``;
}

/**
 * The records of a restore over an existing install, once the archive is staged. On SQLite
 * there is nothing to do (gitssy.db is among the staged files). On PostgreSQL the backup's dump
 * is loaded into a new database beside the current one (`<name>_r<hex>`, which needs CREATEDB),
 * and swapInStaged({databaseUrl}) brings in a .gitssy.env naming it: the records switch with the
 * files, all or nothing, and the current database stays as it is (the safety backup holds it
 * too). Returns the new database's URL (null on SQLite): the caller drops it (discardDatabase)
 * when the swap doesn't happen.
 */
export async function stageDatabase(
  staged: string,
  restored: { database: 'sqlite' | 'postgres' },
  config: { dataDir: string; databaseUrl: string | null },
  progress: (line: string) => void,
): Promise<string | null> {
  const current = config.databaseUrl;
  if (restored.database === 'sqlite') {
    if (current)
      throw new RestoreError(
        'this is a backup of a SQLite install and this one keeps its records in PostgreSQL: restore it into a new data dir without DATABASE_URL, then move that with gitssy admin migrate-db',
      );
    return null;
  }
  if (!current)
    throw new RestoreError('this is a backup of a PostgreSQL install and this one keeps its records in SQLite: restore it into a new data dir with DATABASE_URL set to an empty PostgreSQL database');
  const why = whyNotReplaceDatabase(config);
  if (why) throw new RestoreError(why);
  let url: string;
  try {
    url = await createSiblingDatabase(current);
  } catch (err) {
    throw new RestoreError(
      `the backup's records go into a new database beside the current one, and it could not be created (${firstLine(err)}); grant the PostgreSQL user CREATEDB, or restore into a new data dir and an empty database. Nothing was restored`,
    );
  }
  progress(`loading the records into a new database, ${databaseName(url)} (pg_restore) ...`);
  try {
    await restoreDump(path.join(staged, 'gitssy.pgdump'), url);
    await rm(path.join(staged, 'gitssy.pgdump'));
  } catch (err) {
    await dropDatabase(url, current).catch(() => {});
    throw new RestoreError(`the PostgreSQL dump could not be loaded (${firstLine(err)}); nothing was restored`);
  }
  return url;
}

/**
 * Drops a database that stageDatabase loaded for a swap that didn't happen (never throws: a
 * leftover database is logged by the caller, not a reason to fail what is already failing).
 * Returns whether it is gone.
 */
export async function discardDatabase(url: string | null, dataDir: string): Promise<boolean> {
  // connected through the database the install uses (a database can't drop itself)
  const via = envFileValue(dataDir, 'DATABASE_URL');
  if (!url || !via || via === url) return !url;
  return dropDatabase(url, via).then(
    () => true,
    () => false,
  );
}

/** Throws away a staged restore that won't be swapped in: its folder and the database it loaded (never throws). */
export async function discardStaged(req: { staged: string; database: string | null }, dataDir: string, log: { warn: (obj: object, msg: string) => void }): Promise<void> {
  await removeScratch(req.staged).catch(() => {});
  if (req.database && !(await discardDatabase(req.database, dataDir)))
    log.warn({ database: databaseName(req.database) }, 'the database loaded for a restore that did not happen could not be dropped; drop it by hand');
}

export interface VerifyResult {
  ok: boolean;
  /** Why it failed (the restore's own message), when it did. */
  error: string | null;
  checked_at: string;
  duration_ms: number;
  repositories?: number;
  files?: number;
  app_version?: string;
  schema_version?: string;
  created_at?: string;
  /** Names in the archive that could not exist on Windows (a warning: the check still passes). */
  windows_incompatible?: string[];
  /** The CI job logs the backup lists, and whether their bytes are in it. */
  ci_logs?: CiLogsSummary;
}

/** Test-restores `archive` into a temp folder under `tmpRoot` and throws the folder away. */
export async function verifyBackup(archive: string, tmpRoot: string, progress: (line: string) => void, opts: RestoreOptions): Promise<VerifyResult> {
  const t0 = performance.now();
  await mkdir(tmpRoot, { recursive: true });
  const scratch = path.join(tmpRoot, `verify-${randomHex(6)}`);
  try {
    const r = await stageRestore(archive, scratch, scratch, progress, opts);
    opts.onProgress?.({ phase: 'done', done: 1, total: 1, bytes: 0 });
    return {
      ok: true,
      error: null,
      checked_at: new Date().toISOString(),
      duration_ms: Math.round(performance.now() - t0),
      repositories: r.repositories,
      files: r.files,
      app_version: r.app_version,
      schema_version: r.schema_version,
      created_at: r.created_at,
      windows_incompatible: r.windows_incompatible,
      ci_logs: r.ci_logs,
    };
  } catch (err) {
    if (!(err instanceof RestoreError)) throw err;
    return { ok: false, error: err.message, checked_at: new Date().toISOString(), duration_ms: Math.round(performance.now() - t0) };
  } finally {
    await removeScratch(scratch);
  }
}

/**
 * The steps of a swap where a test can inject a fault (fault.ts), in the order they happen:
 * `whole` when the staged folder takes the data dir's name, `in-place` when entries move one
 * by one (swap-in-place.ts). `move-old`, `move-new` and `keep` repeat per entry moved.
 */
export const SWAP_STEPS = {
  whole: ['prepare', 'move-old', 'move-new', 'keep', 'commit', 'cleanup'],
  'in-place': ['prepare', 'move-old', 'move-new', 'commit', 'cleanup'],
} as const;

const ENV_FILE = '.gitssy.env';
/** Where a restore over existing data puts the archive's .gitssy.env (this machine's stays in use). */
export const RESTORED_ENV_FILE = '.gitssy.env.restored';
/** What the old data keeps through a restore: the backups (the safety one among them), the logs and this machine's .gitssy.env. */
const KEPT = ['backups', 'logs', ENV_FILE];

export interface SwapResult {
  env_restored_as: string | null;
  mode: 'whole' | 'in-place';
  /** A folder the swap could not clean up after it succeeded (removed at the next start when in the data dir). */
  leftover: string | null;
}

/**
 * Swaps a staged (verified) data dir in for the current one, which nothing may have open. A
 * staged folder beside the data dir takes its name (the current dir moves aside, and the
 * backups folder with the safety backup, the logs and this machine's .gitssy.env move across);
 * one inside it (stagingFor) is swapped in entry by entry. All or nothing either way: on a
 * failure the old data is put back and a SwapError thrown (the staged folder is the caller's
 * to remove). `context` is kept in the in-place swap's journal for the crash recovery, with
 * `new_database` (the database a rolled-back swap leaves unused: discardDatabase). With
 * `databaseUrl` (stageDatabase) this machine's .gitssy.env goes in naming that database.
 */
export async function swapInStaged(dataDir: string, staged: string, opts: { context?: Record<string, unknown>; fault?: FaultHook; databaseUrl?: string | null } = {}): Promise<SwapResult> {
  const target = path.resolve(dataDir);
  const fault = opts.fault ?? faultsFromEnv('restore-swap');
  // the archive's .gitssy.env describes another machine (host, ports, proxy trust): it is kept
  // beside, never used; this machine's own one stays
  let envRestoredAs: string | null = null;
  if (
    await stat(path.join(staged, ENV_FILE)).then(
      () => true,
      () => false,
    )
  ) {
    await rename(path.join(staged, ENV_FILE), path.join(staged, RESTORED_ENV_FILE));
    envRestoredAs = RESTORED_ENV_FILE;
  }
  // an install on PostgreSQL switches to the database the backup was loaded into
  // (stageDatabase): this machine's .gitssy.env, naming it, goes in with the restored data
  let keep = KEPT;
  if (opts.databaseUrl) {
    await copyFile(path.join(target, ENV_FILE), path.join(staged, ENV_FILE));
    await setEnvValues(staged, { DATABASE_URL: opts.databaseUrl });
    keep = KEPT.filter((k) => k !== ENV_FILE);
  }
  if (isStagedInside(target, staged)) {
    // the lock in run/ stays where it is: whoever holds the data dir keeps holding it
    const { leftover } = await swapInPlace(target, staged, {
      keep,
      context: { ...opts.context, env_restored_as: envRestoredAs, ...(opts.databaseUrl ? { new_database: opts.databaseUrl } : {}) },
      fault,
    });
    return { env_restored_as: envRestoredAs, mode: 'in-place', leftover };
  }

  const aside = scratchBeside(target, 'replaced');
  // whoever holds the data dir (the server restoring in-process, or `backup restore --force`)
  // keeps holding it through the swap
  await carryDataDirLock(target, staged);
  try {
    await fault('prepare');
    await fault('move-old');
    await rename(target, aside);
  } catch (err) {
    throw new SwapError((err as Error).message, true, { cause: err });
  }
  try {
    await fault('move-new');
    await rename(staged, target);
  } catch (err) {
    try {
      await rename(aside, target);
    } catch (err2) {
      throw new SwapError(`${(err as Error).message}; putting the previous data back failed too (${(err2 as Error).message}): it is in ${aside}`, false, { cause: err });
    }
    throw new SwapError((err as Error).message, true, { cause: err });
  }
  // what the backup doesn't hold but the operator still wants: the backups (the safety one
  // among them) and the logs
  const carried: string[] = [];
  try {
    for (const name of keep) {
      const from = path.join(aside, name);
      if (
        !(await stat(from).then(
          () => true,
          () => false,
        ))
      )
        continue;
      await fault('keep');
      await rm(path.join(target, name), { recursive: true, force: true });
      await rename(from, path.join(target, name));
      carried.push(name);
    }
    await fault('commit');
  } catch (err) {
    // all or nothing: the carried entries go back, the restored folder back to where it was staged, the old one back
    try {
      for (const name of carried.reverse()) await rename(path.join(target, name), path.join(aside, name));
      await rename(target, staged);
      await rename(aside, target);
    } catch (err2) {
      throw new SwapError(`${(err as Error).message}; putting the previous data back failed too (${(err2 as Error).message}): it is in ${aside}`, false, { cause: err });
    }
    throw new SwapError((err as Error).message, true, { cause: err });
  }
  // swapped: removing the old folder is cleanup; a failure there doesn't undo the restore
  try {
    await fault('cleanup');
    await rm(aside, { recursive: true, force: true });
    return { env_restored_as: envRestoredAs, mode: 'whole', leftover: null };
  } catch {
    return { env_restored_as: envRestoredAs, mode: 'whole', leftover: aside };
  }
}
