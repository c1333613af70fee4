// Notification threads: what a user is told about (a push to a repository they watch, being
// added as a collaborator; later mentions, reviews and comments), read and unread, in Gitea's
// NotificationThread shape. A thread is created once per (user, event) whatever the redeliveries,
// announced live to the user's sockets, and recorded as a `notification.created` event that the
// mailer consumes with its own retries.
import type { Db } from '../db/index.js';
import type { EventBus } from '../events/index.js';
import { Invalid, NotFound } from '../lib/errors.js';
import type { RealtimeHub } from '../realtime/index.js';
import type { NotificationRow } from './schema.js';

/** Why a user is notified; each reason has its own mail switch. */
export const MAIL_DEFAULTS = { push: false, collaborator: true, mention: true, assign: true, review: true, comment: true, ci: true } as const;
export type NotificationReason = keyof typeof MAIL_DEFAULTS;
export type MailSettings = Record<NotificationReason, boolean>;

/** Gitea's subject types, and Gitssy's `Post` (a mention in a post). */
export type SubjectType = 'Commit' | 'Repository' | 'Issue' | 'Pull' | 'Post';

export interface NewNotification {
  userId: number;
  repoId: number | null;
  /** The outbox event that caused it: the thread's idempotency key. */
  eventId: number;
  reason: NotificationReason;
  subject: { type: SubjectType; title: string; url: string; htmlUrl: string; state?: string | null };
}

export interface RepoSummary {
  id: number;
  name: string;
  owner: string;
  ownerId: number;
  visibility: string;
}

/** Gitea's NotificationThread. URLs are made absolute with `base` (empty: site-relative). */
export function threadJson(n: NotificationRow, repo: RepoSummary | null, base: string) {
  return {
    id: n.id,
    repository: repo
      ? {
          id: repo.id,
          name: repo.name,
          full_name: `${repo.owner}/${repo.name}`,
          owner: { id: repo.ownerId, login: repo.owner, username: repo.owner },
          private: repo.visibility === 'private',
          internal: repo.visibility === 'internal',
          html_url: `${base}/${repo.owner}/${repo.name}`,
        }
      : null,
    subject: {
      title: n.subject_title,
      url: `${base}${n.subject_url}`,
      html_url: `${base}${n.subject_html_url}`,
      latest_comment_url: '',
      latest_comment_html_url: '',
      type: n.subject_type,
      state: n.subject_state,
    },
    unread: n.unread === 1,
    pinned: n.pinned === 1,
    updated_at: new Date(n.updated_at).toISOString(),
    url: `${base}/api/v1/notifications/threads/${n.id}`,
  };
}

export type NotificationThread = ReturnType<typeof threadJson>;

export interface ListOptions {
  /** Include read threads (Gitea's `all=true`); default unread and pinned only. */
  all?: boolean;
  /** Gitea's `status-types`: unread, read, pinned. Overrides `all`. */
  statusTypes?: ('unread' | 'read' | 'pinned')[];
  repoId?: number;
  since?: number;
  before?: number;
  page: number;
  limit: number;
}

export class NotificationService {
  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly realtime: RealtimeHub,
    /** The public URL for links in live events and mail ('' = site-relative). */
    private readonly publicBase: () => string,
  ) {}

  /** Creates the thread unless this event already made one for this user; announces it live. */
  async notify(n: NewNotification): Promise<NotificationRow | null> {
    const now = Date.now();
    const row = await this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('notifications')
        .values({
          user_id: n.userId,
          repo_id: n.repoId,
          event_id: n.eventId,
          subject_type: n.subject.type,
          subject_title: n.subject.title.slice(0, 512),
          subject_url: n.subject.url,
          subject_html_url: n.subject.htmlUrl,
          subject_state: n.subject.state ?? null,
          reason: n.reason,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.columns(['user_id', 'event_id']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) await this.events.record(trx, 'notification.created', { notificationId: inserted.id, userId: n.userId, reason: n.reason });
      return inserted ?? null;
    });
    if (!row) return null;
    this.events.kick();
    this.realtime.toUser(n.userId, 'notification', threadJson(row, await this.repoSummary(row.repo_id), this.publicBase()));
    return row;
  }

  async list(userId: number, opts: ListOptions): Promise<{ rows: { row: NotificationRow; repo: RepoSummary | null }[]; total: number }> {
    let q = this.db.selectFrom('notifications').where('user_id', '=', userId);
    const types = opts.statusTypes ?? (opts.all ? ['unread', 'read', 'pinned'] : ['unread', 'pinned']);
    q = q.where((eb) => {
      const ors = [];
      if (types.includes('unread')) ors.push(eb('unread', '=', 1));
      if (types.includes('read')) ors.push(eb('unread', '=', 0));
      if (types.includes('pinned')) ors.push(eb('pinned', '=', 1));
      return ors.length ? eb.or(ors) : eb.val(false);
    });
    if (opts.repoId !== undefined) q = q.where('repo_id', '=', opts.repoId);
    if (opts.since !== undefined) q = q.where('updated_at', '>=', opts.since);
    if (opts.before !== undefined) q = q.where('updated_at', '<', opts.before);
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const rows = await q
      .selectAll()
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(opts.limit)
      .offset((opts.page - 1) * opts.limit)
      .execute();
    const repos = await this.repoSummaries([...new Set(rows.map((r) => r.repo_id).filter((id): id is number => id !== null))]);
    return { rows: rows.map((row) => ({ row, repo: row.repo_id === null ? null : (repos.get(row.repo_id) ?? null) })), total };
  }

  async unreadCount(userId: number): Promise<number> {
    const r = await this.db
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('unread', '=', 1)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async get(userId: number, id: number): Promise<{ row: NotificationRow; repo: RepoSummary | null }> {
    const row = await this.db.selectFrom('notifications').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    // another user's thread is answered exactly like a missing one
    if (!row) throw NotFound('notification thread not found');
    return { row, repo: await this.repoSummary(row.repo_id) };
  }

  /** Marks one thread read, unread or pinned (Gitea's `to-status`). */
  async setStatus(userId: number, id: number, status: 'read' | 'unread' | 'pinned'): Promise<{ row: NotificationRow; repo: RepoSummary | null }> {
    await this.get(userId, id);
    const set = status === 'pinned' ? { pinned: 1, updated_at: Date.now() } : { unread: status === 'unread' ? 1 : 0, pinned: 0, updated_at: Date.now() };
    await this.db.updateTable('notifications').set(set).where('id', '=', id).where('user_id', '=', userId).execute();
    this.realtime.toUser(userId, 'notification.count', { new: await this.unreadCount(userId) });
    return this.get(userId, id);
  }

  /** Marks threads read (or `toStatus`) up to `lastReadAt`; returns the ids changed. */
  async markAll(userId: number, opts: { lastReadAt?: number; repoId?: number; statusTypes?: ('unread' | 'read' | 'pinned')[]; toStatus?: 'read' | 'unread' | 'pinned' }): Promise<number[]> {
    const to = opts.toStatus ?? 'read';
    const from = opts.statusTypes ?? ['unread'];
    let q = this.db
      .selectFrom('notifications')
      .select('id')
      .where('user_id', '=', userId)
      .where((eb) => {
        const ors = [];
        if (from.includes('unread')) ors.push(eb('unread', '=', 1));
        if (from.includes('read')) ors.push(eb('unread', '=', 0));
        if (from.includes('pinned')) ors.push(eb('pinned', '=', 1));
        return ors.length ? eb.or(ors) : eb.val(false);
      });
    if (opts.lastReadAt !== undefined) q = q.where('updated_at', '<=', opts.lastReadAt);
    if (opts.repoId !== undefined) q = q.where('repo_id', '=', opts.repoId);
    const ids = (await q.execute()).map((r) => r.id);
    const set = to === 'pinned' ? { pinned: 1 } : { unread: to === 'unread' ? 1 : 0, pinned: 0 };
    for (let i = 0; i < ids.length; i += 500) {
      await this.db
        .updateTable('notifications')
        .set({ ...set, updated_at: Date.now() })
        .where('user_id', '=', userId)
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
    }
    this.realtime.toUser(userId, 'notification.count', { new: await this.unreadCount(userId) });
    return ids;
  }

  async mailSettings(userId: number): Promise<MailSettings> {
    const row = await this.db.selectFrom('notification_settings').select('mail').where('user_id', '=', userId).executeTakeFirst();
    const stored = row ? (JSON.parse(row.mail) as Partial<MailSettings>) : {};
    return Object.fromEntries(Object.entries(MAIL_DEFAULTS).map(([k, v]) => [k, typeof stored[k as NotificationReason] === 'boolean' ? stored[k as NotificationReason] : v])) as MailSettings;
  }

  async setMailSettings(userId: number, change: Partial<Record<string, unknown>>): Promise<MailSettings> {
    const next = await this.mailSettings(userId);
    for (const [k, v] of Object.entries(change)) {
      if (!(k in MAIL_DEFAULTS)) throw Invalid(`mail.${k}: unknown notification kind; known kinds: ${Object.keys(MAIL_DEFAULTS).join(', ')}`);
      if (typeof v !== 'boolean') throw Invalid(`mail.${k}: must be true or false`);
      next[k as NotificationReason] = v;
    }
    const now = Date.now();
    await this.db
      .insertInto('notification_settings')
      .values({ user_id: userId, mail: JSON.stringify(next), updated_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ mail: JSON.stringify(next), updated_at: now }))
      .execute();
    return next;
  }

  async repoSummary(repoId: number | null): Promise<RepoSummary | null> {
    if (repoId === null) return null;
    return (await this.repoSummaries([repoId])).get(repoId) ?? null;
  }

  private async repoSummaries(ids: number[]): Promise<Map<number, RepoSummary>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('repositories as r')
      .innerJoin('users as u', 'u.id', 'r.owner_id')
      .select(['r.id as id', 'r.name as name', 'u.name as owner', 'u.id as ownerId', 'r.visibility as visibility'])
      .where('r.id', 'in', ids)
      .execute();
    return new Map(rows.map((r) => [r.id, r]));
  }
}
