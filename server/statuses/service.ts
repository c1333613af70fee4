// Commit statuses (Gitea's and GitHub's): CI systems and scripts post a state per (commit,
// context); every post is kept as history and the newest per context is the current one. The
// combined state of those is what pull requests block merges on. Callers have checked access
// and that the commit exists; this layer sees repository ids and full commit ids only.
import { z } from 'zod';
import type { Db } from '../db/index.js';
import type { EventBus } from '../events/index.js';
import { Invalid, NotFound } from '../lib/errors.js';
import type { Visibility } from '../access/index.js';
import type { RealtimeHub } from '../realtime/index.js';
import { statusJson, type StatusRepo } from './json.js';
import type { CommitStatusRow, StatusRecord } from './schema.js';

export const STATUS_STATES = ['pending', 'success', 'error', 'failure', 'warning'] as const;
export type StatusState = (typeof STATUS_STATES)[number];
/** Gitea's combined state; '' when the commit has no statuses at all. */
export type CombinedState = '' | 'pending' | 'success' | 'failure';

export const STATUS_LIMITS = {
  context: 255,
  description: 1024,
  targetUrl: 2048,
  /** GitHub's cap: statuses kept per commit and context. */
  perContext: 1000,
} as const;

/** The context a status gets when the poster names none (GitHub's). */
export const DEFAULT_CONTEXT = 'default';

/** Gitea's `sort` values for a commit's status list (its names, including the odd index pair). */
export const STATUS_SORTS = ['oldest', 'recentupdate', 'leastupdate', 'leastindex', 'highestindex'] as const;
export type StatusSort = (typeof STATUS_SORTS)[number];

function httpUrlProblem(v: string): string | null {
  if (v === '') return null;
  if (/[\s\x00-\x1f\x7f]/.test(v)) return 'must not contain whitespace or control characters';
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  return u.protocol === 'http:' || u.protocol === 'https:' ? null : 'must be an http or https URL';
}

const optionalText = (max: number) =>
  z
    .string()
    .nullish()
    .transform((v) => (v ?? '').trim())
    .pipe(z.string().max(max, `must be at most ${max} characters`));

/** Gitea's CreateStatusOption, trimmed as Gitea trims it; unknown fields are ignored as Gitea does. */
export const newStatusSchema = z.object({
  state: z.enum(STATUS_STATES, `must be one of ${STATUS_STATES.join(', ')}`),
  target_url: optionalText(STATUS_LIMITS.targetUrl).superRefine((v, ctx) => {
    const problem = httpUrlProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  description: optionalText(STATUS_LIMITS.description),
  context: optionalText(STATUS_LIMITS.context).transform((v) => v || DEFAULT_CONTEXT),
});
export type NewStatusInput = z.input<typeof newStatusSchema>;
export type NewStatus = z.output<typeof newStatusSchema>;

export interface CombinedStatus {
  state: CombinedState;
  sha: string;
  total_count: number;
  /** The newest status per context (only the matching ones when contexts were given), newest first. */
  statuses: StatusRecord[];
  /** Required contexts (patterns) no status matched; they count as pending. */
  missing: string[];
}

export interface StatusCreatedEvent {
  repoId: number;
  sha: string;
  context: string;
  state: StatusState;
  id: number;
}

/** The live event to a repository's room when a status is posted. */
export interface StatusCreatedLive {
  repository: { id: number; full_name: string };
  sha: string;
  /** Gitea's CommitStatus. */
  status: ReturnType<typeof statusJson>;
  /** The commit's combined state now. */
  combined_state: CombinedState;
}

/**
 * Gitea's (and GitHub's) combination: failure if any is error or failure, success if every one
 * is success or warning, else pending; '' when there are none.
 */
export function combineStates(states: readonly string[]): CombinedState {
  if (states.length === 0) return '';
  let ok = 0;
  for (const s of states) {
    if (s === 'error' || s === 'failure') return 'failure';
    if (s === 'success' || s === 'warning') ok++;
  }
  return ok === states.length ? 'success' : 'pending';
}

/** A required-context pattern as Gitea reads it: `*` any run of characters, `?` one, the rest literal. */
export function contextMatcher(pattern: string): (context: string) => boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    's',
  );
  return (context) => re.test(context);
}

export class StatusService {
  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly realtime: RealtimeHub,
    /** The public URL for links in live events ('' = site-relative). */
    private readonly publicBase: () => string,
  ) {}

  /**
   * Records a status for `sha` (a full commit id the caller has checked exists), with its
   * `status.created` event in the same transaction; then tells the repository's sockets.
   */
  async create(repoId: number, sha: string, input: NewStatusInput, creatorId: number | null): Promise<StatusRecord> {
    const parsed = newStatusSchema.safeParse(input);
    if (!parsed.success) throw Invalid(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const status = parsed.data;
    const commit = sha.toLowerCase();
    if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(commit)) throw Invalid('sha: must be a full commit id (40 or 64 hex digits)');
    const repo = await this.repo(repoId);
    const now = Date.now();
    const row = await this.db.transaction().execute(async (trx) => {
      const kept = await trx
        .selectFrom('commit_statuses')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('repo_id', '=', repoId)
        .where('sha', '=', commit)
        .where('context', '=', status.context)
        .executeTakeFirstOrThrow();
      if (Number(kept.n) >= STATUS_LIMITS.perContext) throw Invalid(`this commit already has ${STATUS_LIMITS.perContext} statuses for context "${status.context}"`);
      const inserted = await trx
        .insertInto('commit_statuses')
        .values({
          repo_id: repoId,
          sha: commit,
          context: status.context,
          state: status.state,
          description: status.description,
          target_url: status.target_url,
          creator_id: creatorId,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.events.record(trx, 'status.created', { repoId, sha: commit, context: inserted.context, state: status.state, id: inserted.id });
      return inserted;
    });
    this.events.kick();
    const creator = creatorId === null ? null : ((await this.db.selectFrom('users').selectAll().where('id', '=', creatorId).executeTakeFirst()) ?? null);
    const record: StatusRecord = { ...row, creator };
    const combined = await this.combined(repoId, commit);
    await this.realtime.toRepo({ id: repo.id, ownerId: repo.ownerId, visibility: repo.visibility as Visibility }, 'status.created', {
      repository: { id: repo.id, full_name: `${repo.owner}/${repo.name}` },
      sha: commit,
      status: statusJson(record, repo, this.publicBase(), null),
      combined_state: combined.state,
    });
    return record;
  }

  /** Every status of a commit (history included), newest first unless `sort` says otherwise. */
  async list(repoId: number, sha: string, page: { page: number; limit: number; sort?: StatusSort; state?: StatusState }): Promise<{ items: StatusRecord[]; total: number }> {
    let q = this.db.selectFrom('commit_statuses').where('repo_id', '=', repoId).where('sha', '=', sha.toLowerCase());
    if (page.state) q = q.where('state', '=', page.state);
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    let ordered = q.selectAll();
    // statuses are never edited, so created and updated order are the id order; Gitea's
    // "leastindex" sorts the index descending and "highestindex" ascending
    switch (page.sort) {
      case 'oldest':
      case 'leastupdate':
      case 'highestindex':
        ordered = ordered.orderBy('id', 'asc');
        break;
      default:
        ordered = ordered.orderBy('id', 'desc');
    }
    const rows = await ordered
      .limit(page.limit)
      .offset((page.page - 1) * page.limit)
      .execute();
    return { items: await this.withCreators(rows), total };
  }

  /** The current status of each context of a commit (the newest post per context), newest first. */
  async latestByContext(repoId: number, sha: string): Promise<StatusRecord[]> {
    const commit = sha.toLowerCase();
    const rows = await this.db
      .selectFrom('commit_statuses')
      .selectAll()
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('commit_statuses')
          .select((e) => e.fn.max('id').as('id'))
          .where('repo_id', '=', repoId)
          .where('sha', '=', commit)
          .groupBy('context'),
      )
      .orderBy('id', 'desc')
      .execute();
    return this.withCreators(rows);
  }

  /**
   * The combined state of a commit's current statuses. With `contexts` (a protected branch's
   * required checks; `*` and `?` globs), only the statuses they match count, and a context
   * nothing matches counts as pending, so a merge waits for it.
   */
  async combined(repoId: number, sha: string, opts: { contexts?: readonly string[] } = {}): Promise<CombinedStatus> {
    const latest = await this.latestByContext(repoId, sha);
    const commit = sha.toLowerCase();
    if (!opts.contexts || opts.contexts.length === 0) {
      return { state: combineStates(latest.map((r) => r.state)), sha: commit, total_count: latest.length, statuses: latest, missing: [] };
    }
    const matchers = opts.contexts.map((p) => ({ pattern: p, match: contextMatcher(p) }));
    const missing = matchers.filter((m) => !latest.some((r) => m.match(r.context))).map((m) => m.pattern);
    const counted = latest.filter((r) => matchers.some((m) => m.match(r.context)));
    const state = combineStates([...counted.map((r) => r.state), ...missing.map(() => 'pending')]);
    return { state, sha: commit, total_count: counted.length, statuses: counted, missing };
  }

  /**
   * The combined state of many commits at once (a page of the commit list): one query for the
   * newest status per (commit, context). Every asked commit gets an entry, '' with none.
   */
  async summaries(repoId: number, shas: readonly string[]): Promise<Map<string, { state: CombinedState; total_count: number }>> {
    const commits = [...new Set(shas.map((sha) => sha.toLowerCase()))];
    const states = new Map<string, string[]>(commits.map((sha) => [sha, []]));
    if (commits.length > 0) {
      const rows = await this.db
        .selectFrom('commit_statuses')
        .select(['sha', 'state'])
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('commit_statuses')
            .select((e) => e.fn.max('id').as('id'))
            .where('repo_id', '=', repoId)
            .where('sha', 'in', commits)
            .groupBy(['sha', 'context']),
        )
        .execute();
      for (const r of rows) states.get(r.sha)?.push(r.state);
    }
    return new Map([...states].map(([sha, list]) => [sha, { state: combineStates(list), total_count: list.length }]));
  }

  private async withCreators(rows: CommitStatusRow[]): Promise<StatusRecord[]> {
    const ids = [...new Set(rows.map((r) => r.creator_id).filter((id): id is number => id !== null))];
    const users = ids.length ? await this.db.selectFrom('users').selectAll().where('id', 'in', ids).execute() : [];
    const byId = new Map(users.map((u) => [u.id, u]));
    return rows.map((row) => ({ ...row, creator: row.creator_id === null ? null : (byId.get(row.creator_id) ?? null) }));
  }

  private async repo(repoId: number): Promise<StatusRepo & { ownerId: number; visibility: string }> {
    const r = await this.db
      .selectFrom('repositories as r')
      .innerJoin('users as u', 'u.id', 'r.owner_id')
      .select(['r.id as id', 'r.name as name', 'u.name as owner', 'u.id as ownerId', 'r.visibility as visibility'])
      .where('r.id', '=', repoId)
      .executeTakeFirst();
    if (!r) throw NotFound('repository not found');
    return r;
  }
}
