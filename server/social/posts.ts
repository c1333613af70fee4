// Posts on the home feed: markdown as written, replies one level deep, and reactions with
// Gitea's names (shortcodes such as `:tada:` are taken for theirs). A post enters the feed in
// the transaction that writes it, with a durable `post.created` event that tells the author's
// followers live. A block stands here too: no replying to, or reacting on, the posts of someone
// who blocked you or whom you blocked.
import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/index.js';
import { REACTIONS } from '../issues/index.js';
import type { UserRow } from '../db/schema.js';
import { Forbidden, Invalid, NotFound } from '../lib/errors.js';
import type { Services } from '../services.js';
import { reencode, type Encoded } from './images.js';
import type { SocialRates } from './rates.js';
import type { PostRow } from './schema.js';
import type { SocialService } from './service.js';

export const POST_MAX = 10_000;
/** Pictures a post may carry. */
export const POST_IMAGES_MAX = 4;
/** A picture's longest side once re-encoded. */
export const POST_IMAGE_SIDE = 1600;

export type Reaction = (typeof REACTIONS)[number];

/** The shortcodes people type, for Gitea's reaction names. */
const SHORTCODES: Record<string, Reaction> = {
  thumbsup: '+1',
  thumbs_up: '+1',
  thumbsdown: '-1',
  thumbs_down: '-1',
  smile: 'laugh',
  laughing: 'laugh',
  joy: 'laugh',
  tada: 'hooray',
  party: 'hooray',
  thinking: 'confused',
  love: 'heart',
  ship: 'rocket',
  look: 'eyes',
};

/** Gitea's reaction name for `content` (a name, a shortcode, with or without colons), or a 422. */
export function reactionOf(content: string): Reaction {
  const bare = content
    .trim()
    .replace(/^:(.*):$/, '$1')
    .toLowerCase();
  if ((REACTIONS as readonly string[]).includes(bare)) return bare as Reaction;
  const mapped = SHORTCODES[bare];
  if (mapped) return mapped;
  throw Invalid(`content: "${content.slice(0, 20)}" is not a reaction (${REACTIONS.join(', ')}, or a shortcode such as :tada:)`);
}

/** A post's reactions: each kind with its count and whether the viewer gave it. */
export interface ReactionSummary {
  content: Reaction;
  count: number;
  reacted: boolean;
}

/**
 * Takes post `id`'s row lock for the rest of the transaction (on PostgreSQL a no-op update waits
 * for, and then sees, another transaction's replies; SQLite writes one transaction at a time).
 * False when the post is gone.
 */
async function lockPost(trx: Transaction<Database>, id: number): Promise<boolean> {
  const res = await trx
    .updateTable('posts')
    .set({ num_replies: sql<number>`num_replies` })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Sets post `id`'s reply count from its replies (under `lockPost`, so no two recounts interleave). */
async function recountReplies(trx: Transaction<Database>, id: number): Promise<void> {
  await trx
    .updateTable('posts')
    .set((eb) => ({
      num_replies: eb
        .selectFrom('posts as r')
        .select((r) => r.fn.countAll<number>().as('n'))
        .whereRef('r.parent_id', '=', 'posts.id'),
    }))
    .where('id', '=', id)
    .execute();
}

export class PostService {
  constructor(
    private readonly s: Services,
    private readonly social: SocialService,
    private readonly rates: SocialRates,
  ) {}

  async get(id: number): Promise<PostRow | undefined> {
    if (!Number.isSafeInteger(id) || id < 1) return undefined;
    return this.s.db.selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async require(id: number): Promise<PostRow> {
    const p = await this.get(id);
    if (!p) throw NotFound(`post ${id} does not exist`);
    return p;
  }

  /** Refuses when a block stands between `me` and the post's author. */
  private async assertNoBlock(me: UserRow, post: PostRow, doing: string): Promise<void> {
    if (post.author_id === me.id) return;
    const block = await this.social.blockBetween(me.id, post.author_id);
    if (block === 'a') throw Forbidden(`you have blocked this post's author: unblock them to ${doing}`);
    if (block === 'b') throw Forbidden(`this post's author has blocked you: you cannot ${doing}`);
  }

  /** Writes a post, or a reply to post `parentId`, with up to four pictures (re-encoded here). */
  async create(me: UserRow, input: { body: string; parentId?: number | null; images?: readonly Buffer[] }): Promise<PostRow> {
    const body = input.body.trim();
    const uploads = input.images ?? [];
    if (!body && uploads.length === 0) throw Invalid('body: write something');
    if (body.length > POST_MAX) throw Invalid(`body: at most ${POST_MAX} characters`);
    if (uploads.length > POST_IMAGES_MAX) throw Invalid(`images: at most ${POST_IMAGES_MAX}`);
    let parent: PostRow | null = null;
    if (input.parentId != null) {
      parent = (await this.get(input.parentId)) ?? null;
      if (!parent) throw Invalid(`parent: post ${input.parentId} does not exist`);
      if (parent.parent_id !== null) throw Invalid(`parent: replies go one level deep; reply to post ${parent.parent_id} instead`);
      await this.assertNoBlock(me, parent, 'reply to it');
    }
    const images: Encoded[] = [];
    for (const [i, bytes] of uploads.entries()) images.push(await reencode(bytes, { maxSide: POST_IMAGE_SIDE }, `images[${i}]`));
    await this.rates.take(me.id, parent ? 'reply' : 'post');
    const now = Date.now();
    return this.s.db.transaction().execute(async (trx) => {
      // the parent's row first: replies racing to it count one after the other, and a parent
      // deleted meanwhile is an answer, not a foreign-key failure
      if (parent && !(await lockPost(trx, parent.id))) throw Invalid(`parent: post ${parent.id} does not exist`);
      const post = await trx
        .insertInto('posts')
        .values({ author_id: me.id, parent_id: parent?.id ?? null, body, created_at: now, updated_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (images.length) {
        await trx
          .insertInto('post_images')
          .values(images.map((img, position) => ({ post_id: post.id, position, image: img.data, width: img.width, height: img.height })))
          .execute();
      }
      if (parent) {
        await recountReplies(trx, parent.id);
      } else {
        await trx.insertInto('feed_items').values({ kind: 'post', actor_id: me.id, post_id: post.id, created_at: now }).execute();
      }
      await this.s.events.record(trx, 'post.created', { postId: post.id, authorId: me.id, parentId: parent?.id ?? null });
      return post;
    });
  }

  /** Deletes a post (its replies, reactions and feed entry with it): its author or a site admin. */
  async delete(me: UserRow, post: PostRow): Promise<void> {
    if (post.author_id !== me.id && me.is_admin !== 1) throw Forbidden('only its author or an administrator can delete a post');
    await this.s.db.transaction().execute(async (trx) => {
      const parentId = post.parent_id;
      if (parentId !== null) await lockPost(trx, parentId);
      await trx.deleteFrom('posts').where('id', '=', post.id).execute();
      if (parentId !== null) await recountReplies(trx, parentId);
    });
  }

  /** The pictures of these posts (their sizes, not their bytes), by post id, in order. */
  async images(postIds: readonly number[]): Promise<Map<number, { position: number; width: number; height: number }[]>> {
    const out = new Map<number, { position: number; width: number; height: number }[]>();
    if (postIds.length === 0) return out;
    const rows = await this.s.db
      .selectFrom('post_images')
      .select(['post_id', 'position', 'width', 'height'])
      .where('post_id', 'in', [...postIds])
      .orderBy('post_id')
      .orderBy('position')
      .execute();
    for (const r of rows) out.set(r.post_id, [...(out.get(r.post_id) ?? []), { position: r.position, width: r.width, height: r.height }]);
    return out;
  }

  /** Picture `position` of post `postId`, as stored (WebP). */
  async image(postId: number, position: number): Promise<Buffer | undefined> {
    const row = await this.s.db.selectFrom('post_images').select('image').where('post_id', '=', postId).where('position', '=', position).executeTakeFirst();
    return row ? Buffer.from(row.image) : undefined;
  }

  /** A post's replies, oldest first. */
  replies(postId: number, limit = 200): Promise<PostRow[]> {
    return this.s.db.selectFrom('posts').selectAll().where('parent_id', '=', postId).orderBy('id').limit(limit).execute();
  }

  /** Adds a reaction; `created` is false when `me` had already reacted so. */
  async react(me: UserRow, post: PostRow, content: string): Promise<{ content: Reaction; created: boolean; at: number }> {
    const c = reactionOf(content);
    await this.assertNoBlock(me, post, 'react to it');
    await this.rates.take(me.id, 'reaction');
    const at = Date.now();
    const res = await this.s.db
      .insertInto('post_reactions')
      .values({ post_id: post.id, user_id: me.id, content: c, created_at: at })
      .onConflict((oc) => oc.columns(['post_id', 'user_id', 'content']).doNothing())
      .executeTakeFirst();
    const created = Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
    if (created) this.announceReactions(post);
    return { content: c, created, at };
  }

  async unreact(me: UserRow, post: PostRow, content: string): Promise<void> {
    const c = reactionOf(content);
    const res = await this.s.db.deleteFrom('post_reactions').where('post_id', '=', post.id).where('user_id', '=', me.id).where('content', '=', c).executeTakeFirst();
    if (Number(res.numDeletedRows) > 0) this.announceReactions(post);
  }

  /** The reactions of these posts as `viewerId` sees them, by post id, in Gitea's order of names. */
  async reactions(postIds: readonly number[], viewerId: number | null): Promise<Map<number, ReactionSummary[]>> {
    const out = new Map<number, ReactionSummary[]>();
    if (postIds.length === 0) return out;
    const rows = await this.s.db
      .selectFrom('post_reactions')
      .select(['post_id', 'content', (eb) => eb.fn.countAll<number>().as('n'), sql<number>`max(case when user_id = ${viewerId ?? 0} then 1 else 0 end)`.as('mine')])
      .where('post_id', 'in', [...postIds])
      .groupBy(['post_id', 'content'])
      .execute();
    for (const r of rows) {
      const list = out.get(r.post_id) ?? [];
      list.push({ content: r.content as Reaction, count: Number(r.n), reacted: Number(r.mine) === 1 });
      out.set(r.post_id, list);
    }
    for (const list of out.values()) list.sort((a, b) => REACTIONS.indexOf(a.content) - REACTIONS.indexOf(b.content));
    return out;
  }

  /**
   * Tells the people who may be looking at the post (its author and the author's followers) its
   * new reaction counts, live. Each hears whether they reacted themselves when they reload.
   */
  private announceReactions(post: PostRow): void {
    void (async () => {
      const counts = (await this.reactions([post.id], null)).get(post.id) ?? [];
      const payload = { id: post.id, parent_id: post.parent_id, reactions: counts.map(({ content, count }) => ({ content, count })) };
      for (const userId of await this.social.audience(post.author_id)) this.s.realtime.toUser(userId, 'post.reactions', payload);
    })().catch((err: unknown) => this.s.log.warn({ err, post: post.id }, 'could not announce reactions'));
  }
}
