// Gitea's wiki API — GET /repos/{o}/{r}/wiki/pages, GET|PATCH|DELETE /wiki/page/{pageName},
// POST /wiki/new, GET /wiki/revisions/{pageName} — in Gitea's shapes, and what the browser UI
// needs beside it: the page rendered (`?render=true`), a page at an older revision, the diff
// between revisions, search, and the raw files a page links to. Reading needs read access to
// the repository, writing needs write access, exactly as for its code.
import type { Request, Response } from 'express';
import { z } from 'zod';
import { baseUrl, pageQuery, requireUser, resolveForApi, setPageHeaders, type ApiRouter } from '../http/index.js';
import { decodeBase64 } from '../lib/base64.js';
import { NotFound } from '../lib/errors.js';
import type { RepoLinkContext } from '../markup/index.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import { pageNameFrom } from './pages.js';
import { PAGE_MAX_BYTES, type WikiCommit, type WikiPage, type WikiPageMeta, type WikiService } from './service.js';

const SHA = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'a full commit id');
// base64 of PAGE_MAX_BYTES, with room for line breaks (`base64` wraps at 76 columns)
const base64 = z.string().max(Math.ceil((PAGE_MAX_BYTES * 4) / 3) + PAGE_MAX_BYTES / 38 + 16);
const createBody = z.strictObject({
  title: z.string().max(1000).describe('the page title; spaces become "-" in its name'),
  content_base64: base64.describe('the markdown, base64-encoded'),
  message: z.string().max(65536).optional(),
});
const editBody = z.strictObject({
  title: z.string().max(1000).optional().describe('a new title renames the page; leave out to keep it'),
  content_base64: base64.optional(),
  message: z.string().max(65536).optional(),
  sha: SHA.optional().describe('Gitssy: the page blob id the edit started from (the `sha` of GET); a page changed since answers 409'),
});
const pageQueryOpts = z.object({
  ref: SHA.optional().describe('Gitssy: read the page as it was at this commit of the wiki'),
  render: z.enum(['true', 'false', '1', '0']).optional().describe('Gitssy: add content_html, sidebar_html and footer_html (sanitized)'),
});
const diffQuery = z.object({
  to: SHA.describe('the newer revision'),
  from: SHA.optional().describe('the older revision; left out: what `to` changed'),
});
const searchQuery = z.object({
  q: z.string().max(200),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});

function commitJson(c: WikiCommit | null) {
  if (!c) return null;
  return { sha: c.sha, author: c.author, committer: c.committer, message: c.message };
}

/** How a wiki page's links render (see RepoLinkContext.wiki); the markdown API's mode=wiki builds the same. */
export function wikiLinks(rec: RepoRecord): RepoLinkContext {
  return { owner: rec.owner.name, repo: rec.repo.name, refKind: 'branch', ref: '', dir: '', wiki: true };
}

export function registerWikiRoutes(api: ApiRouter, s: Services, wiki: WikiService): void {
  const tag = 'repository';
  const pageUrl = (req: Request, rec: RepoRecord, name: string) => `${baseUrl(s, req)}/${rec.owner.name}/${rec.repo.name}/wiki/${encodeURIComponent(name)}`;
  const metaJson = (req: Request, rec: RepoRecord, p: WikiPageMeta) => ({
    title: p.title,
    html_url: pageUrl(req, rec, p.name),
    sub_url: encodeURIComponent(p.name),
    last_commit: commitJson(p.lastCommit),
  });
  // links in a page stay as written: they resolve against the page's own URL (/<o>/<r>/wiki/<page>),
  // which is where the wiki's other pages are; images load from the wiki's raw files
  const render = async (rec: RepoRecord, md: Buffer | null) => (md && md.length ? ((await s.markup.markdown(md.toString('utf8'), wikiLinks(rec))) ?? '') : '');
  const pageJson = async (req: Request, rec: RepoRecord, p: WikiPage, rendered: boolean) => ({
    ...metaJson(req, rec, p),
    content_base64: p.content.toString('base64'),
    commit_count: p.commitCount,
    sidebar: p.sidebar ? p.sidebar.toString('base64') : '',
    footer: p.footer ? p.footer.toString('base64') : '',
    // Gitssy: what an edit says it started from, and where the page was read
    name: p.name,
    sha: p.sha,
    commit_id: p.commit,
    ...(rendered ? { content_html: await render(rec, p.content), sidebar_html: await render(rec, p.sidebar), footer_html: await render(rec, p.footer) } : {}),
  });
  const pageName = (params: Record<string, string>) => params.pageName ?? '';

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/wiki/pages',
      tag,
      summary: 'The pages of the wiki (Home first, then by title); [] when it has none',
      query: pageQuery,
      responses: { 200: 'WikiPageMetaData list', 404: 'no such repository' },
    },
    async ({ req, res, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const all = await wiki.list(rec);
      setPageHeaders(req, res, all.length, query.page, query.limit);
      return { body: all.slice((query.page - 1) * query.limit, query.page * query.limit).map((p) => metaJson(req, rec, p)) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/wiki/page/:pageName',
      tag,
      summary: 'A wiki page with its base64 content, sidebar and footer',
      query: pageQueryOpts,
      responses: { 200: 'WikiPage', 404: 'no such repository or page, or the wiki has no pages yet', 422: 'a name that cannot be a page' },
    },
    async ({ req, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const p = await wiki.get(rec, pageName(params), query.ref);
      return { body: await pageJson(req, rec, p, query.render === 'true' || query.render === '1') };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/wiki/new',
      tag,
      summary: 'Create a wiki page (and the wiki, with its first page)',
      auth: 'user',
      body: createBody,
      responses: { 201: 'WikiPage', 403: 'no write access', 404: 'no such repository', 409: 'a page of that name exists', 422: 'a bad title or content that is not base64' },
    },
    async ({ req, params, body }) => {
      requireUser(req);
      const rec = await resolveForApi(s, req, params, 'write');
      const content = decodeBase64(body.content_base64, 'content_base64');
      const done = await wiki.write(req.actor, rec, 'create', { title: body.title, content, message: body.message });
      return { status: 201, body: await pageJson(req, rec, await wiki.get(rec, done.name), false) };
    },
  );

  api.route(
    {
      method: 'patch',
      path: '/repos/:owner/:repo/wiki/page/:pageName',
      tag,
      summary: 'Edit a wiki page; a new title renames it',
      description:
        'Send `sha` (the page blob id you read) to be told, with a 409, when someone else changed the page since; without it the edit is still refused if the page changes while it is saved.',
      auth: 'user',
      body: editBody,
      responses: { 200: 'WikiPage', 403: 'no write access', 404: 'no such page', 409: 'the page changed since `sha`, or the new title is taken', 422: 'a bad title or content that is not base64' },
    },
    async ({ req, params, body }) => {
      requireUser(req);
      const rec = await resolveForApi(s, req, params, 'write');
      const content = body.content_base64 !== undefined ? decodeBase64(body.content_base64, 'content_base64') : undefined;
      const done = await wiki.write(req.actor, rec, 'update', { name: pageName(params), title: body.title, content, message: body.message, baseSha: body.sha });
      return { body: await pageJson(req, rec, await wiki.get(rec, done.name), false) };
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/repos/:owner/:repo/wiki/page/:pageName',
      tag,
      summary: 'Delete a wiki page',
      auth: 'user',
      responses: { 204: 'deleted', 403: 'no write access', 404: 'no such page', 422: 'a name that cannot be a page' },
    },
    async ({ req, params }) => {
      requireUser(req);
      const rec = await resolveForApi(s, req, params, 'write');
      await wiki.write(req.actor, rec, 'delete', { name: pageName(params) });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/wiki/revisions/:pageName',
      tag,
      summary: 'The commits that changed a wiki page, newest first',
      query: z.object({ page: pageQuery.shape.page }),
      responses: { 200: 'WikiCommitList', 404: 'no such page' },
    },
    async ({ req, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      // Gitea pages revisions by its default page size
      const { commits, count } = await wiki.revisions(rec, pageName(params), query.page, 30);
      return { body: { commits: commits.map(commitJson), count } };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/wiki/diff/:pageName',
      tag,
      summary: 'Gitssy: the unified diff of a wiki page between two revisions',
      query: diffQuery,
      responses: { 200: '{diff}', 404: 'no such page or revision' },
    },
    async ({ req, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      return { body: { name: pageNameFrom(pageName(params)), from: query.from ?? null, to: query.to, diff: await wiki.diff(rec, pageName(params), query.to, query.from) } };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/wiki/search',
      tag,
      summary: 'Gitssy: wiki pages whose title or text contains `q` (case-insensitive)',
      query: searchQuery,
      responses: { 200: '[{title, sub_url, html_url, matches: [{line, text}]}]', 404: 'no such repository' },
    },
    async ({ req, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const hits = await wiki.search(rec, query.q, query.limit);
      return { body: hits.map((h) => ({ title: h.title, sub_url: encodeURIComponent(h.name), html_url: pageUrl(req, rec, h.name), matches: h.lines })) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/wiki/raw/:file',
      tag,
      summary: 'Gitssy: a file of the wiki as it is (images a page shows); never served as HTML',
      responses: { 200: 'the file', 404: 'no such file' },
    },
    async ({ req, res, params }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const file = await wiki.rawFile(rec, params.file ?? '');
      if (!file) throw NotFound('no such file in the wiki');
      sendRaw(res, params.file ?? '', file);
    },
  );
}

const IMAGE_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', avif: 'image/avif' };

/**
 * A pushed file as bytes: images as themselves (SVG too can carry script, so it is not one of
 * them), markdown and other text as text/plain, the rest as a download. Whatever was pushed,
 * nothing here is ever a live document on our origin.
 */
function sendRaw(res: Response, file: string, content: Buffer): void {
  const ext = /\.([A-Za-z0-9]+)$/.exec(file)?.[1]?.toLowerCase() ?? '';
  const type = IMAGE_TYPES[ext] ?? (content.subarray(0, 8000).includes(0) ? 'application/octet-stream' : 'text/plain; charset=utf-8');
  res.status(200);
  res.setHeader('Content-Type', type);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
  if (type === 'application/octet-stream') res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file)}`);
  res.end(content);
}
