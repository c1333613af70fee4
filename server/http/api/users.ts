// /api/v1 routes for accounts: the signed-in user, public profiles, admin user management,
// personal access tokens and organizations.
import type { Request } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import { ALL_SCOPES } from '../../access/index.js';
import { Forbidden, NotFound } from '../../lib/errors.js';
import type { Services } from '../../services.js';
import { USER_TYPE } from '../../users/index.js';
import { requireAdmin, requireUser } from '../auth.js';
import { orgJson, tokenJson, userJson } from './json.js';
import { renderRepoList } from './repos.js';
import { pageQuery, setPageHeaders, type ApiRouter } from './route.js';

const username = z.string().min(1).max(40);
const password = z.string().min(1).max(256);
const email = z.string().min(3).max(254);

const createUserBody = z.strictObject({
  username,
  email,
  password,
  full_name: z.string().max(255).optional(),
  login_name: z.string().max(255).optional(),
  source_id: z.literal(0).optional(),
  must_change_password: z.boolean().optional().describe('the user must choose a new password at the next web sign-in (Gitssy: default false)'),
  send_notify: z.boolean().optional(),
  restricted: z.boolean().optional(),
  visibility: z.enum(['public', 'limited', 'private']).optional(),
  admin: z.boolean().optional().describe('Gitssy: create the user as a site administrator'),
});

const editUserBody = z.strictObject({
  login_name: z.string().max(255).optional(),
  source_id: z.literal(0).optional(),
  email: email.optional(),
  full_name: z.string().max(255).optional(),
  password: password.optional(),
  admin: z.boolean().optional(),
  active: z.boolean().optional(),
  prohibit_login: z.boolean().optional(),
  must_change_password: z.boolean().optional().describe('set or clear the pending password change; a new password alone leaves it as it is'),
});

const adminUsersQuery = pageQuery.extend({ q: z.string().max(100).optional() });

const createTokenBody = z.strictObject({
  name: z.string().min(1).max(255),
  scopes: z
    .array(z.enum(ALL_SCOPES as [string, ...string[]]))
    .max(ALL_SCOPES.length)
    .optional(),
});

const createOrgBody = z.strictObject({
  username,
  full_name: z.string().max(255).optional(),
  description: z.string().max(2048).optional(),
  website: z.string().max(255).optional(),
  location: z.string().max(255).optional(),
  visibility: z.enum(['public', 'limited', 'private']).optional(),
  repo_admin_change_team_access: z.boolean().optional(),
  public_writable: z.boolean().optional().describe('Gitssy: every signed-in user may write to the non-private repositories'),
});
const editOrgBody = createOrgBody.omit({ username: true });

export function registerUserRoutes(api: ApiRouter, s: Services): void {
  const ip = (req: Request) => ({ ip: req.ip ?? null });

  api.route({ method: 'get', path: '/user', tag: 'user', summary: 'The signed-in user', auth: 'user', responses: { 200: 'the user', 401: 'not signed in' } }, async ({ req }) => {
    return { body: userJson(s, req, requireUser(req), { full: true }) };
  });

  api.route(
    { method: 'get', path: '/user/repos', tag: 'user', summary: "The signed-in user's repositories", auth: 'user', query: pageQuery, responses: { 200: 'repositories' } },
    async ({ req, res, query }) => {
      const me = requireUser(req);
      const { items, total } = await s.repos.search(req.actor, { ownerId: me.id, page: query.page, limit: query.limit });
      setPageHeaders(req, res, total, query.page, query.limit);
      return { body: await renderRepoList(s, req, items) };
    },
  );

  api.route({ method: 'get', path: '/users/:username', tag: 'user', summary: 'A user or organization profile', responses: { 200: 'the user', 404: 'no such user' } }, async ({ req, params }) => {
    const user = await s.users.byName(params.username!);
    if (!user) throw NotFound(`user "${params.username}" does not exist`);
    if (user.type === USER_TYPE.organization && !(await s.orgs.canSee(req.actor, user))) throw NotFound(`user "${params.username}" does not exist`);
    return { body: userJson(s, req, user) };
  });

  api.route(
    { method: 'get', path: '/users/:username/repos', tag: 'user', summary: "A user's repositories the caller can see", query: pageQuery, responses: { 200: 'repositories', 404: 'no such user' } },
    async ({ req, res, params, query }) => {
      const user = await s.users.byName(params.username!);
      if (!user || (user.type === USER_TYPE.organization && !(await s.orgs.canSee(req.actor, user)))) throw NotFound(`user "${params.username}" does not exist`);
      const { items, total } = await s.repos.search(req.actor, { ownerId: user.id, page: query.page, limit: query.limit });
      setPageHeaders(req, res, total, query.page, query.limit);
      return { body: await renderRepoList(s, req, items) };
    },
  );

  // ---- tokens (Gitea requires Basic auth here, so a leaked token can't mint more) -------------
  const tokenOwner = async (req: Request, name: string) => {
    const me = requireUser(req);
    if (req.actor.kind === 'user' && req.actor.via === 'token') throw Forbidden('create and list tokens with your password (Basic auth) or a signed-in session, not with a token');
    if (me.lower_name !== name.toLowerCase()) {
      if (!me.is_admin) throw Forbidden('you can only manage your own tokens');
      return s.users.requireByName(name);
    }
    return me;
  };

  api.route(
    {
      method: 'post',
      path: '/users/:username/tokens',
      tag: 'user',
      summary: 'Create a personal access token (the secret is in `sha1`, shown once)',
      auth: 'basic',
      body: createTokenBody,
      responses: { 201: 'the token', 409: 'name taken' },
    },
    async ({ req, params, body }) => {
      const owner = await tokenOwner(req, params.username!);
      const { token, record } = await s.users.createToken(owner.id, body.name, body.scopes ?? ['all'], ip(req));
      return { status: 201, body: tokenJson(record, token) };
    },
  );

  api.route(
    { method: 'get', path: '/users/:username/tokens', tag: 'user', summary: 'List personal access tokens (without secrets)', auth: 'basic', query: pageQuery, responses: { 200: 'tokens' } },
    async ({ req, res, params, query }) => {
      const owner = await tokenOwner(req, params.username!);
      const all = await s.users.listTokens(owner.id);
      setPageHeaders(req, res, all.length, query.page, query.limit);
      return { body: all.slice((query.page - 1) * query.limit, query.page * query.limit).map((t) => tokenJson(t)) };
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/users/:username/tokens/:token',
      tag: 'user',
      summary: 'Delete a personal access token by id or name',
      auth: 'basic',
      responses: { 204: 'deleted', 404: 'no such token' },
    },
    async ({ req, params }) => {
      const owner = await tokenOwner(req, params.username!);
      await s.users.deleteToken(owner.id, params.token!, ip(req));
    },
  );

  // ---- admin -------------------------------------------------------------------------------
  api.route(
    {
      method: 'get',
      path: '/admin/users',
      tag: 'admin',
      summary: 'List every user (Gitssy: `q` searches name, full name and email)',
      auth: 'admin',
      query: adminUsersQuery,
      responses: { 200: 'users' },
    },
    async ({ req, res, query }) => {
      requireAdmin(req);
      let base = s.db.selectFrom('users').where('type', '=', USER_TYPE.individual);
      if (query.q) {
        const like = `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        base = base.where((eb) =>
          eb.or([sql<boolean>`lower_name like ${like} escape '\\'`, sql<boolean>`lower(full_name) like ${like} escape '\\'`, sql<boolean>`lower(email) like ${like} escape '\\'`]),
        );
      }
      const total = Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      const rows = await base
        .selectAll()
        .orderBy('id')
        .limit(query.limit)
        .offset((query.page - 1) * query.limit)
        .execute();
      setPageHeaders(req, res, total, query.page, query.limit);
      return { body: rows.map((u) => userJson(s, req, u, { full: true })) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/admin/users',
      tag: 'admin',
      summary: 'Create a user',
      auth: 'admin',
      body: createUserBody,
      responses: { 201: 'the user', 409: 'name or email taken', 422: 'invalid input' },
    },
    async ({ req, body }) => {
      const admin = requireAdmin(req);
      const user = await s.users.create(
        { username: body.username, email: body.email, password: body.password, fullName: body.full_name, isAdmin: body.admin, mustChangePassword: body.must_change_password },
        { actorId: admin.id, ip: req.ip ?? null },
      );
      return { status: 201, body: userJson(s, req, user, { full: true }) };
    },
  );

  api.route(
    {
      method: 'patch',
      path: '/admin/users/:username',
      tag: 'admin',
      summary: 'Edit a user: admin flag, approval (active), disable (prohibit_login), password, must_change_password, email',
      auth: 'admin',
      body: editUserBody,
      responses: { 200: 'the user', 404: 'no such user' },
    },
    async ({ req, params, body }) => {
      const admin = requireAdmin(req);
      const user = await s.users.requireByName(params.username!);
      if (user.type !== USER_TYPE.individual) throw NotFound(`user "${params.username}" does not exist`);
      const updated = await s.users.adminUpdate(
        user,
        {
          isAdmin: body.admin,
          active: body.active,
          prohibitLogin: body.prohibit_login,
          email: body.email,
          fullName: body.full_name,
          password: body.password,
          mustChangePassword: body.must_change_password,
        },
        { actorId: admin.id, ip: req.ip ?? null },
      );
      return { body: userJson(s, req, updated, { full: true }) };
    },
  );

  // ---- organizations -----------------------------------------------------------------------
  api.route(
    {
      method: 'post',
      path: '/orgs',
      tag: 'organization',
      summary: 'Create an organization (you become its owner)',
      auth: 'user',
      body: createOrgBody,
      responses: { 201: 'the organization', 409: 'name taken' },
    },
    async ({ req, body }) => {
      requireUser(req);
      const org = await s.orgs.create(
        req.actor,
        { username: body.username, fullName: body.full_name, description: body.description, website: body.website, visibility: body.visibility, publicWritable: body.public_writable },
        ip(req),
      );
      return { status: 201, body: orgJson(s, req, org) };
    },
  );

  api.route(
    {
      method: 'patch',
      path: '/orgs/:org',
      tag: 'organization',
      summary: 'Edit an organization (owners only)',
      auth: 'user',
      body: editOrgBody,
      responses: { 200: 'the organization', 403: 'not an owner' },
    },
    async ({ req, params, body }) => {
      requireUser(req);
      const org = await s.orgs.byName(params.org!);
      if (!(await s.orgs.canSee(req.actor, org))) throw NotFound(`organization "${params.org}" does not exist`);
      const updated = await s.orgs.update(
        req.actor,
        org,
        { fullName: body.full_name, description: body.description, website: body.website, visibility: body.visibility, publicWritable: body.public_writable },
        ip(req),
      );
      return { body: orgJson(s, req, updated) };
    },
  );

  api.route({ method: 'get', path: '/orgs/:org', tag: 'organization', summary: 'An organization', responses: { 200: 'the organization', 404: 'no such organization' } }, async ({ req, params }) => {
    const org = await s.orgs.byName(params.org!);
    if (!(await s.orgs.canSee(req.actor, org))) throw NotFound(`organization "${params.org}" does not exist`);
    return { body: orgJson(s, req, org) };
  });

  api.route(
    { method: 'get', path: '/orgs/:org/repos', tag: 'organization', summary: "An organization's repositories the caller can see", query: pageQuery, responses: { 200: 'repositories' } },
    async ({ req, res, params, query }) => {
      const org = await s.orgs.byName(params.org!);
      if (!(await s.orgs.canSee(req.actor, org))) throw NotFound(`organization "${params.org}" does not exist`);
      const { items, total } = await s.repos.search(req.actor, { ownerId: org.id, page: query.page, limit: query.limit });
      setPageHeaders(req, res, total, query.page, query.limit);
      return { body: await renderRepoList(s, req, items) };
    },
  );

  api.route(
    { method: 'get', path: '/orgs/:org/members', tag: 'organization', summary: 'Members of an organization (members only)', auth: 'user', query: pageQuery, responses: { 200: 'users' } },
    async ({ req, res, params, query }) => {
      const me = requireUser(req);
      const org = await s.orgs.byName(params.org!);
      if (!me.is_admin && !(await s.orgs.role(org.id, me.id))) throw NotFound(`organization "${params.org}" does not exist`);
      const rows = await s.db.selectFrom('org_members as m').innerJoin('users as u', 'u.id', 'm.user_id').selectAll('u').where('m.org_id', '=', org.id).orderBy('u.lower_name').execute();
      setPageHeaders(req, res, rows.length, query.page, query.limit);
      return { body: rows.slice((query.page - 1) * query.limit, query.page * query.limit).map((u) => userJson(s, req, u)) };
    },
  );

  api.route(
    {
      method: 'put',
      path: '/orgs/:org/members/:username',
      tag: 'organization',
      summary: 'Add a member (Gitssy: body {"role":"owner"|"member"}, default member)',
      auth: 'user',
      body: z.strictObject({ role: z.enum(['owner', 'member']).optional() }),
      responses: { 204: 'done' },
    },
    async ({ req, params, body }) => {
      requireUser(req);
      const org = await s.orgs.byName(params.org!);
      const user = await s.users.requireByName(params.username!);
      await s.orgs.setMember(req.actor, org, user, body.role ?? 'member');
    },
  );

  api.route({ method: 'delete', path: '/orgs/:org/members/:username', tag: 'organization', summary: 'Remove a member', auth: 'user', responses: { 204: 'done' } }, async ({ req, params }) => {
    requireUser(req);
    const org = await s.orgs.byName(params.org!);
    const user = await s.users.requireByName(params.username!);
    await s.orgs.setMember(req.actor, org, user, null);
  });
}
