// CI jobs: a push that moves a branch head queues one job per new commit (once, whatever the
// redeliveries or re-pushes, by the (repository, commit) key); a commit without .ci/run.sh is
// recorded as skipped at once. Every state change is one conditional UPDATE recorded as a
// `ci.job` event in the same transaction: the commit status, the failure notification and
// webhooks follow from the outbox; browsers hear it live at once.
import type { Updateable } from 'kysely';
import type { Actor, RepoFacts, Visibility } from '../access/index.js';
import type { UserRow } from '../db/schema.js';
import { ZERO_SHA } from '../git/ref-update.js';
import { mainUrl } from '../lan/index.js';
import { Conflict, NotFound, Unavailable } from '../lib/errors.js';
import type { PushEvent } from '../pushes/index.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import { CI_SCRIPT, hasCiScript } from './checkout.js';
import { jobJson, type CiJobJson } from './json.js';
import type { LogAppend, LogStore } from './log-store.js';
import type { BackendChoice, BackendSelector } from '../runtime/index.js';
import type { RunLimits } from '../runtime/index.js';
import { FINISHED_STATES, type CiJobRow, type CiJobTable, type JobState } from './schema.js';
import type { SecretService } from './secrets.js';

/** The commit status context our jobs post. */
export const CI_CONTEXT = 'gitssy/ci';

export interface CiJobEvent {
  jobId: number;
  repoId: number;
  sha: string;
  ref: string;
  state: JobState;
  pusherId: number | null;
  rerunOf: number | null;
}

export interface JobListQuery {
  branch?: string;
  state?: JobState;
  page: number;
  limit: number;
}

type JobChange = Omit<Updateable<CiJobTable>, 'id' | 'repo_id' | 'sha' | 'ref' | 'created_at'>;

/** The commit status a job's state stands for (Gitea's mapping: a cancelled run is a failure); none for skipped. */
export function statusFor(job: CiJobRow): { state: 'pending' | 'success' | 'failure' | 'error'; description: string } | null {
  const secs = job.started_at !== null && job.finished_at !== null ? ` in ${Math.max(1, Math.round((job.finished_at - job.started_at) / 1000))} s` : '';
  switch (job.state) {
    case 'queued':
      return { state: 'pending', description: 'Queued' };
    case 'running':
      return { state: 'pending', description: `Running on ${job.backend ?? 'the runner'}` };
    case 'success':
      return { state: 'success', description: `Passed${secs}` };
    case 'failure':
      return { state: 'failure', description: (job.reason ?? `Failed${secs}`).slice(0, 1000) };
    case 'timed_out':
      return { state: 'failure', description: (job.reason ?? 'Timed out').slice(0, 1000) };
    case 'cancelled':
      return { state: 'failure', description: (job.reason ?? 'Cancelled').slice(0, 1000) };
    case 'error':
      return { state: 'error', description: (job.reason ?? 'Error').slice(0, 1000) };
    case 'skipped':
      return null;
  }
}

export class CiService {
  private readonly cancelHooks: ((jobId: number) => void)[] = [];
  private readonly queuedHooks: (() => void)[] = [];

  constructor(
    private readonly s: Services,
    readonly logs: LogStore,
    readonly secrets: SecretService,
    readonly selector: BackendSelector,
  ) {}

  /** The runner hears about new jobs and cancellations through these. */
  onQueued(fn: () => void): void {
    this.queuedHooks.push(fn);
  }

  onCancel(fn: (jobId: number) => void): void {
    this.cancelHooks.push(fn);
  }

  backend(fresh = false): Promise<BackendChoice> {
    return this.selector.choose(fresh);
  }

  limits(): RunLimits {
    const g = <K extends Parameters<Services['settings']['get']>[0]>(k: K) => this.s.settings.get(k);
    return { cpus: g('ci.cpus'), memoryMb: g('ci.memoryMb'), pids: g('ci.pids'), diskMb: g('ci.diskMb'), timeoutSec: g('ci.timeoutSeconds'), network: g('ci.network') };
  }

  /** Absolute links in statuses and mail: the public address, else this machine's LAN or local one. */
  linkBase(): string {
    const u = mainUrl({ host: this.s.config.host, httpPort: this.s.httpPort(), sshPort: null, publicUrl: this.s.settings.get('instance.publicUrl'), baseUrl: this.s.config.baseUrl ?? null });
    return u.http.replace(/\/+$/, '');
  }

  /** Links in live events: the configured public address, else site-relative. */
  liveBase(): string {
    return (this.s.settings.get('instance.publicUrl') || this.s.config.baseUrl || '').replace(/\/+$/, '');
  }

  // ---- queueing ----------------------------------------------------------------------------

  /** The push subscriber: one job per commit a branch head moved to (the first branch names it). */
  async queuePush(push: PushEvent): Promise<CiJobRow[]> {
    const heads = new Map<string, string>();
    for (const u of push.updates) {
      if (!u.ref.startsWith('refs/heads/') || u.newSha === ZERO_SHA || heads.has(u.newSha)) continue;
      heads.set(u.newSha, u.ref);
    }
    if (heads.size === 0) return [];
    const choice = await this.backend();
    if (choice.off) return [];
    const rec = await this.s.repos.byId(push.repoId);
    if (!rec) return [];
    const out: CiJobRow[] = [];
    for (const [sha, ref] of heads) {
      const job = await this.insert(rec, { sha, ref, pusherId: push.pusherId, rerunOf: null, image: await this.imageFor(rec.repo.id, choice) });
      if (job) out.push(job);
    }
    return out;
  }

  /** A new job for the same commit; its pusher is whoever asked. */
  async rerun(rec: RepoRecord, id: number, userId: number): Promise<CiJobRow> {
    const old = await this.get(rec.repo.id, id);
    const choice = await this.backend();
    if (choice.off) throw Unavailable(choice.reason);
    const job = await this.insert(rec, { sha: old.sha, ref: old.ref, pusherId: userId, rerunOf: old.id, image: await this.imageFor(rec.repo.id, choice) });
    return job!;
  }

  private async insert(rec: RepoRecord, j: { sha: string; ref: string; pusherId: number | null; rerunOf: number | null; image: string | null }): Promise<CiJobRow | null> {
    // read from the bare repository before anything is written: no script, no job to run
    const runs = await hasCiScript(this.s.git, this.s.store.dir({ owner: rec.owner.name, name: rec.repo.name }), j.sha).catch(() => false);
    const now = Date.now();
    const row = await this.s.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('ci_jobs')
        .values({
          repo_id: rec.repo.id,
          sha: j.sha,
          ref: j.ref,
          state: runs ? 'queued' : 'skipped',
          rerun_of: j.rerunOf,
          pusher_id: j.pusherId,
          image: runs ? j.image : null,
          reason: runs ? null : `this commit has no ${CI_SCRIPT}`,
          exit_code: null,
          backend: null,
          cancelled_by: null,
          runner: null,
          heartbeat_at: null,
          created_at: now,
          started_at: null,
          finished_at: runs ? null : now,
        })
        // the (repository, commit) key of pushed commits: a redelivery or a re-push inserts nothing
        .onConflict((oc) => oc.doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) await this.s.events.record(trx, 'ci.job', this.eventOf(inserted));
      return inserted ?? null;
    });
    if (!row) return null;
    this.s.events.kick();
    void this.announce(row);
    if (row.state === 'queued') for (const fn of this.queuedHooks) fn();
    return row;
  }

  private eventOf(job: CiJobRow): CiJobEvent {
    return { jobId: job.id, repoId: job.repo_id, sha: job.sha, ref: job.ref, state: job.state, pusherId: job.pusher_id, rerunOf: job.rerun_of };
  }

  private async imageFor(repoId: number, choice: BackendChoice): Promise<string | null> {
    if (choice.active?.name === 'sandbox') return null;
    const row = await this.s.db.selectFrom('ci_repo_settings').select('image').where('repo_id', '=', repoId).executeTakeFirst();
    return row?.image || this.s.settings.get('ci.defaultImage') || null;
  }

  // ---- state changes -----------------------------------------------------------------------

  /**
   * Moves a job from one of `from` to a new state, recording the change as a `ci.job` event in
   * the same transaction. Answers null when the job was no longer in one of `from` (someone else
   * claimed or cancelled it first): the conditional UPDATE is the claim.
   */
  async transition(id: number, from: readonly JobState[], change: JobChange): Promise<CiJobRow | null> {
    const row = await this.s.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('ci_jobs')
        .set(change)
        .where('id', '=', id)
        .where('state', 'in', [...from])
        .returningAll()
        .executeTakeFirst();
      if (updated && change.state) await this.s.events.record(trx, 'ci.job', this.eventOf(updated));
      return updated ?? null;
    });
    if (row && change.state) {
      this.s.events.kick();
      void this.announce(row);
    }
    return row;
  }

  /**
   * Claims the oldest queued job with `change` (state running, runner ...). On PostgreSQL the pick
   * is `FOR UPDATE SKIP LOCKED`, so instances claiming at once each take a different job without
   * waiting on one another; the conditional UPDATE keeps it to one claimer on SQLite as well.
   */
  async claimNext(change: JobChange): Promise<CiJobRow | null> {
    const row = await this.s.db.transaction().execute(async (trx) => {
      let pick = trx.selectFrom('ci_jobs').select('id').where('state', '=', 'queued').orderBy('id').limit(1);
      if (this.s.dialect === 'postgres') pick = pick.forUpdate().skipLocked();
      const next = await pick.executeTakeFirst();
      if (!next) return null;
      const updated = await trx.updateTable('ci_jobs').set(change).where('id', '=', next.id).where('state', '=', 'queued').returningAll().executeTakeFirst();
      if (updated && change.state) await this.s.events.record(trx, 'ci.job', this.eventOf(updated));
      return updated ?? null;
    });
    if (row && change.state) {
      this.s.events.kick();
      void this.announce(row);
    }
    return row;
  }

  /** Cancels a queued job at once, or asks the runner to stop a running one (and waits a little for it). */
  async cancel(rec: RepoRecord, id: number, user: UserRow): Promise<CiJobRow> {
    const job = await this.get(rec.repo.id, id);
    const reason = `Cancelled by ${user.name}`;
    if (job.state === 'queued') {
      const done = await this.transition(id, ['queued'], { state: 'cancelled', reason, cancelled_by: user.id, finished_at: Date.now() });
      if (done) return done;
    }
    const now = await this.get(rec.repo.id, id);
    if (now.state !== 'running') {
      if ((FINISHED_STATES as readonly string[]).includes(now.state)) throw Conflict(`job ${id} has already finished (${now.state})`);
      return now;
    }
    await this.s.db.updateTable('ci_jobs').set({ cancel_requested: 1, cancelled_by: user.id }).where('id', '=', id).where('state', '=', 'running').execute();
    for (const fn of this.cancelHooks) fn(id);
    // the runner kills the run at once; answer with the job once it says so
    const deadline = Date.now() + 10_000;
    for (;;) {
      const j = await this.get(rec.repo.id, id);
      if (j.state !== 'running' || Date.now() > deadline) return j;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  // ---- reads -------------------------------------------------------------------------------

  async byId(id: number): Promise<CiJobRow | undefined> {
    return this.s.db.selectFrom('ci_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async get(repoId: number, id: number): Promise<CiJobRow> {
    const job = await this.s.db.selectFrom('ci_jobs').selectAll().where('id', '=', id).where('repo_id', '=', repoId).executeTakeFirst();
    if (!job) throw NotFound('CI job not found');
    return job;
  }

  async list(repoId: number, q: JobListQuery): Promise<{ rows: CiJobRow[]; total: number }> {
    let base = this.s.db.selectFrom('ci_jobs').where('repo_id', '=', repoId);
    if (q.branch) base = base.where('ref', '=', `refs/heads/${q.branch}`);
    if (q.state) base = base.where('state', '=', q.state);
    const total = Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const rows = await base
      .selectAll()
      .orderBy('id', 'desc')
      .limit(q.limit)
      .offset((q.page - 1) * q.limit)
      .execute();
    return { rows, total };
  }

  /** Jobs in a state across repositories (the console's queue), oldest first. */
  async inState(state: JobState, limit = 100): Promise<CiJobRow[]> {
    return this.s.db.selectFrom('ci_jobs').selectAll().where('state', '=', state).orderBy('id').limit(limit).execute();
  }

  async render(rows: readonly CiJobRow[], base: string): Promise<CiJobJson[]> {
    const repoIds = [...new Set(rows.map((r) => r.repo_id))];
    const userIds = [...new Set(rows.map((r) => r.pusher_id).filter((x): x is number => x !== null))];
    const repos = repoIds.length
      ? await this.s.db.selectFrom('repositories as r').innerJoin('users as u', 'u.id', 'r.owner_id').select(['r.id as id', 'r.name as name', 'u.name as owner']).where('r.id', 'in', repoIds).execute()
      : [];
    const users = userIds.length ? await this.s.db.selectFrom('users').selectAll().where('id', 'in', userIds).execute() : [];
    const repoMap = new Map(repos.map((r) => [r.id, r]));
    const userMap = new Map(users.map((u) => [u.id, u]));
    return rows.map((r) => jobJson(r, repoMap.get(r.repo_id) ?? { owner: '?', name: '?' }, r.pusher_id === null ? null : (userMap.get(r.pusher_id) ?? null), base));
  }

  // ---- what follows a state change ---------------------------------------------------------

  /** The live `ci.job` event to everyone who can read the repository. */
  async announce(job: CiJobRow): Promise<void> {
    try {
      const rec = await this.s.repos.byId(job.repo_id);
      if (!rec) return;
      const [json] = await this.render([job], this.liveBase());
      await this.s.realtime.toRepo(facts(rec), 'ci.job', { repo: `${rec.owner.name}/${rec.repo.name}`, job: json! });
    } catch (err) {
      this.s.log.warn({ err, job: job.id }, 'ci: could not announce a job change');
    }
  }

  /** Live log output to the sockets watching the job (and still allowed in the repository's room). */
  liveLog(rec: RepoRecord, jobId: number, emit: (repo: RepoFacts, payload: { repo: string; id: number; offset: number; text: string }) => void): LogAppend {
    const repo = `${rec.owner.name}/${rec.repo.name}`;
    const f = facts(rec);
    return (offset, text) => emit(f, { repo, id: jobId, offset, text });
  }

  /**
   * Posts the commit status for the job's current state (not the event's: deliveries may come
   * late or twice), unless a newer job for the same commit speaks for it or it is already posted.
   */
  async postStatus(jobId: number): Promise<void> {
    const job = await this.byId(jobId);
    if (!job) return;
    const st = statusFor(job);
    if (!st) return;
    const newest = await this.s.db
      .selectFrom('ci_jobs')
      .select((eb) => eb.fn.max('id').as('id'))
      .where('repo_id', '=', job.repo_id)
      .where('sha', '=', job.sha)
      .where('state', '!=', 'skipped')
      .executeTakeFirst();
    if (newest && Number(newest.id) !== job.id) return;
    const rec = await this.s.repos.byId(job.repo_id);
    if (!rec) return;
    const target = `${this.linkBase()}/${rec.owner.name}/${rec.repo.name}/ci/${job.id}`;
    const current = (await this.s.statuses.latestByContext(job.repo_id, job.sha)).find((c) => c.context === CI_CONTEXT);
    if (current && current.state === st.state && current.description === st.description && current.target_url === target) return;
    await this.s.statuses.create(job.repo_id, job.sha, { state: st.state, description: st.description, target_url: target, context: CI_CONTEXT }, null);
  }

  /** "CI failed" to the pusher, in-app (and by mail, as their settings say). */
  async notifyFailure(eventId: number, e: CiJobEvent): Promise<void> {
    if ((e.state !== 'failure' && e.state !== 'timed_out' && e.state !== 'error') || e.pusherId === null) return;
    const [rec, job, user] = await Promise.all([this.s.repos.byId(e.repoId), this.byId(e.jobId), this.s.users.byId(e.pusherId)]);
    if (!rec || !job || !user || this.s.users.loginProblem(user)) return;
    const actor: Actor = { kind: 'user', user: { id: user.id, name: user.name, isAdmin: user.is_admin === 1 }, scopes: null, via: 'session' };
    if (!(await this.s.access.can(actor, 'read', facts(rec)))) return;
    const full = `${rec.owner.name}/${rec.repo.name}`;
    const what = e.state === 'timed_out' ? 'timed out' : e.state === 'error' ? 'could not run' : 'failed';
    const branch = job.ref.replace(/^refs\/heads\//, '');
    await this.s.notifications.notify({
      userId: user.id,
      repoId: rec.repo.id,
      eventId,
      reason: 'ci',
      subject: {
        type: 'Commit',
        title: `CI ${what} on ${branch} in ${full} (${job.sha.slice(0, 10)})${job.reason ? `: ${job.reason}` : ''}`,
        url: `/api/v1/repos/${full}/ci/jobs/${job.id}`,
        htmlUrl: `/${full}/ci/${job.id}`,
        state: e.state,
      },
    });
  }

  // ---- per-repository settings -------------------------------------------------------------

  async repoImage(repoId: number): Promise<string | null> {
    const row = await this.s.db.selectFrom('ci_repo_settings').select('image').where('repo_id', '=', repoId).executeTakeFirst();
    return row?.image ?? null;
  }

  async setRepoImage(repoId: number, image: string | null): Promise<void> {
    const now = Date.now();
    await this.s.db
      .insertInto('ci_repo_settings')
      .values({ repo_id: repoId, image, updated_at: now })
      .onConflict((oc) => oc.column('repo_id').doUpdateSet({ image, updated_at: now }))
      .execute();
  }
}

export function facts(rec: RepoRecord): RepoFacts {
  return { id: rec.repo.id, ownerId: rec.repo.owner_id, visibility: rec.repo.visibility as Visibility };
}
