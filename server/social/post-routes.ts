// Posts, reactions and the home feed (our own shapes; Gitea has none):
//   POST   /posts {body, parent_id?, images?}    201 the post (a reply when parent_id is given; images: ≤4, base64)
//   GET    /posts/{id}/images/{n}                 a picture of the post (WebP, re-encoded when it was posted)
//   GET    /posts/{id}, DELETE /posts/{id}        a post; delete: its author or an admin
//   GET    /posts/{id}/replies                    its replies, oldest first
//   POST   /posts/{id}/reactions {content}        201 {user, content, created_at}; 200 if already
//   DELETE /posts/{id}/reactions {content}        204
//   GET    /users/{u}/posts                       a person's posts, newest first
//   GET    /feed?before=&limit=                   the signed-in user's home feed, newest first
// Everything here is for signed-in users: a LAN team's posts are not for anonymous visitors.
import type { Request } from 'express';
import { z } from 'zod';
import { baseUrl, pageQuery, requireUser, setPageHeaders, userJson, type ApiRouter } from '../http/index.js';
import { Invalid, NotFound } from '../lib/errors.js';
import type { Services } from '../services.js';
import { USER_TYPE } from '../users/index.js';
import { FEED_LIMIT_MAX } from './feed.js';
import { IMAGE_MAX_BYTES } from './images.js';
import { POST_IMAGES_MAX, POST_MAX, type ReactionSummary } from './posts.js';
import { base64Image } from './profile-routes.js';
import type { FeedItemRow, PostRow } from './schema.js';

const IMAGE_BASE64_MAX = Math.ceil(IMAGE_MAX_BYTES / 3) * 4 + 4;
const newPost = z.strictObject({
  body: z.string().max(POST_MAX * 4),
  parent_id: z.number().int().positive().nullable().optional(),
  images: z.array(z.string().max(IMAGE_BASE64_MAX)).max(POST_IMAGES_MAX).optional(),
});
const reactionBody = z.strictObject({ content: z.string().max(64) });
const feedQuery = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(FEED_LIMIT_MAX).default(20),
});

const idOf = (v: string | undefined) => {
  const n = Number(v);
  if (!/^\d{1,15}$/.test(v ?? '') || n < 1) throw NotFound('post not found');
  return n;
};

export function registerPostRoutes(api: ApiRouter, s: Services): void {
  /** A post the caller may see: one an administrator hid is there for administrators alone. */
  const visible = async (req: Request, id: number) => {
    const post = await s.posts.require(id);
    if (post.hidden_at !== null && requireUser(req).is_admin !== 1) throw NotFound(`post ${id} does not exist`);
    return post;
  };
  const shown = (req: Request, posts: PostRow[]) => (requireUser(req).is_admin === 1 ? posts : posts.filter((p) => p.hidden_at === null));

  /** Posts as the API shows them, with their authors, rendered bodies and reactions. */
  const postsJson = async (req: Request, posts: PostRow[]) => {
    const me = requireUser(req);
    const authorIds = [...new Set(posts.map((p) => p.author_id))];
    const authors = authorIds.length ? await s.db.selectFrom('users').selectAll().where('id', 'in', authorIds).execute() : [];
    const byId = new Map(authors.map((u) => [u.id, u]));
    const ids = posts.map((p) => p.id);
    const reactions = await s.posts.reactions(ids, me.id);
    const images = await s.posts.images(ids);
    const base = baseUrl(s, req);
    return Promise.all(
      posts.map(async (p) => ({
        id: p.id,
        user: byId.has(p.author_id) ? userJson(s, req, byId.get(p.author_id)!) : null,
        body: p.body,
        body_html: (await s.markup.markdown(p.body, null, { mentions: true })) ?? '',
        images: (images.get(p.id) ?? []).map((i) => ({ url: `${base}/api/v1/posts/${p.id}/images/${i.position}`, width: i.width, height: i.height })),
        parent_id: p.parent_id,
        replies_count: p.num_replies,
        reactions: reactions.get(p.id) ?? ([] as ReactionSummary[]),
        /** Administrators only see these: an administrator hid it after a report */
        hidden: p.hidden_at !== null,
        html_url: `${base}/-/posts/${p.parent_id ?? p.id}${p.parent_id ? `#reply-${p.id}` : ''}`,
        created_at: new Date(p.created_at).toISOString(),
        updated_at: new Date(p.updated_at).toISOString(),
      })),
    );
  };
  const postJson = async (req: Request, p: PostRow) => (await postsJson(req, [p]))[0]!;

  /** Feed items as the API shows them: who, where, what (a post in full). */
  const itemsJson = async (req: Request, items: FeedItemRow[]) => {
    const postIds = items.map((i) => i.post_id).filter((x): x is number => x !== null);
    const posts = postIds.length ? await s.db.selectFrom('posts').selectAll().where('id', 'in', postIds).execute() : [];
    const rendered = new Map((await postsJson(req, posts)).map((p) => [p.id, p]));
    const actorIds = [...new Set(items.map((i) => i.actor_id).filter((x): x is number => x !== null))];
    const actors = new Map((actorIds.length ? await s.db.selectFrom('users').selectAll().where('id', 'in', actorIds).execute() : []).map((u) => [u.id, u]));
    const repoIds = [...new Set(items.map((i) => i.repo_id).filter((x): x is number => x !== null))];
    const repos = new Map<number, string>();
    for (const id of repoIds) {
      const rec = await s.repos.byId(id);
      if (rec) repos.set(id, `${rec.owner.name}/${rec.repo.name}`);
    }
    const base = baseUrl(s, req);
    return items.map((i) => ({
      id: i.id,
      kind: i.kind,
      actor: i.actor_id !== null && actors.has(i.actor_id) ? userJson(s, req, actors.get(i.actor_id)!) : null,
      repo: i.repo_id !== null && repos.has(i.repo_id) ? { full_name: repos.get(i.repo_id)!, html_url: `${base}/${repos.get(i.repo_id)!}` } : null,
      post: i.post_id !== null ? (rendered.get(i.post_id) ?? null) : null,
      payload: JSON.parse(i.payload) as Record<string, unknown>,
      created_at: new Date(i.created_at).toISOString(),
    }));
  };

  api.route(
    {
      method: 'post',
      path: '/posts',
      tag: 'user',
      summary: 'Gitssy: write a post (markdown), or a reply to one with parent_id (one level deep)',
      auth: 'user',
      body: newPost,
      bodyLimit: POST_IMAGES_MAX * IMAGE_BASE64_MAX + 64 * 1024,
      responses: { 201: 'the post', 403: 'a block stands between you and the post you reply to', 422: 'empty, too long, a reply to a reply, or an image we do not take' },
    },
    async ({ req, body }) => {
      if (body.parent_id != null)
        await visible(req, body.parent_id).catch(() => {
          throw Invalid(`parent: post ${body.parent_id} does not exist`);
        });
      const images = (body.images ?? []).map((b, i) => base64Image(b, `images[${i}]`));
      const post = await s.posts.create(requireUser(req), { body: body.body, parentId: body.parent_id ?? null, images });
      return { status: 201, body: await postJson(req, post) };
    },
  );
  api.route(
    {
      method: 'get',
      path: '/posts/:id/images/:n',
      tag: 'user',
      summary: 'Gitssy: a picture of a post (WebP, as the server re-encoded it)',
      auth: 'user',
      responses: { 200: 'the image', 404: 'no such post or picture' },
    },
    async ({ req, res, params }) => {
      requireUser(req);
      const post = await visible(req, idOf(params.id));
      const n = /^\d{1,2}$/.test(params.n ?? '') ? Number(params.n) : -1;
      const img = await s.posts.image(post.id, n);
      if (!img) throw NotFound(`post ${post.id} has no picture ${params.n ?? ''}`);
      // a post's pictures never change: the same URL is the same bytes
      res.set({ 'Content-Type': 'image/webp', 'Cache-Control': 'private, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'" });
      res.send(img);
    },
  );
  api.route({ method: 'get', path: '/posts/:id', tag: 'user', summary: 'Gitssy: a post', auth: 'user', responses: { 200: 'the post', 404: 'no such post' } }, async ({ req, params }) => ({
    body: await postJson(req, await visible(req, idOf(params.id))),
  }));
  api.route(
    {
      method: 'delete',
      path: '/posts/:id',
      tag: 'user',
      summary: 'Gitssy: delete a post with its replies (its author or a site admin)',
      auth: 'user',
      responses: { 204: 'deleted', 403: 'not yours', 404: 'no such post' },
    },
    async ({ req, params }) => {
      await s.posts.delete(requireUser(req), await visible(req, idOf(params.id)));
    },
  );
  api.route(
    { method: 'get', path: '/posts/:id/replies', tag: 'user', summary: "Gitssy: a post's replies, oldest first", auth: 'user', responses: { 200: 'replies', 404: 'no such post' } },
    async ({ req, params }) => {
      const post = await visible(req, idOf(params.id));
      return { body: await postsJson(req, shown(req, await s.posts.replies(post.id))) };
    },
  );
  api.route(
    {
      method: 'post',
      path: '/posts/:id/reactions',
      tag: 'user',
      summary: "Gitssy: react to a post (Gitea's reaction names, or a shortcode such as :tada:)",
      auth: 'user',
      body: reactionBody,
      responses: { 200: 'you had already reacted so', 201: 'the reaction', 403: 'a block stands between you', 404: 'no such post', 422: 'not a reaction' },
    },
    async ({ req, params, body }) => {
      const me = requireUser(req);
      const r = await s.posts.react(me, await visible(req, idOf(params.id)), body.content);
      return { status: r.created ? 201 : 200, body: { user: userJson(s, req, me), content: r.content, created_at: new Date(r.at).toISOString() } };
    },
  );
  api.route(
    {
      method: 'delete',
      path: '/posts/:id/reactions',
      tag: 'user',
      summary: 'Gitssy: take back a reaction',
      auth: 'user',
      body: reactionBody,
      responses: { 204: 'gone', 404: 'no such post', 422: 'not a reaction' },
    },
    async ({ req, params, body }) => {
      await s.posts.unreact(requireUser(req), await visible(req, idOf(params.id)), body.content);
    },
  );
  api.route(
    { method: 'get', path: '/users/:username/posts', tag: 'user', summary: "Gitssy: a person's posts, newest first", auth: 'user', query: pageQuery, responses: { 200: 'posts', 404: 'no such user' } },
    async ({ req, res, params, query }) => {
      requireUser(req);
      const u = await s.users.byName(params.username ?? '');
      if (!u || u.type !== USER_TYPE.individual) throw NotFound(`user "${params.username}" does not exist`);
      let base = s.db.selectFrom('posts').where('author_id', '=', u.id).where('parent_id', 'is', null);
      if (requireUser(req).is_admin !== 1) base = base.where('hidden_at', 'is', null);
      const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const rows = await base
        .selectAll()
        .orderBy('id', 'desc')
        .limit(query.limit)
        .offset((query.page - 1) * query.limit)
        .execute();
      setPageHeaders(req, res, Number(total.n), query.page, query.limit);
      return { body: await postsJson(req, rows) };
    },
  );
  api.route(
    {
      method: 'get',
      path: '/feed',
      tag: 'user',
      summary: "Gitssy: the signed-in user's home feed, newest first: posts and activity of the people they follow and themselves, and of the repositories they watch",
      description: 'Ask for the next page with `before`: the id of the last item you have.',
      auth: 'user',
      query: feedQuery,
      responses: { 200: 'feed items' },
    },
    async ({ req, query }) => {
      const items = await s.feed.page(requireUser(req), req.actor, { before: query.before, limit: query.limit });
      return { body: await itemsJson(req, items) };
    },
  );
}
