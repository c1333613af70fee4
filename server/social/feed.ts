// The home feed: what the people you follow (and you) posted and did, and what happened in the
// repositories you watch, newest first. Each thing is one `feed_items` row: a post is written
// with its row; pushes, issues and pull requests opened and merges become rows in a durable
// subscriber (keyed on the event, so a redelivery adds nothing), which then tells the people
// whose feed shows it, live (`feed.item`). A repository's items show only to those who can read
// it, now (not when they happened); a confidential issue never enters the feed, and one made
// confidential later leaves it; nothing from
// someone you blocked, or who blocked you, shows.
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import { scopeAllows, type Actor } from '../access/index.js';
import type { UserRow } from '../db/schema.js';
import { subscriber, type Subscriber } from '../events/index.js';
import { findMentions } from '../issues/index.js';
import '../notifications/index.js';
import type { PushEvent } from '../pushes/index.js';
import { facts as repoFacts, type RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import { toActorUser, USER_TYPE } from '../users/index.js';
import type { FeedItemRow, FeedKind } from './schema.js';

export const FEED_LIMIT_MAX = 50;
/** People one post can notify by naming them. */
const MENTIONS_MAX = 20;

const actorFor = (u: UserRow): Actor => ({ kind: 'user', user: toActorUser(u), scopes: null, via: 'session' });

export class FeedService {
  constructor(private readonly s: Services) {}

  /**
   * A page of `me`'s feed as `actor` (their session, or a token with its scopes) may see it: items
   * older than `before` (an item id), newest first. A token that may not read repositories sees
   * no repository's items.
   */
  async page(me: UserRow, actor: Actor, opts: { before?: number; limit: number }): Promise<FeedItemRow[]> {
    const readsRepos = actor.kind === 'user' && scopeAllows(actor.scopes, 'read', 'repository');
    // the repositories' filter, on the joined `r` (typed for a query over `r` alone)
    const visible = this.s.repos.visibleTo(actorFor(me)) as unknown as (eb: ExpressionBuilder<any, any>) => Expression<SqlBool>;
    let q = this.s.db
      .selectFrom('feed_items as fi')
      .leftJoin('repositories as r', 'r.id', 'fi.repo_id')
      .leftJoin('posts as p', 'p.id', 'fi.post_id')
      .selectAll('fi')
      // a post an administrator hid is gone from every feed
      .where('p.hidden_at', 'is', null)
      .where((eb) =>
        eb.or([
          eb('fi.actor_id', '=', me.id),
          eb('fi.actor_id', 'in', eb.selectFrom('follows').select('follow_id').where('user_id', '=', me.id)),
          eb('fi.repo_id', 'in', eb.selectFrom('watches').select('repo_id').where('user_id', '=', me.id)),
        ]),
      )
      .where((eb) => (readsRepos ? eb.or([eb('fi.repo_id', 'is', null), visible(eb)]) : eb('fi.repo_id', 'is', null)))
      // an issue made confidential after it was opened leaves the feed with it
      .where((eb) =>
        eb.not(eb.exists(eb.selectFrom('issues as i').select('i.id').whereRef('i.repo_id', '=', 'fi.repo_id').whereRef('i.index', '=', 'fi.issue_index').where('i.is_confidential', '=', 1))),
      )
      .where((eb) =>
        eb.or([
          eb('fi.actor_id', 'is', null),
          eb.and([
            eb('fi.actor_id', 'not in', eb.selectFrom('user_blocks').select('blocked_id').where('blocker_id', '=', me.id)),
            eb('fi.actor_id', 'not in', eb.selectFrom('user_blocks').select('blocker_id').where('blocked_id', '=', me.id)),
          ]),
        ]),
      );
    if (opts.before !== undefined) q = q.where('fi.id', '<', opts.before);
    return q.orderBy('fi.id', 'desc').limit(opts.limit).execute();
  }

  /** Adds an item made from event `eventId` (once), and tells the people who see it. */
  async add(eventId: number, item: { kind: FeedKind; actorId: number; repo: RepoRecord; issueIndex?: number; payload: Record<string, unknown>; at: number }): Promise<void> {
    const inserted = await this.s.db
      .insertInto('feed_items')
      .values({
        kind: item.kind,
        actor_id: item.actorId,
        repo_id: item.repo.repo.id,
        issue_index: item.issueIndex ?? null,
        event_id: eventId,
        payload: JSON.stringify(item.payload),
        created_at: item.at,
      })
      .onConflict((oc) => oc.column('event_id').doNothing())
      .returning('id')
      .executeTakeFirst();
    const row = inserted ?? (await this.s.db.selectFrom('feed_items').select('id').where('event_id', '=', eventId).executeTakeFirst());
    if (!row) return;
    await this.announce(row.id, item.actorId, item.repo);
  }

  /** `feed.item` to everyone whose feed shows item `id` (the actor's followers, the repository's watchers) and who may read it. */
  async announce(id: number, actorId: number, repo: RepoRecord | null): Promise<void> {
    const ids = new Set<number>([actorId]);
    for (const r of await this.s.db.selectFrom('follows').select('user_id').where('follow_id', '=', actorId).execute()) ids.add(r.user_id);
    if (repo) for (const r of await this.s.db.selectFrom('watches').select('user_id').where('repo_id', '=', repo.repo.id).execute()) ids.add(r.user_id);
    const blocks = await this.s.db
      .selectFrom('user_blocks')
      .select(['blocker_id', 'blocked_id'])
      .where((eb) => eb.or([eb('blocker_id', '=', actorId), eb('blocked_id', '=', actorId)]))
      .execute();
    for (const b of blocks) ids.delete(b.blocker_id === actorId ? b.blocked_id : b.blocker_id);
    const users = ids.size
      ? await this.s.db
          .selectFrom('users')
          .selectAll()
          .where('id', 'in', [...ids])
          .where('type', '=', USER_TYPE.individual)
          .execute()
      : [];
    for (const u of users) {
      if (this.s.users.loginProblem(u)) continue;
      if (repo && !(await this.s.access.can(actorFor(u), 'read', repoFacts(repo.repo)))) continue;
      this.s.realtime.toUser(u.id, 'feed.item', { id });
    }
  }
}

/** Pushes, issues and pull requests opened, and merges, into the feed. */
export function feedSubscribers(s: Services, feed: FeedService): Subscriber[] {
  return [
    subscriber({
      name: 'social.feed',
      events: ['push', 'issue.opened', 'pull.opened', 'pull.merged'],
      handle: async (e) => {
        if (e.type === 'push') {
          const p = e.payload as PushEvent;
          if (p.pusherId === null) return;
          const refs = p.updates.filter((u) => u.ref.startsWith('refs/heads/') || u.ref.startsWith('refs/tags/'));
          if (refs.length === 0) return;
          const rec = await s.repos.byId(p.repoId);
          if (!rec) return;
          const payload = { refs: refs.slice(0, 5).map((u) => ({ ref: u.ref, before: u.oldSha, after: u.newSha })), total: refs.length };
          await feed.add(e.id, { kind: 'push', actorId: p.pusherId, repo: rec, payload, at: e.at });
          return;
        }
        const p = e.payload as { repoId: number; index: number; actorId: number | null };
        if (p.actorId === null) return;
        const rec = await s.repos.byId(p.repoId);
        if (!rec) return;
        const issue = await s.db.selectFrom('issues').select(['title', 'is_confidential']).where('repo_id', '=', p.repoId).where('index', '=', p.index).executeTakeFirst();
        if (!issue || issue.is_confidential) return;
        const kind: FeedKind = e.type === 'issue.opened' ? 'issue' : e.type === 'pull.opened' ? 'pull' : 'merge';
        await feed.add(e.id, { kind, actorId: p.actorId, repo: rec, issueIndex: p.index, payload: { number: p.index, title: issue.title }, at: e.at });
      },
    }),
    subscriber({
      // `@name` in a post or a reply: a notification for each person named who may hear it
      name: 'social.mentions',
      events: ['post.created'],
      handle: async (e) => {
        const p = e.payload;
        const post = await s.db.selectFrom('posts').selectAll().where('id', '=', p.postId).executeTakeFirst();
        if (!post || post.hidden_at !== null) return;
        const author = await s.users.byId(post.author_id);
        if (!author) return;
        const names = findMentions(post.body).slice(0, MENTIONS_MAX);
        if (names.length === 0) return;
        const named = await s.db.selectFrom('users').selectAll().where('lower_name', 'in', names).where('type', '=', USER_TYPE.individual).execute();
        const blocks = await s.db
          .selectFrom('user_blocks')
          .select(['blocker_id', 'blocked_id'])
          .where((eb) => eb.or([eb('blocker_id', '=', author.id), eb('blocked_id', '=', author.id)]))
          .execute();
        const apart = new Set(blocks.map((b) => (b.blocker_id === author.id ? b.blocked_id : b.blocker_id)));
        const text = post.body.replace(/\s+/g, ' ').trim();
        for (const u of named) {
          if (u.id === author.id || apart.has(u.id) || s.users.loginProblem(u)) continue;
          await s.notifications.notify({
            userId: u.id,
            repoId: null,
            eventId: e.id,
            reason: 'mention',
            subject: {
              type: 'Post',
              title: `${author.name} mentioned you: ${text.length > 80 ? `${text.slice(0, 79)}…` : text}`,
              url: `/api/v1/posts/${post.id}`,
              htmlUrl: `/-/posts/${post.parent_id ?? post.id}`,
            },
          });
        }
      },
    }),
    subscriber({
      name: 'social.posts',
      events: ['post.created'],
      handle: async ({ payload: p }) => {
        if (p.parentId !== null) return; // a reply shows under its post, not in the feed
        const row = await s.db.selectFrom('feed_items').select('id').where('post_id', '=', p.postId).where('kind', '=', 'post').executeTakeFirst();
        if (row) await feed.announce(row.id, p.authorId, null);
      },
    }),
  ];
}
