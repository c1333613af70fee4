// TOTP two-factor authentication (RFC 6238 through otpauth): enrolment with a QR code confirmed
// by a first code, ten single-use recovery codes stored hashed, and the checks every sign-in path
// makes. A code is accepted for at most one 30-second step and never for a step at or before the
// last one accepted (so a code seen over someone's shoulder is spent), and five wrong codes lock
// code entry for the account for `auth.lockMinutes`.
import { randomBytes } from 'node:crypto';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { Request } from 'express';
import { Secret, TOTP } from 'otpauth';
import type { Db } from '../db/index.js';
import type { UserRow } from '../db/schema.js';
import { sha256Hex } from '../lib/crypto.js';
import { AppError, Conflict, Invalid, NotFound, TooManyRequests } from '../lib/errors.js';
import type { AuditLog } from '../audit/index.js';
import type { SettingsService } from '../settings/index.js';
import type { TwoFactorRow } from './schema.js';
import { WebauthnService } from './webauthn.js';

const PERIOD = 30;
const DIGITS = 6;
/** Codes from one step before or after now count too (clock drift between phone and server). */
const WINDOW = 1;
export const MAX_WRONG_CODES = 5;
export const RECOVERY_CODES = 10;

export interface Enrolment {
  secret: string;
  /** otpauth://totp/… for authenticator apps. */
  uri: string;
  /** The URI as an SVG QR code. */
  qr_svg: string;
}

/** Recovery codes look like `a1b2c-3d4e5`; spaces, dashes and case don't matter when typed. */
const normaliseRecovery = (code: string) => code.toLowerCase().replace(/[\s-]/g, '');

export class TwoFactorService {
  /** Passkeys and security keys: the other second factor (having one turns two-factor sign-in on). */
  readonly passkeys: WebauthnService;
  /** Wrong passkeys of accounts without a TOTP row to count them in: userId → failures and lock. */
  private readonly passkeyFailures = new Map<number, { failures: number; lockedUntil: number | null }>();

  constructor(
    private readonly db: Db,
    private readonly settings: SettingsService,
    private readonly audit: AuditLog,
    private readonly issuer: () => string,
  ) {
    this.passkeys = new WebauthnService(db, settings, audit, issuer);
  }

  private totp(user: Pick<UserRow, 'name'>, secret: string): TOTP {
    return new TOTP({ issuer: this.issuer(), label: user.name, secret: Secret.fromBase32(secret), digits: DIGITS, period: PERIOD, algorithm: 'SHA1' });
  }

  private row(userId: number): Promise<TwoFactorRow | undefined> {
    return this.db.selectFrom('two_factor').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  /** Whether the account signs in with a second factor: an authenticator app, or at least one passkey. */
  async enabled(userId: number): Promise<boolean> {
    return (await this.totpEnabled(userId)) || (await this.passkeys.count(userId)) > 0;
  }

  /** Whether the account has an authenticator app (TOTP) confirmed. */
  async totpEnabled(userId: number): Promise<boolean> {
    return (await this.row(userId))?.enabled === 1;
  }

  /** `enabled` is the authenticator app's state; `webauthn` counts the passkeys. */
  async status(userId: number): Promise<{ enabled: boolean; pending: boolean; recovery_codes_left: number; required: boolean; webauthn: number }> {
    const row = await this.row(userId);
    const left = row?.enabled
      ? Number(
          (
            await this.db
              .selectFrom('two_factor_recovery')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('user_id', '=', userId)
              .where('used_at', 'is', null)
              .executeTakeFirstOrThrow()
          ).n,
        )
      : 0;
    return {
      enabled: row?.enabled === 1,
      pending: row?.enabled === 0,
      recovery_codes_left: left,
      required: this.settings.get('security.require2fa'),
      webauthn: await this.passkeys.count(userId),
    };
  }

  /** Starts (or restarts) enrolment: a new secret, not in force until a code from it is confirmed. */
  async begin(user: UserRow): Promise<Enrolment> {
    const existing = await this.row(user.id);
    if (existing?.enabled) throw Conflict('two-factor authentication is already on; turn it off first to enrol a new device');
    const secret = new Secret({ size: 20 }).base32;
    const now = Date.now();
    await this.db
      .insertInto('two_factor')
      .values({ user_id: user.id, secret, enabled: 0, last_step: 0, failures: 0, locked_until: null, created_at: now, confirmed_at: null })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ secret, enabled: 0, last_step: 0, failures: 0, locked_until: null, created_at: now, confirmed_at: null }))
      .execute();
    const uri = this.totp(user, secret).toString();
    const { default: QRCode } = await import('qrcode');
    return { secret, uri, qr_svg: await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }) };
  }

  /** Confirms enrolment with a first code; answers the recovery codes (shown once). */
  async confirm(user: UserRow, code: string, ctx: { ip?: string | null } = {}): Promise<string[]> {
    const row = await this.row(user.id);
    if (!row) throw NotFound('no two-factor enrolment has been started');
    if (row.enabled) throw Conflict('two-factor authentication is already on');
    await this.check(user, row, code);
    const codes = await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('two_factor').set({ enabled: 1, confirmed_at: Date.now() }).where('user_id', '=', user.id).execute();
      return this.newRecoveryCodes(trx, user.id);
    });
    await this.audit.record({ actorId: user.id, action: 'user.2fa.enable', targetType: 'user', targetId: user.id, detail: {}, ip: ctx.ip ?? null });
    return codes;
  }

  private async newRecoveryCodes(db: Db, userId: number): Promise<string[]> {
    await db.deleteFrom('two_factor_recovery').where('user_id', '=', userId).execute();
    const codes = Array.from({ length: RECOVERY_CODES }, () => {
      const hex = randomBytes(5).toString('hex');
      return `${hex.slice(0, 5)}-${hex.slice(5)}`;
    });
    await db
      .insertInto('two_factor_recovery')
      .values(codes.map((c) => ({ user_id: userId, code_hash: sha256Hex(normaliseRecovery(c)), used_at: null })))
      .execute();
    return codes;
  }

  /** New recovery codes (the old ones stop working); needs a current code. */
  async regenerate(user: UserRow, code: string, ctx: { ip?: string | null } = {}): Promise<string[]> {
    await this.verify(user, code);
    const codes = await this.db.transaction().execute((trx) => this.newRecoveryCodes(trx, user.id));
    await this.audit.record({ actorId: user.id, action: 'user.2fa.recovery_codes', targetType: 'user', targetId: user.id, detail: {}, ip: ctx.ip ?? null });
    return codes;
  }

  /**
   * Checks a code for an account with 2FA on: throws 401 for a wrong or spent code, 429 while
   * code entry is locked. A right code spends its time step.
   */
  async verify(user: UserRow, code: string): Promise<void> {
    const row = await this.row(user.id);
    if (!row?.enabled) {
      if ((await this.passkeys.count(user.id)) > 0)
        throw new AppError('unauthorized', 'this account has no authenticator app, only passkeys: use a passkey to sign in, or an access token for the API');
      throw Invalid('two-factor authentication is not on for this account');
    }
    await this.check(user, row, code);
  }

  /** Throws 429 while second-factor entry is locked for the account (wrong codes or wrong passkeys). */
  async assertNotLocked(userId: number): Promise<void> {
    const row = await this.row(userId);
    const lockedUntil = row ? row.locked_until : (this.passkeyFailures.get(userId)?.lockedUntil ?? null);
    const now = Date.now();
    if (lockedUntil !== null && lockedUntil > now) {
      const minutes = Math.ceil((lockedUntil - now) / 60_000);
      throw TooManyRequests(`too many wrong two-factor attempts: try again in ${minutes} minute${minutes === 1 ? '' : 's'}`);
    }
  }

  /** Signs in with a passkey: a wrong or unknown one counts toward the lock as a wrong code does. */
  async usePasskey(req: Request, user: UserRow, response: AuthenticationResponseJSON): Promise<void> {
    await this.assertNotLocked(user.id);
    try {
      await this.passkeys.authenticate(req, user, response);
    } catch (err) {
      if ((err as { code?: string }).code === 'unauthorized') await this.passkeyFailed(user.id);
      throw err;
    }
    const row = await this.row(user.id);
    if (row) await this.db.updateTable('two_factor').set({ failures: 0, locked_until: null }).where('user_id', '=', user.id).execute();
    this.passkeyFailures.delete(user.id);
  }

  private async passkeyFailed(userId: number): Promise<void> {
    const row = await this.row(userId);
    if (row) return this.wrong(userId, row);
    const entry = this.passkeyFailures.get(userId) ?? { failures: 0, lockedUntil: null };
    entry.failures += 1;
    if (entry.failures >= MAX_WRONG_CODES) {
      entry.failures = 0;
      entry.lockedUntil = Date.now() + this.settings.get('auth.lockMinutes') * 60_000;
      await this.audit.record({ actorId: userId, action: 'user.2fa.locked', targetType: 'user', targetId: userId, detail: { wrong_codes: MAX_WRONG_CODES }, ip: null });
    }
    this.passkeyFailures.set(userId, entry);
  }

  private async check(user: UserRow, row: TwoFactorRow, code: string): Promise<void> {
    const now = Date.now();
    if (row.locked_until !== null && row.locked_until > now) {
      const minutes = Math.ceil((row.locked_until - now) / 60_000);
      throw TooManyRequests(`too many wrong two-factor codes: try again in ${minutes} minute${minutes === 1 ? '' : 's'}`);
    }
    const token = code.replace(/\s/g, '');
    const delta = /^\d{6}$/.test(token) ? this.totp(user, row.secret).validate({ token, timestamp: now, window: WINDOW }) : null;
    if (delta === null) {
      await this.wrong(user.id, row);
      throw new AppError('unauthorized', 'wrong two-factor code');
    }
    const step = Math.floor(now / 1000 / PERIOD) + delta;
    // spend the step, unless this code (or a later one) was taken already: one UPDATE decides
    const spent = await this.db.updateTable('two_factor').set({ last_step: step, failures: 0, locked_until: null }).where('user_id', '=', user.id).where('last_step', '<', step).executeTakeFirst();
    if (Number(spent.numUpdatedRows) === 0) throw new AppError('unauthorized', 'this two-factor code was used already: wait for the next one');
  }

  private async wrong(userId: number, row: TwoFactorRow): Promise<void> {
    const failures = row.failures + 1;
    const lock = failures >= MAX_WRONG_CODES;
    await this.db
      .updateTable('two_factor')
      .set({ failures: lock ? 0 : failures, locked_until: lock ? Date.now() + this.settings.get('auth.lockMinutes') * 60_000 : row.locked_until })
      .where('user_id', '=', userId)
      .execute();
    if (lock) await this.audit.record({ actorId: userId, action: 'user.2fa.locked', targetType: 'user', targetId: userId, detail: { wrong_codes: MAX_WRONG_CODES }, ip: null });
  }

  /** Signs in with a recovery code instead of a TOTP code: each works once. */
  async useRecovery(user: UserRow, code: string, ctx: { ip?: string | null } = {}): Promise<void> {
    const row = await this.row(user.id);
    if (!row?.enabled) throw Invalid('two-factor authentication is not on for this account');
    if (row.locked_until !== null && row.locked_until > Date.now()) throw TooManyRequests('too many wrong two-factor codes: try again later');
    const used = await this.db
      .updateTable('two_factor_recovery')
      .set({ used_at: Date.now() })
      .where('user_id', '=', user.id)
      .where('code_hash', '=', sha256Hex(normaliseRecovery(code)))
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) === 0) {
      await this.wrong(user.id, row);
      throw new AppError('unauthorized', 'wrong or used recovery code');
    }
    await this.audit.record({ actorId: user.id, action: 'user.2fa.recovery_used', targetType: 'user', targetId: user.id, detail: {}, ip: ctx.ip ?? null });
  }

  /** Turns the authenticator app off (passkeys stay): the owner (after a current code) or a site administrator. */
  async disable(userId: number, ctx: { actorId: number; ip?: string | null }): Promise<void> {
    const gone = await this.db.deleteFrom('two_factor').where('user_id', '=', userId).executeTakeFirst();
    await this.db.deleteFrom('two_factor_recovery').where('user_id', '=', userId).execute();
    if (Number(gone.numDeletedRows) === 0) throw NotFound('two-factor authentication is not on for this account');
    await this.audit.record({ actorId: ctx.actorId, action: ctx.actorId === userId ? 'user.2fa.disable' : 'user.2fa.reset', targetType: 'user', targetId: userId, detail: {}, ip: ctx.ip ?? null });
  }

  /** An administrator's reset: the authenticator app, the recovery codes and every passkey go. */
  async reset(userId: number, ctx: { actorId: number; ip?: string | null }): Promise<void> {
    const gone = await this.db.deleteFrom('two_factor').where('user_id', '=', userId).executeTakeFirst();
    await this.db.deleteFrom('two_factor_recovery').where('user_id', '=', userId).execute();
    const passkeys = await this.passkeys.removeAll(userId);
    this.passkeyFailures.delete(userId);
    if (Number(gone.numDeletedRows) === 0 && passkeys === 0) throw NotFound('two-factor authentication is not on for this account');
    await this.audit.record({ actorId: ctx.actorId, action: 'user.2fa.reset', targetType: 'user', targetId: userId, detail: { passkeys }, ip: ctx.ip ?? null });
  }

  /** Whether this account must enrol before it may do anything else (the site requires 2FA and it has none). */
  async mustEnrol(userId: number): Promise<boolean> {
    return this.settings.get('security.require2fa') && !(await this.enabled(userId));
  }
}
