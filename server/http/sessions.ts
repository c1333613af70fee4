// Browser sessions: what each one records about itself (address, device, when it started and was
// last seen) for the owner's list, revoking one, and "remember me". A session cookie lasts until
// the browser closes (and the session ends after a day without use); remembering is a separate
// cookie `selector.validator`: the selector finds the row, the validator is compared with its
// stored hash in constant time and replaced on every use, so a stolen database row opens nothing
// and a copied cookie works once. Remembering brings back a fresh session, never an old session id.
import type { NextFunction, Request, Response } from 'express';
import type { Db } from '../db/index.js';
import type { UserRow } from '../db/schema.js';
import { constantTimeEqual, randomHex, sha256Hex } from '../lib/crypto.js';
import { NotFound } from '../lib/errors.js';
import type { Services } from '../services.js';

export const REMEMBER_COOKIE = 'gitssy_remember';
export const REMEMBER_MS = 30 * 24 * 3600_000;
/** A session without a request for this long ends (the store's expiry; each request renews it, at most once a minute). */
export const SESSION_IDLE_MS = 24 * 3600_000;
const SEEN_EVERY_MS = 60_000;

export interface SessionMeta {
  ip: string | null;
  userAgent: string;
  createdAt: number;
  seenAt: number;
  /** The remember-me selector this session came from or created: revoking the session forgets the browser too. */
  remember?: string;
}

declare module 'express-session' {
  interface SessionData {
    meta?: SessionMeta;
  }
}

export function newMeta(req: Request): SessionMeta {
  const now = Date.now();
  return { ip: req.ip ?? null, userAgent: String(req.headers['user-agent'] ?? '').slice(0, 300), createdAt: now, seenAt: now };
}

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

const cookieOptions = (req: Request) => ({ httpOnly: true, sameSite: 'lax' as const, secure: req.secure, path: '/' });

/** Remembers this browser for the user: a new selector and validator, the cookie set. */
export async function rememberBrowser(db: Db, req: Request, res: Response, user: UserRow): Promise<void> {
  const selector = randomHex(12);
  const validator = randomHex(32);
  const now = Date.now();
  await db
    .insertInto('remember_tokens')
    .values({ selector, validator_hash: sha256Hex(validator), user_id: user.id, created_at: now, expires_at: now + REMEMBER_MS, last_used_at: null })
    .execute();
  res.cookie(REMEMBER_COOKIE, `${selector}.${validator}`, { ...cookieOptions(req), maxAge: REMEMBER_MS });
  if (req.session.meta) req.session.meta.remember = selector;
}

/** Forgets this browser (signing out): its token row and its cookie. */
export async function forgetBrowser(db: Db, req: Request, res: Response): Promise<void> {
  const raw = cookieValue(req, REMEMBER_COOKIE);
  const selector = raw?.split('.')[0];
  if (selector && /^[0-9a-f]{24}$/.test(selector)) await db.deleteFrom('remember_tokens').where('selector', '=', selector).execute();
  if (raw !== undefined) res.clearCookie(REMEMBER_COOKIE, cookieOptions(req));
}

/**
 * Middleware (after the session middleware): a browser without a signed-in session but with a
 * valid remember cookie gets a fresh session for its user and a new validator. A wrong validator
 * for a known selector means the cookie was copied and used: that token is deleted.
 */
export function restoreRemembered(s: Services) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      if (req.session?.userId !== undefined || req.headers.authorization) return next();
      const raw = cookieValue(req, REMEMBER_COOKIE);
      if (raw === undefined) return next();
      const [selector, validator] = raw.split('.');
      const forget = () => res.clearCookie(REMEMBER_COOKIE, cookieOptions(req));
      if (!selector || !validator || !/^[0-9a-f]{24}$/.test(selector) || !/^[0-9a-f]{64}$/.test(validator)) {
        forget();
        return next();
      }
      const row = await s.db.selectFrom('remember_tokens').selectAll().where('selector', '=', selector).executeTakeFirst();
      if (!row || row.expires_at <= Date.now() || !constantTimeEqual(row.validator_hash, sha256Hex(validator))) {
        if (row) await s.db.deleteFrom('remember_tokens').where('id', '=', row.id).execute();
        forget();
        return next();
      }
      const user = await s.users.byId(row.user_id);
      if (!user || s.users.loginProblem(user) || s.users.isPasswordChangeRequired(user)) {
        await s.db.deleteFrom('remember_tokens').where('id', '=', row.id).execute();
        forget();
        return next();
      }
      // replace the validator first: the same cookie never works twice
      const fresh = randomHex(32);
      const rotated = await s.db
        .updateTable('remember_tokens')
        .set({ validator_hash: sha256Hex(fresh), last_used_at: Date.now() })
        .where('id', '=', row.id)
        .where('validator_hash', '=', row.validator_hash)
        .executeTakeFirst();
      if (Number(rotated.numUpdatedRows) === 0) return next();
      await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
      req.session.userId = user.id;
      req.session.meta = { ...newMeta(req), remember: selector };
      res.cookie(REMEMBER_COOKIE, `${selector}.${fresh}`, { ...cookieOptions(req), maxAge: Math.max(0, row.expires_at - Date.now()) });
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** Middleware: a signed-in session notes when it was last used (at most once a minute, so the store isn't written on every request). */
export function noteSeen(req: Request, _res: Response, next: NextFunction): void {
  const sess = req.session;
  if (sess?.userId !== undefined) {
    const now = Date.now();
    if (!sess.meta) sess.meta = newMeta(req);
    else if (now - sess.meta.seenAt > SEEN_EVERY_MS) {
      sess.meta.seenAt = now;
      sess.meta.ip = req.ip ?? sess.meta.ip;
    }
  }
  next();
}

export interface SessionInfo {
  /** Not the session id: a hash of it, safe to show and to send back. */
  id: string;
  current: boolean;
  ip: string | null;
  user_agent: string;
  device: string;
  remembered: boolean;
  created_at: string | null;
  last_seen_at: string | null;
}

const publicId = (sid: string) => sha256Hex(`session:${sid}`).slice(0, 24);

/** "Firefox on Linux" from a user agent, for people; the full string goes along. */
export function describeDevice(ua: string): string {
  if (!ua) return 'unknown device';
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\//.test(ua)
      ? 'Opera'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Chrome\/|Chromium\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : /^git\//.test(ua)
              ? 'git'
              : /curl\//.test(ua)
                ? 'curl'
                : 'a browser';
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS X|Macintosh/.test(ua) ? 'macOS' : /Linux|X11/.test(ua) ? 'Linux' : null;
  return os ? `${browser} on ${os}` : browser;
}

export async function listSessions(db: Db, userId: number, currentSid: string | undefined): Promise<SessionInfo[]> {
  const rows = await db.selectFrom('sessions').select(['sid', 'data']).where('user_id', '=', userId).where('expires_at', '>', Date.now()).execute();
  const out = rows.map((r) => {
    let meta: Partial<SessionMeta> = {};
    try {
      meta = (JSON.parse(r.data) as { meta?: SessionMeta }).meta ?? {};
    } catch {
      // an unreadable row still lists (and can be revoked)
    }
    return {
      id: publicId(r.sid),
      current: r.sid === currentSid,
      ip: meta.ip ?? null,
      user_agent: meta.userAgent ?? '',
      device: describeDevice(meta.userAgent ?? ''),
      remembered: !!meta.remember,
      created_at: meta.createdAt ? new Date(meta.createdAt).toISOString() : null,
      last_seen_at: meta.seenAt ? new Date(meta.seenAt).toISOString() : null,
    };
  });
  return out.sort((a, b) => Number(b.current) - Number(a.current) || (b.last_seen_at ?? '').localeCompare(a.last_seen_at ?? ''));
}

/** Ends one of the user's sessions (and forgets the browser it came from); answers its sid for the realtime revoke. */
export async function revokeSession(db: Db, userId: number, id: string): Promise<string> {
  const rows = await db.selectFrom('sessions').select(['sid', 'data']).where('user_id', '=', userId).execute();
  const row = rows.find((r) => publicId(r.sid) === id);
  if (!row) throw NotFound('session not found');
  let selector: string | undefined;
  try {
    selector = (JSON.parse(row.data) as { meta?: SessionMeta }).meta?.remember;
  } catch {
    // nothing to forget
  }
  await db.deleteFrom('sessions').where('sid', '=', row.sid).execute();
  if (selector) await db.deleteFrom('remember_tokens').where('selector', '=', selector).execute();
  return row.sid;
}
