// Gitea's markdown endpoints: POST /markdown ({text, mode, context}) and POST /markdown/raw (the
// body is the text), answering sanitized HTML. The answer is served sandboxed, so even a page
// that submits a form here can't turn it into a live document on our origin. Each new text costs
// a render (the cache only helps repeats), so callers are rate-limited: anonymous ones per address.
import type { Request, RequestHandler, Response } from 'express';
import express from 'express';
import { ipKeyGenerator, rateLimit, type Store } from 'express-rate-limit';
import { z } from 'zod';
import type { RefKind } from '../../git/refs.js';
import { AppError, Invalid } from '../../lib/errors.js';
import type { RepoLinkContext } from '../../markup/index.js';
import type { Services } from '../../services.js';
import { repoTarget } from './git-http-util.js';
import { resolveForApi } from './repos.js';
import type { ApiRouter } from './route.js';

/** Text rendered per request at most (bytes). */
export const MARKDOWN_API_MAX_BYTES = 1024 * 1024;

/** Renders a minute: per address for anonymous callers, per account for signed-in ones. */
export const MARKDOWN_RATE = { anonymous: 20, user: 300 } as const;

/**
 * The budget for POST /markdown and /markdown/raw; mounted after the actor is known. A rejected
 * call answers 429 with `RateLimit` headers saying when to come back.
 */
export function markdownLimiter(store?: Store): RequestHandler {
  return rateLimit({
    store,
    windowMs: 60_000,
    limit: (req) => (req.actor.kind === 'user' ? MARKDOWN_RATE.user : MARKDOWN_RATE.anonymous),
    keyGenerator: (req) => (req.actor.kind === 'user' ? `user:${req.actor.user.id}` : `ip:${ipKeyGenerator(req.ip ?? '')}`),
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, res) => {
      const message =
        req.actor.kind === 'user'
          ? `too many markdown renders (${MARKDOWN_RATE.user} a minute); wait a minute and try again`
          : `too many markdown renders from your address (${MARKDOWN_RATE.anonymous} a minute without signing in); wait a minute, or sign in or send a token for a larger allowance`;
      res.status(429).json({ message, code: 'too_many_requests' });
    },
  });
}

const MODES = ['markdown', 'gfm', 'comment', 'file', 'wiki'] as const;

// Gitea's MarkdownOption has no JSON tags, so Go matches `Text`, `text` and `TEXT` alike
const lowerKeys = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k.toLowerCase(), x])) : v);

const markdownBody = z.preprocess(
  lowerKeys,
  z.strictObject({
    text: z.string().max(MARKDOWN_API_MAX_BYTES).default('').describe('markdown to render'),
    mode: z
      .enum(MODES)
      .default('markdown')
      .describe(
        'markdown: no repository links; gfm, comment: relative links resolve in `context`; file: `context` names the file itself; wiki: as the wiki renders a page — relative links stay as written, so they resolve against the page (`/owner/repo/wiki/<page>`), i.e. to other pages of the wiki, and relative images load from the files of the wiki',
      ),
    context: z.string().max(4096).default('').describe('owner/repo (its default branch), or /owner/repo/src/branch|tag|commit/<ref>/<path> as in the web UI'),
    wiki: z.boolean().default(false).describe('deprecated: use mode=wiki'),
  }),
);

const CONTEXT_RE = /^\/?([^/]+)\/([^/]+?)(?:\/src\/(branch|tag|commit)\/(.+?))?\/?$/;

/** The repository links for `context` (checked against what the caller may read; 404 like a missing repo). */
async function linksFor(s: Services, req: Request, context: string, mode: (typeof MODES)[number]): Promise<RepoLinkContext | null> {
  if (mode === 'markdown' || context === '') return null;
  if (mode === 'wiki') {
    // a wiki page's links are relative to the wiki, not the code: rendered exactly as the wiki's own pages are
    const m = CONTEXT_RE.exec(context);
    if (!m || m[3]) throw Invalid('context must be "owner/repo" for mode=wiki');
    const rec = await resolveForApi(s, req, { owner: m[1]!, repo: m[2]!.replace(/\.git$/, '') }, 'read');
    return { owner: rec.owner.name, repo: rec.repo.name, refKind: 'branch', ref: '', dir: '', wiki: true };
  }
  const m = CONTEXT_RE.exec(context);
  if (!m) throw Invalid('context must be "owner/repo" or "/owner/repo/src/branch/<branch>/<path>" (also tag/<tag>, commit/<sha>)');
  let segments: string[];
  try {
    segments = m[4] ? m[4].split('/').map(decodeURIComponent) : [];
  } catch {
    throw Invalid('context: invalid percent-encoding');
  }
  const rec = await resolveForApi(s, req, { owner: m[1]!, repo: m[2]!.replace(/\.git$/, '') }, 'read');
  return s.markup.linksAt(repoTarget(s, rec), segments, { kind: m[3] as RefKind | undefined, isFile: mode === 'file' });
}

function sendHtml(res: Response, html: string): void {
  res.status(200);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

const readText = express.text({ type: () => true, limit: MARKDOWN_API_MAX_BYTES, defaultCharset: 'utf-8' });

export function registerMarkdownRoutes(api: ApiRouter, s: Services): void {
  api.route(
    {
      method: 'post',
      path: '/markdown',
      tag: 'miscellaneous',
      summary: 'Render markdown (GitHub-flavoured) to sanitized HTML, relative links resolving in a repository',
      body: markdownBody,
      responses: {
        200: 'text/html',
        404: 'the context repository or ref does not exist (or you may not read it)',
        413: 'more than 1 MiB of text',
        422: 'invalid mode or context',
        429: 'too many renders a minute (anonymous callers: per address)',
      },
    },
    async ({ req, res, body }) => {
      const mode = body.wiki ? 'wiki' : body.mode;
      const links = await linksFor(s, req, body.context, mode);
      // as in Gitea: issue text (gfm, comment) links `#12`, `owner/repo#12` and `@user`
      sendHtml(res, (await s.markup.markdown(body.text, links && (mode === 'gfm' || mode === 'comment') ? { ...links, issueRefs: true } : links)) ?? '');
    },
  );

  api.route(
    {
      method: 'post',
      path: '/markdown/raw',
      tag: 'miscellaneous',
      summary: 'Render the request body (text/plain markdown) to sanitized HTML',
      responses: { 200: 'text/html', 413: 'more than 1 MiB of text', 415: 'the body was sent as JSON: send it as text/plain', 429: 'too many renders a minute (anonymous callers: per address)' },
    },
    async ({ req, res }) => {
      if (req.is('application/json') || req.is('application/*+json')) {
        throw new AppError('invalid', 'send the markdown itself as the request body with Content-Type: text/plain (or use POST /markdown for JSON)', { status: 415 });
      }
      await new Promise<void>((resolve, reject) => readText(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
      const text = typeof req.body === 'string' ? req.body : '';
      sendHtml(res, (await s.markup.markdown(text, null)) ?? '');
    },
  );
}
