// Direct messages, between people who follow each other (the seed's rule): one thread per pair,
// and small group threads that someone makes from their mutual followers. A block stands here
// as everywhere: no thread with, and no message to, someone who blocked you or whom you blocked.
// A message is stored before anyone is told; then every member's tabs get it live (`message`),
// and each member's unread count follows. Members mark how far they have read; the others see
// it (`message.read`) unless that member turned read receipts off.
import { sql } from 'kysely';
import type { UserRow } from '../db/schema.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import type { Services } from '../services.js';
import { USER_TYPE } from '../users/index.js';
import type { SocialRates } from './rates.js';
import type { MessageRow, MessageThreadRow } from './schema.js';
import type { SocialService } from './service.js';

export const MESSAGE_MAX = 10_000;
/** Members of a group thread besides its maker. */
export const GROUP_MAX = 20;

export interface ThreadView {
  thread: MessageThreadRow;
  members: UserRow[];
  lastMessage: MessageRow | null;
  unread: number;
}

export class MessageService {
  constructor(
    private readonly s: Services,
    private readonly social: SocialService,
    private readonly rates: SocialRates,
  ) {}

  /** Whether `a` and `b` follow each other. */
  async mutual(a: number, b: number): Promise<boolean> {
    const rows = await this.s.db
      .selectFrom('follows')
      .select('user_id')
      .where((eb) => eb.or([eb.and([eb('user_id', '=', a), eb('follow_id', '=', b)]), eb.and([eb('user_id', '=', b), eb('follow_id', '=', a)])]))
      .execute();
    return rows.length === 2;
  }

  /** Refuses when `me` may not message `other`: a block either way, or not mutual followers. */
  async assertMayMessage(me: UserRow, other: UserRow): Promise<void> {
    const block = await this.social.blockBetween(me.id, other.id);
    if (block === 'a') throw Forbidden(`you have blocked ${other.name}: unblock them to message them`);
    if (block === 'b') throw Forbidden(`${other.name} has blocked you: you cannot message them`);
    if (!(await this.mutual(me.id, other.id))) throw Forbidden(`you can message ${other.name} once you follow each other`);
  }

  /**
   * The thread between `me` and `names`: for one other person, theirs (made the first time,
   * `created` true); for several, a new group. Every participant must be a mutual follower.
   */
  async open(me: UserRow, names: readonly string[], title = ''): Promise<{ thread: MessageThreadRow; created: boolean }> {
    const wanted = [...new Set(names.map((n) => n.trim().toLowerCase()).filter(Boolean))].filter((n) => n !== me.lower_name);
    if (wanted.length === 0) throw Invalid('participants: name at least one other person');
    if (wanted.length > GROUP_MAX) throw Invalid(`participants: at most ${GROUP_MAX}`);
    if (title.length > 100) throw Invalid('title: at most 100 characters');
    const others: UserRow[] = [];
    for (const name of wanted) {
      const u = await this.s.users.byName(name);
      if (!u || u.type !== USER_TYPE.individual) throw NotFound(`user "${name}" does not exist`);
      await this.assertMayMessage(me, u);
      others.push(u);
    }
    const now = Date.now();
    if (others.length === 1) {
      const other = others[0]!;
      const key = [me.id, other.id].sort((a, b) => a - b).join(':');
      const existing = await this.s.db.selectFrom('message_threads').selectAll().where('pair_key', '=', key).executeTakeFirst();
      if (existing) return { thread: existing, created: false };
      return this.s.db.transaction().execute(async (trx) => {
        const made = await trx
          .insertInto('message_threads')
          .values({ kind: 'direct', pair_key: key, created_by: me.id, created_at: now, updated_at: now })
          .onConflict((oc) => oc.column('pair_key').doNothing())
          .returningAll()
          .executeTakeFirst();
        // two first messages at once: the other one made it
        if (!made) return { thread: await trx.selectFrom('message_threads').selectAll().where('pair_key', '=', key).executeTakeFirstOrThrow(), created: false };
        await trx
          .insertInto('message_thread_members')
          .values([me, other].map((u) => ({ thread_id: made.id, user_id: u.id, joined_at: now })))
          .execute();
        return { thread: made, created: true };
      });
    }
    return this.s.db.transaction().execute(async (trx) => {
      const made = await trx
        .insertInto('message_threads')
        .values({ kind: 'group', pair_key: null, title: title.trim(), created_by: me.id, created_at: now, updated_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('message_thread_members')
        .values([me, ...others].map((u) => ({ thread_id: made.id, user_id: u.id, joined_at: now })))
        .execute();
      return { thread: made, created: true };
    });
  }

  /** Thread `id` if `me` is in it (anyone else: not found). */
  async thread(me: UserRow, id: number): Promise<MessageThreadRow> {
    const t = Number.isSafeInteger(id)
      ? await this.s.db
          .selectFrom('message_threads as t')
          .innerJoin('message_thread_members as m', 'm.thread_id', 't.id')
          .selectAll('t')
          .where('t.id', '=', id)
          .where('m.user_id', '=', me.id)
          .executeTakeFirst()
      : undefined;
    if (!t) throw NotFound(`message thread ${id} not found`);
    return t;
  }

  async members(threadId: number): Promise<UserRow[]> {
    return this.s.db.selectFrom('message_thread_members as m').innerJoin('users as u', 'u.id', 'm.user_id').selectAll('u').where('m.thread_id', '=', threadId).orderBy('u.lower_name').execute();
  }

  /** Writes a message into a thread `me` is in, then tells every member. */
  async send(me: UserRow, thread: MessageThreadRow, bodyIn: string): Promise<MessageRow> {
    const body = bodyIn.trim();
    if (!body) throw Invalid('body: write something');
    if (body.length > MESSAGE_MAX) throw Invalid(`body: at most ${MESSAGE_MAX} characters`);
    const members = await this.members(thread.id);
    if (thread.kind === 'direct') {
      const other = members.find((u) => u.id !== me.id);
      if (other) await this.assertMayMessage(me, other);
    } else {
      const blocks = await this.blocksWith(
        me.id,
        members.map((u) => u.id),
      );
      if (blocks.some((b) => b.blocker_id !== me.id)) throw Forbidden('someone in this group has blocked you: you cannot write here');
      if (blocks.length) throw Forbidden('you have blocked someone in this group: unblock them to write here');
    }
    await this.rates.take(me.id, 'message');
    const now = Date.now();
    const msg = await this.s.db.transaction().execute(async (trx) => {
      const m = await trx.insertInto('messages').values({ thread_id: thread.id, author_id: me.id, body, created_at: now }).returningAll().executeTakeFirstOrThrow();
      await trx.updateTable('message_threads').set({ updated_at: now }).where('id', '=', thread.id).execute();
      // what you write, you have read
      await trx.updateTable('message_thread_members').set({ last_read_id: m.id }).where('thread_id', '=', thread.id).where('user_id', '=', me.id).execute();
      return m;
    });
    const json = await this.messageJson(msg, me);
    for (const u of members) {
      this.s.realtime.toUser(u.id, 'message', { thread_id: thread.id, message: json });
      if (u.id !== me.id) this.s.realtime.toUser(u.id, 'message.unread', { count: await this.unreadCount(u.id) });
    }
    return msg;
  }

  /** The blocks standing between `userId` and any of `others`, either way. */
  private async blocksWith(userId: number, others: readonly number[]): Promise<{ blocker_id: number; blocked_id: number }[]> {
    const ids = others.filter((id) => id !== userId);
    if (ids.length === 0) return [];
    return this.s.db
      .selectFrom('user_blocks')
      .select(['blocker_id', 'blocked_id'])
      .where((eb) => eb.or([eb.and([eb('blocked_id', '=', userId), eb('blocker_id', 'in', ids)]), eb.and([eb('blocker_id', '=', userId), eb('blocked_id', 'in', ids)])]))
      .execute();
  }

  /** A message as the API and the socket show it. */
  async messageJson(m: MessageRow, author?: UserRow | null) {
    const a = author ?? (m.author_id !== null ? await this.s.users.byId(m.author_id) : null);
    const hidden = m.hidden_at !== null;
    return {
      id: m.id,
      thread_id: m.thread_id,
      user: a ? { id: a.id, login: a.name, full_name: a.full_name } : null,
      // an administrator hid it after a report: its text is withheld from everyone
      body: hidden ? '' : m.body,
      body_html: hidden ? '' : ((await this.s.markup.markdown(m.body, null)) ?? ''),
      hidden,
      created_at: new Date(m.created_at).toISOString(),
    };
  }

  /** A page of a thread's messages, oldest first: those before message `before` (default: the newest). */
  async messages(threadId: number, opts: { before?: number; limit: number }): Promise<MessageRow[]> {
    let q = this.s.db.selectFrom('messages').selectAll().where('thread_id', '=', threadId);
    if (opts.before !== undefined) q = q.where('id', '<', opts.before);
    const rows = await q.orderBy('id', 'desc').limit(opts.limit).execute();
    return rows.reverse();
  }

  private memberships(me: UserRow) {
    return this.s.db
      .selectFrom('message_threads as t')
      .innerJoin('message_thread_members as m', 'm.thread_id', 't.id')
      .selectAll('t')
      .select(['m.last_read_id as last_read_id'])
      .where('m.user_id', '=', me.id);
  }

  /** `me`'s threads, the latest conversation first, each with its members, last message and unread count. */
  async threads(me: UserRow, limit = 200): Promise<ThreadView[]> {
    const rows = await this.memberships(me).orderBy('t.updated_at', 'desc').orderBy('t.id', 'desc').limit(limit).execute();
    const out: ThreadView[] = [];
    for (const r of rows) out.push(await this.viewOf(me, r));
    return out;
  }

  /** Thread `id` as `me` sees it in their list (anyone not in it: not found). */
  async view(me: UserRow, id: number): Promise<ThreadView> {
    const row = Number.isSafeInteger(id) ? await this.memberships(me).where('t.id', '=', id).executeTakeFirst() : undefined;
    if (!row) throw NotFound(`message thread ${id} not found`);
    return this.viewOf(me, row);
  }

  private async viewOf(me: UserRow, row: MessageThreadRow & { last_read_id: number }): Promise<ThreadView> {
    const { last_read_id, ...thread } = row;
    const last = await this.s.db.selectFrom('messages').selectAll().where('thread_id', '=', thread.id).orderBy('id', 'desc').limit(1).executeTakeFirst();
    const unread = await this.s.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('thread_id', '=', thread.id)
      .where('id', '>', last_read_id)
      .where((eb) => eb.or([eb('author_id', 'is', null), eb('author_id', '!=', me.id)]))
      .executeTakeFirstOrThrow();
    return { thread, members: await this.members(thread.id), lastMessage: last ?? null, unread: Number(unread.n) };
  }

  /** Messages in `userId`'s threads they haven't read (their own never count). */
  async unreadCount(userId: number): Promise<number> {
    const row = await this.s.db
      .selectFrom('messages as msg')
      .innerJoin('message_thread_members as m', (j) => j.onRef('m.thread_id', '=', 'msg.thread_id').on('m.user_id', '=', userId))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .whereRef('msg.id', '>', 'm.last_read_id')
      .where((eb) => eb.or([eb('msg.author_id', 'is', null), eb('msg.author_id', '!=', userId)]))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** `me` has read thread `thread` up to message `upTo` (default: its newest). */
  async markRead(me: UserRow, thread: MessageThreadRow, upTo?: number): Promise<number> {
    const newest = await this.s.db.selectFrom('messages').select('id').where('thread_id', '=', thread.id).orderBy('id', 'desc').limit(1).executeTakeFirst();
    const to = Math.min(upTo ?? Number.MAX_SAFE_INTEGER, newest?.id ?? 0);
    // never backwards: what is stored (which may be further than `to`) is the answer, and what the others hear
    const row = await this.s.db
      .updateTable('message_thread_members')
      .set({ last_read_id: sql<number>`case when last_read_id > ${to} then last_read_id else ${to} end` })
      .where('thread_id', '=', thread.id)
      .where('user_id', '=', me.id)
      .returning('last_read_id')
      .executeTakeFirst();
    if (!row) throw NotFound(`message thread ${thread.id} not found`);
    const at = Number(row.last_read_id);
    this.s.realtime.toUser(me.id, 'message.unread', { count: await this.unreadCount(me.id) });
    if (await this.readReceipts(me.id)) {
      for (const u of await this.members(thread.id)) if (u.id !== me.id) this.s.realtime.toUser(u.id, 'message.read', { thread_id: thread.id, user: me.name, message_id: at });
    }
    return at;
  }

  /** Each member's read position, for the others to see: null for members who keep it to themselves. */
  async readPositions(thread: MessageThreadRow): Promise<{ user: string; last_read_id: number | null }[]> {
    const rows = await this.s.db
      .selectFrom('message_thread_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .leftJoin('messenger_prefs as p', 'p.user_id', 'm.user_id')
      .select(['u.name as name', 'm.last_read_id as last_read_id', 'p.read_receipts as receipts'])
      .where('m.thread_id', '=', thread.id)
      .orderBy('u.lower_name')
      .execute();
    return rows.map((r) => ({ user: r.name, last_read_id: r.receipts === 0 ? null : r.last_read_id }));
  }

  async readReceipts(userId: number): Promise<boolean> {
    const row = await this.s.db.selectFrom('messenger_prefs').select('read_receipts').where('user_id', '=', userId).executeTakeFirst();
    return (row?.read_receipts ?? 1) === 1;
  }

  async setReadReceipts(userId: number, on: boolean): Promise<void> {
    await this.s.db
      .insertInto('messenger_prefs')
      .values({ user_id: userId, read_receipts: on ? 1 : 0 })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ read_receipts: on ? 1 : 0 }))
      .execute();
  }

  /** Tells the other members that `me` is typing in `thread` (nothing is stored). */
  async typing(me: UserRow, threadId: number): Promise<void> {
    const thread = await this.thread(me, threadId);
    const members = await this.members(thread.id);
    // nobody hears someone they blocked, or who blocked them, typing
    const blocked = new Set(
      (
        await this.blocksWith(
          me.id,
          members.map((u) => u.id),
        )
      ).map((b) => (b.blocker_id === me.id ? b.blocked_id : b.blocker_id)),
    );
    for (const u of members) if (u.id !== me.id && !blocked.has(u.id)) this.s.realtime.toUser(u.id, 'message.typing', { thread_id: thread.id, user: me.name });
  }

  /** Messages in `me`'s own threads whose text holds `q`, newest first. */
  async search(me: UserRow, q: string, limit = 50): Promise<MessageRow[]> {
    const needle = q.trim().toLowerCase();
    if (needle.length < 2) throw Invalid('q: at least 2 characters');
    const like = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.s.db
      .selectFrom('messages as msg')
      .innerJoin('message_thread_members as m', (j) => j.onRef('m.thread_id', '=', 'msg.thread_id').on('m.user_id', '=', me.id))
      .selectAll('msg')
      .where('msg.hidden_at', 'is', null)
      .where(sql<boolean>`lower(msg.body) LIKE ${like} ESCAPE '\\'`)
      .orderBy('msg.id', 'desc')
      .limit(limit)
      .execute();
  }
}
