// Restoring over the data the server is using. The restore job has already verified the
// archive into a folder beside the data dir while the server kept serving; this finishes it:
//
//   1. stop serving (HTTP, SSH, git://, hooks; in-flight transfers get their few seconds),
//   2. take the safety backup of the data as it is now, with nothing writing to it,
//   3. swap the folders (the backups folder, safety backup included, moves across),
//   4. start again in this process, on the same ports, with every service rebuilt from the
//      restored data.
//
// Doing it in-process means it works the same under the desktop shell's supervisor, a
// service manager, or a bare `npm start`. If the safety backup fails nothing is swapped and
// the old data is served again. The outcome is written to <data>/backups/restore-status.json,
// so the job still answers after the restart.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildServices, createApp, type App, type Ports } from '../app.js';
import type { Config } from '../config.js';
import { createLogger, type Logger } from '../lib/log.js';
import { createBackup } from './backup.js';
import { RESTORE_STATUS_FILE, type BackupJob, type SwapRequest } from './manager.js';
import { removeScratch, swapInStaged } from './restore.js';

/** Takes the safety backup of the (stopped) data dir and swaps the staged one in. Never throws: the outcome is the returned job. */
export async function completeRestoreSwap(config: Config, req: SwapRequest, log: Logger): Promise<BackupJob> {
  const job: BackupJob = { ...req.job, state: 'running', phase: 'safety-backup' };
  let safety: string | null = null;
  try {
    const graph = await buildServices(config, log);
    try {
      const r = await createBackup({ s: graph.services, dataDir: config.dataDir }, undefined, (line) => log.info({ job: job.id }, line), { kind: 'safety' });
      safety = path.basename(r.file);
    } finally {
      await graph.close();
    }
    job.phase = 'swap';
    const { env_restored_as } = await swapInStaged(config.dataDir, req.staged);
    Object.assign(job, { state: 'done', phase: 'done', error: null, result: { restored: req.restored, safety_backup: safety, env_restored_as } });
    log.warn({ job: job.id, from: job.name, safety_backup: safety }, 'restored the data dir from a backup; the previous data is in the safety backup');
    if (env_restored_as)
      log.warn(
        { job: job.id, file: path.join(config.dataDir, env_restored_as) },
        `this server's own .gitssy.env was kept; the backup's one (host, ports, proxy settings of the machine it came from) is in ${env_restored_as}: copy what you need from it`,
      );
  } catch (err) {
    await removeScratch(req.staged);
    Object.assign(job, {
      state: 'failed',
      error: `the restore was verified but could not be swapped in (${(err as Error).message}); the previous data is still in place`,
      result: { safety_backup: safety },
    });
    log.error({ err, job: job.id }, 'restore swap failed; serving the previous data');
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

export interface RestorableAppOptions {
  log?: Logger;
  /** Called when the server could not be started again after a swap (the caller exits). */
  onFatal?: (err: unknown) => void;
  /** Told when a restore takes the server down and when it is back. */
  onRestart?: (what: 'stopping' | 'ready', ports: Ports | null) => void;
}

/**
 * An App whose data can be swapped by a restore: the same object (services, layout and
 * setupToken are read through to the current instance) before and after, so whoever holds it
 * — the signal handlers, the desktop shell's IPC — keeps working. `configFor(ports)` gives
 * the config to start again with, on the ports in use.
 */
export async function createRestorableApp(config: Config, configFor: (ports: Ports) => Config, opts: RestorableAppOptions = {}): Promise<App> {
  let inner = await createApp(config, { log: opts.log });
  let ports: Ports | null = null;
  let swapping: Promise<void> | null = null;
  let stopped = false;

  const wire = () =>
    inner.services.backups.setSwapHandler(async (req) => {
      if (swapping || stopped || !ports) {
        // another swap is under way or the server is shutting down: this one never happens
        await removeScratch(req.staged).catch(() => {});
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
          outcome = await completeRestoreSwap(inner.services.config, req, log);
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
              await removeScratch(req.staged).catch(() => {});
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
