// Assembles /api/v1: body parsing with limits, rate limits on credential endpoints, actor
// resolution, CSRF for cookie-authenticated writes, the routes, and the OpenAPI document.
import { registerAppearanceRoutes } from './appearance.js';
import express, { Router, type Request, type RequestHandler } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import { csrfSync } from 'csrf-sync';
import { VERSION } from '../../lib/version.js';
import type { Services } from '../../services.js';
import type { FeatureModule } from '../../feature.js';
import { passwordChangeGuard, resolveActor, twoFactorEnrolmentGuard } from '../auth.js';
import { SESSION_COOKIE } from '../cookie.js';
import { notFoundJson } from '../errors.js';
import { registerAccountRoutes } from './account.js';
import { registerAdminRoutes } from './admin.js';
import { registerBranchRoutes } from './branches.js';
import { registerCommitRoutes } from './commits.js';
import { registerContentRoutes } from './contents.js';
import { markdownLimiter, registerMarkdownRoutes } from './markdown.js';
import { maintenanceGuard, registerMaintenanceRoutes } from './maintenance.js';
import { registerProtectionRoutes } from './protections.js';
import { registerRepoRoutes } from './repos.js';
import { ApiRouter } from './route.js';
import { registerSessionRoutes } from './session.js';
import { registerUserRoutes } from './users.js';

export { SESSION_COOKIE } from '../cookie.js';
const SIGN_IN_FORMS = new Set(['/auth/signin', '/auth/signin/2fa', '/auth/signin/webauthn/options', '/auth/register', '/setup']);

export function createCsrf() {
  return csrfSync({
    getTokenFromRequest: (req) => {
      const h = req.headers['x-csrf-token'];
      if (typeof h === 'string') return h;
      const b = (req.body as { _csrf?: unknown } | undefined)?._csrf;
      return typeof b === 'string' ? b : undefined;
    },
  });
}

/** Credential endpoints: 10 attempts a minute per address (GitLab's default). */
export function credentialLimiter(store?: Store): RequestHandler {
  return rateLimit({
    store,
    windowMs: 60_000,
    limit: 10,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) => {
      res.status(429).json({ message: 'too many attempts from your address; wait a minute and try again', code: 'too_many_requests' });
    },
  });
}

export function createApiRouter(s: Services, csrf: ReturnType<typeof createCsrf>, modules: readonly FeatureModule[]): Router {
  const api = new ApiRouter();
  registerSessionRoutes(api, s, (req: Request) => csrf.generateToken(req));
  registerUserRoutes(api, s);
  registerAccountRoutes(api, s);
  registerRepoRoutes(api, s);
  registerProtectionRoutes(api, s);
  registerMaintenanceRoutes(api, s);
  registerAdminRoutes(api, s);
  registerBranchRoutes(api, s);
  registerCommitRoutes(api, s);
  registerContentRoutes(api, s);
  registerMarkdownRoutes(api, s);
  registerAppearanceRoutes(api, s);
  for (const m of modules) m.routes?.(api, s);
  const doc = api.openapi({ title: 'Gitssy API', version: VERSION, description: 'Gitea-compatible REST API of Gitssy, a self-hosted Git forge.' });

  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(doc);
  });
  // a route that takes more (web edits) parses its own body first; the parser below then skips it
  // a signed webhook's bytes must reach it exactly as sent: no JSON parser before it
  for (const { method, path, limit } of api.rawBodies()) router[method](path, express.raw({ limit, type: () => true }));
  for (const { method, path, limit } of api.largeBodies()) router[method](path, express.json({ limit, strict: true, type: ['application/json', 'application/*+json'] }));
  router.use(express.json({ limit: '1mb', strict: true, type: ['application/json', 'application/*+json'] }));
  // each credential endpoint has its own budget, so signing in doesn't use up token creation
  for (const p of ['/auth/signin', '/auth/signin/2fa', '/auth/signin/webauthn/options', '/auth/register', '/setup', '/users/:username/tokens', '/user/password'])
    router.post(p, credentialLimiter(s.shared.rateStore(`credentials:${p}`)));
  router.use(resolveActor(s, { sessions: true }));
  // an account whose password an administrator set: its browser may only change it
  router.use(passwordChangeGuard(s));
  // the site requires 2FA and this browser's account has none: it may only enrol
  router.use(twoFactorEnrolmentGuard(s));
  // markdown renders cost CPU for any caller, anonymous ones included: a budget per account or address
  router.post(['/markdown', '/markdown/raw'], markdownLimiter(s.shared.rateStore('markdown')));
  // CSRF guards requests that ride on the session cookie (and the forms that create one);
  // token- and Basic-authenticated clients can't be forged by a browser and skip it.
  router.use((req, res, next) => {
    if (req.headers.authorization) return next();
    const hasCookie = (req.headers.cookie ?? '').includes(`${SESSION_COOKIE}=`);
    if (!hasCookie && !SIGN_IN_FORMS.has(req.path)) return next();
    csrf.csrfSynchronisedProtection(req, res, next);
  });
  router.use(maintenanceGuard(s));
  router.use(api.router);
  router.use(notFoundJson);
  return router;
}
