// Reports and what site administrators do about them. Anyone signed in can report a post, a
// message of a thread they are in, or a person, with a reason; administrators hear of it live
// and see the open reports in the console, where they dismiss one, or resolve it by hiding the
// post or message (nobody but administrators sees it after that) or by disabling the account
// (the users service's own switch: sign-in and tokens stop). One open report per reporter and
// thing: reporting it again answers the same report.
import type { UserRow } from '../db/schema.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import type { Services } from '../services.js';
import type { ReportKind, ReportRow, ReportState } from './schema.js';

export const REASON_MAX = 1000;
export type ReportAction = 'hide' | 'disable' | 'none';

export class ModerationService {
  constructor(private readonly s: Services) {}

  async report(me: UserRow, input: { kind: ReportKind; id?: number; username?: string; reason: string }): Promise<{ report: ReportRow; created: boolean }> {
    const reason = input.reason.trim();
    if (!reason) throw Invalid('reason: say what is wrong');
    if (reason.length > REASON_MAX) throw Invalid(`reason: at most ${REASON_MAX} characters`);
    let target: { post_id: number | null; message_id: number | null; user_id: number | null };
    if (input.kind === 'post') {
      const post = input.id ? await this.s.posts.get(input.id) : undefined;
      if (!post || (post.hidden_at !== null && me.is_admin !== 1)) throw NotFound(`post ${input.id ?? ''} does not exist`);
      target = { post_id: post.id, message_id: null, user_id: post.author_id };
    } else if (input.kind === 'message') {
      const msg = input.id ? await this.s.db.selectFrom('messages').selectAll().where('id', '=', input.id).executeTakeFirst() : undefined;
      const member = msg ? await this.s.db.selectFrom('message_thread_members').select('user_id').where('thread_id', '=', msg.thread_id).where('user_id', '=', me.id).executeTakeFirst() : undefined;
      if (!msg || !member) throw NotFound(`message ${input.id ?? ''} not found in your threads`);
      target = { post_id: null, message_id: msg.id, user_id: msg.author_id };
    } else {
      const u = input.username ? await this.s.users.byName(input.username) : undefined;
      if (!u) throw NotFound(`user "${input.username ?? ''}" does not exist`);
      if (u.id === me.id) throw Invalid('you cannot report yourself');
      target = { post_id: null, message_id: null, user_id: u.id };
    }
    const key = target.post_id !== null ? `post:${target.post_id}` : target.message_id !== null ? `message:${target.message_id}` : `user:${target.user_id!}`;
    const openOne = () => this.s.db.selectFrom('reports').selectAll().where('reporter_id', '=', me.id).where('target', '=', key).where('state', '=', 'open').executeTakeFirst();
    const open = await openOne();
    if (open) return { report: open, created: false };
    // two reports racing: the unique index on open (reporter, target) keeps one, and the other answers it
    const report = await this.s.db
      .insertInto('reports')
      .values({ reporter_id: me.id, kind: input.kind, ...target, target: key, reason, resolved_by: null, resolution: null, created_at: Date.now(), resolved_at: null })
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!report) {
      const other = await openOne();
      if (!other) throw new Error(`report of ${key} by ${me.id} neither made nor found`);
      return { report: other, created: false };
    }
    this.s.realtime.toAdmins('report.created', { id: report.id });
    return { report, created: true };
  }

  list(state: ReportState | 'all', limit = 100): Promise<ReportRow[]> {
    let q = this.s.db.selectFrom('reports').selectAll();
    if (state !== 'all') q = q.where('state', '=', state);
    return q.orderBy('id', 'desc').limit(limit).execute();
  }

  async get(id: number): Promise<ReportRow> {
    const r = Number.isSafeInteger(id) ? await this.s.db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
    if (!r) throw NotFound(`report ${id} does not exist`);
    return r;
  }

  /**
   * An administrator closes a report: dismissed, or resolved by hiding what was reported or
   * disabling its author. The report is claimed (open → closed) in the transaction that hides;
   * of two administrators at once, one closes it and the other hears it is already closed.
   */
  async resolve(admin: UserRow, report: ReportRow, state: Exclude<ReportState, 'open'>, action: ReportAction, ctx: { ip?: string | null } = {}): Promise<ReportRow> {
    if (admin.is_admin !== 1) throw Forbidden('only site administrators handle reports');
    if (state === 'dismissed' && action !== 'none') throw Invalid('action: a dismissed report changes nothing');
    if (action === 'hide' && report.post_id === null && report.message_id === null) throw Invalid('action: a person is not hidden; disable the account instead');
    const author = action === 'disable' && report.user_id !== null ? await this.s.users.byId(report.user_id) : undefined;
    if (action === 'disable' && !author) throw Invalid('action: the account is gone');
    const now = Date.now();
    const closed = await this.s.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('reports')
        .set({ state, resolution: action === 'hide' ? 'hidden' : action === 'disable' ? 'disabled' : 'none', resolved_by: admin.id, resolved_at: now })
        .where('id', '=', report.id)
        .where('state', '=', 'open')
        .returningAll()
        .executeTakeFirst();
      if (!row) {
        const current = await trx.selectFrom('reports').select('state').where('id', '=', report.id).executeTakeFirst();
        throw Invalid(`report ${report.id} is already ${current?.state ?? 'gone'}`);
      }
      if (action === 'hide') {
        if (report.post_id !== null) await trx.updateTable('posts').set({ hidden_at: now }).where('id', '=', report.post_id).execute();
        else await trx.updateTable('messages').set({ hidden_at: now }).where('id', '=', report.message_id!).execute();
      }
      return row;
    });
    if (author) {
      try {
        // the users service's own switch (its audit entry and its last-administrator guard)
        await this.s.users.adminUpdate(author, { prohibitLogin: true }, { actorId: admin.id, ip: ctx.ip ?? null });
      } catch (err) {
        // not disabled: the report is open again, for another try
        await this.s.db.updateTable('reports').set({ state: 'open', resolution: null, resolved_by: null, resolved_at: null }).where('id', '=', report.id).execute();
        throw err;
      }
    }
    return closed;
  }
}
