// Passkeys and security keys (WebAuthn, through @simplewebauthn/server) as a second factor next to
// TOTP: registration while signed in, and the sign-in's second step. The relying party is this
// server's host name (instance.publicUrl's host when set, else the request's), and the expected
// origin is the one the browser used. Each ceremony's challenge lives in the session for five
// minutes and is spent by the first answer, right or wrong.
import type { Request } from 'express';
import type {
  AuthenticationResponseJSON,
  AuthenticatorTransport,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Db } from '../db/index.js';
import type { UserRow } from '../db/schema.js';
import { AppError, Conflict, Invalid, NotFound } from '../lib/errors.js';
import type { AuditLog } from '../audit/index.js';
import type { SettingsService } from '../settings/index.js';
import type { WebauthnCredentialRow } from './schema.js';

/** How long a ceremony's challenge stays good. */
const CHALLENGE_MS = 5 * 60_000;
export const MAX_PASSKEYS = 20;

// the library (and its crypto dependencies) loads at the first ceremony, not at start-up
let lib: Promise<typeof import('@simplewebauthn/server')> | null = null;
const simpleWebauthn = () => (lib ??= import('@simplewebauthn/server'));

declare module 'express-session' {
  interface SessionData {
    /** The challenge of the WebAuthn ceremony under way (registration or sign-in), and since when (ms). */
    webauthn?: { challenge: string; at: number; kind: 'register' | 'signin' };
  }
}

export interface PasskeyJson {
  id: number;
  name: string;
  transports: string[];
  created_at: string;
  last_used_at: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

function transportsOf(row: WebauthnCredentialRow): AuthenticatorTransport[] {
  try {
    const t = JSON.parse(row.transports) as unknown;
    return Array.isArray(t) ? (t.filter((x) => typeof x === 'string') as AuthenticatorTransport[]) : [];
  } catch {
    return [];
  }
}

export class WebauthnService {
  constructor(
    private readonly db: Db,
    private readonly settings: SettingsService,
    private readonly audit: AuditLog,
    private readonly rpName: () => string,
  ) {}

  /** The relying party ID and the origin the browser must have used. */
  relyingParty(req: Request): { rpID: string; origin: string } {
    const origin = `${req.protocol}://${req.get('host') ?? req.hostname}`;
    const configured = this.settings.get('instance.publicUrl');
    let rpID = req.hostname;
    if (configured) {
      try {
        rpID = new URL(configured).hostname;
      } catch {
        // an unparsable setting: the request's host name
      }
    }
    return { rpID, origin };
  }

  private rows(userId: number): Promise<WebauthnCredentialRow[]> {
    return this.db.selectFrom('webauthn_credentials').selectAll().where('user_id', '=', userId).orderBy('id').execute();
  }

  async count(userId: number): Promise<number> {
    const { n } = await this.db
      .selectFrom('webauthn_credentials')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(n);
  }

  async list(userId: number): Promise<PasskeyJson[]> {
    return (await this.rows(userId)).map((r) => ({ id: r.id, name: r.name, transports: transportsOf(r), created_at: iso(r.created_at)!, last_used_at: iso(r.last_used_at) }));
  }

  /**
   * Takes the session's challenge for this kind of ceremony (it is good for one answer only). The
   * session is stored without it before the answer is checked: express-session would otherwise
   * store it only while the response goes out, and a client that sends the answer again as soon as
   * the status arrives could still find the challenge there.
   */
  private async takeChallenge(req: Request, kind: 'register' | 'signin'): Promise<string> {
    const pending = req.session.webauthn;
    delete req.session.webauthn;
    if (pending) await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
    if (!pending || pending.kind !== kind || Date.now() - pending.at > CHALLENGE_MS) {
      throw new AppError('unauthorized', 'no passkey request is under way (or it is older than five minutes): start again');
    }
    return pending.challenge;
  }

  async registrationOptions(req: Request, user: UserRow): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await this.rows(user.id);
    if (existing.length >= MAX_PASSKEYS) throw Conflict(`an account may have at most ${MAX_PASSKEYS} passkeys`);
    const { rpID } = this.relyingParty(req);
    const { generateRegistrationOptions } = await simpleWebauthn();
    const options = await generateRegistrationOptions({
      rpName: this.rpName(),
      rpID,
      userName: user.name,
      userID: new TextEncoder().encode(`gitssy-user-${user.id}`),
      userDisplayName: user.full_name || user.name,
      attestationType: 'none',
      excludeCredentials: existing.map((r) => ({ id: r.credential_id, transports: transportsOf(r) })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      timeout: CHALLENGE_MS,
    });
    req.session.webauthn = { challenge: options.challenge, at: Date.now(), kind: 'register' };
    return options;
  }

  async register(req: Request, user: UserRow, name: string, response: RegistrationResponseJSON): Promise<PasskeyJson> {
    const expectedChallenge = await this.takeChallenge(req, 'register');
    const { rpID, origin } = this.relyingParty(req);
    const { verifyRegistrationResponse } = await simpleWebauthn();
    let verified;
    try {
      verified = await verifyRegistrationResponse({ response, expectedChallenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: false });
    } catch (err) {
      throw Invalid(`the passkey could not be verified: ${(err as Error).message}`);
    }
    if (!verified.verified) throw Invalid('the passkey could not be verified');
    const { credential } = verified.registrationInfo;
    const taken = await this.db.selectFrom('webauthn_credentials').select('id').where('credential_id', '=', credential.id).executeTakeFirst();
    if (taken) throw Conflict('this passkey is registered already');
    const now = Date.now();
    const row = await this.db
      .insertInto('webauthn_credentials')
      .values({
        user_id: user.id,
        credential_id: credential.id,
        public_key: b64url(credential.publicKey),
        counter: credential.counter,
        transports: JSON.stringify(credential.transports ?? response.response.transports ?? []),
        name: name.trim(),
        created_at: now,
        last_used_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await this.audit.record({ actorId: user.id, action: 'user.2fa.passkey_add', targetType: 'user', targetId: user.id, detail: { name: row.name }, ip: req.ip ?? null });
    return { id: row.id, name: row.name, transports: transportsOf(row), created_at: iso(row.created_at)!, last_used_at: null };
  }

  async remove(userId: number, id: number, ctx: { actorId: number; ip?: string | null }): Promise<void> {
    const row = await this.db.selectFrom('webauthn_credentials').select(['id', 'name']).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
    if (!row) throw NotFound('no such passkey');
    await this.db.deleteFrom('webauthn_credentials').where('id', '=', id).execute();
    await this.audit.record({ actorId: ctx.actorId, action: 'user.2fa.passkey_remove', targetType: 'user', targetId: userId, detail: { name: row.name }, ip: ctx.ip ?? null });
  }

  /** Removes every passkey of the account (an administrator's reset); answers how many. */
  async removeAll(userId: number): Promise<number> {
    const gone = await this.db.deleteFrom('webauthn_credentials').where('user_id', '=', userId).executeTakeFirst();
    return Number(gone.numDeletedRows);
  }

  async authenticationOptions(req: Request, userId: number): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const rows = await this.rows(userId);
    if (rows.length === 0) throw NotFound('this account has no passkeys: use a code from the authenticator app');
    const { rpID } = this.relyingParty(req);
    const { generateAuthenticationOptions } = await simpleWebauthn();
    const options = await generateAuthenticationOptions({
      rpID,
      allowCredentials: rows.map((r) => ({ id: r.credential_id, transports: transportsOf(r) })),
      userVerification: 'preferred',
      timeout: CHALLENGE_MS,
    });
    req.session.webauthn = { challenge: options.challenge, at: Date.now(), kind: 'signin' };
    return options;
  }

  /**
   * Checks a sign-in assertion for the user: throws 401 for an unknown credential, a bad signature
   * or a counter that went backwards; a good one moves the counter on.
   */
  async authenticate(req: Request, user: UserRow, response: AuthenticationResponseJSON): Promise<void> {
    const expectedChallenge = await this.takeChallenge(req, 'signin');
    const row = await this.db.selectFrom('webauthn_credentials').selectAll().where('user_id', '=', user.id).where('credential_id', '=', String(response.id)).executeTakeFirst();
    if (!row) throw new AppError('unauthorized', 'this passkey is not registered for this account');
    const { rpID, origin } = this.relyingParty(req);
    const { verifyAuthenticationResponse } = await simpleWebauthn();
    let result;
    try {
      result = await verifyAuthenticationResponse({
        response,
        expectedChallenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        credential: { id: row.credential_id, publicKey: new Uint8Array(Buffer.from(row.public_key, 'base64url')), counter: Number(row.counter), transports: transportsOf(row) },
        requireUserVerification: false,
      });
    } catch (err) {
      throw new AppError('unauthorized', `the passkey was refused: ${(err as Error).message}`);
    }
    if (!result.verified) throw new AppError('unauthorized', 'the passkey was refused');
    const next = result.authenticationInfo.newCounter;
    // a cloned authenticator shows up as a counter that didn't move forward
    if ((next !== 0 || Number(row.counter) !== 0) && next <= Number(row.counter)) throw new AppError('unauthorized', 'the passkey was refused: its signature counter went backwards');
    await this.db.updateTable('webauthn_credentials').set({ counter: next, last_used_at: Date.now() }).where('id', '=', row.id).execute();
  }
}
