// Follows, blocks and a profile's contribution heatmap.
//
// A follow is one row (follower, followed); the two counts Gitea shows on a user are kept on
// the users row and recounted in the transaction that changes a follow. That transaction first
// touches both users rows, so on PostgreSQL two follows of the same person wait for each other
// instead of both counting from the same snapshot (SQLite runs one writer at a time anyway).
// A block stands between two people both ways: neither can follow the other, and blocking
// ends the follows there were.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Actor } from '../access/index.js';
import type { Database, UserRow } from '../db/schema.js';
import { Forbidden, Invalid } from '../lib/errors.js';
import type { Services } from '../services.js';
import { USER_TYPE } from '../users/index.js';

const DAY_MS = 86_400_000;
/** How far back a heatmap reaches: a year, and the rest of the oldest week shown. */
const HEATMAP_DAYS = 371;

export interface Page {
  page: number;
  limit: number;
}

/** One day with contributions: its start (Unix seconds, UTC) and how many. */
export interface HeatmapDay {
  timestamp: number;
  contributions: number;
}

export class SocialService {
  constructor(private readonly s: Services) {}

  private get db(): Kysely<Database> {
    return this.s.db;
  }

  /** Who blocked whom between `a` and `b`: a's block, b's block, or neither. */
  async blockBetween(a: number, b: number): Promise<'a' | 'b' | null> {
    const rows = await this.db
      .selectFrom('user_blocks')
      .select('blocker_id')
      .where((eb) => eb.or([eb.and([eb('blocker_id', '=', a), eb('blocked_id', '=', b)]), eb.and([eb('blocker_id', '=', b), eb('blocked_id', '=', a)])]))
      .execute();
    if (rows.some((r) => r.blocker_id === a)) return 'a';
    return rows.length > 0 ? 'b' : null;
  }

  /** `me` follows `target` (a no-op when it already does). */
  async follow(me: UserRow, target: UserRow): Promise<void> {
    if (target.id === me.id) throw Invalid('you cannot follow yourself');
    if (target.type === USER_TYPE.organization) throw Invalid(`${target.name} is an organization: watch its repositories to follow its work`);
    const block = await this.blockBetween(me.id, target.id);
    if (block === 'a') throw Forbidden(`you have blocked ${target.name}: unblock them to follow them`);
    if (block === 'b') throw Forbidden(`${target.name} has blocked you: you cannot follow them`);
    await this.db.transaction().execute(async (trx) => {
      await lockUsers(trx, [me.id, target.id]);
      // a block that landed meanwhile wins
      const blocked = await trx
        .selectFrom('user_blocks')
        .select('blocker_id')
        .where((eb) => eb.or([eb.and([eb('blocker_id', '=', me.id), eb('blocked_id', '=', target.id)]), eb.and([eb('blocker_id', '=', target.id), eb('blocked_id', '=', me.id)])]))
        .executeTakeFirst();
      if (blocked) throw Forbidden(blocked.blocker_id === me.id ? `you have blocked ${target.name}: unblock them to follow them` : `${target.name} has blocked you: you cannot follow them`);
      await trx
        .insertInto('follows')
        .values({ user_id: me.id, follow_id: target.id, created_at: Date.now() })
        .onConflict((oc) => oc.columns(['user_id', 'follow_id']).doNothing())
        .execute();
      await recount(trx, [me.id, target.id]);
    });
  }

  /** `me` stops following `target` (a no-op when it doesn't). */
  async unfollow(me: UserRow, target: UserRow): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await lockUsers(trx, [me.id, target.id]);
      await trx.deleteFrom('follows').where('user_id', '=', me.id).where('follow_id', '=', target.id).execute();
      await recount(trx, [me.id, target.id]);
    });
  }

  /** Who sees what `userId` does in their home feed: their followers, and themselves. */
  async audience(userId: number): Promise<number[]> {
    const rows = await this.db.selectFrom('follows').select('user_id').where('follow_id', '=', userId).execute();
    return [userId, ...rows.map((r) => r.user_id)];
  }

  async isFollowing(followerId: number, followedId: number): Promise<boolean> {
    return !!(await this.db.selectFrom('follows').select('user_id').where('user_id', '=', followerId).where('follow_id', '=', followedId).executeTakeFirst());
  }

  /** The people following `userId`, newest follow first. */
  followers(userId: number, page: Page): Promise<{ items: UserRow[]; total: number }> {
    return this.people('follow_id', 'user_id', userId, page);
  }

  /** The people `userId` follows, newest follow first. */
  following(userId: number, page: Page): Promise<{ items: UserRow[]; total: number }> {
    return this.people('user_id', 'follow_id', userId, page);
  }

  private async people(by: 'user_id' | 'follow_id', other: 'user_id' | 'follow_id', userId: number, page: Page): Promise<{ items: UserRow[]; total: number }> {
    const base = this.db.selectFrom('follows as f').innerJoin('users as u', 'u.id', `f.${other}`).where(`f.${by}`, '=', userId);
    const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const items = await base
      .selectAll('u')
      .orderBy('f.created_at', 'desc')
      .orderBy('u.id', 'desc')
      .limit(page.limit)
      .offset((page.page - 1) * page.limit)
      .execute();
    return { items, total: Number(total.n) };
  }

  /** `me` blocks `target`: the follows between them end (a no-op when already blocked). */
  async block(me: UserRow, target: UserRow): Promise<void> {
    if (target.id === me.id) throw Invalid('you cannot block yourself');
    if (target.type === USER_TYPE.organization) throw Invalid(`${target.name} is an organization: only people can be blocked`);
    await this.db.transaction().execute(async (trx) => {
      await lockUsers(trx, [me.id, target.id]);
      await trx
        .insertInto('user_blocks')
        .values({ blocker_id: me.id, blocked_id: target.id, created_at: Date.now() })
        .onConflict((oc) => oc.columns(['blocker_id', 'blocked_id']).doNothing())
        .execute();
      await trx
        .deleteFrom('follows')
        .where((eb) => eb.or([eb.and([eb('user_id', '=', me.id), eb('follow_id', '=', target.id)]), eb.and([eb('user_id', '=', target.id), eb('follow_id', '=', me.id)])]))
        .execute();
      await recount(trx, [me.id, target.id]);
    });
  }

  async unblock(me: UserRow, target: UserRow): Promise<void> {
    await this.db.deleteFrom('user_blocks').where('blocker_id', '=', me.id).where('blocked_id', '=', target.id).execute();
  }

  /** The people `me` blocked, newest first. */
  async blocked(me: UserRow, page: Page): Promise<{ items: UserRow[]; total: number }> {
    const base = this.db.selectFrom('user_blocks as b').innerJoin('users as u', 'u.id', 'b.blocked_id').where('b.blocker_id', '=', me.id);
    const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const items = await base
      .selectAll('u')
      .orderBy('b.created_at', 'desc')
      .orderBy('u.id', 'desc')
      .limit(page.limit)
      .offset((page.page - 1) * page.limit)
      .execute();
    return { items, total: Number(total.n) };
  }

  /**
   * The user's pushes per day (UTC) over the last year, oldest first, counting only pushes to
   * repositories `viewer` may read: a private repository's work shows to its readers alone.
   * Every push event counts once (git, the web editor, merges), as Gitea counts actions.
   */
  async heatmap(viewer: Actor, user: UserRow, now = Date.now()): Promise<HeatmapDay[]> {
    const since = (Math.floor(now / DAY_MS) - HEATMAP_DAYS + 1) * DAY_MS;
    // a literal divisor: integer division on both databases (a bound JS number is a REAL in SQLite)
    const day = sql<number>`pe.created_at / ${sql.lit(DAY_MS)}`;
    const rows = await this.db
      .selectFrom('push_events as pe')
      .innerJoin('repositories as r', 'r.id', 'pe.repo_id')
      .where('pe.pusher_id', '=', user.id)
      .where('pe.created_at', '>=', since)
      .where(this.s.repos.visibleTo(viewer) as never)
      .select([day.as('day'), (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(day)
      .orderBy(day)
      .execute();
    return rows.map((r) => ({ timestamp: (Number(r.day) * DAY_MS) / 1000, contributions: Number(r.n) }));
  }
}

/** Takes the users rows' locks (PostgreSQL) before anything counts: the same order for everyone. */
async function lockUsers(trx: Transaction<Database>, ids: number[]): Promise<void> {
  await trx
    .updateTable('users')
    .set((eb) => ({ num_followers: eb.ref('num_followers') }))
    .where(
      'id',
      'in',
      [...ids].sort((a, b) => a - b),
    )
    .execute();
}

/** Sets both counts of these users from the follows table. */
async function recount(trx: Transaction<Database>, ids: number[]): Promise<void> {
  await trx
    .updateTable('users')
    .set((eb) => ({
      num_followers: eb
        .selectFrom('follows')
        .select((f) => f.fn.countAll<number>().as('n'))
        .whereRef('follows.follow_id', '=', 'users.id'),
      num_following: eb
        .selectFrom('follows')
        .select((f) => f.fn.countAll<number>().as('n'))
        .whereRef('follows.user_id', '=', 'users.id'),
    }))
    .where('id', 'in', ids)
    .execute();
}
