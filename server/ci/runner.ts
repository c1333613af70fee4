// The worker pool: up to `ci.workers` jobs at once, each claimed with a conditional UPDATE
// (queued → running) so two claimers never run the same job, then checked out fresh, run by the
// active backend with the console's limits, logged (secrets masked), and finished with one more
// conditional UPDATE. New jobs kick it; a poll catches the rest.
//
// A job left `running` by a process that died can't be resumed (its container or sandbox died
// with it, and its script may have had side effects half done): it ends as `error` with a reason
// that says to re-run it, rather than silently running a second time. With SQLite (one server
// per data dir) that happens at start; with a shared PostgreSQL, once its heartbeat is stale.
import { StringDecoder } from 'node:string_decoder';
import type { Logger } from '../lib/log.js';
import type { Services } from '../services.js';
import { checkout, CI_SCRIPT } from './checkout.js';
import type { LiveLogs } from './live.js';
import { SecretMasker } from './mask.js';
import type { CiJobRow, JobState } from './schema.js';
import type { CiService } from './service.js';
import type { Runtime } from '../runtime/index.js';
import type { Workspaces } from '../runtime/index.js';

const POLL_MS = 2_000;
const HEARTBEAT_MS = 5_000;
const STALE_MS = 60_000;
/** Output held back by the mask is let out after this pause. */
const IDLE_FLUSH_MS = 300;
/** Runs .ci/run.sh directly when it is executable (its #! line counts), else with sh. */
const RUN_SCRIPT = `if [ -x ${CI_SCRIPT} ]; then exec ./${CI_SCRIPT}; else exec /bin/sh ${CI_SCRIPT}; fi`;

interface Running {
  repoId: number;
  ac: AbortController;
  /** Set when the server stops it: the job ends as an error with this reason, not as cancelled. */
  stopReason?: string;
  task: Promise<void>;
}

export interface RunnerOptions {
  /**
   * This instance's name in `ci_jobs.runner`, the same after a restart (scale/instance-id.ts): jobs
   * still running under it at start were cut off by this instance's crash.
   */
  runnerId: string;
  /** Jobs `running` at start belong to a dead process, whoever ran them (SQLite: one server per data dir). */
  exclusive: boolean;
}

export class CiRunner {
  private readonly active = new Map<number, Running>();
  private started = false;
  private pumping = false;
  private again = false;
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private lastBeat = 0;
  /** The pump in progress, so stop() can wait for it before the database goes away. */
  private pumpRun: Promise<void> = Promise.resolve();
  private beatRun: Promise<void> = Promise.resolve();

  constructor(
    private readonly s: Services,
    private readonly ci: CiService,
    private readonly workspaces: Workspaces,
    private readonly live: LiveLogs,
    private readonly log: Logger,
    private readonly opts: RunnerOptions,
  ) {
    ci.onQueued(() => this.kick());
    ci.onCancel((id) => this.active.get(id)?.ac.abort());
  }

  async start(): Promise<void> {
    // this instance's jobs from before a crash at once; another instance's once its heartbeat is stale
    await this.recover(this.opts.exclusive ? Infinity : STALE_MS, this.opts.exclusive ? undefined : this.opts.runnerId);
    if (this.opts.exclusive) await this.workspaces.clear();
    this.started = true;
    this.timer = setInterval(() => {
      this.beatRun = this.heartbeat();
      this.kick();
    }, POLL_MS);
    this.timer.unref();
    this.kick();
  }

  /** Stops claiming and stops what runs (those jobs end as errors); waits for them to be recorded. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all([this.pumpRun, this.beatRun]);
    for (const r of this.active.values()) {
      r.stopReason = 'The server stopped while this job ran; re-run it';
      r.ac.abort();
    }
    let t: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.active.values()].map((r) => r.task)), new Promise((res) => (t = setTimeout(res, 15_000)))]);
    clearTimeout(t);
    await this.workspaces.dispose();
  }

  kick(): void {
    if (!this.started || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.pumping) this.again = true;
      else this.pumpRun = this.pump();
    });
  }

  /** Jobs this process runs now. */
  runningIds(): number[] {
    return [...this.active.keys()];
  }

  /**
   * Ends as errors the running jobs no live process runs: those with no heartbeat for `staleMs`
   * (Infinity: all of them), and `mine` (this instance's, from before a restart).
   */
  private async recover(staleMs: number, mine?: string): Promise<void> {
    let q = this.s.db.selectFrom('ci_jobs').select('id').where('state', '=', 'running');
    if (staleMs !== Infinity) q = q.where((eb) => eb.or([eb('heartbeat_at', 'is', null), eb('heartbeat_at', '<', Date.now() - staleMs), ...(mine ? [eb('runner', '=', mine)] : [])]));
    for (const { id } of await q.execute()) {
      if (this.active.has(id)) continue;
      const done = await this.ci.transition(id, ['running'], { state: 'error', reason: 'The server stopped while this job ran; re-run it', finished_at: Date.now() });
      if (done) this.log.warn({ job: id }, 'ci: a job was running when its server stopped; recorded as an error');
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        const free = this.s.settings.get('ci.workers') - this.active.size;
        if (free <= 0 || !this.started) break;
        const choice = await this.ci.backend();
        // no backend now: jobs wait in the queue (the console says why)
        if (!choice.active) break;
        // the oldest queued jobs, one claim each, until the free slots are taken or the queue is empty
        for (let claimed = 0; claimed < free && this.started; claimed++) {
          const job = await this.ci.claimNext({
            state: 'running',
            started_at: Date.now(),
            heartbeat_at: Date.now(),
            runner: this.opts.runnerId,
            backend: choice.active.name,
          });
          if (!job) break;
          this.launch(job, choice.active);
        }
      } while (this.again && this.started);
    } catch (err) {
      this.log.error({ err }, 'ci: could not claim jobs');
    } finally {
      this.pumping = false;
    }
  }

  private launch(job: CiJobRow, runtime: Runtime): void {
    const ac = new AbortController();
    const entry: Running = { repoId: job.repo_id, ac, task: Promise.resolve() };
    this.active.set(job.id, entry);
    entry.task = this.execute(job, runtime, entry)
      .catch(async (err: unknown) => {
        this.log.error({ err, job: job.id }, 'ci: a job failed unexpectedly');
        await this.ci
          .transition(job.id, ['running'], { state: 'error', reason: `Internal error: ${err instanceof Error ? err.message : String(err)}`.slice(0, 1000), finished_at: Date.now() })
          .catch(() => null);
      })
      .finally(() => {
        this.active.delete(job.id);
        this.kick();
      });
  }

  /** Keeps this process's jobs alive in the db, and notices cancels and deletions made elsewhere. */
  private async heartbeat(): Promise<void> {
    const now = Date.now();
    if (now - this.lastBeat < HEARTBEAT_MS) return;
    this.lastBeat = now;
    try {
      const ids = this.runningIds();
      if (ids.length) {
        await this.s.db.updateTable('ci_jobs').set({ heartbeat_at: now }).where('id', 'in', ids).where('state', '=', 'running').execute();
        const rows = await this.s.db.selectFrom('ci_jobs').select(['id', 'cancel_requested']).where('id', 'in', ids).execute();
        const seen = new Map(rows.map((r) => [r.id, r.cancel_requested]));
        for (const id of ids) if (!seen.has(id) || seen.get(id) === 1) this.active.get(id)?.ac.abort();
      }
      if (!this.opts.exclusive) await this.recover(STALE_MS);
    } catch (err) {
      this.log.warn({ err }, 'ci: heartbeat failed');
    }
  }

  private async execute(job: CiJobRow, runtime: Runtime, entry: Running): Promise<void> {
    const rec = await this.s.repos.byId(job.repo_id);
    if (!rec) return; // the repository (and with it the job) is gone
    const full = `${rec.owner.name}/${rec.repo.name}`;
    const secrets = await this.ci.secrets.values(rec.repo.id);
    const masker = new SecretMasker(Object.values(secrets));
    const log = await this.ci.logs.open(
      rec.repo.id,
      job.id,
      this.s.settings.get('ci.logMaxBytes'),
      this.ci.liveLog(rec, job.id, (f, p) => this.live.emit(f, p)),
    );
    const decoder = new StringDecoder('utf8');
    let idle: NodeJS.Timeout | null = null;
    const output = (chunk: Buffer) => {
      log.write(masker.push(decoder.write(chunk)));
      if (!masker.active) return;
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => log.write(masker.flush()), IDLE_FLUSH_MS);
    };
    const note = (line: string) => {
      log.write(masker.push(decoder.end()) + masker.flush());
      log.write(`\x1b[36m==> ${masker.mask(line)}\x1b[0m\n`);
    };
    const limits = this.ci.limits();
    let workdir: string | null = null;
    let end: { state: JobState; reason: string | null; exit: number | null };
    try {
      note(`Job ${job.id}: ${full} at ${job.sha} (${job.ref}) on the ${runtime.name} backend${job.image ? ` (${job.image})` : ''}`);
      let doing = 'prepare a work folder';
      try {
        workdir = await this.workspaces.create(job.id);
        note(`Checking out ${job.sha.slice(0, 12)} (shallow, from the repository on this server)`);
        doing = `check out ${job.sha.slice(0, 12)}`;
        await checkout(this.s.git, this.s.store.dir({ owner: rec.owner.name, name: rec.repo.name }), job.sha, workdir, entry.ac.signal);
        note(
          `Running ${CI_SCRIPT} (limits: ${limits.cpus} CPUs, ${limits.memoryMb} MiB memory, ${limits.pids} processes, ${limits.diskMb} MiB disk, network ${limits.network}, ${limits.timeoutSec} s)`,
        );
        const started = Date.now();
        doing = `run ${CI_SCRIPT}`;
        const r = await runtime.run({
          id: `gitssy-ci-${job.id}`,
          image: job.image,
          workdir,
          command: ['/bin/sh', '-c', RUN_SCRIPT],
          env: { ...secrets, CI: 'true', GIT_REPO: full, GIT_SHA: job.sha, GIT_REF: job.ref, GIT_BRANCH: job.ref.replace(/^refs\/heads\//, ''), CI_JOB_ID: String(job.id) },
          limits,
          onOutput: output,
          signal: entry.ac.signal,
        });
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        if (r.cancelled) end = await this.cancelled(job.id, entry);
        else if (r.timedOut) end = { state: 'timed_out', reason: `Timed out after ${limits.timeoutSec} s`, exit: null };
        else if (r.error) end = { state: 'error', reason: r.error, exit: null };
        else if (r.exitCode === 0) end = { state: 'success', reason: null, exit: 0 };
        else end = { state: 'failure', reason: r.reason ?? `${CI_SCRIPT} exited with ${r.exitCode}`, exit: r.exitCode };
        note(`${end.state === 'success' ? 'Passed' : (end.reason ?? end.state)} (${secs} s)`);
      } catch (err) {
        if (entry.ac.signal.aborted) end = await this.cancelled(job.id, entry);
        else end = { state: 'error', reason: `Could not ${doing}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 1000), exit: null };
        note(end.reason ?? end.state);
      }
    } finally {
      if (idle) clearTimeout(idle);
      log.write(masker.push(decoder.end()) + masker.flush());
    }
    const bytes = await this.ci.logs.close(job.id);
    await this.ci.transition(job.id, ['running'], { state: end.state, reason: end.reason, exit_code: end.exit, finished_at: Date.now(), log_bytes: bytes });
    if (workdir) await this.workspaces.remove(workdir).catch((err: unknown) => this.log.warn({ err, workdir }, 'ci: could not remove a work folder'));
  }

  private async cancelled(jobId: number, entry: Running): Promise<{ state: JobState; reason: string | null; exit: number | null }> {
    if (entry.stopReason) return { state: 'error', reason: entry.stopReason, exit: null };
    const row = await this.s.db.selectFrom('ci_jobs as j').leftJoin('users as u', 'u.id', 'j.cancelled_by').select(['u.name as by']).where('j.id', '=', jobId).executeTakeFirst();
    return { state: 'cancelled', reason: row?.by ? `Cancelled by ${row.by}` : 'Cancelled', exit: null };
  }
}
