// The browser UI: the built SPA (dist/renderer) with long-lived caching for its hashed assets,
// the fonts from resources/, and index.html for every page address. index.html carries the
// session state and the viewer's appearance (on <html data-*>), so the first paint has the
// right user, colors, font and background without waiting for a request.
import express, { Router, type Request, type Response } from 'express';
import { readFileSync, statSync } from 'node:fs';
import type { Services } from '../services.js';
import { sessionState } from './api/session.js';
import type { Appearance } from '../appearance/index.js';
import { RENDERER_DIR } from '../lib/paths.js';

/** Paths that are never pages: unknown addresses under them answer a JSON 404. */
const NOT_PAGES = /^\/(api|assets|fonts)(\/|$)/;

/**
 * Whether a GET is for a page of the app. Not: the API and static folders, anything inside a
 * `<repo>.git` (git's files and endpoints are the git handler's, and what it declined stays a
 * 404), git's endpoints without the suffix, and encoded separators or dots (no page is named
 * that way; such paths are probes).
 */
export function isPagePath(p: string): boolean {
  if (NOT_PAGES.test(p)) return false;
  if (/\.git(\/|$)/i.test(p)) return false;
  if (/\/(info\/refs|git-upload-pack|git-receive-pack)$/.test(p)) return false;
  if (/%(2f|5c|2e|00)/i.test(p)) return false;
  return true;
}

/** JSON inside <script type="application/json">: `<` escaped so no string can close the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const attr = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface SpaOptions {
  /** The viewer's appearance (a user's own choice, or the instance default). */
  appearance(req: Request): Promise<Appearance>;
  /** The CSRF token of the viewer's session (for signed-in viewers only). */
  csrfToken(req: Request): string;
}

export function createSpaRouter(s: Services, opts: SpaOptions): Router {
  const router = Router();
  const indexPath = `${RENDERER_DIR}index.html`;
  let template: { html: string; mtimeMs: number } | null = null;
  // read again only when a build replaced it (one stat per page view)
  const loadTemplate = (): string | null => {
    const mtimeMs = statSync(indexPath, { throwIfNoEntry: false })?.mtimeMs;
    if (mtimeMs === undefined) return null;
    if (!template || template.mtimeMs !== mtimeMs) template = { html: readFileSync(indexPath, 'utf8'), mtimeMs };
    return template.html;
  };

  // hashed file names: a new build is a new name, so browsers may keep these for a year
  router.use('/assets', express.static(`${RENDERER_DIR}assets`, { immutable: true, maxAge: '365d', index: false }));
  // fonts and the favicon (resources/web, copied into the build)
  router.use('/fonts', express.static(`${RENDERER_DIR}fonts`, { maxAge: '7d', index: false }));
  router.get('/favicon.svg', (_req, res, next) => {
    res.sendFile(`${RENDERER_DIR}favicon.svg`, { maxAge: '1d' }, (err) => err && next());
  });

  const page = async (req: Request, res: Response) => {
    const html = loadTemplate();
    if (!html) {
      res.status(503).type('text/plain').send('The browser UI is not built. Run `npm run build` (it builds the server and the UI), then reload.\n');
      return;
    }
    const appearance = await opts.appearance(req);
    // anonymous visitors get no CSRF token (that would create a session per page view); the
    // UI asks /api/v1/auth/session for one before its first write
    const token = req.user ? opts.csrfToken(req) : null;
    const boot = { session: await sessionState(s, req, token), appearance };
    const htmlAttrs = `lang="en" data-preset="${attr(appearance.preset)}" data-bg="${attr(appearance.background)}" data-cursor="${attr(appearance.cursor)}" data-font="${attr(appearance.font)}"`;
    // function replacements: user text (names, the instance name) may hold `$&` and friends
    const body = html
      .replace(/<html[^>]*>/, () => `<html ${htmlAttrs}>`)
      .replace('<!--gitssy-head-->', () => `<script type="application/json" id="gitssy-boot">${scriptJson(boot)}</script>`)
      .replace(/<title>[^<]*<\/title>/, () => `<title>${attr(s.settings.get('instance.name'))}</title>`);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Vary', 'Cookie');
    res.type('html').send(body);
  };

  router.get(/.*/, (req, res, next) => {
    // a browser opening a clone URL lands on the repository page, as on Gitea and GitHub
    // (only plain names: nothing that could turn the Location into another host)
    const clone = /^\/([\w.-]+)\/([\w.-]+)\.git\/?$/.exec(req.path);
    if (clone && req.accepts(['html', 'json']) === 'html') return res.redirect(302, `/${clone[1]}/${clone[2]}`);
    if (!isPagePath(req.path)) return next();
    void page(req, res).catch(next);
  });
  return router;
}
