// The issue tracker on top of the shared issue rows: opening and editing issues, their labels,
// milestone, assignees, pins, locks and confidentiality, reactions, who may see what, and the
// list and full-text search behind the issue list and Gitea's search endpoints.
import { sql, type Expression, type ExpressionBuilder, type SqlBool, type Transaction, type Updateable } from 'kysely';
import { LEVEL_ORDER, type AccessLevel, type Actor, type Visibility } from '../access/index.js';
import type { Database, UserRow } from '../db/schema.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import { toActorUser } from '../users/index.js';
import type { IssueRow, LabelRow, ReactionRow } from './schema.js';
import { checkBody, cleanTitle, type IssueService } from './service.js';
import type { LabelService } from './labels.js';

/** Gitea's default reaction set; nothing else is accepted. */
export const REACTIONS = ['+1', '-1', 'laugh', 'hooray', 'confused', 'heart', 'rocket', 'eyes'] as const;
export type Reaction = (typeof REACTIONS)[number];

export interface Viewer {
  userId: number | null;
  /** The viewer's level on the issue's repository. */
  level: AccessLevel;
}

export interface OpenIssue {
  title: string;
  body?: string;
  assignees?: string[];
  labels?: (number | string)[];
  milestone?: number | null;
  confidential?: boolean;
  closed?: boolean;
}

export interface EditIssue {
  title?: string;
  body?: string;
  state?: 'open' | 'closed';
  assignees?: string[];
  milestone?: number | null;
  confidential?: boolean;
}

export interface IssueFilter {
  state?: 'open' | 'closed' | 'all';
  type?: 'issues' | 'pulls' | 'all';
  labels?: string[];
  milestones?: string[];
  q?: string;
  posterId?: number;
  assigneeId?: number;
  mentionedId?: number;
  since?: number;
  before?: number;
  sort?: 'newest' | 'oldest' | 'recentupdate' | 'leastupdate' | 'mostcomment' | 'leastcomment';
  page: number;
  limit: number;
}

type IssueEb = ExpressionBuilder<Database & { i: Database['issues'] }, 'i'>;

const writeRoles = ['write', 'admin'];

export class IssueTracker {
  constructor(
    private readonly s: Services,
    private readonly issues: IssueService,
    private readonly labels: LabelService,
  ) {}

  // ---- who may see and do what ------------------------------------------------------------------

  /** A confidential issue is for its poster, its assignees and the repository's writers. */
  async canSee(issue: IssueRow, viewer: Viewer): Promise<boolean> {
    if (viewer.level === 'none') return false;
    if (!issue.is_confidential || LEVEL_ORDER[viewer.level] >= LEVEL_ORDER.write) return true;
    if (viewer.userId === null) return false;
    if (issue.poster_id === viewer.userId) return true;
    return (await this.issues.assignees(issue.id)).includes(viewer.userId);
  }

  /** The issue, or 404 when it doesn't exist or the viewer may not see it (the same answer). */
  async visible(rec: RepoRecord, index: number, viewer: Viewer): Promise<IssueRow> {
    const issue = await this.issues.get(rec.repo.id, index);
    if (!issue || !(await this.canSee(issue, viewer))) throw NotFound('issue not found');
    return issue;
  }

  /** The level a user (not the request's actor) has on a repository; 'none' for a blocked user. */
  async levelOf(userId: number, rec: { id: number; owner_id: number; visibility: string }): Promise<AccessLevel> {
    const u = await this.s.users.byId(userId);
    if (!u || this.s.users.loginProblem(u)) return 'none';
    const actor: Actor = { kind: 'user', user: toActorUser(u), scopes: null, via: 'session' };
    return this.s.access.level(actor, { id: rec.id, ownerId: rec.owner_id, visibility: rec.visibility as Visibility });
  }

  /** Whether the actor may see the issue a reference came from (a `ref` entry's `issueId`). */
  async canSeeSource(actor: Actor, source: { issueId?: number }): Promise<boolean> {
    const from = source.issueId === undefined ? undefined : await this.issues.byId(source.issueId);
    const rec = from && (await this.s.repos.byId(from.repo_id));
    if (!from || !rec) return false;
    const level = await this.s.access.effectiveLevel(actor, { id: rec.repo.id, ownerId: rec.repo.owner_id, visibility: rec.repo.visibility as Visibility });
    return this.canSee(from, { userId: actor.kind === 'user' ? actor.user.id : null, level });
  }

  /** Whether a user (say, someone mentioned) may see an issue at all. */
  async userCanSee(userId: number, issue: IssueRow): Promise<boolean> {
    const rec = await this.s.repos.byId(issue.repo_id);
    if (!rec) return false;
    return this.canSee(issue, { userId, level: await this.levelOf(userId, rec.repo) });
  }

  /**
   * The same rule as canSee, as SQL over `issues as i` for lists: confidential rows only for
   * their poster and assignees, or where the viewer writes. `writesAll`: the viewer writes to
   * every repository listed (or is a site admin). `oneRepo`: the list is of one repository, whose
   * level the caller knows, so writing elsewhere doesn't matter. Every branch is a list subquery
   * computed once, not per row, so a 50,000-issue list is counted from the index alone.
   */
  visibleFilter(viewer: { userId: number | null; writesAll: boolean; oneRepo: boolean }) {
    return (eb: IssueEb): Expression<SqlBool> => {
      if (viewer.writesAll) return sql<SqlBool>`1 = 1`;
      const ors: Expression<SqlBool>[] = [eb('i.is_confidential', '=', 0)];
      const uid = viewer.userId;
      if (uid !== null) {
        ors.push(
          eb(
            'i.id',
            'in',
            eb
              .selectFrom('issues as ci')
              .select('ci.id')
              .where('ci.is_confidential', '=', 1)
              .where((c) => c.or([c('ci.poster_id', '=', uid), c('ci.id', 'in', c.selectFrom('issue_assignees as a').select('a.issue_id').where('a.user_id', '=', uid))])),
          ),
        );
        // repositories the viewer writes to (mirrors AccessService.level: owner, org member,
        // public-writable organization, write or admin collaborator)
        if (!viewer.oneRepo) {
          ors.push(
            eb(
              'i.repo_id',
              'in',
              eb
                .selectFrom('repositories as wr')
                .innerJoin('users as wo', 'wo.id', 'wr.owner_id')
                .select('wr.id')
                .where((w) =>
                  w.or([
                    w('wr.owner_id', '=', uid),
                    w('wr.owner_id', 'in', w.selectFrom('org_members as m').select('m.org_id').where('m.user_id', '=', uid)),
                    w.and([w('wo.public_writable', '=', 1), w('wr.visibility', '!=', 'private')]),
                    w('wr.id', 'in', w.selectFrom('collaborations as c').select('c.repo_id').where('c.user_id', '=', uid).where('c.role', 'in', writeRoles)),
                  ]),
                ),
            ),
          );
        }
      }
      return eb.or(ors);
    };
  }

  /**
   * Who may be assigned in a repository (Gitea's /assignees): its owner, or the members of the
   * organization that owns it, and its collaborators — people who work on it, not every reader of
   * a public repository. Blocked accounts are left out.
   */
  async assignable(rec: RepoRecord): Promise<UserRow[]> {
    const ids = new Set<number>();
    if (rec.owner.type === 0) ids.add(rec.owner.id);
    for (const m of await this.s.db.selectFrom('org_members').select('user_id').where('org_id', '=', rec.owner.id).execute()) ids.add(m.user_id);
    for (const c of await this.s.db.selectFrom('collaborations').select('user_id').where('repo_id', '=', rec.repo.id).execute()) ids.add(c.user_id);
    if (!ids.size) return [];
    const users = await this.s.db
      .selectFrom('users')
      .selectAll()
      .where('id', 'in', [...ids])
      .where('type', '=', 0)
      .orderBy('lower_name')
      .execute();
    return users.filter((u) => !this.s.users.loginProblem(u));
  }

  // ---- opening and editing --------------------------------------------------------------------

  private async usersNamed(names: string[], rec: RepoRecord, what: string): Promise<UserRow[]> {
    const out: UserRow[] = [];
    for (const n of new Set(names.map((x) => x.trim().toLowerCase()).filter(Boolean))) {
      const u = await this.s.users.byName(n);
      if (!u || u.type !== 0) throw Invalid(`${what}: no such user "${n}"`);
      if (LEVEL_ORDER[await this.levelOf(u.id, rec.repo)] < LEVEL_ORDER.read) throw Invalid(`${what}: ${u.name} cannot read this repository`);
      out.push(u);
    }
    if (out.length > 10) throw Invalid(`${what}: at most 10`);
    return out;
  }

  async open(actor: Actor & { kind: 'user' }, rec: RepoRecord & { level: AccessLevel }, input: OpenIssue): Promise<IssueRow> {
    const title = cleanTitle(input.title);
    const body = checkBody(input.body ?? '');
    // as in Gitea and GitHub, only writers triage: labels, milestone and assignees from anyone
    // else are left out rather than refused
    const triage = LEVEL_ORDER[rec.level] >= LEVEL_ORDER.write;
    const assignees = triage ? await this.usersNamed(input.assignees ?? [], rec, 'assignees') : [];
    const labels = triage ? await this.labels.resolve(rec.repo.id, rec.repo.owner_id, input.labels ?? []) : [];
    const milestone = triage && input.milestone ? await this.labels.milestoneForBody(rec.repo.id, input.milestone) : null;
    const issue = await this.s.db.transaction().execute(async (trx) => {
      const row = await this.issues.create(trx, { repoId: rec.repo.id, posterId: actor.user.id, title, body, isPull: false });
      const extra = { milestone_id: milestone?.id ?? null, is_confidential: input.confidential ? 1 : 0 };
      await trx.updateTable('issues').set(extra).where('id', '=', row.id).execute();
      if (labels.length) await this.labels.apply(trx, row.id, labels, 'replace');
      if (assignees.length)
        await this.issues.setAssignees(
          trx,
          row.id,
          assignees.map((u) => u.id),
        );
      if (triage && input.closed) await trx.updateTable('issues').set({ is_closed: 1, closed_at: Date.now() }).where('id', '=', row.id).execute();
      await this.s.events.record(trx, 'issue.opened', { repoId: rec.repo.id, issueId: row.id, index: row.index, actorId: actor.user.id });
      return { ...row, ...extra };
    });
    this.s.events.kick();
    return (await this.issues.byId(issue.id))!;
  }

  /**
   * Edits an issue. Its poster may change title and body and close or reopen it; everything else
   * (and other people's issues) needs write access. Each change is a timeline entry.
   */
  async edit(actor: Actor & { kind: 'user' }, rec: RepoRecord & { level: AccessLevel }, issue: IssueRow, input: EditIssue): Promise<IssueRow> {
    const writer = LEVEL_ORDER[rec.level] >= LEVEL_ORDER.write;
    const own = issue.poster_id === actor.user.id;
    const triageAsked = input.assignees !== undefined || input.milestone !== undefined || input.confidential !== undefined;
    if (!writer && (!own || triageAsked)) throw Forbidden(own ? 'only writers can change assignees, milestone or confidentiality' : 'only the author or a writer may edit this issue');
    if (issue.is_locked && !writer) throw Forbidden('this conversation is locked');
    const title = input.title === undefined ? issue.title : cleanTitle(input.title);
    const body = input.body === undefined ? issue.body : checkBody(input.body);
    const assignees = input.assignees === undefined ? null : await this.usersNamed(input.assignees, rec, 'assignees');
    const milestone = input.milestone === undefined ? undefined : input.milestone ? await this.labels.milestoneForBody(rec.repo.id, input.milestone) : null;
    const uid = actor.user.id;
    let newlyAssigned: number[] = [];
    await this.s.db.transaction().execute(async (trx) => {
      const set: Updateable<Database['issues']> = {};
      if (title !== issue.title) {
        set.title = title;
        await this.issues.addEntry(trx, issue.id, uid, 'title', '', { from: issue.title, to: title });
      }
      if (body !== issue.body) set.body = body;
      if (milestone !== undefined && (milestone?.id ?? null) !== issue.milestone_id) {
        set.milestone_id = milestone?.id ?? null;
        const before = issue.milestone_id === null ? undefined : await trx.selectFrom('milestones').select('title').where('id', '=', issue.milestone_id).executeTakeFirst();
        await this.issues.addEntry(trx, issue.id, uid, 'milestone', '', { from: issue.milestone_id, to: milestone?.id ?? null, title: milestone?.title ?? null, from_title: before?.title ?? null });
      }
      if (input.confidential !== undefined && (input.confidential ? 1 : 0) !== issue.is_confidential) {
        set.is_confidential = input.confidential ? 1 : 0;
        await this.issues.addEntry(trx, issue.id, uid, 'confidential', '', { confidential: input.confidential });
      }
      if (assignees) {
        // through trx: SQLite has one connection, and the transaction holds it
        const before = (await trx.selectFrom('issue_assignees').select('user_id').where('issue_id', '=', issue.id).orderBy('user_id').execute()).map((r) => r.user_id);
        const after = assignees.map((u) => u.id);
        if (before.join() !== [...after].sort((a, b) => a - b).join()) {
          await this.issues.setAssignees(trx, issue.id, after);
          newlyAssigned = after.filter((id) => !before.includes(id));
          const removed = before.filter((id) => !after.includes(id));
          // names too: a removed assignee may appear nowhere else on the page
          const names = new Map(
            (
              await trx
                .selectFrom('users')
                .select(['id', 'name'])
                .where('id', 'in', [...newlyAssigned, ...removed, -1])
                .execute()
            ).map((u) => [u.id, u.name]),
          );
          await this.issues.addEntry(trx, issue.id, uid, 'assignees', '', {
            added: newlyAssigned,
            removed,
            added_names: newlyAssigned.map((id) => names.get(id) ?? 'ghost'),
            removed_names: removed.map((id) => names.get(id) ?? 'ghost'),
          });
        }
      }
      if (Object.keys(set).length) await trx.updateTable('issues').set(set).where('id', '=', issue.id).execute();
      if (input.state !== undefined && (input.state === 'closed') !== (issue.is_closed === 1)) await this.setStateIn(trx, issue, input.state === 'closed', uid, {});
      if (set.body !== undefined || set.title !== undefined)
        await this.s.events.record(trx, 'issue.changed', { repoId: issue.repo_id, issueId: issue.id, index: issue.index, actorId: uid, change: 'edited' });
      if (newlyAssigned.length)
        await this.s.events.record(trx, 'issue.changed', { repoId: issue.repo_id, issueId: issue.id, index: issue.index, actorId: uid, change: 'assigned', assigned: newlyAssigned });
      await trx.updateTable('issues').set({ updated_at: Date.now() }).where('id', '=', issue.id).execute();
    });
    this.s.events.kick();
    return (await this.issues.byId(issue.id))!;
  }

  /** Closes or reopens inside the caller's transaction: the row, the timeline entry and the event. */
  async setStateIn(trx: Transaction<Database>, issue: IssueRow, closed: boolean, actorId: number | null, data: { commit?: string; repo?: string }): Promise<void> {
    const now = Date.now();
    const r = await trx
      .updateTable('issues')
      .set({ is_closed: closed ? 1 : 0, closed_at: closed ? now : null, updated_at: now })
      .where('id', '=', issue.id)
      .where('is_closed', '=', closed ? 0 : 1)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return;
    await this.issues.addEntry(trx, issue.id, actorId, closed ? 'close' : 'reopen', '', data);
    await this.s.events.record(trx, 'issue.changed', {
      repoId: issue.repo_id,
      issueId: issue.id,
      index: issue.index,
      actorId,
      change: closed ? 'closed' : 'reopened',
      ...(data.commit ? { commit: data.commit } : {}),
    });
  }

  // ---- labels on an issue ---------------------------------------------------------------------

  async setLabels(actor: Actor & { kind: 'user' }, rec: RepoRecord & { level: AccessLevel }, issue: IssueRow, refs: (number | string)[], mode: 'replace' | 'add'): Promise<LabelRow[]> {
    if (LEVEL_ORDER[rec.level] < LEVEL_ORDER.write) throw Forbidden('only writers can change labels');
    const labels = await this.labels.resolve(rec.repo.id, rec.repo.owner_id, refs);
    const result = await this.s.db.transaction().execute(async (trx) => {
      const r = await this.labels.apply(trx, issue.id, labels, mode);
      if (r.added.length || r.removed.length) await this.issues.addEntry(trx, issue.id, actor.user.id, 'label', '', { added: r.added.map((l) => l.id), removed: r.removed.map((l) => l.id) });
      return r;
    });
    return result.now.sort((a, b) => a.lower_name.localeCompare(b.lower_name));
  }

  async removeLabel(actor: Actor & { kind: 'user' }, rec: RepoRecord & { level: AccessLevel }, issue: IssueRow, labelId: number): Promise<void> {
    if (LEVEL_ORDER[rec.level] < LEVEL_ORDER.write) throw Forbidden('only writers can change labels');
    await this.s.db.transaction().execute(async (trx) => {
      if (!(await this.labels.remove(trx, issue.id, labelId))) throw NotFound('the issue does not carry that label');
      await this.issues.addEntry(trx, issue.id, actor.user.id, 'label', '', { added: [], removed: [labelId] });
    });
  }

  // ---- pins and locks -------------------------------------------------------------------------

  async pin(actor: Actor & { kind: 'user' }, rec: RepoRecord & { level: AccessLevel }, issue: IssueRow, pinned: boolean): Promise<void> {
    if (LEVEL_ORDER[rec.level] < LEVEL_ORDER.write) throw Forbidden('only writers can pin issues');
    if (pinned === issue.pin_order > 0) return;
    await this.s.db.transaction().execute(async (trx) => {
      let order = 0;
      if (pinned) {
        const max = await trx
          .selectFrom('issues')
          .select((eb) => eb.fn.max('pin_order').as('m'))
          .where('repo_id', '=', issue.repo_id)
          .where('is_pull', '=', issue.is_pull)
          .executeTakeFirst();
        order = Number(max?.m ?? 0) + 1;
      }
      await trx.updateTable('issues').set({ pin_order: order }).where('id', '=', issue.id).execute();
      await this.issues.addEntry(trx, issue.id, actor.user.id, 'pin', '', { pinned });
    });
  }

  async lock(actor: Actor & { kind: 'user' }, rec: RepoRecord & { level: AccessLevel }, issue: IssueRow, locked: boolean, reason = ''): Promise<void> {
    if (LEVEL_ORDER[rec.level] < LEVEL_ORDER.write) throw Forbidden('only writers can lock a conversation');
    if (locked === (issue.is_locked === 1)) return;
    await this.s.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('issues')
        .set({ is_locked: locked ? 1 : 0 })
        .where('id', '=', issue.id)
        .execute();
      await this.issues.addEntry(trx, issue.id, actor.user.id, 'lock', '', { locked, reason: reason.slice(0, 100) });
    });
  }

  /** A locked conversation takes comments from writers only. */
  assertMayComment(issue: IssueRow, level: AccessLevel): void {
    if (issue.is_locked && LEVEL_ORDER[level] < LEVEL_ORDER.write) throw Forbidden('this conversation is locked; only writers can comment');
  }

  // ---- reactions ------------------------------------------------------------------------------

  static checkReaction(content: string): Reaction {
    if (!(REACTIONS as readonly string[]).includes(content)) throw Invalid(`content: "${content.slice(0, 20)}" is not an allowed reaction (${REACTIONS.join(', ')})`);
    return content as Reaction;
  }

  async reactions(issueId: number, commentId = 0): Promise<ReactionRow[]> {
    return this.s.db.selectFrom('reactions').selectAll().where('issue_id', '=', issueId).where('comment_id', '=', commentId).orderBy('id').execute();
  }

  /** Adds a reaction; `created` is false when the user had already reacted so. */
  async react(issue: IssueRow, commentId: number, userId: number, content: string): Promise<{ row: ReactionRow; created: boolean }> {
    const c = IssueTracker.checkReaction(content);
    if (issue.is_locked) {
      const rec = await this.s.repos.byId(issue.repo_id);
      if (rec && LEVEL_ORDER[await this.levelOf(userId, rec.repo)] < LEVEL_ORDER.write) throw Forbidden('this conversation is locked');
    }
    const inserted = await this.s.db
      .insertInto('reactions')
      .values({ issue_id: issue.id, comment_id: commentId, user_id: userId, content: c, created_at: Date.now() })
      .onConflict((oc) => oc.columns(['issue_id', 'comment_id', 'user_id', 'content']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { row: inserted, created: true };
    const row = await this.s.db
      .selectFrom('reactions')
      .selectAll()
      .where('issue_id', '=', issue.id)
      .where('comment_id', '=', commentId)
      .where('user_id', '=', userId)
      .where('content', '=', c)
      .executeTakeFirstOrThrow();
    return { row, created: false };
  }

  async unreact(issue: IssueRow, commentId: number, userId: number, content: string): Promise<void> {
    const c = IssueTracker.checkReaction(content);
    await this.s.db.deleteFrom('reactions').where('issue_id', '=', issue.id).where('comment_id', '=', commentId).where('user_id', '=', userId).where('content', '=', c).execute();
  }

  // ---- lists and search -----------------------------------------------------------------------

  /**
   * Issues of some repositories (one, or every one the viewer reads for the global search) that
   * match the filter, newest first by default, with the total for paging.
   */
  async list(scope: { repoIds: number[] | 'visible'; viewer: { actor: Actor; userId: number | null; writesAll: boolean } }, f: IssueFilter): Promise<{ rows: IssueRow[]; total: number }> {
    const admin = scope.viewer.actor.kind === 'user' && scope.viewer.actor.user.isAdmin;
    let q = this.s.db.selectFrom('issues as i');
    if (scope.repoIds === 'visible') q = q.where('i.repo_id', 'in', (eb) => eb.selectFrom('repositories as r').select('r.id').where(this.s.repos.visibleTo(scope.viewer.actor)));
    else if (scope.repoIds.length === 1) q = q.where('i.repo_id', '=', scope.repoIds[0]!);
    else q = q.where('i.repo_id', 'in', scope.repoIds.length ? scope.repoIds : [-1]);
    q = q.where(this.visibleFilter({ userId: scope.viewer.userId, writesAll: scope.viewer.writesAll || admin, oneRepo: scope.repoIds !== 'visible' && scope.repoIds.length === 1 }));
    if (f.state === 'open' || f.state === undefined) q = q.where('i.is_closed', '=', 0);
    else if (f.state === 'closed') q = q.where('i.is_closed', '=', 1);
    if (f.type === 'issues') q = q.where('i.is_pull', '=', 0);
    else if (f.type === 'pulls') q = q.where('i.is_pull', '=', 1);
    // `+i.id` (here and for the text search): walk the repository's list index and probe each
    // filter's ids, instead of fetching every row a filter names by id — bounded by the
    // repository's size, and it never reads the (wide) rows themselves
    const byIndex = sql<number>`+i.id`;
    for (const name of f.labels ?? []) {
      q = q.where(byIndex, 'in', (eb) => eb.selectFrom('issue_labels as il').innerJoin('labels as l', 'l.id', 'il.label_id').select('il.issue_id').where('l.lower_name', '=', name.toLowerCase()));
    }
    if (f.milestones?.length) {
      const names = f.milestones;
      q = q.where((eb) =>
        eb(
          'i.milestone_id',
          'in',
          eb
            .selectFrom('milestones as ms')
            .select('ms.id')
            .where((m) => m.or([m('ms.title', 'in', names), ...names.filter((n) => /^\d+$/.test(n)).map((n) => m('ms.id', '=', Number(n)))])),
        ),
      );
    }
    if (f.posterId !== undefined) q = q.where('i.poster_id', '=', f.posterId);
    if (f.assigneeId !== undefined) {
      const uid = f.assigneeId;
      q = q.where(byIndex, 'in', (eb) => eb.selectFrom('issue_assignees as a').select('a.issue_id').where('a.user_id', '=', uid));
    }
    if (f.mentionedId !== undefined) {
      const uid = f.mentionedId;
      q = q.where(byIndex, 'in', (eb) => eb.selectFrom('issue_mentions as im').select('im.issue_id').where('im.user_id', '=', uid));
    }
    if (f.since !== undefined) q = q.where('i.updated_at', '>=', f.since);
    if (f.before !== undefined) q = q.where('i.updated_at', '<=', f.before);
    if (f.q?.trim()) q = q.where(this.textMatch(f.q));

    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
    let ordered = q.selectAll('i');
    switch (f.sort ?? 'newest') {
      case 'oldest':
        ordered = ordered.orderBy('i.created_at', 'asc');
        break;
      case 'recentupdate':
        ordered = ordered.orderBy('i.updated_at', 'desc');
        break;
      case 'leastupdate':
        ordered = ordered.orderBy('i.updated_at', 'asc');
        break;
      case 'mostcomment':
        ordered = ordered.orderBy('i.num_comments', 'desc');
        break;
      case 'leastcomment':
        ordered = ordered.orderBy('i.num_comments', 'asc');
        break;
      default:
        ordered = ordered.orderBy('i.created_at', 'desc');
    }
    const rows = await ordered
      .orderBy('i.id', 'desc')
      .limit(f.limit)
      .offset((f.page - 1) * f.limit)
      .execute();
    return { rows, total };
  }

  /** Pinned issues (or pull requests) of a repository, in pin order, that the viewer may see. */
  async pinned(repoId: number, isPull: boolean, viewer: { userId: number | null; writesAll: boolean }): Promise<IssueRow[]> {
    return this.s.db
      .selectFrom('issues as i')
      .selectAll('i')
      .where('i.repo_id', '=', repoId)
      .where('i.is_pull', '=', isPull ? 1 : 0)
      .where('i.pin_order', '>', 0)
      .where(this.visibleFilter({ ...viewer, oneRepo: true }))
      .orderBy('i.pin_order')
      .execute();
  }

  /**
   * Free text over titles, bodies and comments: SQLite FTS5 or PostgreSQL's tsvector, both with
   * the same word splitting, every word a prefix that must appear somewhere in the issue; `#12`
   * or `12` also finds issue 12.
   */
  private textMatch(q: string) {
    const words = [...q.matchAll(/[\p{L}\p{N}]+/gu)].map((m) => m[0].toLowerCase()).slice(0, 16);
    const index = /^#?(\d{1,9})$/.exec(q.trim());
    return (eb: IssueEb): Expression<SqlBool> => {
      const ors: Expression<SqlBool>[] = [];
      if (index) ors.push(eb('i.index', '=', Number(index[1])));
      if (words.length && this.s.dialect === 'sqlite') {
        const match = words.map((w) => `"${w.replace(/"/g, '""')}"*`).join(' AND ');
        ors.push(sql<SqlBool>`+i.id IN (SELECT rowid FROM issues_fts WHERE issues_fts MATCH ${match})`);
      } else if (words.length) {
        // every word somewhere in the issue — its title, body or any comment — as FTS5 does
        // with its one document per issue
        const each = words.map((w) => {
          const tsq = `${w.replace(/[^\p{L}\p{N}]/gu, '')}:*`;
          return eb.or([sql<SqlBool>`i.search @@ to_tsquery('simple', ${tsq})`, sql<SqlBool>`i.id IN (SELECT c.issue_id FROM issue_comments c WHERE c.search @@ to_tsquery('simple', ${tsq}))`]);
        });
        ors.push(eb.and(each));
      }
      return ors.length ? eb.or(ors) : sql<SqlBool>`1 = 0`;
    };
  }

  /** Records who an issue's text mentions; returns those not recorded before. */
  async recordMentions(issueId: number, userIds: number[]): Promise<number[]> {
    const fresh: number[] = [];
    for (const userId of new Set(userIds)) {
      const r = await this.s.db
        .insertInto('issue_mentions')
        .values({ issue_id: issueId, user_id: userId })
        .onConflict((oc) => oc.columns(['issue_id', 'user_id']).doNothing())
        .executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0) > 0) fresh.push(userId);
    }
    return fresh;
  }
}
