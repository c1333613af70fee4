// Restoring over the data the server is using. The restore job has already verified the
// archive into a folder beside the data dir while the server kept serving; this finishes it:
//
//   1. stop serving (HTTP, SSH, git://, hooks; in-flight transfers get their few seconds),
//   2. take the safety backup of the data as it is now, with nothing writing to it,
//   3. swap the data in (the backups folder, safety backup included, stays): the whole folder,
//      or entry by entry when the data dir is a mount point or its parent is read-only, with a
//      journal that the next start uses to roll back a swap a crash cut short,
//   4. start again in this process, on the same ports, with every service rebuilt from the
//      restored data.
//
// Doing it in-process means it works the same under the desktop shell's supervisor, a
// service manager, or a bare `npm start`. If the safety backup fails nothing is swapped, if
// the swap fails the old data is put back, and either way the old data is served again. The
// outcome is written to <data>/backups/restore-status.json, so the job still answers after the
// restart. Moving the records from SQLite to PostgreSQL (completeMoveDb) runs in the same gap
// between the stop and the start: the start after it reads DATABASE_URL from .gitssy.env.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildServices, createApp, type App, type Ports } from '../app.js';
import type { Config } from '../config.js';
import { createLogger, type Logger } from '../lib/log.js';
import { createBackup } from './backup.js';
import type { MigrationFactory } from '../db/migrations/index.js';
import { MigrateDbError, migrateToPostgres } from '../scale/index.js';
import { RESTORE_STATUS_FILE, type BackupJob, type MoveDbRequest, type SwapRequest } from './manager.js';
import { databaseName } from '../db/pg-dump.js';
import { discardDatabase, discardStaged, removeScratch, swapInStaged } from './restore.js';
import { SwapError, recoverInterruptedSwap } from './swap-in-place.js';

/** Takes the safety backup of the (stopped) data dir and swaps the staged one in. Never throws: the outcome is the returned job. */
export async function completeRestoreSwap(config: Config, req: SwapRequest, log: Logger): Promise<BackupJob> {
  const job: BackupJob = { ...req.job, state: 'running', phase: 'safety-backup' };
  let safety: string | null = null;
  // on PostgreSQL the install switches databases: the job names both
  const databases = req.database ? { database: databaseName(req.database), previous_database: config.databaseUrl ? databaseName(config.databaseUrl) : null } : {};
  try {
    const graph = await buildServices(config, log);
    try {
      const r = await createBackup({ s: graph.services, dataDir: config.dataDir }, undefined, (line) => log.info({ job: job.id }, line), { kind: 'safety' });
      safety = path.basename(r.file);
    } finally {
      await graph.close();
    }
    job.phase = 'swap';
    // the journal of an in-place swap keeps what the job needs if the process dies half-way
    const { env_restored_as, leftover } = await swapInStaged(config.dataDir, req.staged, {
      context: { job: req.job, restored: req.restored, safety_backup: safety, ...databases },
      databaseUrl: req.database,
    });
    if (leftover) log.warn({ job: job.id, leftover }, 'the restore is in place, but the previous data could not all be removed; delete the folder by hand');
    Object.assign(job, { state: 'done', phase: 'done', error: null, result: { restored: req.restored, safety_backup: safety, env_restored_as, ...databases } });
    log.warn({ job: job.id, from: job.name, safety_backup: safety, ...databases }, 'restored the data dir from a backup; the previous data is in the safety backup');
    if (req.database)
      log.warn({ job: job.id, ...databases }, 'the restored records are in a new database; the previous ones stay in their database until you drop it (the safety backup holds them too)');
    if (env_restored_as)
      log.warn(
        { job: job.id, file: path.join(config.dataDir, env_restored_as) },
        `this server's own .gitssy.env was kept; the backup's one (host, ports, proxy settings of the machine it came from) is in ${env_restored_as}: copy what you need from it`,
      );
  } catch (err) {
    const back = !(err instanceof SwapError) || err.rolledBack;
    // the loaded database is unused unless the swap failed half-way (then the next start decides)
    await (back ? discardStaged(req, config.dataDir, log) : removeScratch(req.staged));
    Object.assign(job, {
      state: 'failed',
      error: `the restore was verified but could not be swapped in (${(err as Error).message}); ${back ? 'the previous data is still in place' : 'the previous data is not all back in place'}`,
      result: { safety_backup: safety },
    });
    log.error({ err, job: job.id }, 'restore swap failed; serving the previous data');
  }
  job.finished_at = new Date().toISOString();
  await writeRestoreStatus(config, job, log);
  return job;
}

/**
 * Moves the (stopped) install's records to PostgreSQL: every table copied and verified, then
 * DATABASE_URL written to .gitssy.env, so the start that follows is on PostgreSQL. Never
 * throws: on a failure the target is emptied again and the start that follows is on SQLite.
 */
export async function completeMoveDb(config: Config, req: MoveDbRequest, migrations: Record<string, MigrationFactory>, log: Logger): Promise<BackupJob> {
  const job: BackupJob = { ...req.job, state: 'running', phase: 'records' };
  try {
    const r = await migrateToPostgres({ dataDir: config.dataDir, to: req.to, migrations, progress: (line) => log.info({ job: job.id }, line) });
    Object.assign(job, {
      state: 'done',
      phase: 'done',
      error: null,
      done: r.tables.length,
      total: r.tables.length,
      result: { database: job.name, tables: r.tables.length, rows: r.rows, ms: Math.round(r.ms) },
    });
    log.warn(
      { job: job.id, database: job.name, tables: r.tables.length, rows: r.rows },
      'moved the records to PostgreSQL (row counts and checksums match); starting again on it (the SQLite file stays, unused)',
    );
  } catch (err) {
    const why = err instanceof MigrateDbError ? err.message : `${(err as Error).message}; the target was emptied again`;
    Object.assign(job, { state: 'failed', error: `the records could not be moved (${why}); this install stays on SQLite, unchanged` });
    log.error({ err, job: job.id }, 'moving the records to PostgreSQL failed; starting again on SQLite');
  }
  job.finished_at = new Date().toISOString();
  await writeRestoreStatus(config, job, log);
  return job;
}

/** Writes the job's outcome for the restarted server; never throws (a failure is logged). */
async function writeRestoreStatus(config: Config, job: BackupJob, log: Logger): Promise<void> {
  try {
    const dir = path.join(config.dataDir, 'backups');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, RESTORE_STATUS_FILE), JSON.stringify(job, null, 1) + '\n');
  } catch (err) {
    // the outcome is still returned (and logged); only its survival across the restart is lost
    log.error({ err, job: job.id }, `could not write ${RESTORE_STATUS_FILE}; the restore job's outcome is only in this log`);
  }
}

/**
 * Before the data dir is opened: rolls back (or finishes) an in-place restore swap that a crash
 * cut short, and records the outcome of its job. Throws when the old data can't be put back:
 * a half-swapped data dir must not be served.
 */
export async function recoverRestoreSwap(config: Config, log: Logger): Promise<boolean> {
  const r = await recoverInterruptedSwap(config.dataDir);
  if (r.removed.length) log.info({ removed: r.removed }, 'removed the staging folder of a restore that never reached its swap');
  if (!r.action) return false;
  const ctx = r.context ?? {};
  const job = ctx.job as BackupJob | undefined;
  const safety = typeof ctx.safety_backup === 'string' ? ctx.safety_backup : null;
  if (r.action === 'rolled-back') {
    log.warn({ job: job?.id, safety_backup: safety }, 'a restore was cut short while its data was being swapped in: the previous data was put back');
    // on PostgreSQL the database it had loaded is not used by anything now
    if (typeof ctx.new_database === 'string' && !(await discardDatabase(ctx.new_database, config.dataDir)))
      log.warn({ database: databaseName(ctx.new_database) }, 'the database loaded by the restore that was cut short could not be dropped; drop it by hand');
  } else log.warn({ job: job?.id, safety_backup: safety }, 'a restore was cut short after its data was swapped in: finished it');
  if (!job || typeof job.id !== 'string') return true; // a CLI restore: its output said what happened
  await writeRestoreStatus(
    config,
    r.action === 'rolled-back'
      ? {
          ...job,
          state: 'failed',
          phase: 'swap',
          error: 'the server stopped while the restore was being swapped in; the previous data was put back and nothing was restored',
          result: { safety_backup: safety },
          finished_at: new Date().toISOString(),
        }
      : {
          ...job,
          state: 'done',
          phase: 'done',
          error: null,
          result: {
            restored: ctx.restored,
            safety_backup: safety,
            env_restored_as: ctx.env_restored_as ?? null,
            ...(ctx.database ? { database: ctx.database, previous_database: ctx.previous_database ?? null } : {}),
          },
          finished_at: new Date().toISOString(),
        },
    log,
  );
  return true;
}

export interface RestorableAppOptions {
  log?: Logger;
  /** Called when the server could not be started again after a swap (the caller exits). */
  onFatal?: (err: unknown) => void;
  /** Told when a restore takes the server down and when it is back. */
  onRestart?: (what: 'stopping' | 'ready', ports: Ports | null) => void;
  /**
   * The configuration read again, for when the recovery of a cut-short restore changed the
   * data dir (its .gitssy.env moves with it: an install on PostgreSQL switches databases).
   */
  reloadConfig?: () => Config;
}

/**
 * An App whose data can be swapped by a restore: the same object (services, layout and
 * setupToken are read through to the current instance) before and after, so whoever holds it
 * — the signal handlers, the desktop shell's IPC — keeps working. `configFor(ports)` gives
 * the config to start again with, on the ports in use.
 */
export async function createRestorableApp(config: Config, configFor: (ports: Ports) => Config, opts: RestorableAppOptions = {}): Promise<App> {
  const recovered = await recoverRestoreSwap(config, opts.log ?? createLogger({ level: config.logLevel }));
  let inner = await createApp(recovered && opts.reloadConfig ? opts.reloadConfig() : config, { log: opts.log });
  let ports: Ports | null = null;
  let swapping: Promise<void> | null = null;
  let stopped = false;

  const wire = () =>
    inner.services.backups.setSwapHandler(async (req) => {
      if (swapping || stopped || !ports) {
        // another swap is under way or the server is shutting down: this one never happens
        if (req.kind === 'restore') await discardStaged(req, inner.services.config.dataDir, inner.services.log);
        throw new Error(stopped ? 'the server is shutting down; nothing was restored' : 'another restore is being swapped in; nothing was restored');
      }
      const at = ports;
      swapping = (async () => {
        // the stopped instance's log file lives in the folder being swapped: log to stdout meanwhile
        const log = opts.log ?? createLogger({ level: inner.services.config.logLevel });
        let running = true; // whether `inner` may still hold ports or files
        let outcome: BackupJob | null = null;
        try {
          inner.services.log.warn({ job: req.job.id, from: req.job.name }, 'restore verified: stopping to swap the data in');
          opts.onRestart?.('stopping', at);
          await inner.stop();
          running = false;
          outcome = req.kind === 'restore' ? await completeRestoreSwap(inner.services.config, req, log) : await completeMoveDb(inner.services.config, req, inner.services.migrations, log);
          await recoverRestoreSwap(inner.services.config, log);
          const next = await createApp(configFor(at), { log: opts.log });
          inner = next;
          running = true;
          await inner.services.backups.loadRestoreStatus();
          ports = await inner.start();
          wire();
          inner.services.log.warn(
            { job: outcome.id, state: outcome.state, from: outcome.name, error: outcome.error, result: outcome.result },
            outcome.state === 'done' ? 'serving the restored data' : 'restore failed; serving the previous data',
          );
          opts.onRestart?.('ready', ports);
        } catch (err) {
          log.error({ err, job: req.job.id }, 'restore swap failed; starting the server again on the data in place');
          try {
            if (running) await inner.stop().catch((e: unknown) => log.warn({ err: e }, 'stopping the half-started server failed'));
            if (!outcome) {
              if (req.kind === 'restore') await discardStaged(req, inner.services.config.dataDir, log);
              await writeRestoreStatus(
                inner.services.config,
                {
                  ...req.job,
                  state: 'failed',
                  phase: 'swap',
                  error: `the restore could not be swapped in (${(err as Error).message ?? err}); nothing was restored`,
                  finished_at: new Date().toISOString(),
                },
                log,
              );
            }
            await recoverRestoreSwap(inner.services.config, log);
            inner = await createApp(configFor(at), { log: opts.log });
            await inner.services.backups.loadRestoreStatus();
            ports = await inner.start();
            wire();
            opts.onRestart?.('ready', ports);
          } catch (err2) {
            log.fatal({ err: err2 }, 'could not start again after the restore');
            opts.onFatal?.(err2);
          }
          throw err;
        }
      })();
      try {
        await swapping;
      } finally {
        swapping = null;
      }
    });

  const app: App = {
    get services() {
      return inner.services;
    },
    get layout() {
      return inner.layout;
    },
    get setupToken() {
      return inner.setupToken;
    },
    set setupToken(v) {
      inner.setupToken = v;
    },
    async start() {
      await inner.services.backups.loadRestoreStatus();
      ports = await inner.start();
      wire();
      return ports;
    },
    async stop() {
      stopped = true;
      if (swapping) await swapping.catch(() => {});
      await inner.stop();
    },
  };
  return app;
}
