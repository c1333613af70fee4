// /api/v1 branches and tags (Gitea's paths, bodies and status codes). Listing needs read
// access; creating and deleting branches needs write access, and each change is recorded as
// a push so the activity feed and other subscribers see it.
import { z } from 'zod';
import { LEVEL_ORDER } from '../../access/index.js';
import type { Services } from '../../services.js';
import { repoTarget, wildcard } from './git-http-util.js';
import { branchJson, gitJsonContext, tagJson } from './git-json.js';
import { resolveForApi } from './repos.js';
import { webActor } from '../auth.js';
import { pageQuery, setPageHeaders, type ApiRouter } from './route.js';

const createBranchBody = z.strictObject({
  new_branch_name: z.string().min(1).max(255),
  old_ref_name: z.string().min(1).max(255).optional().describe('branch, tag or commit id to start from (default: the default branch)'),
  old_branch_name: z.string().min(1).max(255).optional().describe('deprecated: use old_ref_name'),
});

export function registerBranchRoutes(api: ApiRouter, s: Services): void {
  api.route(
    { method: 'get', path: '/repos/:owner/:repo/branches', tag: 'repository', summary: 'List branches, the default one first', query: pageQuery, responses: { 200: 'Branch list' } },
    async ({ req, res, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const repo = repoTarget(s, rec);
      const { items, total } = await s.branches.list(repo, query);
      const ctx = await gitJsonContext(
        s,
        req,
        repo,
        items.flatMap((b) => [b.commit.author, b.commit.committer]),
      );
      setPageHeaders(req, res, total, query.page, query.limit);
      return { body: items.map((b) => branchJson(ctx, b, LEVEL_ORDER[rec.level] >= LEVEL_ORDER.write)) };
    },
  );

  api.route({ method: 'get', path: '/repos/:owner/:repo/branches/*branch', tag: 'repository', summary: 'One branch', responses: { 200: 'Branch', 404: 'no such branch' } }, async ({ req, params }) => {
    const rec = await resolveForApi(s, req, params, 'read');
    const repo = repoTarget(s, rec);
    const b = await s.branches.get(repo, wildcard(req, 'branch').join('/'));
    const ctx = await gitJsonContext(s, req, repo, [b.commit.author, b.commit.committer]);
    return { body: branchJson(ctx, b, LEVEL_ORDER[rec.level] >= LEVEL_ORDER.write) };
  });

  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/branches',
      tag: 'repository',
      summary: 'Create a branch from a branch, tag or commit',
      auth: 'user',
      body: createBranchBody,
      responses: { 201: 'Branch', 403: 'needs write access', 404: 'no such start ref', 409: 'the branch (or a tag of that name) exists', 422: 'invalid name' },
    },
    async ({ req, params, body }) => {
      const rec = await resolveForApi(s, req, params, 'write');
      const repo = repoTarget(s, rec);
      const b = await s.branches.create(repo, webActor(req), body.new_branch_name, body.old_ref_name ?? body.old_branch_name);
      const ctx = await gitJsonContext(s, req, repo, [b.commit.author, b.commit.committer]);
      return { status: 201, body: branchJson(ctx, b, true) };
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/repos/:owner/:repo/branches/*branch',
      tag: 'repository',
      summary: 'Delete a branch (not the default branch, nor one a protection rule keeps)',
      auth: 'user',
      responses: { 204: 'deleted', 403: 'default or protected branch, or no write access', 404: 'no such branch', 409: 'the branch moved meanwhile' },
    },
    async ({ req, params }) => {
      const rec = await resolveForApi(s, req, params, 'write');
      await s.branches.delete(repoTarget(s, rec), webActor(req), wildcard(req, 'branch').join('/'));
    },
  );

  api.route(
    { method: 'get', path: '/repos/:owner/:repo/tags', tag: 'repository', summary: 'List tags, newest first', query: pageQuery, responses: { 200: 'Tag list' } },
    async ({ req, res, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const repo = repoTarget(s, rec);
      const { items, total } = await s.branches.tags(repo, query);
      const ctx = await gitJsonContext(s, req, repo);
      setPageHeaders(req, res, total, query.page, query.limit);
      return { body: items.map((t) => tagJson(ctx, t)) };
    },
  );
}
