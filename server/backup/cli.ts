// `gitssy backup create|list|verify|restore`: progress goes to stderr (one redrawn line on a
// terminal, a line per phase and every few seconds otherwise), results to stdout.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { backupInRunningServer, runningServer } from '../admin/index.js';
import type { ServiceGraph } from '../app.js';
import type { Config } from '../config.js';
import { createBackup, type BackupProgress, type BackupResult } from './backup.js';
import { listBackups, writeVerifyResult } from './catalog.js';
import type { MigrationFactory } from '../db/migrations/index.js';
import { DataDirBusy, dataDirHolder, describeHolder, lockDataDir, type DataDirLock } from '../lib/data-lock.js';
import { databaseName } from '../db/pg-dump.js';
import {
  RestoreError,
  discardDatabase,
  isEmptyOrMissing,
  removeScratch,
  restoreBackup,
  stageDatabase,
  stageRestore,
  stagingFor,
  swapInStaged,
  verifyBackup,
  whyNotReplaceDatabase,
} from './restore.js';
import { SwapError, recoverInterruptedSwap } from './swap-in-place.js';

const MiB = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;

export function describeProgress(p: BackupProgress): string {
  const pct = p.total > 0 ? ` ${Math.floor((100 * p.done) / p.total)}%` : '';
  switch (p.phase) {
    case 'capture':
      return `capturing the database and ${p.total} repositories' refs`;
    case 'copy':
      return `copying objects:${pct} (${p.done}/${p.total} repositories)`;
    case 'checksum':
      return `checksumming:${pct} (${p.done}/${p.total} files, ${MiB(p.bytes)})`;
    case 'archive':
      return `writing the archive:${pct} (${MiB(p.done)} of ${MiB(p.total)} read, ${MiB(p.bytes)} written)`;
    case 'unpack':
      return `unpacking:${pct} (${MiB(p.done)} of ${MiB(p.total)})`;
    case 'repositories':
      return `checking repositories:${pct} (${p.done}/${p.total}, refs and git fsck)`;
    case 'database':
      return 'checking the database';
    default:
      return p.phase;
  }
}

/** Progress on stderr: redrawn in place on a terminal, otherwise a line per phase and every 5 s. */
export function stderrProgress(stream: NodeJS.WriteStream = process.stderr) {
  const tty = Boolean(stream.isTTY);
  let drawn = false;
  let lastPhase = '';
  let lastAt = 0;
  const clear = () => {
    if (drawn) stream.write('\r\x1b[K');
    drawn = false;
  };
  return {
    line(l: string) {
      clear();
      stream.write(l + '\n');
    },
    progress(p: BackupProgress) {
      if (p.phase === 'done') return clear();
      const text = describeProgress(p);
      if (tty) {
        stream.write(`\r\x1b[K${text}`);
        drawn = true;
      } else if (p.phase !== lastPhase || Date.now() - lastAt > 5000) {
        stream.write(text + '\n');
      }
      if (p.phase !== lastPhase || Date.now() - lastAt > 5000) lastAt = Date.now();
      lastPhase = p.phase;
    },
    end: clear,
  };
}

interface Helpers {
  dataOption(cmd: Command): Command;
  configFrom(opts: { data?: string }): Config;
  withServices<T>(opts: { data?: string }, fn: (g: ServiceGraph) => Promise<T>): Promise<T>;
  /** Every migration this build knows (base and feature modules), for restores. */
  migrations: Record<string, MigrationFactory>;
}

export function registerBackupCommands(program: Command, { dataOption, configFrom, withServices, migrations }: Helpers): void {
  const backup = program.command('backup').description('one-click backups and verified restores');

  dataOption(
    backup
      .command('create')
      .description('write a backup archive (through the running server when there is one, which keeps serving); progress on stderr')
      .option('--out <file>', 'archive to write (default: <data>/backups/gitssy-<time>.tar.gz)')
      .option('--include-ci-logs', 'carry the CI job logs too (they are listed in the manifest either way)', false),
  ).action(async (opts: { data?: string; out?: string; includeCiLogs: boolean }) => {
    const config = configFrom(opts);
    const out = opts.out ? path.resolve(opts.out) : undefined;
    const ui = stderrProgress();
    const summary = (r: BackupResult) =>
      process.stdout.write(`backup: ${r.file}, ${MiB(r.bytes)}, ${r.repositories} repositories, writes held for ${r.barrier_ms} ms, ${(r.duration_ms / 1000).toFixed(1)} s\n`);
    const server = await runningServer(config.dataDir);
    if (server) {
      const last = await backupInRunningServer(server, out, ui.line, ui.progress, { includeCiLogs: opts.includeCiLogs });
      ui.end();
      if (last.startsWith('error: ')) {
        process.stderr.write(`gitssy: backup failed: ${last.slice(7)}\n`);
        process.exitCode = 1;
      } else summary(JSON.parse(last) as BackupResult);
      return;
    }
    await withServices(opts, async ({ services: s }) => summary(await createBackup({ s, dataDir: config.dataDir }, out, ui.line, { onProgress: ui.progress, includeCiLogs: opts.includeCiLogs })));
    ui.end();
  });

  dataOption(backup.command('list').description('list the backups in <data>/backups with their versions and last verify result').option('--json', 'print JSON')).action(
    async (opts: { data?: string; json?: boolean }) => {
      const config = configFrom(opts);
      const list = await listBackups(path.join(config.dataDir, 'backups'));
      if (opts.json) {
        process.stdout.write(JSON.stringify(list, null, 1) + '\n');
        return;
      }
      if (!list.length) {
        process.stdout.write(`no backups in ${path.join(config.dataDir, 'backups')} (make one with: gitssy backup create)\n`);
        return;
      }
      const rows = [['NAME', 'SIZE', 'CREATED', 'KIND', 'VERSION', 'SCHEMA', 'VERIFIED']];
      for (const b of list) {
        const v = b.verify ? `${b.verify.ok ? 'ok' : 'FAILED'} ${b.verify.checked_at.slice(0, 16).replace('T', ' ')}` : '-';
        rows.push([b.name, MiB(b.size), b.created_at.slice(0, 19).replace('T', ' '), b.kind, b.app_version ?? '?', b.schema_version ?? '?', v]);
      }
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows)
        process.stdout.write(
          r
            .map((c, i) => c.padEnd(widths[i]!))
            .join('  ')
            .trimEnd() + '\n',
        );
    },
  );

  // --data is accepted like everywhere else (the archive is all it reads; the data dir is not touched)
  dataOption(
    backup
      .command('verify')
      .description('test-restore an archive into a temp folder (checksums, schema, refs, git fsck, database) and record the result beside it as FILE.verify.json')
      .argument('<file>', 'backup archive')
      .option('--tmp <dir>', 'where to unpack it (default: the system temp folder)'),
  ).action(async (file: string, opts: { tmp?: string; data?: string }) => {
    const archive = path.resolve(file);
    if (!existsSync(archive)) {
      process.stderr.write(`gitssy: ${archive} does not exist\n`);
      process.exitCode = 1;
      return;
    }
    const ui = stderrProgress();
    const r = await verifyBackup(archive, path.resolve(opts.tmp ?? os.tmpdir()), ui.line, { onProgress: ui.progress, migrations });
    ui.end();
    await writeVerifyResult(archive, r).catch((err: Error) => process.stderr.write(`gitssy: could not record the result beside the archive (${err.message})\n`));
    if (r.ok)
      process.stdout.write(
        `verify: ok — ${r.repositories} repositories and ${r.files} files from the backup of ${r.created_at} (Gitssy ${r.app_version}, schema ${r.schema_version}), ${(r.duration_ms / 1000).toFixed(1)} s\n`,
      );
    else {
      process.stderr.write(`gitssy: verify failed: ${r.error}\n`);
      process.exitCode = 1;
    }
  });

  dataOption(
    backup
      .command('restore')
      .description('verify an archive and restore it into the data dir given with --data: a new or empty one, or (with --force, while no server runs on it) the current one after a safety backup')
      .argument('<file>', 'backup archive')
      .option('--force', 'replace a data dir that already holds a Gitssy instance (a safety backup of it goes to its backups folder first)', false),
  ).action(async (file: string, opts: { data?: string; force: boolean }) => {
    let config = configFrom(opts);
    const archive = path.resolve(file);
    const target = config.dataDir;
    const ui = stderrProgress();
    const refuse = (message: string) => {
      ui.end();
      process.stderr.write(`gitssy: restore refused: ${message}\n`);
      process.exitCode = 1;
    };
    // the archive's repositories go into <data>/repos, which an instance with a shared store doesn't read
    if (config.reposDir && config.reposDir !== path.join(target, 'repos'))
      return refuse(
        `this instance keeps its repositories in GITSSY_REPOS_DIR (${config.reposDir}), outside the data dir; a backup restores a data dir with its repositories inside it: restore without GITSSY_REPOS_DIR into a new data dir, then move NEWDIR/repos into the store and NEWDIR/ci to .gitssy/ci there`,
      );
    const instead = 'stop it first, or restore from the console (POST /api/v1/admin/backups/{name}/restore), which swaps the data in safely';
    // the data dir's lock names its holder; internal.json still finds a server that holds none
    const holder = await dataDirHolder(target);
    if (holder) return refuse(`${describeHolder(target, holder)}; ${instead}`);
    const server = await runningServer(target);
    if (server) return refuse(`a Gitssy server (pid ${server.pid}) is running on ${target}; ${instead}`);
    const hasData = !(await isEmptyOrMissing(target));
    let lock: DataDirLock | null = null;
    try {
      if (!hasData) {
        const r = await restoreBackup(archive, target, ui.line, { onProgress: ui.progress, migrations, databaseUrl: config.databaseUrl });
        ui.end();
        process.stdout.write(`restore: ${r.repositories} repositories and ${r.files} files from the backup of ${r.created_at} are in ${r.dataDir}\n`);
        return;
      }
      if (!opts.force) return refuse(`${target} is not empty; restore into a new folder (then point --data at it), or replace this instance with --force (a safety backup of it is taken first)`);
      // the data dir is ours until the restored one is in place: no server may start on it meanwhile
      try {
        lock = await lockDataDir(target, 'backup restore');
      } catch (err) {
        if (err instanceof DataDirBusy) return refuse(`${err.message}; ${instead}`);
        throw err;
      }
      // a restore that a crash cut short in the middle of its swap is undone first
      const recovered = await recoverInterruptedSwap(target);
      if (recovered.action === 'rolled-back') {
        ui.line(`an earlier restore was cut short while swapping its data in; the previous data was put back`);
        const unused = recovered.context?.new_database;
        if (typeof unused === 'string' && !(await discardDatabase(unused, target))) ui.line(`the database that restore had loaded, ${databaseName(unused)}, could not be dropped; drop it by hand`);
      }
      if (recovered.action === 'completed') ui.line(`an earlier restore was cut short after swapping its data in; finished it`);
      // the swap moves .gitssy.env too (an install on PostgreSQL switches databases with it)
      if (recovered.action) config = configFrom(opts);
      if (!existsSync(path.join(target, 'gitssy.db')) && !config.databaseUrl)
        return refuse(`${target} has files but is not a Gitssy data dir (no gitssy.db); --force only replaces a Gitssy instance. Restore into a new folder instead`);
      const why = whyNotReplaceDatabase(config);
      if (why) return refuse(why);
      // 1. verify everything beside the data dir (inside it when it can't be swapped as a whole); a bad archive changes nothing
      const { staged, reason } = await stagingFor(target);
      if (reason) ui.line(`${target}: ${reason}, so the restore is staged inside it and swapped in entry by entry`);
      let r;
      try {
        r = await stageRestore(archive, staged, target, ui.line, { onProgress: ui.progress, migrations });
      } catch (err) {
        await removeScratch(staged);
        throw err;
      }
      // 2. the records (on PostgreSQL: into a new database), 3. the safety backup of what is there now, 4. the swap
      let database: string | null = null;
      try {
        database = await stageDatabase(staged, r, config, ui.line);
        ui.line('taking a safety backup of the current data ...');
        const safety = await withServices(opts, ({ services: s }) => createBackup({ s, dataDir: target }, undefined, ui.line, { kind: 'safety', onProgress: ui.progress }));
        const { env_restored_as, leftover } = await swapInStaged(target, staged, { databaseUrl: database });
        ui.end();
        if (leftover) process.stderr.write(`gitssy: the restore is in place, but ${leftover} (the previous data) could not be removed; delete it by hand\n`);
        process.stdout.write(
          `restore: ${r.repositories} repositories and ${r.files} files from the backup of ${r.created_at} replaced ${target}; the previous data is in ${path.join(target, 'backups', path.basename(safety.file))}\n`,
        );
        if (database)
          process.stdout.write(
            `restore: the records are in the new database ${databaseName(database)} (DATABASE_URL in ${path.join(target, '.gitssy.env')}); the previous ones stay in ${databaseName(config.databaseUrl!)} until you drop it\n`,
          );
        if (env_restored_as) process.stdout.write(`restore: kept this server's .gitssy.env; the backup's one is in ${path.join(target, env_restored_as)}\n`);
      } catch (err) {
        await removeScratch(staged);
        // the database is unused unless the swap failed half-way (then the next start decides)
        if (database && (!(err instanceof SwapError) || err.rolledBack) && !(await discardDatabase(database, target)))
          process.stderr.write(`gitssy: the database loaded for this restore, ${databaseName(database)}, could not be dropped; drop it by hand\n`);
        throw err;
      }
    } catch (err) {
      if (err instanceof SwapError) {
        // verified, but the swap failed: the safety backup is taken (in <data>/backups) and the old data is back
        ui.end();
        process.stderr.write(
          `gitssy: restore failed: the archive was verified but could not be swapped in (${err.message}); ${err.rolledBack ? 'the previous data is still in place, unchanged' : 'the previous data is not all back in place'}\n`,
        );
        process.exitCode = 1;
        return;
      }
      if (!(err instanceof RestoreError)) throw err;
      refuse(err.message);
    } finally {
      await lock?.release();
    }
  });
}
