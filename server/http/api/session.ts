// Browser sign-in over JSON: session status (with the CSRF token), sign in, sign out,
// registration under the registration setting, and the first-run setup claim. Also the
// version and the admin settings endpoints.
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { Request } from 'express';
import { z } from 'zod';
import type { UserRow } from '../../db/schema.js';
import { Conflict, Forbidden, Unauthorized } from '../../lib/errors.js';
import '../../twofactor/index.js';
import { VERSION } from '../../lib/version.js';
import type { Services } from '../../services.js';
import { requireAdmin, requireUser } from '../auth.js';
import { forgetBrowser, listSessions, newMeta, rememberBrowser, revokeSession } from '../sessions.js';
import { userJson } from './json.js';
import type { ApiRouter } from './route.js';
import { completeSetup, wizardFields } from '../../ops/index.js';
import { SECRET_SETTINGS } from '../../settings/index.js';
import { normalizeIp } from '../../ops/index.js';

const signinBody = z.strictObject({
  username: z.string().min(1).max(254),
  password: z.string().min(1).max(256),
  remember: z.boolean().optional().describe('keep this browser signed in for 30 days (a separate, rotating cookie)'),
});
/** A browser's answer to navigator.credentials.get(), as @simplewebauthn/browser hands it over. */
const assertionJson = z.looseObject({
  id: z.string().min(1).max(1400),
  rawId: z.string().min(1).max(1400),
  type: z.literal('public-key'),
  response: z.looseObject({ clientDataJSON: z.string().min(1), authenticatorData: z.string().min(1), signature: z.string().min(1), userHandle: z.string().optional() }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});
const secondFactorBody = z.union([z.strictObject({ code: z.string().min(1).max(20) }), z.strictObject({ recovery_code: z.string().min(1).max(40) }), z.strictObject({ webauthn: assertionJson })]);
/** How long a checked password waits for its second factor. */
const PENDING_2FA_MS = 5 * 60_000;
const registerBody = z.strictObject({ username: z.string().min(1).max(40), email: z.string().min(3).max(254), password: z.string().min(1).max(256), full_name: z.string().max(255).optional() });
const setupBody = registerBody.extend({ token: z.string().min(1).max(200), ...wizardFields });

/** A fresh session that has checked the password and waits for the second factor (never signed in yet). */
function awaitSecondFactor(req: Request, user: UserRow, remember: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.regenerate((err) => {
      if (err) return reject(err);
      req.session.pending2fa = { userId: user.id, at: Date.now(), remember };
      req.session.save((err2) => (err2 ? reject(err2) : resolve()));
    });
  });
}

/** Starts a fresh session for the user (a new id at sign-in defeats session fixation). */
export function signIn(req: Request, user: UserRow): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.regenerate((err) => {
      if (err) return reject(err);
      req.session.userId = user.id;
      req.session.meta = newMeta(req);
      req.session.save((err2) => (err2 ? reject(err2) : resolve()));
    });
  });
}

/** Who is signed in and the instance state the UI needs (also embedded in the app's index.html). */
export async function sessionState(s: Services, req: Request, csrfToken: string | null) {
  return {
    user: req.user && req.actor.kind === 'user' ? userJson(s, req, req.user, { full: true }) : null,
    csrf_token: csrfToken,
    /** The password was right and the second factor is awaited (POST /auth/signin/2fa). */
    two_factor_pending: !req.user && !!req.session?.pending2fa && Date.now() - req.session.pending2fa.at < PENDING_2FA_MS,
    /** While the second step is awaited: the account has passkeys, so the UI offers them. */
    two_factor_webauthn: !req.user && !!req.session?.pending2fa && (await s.twoFactor.passkeys.count(req.session.pending2fa.userId)) > 0,
    /** The site requires 2FA and this account has none: the UI sends it to enrolment. */
    two_factor_enrolment_required: !!req.user && req.actor.kind === 'user' && (await s.twoFactor.mustEnrol(req.user.id)),
    setup_required: await s.setup.needed(),
    registration: s.settings.get('registration.mode'),
    instance_name: s.settings.get('instance.name'),
    version: VERSION,
    maintenance: {
      enabled: s.settings.get('maintenance.enabled'),
      message: s.settings.get('maintenance.message'),
      // whether this viewer's writes are refused (site admins may be exempt)
      read_only: s.settings.get('maintenance.enabled') && !(s.settings.get('maintenance.adminsExempt') && req.user?.is_admin === 1),
    },
  };
}

export function registerSessionRoutes(api: ApiRouter, s: Services, csrfToken: (req: Request) => string): void {
  api.route({ method: 'get', path: '/version', tag: 'miscellaneous', summary: 'The server version', responses: { 200: '{version}' } }, async () => ({ body: { version: VERSION } }));

  api.route(
    {
      method: 'get',
      path: '/auth/session',
      tag: 'session',
      summary: 'Gitssy: who is signed in, the CSRF token for cookie-authenticated writes, and instance state',
      responses: { 200: 'session state' },
    },
    async ({ req }) => ({ body: await sessionState(s, req, csrfToken(req)) }),
  );

  api.route(
    {
      method: 'post',
      path: '/auth/signin',
      tag: 'session',
      summary: 'Gitssy: sign in with a username (or email) and password; sets the session cookie',
      body: signinBody,
      responses: { 200: 'the user', 401: 'wrong username or password, or locked', 429: 'too many attempts' },
    },
    async ({ req, res, body }) => {
      await s.limits.assertMayAuthenticate(req.ip);
      const user = await s.users.authenticate(body.username, body.password, { ip: req.ip ?? null }).catch(async (err) => {
        if ((err as { code?: string }).code === 'unauthorized') await s.limits.authFailed(req.ip);
        throw err;
      });
      if (await s.twoFactor.enabled(user.id)) {
        await awaitSecondFactor(req, user, body.remember === true);
        const webauthn = (await s.twoFactor.passkeys.count(user.id)) > 0;
        return { body: { user: null, two_factor_required: true, webauthn, totp: await s.twoFactor.totpEnabled(user.id), csrf_token: csrfToken(req) } };
      }
      await signIn(req, user);
      if (body.remember) await rememberBrowser(s.db, req, res, user);
      await s.users.markSignedIn(user.id);
      req.user = user;
      return { body: { user: userJson(s, req, user, { full: true }), csrf_token: csrfToken(req) } };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/auth/signin/webauthn/options',
      tag: 'session',
      summary: 'Gitssy: the second step with a passkey: the options for navigator.credentials.get(), for the account whose password was just checked',
      responses: { 200: 'PublicKeyCredentialRequestOptionsJSON', 401: 'no sign-in waiting for a second factor', 404: 'the account has no passkeys' },
    },
    async ({ req }) => {
      const pending = req.session.pending2fa;
      if (!pending || Date.now() - pending.at > PENDING_2FA_MS) throw Unauthorized('sign in with your password first (or again: five minutes have passed)');
      return { body: await s.twoFactor.passkeys.authenticationOptions(req, pending.userId) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/auth/signin/2fa',
      tag: 'session',
      summary: 'Gitssy: the second step of signing in for a two-factor account: a code from the app, a recovery code, or a passkey’s answer (`webauthn`)',
      body: secondFactorBody,
      responses: { 200: 'the user, signed in', 401: 'wrong or used code, or no sign-in waiting for one', 429: 'too many wrong codes' },
    },
    async ({ req, res, body }) => {
      const pending = req.session.pending2fa;
      if (!pending || Date.now() - pending.at > PENDING_2FA_MS) throw Unauthorized('sign in with your password first (or again: five minutes have passed)');
      const user = await s.users.byId(pending.userId);
      if (!user || s.users.loginProblem(user)) throw Unauthorized('sign in with your password first');
      await s.limits.assertMayAuthenticate(req.ip);
      try {
        if ('code' in body) await s.twoFactor.verify(user, body.code);
        else if ('recovery_code' in body) await s.twoFactor.useRecovery(user, body.recovery_code, { ip: req.ip ?? null });
        else await s.twoFactor.usePasskey(req, user, body.webauthn as unknown as AuthenticationResponseJSON);
      } catch (err) {
        if ((err as { code?: string }).code === 'unauthorized') await s.limits.authFailed(req.ip);
        throw err;
      }
      // a privilege change: the session id changes again
      await signIn(req, user);
      if (pending.remember) await rememberBrowser(s.db, req, res, user);
      await s.users.markSignedIn(user.id);
      req.user = user;
      return { body: { user: userJson(s, req, user, { full: true }), csrf_token: csrfToken(req) } };
    },
  );

  api.route({ method: 'post', path: '/auth/signout', tag: 'session', summary: 'Gitssy: end the session', responses: { 204: 'signed out' } }, async ({ req, res }) => {
    // live connections made with this session end with it
    if (req.session.userId !== undefined) s.events.emit('credentials.revoked', { userId: req.session.userId, what: { kind: 'session', sid: req.sessionID } });
    await forgetBrowser(s.db, req, res);
    await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
    res.clearCookie('gitssy_session', { path: '/' });
  });

  api.route(
    { method: 'get', path: '/user/sessions', tag: 'user', auth: 'user', summary: 'Gitssy: your signed-in browsers (device, address, last seen), this one first', responses: { 200: 'session list' } },
    async ({ req }) => ({ body: await listSessions(s.db, requireUser(req).id, req.sessionID) }),
  );

  api.route(
    {
      method: 'delete',
      path: '/user/sessions/:id',
      tag: 'user',
      auth: 'user',
      summary: 'Gitssy: sign one of your browsers out (it is forgotten too, if it was remembered)',
      responses: { 204: 'signed out', 404: 'no such session' },
    },
    async ({ req, params }) => {
      const me = requireUser(req);
      const sid = await revokeSession(s.db, me.id, params.id!);
      s.events.emit('credentials.revoked', { userId: me.id, what: { kind: 'session', sid } });
      await s.audit.record({ actorId: me.id, action: 'session.revoke', targetType: 'user', targetId: me.id, detail: { current: sid === req.sessionID }, ip: req.ip ?? null });
      return { status: 204 };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/auth/register',
      tag: 'session',
      summary: 'Gitssy: create an account, as the registration setting allows (open, admin approval, closed)',
      body: registerBody,
      responses: { 201: 'the user (signed in when open; `pending` when it awaits approval)', 403: 'registration closed', 409: 'taken' },
    },
    async ({ req, body }) => {
      const mode = s.settings.get('registration.mode');
      if (mode === 'closed') throw Forbidden('registration is closed on this instance; ask an administrator for an account');
      const user = await s.users.create(
        { username: body.username, email: body.email, password: body.password, fullName: body.full_name, active: mode === 'open' },
        { actorId: null, ip: req.ip ?? null },
      );
      if (mode === 'open') {
        await signIn(req, user);
        req.user = user;
      }
      return { status: 201, body: { user: userJson(s, req, user, { full: true }), pending: mode !== 'open' } };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/setup',
      tag: 'session',
      summary:
        'Gitssy: first run only: create the first administrator with the one-time setup token; optionally also instance_name, public_url, registration, transports, ports (next start), mdns — all or nothing',
      description:
        'A browser form: send the session cookie and the CSRF token that `GET /api/v1/auth/session` hands out (cookie `gitssy_session`, field `csrf_token`) as the `X-CSRF-Token` header, as for signing in. Without them the answer is 403 `csrf`.',
      body: setupBody,
      responses: { 201: 'the administrator, signed in', 403: 'bad setup token, or a missing or invalid CSRF token', 409: 'already set up' },
    },
    async ({ req, body }) => {
      // the wizard's extra fields (name, address, ports, transports, registration) are optional
      const { user, restart_required } = await completeSetup(s, body, req.ip ?? null);
      await signIn(req, user);
      req.user = user;
      return { status: 201, body: { user: userJson(s, req, user, { full: true }), restart_required } };
    },
  );

  api.route({ method: 'get', path: '/admin/settings', tag: 'admin', summary: 'Gitssy: runtime settings', auth: 'admin', responses: { 200: 'settings' } }, async ({ req }) => {
    requireAdmin(req);
    return { body: s.settings.redacted() };
  });

  api.route(
    {
      method: 'patch',
      path: '/admin/settings',
      tag: 'admin',
      summary: 'Gitssy: change runtime settings (all-or-nothing)',
      auth: 'admin',
      body: z.record(z.string(), z.unknown()),
      responses: { 200: 'settings', 422: 'invalid value' },
    },
    async ({ req, body }) => {
      const admin = requireAdmin(req);
      // an administrator on the LAN can't shut themselves out with a new list of trusted ranges
      const cidrs = body['access.allowCidrs'];
      if (Array.isArray(cidrs) && cidrs.every((c) => typeof c === 'string') && !s.trusted.wouldAllow(cidrs, req.ip)) {
        const me = normalizeIp(req.ip ?? '');
        throw Conflict(`these trusted IP ranges would shut out your own address ${me}; add it (for example ${me}/32) or make the change from the server's own machine`);
      }
      await s.settings.update(body);
      // write-only values (the SMTP password) never reach the audit log or the response
      const detail = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, (SECRET_SETTINGS as readonly string[]).includes(k) ? '[changed]' : v]));
      await s.audit.record({ actorId: admin.id, action: 'settings.update', targetType: 'settings', detail, ip: req.ip ?? null });
      return { body: s.settings.redacted() };
    },
  );
}
