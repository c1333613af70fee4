// Backups as the running server offers them: jobs (create, verify, restore) with progress
// that the API polls and the event bus carries, the backups folder as a list, and the
// scheduler that takes scheduled backups and prunes old ones. One job runs at a time.
//
// Restoring over the data the server is using can't happen under its feet: the job verifies
// the archive into a folder beside the data dir (inside it when the data dir is a mount point
// or its parent is read-only) while the server keeps serving, then hands a swap request to
// whoever runs the server (server/backup/swap.ts), which stops it, takes the safety backup,
// swaps the data in and starts it again on the same ports. Moving the records from SQLite to
// PostgreSQL (the console's migrate-db) is a job of the same kind: checked while serving, done by
// the runner between the stop and the start.
import { createWriteStream } from 'node:fs';
import { link, mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomHex } from '../lib/crypto.js';
import { Conflict, Invalid, NotFound, Unavailable } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import type { Services } from '../services.js';
import { createBackup, freeBackupFile, type BackupKind, type BackupProgress, type BackupResult } from './backup.js';
import { WriteBarrier } from './barrier.js';
import { BACKUP_NAME_RE, listBackups, pruneScheduled, writeVerifyResult, type BackupEntry } from './catalog.js';
import { RestoreError, discardStaged, removeScratch, stageDatabase, stageRestore, stagingFor, verifyBackup, whyNotReplaceDatabase, type RestoreResult, type VerifyResult } from './restore.js';
import { isDue, lastSlot, nextSlot, type Schedule } from './schedule.js';
import { MigrateDbError, checkTarget, claimSlot, redactUrl } from '../scale/index.js';

export type JobType = 'create' | 'verify' | 'restore' | 'move-db';
export type JobState = 'running' | 'restarting' | 'done' | 'failed';

export interface BackupJob {
  id: string;
  type: JobType;
  state: JobState;
  phase: string;
  done: number;
  total: number;
  bytes: number;
  error: string | null;
  /** The archive the job writes, verifies or restores. */
  name: string | null;
  /** create: BackupResult; verify: VerifyResult; restore: {restored, safety_backup, …}. */
  result: unknown;
  started_at: string;
  finished_at: string | null;
}

/** What the server runner needs to finish a restore (server/backup/swap.ts). */
export interface SwapRequest {
  kind: 'restore';
  job: BackupJob;
  /** The verified data dir beside the current one. */
  staged: string;
  restored: Omit<RestoreResult, 'dataDir'>;
  /** On PostgreSQL: the new database the backup's records were loaded into (stageDatabase), which the swap switches to. */
  database: string | null;
}

/** What the server runner needs to move the records to PostgreSQL while it is stopped (server/backup/swap.ts). */
export interface MoveDbRequest {
  kind: 'move-db';
  job: BackupJob;
  /** The empty PostgreSQL database (checked when the job started). */
  to: string;
}

/** Work that needs the server stopped and started again: the runner does it in between. */
export type RestartRequest = SwapRequest | MoveDbRequest;

/** Written into <data>/backups by the swap (or the database move), so the job's outcome survives the restart. */
export const RESTORE_STATUS_FILE = 'restore-status.json';

const MAX_UPLOAD = 1024 * 1024 * 1024 * 1024; // 1 TiB: a sanity cap, not a policy

export interface BackupManagerOptions {
  dataDir: string;
  log: Logger;
  /** How often the scheduler looks at the clock (GITSSY_BACKUP_TICK_MS; default a minute). */
  tickMs?: number;
  now?: () => Date;
}

export class BackupManager {
  readonly barrier = new WriteBarrier();
  readonly dir: string;
  private readonly jobs = new Map<string, BackupJob>();
  private current: Promise<unknown> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private swapHandler: ((req: RestartRequest) => Promise<void>) | null = null;
  private lastScheduledTry: Date | null = null;
  private lastScheduled: { at: string; ok: boolean; name: string | null; error: string | null; pruned: string[] } | null = null;
  private readonly now: () => Date;

  constructor(
    private readonly services: () => Services,
    private readonly opts: BackupManagerOptions,
  ) {
    this.dir = path.join(opts.dataDir, 'backups');
    this.now = opts.now ?? (() => new Date());
  }

  private get s(): Services {
    return this.services();
  }

  private get log(): Logger {
    return this.opts.log;
  }

  // ---- jobs -----------------------------------------------------------------------------------

  job(id: string): BackupJob {
    const j = this.jobs.get(id);
    if (!j) throw NotFound(`no backup job ${id} (jobs are kept until the server restarts)`);
    return { ...j };
  }

  recentJobs(): BackupJob[] {
    return [...this.jobs.values()].reverse().map((j) => ({ ...j }));
  }

  private busyNames(): Set<string> {
    return new Set([...this.jobs.values()].filter((j) => j.state === 'running' || j.state === 'restarting').map((j) => j.name ?? ''));
  }

  private assertIdle(): void {
    const running = [...this.jobs.values()].find((j) => j.state === 'running' || j.state === 'restarting');
    if (running) throw Conflict(`a backup job is already running (${running.type} ${running.id}); wait for it to finish`);
  }

  private startJob(type: JobType, name: string | null, work: (job: BackupJob, progress: (p: BackupProgress) => void) => Promise<unknown>): BackupJob {
    this.assertIdle();
    const job: BackupJob = {
      id: randomHex(8),
      type,
      state: 'running',
      phase: 'starting',
      done: 0,
      total: 0,
      bytes: 0,
      error: null,
      name,
      result: null,
      started_at: this.now().toISOString(),
      finished_at: null,
    };
    this.jobs.set(job.id, job);
    while (this.jobs.size > 50) this.jobs.delete(this.jobs.keys().next().value!);
    let lastEmit = 0;
    const progress = (p: BackupProgress) => {
      const phaseChanged = p.phase !== job.phase;
      Object.assign(job, { phase: p.phase, done: p.done, total: p.total, bytes: p.bytes });
      if (phaseChanged || performance.now() - lastEmit > 500) {
        lastEmit = performance.now();
        this.emit(job);
      }
    };
    this.emit(job);
    const run = (async () => {
      try {
        job.result = await work(job, progress);
        if (job.state === 'running') {
          job.state = 'done';
          job.phase = 'done';
          job.finished_at = this.now().toISOString();
        }
      } catch (err) {
        job.state = 'failed';
        job.error = err instanceof RestoreError || (err as { code?: string }).code ? (err as Error).message : `${(err as Error).message ?? err}`;
        job.finished_at = this.now().toISOString();
        if (!(err instanceof RestoreError)) this.log.error({ err, job: job.id, type }, 'backup job failed');
      } finally {
        this.emit(job);
      }
    })();
    this.current = run;
    void run.finally(() => {
      if (this.current === run) this.current = null;
    });
    return { ...job };
  }

  private emit(job: BackupJob): void {
    void this.s.events.emit('backup.job', { ...job });
  }

  /** Waits for the running job, if any (tests and the CLI path through the server). */
  async settle(): Promise<void> {
    await this.current?.catch(() => {});
  }

  // ---- create -------------------------------------------------------------------------------

  create(opts: { kind?: BackupKind; out?: string; progress?: (line: string) => void; includeCiLogs?: boolean } = {}): BackupJob {
    const kind = opts.kind ?? 'manual';
    return this.startJob('create', null, async (job, progress) => {
      const out = opts.out ?? (await freeBackupFile(this.opts.dataDir, kind));
      job.name = path.basename(out);
      const r = await createBackup({ s: this.s, dataDir: this.opts.dataDir, barrier: this.barrier }, out, opts.progress ?? (() => {}), {
        kind,
        onProgress: progress,
        includeCiLogs: opts.includeCiLogs,
      });
      this.log.info({ file: r.file, bytes: r.bytes, barrier_ms: r.barrier_ms, duration_ms: r.duration_ms, kind, ci_logs: r.ci_logs }, 'backup written');
      return { ...r, name: path.basename(r.file), barrier: this.barrier.stats() };
    });
  }

  /** For the CLI through the internal endpoint: runs a backup as a job and waits for it. */
  async createNow(out: string | undefined, progress: (line: string) => void, onProgress?: (p: BackupProgress) => void, opts: { includeCiLogs?: boolean } = {}): Promise<BackupResult> {
    const job = this.create({ out, progress, includeCiLogs: opts.includeCiLogs });
    const off = onProgress ? this.s.events.on('backup.job', (j) => void (j.id === job.id && onProgress({ phase: j.phase, done: j.done, total: j.total, bytes: j.bytes }))) : () => {};
    try {
      await this.settle();
    } finally {
      off();
    }
    const done = this.job(job.id);
    if (done.state !== 'done') throw new Error(done.error ?? 'backup failed');
    return done.result as BackupResult;
  }

  // ---- the folder -----------------------------------------------------------------------------

  list(): Promise<BackupEntry[]> {
    return listBackups(this.dir);
  }

  /** The archive's path; throws NotFound for names that aren't a backup in the folder. */
  async file(name: string): Promise<string> {
    if (!BACKUP_NAME_RE.test(name)) throw NotFound(`no backup named ${JSON.stringify(name)}`);
    const file = path.join(this.dir, name);
    const st = await stat(file).catch(() => null);
    if (!st?.isFile()) throw NotFound(`no backup named ${name}`);
    return file;
  }

  async entry(name: string): Promise<BackupEntry> {
    await this.file(name);
    const e = (await this.list()).find((b) => b.name === name);
    if (!e) throw NotFound(`no backup named ${name}`);
    return e;
  }

  async remove(name: string): Promise<void> {
    const file = await this.file(name);
    if (this.busyNames().has(name)) throw Conflict(`${name} is in use by a running job; wait for it to finish`);
    await rm(file);
    await rm(`${file}.verify.json`, { force: true });
  }

  /** Stores an uploaded archive in the folder (as gitssy-uploaded-<time>.tar.gz). */
  async upload(body: NodeJS.ReadableStream): Promise<BackupEntry> {
    const when = this.now();
    // a partial name of its own: parallel uploads never share one
    const partial = path.join(this.dir, `gitssy-uploaded.${randomHex(8)}.partial`);
    let file = '';
    let size = 0;
    let head: Buffer | null = null;
    const check = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        if (!head) head = chunk.subarray(0, 2);
        size += chunk.length;
        if (size > MAX_UPLOAD) return cb(Invalid('the upload is larger than 1 TiB'));
        cb(null, chunk);
      },
    });
    await mkdir(this.dir, { recursive: true });
    try {
      await pipeline(body, check, createWriteStream(partial));
      if (size === 0) throw Invalid('the upload is empty: send the archive as the request body (Content-Type: application/gzip)');
      if (!head || (head as Buffer)[0] !== 0x1f || (head as Buffer)[1] !== 0x8b) throw Invalid('the upload is not a gzip archive; send a Gitssy backup (.tar.gz)');
      // the final name without clobbering: link fails with EEXIST when a parallel upload took it
      for (let tries = 0; ; tries++) {
        file = await freeBackupFile(this.opts.dataDir, 'uploaded', when);
        try {
          await link(partial, file);
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 1000) throw err;
        }
      }
      await rm(partial, { force: true });
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
    this.log.info({ file, size }, 'backup uploaded');
    return this.entry(path.basename(file));
  }

  // ---- verify -------------------------------------------------------------------------------

  async verify(name: string): Promise<BackupJob> {
    const file = await this.file(name);
    return this.startJob('verify', name, async (_job, progress) => {
      const result = await verifyBackup(file, path.join(this.opts.dataDir, 'run'), () => {}, { onProgress: progress, migrations: this.s.migrations });
      await writeVerifyResult(file, result);
      this.log.info({ file, ok: result.ok, error: result.error }, 'backup verified');
      if (!result.ok) throw new RestoreError(result.error ?? 'verify failed');
      return result;
    });
  }

  // ---- restore ------------------------------------------------------------------------------

  /** Called by the server runner: it takes over once a restore is verified and staged. */
  setSwapHandler(fn: ((req: RestartRequest) => Promise<void>) | null): void {
    this.swapHandler = fn;
  }

  /** Throws what restore() would refuse for reasons other than the archive: call it before taking an upload. */
  assertCanRestore(): void {
    this.assertIdle();
    if (!this.swapHandler)
      throw Unavailable('this process cannot swap its data in; restore with `gitssy backup restore FILE --force` while the server is stopped, or run the server with `gitssy serve`');
    const { reposDir } = this.s.config;
    if (reposDir && path.resolve(reposDir) !== path.resolve(this.opts.dataDir, 'repos'))
      throw Unavailable(
        `this instance keeps its repositories in GITSSY_REPOS_DIR (${reposDir}), which other instances may serve from: restore the backup into a new data dir and database (\`gitssy backup restore FILE --data NEWDIR\`), move NEWDIR/repos into the store and NEWDIR/ci to .gitssy/ci there, and start the instances on them`,
      );
    const why = whyNotReplaceDatabase(this.s.config);
    if (why) throw Unavailable(why);
  }

  /** Deletes an uploaded archive that a refused restore left behind (never throws). */
  async discard(name: string): Promise<void> {
    if (!BACKUP_NAME_RE.test(name)) return;
    await rm(path.join(this.dir, name), { force: true }).catch(() => {});
    await rm(path.join(this.dir, `${name}.verify.json`), { force: true }).catch(() => {});
  }

  async restore(name: string): Promise<BackupJob> {
    const file = await this.file(name);
    this.assertCanRestore();
    return this.startJob('restore', name, async (job, progress) => {
      // beside the data dir, or inside it when it can't be swapped as a whole (a mount point, a read-only parent)
      const { staged, reason } = await stagingFor(this.opts.dataDir);
      if (reason) this.log.info({ job: job.id, dataDir: this.opts.dataDir, reason }, 'staging the restore inside the data dir: it will be swapped in entry by entry');
      let restored: Omit<RestoreResult, 'dataDir'>;
      let database: string | null;
      try {
        restored = await stageRestore(file, staged, this.opts.dataDir, () => {}, { onProgress: progress, migrations: this.s.migrations });
        // on PostgreSQL the records go into a new database while this one keeps serving
        if (restored.database === 'postgres') progress({ phase: 'records', done: 0, total: 1, bytes: 0 });
        database = await stageDatabase(staged, restored, this.s.config, (line) => this.log.info({ job: job.id }, line));
      } catch (err) {
        await removeScratch(staged);
        throw err;
      }
      // verified: from here the runner stops the server, takes the safety backup and swaps
      job.state = 'restarting';
      job.phase = 'swap';
      this.emit(job);
      const handler = this.swapHandler;
      if (!handler) {
        await discardStaged({ staged, database }, this.opts.dataDir, this.log);
        throw Unavailable('the server cannot restart itself any more; nothing was restored');
      }
      // not awaited: the handler stops this server, which waits for this job to settle
      handler({ kind: 'restore', job: { ...job }, staged, restored, database }).catch((err: unknown) => {
        // the swap never started or failed half-way: this job must not stay 'restarting' and block the next one
        if (job.state !== 'restarting') return;
        Object.assign(job, {
          state: 'failed',
          error: `the restore was verified but could not be swapped in (${(err as Error)?.message ?? err}); nothing was restored`,
          finished_at: this.now().toISOString(),
        });
        this.log.error({ err, job: job.id }, 'restore swap failed');
        this.emit(job);
      });
      return { restored };
    });
  }

  // ---- moving the records to PostgreSQL -------------------------------------------------------

  /** Which database this install keeps its records in (the URL without its password). */
  database(): { kind: 'sqlite' | 'postgres'; location: string } {
    const url = this.s.config.databaseUrl;
    return url ? { kind: 'postgres', location: redactUrl(url) } : { kind: 'sqlite', location: path.join(this.opts.dataDir, 'gitssy.db') };
  }

  /**
   * The console's `admin migrate-db`: checks the target (a reachable, empty PostgreSQL database)
   * while the server serves, then hands the move to the runner, which stops the server, copies
   * and verifies every table (server/scale), writes DATABASE_URL to .gitssy.env and starts again
   * on PostgreSQL on the same ports. A failure empties the target and starts again on SQLite.
   */
  async moveToPostgres(to: string): Promise<BackupJob> {
    if (this.s.config.databaseUrl) throw Conflict('this install already keeps its records in PostgreSQL; the move is from SQLite');
    this.assertIdle();
    if (!this.swapHandler) throw Unavailable('this process cannot restart itself; stop the server and run `gitssy admin migrate-db --to postgres://…`, or run the server with `gitssy serve`');
    try {
      await checkTarget(to, 'to');
    } catch (err) {
      if (err instanceof MigrateDbError) throw Invalid(`${err.message}; nothing was changed`);
      throw err;
    }
    return this.startJob('move-db', redactUrl(to), async (job) => {
      const handler = this.swapHandler;
      if (!handler) throw Unavailable('the server cannot restart itself any more; nothing was changed');
      job.state = 'restarting';
      job.phase = 'stopping';
      this.emit(job);
      // not awaited: the handler stops this server, which waits for this job to settle
      handler({ kind: 'move-db', job: { ...job }, to }).catch((err: unknown) => {
        if (job.state !== 'restarting') return;
        Object.assign(job, { state: 'failed', error: `the records could not be moved (${(err as Error)?.message ?? err}); nothing was changed`, finished_at: this.now().toISOString() });
        this.log.error({ err, job: job.id }, 'database move failed');
        this.emit(job);
      });
      return null;
    });
  }

  /** After a restart: the outcome of the restore that caused it, as a job the API can still answer for. */
  async loadRestoreStatus(): Promise<void> {
    try {
      const status = JSON.parse(await readFile(path.join(this.dir, RESTORE_STATUS_FILE), 'utf8')) as BackupJob;
      if (status && typeof status.id === 'string') this.jobs.set(status.id, status);
    } catch {
      // no restore happened
    }
  }

  // ---- schedule -------------------------------------------------------------------------------

  schedule(): Schedule & { keep: number } {
    const st = this.s.settings;
    return { schedule: st.get('backup.schedule'), time: st.get('backup.time'), weekday: st.get('backup.weekday'), keep: st.get('backup.keep') };
  }

  async scheduleState(): Promise<Record<string, unknown>> {
    const sch = this.schedule();
    return { ...sch, next_run_at: nextSlot(sch, this.now())?.toISOString() ?? null, last_run: this.lastScheduled };
  }

  /** Starts the scheduler's clock. */
  start(): void {
    if (this.timer) return;
    const tick = Math.max(50, this.opts.tickMs ?? 60_000);
    this.timer = setInterval(() => void this.tick().catch((err) => this.log.error({ err }, 'backup scheduler failed')), tick);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // give a running backup a moment; past that it fails and cleans up after itself
    await Promise.race([this.settle(), new Promise((r) => setTimeout(r, 5_000).unref())]);
  }

  /** One look at the clock: takes a scheduled backup when one is due, then prunes. */
  async tick(): Promise<void> {
    const sch = this.schedule();
    if (sch.schedule === 'off' || this.current) return;
    const now = this.now();
    const lastFile = (await this.list()).find((b) => b.kind === 'scheduled');
    const lastTaken = lastFile ? new Date(lastFile.created_at) : null;
    const last = [lastTaken, this.lastScheduledTry].filter((d): d is Date => d !== null).sort((a, b) => b.getTime() - a.getTime())[0] ?? null;
    if (!isDue(sch, now, last)) return;
    this.lastScheduledTry = now;
    // instances sharing one database: the first to claim this slot takes the backup, once
    const slot = lastSlot(sch, now)!.toISOString();
    if (!(await claimSlot(this.s.db, 'backup.schedule', slot, this.s.shared.instance))) {
      this.log.info({ slot }, 'the scheduled backup of this slot was taken by another instance');
      return;
    }
    let job: BackupJob;
    try {
      job = this.create({ kind: 'scheduled' });
    } catch {
      return; // another job runs; the next tick tries again
    }
    await this.settle();
    const done = this.job(job.id);
    const pruned = done.state === 'done' ? await pruneScheduled(this.dir, sch.keep, this.busyNames()) : [];
    if (pruned.length) this.log.info({ pruned, keep: sch.keep }, 'pruned old scheduled backups');
    this.lastScheduled = { at: now.toISOString(), ok: done.state === 'done', name: done.name, error: done.error, pruned };
  }
}
