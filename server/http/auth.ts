// Who is calling: `Authorization: token|Bearer <t>`, HTTP Basic (password, or a token as the
// password as Gitea allows), or the session cookie. Bad credentials are an error, never a
// silent fall-back to anonymous.
import type { NextFunction, Request, Response } from 'express';
import { ANONYMOUS, type Actor } from '../access/index.js';
import '../twofactor/index.js';
import type { UserRow } from '../db/schema.js';
import { AppError, Forbidden, Unauthorized } from '../lib/errors.js';
import type { Services } from '../services.js';
import { MUST_CHANGE_PASSWORD_BEFORE_USE, PASSWORD_CHANGE_REQUIRED, toActorUser } from '../users/index.js';

declare module 'express-serve-static-core' {
  interface Request {
    actor: Actor;
    /** The full user row behind a signed-in actor. */
    user?: UserRow;
  }
}

declare module 'express-session' {
  interface SessionData {
    userId?: number;
    /** Password checked, second factor not yet: who, and since when (ms). */
    pending2fa?: { userId: number; at: number; remember: boolean };
  }
}

export interface Credentials {
  kind: 'token' | 'basic';
  username?: string;
  secret: string;
}

export function parseAuthorization(header: string | undefined): Credentials | null {
  if (!header) return null;
  const m = /^(\S+)\s+(\S+)$/.exec(header.trim());
  if (!m) throw Unauthorized('malformed Authorization header');
  const scheme = m[1]!.toLowerCase();
  const value = m[2]!;
  if (scheme === 'token' || scheme === 'bearer') return { kind: 'token', secret: value };
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw Unauthorized('malformed Basic credentials');
    return { kind: 'basic', username: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }
  throw Unauthorized(`unsupported authorization scheme "${m[1]}"`);
}

/**
 * Resolves credentials to an actor; throws 401/403 for credentials that don't check out. A token
 * bound to one repository (a dev shell's) is git credentials only: only git over HTTP passes
 * `repoBound: true`; the API and the realtime socket refuse it.
 */
export async function actorFromCredentials(s: Services, cred: Credentials, ip: string | null, opts: CredentialOptions = {}): Promise<{ actor: Actor; user: UserRow; tokenId?: number }> {
  await s.limits.assertMayAuthenticate(ip);
  try {
    const found = await checkCredentials(s, cred, ip, opts);
    if (found.actor.kind === 'user' && found.actor.repoId !== undefined && !opts.repoBound) throw Forbidden('this token is for git over HTTP to one repository only');
    return found;
  } catch (err) {
    if ((err as { code?: string }).code === 'unauthorized') await s.limits.authFailed(ip);
    throw err;
  }
}

export interface CredentialOptions {
  /** Git over HTTP: a token bound to one repository is accepted, and an account password never is for a 2FA account. */
  repoBound?: boolean;
  git?: boolean;
  /** The X-Gitea-OTP header: the second factor for a password on the API. */
  otp?: string;
}

async function checkCredentials(s: Services, cred: Credentials, ip: string | null, opts: CredentialOptions): Promise<{ actor: Actor; user: UserRow; tokenId?: number }> {
  if (cred.kind === 'token' || (cred.kind === 'basic' && /^[0-9a-f]{40}$/i.test(cred.secret))) {
    const found = await s.users.authenticateToken(cred.secret);
    // Basic with a token as password: the username must match (or be the token itself).
    if (found && (cred.kind === 'token' || !cred.username || cred.username === cred.secret || found.user.lower_name === cred.username.toLowerCase())) {
      const problem = s.users.loginProblem(found.user);
      if (problem) throw new AppError('forbidden', problem);
      const actor: Actor = { kind: 'user', user: toActorUser(found.user), scopes: found.scopes, via: 'token', ...(found.repoId !== null ? { repoId: found.repoId } : {}) };
      return { actor, user: found.user, tokenId: found.tokenId };
    }
    if (cred.kind === 'token') throw Unauthorized('invalid access token');
  }
  if (!cred.username) throw Unauthorized('wrong username or password');
  const user = await s.users.authenticate(cred.username, cred.secret, { ip });
  // a password an administrator chose opens the web sign-in (to change it) and nothing else
  if (s.users.isPasswordChangeRequired(user)) throw Forbidden(MUST_CHANGE_PASSWORD_BEFORE_USE);
  // with two-factor sign-in on, a password alone opens nothing: the API wants the code too, git a token (as Gitea)
  if (await s.twoFactor.enabled(user.id)) {
    if (opts.git) throw Unauthorized('this account uses two-factor authentication: git over HTTP takes an access token as the password, not the account password');
    if (!(await s.twoFactor.totpEnabled(user.id))) throw Unauthorized('this account signs in with a passkey, which the API cannot take with a password: use an access token');
    if (!opts.otp) throw Unauthorized('this account uses two-factor authentication: send the current code in the X-Gitea-OTP header, or use an access token');
    await s.twoFactor.verify(user, opts.otp);
  }
  return { actor: { kind: 'user', user: toActorUser(user), scopes: null, via: 'password' }, user };
}

/** Middleware: sets req.actor (and req.user) from the header or the session. */
export function resolveActor(s: Services, opts: { sessions: boolean }) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    req.actor = ANONYMOUS;
    const cred = parseAuthorization(req.headers.authorization);
    if (cred) {
      const otp = req.headers['x-gitea-otp'];
      const { actor, user } = await actorFromCredentials(s, cred, req.ip ?? null, { otp: typeof otp === 'string' ? otp : undefined });
      req.actor = actor;
      req.user = user;
      return next();
    }
    const userId = opts.sessions ? req.session?.userId : undefined;
    if (userId !== undefined) {
      const user = await s.users.byId(userId);
      if (user && !s.users.loginProblem(user)) {
        req.actor = { kind: 'user', user: toActorUser(user), scopes: null, via: 'session' };
        req.user = user;
      } else {
        // the account went away or was disabled: end the session
        await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
      }
    }
    next();
  };
}

/** What a signed-in browser may still call while its password change is pending. */
const WHILE_PASSWORD_CHANGE_REQUIRED = new Set(['GET /auth/session', 'HEAD /auth/session', 'POST /auth/signin', 'POST /auth/signout', 'POST /user/password']);

/**
 * Middleware (after resolveActor): a session whose account must change its password may see
 * its session state, change the password or sign out; anything else is refused with 403.
 */
export function passwordChangeGuard(s: Services) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (req.actor.kind !== 'user' || req.actor.via !== 'session' || !req.user || !s.users.isPasswordChangeRequired(req.user)) return next();
    if (WHILE_PASSWORD_CHANGE_REQUIRED.has(`${req.method} ${req.path}`)) return next();
    next(Forbidden(PASSWORD_CHANGE_REQUIRED));
  };
}

/** What a signed-in browser may still call while the site requires 2FA and its account has none. */
const WHILE_ENROLMENT_REQUIRED = new Set([
  'GET /auth/session',
  'HEAD /auth/session',
  'POST /auth/signout',
  'POST /user/password',
  'GET /user',
  'GET /user/sessions',
  'GET /user/2fa',
  'POST /user/2fa/totp',
  'POST /user/2fa/totp/confirm',
  'GET /user/2fa/webauthn',
  'POST /user/2fa/webauthn/options',
  'POST /user/2fa/webauthn',
]);
export const TWO_FACTOR_REQUIRED = 'this server requires two-factor authentication: turn it on under Settings → Security first';

/** Middleware (after resolveActor): when the site requires 2FA, a session without it may only enrol (or sign out). */
export function twoFactorEnrolmentGuard(s: Services) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (req.actor.kind !== 'user' || req.actor.via !== 'session' || !req.user || !s.settings.get('security.require2fa')) return next();
    if (WHILE_ENROLMENT_REQUIRED.has(`${req.method} ${req.path}`)) return next();
    s.twoFactor
      .enabled(req.user.id)
      .then((on) => next(on ? undefined : Forbidden(TWO_FACTOR_REQUIRED)))
      .catch(next);
  };
}

export function requireUser(req: Request): UserRow {
  if (req.actor.kind !== 'user' || !req.user) throw Unauthorized();
  return req.user;
}

export function requireAdmin(req: Request): UserRow {
  const user = requireUser(req);
  if (!user.is_admin) throw new AppError('forbidden', 'only site administrators may do that');
  return user;
}

/** The caller as the author of a server-side write (a ref change through the RefWriter). */
export function webActor(req: Request): { id: number | null; isSiteAdmin: boolean } {
  return { id: req.user?.id ?? null, isSiteAdmin: req.user?.is_admin === 1 };
}
