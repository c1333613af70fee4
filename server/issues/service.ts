// Issues and pull requests share this: the per-repository number sequence, the issue row
// (title, body, open/closed) and its timeline of comments and events. Pull requests add their
// own table in server/pulls; the issue list, labels and milestones build on the same rows.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/index.js';
import type { Database } from '../db/schema.js';
import type { EventBus } from '../events/index.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import type { CommentRow, CommentType, IssueRow } from './schema.js';

export const TITLE_MAX = 255;
export const BODY_MAX = 65_536;

export interface NewIssue {
  repoId: number;
  posterId: number;
  title: string;
  body: string;
  isPull: boolean;
}

export function cleanTitle(title: string): string {
  const t = title.replace(/[\r\n\t]+/g, ' ').trim();
  if (!t) throw Invalid('title: must not be empty');
  if (t.length > TITLE_MAX) throw Invalid(`title: at most ${TITLE_MAX} characters`);
  return t;
}

export function checkBody(body: string, what = 'body'): string {
  if (body.length > BODY_MAX) throw Invalid(`${what}: at most ${BODY_MAX} characters`);
  if (body.includes('\0')) throw Invalid(`${what}: must not contain NUL`);
  return body;
}

export class IssueService {
  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
  ) {}

  /** Creates the issue row with the repository's next number, inside the caller's transaction. */
  async create(trx: Transaction<Database>, n: NewIssue): Promise<IssueRow> {
    const title = cleanTitle(n.title);
    checkBody(n.body);
    const { max_index: index } = await trx
      .insertInto('issue_index')
      .values({ repo_id: n.repoId, max_index: 1 })
      .onConflict((oc) => oc.column('repo_id').doUpdateSet({ max_index: sql`issue_index.max_index + 1` }))
      .returning('max_index')
      .executeTakeFirstOrThrow();
    const now = Date.now();
    return trx
      .insertInto('issues')
      .values({ repo_id: n.repoId, index, poster_id: n.posterId, title, body: n.body, is_pull: n.isPull ? 1 : 0, is_closed: 0, created_at: now, updated_at: now, closed_at: null })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Open issues and open pull requests of a repository (confidential issues only when asked). */
  async openCounts(repoId: number, opts: { confidential: boolean }): Promise<{ issues: number; pulls: number }> {
    let q = this.db
      .selectFrom('issues')
      .select(['is_pull', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('repo_id', '=', repoId)
      .where('is_closed', '=', 0);
    if (!opts.confidential) q = q.where('is_confidential', '=', 0);
    const rows = await q.groupBy('is_pull').execute();
    const count = (pull: number) => Number(rows.find((r) => r.is_pull === pull)?.n ?? 0);
    return { issues: count(0), pulls: count(1) };
  }

  async get(repoId: number, index: number): Promise<IssueRow | undefined> {
    return this.db.selectFrom('issues').selectAll().where('repo_id', '=', repoId).where('index', '=', index).executeTakeFirst();
  }

  async byId(id: number): Promise<IssueRow | undefined> {
    return this.db.selectFrom('issues').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Adds a timeline entry (a comment or an event) inside the caller's transaction. */
  async addEntry(trx: Transaction<Database>, issueId: number, posterId: number | null, type: CommentType, body: string, data: Record<string, unknown> = {}): Promise<CommentRow> {
    const now = Date.now();
    const row = await trx
      .insertInto('issue_comments')
      .values({ issue_id: issueId, poster_id: posterId, type, body, data: JSON.stringify(data), created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('issues')
      .set((eb) => ({ updated_at: now, num_comments: type === 'comment' ? eb('num_comments', '+', 1) : eb.ref('num_comments') }))
      .where('id', '=', issueId)
      .execute();
    return row;
  }

  /** A comment someone writes: the timeline entry and the `comment.created` event, together. */
  async comment(issue: IssueRow, posterId: number, body: string): Promise<CommentRow> {
    checkBody(body);
    if (!body.trim()) throw Invalid('body: must not be empty');
    const row = await this.db.transaction().execute(async (trx) => {
      const c = await this.addEntry(trx, issue.id, posterId, 'comment', body);
      await this.events.record(trx, 'comment.created', { repoId: issue.repo_id, issueId: issue.id, index: issue.index, isPull: issue.is_pull === 1, commentId: c.id, posterId });
      return c;
    });
    this.events.kick();
    return row;
  }

  async comments(issueId: number, opts: { types?: CommentType[]; since?: number } = {}): Promise<CommentRow[]> {
    let q = this.db.selectFrom('issue_comments').selectAll().where('issue_id', '=', issueId);
    if (opts.types) q = q.where('type', 'in', opts.types);
    if (opts.since !== undefined) q = q.where('updated_at', '>=', opts.since);
    return q.orderBy('id').execute();
  }

  async commentById(id: number): Promise<CommentRow | undefined> {
    return this.db.selectFrom('issue_comments').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Edits a comment's body: its poster, or someone who may write to the repository. */
  async editComment(c: CommentRow, editor: { id: number; canWrite: boolean }, body: string): Promise<CommentRow> {
    if (c.type !== 'comment') throw Invalid('only comments can be edited');
    if (c.poster_id !== editor.id && !editor.canWrite) throw Forbidden('only the author or a writer may edit this comment');
    checkBody(body);
    if (!body.trim()) throw Invalid('body: must not be empty');
    const row = await this.db.updateTable('issue_comments').set({ body, updated_at: Date.now() }).where('id', '=', c.id).returningAll().executeTakeFirst();
    if (!row) throw NotFound('comment not found');
    return row;
  }

  async deleteComment(c: CommentRow, editor: { id: number; canWrite: boolean }): Promise<void> {
    if (c.type !== 'comment') throw Invalid('only comments can be deleted');
    if (c.poster_id !== editor.id && !editor.canWrite) throw Forbidden('only the author or a writer may delete this comment');
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('issue_comments').where('id', '=', c.id).execute();
      await trx
        .updateTable('issues')
        .set((eb) => ({ num_comments: eb('num_comments', '-', 1) }))
        .where('id', '=', c.issue_id)
        .execute();
    });
  }

  async assignees(issueId: number): Promise<number[]> {
    return (await this.db.selectFrom('issue_assignees').select('user_id').where('issue_id', '=', issueId).orderBy('user_id').execute()).map((r) => r.user_id);
  }

  async setAssignees(trx: Transaction<Database>, issueId: number, userIds: number[]): Promise<void> {
    await trx.deleteFrom('issue_assignees').where('issue_id', '=', issueId).execute();
    for (const id of new Set(userIds)) await trx.insertInto('issue_assignees').values({ issue_id: issueId, user_id: id }).execute();
  }

  /** Everyone on the conversation: the poster, commenters and assignees (for notifications). */
  async participants(issueId: number): Promise<number[]> {
    const issue = await this.byId(issueId);
    const commenters = await this.db.selectFrom('issue_comments').select('poster_id').distinct().where('issue_id', '=', issueId).where('type', '=', 'comment').execute();
    const ids = new Set<number>();
    if (issue?.poster_id) ids.add(issue.poster_id);
    for (const c of commenters) if (c.poster_id) ids.add(c.poster_id);
    for (const a of await this.assignees(issueId)) ids.add(a);
    return [...ids];
  }
}
