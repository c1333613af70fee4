// /api/v1 history and git objects: Gitea's commit list (paginated, optional path filter),
// single commits and their raw .diff/.patch, git/trees and git/blobs, contributors, and the
// capped per-file diff the UI shows.
import { z } from 'zod';
import { Conflict, isAppError } from '../../lib/errors.js';
import type { Services } from '../../services.js';
import { cleanTreePath } from '../../git/tree.js';
import { clientSignal, pipeGit, repoTarget, wildcardPath } from './git-http-util.js';
import { commitDiffJson, commitJson, gitBlobJson, gitJsonContext, gitTreeJson } from './git-json.js';
import { JsonBodyCache } from './json-cache.js';
import { startPlainText } from './raw-response.js';
import { resolveForApi } from './repos.js';
import { pageQuery, setPageHeaders, type ApiRouter } from './route.js';

const flag = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((v) => v === 'true' || v === '1');

const commitsQuery = pageQuery.extend({
  sha: z.string().max(255).optional().describe('branch, tag or commit to list from (default branch when left out)'),
  path: z.string().max(4096).optional().describe('only commits that change this file or directory'),
  stat: flag.describe('include line counts per commit (costs a diff per commit; off by default)'),
  files: flag.describe('include the changed files per commit (off by default)'),
});

export function registerCommitRoutes(api: ApiRouter, s: Services): void {
  const bodies = new JsonBodyCache();
  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/commits',
      tag: 'repository',
      summary: 'Commits reachable from a ref, newest first; X-Total-Count, X-HasMore and Link headers',
      query: commitsQuery,
      responses: { 200: 'Commit list', 404: 'no such ref', 409: 'the repository is empty', 422: 'invalid ref or path' },
    },
    async ({ req, res, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const repo = repoTarget(s, rec);
      const path = cleanTreePath(query.path);
      const page = await s.browse.log(repo, query.sha, { path, page: query.page, limit: query.limit }).catch((err: unknown) => {
        if (isAppError(err) && err.code === 'not_found' && !query.sha && rec.repo.is_empty) throw Conflict('Git Repository is empty.');
        throw err;
      });
      const changes = query.stat || query.files ? await s.browse.changes(repo, page.commits) : null;
      const ctx = await gitJsonContext(
        s,
        req,
        repo,
        page.commits.flatMap((c) => [c.author, c.committer]),
      );
      setPageHeaders(req, res, page.total, query.page, query.limit);
      const pages = Math.max(1, Math.ceil(page.total / query.limit));
      res.setHeader('X-Total', String(page.total));
      res.setHeader('X-Page', String(query.page));
      res.setHeader('X-PerPage', String(query.limit));
      res.setHeader('X-PageCount', String(pages));
      res.setHeader('X-HasMore', String(query.page < pages));
      const key = ['log', rec.repo.id, page.ref.commit, path, query.page, query.limit, query.stat, query.files, JsonBodyCache.contextKey(s, req, ctx.users)].join('\0');
      bodies.send(res, key, () =>
        page.commits.map((c) => {
          const json = commitJson(ctx, c, changes?.get(c.sha) ?? null);
          return { ...json, files: query.files ? json.files : null, stats: query.stat ? json.stats : null };
        }),
      );
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/resolve/*refpath',
      tag: 'repository',
      summary: 'Gitssy UI: splits <ref>/<path> (the ref may contain slashes) as the tree view does, without reading the path',
      query: z.object({ kind: z.enum(['branch', 'tag', 'commit']).optional().describe('read the ref as this kind only') }),
      responses: { 200: '{ref: {name, kind, commit}, path}', 404: 'no such ref', 422: 'invalid path' },
    },
    async ({ req, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const { ref, path } = await s.browse.resolveRefPath(repoTarget(s, rec), wildcardPath(req, 'refpath').split('/'), query.kind);
      return { body: { ref: { name: ref.name, kind: ref.kind, commit: ref.commit }, path } };
    },
  );

  for (const kind of ['diff', 'patch'] as const) {
    api.route(
      {
        method: 'get',
        path: `/repos/:owner/:repo/git/commits/:sha.${kind}`,
        tag: 'repository',
        summary: kind === 'diff' ? "A commit's unified diff against its first parent, as text" : 'A commit as an email patch (git format-patch), as text',
        responses: { 200: 'text/plain', 404: 'no such commit' },
      },
      async ({ req, res, params }) => {
        const rec = await resolveForApi(s, req, params, 'read');
        const { commit, child } = await s.browse.rawDiff(repoTarget(s, rec), params.sha!, kind, clientSignal(res));
        await pipeGit(child, res, () => startPlainText(res, `${commit.sha}.${kind}`));
      },
    );
  }

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/git/commits/:sha',
      tag: 'repository',
      summary: 'One commit (by id or ref) with its changed files and line counts',
      responses: { 200: 'Commit', 404: 'no such commit' },
    },
    async ({ req, params }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const repo = repoTarget(s, rec);
      const commit = await s.browse.commit(repo, params.sha!);
      const changes = (await s.browse.changes(repo, [commit])).get(commit.sha) ?? [];
      const ctx = await gitJsonContext(s, req, repo, [commit.author, commit.committer]);
      return { body: commitJson(ctx, commit, changes) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/commits/:sha/diff',
      tag: 'repository',
      summary: 'Gitssy UI: a commit with each changed file, its line counts and unified patch (capped: 300 files with patches, 3000 lines per file; see *_truncated)',
      responses: { 200: '{commit, files, total_files, stats, truncated}', 404: 'no such commit' },
    },
    async ({ req, res, params }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const repo = repoTarget(s, rec);
      const { commit, diff } = await s.browse.diff(repo, params.sha!);
      const ctx = await gitJsonContext(s, req, repo, [commit.author, commit.committer]);
      bodies.send(res, ['diff', rec.repo.id, commit.sha, JsonBodyCache.contextKey(s, req, ctx.users)].join('\0'), () => commitDiffJson(ctx, commit, diff));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/git/trees/:sha',
      tag: 'repository',
      summary: "A tree (by its id or a commit's), in tree order; `recursive` lists everything below it",
      query: z.object({ recursive: flag, page: z.coerce.number().int().min(1).max(100_000).default(1), per_page: z.coerce.number().int().min(1).max(10_000).default(1000) }),
      responses: { 200: 'GitTreeResponse', 404: 'no such tree' },
    },
    async ({ req, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const repo = repoTarget(s, rec);
      const tree = await s.browse.gitTree(repo, params.sha!, { recursive: query.recursive, page: query.page, perPage: query.per_page });
      return { body: gitTreeJson(await gitJsonContext(s, req, repo), tree, query.page, query.per_page) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/git/blobs/:sha',
      tag: 'repository',
      summary: 'A blob by id, base64 (up to 10 MiB; use raw for more)',
      responses: { 200: 'GitBlobResponse', 404: 'no such blob', 413: 'too large' },
    },
    async ({ req, params }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const repo = repoTarget(s, rec);
      const blob = await s.browse.gitBlob(repo, params.sha!, 10 * 1024 * 1024);
      return { body: gitBlobJson(await gitJsonContext(s, req, repo), blob) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/contributors',
      tag: 'repository',
      summary: 'Commit counts per author reachable from a ref (default branch), most first',
      query: z.object({ ref: z.string().max(255).optional() }),
      responses: { 200: '[{name, email, commits, login}] (login: the account the email belongs to, or null)', 404: 'no such ref' },
    },
    async ({ req, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const repo = repoTarget(s, rec);
      const list = await s.browse.contributors(repo, query.ref).catch((err: unknown) => {
        if (isAppError(err) && err.code === 'not_found' && !query.ref && rec.repo.is_empty) return [];
        throw err;
      });
      // authors are linked to accounts by activated email, as commits are
      const ctx = await gitJsonContext(
        s,
        req,
        repo,
        list.map((c) => ({ name: c.name, email: c.email, when: 0, tz: '+0000' })),
      );
      return { body: list.map((c) => ({ name: c.name, email: c.email, commits: c.commits, login: ctx.users.get(c.email.toLowerCase())?.name ?? null })) };
    },
  );
}
