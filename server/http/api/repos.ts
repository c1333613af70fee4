// /api/v1 routes for repositories: create, read, edit, delete, search, fork, collaborators,
// stars and watches. Thin: validate, call the repo service, shape the JSON.
import type { Request } from 'express';
import { z } from 'zod';
import type { Visibility } from '../../access/index.js';
import { Invalid, NotFound, Unauthorized } from '../../lib/errors.js';
import type { CreateRepoInput, RepoRecord } from '../../repos/index.js';
import type { Services } from '../../services.js';
import { USER_TYPE } from '../../users/index.js';
import { requireUser } from '../auth.js';
import { repoJson, userJson } from './json.js';
import { pageQuery, setPageHeaders, type ApiRouter } from './route.js';

export const createRepoBody = z.strictObject({
  name: z.string().min(1).max(100),
  description: z.string().max(2048).optional(),
  private: z.boolean().optional(),
  internal: z.boolean().optional().describe('Gitssy: visible to every signed-in user of this instance'),
  default_branch: z.string().min(1).max(255).optional(),
  auto_init: z.boolean().optional().describe('create an initial commit with a README.md'),
  readme: z.literal('Default').optional(),
  object_format_name: z.literal('sha1').optional(),
});

const editRepoBody = z.strictObject({
  name: z.string().min(1).max(100).optional(),
  description: z.string().max(2048).optional(),
  website: z.string().max(255).optional(),
  private: z.boolean().optional(),
  internal: z.boolean().optional(),
  default_branch: z.string().min(1).max(255).optional(),
});

const forkBody = z.strictObject({
  organization: z.string().min(1).max(40).optional(),
  name: z.string().min(1).max(100).optional(),
});

const collaboratorBody = z.strictObject({
  permission: z.enum(['read', 'write', 'admin']).optional(),
});

const searchQuery = pageQuery.extend({
  q: z.string().max(255).optional(),
  uid: z.coerce.number().int().min(1).optional(),
  sort: z.enum(['alpha', 'created', 'updated', 'size', 'stars', 'forks', 'id']).optional(),
  order: z.enum(['asc', 'desc']).optional(),
});

/** Gitea's `private` flag plus our `internal` one, applied over the current visibility. */
export function visibilityFrom(input: { private?: boolean; internal?: boolean }, current: Visibility = 'public'): Visibility {
  if (input.private === true) return 'private';
  if (input.internal === true) return 'internal';
  if (input.private === false && current === 'private') return 'public';
  if (input.internal === false && current === 'internal') return 'public';
  return current;
}

function createInput(body: z.output<typeof createRepoBody>): CreateRepoInput {
  return { name: body.name, description: body.description, visibility: visibilityFrom(body), defaultBranch: body.default_branch, autoInit: body.auto_init };
}

export async function renderRepo(s: Services, req: Request, rec: RepoRecord): Promise<Record<string, unknown>> {
  const level = await s.repos.level(req.actor, rec);
  let parent: { rec: RepoRecord; level: Awaited<ReturnType<Services['repos']['level']>> } | null = null;
  if (rec.repo.fork_id !== null) {
    const p = await s.repos.byId(rec.repo.fork_id);
    if (p) {
      const pl = await s.repos.level(req.actor, p);
      if (pl !== 'none') parent = { rec: p, level: pl };
    }
  }
  // confidential issues count only for those who may see every one of them
  const counts = s.repoCounts ? await s.repoCounts(rec.repo.id, { confidential: level === 'write' || level === 'admin' }) : undefined;
  return repoJson(s, req, rec, level, parent, counts);
}

export async function renderRepoList(s: Services, req: Request, recs: RepoRecord[]): Promise<Record<string, unknown>[]> {
  return Promise.all(recs.map((r) => renderRepo(s, req, r)));
}

export function registerRepoRoutes(api: ApiRouter, s: Services): void {
  const ip = (req: Request) => ({ ip: req.ip ?? null });

  api.route(
    {
      method: 'post',
      path: '/user/repos',
      tag: 'repository',
      summary: 'Create a repository for the signed-in user',
      auth: 'user',
      body: createRepoBody,
      responses: { 201: 'the repository', 409: 'name taken', 422: 'invalid input' },
    },
    async ({ req, body }) => {
      const owner = requireUser(req);
      const rec = await s.repos.create(req.actor, owner, createInput(body), ip(req));
      return { status: 201, body: await renderRepo(s, req, rec) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/orgs/:org/repos',
      tag: 'organization',
      summary: 'Create a repository in an organization',
      auth: 'user',
      body: createRepoBody,
      responses: { 201: 'the repository', 403: 'not a member', 404: 'no such organization', 409: 'name taken' },
    },
    async ({ req, body, params }) => {
      requireUser(req);
      const org = await s.orgs.byName(params.org!);
      if (!(await s.orgs.canSee(req.actor, org))) throw NotFound(`organization "${params.org}" does not exist`);
      const rec = await s.repos.create(req.actor, org, createInput(body), ip(req));
      return { status: 201, body: await renderRepo(s, req, rec) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/admin/users/:username/repos',
      tag: 'admin',
      summary: 'Create a repository on behalf of a user',
      auth: 'admin',
      body: createRepoBody,
      responses: { 201: 'the repository', 403: 'not an administrator' },
    },
    async ({ req, body, params }) => {
      requireUser(req);
      const owner = await s.users.requireByName(params.username!);
      const rec = await s.repos.create(req.actor, owner, createInput(body), ip(req));
      return { status: 201, body: await renderRepo(s, req, rec) };
    },
  );

  api.route(
    { method: 'get', path: '/repos/search', tag: 'repository', summary: 'Search repositories the caller can see', query: searchQuery, responses: { 200: '{ok, data}' } },
    async ({ req, res, query }) => {
      const { items, total } = await s.repos.search(req.actor, { q: query.q, ownerId: query.uid, sort: query.sort, order: query.order, page: query.page, limit: query.limit });
      setPageHeaders(req, res, total, query.page, query.limit);
      return { body: { ok: true, data: await renderRepoList(s, req, items) } };
    },
  );

  api.route(
    { method: 'get', path: '/repos/:owner/:repo', tag: 'repository', summary: 'Get a repository', responses: { 200: 'the repository', 404: 'missing or not visible to the caller' } },
    async ({ req, params }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      return { body: await renderRepo(s, req, rec) };
    },
  );

  api.route(
    {
      method: 'patch',
      path: '/repos/:owner/:repo',
      tag: 'repository',
      summary: "Edit a repository's name, description, visibility or default branch",
      auth: 'user',
      body: editRepoBody,
      responses: { 200: 'the repository', 403: 'needs admin access', 409: 'new name taken', 422: 'invalid input' },
    },
    async ({ req, params, body }) => {
      const rec = await resolveForApi(s, req, params, 'admin');
      const updated = await s.repos.update(
        req.actor,
        rec,
        { name: body.name, description: body.description, website: body.website, defaultBranch: body.default_branch, visibility: visibilityFrom(body, rec.repo.visibility as Visibility) },
        ip(req),
      );
      return { body: await renderRepo(s, req, updated) };
    },
  );

  api.route(
    { method: 'delete', path: '/repos/:owner/:repo', tag: 'repository', summary: 'Delete a repository', auth: 'user', responses: { 204: 'deleted', 403: 'needs admin access', 404: 'not found' } },
    async ({ req, params }) => {
      const rec = await resolveForApi(s, req, params, 'admin');
      await s.repos.delete(req.actor, rec, ip(req));
    },
  );

  api.route(
    { method: 'get', path: '/repos/:owner/:repo/forks', tag: 'repository', summary: 'List the forks of a repository', query: pageQuery, responses: { 200: 'forks visible to the caller' } },
    async ({ req, res, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const forks = await s.db.selectFrom('repositories as r').select('r.id').where('r.fork_id', '=', rec.repo.id).where(s.repos.visibleTo(req.actor)).orderBy('r.id').execute();
      const page = forks.slice((query.page - 1) * query.limit, query.page * query.limit);
      const recs = (await Promise.all(page.map((f) => s.repos.byId(f.id)))).filter((r): r is RepoRecord => !!r);
      setPageHeaders(req, res, forks.length, query.page, query.limit);
      return { body: await renderRepoList(s, req, recs) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/forks',
      tag: 'repository',
      summary: 'Fork a repository (into your account or an organization)',
      auth: 'user',
      body: forkBody,
      responses: { 202: 'the fork', 404: 'source not visible', 409: 'target name taken' },
    },
    async ({ req, params, body }) => {
      requireUser(req);
      const source = await resolveForApi(s, req, params, 'read');
      const owner = body.organization ? await s.orgs.byName(body.organization) : req.user!;
      const fork = await s.repos.fork(req.actor, source, { owner, name: body.name }, ip(req));
      return { status: 202, body: await renderRepo(s, req, fork) };
    },
  );

  api.route(
    { method: 'get', path: '/repos/:owner/:repo/collaborators', tag: 'repository', summary: 'List collaborators', auth: 'user', query: pageQuery, responses: { 200: 'users' } },
    async ({ req, res, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const all = await s.repos.collaborators(req.actor, rec);
      setPageHeaders(req, res, all.length, query.page, query.limit);
      // each with its collaborator role, as GitHub lists them (role_name, permissions)
      return {
        body: all
          .slice((query.page - 1) * query.limit, query.page * query.limit)
          .map((c) => ({ ...userJson(s, req, c.user), role_name: c.role, permissions: { admin: c.role === 'admin', push: c.role !== 'read', pull: true } })),
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/collaborators/:collaborator',
      tag: 'repository',
      summary: 'Is the user a collaborator? 204 yes, 404 no',
      auth: 'user',
      responses: { 204: 'is a collaborator', 404: 'is not' },
    },
    async ({ req, params }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const user = await s.users.byName(params.collaborator!);
      if (!user || !(await s.repos.collaboratorRole(rec, user.id))) throw NotFound(`${params.collaborator} is not a collaborator`);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/collaborators/:collaborator/permission',
      tag: 'repository',
      summary: "A user's permission on the repository",
      auth: 'user',
      responses: { 200: '{permission, role_name, user}' },
    },
    async ({ req, params }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const user = await s.users.requireByName(params.collaborator!);
      const level = await s.repos.level({ kind: 'user', user: { id: user.id, name: user.name, isAdmin: user.is_admin === 1 }, scopes: null, via: 'session' }, rec);
      return { body: { permission: level, role_name: level, user: userJson(s, req, user) } };
    },
  );

  api.route(
    {
      method: 'put',
      path: '/repos/:owner/:repo/collaborators/:collaborator',
      tag: 'repository',
      summary: 'Add a collaborator or change their permission (read, write, admin)',
      auth: 'user',
      body: collaboratorBody,
      responses: { 204: 'done', 403: 'needs admin access', 422: 'not a valid collaborator' },
    },
    async ({ req, params, body }) => {
      const rec = await resolveForApi(s, req, params, 'admin');
      const user = await s.users.byName(params.collaborator!);
      if (!user || user.type !== USER_TYPE.individual) throw Invalid(`user "${params.collaborator}" does not exist`);
      await s.repos.setCollaborator(req.actor, rec, user, body.permission ?? 'write', ip(req));
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/repos/:owner/:repo/collaborators/:collaborator',
      tag: 'repository',
      summary: 'Remove a collaborator',
      auth: 'user',
      responses: { 204: 'done', 403: 'needs admin access' },
    },
    async ({ req, params }) => {
      const rec = await resolveForApi(s, req, params, 'admin');
      const user = await s.users.requireByName(params.collaborator!);
      await s.repos.setCollaborator(req.actor, rec, user, null, ip(req));
    },
  );

  // ---- stars ---------------------------------------------------------------------------------
  api.route(
    { method: 'get', path: '/user/starred', tag: 'user', summary: 'Repositories the signed-in user starred', auth: 'user', query: pageQuery, responses: { 200: 'repositories' } },
    async ({ req, res, query }) => {
      const me = requireUser(req);
      const { items, total } = await s.repos.starredBy(req.actor, me.id, query);
      setPageHeaders(req, res, total, query.page, query.limit);
      return { body: await renderRepoList(s, req, items) };
    },
  );
  api.route(
    { method: 'get', path: '/user/starred/:owner/:repo', tag: 'user', summary: 'Has the signed-in user starred it? 204 yes, 404 no', auth: 'user', responses: { 204: 'starred', 404: 'not starred' } },
    async ({ req, params }) => {
      const me = requireUser(req);
      const rec = await resolveForApi(s, req, params, 'read');
      if (!(await s.repos.hasMark('stars', me.id, rec.repo.id))) throw NotFound('not starred');
    },
  );
  api.route({ method: 'put', path: '/user/starred/:owner/:repo', tag: 'user', summary: 'Star a repository', auth: 'user', responses: { 204: 'starred' } }, async ({ req, params }) => {
    requireUser(req);
    await s.repos.setStar(req.actor, await resolveForApi(s, req, params, 'read'), true);
  });
  api.route({ method: 'delete', path: '/user/starred/:owner/:repo', tag: 'user', summary: 'Unstar a repository', auth: 'user', responses: { 204: 'unstarred' } }, async ({ req, params }) => {
    requireUser(req);
    await s.repos.setStar(req.actor, await resolveForApi(s, req, params, 'read'), false);
  });
  api.route(
    { method: 'get', path: '/repos/:owner/:repo/stargazers', tag: 'repository', summary: 'Users who starred the repository', query: pageQuery, responses: { 200: 'users' } },
    async ({ req, res, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const base = s.db.selectFrom('stars as st').innerJoin('users as u', 'u.id', 'st.user_id').where('st.repo_id', '=', rec.repo.id);
      const total = Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      const users = await base
        .selectAll('u')
        .orderBy('st.created_at')
        .limit(query.limit)
        .offset((query.page - 1) * query.limit)
        .execute();
      setPageHeaders(req, res, total, query.page, query.limit);
      return { body: users.map((u) => userJson(s, req, u)) };
    },
  );

  // ---- watching (Gitea's "subscription") -----------------------------------------------------
  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/subscription',
      tag: 'repository',
      summary: 'Is the signed-in user watching? 200 with the watch, 404 if not',
      auth: 'user',
      responses: { 200: 'watching', 404: 'not watching' },
    },
    async ({ req, params }) => {
      const me = requireUser(req);
      const rec = await resolveForApi(s, req, params, 'read');
      if (!(await s.repos.hasMark('watches', me.id, rec.repo.id))) throw NotFound('not watching');
      return { body: { subscribed: true, ignored: false, reason: null, created_at: new Date().toISOString(), url: '', repository_url: '' } };
    },
  );
  api.route({ method: 'put', path: '/repos/:owner/:repo/subscription', tag: 'repository', summary: 'Watch a repository', auth: 'user', responses: { 200: 'watching' } }, async ({ req, params }) => {
    requireUser(req);
    await s.repos.setWatch(req.actor, await resolveForApi(s, req, params, 'read'), true);
    return { body: { subscribed: true, ignored: false, reason: null, created_at: new Date().toISOString(), url: '', repository_url: '' } };
  });
  api.route(
    { method: 'delete', path: '/repos/:owner/:repo/subscription', tag: 'repository', summary: 'Stop watching a repository', auth: 'user', responses: { 204: 'not watching' } },
    async ({ req, params }) => {
      requireUser(req);
      await s.repos.setWatch(req.actor, await resolveForApi(s, req, params, 'read'), false);
    },
  );
}

/** API flavour of resolve: an anonymous caller gets 404 for what it can't see, like Gitea. */
export async function resolveForApi(s: Services, req: Request, params: Record<string, string>, action: 'read' | 'write' | 'admin') {
  try {
    return await s.repos.resolve(req.actor, params.owner!, params.repo!, action);
  } catch (err) {
    if (err instanceof Error && (err as { code?: string }).code === 'unauthorized' && action === 'read') throw NotFound('repository not found');
    if ((err as { code?: string }).code === 'unauthorized') throw Unauthorized();
    throw err;
  }
}
