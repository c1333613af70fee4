// The Express application: logging, /ping, git smart HTTP (raw streams, no body parsers),
// then helmet, sessions, the API and the web pages, and one error handler.
import express, { type Express, type RequestHandler } from 'express';
import { sql } from 'kysely';
import type { FeatureModule } from '../feature.js';
import session from 'express-session';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { randomUUID } from 'node:crypto';
import { DbSessionStore } from '../auth/index.js';
import { VERSION } from '../lib/version.js';
import type { Services } from '../services.js';
import { createApiRouter, createCsrf, SESSION_COOKIE } from './api/index.js';
import { resolveActor } from './auth.js';
import { noteSeen, restoreRemembered, SESSION_IDLE_MS } from './sessions.js';
import { errorHandler, refusalOf, requestLogLevel } from './errors.js';
import { gitHttpHandler } from './git-http.js';
import { createSpaRouter } from './spa.js';
import { createWebRouter } from './web.js';
import { trustedIpGate } from './trusted-ips.js';

export interface HttpApp {
  app: Express;
  /** The session middleware, for the realtime handshake (same cookie, same store). */
  session: RequestHandler;
  close(): void;
}

export function createHttpApp(s: Services, opts: { sessionSecret: string; modules: readonly FeatureModule[] }): HttpApp {
  const app = express();
  app.disable('x-powered-by');
  // Only the named proxies (`true` = one on this machine) are believed about the client address:
  // the client is the X-Forwarded-For entry the nearest untrusted hop appended, never what a
  // client wrote there itself (that would let anyone claim 127.0.0.1 past the trusted IP ranges
  // and the per-address limits).
  app.set('trust proxy', s.config.trustProxy);
  app.set('query parser', 'simple');

  const slowMs = s.config.slowRequestMs;
  // pino-http measures the duration after choosing the level, so keep our own start time
  const started = new WeakMap<object, number>();
  const isSlow = (res: object) => slowMs > 0 && Date.now() - (started.get(res) ?? Date.now()) >= slowMs;
  app.use((_req, res, next) => {
    started.set(res, Date.now());
    next();
  });
  app.use(
    pinoHttp({
      logger: s.log.child({ component: 'http' }),
      genReqId: (req, res) => {
        const id = randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, err) => requestLogLevel(res.statusCode, { failed: Boolean(err), refusal: refusalOf(res) !== undefined, slow: isSlow(res) }),
      customSuccessMessage: (req, res, took) => `${req.method} ${(req as { originalUrl?: string }).originalUrl ?? req.url} ${res.statusCode} ${took}ms${isSlow(res) ? ' (slow)' : ''}`,
      // a refused request (the maintenance 503) is no fault: its reason, not a made-up stack
      customErrorObject: (_req, res, _err, val: Record<string, unknown>) => {
        const reason = refusalOf(res);
        if (reason === undefined) return val;
        const { err: _synthetic, ...rest } = val;
        return { ...rest, reason };
      },
      customErrorMessage: (req, res) => (refusalOf(res) !== undefined ? `${req.method} ${(req as { originalUrl?: string }).originalUrl ?? req.url} ${res.statusCode} refused` : 'request errored'),
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, url: req.url, remoteAddress: req.remoteAddress }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
    }),
  );

  // trusted IP ranges: before anything else is served (web, API, git)
  app.use(trustedIpGate(s));

  app.get('/ping', async (_req, res) => {
    // `instance`: which of the forge's processes answered (a load balancer's health check sees
    // each); `ready`: whether what it needs answers — the database, and Redis when the forge has
    // one (null) — with 503 when not, so the balancer sends requests to the others meanwhile
    const [database, redis] = await Promise.all([databaseAnswers(s), s.shared.healthy()]);
    const ok = database && redis !== false;
    res.status(ok ? 200 : 503).json({ ok, version: VERSION, instance: s.shared.instance, ready: { database, redis } });
  });

  // git clients: raw request streams, Basic/token auth, no cookies, no CSRF
  app.use(gitHttpHandler(s));

  app.use(
    helmet({
      // The app's policy: scripts only from our origin (no inline script, no eval), no plugins,
      // no framing. Inline styles stay allowed for the UI primitives that position popovers
      // from script. No upgrade-insecure-requests: on a LAN the forge is often plain HTTP.
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          'script-src-attr': ["'none'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:', 'blob:'],
          'font-src': ["'self'"],
          'connect-src': ["'self'"],
          'object-src': ["'none'"],
          'base-uri': ["'none'"],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
        },
      },
      hsts: false, // on a LAN the operator decides about TLS; a reverse proxy adds HSTS
    }),
  );
  // a session ends with the browser (no Max-Age) or after a day unused; "remember me" is its own cookie (see http/sessions.ts)
  const store = new DbSessionStore(s.db, SESSION_IDLE_MS);
  const sessions = session({
    name: SESSION_COOKIE,
    secret: opts.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', path: '/' },
  });
  app.use(sessions);
  app.use(restoreRemembered(s));
  app.use(noteSeen);
  const csrf = createCsrf();
  app.use('/api/v1', createApiRouter(s, csrf, opts.modules));
  app.use(resolveActor(s, { sessions: true }));
  app.use(createWebRouter(s, csrf));
  for (const m of opts.modules) {
    if (!m.web) continue;
    const router = express.Router();
    m.web(router, s);
    app.use(router);
  }
  app.use(createSpaRouter(s, { appearance: (req) => s.appearance.effective(req.user?.id ?? null), csrfToken: (req) => csrf.generateToken(req) }));
  app.use((req, res) => {
    res.status(404).json({ message: `no route for ${req.method} ${req.path}`, code: 'not_found' });
  });
  app.use(errorHandler(s.log));
  return { app, session: sessions, close: () => store.close() };
}

/** Whether the database answers a trivial query within two seconds. */
async function databaseAnswers(s: Services): Promise<boolean> {
  const query = sql`SELECT 1`.execute(s.db).then(
    () => true,
    () => false,
  );
  return Promise.race([query, new Promise<boolean>((r) => setTimeout(() => r(false), 2_000).unref())]);
}
