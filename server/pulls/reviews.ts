// Code review on a pull request: line comments on either side of the diff (one line or a range),
// gathered in a pending review until it is submitted as a comment, an approval or a change
// request; threads (a comment and its replies) that can be resolved; review requests; "viewed"
// marks per file; and keeping comments attached to the line they were made on when the head
// moves (they become outdated instead of wandering).
import { LEVEL_ORDER, type Actor } from '../access/index.js';
import { checkBody } from '../issues/index.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import type { Services } from '../services.js';
import type { PullService, PullView } from './service.js';
import type { LineCommentRow, ReviewRow, ReviewState } from './schema.js';

export type ReviewEvent = 'APPROVED' | 'REQUEST_CHANGES' | 'COMMENT' | 'PENDING';

export interface NewLineComment {
  path: string;
  body: string;
  side: 'LEFT' | 'RIGHT';
  line: number;
  startLine?: number | null;
}

/** Which lines of each side a file's patch shows, and their text, hunk by hunk. */
export interface PatchLines {
  old: Map<number, { text: string; hunk: number }>;
  new: Map<number, { text: string; hunk: number }>;
  /** Each hunk's lines (header first), to cut a diff_hunk from. */
  hunks: string[][];
  /** For each side's line: its offset in its hunk. */
  offsets: { old: Map<number, number>; new: Map<number, number> };
}

export function parsePatchLines(patch: string): PatchLines {
  const out: PatchLines = { old: new Map(), new: new Map(), hunks: [], offsets: { old: new Map(), new: new Map() } };
  let oldNo = 0;
  let newNo = 0;
  let hunk = -1;
  for (const line of patch.split('\n')) {
    const m = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (m) {
      oldNo = Number(m[1]);
      newNo = Number(m[2]);
      out.hunks.push([line]);
      hunk = out.hunks.length - 1;
      continue;
    }
    if (hunk < 0) continue;
    const lines = out.hunks[hunk]!;
    const c = line[0];
    if (c === ' ') {
      lines.push(line);
      out.old.set(oldNo, { text: line.slice(1), hunk });
      out.new.set(newNo, { text: line.slice(1), hunk });
      out.offsets.old.set(oldNo++, lines.length - 1);
      out.offsets.new.set(newNo++, lines.length - 1);
    } else if (c === '-') {
      lines.push(line);
      out.old.set(oldNo, { text: line.slice(1), hunk });
      out.offsets.old.set(oldNo++, lines.length - 1);
    } else if (c === '+') {
      lines.push(line);
      out.new.set(newNo, { text: line.slice(1), hunk });
      out.offsets.new.set(newNo++, lines.length - 1);
    } else if (c === '\\') lines.push(line);
  }
  return out;
}

export class ReviewService {
  constructor(
    private readonly s: Services,
    private readonly pulls: PullService,
  ) {}

  /** The patch of one file in the pull request's diff as it is now, or null if the file is not in it. */
  private async filePatch(v: PullView, path: string): Promise<string | null> {
    const diff = await this.s.browse.compare(this.pulls.target(v.base), v.pull.merge_base, v.pull.head_sha, { maxFiles: 3000, maxLinesPerFile: 20_000, maxBytes: 64 * 1024 * 1024, maxListed: 3000 });
    const f = diff.files.find((x) => x.path === path || x.oldPath === path);
    return f ? (f.patch ?? null) : null;
  }

  /** Checks a comment's place against the diff; answers the stored fields (422 when outside the diff). */
  private async place(v: PullView, c: NewLineComment) {
    if (!c.path || c.path.length > 4096 || c.path.includes('\0')) throw Invalid('path: invalid');
    if (!Number.isSafeInteger(c.line) || c.line < 1) throw Invalid('line: must be a positive line number');
    const patch = await this.filePatch(v, c.path);
    if (patch === null) throw Invalid(`${c.path} is not changed by this pull request`);
    const lines = parsePatchLines(patch);
    const side = c.side === 'LEFT' ? lines.old : lines.new;
    const at = side.get(c.line);
    if (!at) throw Invalid(`line ${c.line} of ${c.path} (${c.side === 'LEFT' ? 'old' : 'new'} side) is not in the diff`);
    const start = c.startLine ?? null;
    if (start !== null) {
      const s0 = side.get(start);
      if (!Number.isSafeInteger(start) || start < 1 || start > c.line || !s0 || s0.hunk !== at.hunk)
        throw Invalid(`start_line ${start} must be in the same hunk of the diff, at or above line ${c.line}`);
    }
    const hunk = lines.hunks[at.hunk]!;
    const offset = (c.side === 'LEFT' ? lines.offsets.old : lines.offsets.new).get(c.line)!;
    const diffHunk = [hunk[0]!, ...hunk.slice(Math.max(1, offset - 19), offset + 1)].join('\n');
    return { lineText: at.text, diffHunk, startLine: start };
  }

  private async canWrite(actor: Actor, v: PullView): Promise<boolean> {
    if (actor.kind !== 'user') return false;
    return LEVEL_ORDER[await this.pulls.levelOf(actor.user.id, v.base)] >= LEVEL_ORDER.write;
  }

  /** The reviewer's pending review, made when first needed. */
  private async pendingReview(v: PullView, userId: number, create: boolean): Promise<ReviewRow | null> {
    const found = await this.s.db.selectFrom('pull_reviews').selectAll().where('pull_id', '=', v.pull.id).where('reviewer_id', '=', userId).where('state', '=', 'PENDING').executeTakeFirst();
    if (found || !create) return found ?? null;
    const now = Date.now();
    return this.s.db
      .insertInto('pull_reviews')
      .values({ pull_id: v.pull.id, reviewer_id: userId, state: 'PENDING', body: '', commit_id: v.pull.head_sha, submitted_at: null, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /**
   * A line comment outside a review form: a reply (posted at once, in the thread it answers), a
   * single comment (`pending: false`), or one more comment for the reviewer's pending review.
   */
  async comment(actor: Actor, v: PullView, c: NewLineComment & { pending?: boolean; replyTo?: number | null }): Promise<LineCommentRow> {
    if (actor.kind !== 'user') throw Forbidden('sign in to comment');
    checkBody(c.body);
    if (!c.body.trim()) throw Invalid('body: must not be empty');
    const now = Date.now();
    if (c.replyTo) {
      const root = await this.s.db.selectFrom('pull_line_comments').selectAll().where('id', '=', c.replyTo).where('pull_id', '=', v.pull.id).executeTakeFirst();
      if (!root || (root.review_id && (await this.reviewById(root.review_id))?.state === 'PENDING' && root.poster_id !== actor.user.id)) throw NotFound('the comment replied to does not exist');
      const threadRoot = root.reply_to ?? root.id;
      const row = await this.s.db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('pull_line_comments')
          .values({
            ...this.copyPlace(root),
            pull_id: v.pull.id,
            review_id: null,
            poster_id: actor.user.id,
            body: c.body,
            reply_to: threadRoot,
            resolved_by: null,
            resolved_at: null,
            created_at: now,
            updated_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await this.s.events.record(trx, 'pull.commented', { pullId: v.pull.id, repoId: v.base.repo.id, index: v.pull.index, commentId: row.id, actorId: actor.user.id });
        return row;
      });
      this.s.events.kick();
      await this.pulls.announce(v.base, v.pull.index, 'comment');
      return row;
    }
    const placed = await this.place(v, c);
    const review = c.pending === false ? null : await this.pendingReview(v, actor.user.id, true);
    const row = await this.s.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('pull_line_comments')
        .values({
          pull_id: v.pull.id,
          review_id: review?.id ?? null,
          poster_id: actor.user.id,
          path: c.path,
          side: c.side,
          line: c.line,
          start_line: placed.startLine,
          commit_id: v.pull.head_sha,
          base_commit_id: v.pull.merge_base,
          line_text: placed.lineText,
          diff_hunk: placed.diffHunk,
          body: c.body,
          reply_to: null,
          resolved_by: null,
          resolved_at: null,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (!review) await this.s.events.record(trx, 'pull.commented', { pullId: v.pull.id, repoId: v.base.repo.id, index: v.pull.index, commentId: row.id, actorId: actor.user.id });
      return row;
    });
    if (!review) {
      this.s.events.kick();
      await this.pulls.announce(v.base, v.pull.index, 'comment');
    }
    return row;
  }

  private copyPlace(r: LineCommentRow) {
    return {
      path: r.path,
      side: r.side,
      line: r.line,
      start_line: r.start_line,
      commit_id: r.commit_id,
      base_commit_id: r.base_commit_id,
      line_text: r.line_text,
      diff_hunk: r.diff_hunk,
      outdated: r.outdated,
    };
  }

  async reviewById(id: number): Promise<ReviewRow | undefined> {
    return this.s.db.selectFrom('pull_reviews').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Creates a review (Gitea's POST …/reviews): the comments given join the reviewer's pending
   * ones; with an event other than PENDING the review is submitted at once.
   */
  async create(actor: Actor, v: PullView, input: { event: ReviewEvent; body: string; commitId?: string; comments: NewLineComment[] }): Promise<ReviewRow> {
    if (actor.kind !== 'user') throw Forbidden('sign in to review');
    if (v.pull.has_merged || v.issue.is_closed) throw Invalid('this pull request is closed; it can no longer be reviewed');
    checkBody(input.body);
    if (input.commitId && input.commitId !== v.pull.head_sha) throw Invalid(`commit_id ${input.commitId} is not the head of this pull request (${v.pull.head_sha})`);
    // every comment's place is checked before anything is stored: a bad one changes nothing
    const placed: { c: NewLineComment; p: Awaited<ReturnType<ReviewService['place']>> }[] = [];
    for (const c of input.comments) {
      checkBody(c.body, 'comments.body');
      if (!c.body.trim()) throw Invalid('comments.body: must not be empty');
      placed.push({ c, p: await this.place(v, c) });
    }
    if (input.event !== 'PENDING') this.checkEvent(actor, v, input.event, input.body, placed.length);
    const review = await this.pendingReview(v, actor.user.id, true);
    const now = Date.now();
    await this.s.db.transaction().execute(async (trx) => {
      for (const { c, p } of placed) {
        await trx
          .insertInto('pull_line_comments')
          .values({
            pull_id: v.pull.id,
            review_id: review!.id,
            poster_id: actor.user.id,
            path: c.path,
            side: c.side,
            line: c.line,
            start_line: p.startLine,
            commit_id: v.pull.head_sha,
            base_commit_id: v.pull.merge_base,
            line_text: p.lineText,
            diff_hunk: p.diffHunk,
            body: c.body,
            reply_to: null,
            resolved_by: null,
            resolved_at: null,
            created_at: now,
            updated_at: now,
          })
          .execute();
      }
      if (input.body) await trx.updateTable('pull_reviews').set({ body: input.body, updated_at: now }).where('id', '=', review!.id).execute();
    });
    if (input.event === 'PENDING') return (await this.reviewById(review!.id))!;
    return this.submit(actor, v, review!.id, input.event, input.body || review!.body);
  }

  private checkEvent(actor: Actor & { kind: 'user' }, v: PullView, event: ReviewEvent, body: string, comments: number): void {
    if (event !== 'COMMENT' && event !== 'APPROVED' && event !== 'REQUEST_CHANGES') throw Invalid(`event: must be APPROVED, REQUEST_CHANGES or COMMENT`);
    if (v.issue.poster_id === actor.user.id && event !== 'COMMENT') throw Invalid(`you cannot ${event === 'APPROVED' ? 'approve' : 'request changes on'} your own pull request`);
    if (event === 'REQUEST_CHANGES' && !body.trim() && comments === 0) throw Invalid('a change request needs a body or line comments saying what to change');
    if (event === 'COMMENT' && !body.trim() && comments === 0) throw Invalid('a review comment needs a body or line comments');
  }

  /** Submits a pending review: its comments become visible, and `pull.reviewed` is announced. */
  async submit(actor: Actor, v: PullView, reviewId: number, event: ReviewEvent, body: string): Promise<ReviewRow> {
    if (actor.kind !== 'user') throw Forbidden('sign in to review');
    const review = await this.reviewById(reviewId);
    if (!review || review.pull_id !== v.pull.id || review.reviewer_id !== actor.user.id) throw NotFound('review not found');
    if (review.state !== 'PENDING') throw Invalid('this review has been submitted already');
    const comments = await this.s.db.selectFrom('pull_line_comments').select('id').where('review_id', '=', reviewId).execute();
    this.checkEvent(actor, v, event, body, comments.length);
    checkBody(body);
    const official = (await this.canWrite(actor, v)) ? 1 : 0;
    const now = Date.now();
    const row = await this.s.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('pull_reviews')
        .set({ state: event as ReviewState, body, commit_id: v.pull.head_sha, official, submitted_at: now, updated_at: now })
        .where('id', '=', reviewId)
        .where('state', '=', 'PENDING')
        .returningAll()
        .executeTakeFirst();
      if (!row) throw Invalid('this review has been submitted already');
      await trx.updateTable('pull_line_comments').set({ commit_id: v.pull.head_sha, updated_at: now }).where('review_id', '=', reviewId).where('commit_id', '=', v.pull.head_sha).execute();
      await trx.deleteFrom('pull_review_requests').where('pull_id', '=', v.pull.id).where('user_id', '=', actor.user.id).execute();
      await this.s.issues.addEntry(trx, v.issue.id, actor.user.id, 'review', '', { review_id: reviewId, state: event });
      await this.s.events.record(trx, 'pull.reviewed', {
        pullId: v.pull.id,
        repoId: v.base.repo.id,
        index: v.pull.index,
        reviewId,
        state: event as Exclude<ReviewState, 'PENDING'>,
        actorId: actor.user.id,
      });
      return row;
    });
    this.s.events.kick();
    await this.pulls.announce(v.base, v.pull.index, 'review');
    return row;
  }

  async deletePending(actor: Actor, v: PullView, reviewId: number): Promise<void> {
    const review = await this.reviewById(reviewId);
    if (actor.kind !== 'user' || !review || review.pull_id !== v.pull.id || review.reviewer_id !== actor.user.id) throw NotFound('review not found');
    if (review.state !== 'PENDING') throw Invalid('only a pending review can be deleted; a submitted one can be dismissed');
    await this.s.db.deleteFrom('pull_reviews').where('id', '=', reviewId).execute();
  }

  /** A writer dismisses a submitted review: it no longer counts for or against the merge. */
  async dismiss(actor: Actor, v: PullView, reviewId: number, message: string): Promise<ReviewRow> {
    if (!(await this.canWrite(actor, v))) throw Forbidden('only people who may write may dismiss reviews');
    const review = await this.reviewById(reviewId);
    if (!review || review.pull_id !== v.pull.id || review.state === 'PENDING') throw NotFound('review not found');
    checkBody(message, 'message');
    const row = await this.s.db.updateTable('pull_reviews').set({ dismissed: 1, updated_at: Date.now() }).where('id', '=', reviewId).returningAll().executeTakeFirstOrThrow();
    await this.pulls.announce(v.base, v.pull.index, 'review');
    return row;
  }

  /** Reviews the viewer may see: every submitted one, and their own pending one. */
  async list(v: PullView, viewerId: number | null): Promise<ReviewRow[]> {
    const rows = await this.s.db.selectFrom('pull_reviews').selectAll().where('pull_id', '=', v.pull.id).orderBy('id').execute();
    return rows.filter((r) => r.state !== 'PENDING' || (viewerId !== null && r.reviewer_id === viewerId));
  }

  /** Line comments the viewer may see (pending ones only their author's). */
  async comments(v: PullView, viewerId: number | null, reviewId?: number): Promise<LineCommentRow[]> {
    let q = this.s.db.selectFrom('pull_line_comments as c').leftJoin('pull_reviews as r', 'r.id', 'c.review_id').selectAll('c').select('r.state as review_state').where('c.pull_id', '=', v.pull.id);
    if (reviewId !== undefined) q = q.where('c.review_id', '=', reviewId);
    const rows = await q.orderBy('c.id').execute();
    return rows.filter((r) => r.review_state !== 'PENDING' || (viewerId !== null && r.poster_id === viewerId)).map(({ review_state: _, ...c }) => c);
  }

  async lineComment(v: PullView, id: number, viewerId: number | null): Promise<LineCommentRow> {
    const found = (await this.comments(v, viewerId)).find((c) => c.id === id);
    if (!found) throw NotFound('comment not found');
    return found;
  }

  /** Resolves (or reopens) a thread: its author, the pull request's author, or a writer. */
  async resolve(actor: Actor, v: PullView, commentId: number, resolved: boolean): Promise<void> {
    if (actor.kind !== 'user') throw Forbidden('sign in to resolve conversations');
    const c = await this.lineComment(v, commentId, actor.user.id);
    const root = c.reply_to ? await this.lineComment(v, c.reply_to, actor.user.id) : c;
    if (root.poster_id !== actor.user.id && v.issue.poster_id !== actor.user.id && !(await this.canWrite(actor, v)))
      throw Forbidden('only the thread’s author, the pull request’s author or a writer may resolve it');
    await this.s.db
      .updateTable('pull_line_comments')
      .set(resolved ? { resolved_by: actor.user.id, resolved_at: Date.now() } : { resolved_by: null, resolved_at: null })
      .where('id', '=', root.id)
      .execute();
    await this.pulls.announce(v.base, v.pull.index, 'comment');
  }

  async editComment(actor: Actor, v: PullView, commentId: number, body: string): Promise<LineCommentRow> {
    if (actor.kind !== 'user') throw Forbidden('sign in to edit');
    const c = await this.lineComment(v, commentId, actor.user.id);
    if (c.poster_id !== actor.user.id && !(await this.canWrite(actor, v))) throw Forbidden('only the author or a writer may edit this comment');
    checkBody(body);
    if (!body.trim()) throw Invalid('body: must not be empty');
    return this.s.db.updateTable('pull_line_comments').set({ body, updated_at: Date.now() }).where('id', '=', c.id).returningAll().executeTakeFirstOrThrow();
  }

  async deleteComment(actor: Actor, v: PullView, commentId: number): Promise<void> {
    if (actor.kind !== 'user') throw Forbidden('sign in to delete');
    const c = await this.lineComment(v, commentId, actor.user.id);
    if (c.poster_id !== actor.user.id && !(await this.canWrite(actor, v))) throw Forbidden('only the author or a writer may delete this comment');
    await this.s.db
      .deleteFrom('pull_line_comments')
      .where((eb) => eb.or([eb('id', '=', c.id), eb('reply_to', '=', c.id)]))
      .execute();
    await this.pulls.announce(v.base, v.pull.index, 'comment');
  }

  /** Asks people to review (writers, or the author); each gets a notification. */
  async request(actor: Actor, v: PullView, names: string[], add: boolean): Promise<number[]> {
    if (actor.kind !== 'user') throw Forbidden('sign in to request reviews');
    if (!(await this.canWrite(actor, v)) && v.issue.poster_id !== actor.user.id) throw Forbidden('only the author or a writer may request reviews');
    const ids: number[] = [];
    const nameOf = new Map<number, string>();
    for (const n of new Set(names.map((x) => x.toLowerCase()))) {
      const u = await this.s.users.byName(n);
      if (!u || u.type !== 0) throw Invalid(`reviewers: no such user "${n}"`);
      if (add && u.id === v.issue.poster_id) throw Invalid('reviewers: the author cannot review their own pull request');
      if (add && LEVEL_ORDER[await this.pulls.levelOf(u.id, v.base)] < LEVEL_ORDER.read) throw Invalid(`reviewers: ${u.name} cannot read this repository`);
      ids.push(u.id);
      nameOf.set(u.id, u.name);
    }
    const now = Date.now();
    await this.s.db.transaction().execute(async (trx) => {
      for (const id of ids) {
        if (!add) {
          await trx.deleteFrom('pull_review_requests').where('pull_id', '=', v.pull.id).where('user_id', '=', id).execute();
          continue;
        }
        const had = await trx.selectFrom('pull_review_requests').select('user_id').where('pull_id', '=', v.pull.id).where('user_id', '=', id).executeTakeFirst();
        if (had) continue;
        await trx.insertInto('pull_review_requests').values({ pull_id: v.pull.id, user_id: id, requested_by: actor.user.id, created_at: now }).execute();
        await this.s.issues.addEntry(trx, v.issue.id, actor.user.id, 'review_request', '', { user_id: id, user: nameOf.get(id) });
        await this.s.events.record(trx, 'pull.review_requested', { pullId: v.pull.id, repoId: v.base.repo.id, index: v.pull.index, userId: id, actorId: actor.user.id });
      }
    });
    this.s.events.kick();
    await this.pulls.announce(v.base, v.pull.index, 'review');
    return ids;
  }

  async requested(pullId: number): Promise<number[]> {
    return (await this.s.db.selectFrom('pull_review_requests').select('user_id').where('pull_id', '=', pullId).orderBy('created_at').execute()).map((r) => r.user_id);
  }

  /** Marks a file viewed at its current blob (a later change to it un-marks it), or un-marks it. */
  async setViewed(actor: Actor, v: PullView, path: string, viewed: boolean): Promise<void> {
    if (actor.kind !== 'user') throw Forbidden('sign in to mark files viewed');
    if (!viewed) {
      await this.s.db.deleteFrom('pull_viewed_files').where('pull_id', '=', v.pull.id).where('user_id', '=', actor.user.id).where('path', '=', path).execute();
      return;
    }
    const changes = await this.s.browse.compareChanges(this.pulls.target(v.base), v.pull.merge_base, v.pull.head_sha);
    const f = changes.find((c) => c.path === path);
    if (!f) throw Invalid(`${path} is not changed by this pull request`);
    await this.s.db
      .insertInto('pull_viewed_files')
      .values({ pull_id: v.pull.id, user_id: actor.user.id, path, blob_sha: f.newSha })
      .onConflict((oc) => oc.columns(['pull_id', 'user_id', 'path']).doUpdateSet({ blob_sha: f.newSha }))
      .execute();
  }

  /** Paths the viewer marked viewed whose content is still what they saw. */
  async viewed(v: PullView, userId: number, changes: { path: string; newSha: string }[]): Promise<Set<string>> {
    const rows = await this.s.db.selectFrom('pull_viewed_files').select(['path', 'blob_sha']).where('pull_id', '=', v.pull.id).where('user_id', '=', userId).execute();
    const now = new Map(changes.map((c) => [c.path, c.newSha]));
    return new Set(rows.filter((r) => now.get(r.path) === r.blob_sha).map((r) => r.path));
  }

  /**
   * After the head moved: a comment whose line no longer reads the same in the new diff (or is
   * no longer in it) is outdated; it keeps its diff_hunk and stays attached to its commit.
   */
  async markOutdated(pullId: number): Promise<number> {
    const v = await this.pulls.view(pullId);
    const live = await this.s.db.selectFrom('pull_line_comments').selectAll().where('pull_id', '=', pullId).where('outdated', '=', 0).where('reply_to', 'is', null).execute();
    let marked = 0;
    const patches = new Map<string, PatchLines | null>();
    for (const c of live) {
      if (c.commit_id === v.pull.head_sha) continue;
      if (!patches.has(c.path)) {
        const p = await this.filePatch(v, c.path);
        patches.set(c.path, p === null ? null : parsePatchLines(p));
      }
      const lines = patches.get(c.path);
      const now = lines ? (c.side === 'LEFT' ? lines.old : lines.new).get(c.line) : undefined;
      if (now && now.text === c.line_text) continue;
      await this.s.db
        .updateTable('pull_line_comments')
        .set({ outdated: 1 })
        .where((eb) => eb.or([eb('id', '=', c.id), eb('reply_to', '=', c.id)]))
        .execute();
      marked++;
    }
    if (marked) await this.pulls.announce(v.base, v.pull.index, 'comment');
    return marked;
  }
}
