// /api/v1 routes that read files: Gitea's contents, raw, media and archive endpoints, and the
// tree view the browser UI is built on. Every route resolves the repository for the caller
// first (a repository they can't read is a 404 like a missing one), then checks the path.
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Services } from '../../services.js';
import { clientSignal, pipeGit, repoTarget, wildcard, wildcardPath } from './git-http-util.js';
import { contentsResultJson, gitJsonContext, treeViewJson } from './git-json.js';
import { contentDisposition, rawResponse } from './raw-response.js';
import { resolveForApi } from './repos.js';
import type { ApiRouter } from './route.js';

/** Gitea's API.DefaultMaxBlobSize: larger files come back without `content` (use raw). */
const CONTENTS_MAX_BYTES = 10 * 1024 * 1024;
/** Raw files up to this size are read through the pool; larger ones stream from their own git. */
const RAW_BUFFER_BYTES = 1024 * 1024;
const DEFAULT_BUDGET_MS = 500;

const refQuery = z.object({ ref: z.string().max(255).optional().describe('branch, tag or commit id; the default branch when left out') });
const treeQuery = z.object({
  kind: z.enum(['branch', 'tag', 'commit']).optional().describe('read the ref as this kind only (as in /src/branch/…, /src/tag/…, /src/commit/…)'),
  budget_ms: z.coerce.number().int().min(0).max(5000).default(DEFAULT_BUDGET_MS).describe('how long to wait for the last-commit column; rows not ready are listed in `pending`'),
});

export function registerContentRoutes(api: ApiRouter, s: Services): void {
  const contents = async (req: Request, params: Record<string, string>, ref: string | undefined) => {
    const rec = await resolveForApi(s, req, params, 'read');
    const repo = repoTarget(s, rec);
    const result = await s.browse.contents(repo, ref, wildcardPath(req), { maxBytes: CONTENTS_MAX_BYTES, budgetMs: DEFAULT_BUDGET_MS });
    const ctx = await gitJsonContext(s, req, repo);
    return { body: contentsResultJson(ctx, result) };
  };
  for (const path of ['/repos/:owner/:repo/contents', '/repos/:owner/:repo/contents/*path']) {
    api.route(
      {
        method: 'get',
        path,
        tag: 'repository',
        summary: "A file's metadata and base64 content (none above 10 MiB: use raw), or a directory's entries",
        query: refQuery,
        responses: { 200: 'ContentsResponse, or an array of them for a directory', 404: 'no such repository, ref or path', 422: 'invalid ref or path' },
      },
      ({ req, params, query }) => contents(req, params, query.ref),
    );
  }

  const raw = async (req: Request, res: Response, params: Record<string, string>, ref: string | undefined) => {
    const rec = await resolveForApi(s, req, params, 'read');
    const repo = repoTarget(s, rec);
    const { ref: resolved, entry, blob } = await s.browse.raw(repo, ref, wildcardPath(req), RAW_BUFFER_BYTES);
    const { notModified, headers } = rawResponse(req, entry.name, blob, resolved);
    if (notModified) {
      res.status(304).setHeaders(headers).end();
      return;
    }
    if (blob.content || req.method === 'HEAD') {
      res
        .status(200)
        .setHeaders(headers)
        .end(req.method === 'HEAD' ? undefined : blob.content);
      return;
    }
    // headers go out with git's first bytes, so a git that fails at once is still a JSON error
    await pipeGit(s.browse.streamBlob(repo, blob.sha, clientSignal(res)), res, () => res.status(200).setHeaders(headers));
  };
  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/raw/*path',
      tag: 'repository',
      summary: 'A file as raw bytes (text as text/plain; active content sandboxed)',
      query: refQuery,
      responses: { 200: 'the bytes', 304: 'unchanged', 404: 'no such file' },
    },
    ({ req, res, params, query }) => raw(req, res, params, query.ref),
  );
  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/media/*path',
      tag: 'repository',
      summary: 'A file as raw bytes, Git LFS objects resolved (this server stores no LFS objects yet, so a pointer is served as is)',
      query: refQuery,
      responses: { 200: 'the bytes', 304: 'unchanged', 404: 'no such file' },
    },
    ({ req, res, params, query }) => raw(req, res, params, query.ref),
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/archive/*archive',
      tag: 'repository',
      summary: 'A snapshot of a ref as <ref>.zip or <ref>.tar.gz, streamed from git archive',
      responses: { 200: 'the archive', 404: 'no such ref', 422: 'invalid ref' },
    },
    async ({ req, res, params }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const name = wildcard(req, 'archive').join('/');
      const { child, filename, contentType } = await s.browse.archive(repoTarget(s, rec), name, clientSignal(res));
      await pipeGit(child, res, () => {
        res.setHeader('Content-Type', contentType);
        res.setHeader('Content-Disposition', contentDisposition('attachment', filename));
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.status(200);
      });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/tree/*refpath',
      tag: 'repository',
      summary:
        'Gitssy UI: the entry at <ref>/<path> (the ref may contain slashes); for a directory its entries with their last commits, the README (with `html`, rendered and sanitized), and `pending` rows to fetch again (same URL with the commit id as ref); for a file its content up to 1 MiB with `highlighted_html` (one line per \\n; null above 256 KiB or 10,000 lines), `language`, `line_count` and, for markdown, `rendered_html`',
      query: treeQuery,
      responses: { 200: 'the tree view', 404: 'no such ref or path', 422: 'invalid path' },
    },
    async ({ req, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const repo = repoTarget(s, rec);
      const segments = wildcardPath(req, 'refpath').split('/');
      const view = await s.browse.treeView(repo, segments, { kind: query.kind, budgetMs: query.budget_ms });
      const rendered = await s.markup.treeView(repo, view);
      return { body: treeViewJson(await gitJsonContext(s, req, repo), view, rendered) };
    },
  );
}
