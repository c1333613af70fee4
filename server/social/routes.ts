// Gitea's follow, block and heatmap API:
//   GET  /user/followers, /user/following               the signed-in user's people
//   GET  /users/{u}/followers, /users/{u}/following     anyone's (organizations: none)
//   GET  /user/following/{u}                             204 when you follow u, else 404
//   GET  /users/{u}/following/{target}                   204 when u follows target, else 404
//   PUT|DELETE /user/following/{u}                       follow / unfollow: 204
//   GET  /user/blocks, PUT|DELETE /user/blocks/{u}      your blocks (Gitea 1.22's names)
//   GET  /users/{u}/heatmap                              [{timestamp, contributions}] per day
import type { Request } from 'express';
import { USER_TYPE } from '../users/index.js';
import type { UserRow } from '../db/schema.js';
import { pageQuery, requireUser, setPageHeaders, userJson, type ApiRouter } from '../http/index.js';
import { NotFound } from '../lib/errors.js';
import type { Services } from '../services.js';
import type { SocialService } from './service.js';

export function registerSocialRoutes(api: ApiRouter, s: Services, social: SocialService): void {
  /** A person by name (an organization the caller may not see is no one). */
  const person = async (req: Request, name: string | undefined): Promise<UserRow> => {
    const u = await s.users.byName(name ?? '');
    if (!u || (u.type === USER_TYPE.organization && !(await s.orgs.canSee(req.actor, u)))) throw NotFound(`user "${name}" does not exist`);
    return u;
  };

  const list = (path: string, summary: string, pick: (req: Request, params: Record<string, string | undefined>) => Promise<UserRow>, which: 'followers' | 'following') =>
    api.route(
      { method: 'get', path, tag: 'user', summary, auth: path.startsWith('/user/') ? 'user' : undefined, query: pageQuery, responses: { 200: 'users', 404: 'no such user' } },
      async ({ req, res, params, query }) => {
        const u = await pick(req, params);
        const { items, total } = await social[which](u.id, query);
        setPageHeaders(req, res, total, query.page, query.limit);
        return { body: items.map((x) => userJson(s, req, x)) };
      },
    );
  list('/user/followers', 'The people following the signed-in user, newest first', async (req) => requireUser(req), 'followers');
  list('/user/following', 'The people the signed-in user follows, newest first', async (req) => requireUser(req), 'following');
  list('/users/:username/followers', 'The people following a user, newest first', (req, p) => person(req, p.username), 'followers');
  list('/users/:username/following', 'The people a user follows, newest first', (req, p) => person(req, p.username), 'following');

  api.route(
    {
      method: 'get',
      path: '/user/following/:username',
      tag: 'user',
      summary: 'Whether the signed-in user follows a user: 204 yes, 404 no',
      auth: 'user',
      responses: { 204: 'following', 404: 'not following' },
    },
    async ({ req, params }) => {
      const me = requireUser(req);
      const u = await person(req, params.username);
      if (!(await social.isFollowing(me.id, u.id))) throw NotFound(`you do not follow ${u.name}`);
    },
  );
  api.route(
    { method: 'get', path: '/users/:username/following/:target', tag: 'user', summary: 'Whether a user follows another: 204 yes, 404 no', responses: { 204: 'following', 404: 'not following' } },
    async ({ req, params }) => {
      const u = await person(req, params.username);
      const target = await person(req, params.target);
      if (!(await social.isFollowing(u.id, target.id))) throw NotFound(`${u.name} does not follow ${target.name}`);
    },
  );
  api.route(
    {
      method: 'put',
      path: '/user/following/:username',
      tag: 'user',
      summary: 'Follow a user',
      auth: 'user',
      responses: { 204: 'following', 403: 'a block stands between you', 404: 'no such user', 422: 'yourself, or an organization' },
    },
    async ({ req, params }) => {
      await social.follow(requireUser(req), await person(req, params.username));
    },
  );
  api.route(
    { method: 'delete', path: '/user/following/:username', tag: 'user', summary: 'Stop following a user', auth: 'user', responses: { 204: 'not following', 404: 'no such user' } },
    async ({ req, params }) => {
      await social.unfollow(requireUser(req), await person(req, params.username));
    },
  );

  api.route(
    { method: 'get', path: '/user/blocks', tag: 'user', summary: 'The people the signed-in user blocked, newest first', auth: 'user', query: pageQuery, responses: { 200: 'users' } },
    async ({ req, res, query }) => {
      const { items, total } = await social.blocked(requireUser(req), query);
      setPageHeaders(req, res, total, query.page, query.limit);
      return { body: items.map((x) => userJson(s, req, x)) };
    },
  );
  api.route(
    {
      method: 'put',
      path: '/user/blocks/:username',
      tag: 'user',
      summary: 'Block a user: neither of you can follow the other, and the follows between you end',
      auth: 'user',
      responses: { 204: 'blocked', 404: 'no such user', 422: 'yourself, or an organization' },
    },
    async ({ req, params }) => {
      await social.block(requireUser(req), await person(req, params.username));
    },
  );
  api.route(
    { method: 'delete', path: '/user/blocks/:username', tag: 'user', summary: 'Unblock a user', auth: 'user', responses: { 204: 'not blocked', 404: 'no such user' } },
    async ({ req, params }) => {
      await social.unblock(requireUser(req), await person(req, params.username));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/users/:username/heatmap',
      tag: 'user',
      summary: "A user's pushes per day over the last year, counting only repositories the caller can read",
      responses: { 200: '[{timestamp, contributions}], oldest first', 404: 'no such user' },
    },
    async ({ req, params }) => {
      const u = await person(req, params.username);
      return { body: await social.heatmap(req.actor, u) };
    },
  );
}
