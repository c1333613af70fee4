// Accounts: individual users (and the user rows that back organizations), passwords with
// lockout, and personal access tokens.
import type { Db } from '../db/index.js';
import { isUniqueViolation } from '../db/index.js';
import type { UserRow } from '../db/schema.js';
import type { AuditLog } from '../audit/index.js';
import { parseScopes, type Scope } from '../access/index.js';
import type { ActorUser } from '../access/index.js';
import { randomHex, sha256Hex } from '../lib/crypto.js';
import { AppError, Conflict, Invalid, NotFound, Unauthorized } from '../lib/errors.js';
import { ownerNameProblem } from '../lib/names.js';
import type { SettingsService } from '../settings/index.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, VerifiedPasswordCache, hashPassword, verifyPassword } from './passwords.js';

export const USER_TYPE = { individual: 0, organization: 1 } as const;
const EMAIL_RE = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$/;

/** Credentials that stopped being valid: one session, all of a user's sessions, one token, or everything of a user. */
export interface CredentialsRevoked {
  userId: number;
  what: { kind: 'user' } | { kind: 'sessions' } | { kind: 'session'; sid: string } | { kind: 'token'; tokenId: number };
}

export interface NewUserInput {
  username: string;
  email: string;
  password: string;
  fullName?: string;
  isAdmin?: boolean;
  active?: boolean;
  /** The user must choose a new password at the next web sign-in (an administrator chose this one). */
  mustChangePassword?: boolean;
}

/** Why a password (Basic auth on the API or git over HTTP) is refused while a change is pending. */
export const MUST_CHANGE_PASSWORD_BEFORE_USE = 'this account must change its password before it can be used: sign in on the web to choose a new one';
/** Why a signed-in browser may do nothing but change the password, see its session or sign out. */
export const PASSWORD_CHANGE_REQUIRED = 'a password change is required: choose a new password before doing anything else';

export interface TokenRecord {
  id: number;
  name: string;
  scopes: Scope[];
  tokenLastEight: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export function toActorUser(u: UserRow): ActorUser {
  return { id: u.id, name: u.name, isAdmin: u.is_admin === 1 };
}

export function assertPasswordAcceptable(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw Invalid(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw Invalid(`password must be at most ${MAX_PASSWORD_LENGTH} characters`);
}

export function assertEmail(email: string): void {
  if (email.length > 254 || !EMAIL_RE.test(email)) throw Invalid(`"${email}" is not a valid email address`);
}

/** Why a profile website is not acceptable (empty, or an http(s) URL), or null. */
export function websiteProblem(website: string): string | null {
  const w = website.trim();
  if (w === '') return null;
  if (w.length > 255) return 'must be at most 255 characters';
  let url: URL;
  try {
    url = new URL(w);
  } catch {
    return `"${w}" is not a URL; use a full address like https://example.com`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must start with http:// or https://';
  return null;
}

export class UserService {
  private readonly verified = new VerifiedPasswordCache();

  constructor(
    private readonly db: Db,
    private readonly settings: SettingsService,
    private readonly audit: AuditLog,
    /** Told when credentials stop being valid, so live connections made with them end too. */
    private readonly revoked: (r: CredentialsRevoked) => void = () => {},
  ) {}

  async create(input: NewUserInput, ctx: { actorId: number | null; ip?: string | null } = { actorId: null }): Promise<UserRow> {
    const problem = ownerNameProblem(input.username);
    if (problem) throw Invalid(`username ${problem}`);
    assertEmail(input.email);
    assertPasswordAcceptable(input.password);
    const passwordHash = await hashPassword(input.password);
    const now = Date.now();
    let user: UserRow;
    try {
      user = await this.db.transaction().execute(async (trx) => {
        const taken = await trx.selectFrom('users').select('id').where('lower_name', '=', input.username.toLowerCase()).executeTakeFirst();
        if (taken) throw Conflict(`the name "${input.username}" is already taken`);
        const emailTaken = await trx.selectFrom('emails').select('id').where('lower_email', '=', input.email.toLowerCase()).executeTakeFirst();
        if (emailTaken) throw Conflict(`the email address ${input.email} is already in use`);
        const row = await trx
          .insertInto('users')
          .values({
            name: input.username,
            lower_name: input.username.toLowerCase(),
            full_name: input.fullName ?? '',
            email: input.email,
            type: USER_TYPE.individual,
            password_hash: passwordHash,
            is_admin: input.isAdmin ? 1 : 0,
            is_active: input.active === false ? 0 : 1,
            prohibit_login: 0,
            must_change_password: input.mustChangePassword ? 1 : 0,
            failed_logins: 0,
            locked_until: null,
            description: '',
            website: '',
            visibility: 'public',
            created_at: now,
            updated_at: now,
            last_login_at: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await trx.insertInto('emails').values({ user_id: row.id, email: input.email, lower_email: input.email.toLowerCase(), is_primary: 1, is_activated: 1 }).execute();
        return row;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw Conflict(`the name "${input.username}" or email ${input.email} is already taken`);
      throw err;
    }
    await this.audit.record({
      actorId: ctx.actorId ?? user.id,
      action: 'user.create',
      targetType: 'user',
      targetId: user.id,
      detail: { name: user.name, admin: user.is_admin === 1, active: user.is_active === 1, ...(input.mustChangePassword ? { must_change_password: true } : {}) },
      ip: ctx.ip ?? null,
    });
    return user;
  }

  async byName(name: string): Promise<UserRow | undefined> {
    if (name.length > 40) return undefined;
    return this.db.selectFrom('users').selectAll().where('lower_name', '=', name.toLowerCase()).executeTakeFirst();
  }

  async byId(id: number): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async requireByName(name: string): Promise<UserRow> {
    const u = await this.byName(name);
    if (!u) throw NotFound(`user "${name}" does not exist`);
    return u;
  }

  async countAdmins(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('is_admin', '=', 1)
      .where('type', '=', USER_TYPE.individual)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Why this account may not act right now, or null when it may. */
  loginProblem(u: UserRow): string | null {
    if (u.type !== USER_TYPE.individual) return 'organizations cannot sign in';
    if (u.prohibit_login) return 'this account has been disabled by an administrator';
    if (!u.is_active) return 'this account is waiting for an administrator to approve it';
    return null;
  }

  /**
   * Whether an administrator set this account's password and its owner hasn't chosen a new one
   * yet: until then only a web session may use it, and only to change the password (tokens and
   * SSH keys the owner made themselves keep working).
   */
  isPasswordChangeRequired(u: UserRow): boolean {
    return u.must_change_password === 1;
  }

  /**
   * Checks a username (or email) and password. Failed attempts count towards a lock (GitLab's
   * rule: 10 failures lock the account for 10 minutes; a success resets the count).
   */
  async authenticate(login: string, password: string, ctx: { ip?: string | null } = {}): Promise<UserRow> {
    const user = await this.findForLogin(login);
    const now = Date.now();
    if (user?.locked_until && user.locked_until > now) {
      const minutes = Math.ceil((user.locked_until - now) / 60_000);
      throw new AppError('unauthorized', `account is locked after too many failed sign-in attempts; try again in ${minutes} minute${minutes === 1 ? '' : 's'} or ask an administrator`);
    }
    if (user?.password_hash && this.verified.has(user.id, user.password_hash, password)) {
      return this.afterGoodPassword(user);
    }
    const ok = await verifyPassword(user?.password_hash ?? null, password);
    if (!user || !ok) {
      if (user) await this.recordFailure(user, ctx.ip ?? null);
      throw Unauthorized('wrong username or password');
    }
    this.verified.add(user.id, user.password_hash!, password);
    return this.afterGoodPassword(user);
  }

  private async afterGoodPassword(user: UserRow): Promise<UserRow> {
    const problem = this.loginProblem(user);
    if (problem) throw new AppError('forbidden', problem);
    return user;
  }

  private async findForLogin(login: string): Promise<UserRow | undefined> {
    if (login.length > 254) return undefined;
    if (login.includes('@')) {
      return this.db.selectFrom('users').selectAll('users').innerJoin('emails', 'emails.user_id', 'users.id').where('emails.lower_email', '=', login.toLowerCase()).executeTakeFirst();
    }
    return this.byName(login);
  }

  /**
   * Counts a failed password within a window (auth.lockMinutes long) that a success in between
   * does not reset, so guesses can't be spread around the owner's own sign-ins; reaching
   * auth.maxFailedLogins locks the account for auth.lockMinutes.
   */
  private async recordFailure(user: UserRow, ip: string | null): Promise<void> {
    const max = this.settings.get('auth.maxFailedLogins');
    const windowMs = this.settings.get('auth.lockMinutes') * 60_000;
    const now = Date.now();
    const fresh = !user.failed_window_start || now - user.failed_window_start > windowMs;
    const updated = await this.db
      .updateTable('users')
      .set((eb) => (fresh ? { failed_logins: 1, failed_window_start: now } : { failed_logins: eb('failed_logins', '+', 1) }))
      .where('id', '=', user.id)
      .returning(['failed_logins'])
      .executeTakeFirst();
    if (updated && updated.failed_logins >= max) {
      await this.db
        .updateTable('users')
        .set({ locked_until: now + windowMs, failed_logins: 0, failed_window_start: null })
        .where('id', '=', user.id)
        .execute();
      await this.audit.record({ actorId: null, action: 'user.locked', targetType: 'user', targetId: user.id, detail: { after: max }, ip });
    }
  }

  async markSignedIn(userId: number): Promise<void> {
    await this.db.updateTable('users').set({ last_login_at: Date.now() }).where('id', '=', userId).execute();
  }

  /** Sets the password; `mustChange` sets or clears the pending change (left as it is when omitted). */
  async setPassword(userId: number, password: string, opts: { mustChange?: boolean } = {}): Promise<void> {
    assertPasswordAcceptable(password);
    const passwordHash = await hashPassword(password);
    const set: Partial<UserRow> = { password_hash: passwordHash, updated_at: Date.now(), failed_logins: 0, failed_window_start: null, locked_until: null };
    if (opts.mustChange !== undefined) set.must_change_password = opts.mustChange ? 1 : 0;
    await this.db.updateTable('users').set(set).where('id', '=', userId).execute();
    // Every other session of this user ends with the old password, and every remembered browser.
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
    await this.db.deleteFrom('remember_tokens').where('user_id', '=', userId).execute();
    this.revoked({ userId, what: { kind: 'sessions' } });
  }

  async adminUpdate(
    user: UserRow,
    patch: { isAdmin?: boolean; active?: boolean; prohibitLogin?: boolean; email?: string; fullName?: string; password?: string; mustChangePassword?: boolean },
    ctx: { actorId: number; ip?: string | null },
  ): Promise<UserRow> {
    // the instance must keep one administrator who can sign in, or nobody can run it
    const losesAdmin = patch.isAdmin === false || patch.prohibitLogin === true || patch.active === false;
    if (losesAdmin && user.is_admin === 1 && !user.prohibit_login && user.is_active) {
      const others = await this.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('is_admin', '=', 1)
        .where('type', '=', USER_TYPE.individual)
        .where('prohibit_login', '=', 0)
        .where('is_active', '=', 1)
        .where('id', '!=', user.id)
        .executeTakeFirstOrThrow();
      if (Number(others.n) === 0) throw Conflict(`${user.name} is the only administrator who can sign in; make someone else an administrator first`);
    }
    if (patch.password !== undefined) await this.setPassword(user.id, patch.password);
    if (patch.email !== undefined) {
      assertEmail(patch.email);
      const other = await this.db.selectFrom('emails').select('user_id').where('lower_email', '=', patch.email.toLowerCase()).executeTakeFirst();
      if (other && other.user_id !== user.id) throw Conflict(`the email address ${patch.email} is already in use`);
    }
    const set: Partial<UserRow> = { updated_at: Date.now() };
    if (patch.isAdmin !== undefined) set.is_admin = patch.isAdmin ? 1 : 0;
    if (patch.active !== undefined) set.is_active = patch.active ? 1 : 0;
    if (patch.prohibitLogin !== undefined) set.prohibit_login = patch.prohibitLogin ? 1 : 0;
    // as Gitea: only an explicit must_change_password sets or clears it, a new password alone doesn't
    if (patch.mustChangePassword !== undefined) set.must_change_password = patch.mustChangePassword ? 1 : 0;
    if (patch.fullName !== undefined) set.full_name = patch.fullName;
    if (patch.email !== undefined) set.email = patch.email;
    const row = await this.db.transaction().execute(async (trx) => {
      const updated = await trx.updateTable('users').set(set).where('id', '=', user.id).returningAll().executeTakeFirstOrThrow();
      if (patch.email !== undefined) {
        await trx.deleteFrom('emails').where('user_id', '=', user.id).where('is_primary', '=', 1).execute();
        await trx.insertInto('emails').values({ user_id: user.id, email: patch.email, lower_email: patch.email.toLowerCase(), is_primary: 1, is_activated: 1 }).execute();
      }
      if (patch.prohibitLogin) await trx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
      return updated;
    });
    // a disabled account, or an administrator no longer one: live connections made with the old rights end
    if (patch.prohibitLogin || patch.active === false || (patch.isAdmin === false && user.is_admin === 1)) this.revoked({ userId: user.id, what: { kind: 'user' } });
    // a change now pending: live connections of its browser sessions end (a new password ended them already)
    else if (patch.mustChangePassword && patch.password === undefined && user.must_change_password !== 1) this.revoked({ userId: user.id, what: { kind: 'sessions' } });
    await this.audit.record({
      actorId: ctx.actorId,
      action: 'user.update',
      targetType: 'user',
      targetId: user.id,
      detail: { ...patch, password: patch.password ? '[changed]' : undefined },
      ip: ctx.ip ?? null,
    });
    return row;
  }

  /** The user's own profile fields (Gitea's user settings): full name, description, website. */
  async updateProfile(user: UserRow, patch: { fullName?: string; description?: string; website?: string; location?: string; pronouns?: string }, ctx: { ip?: string | null } = {}): Promise<UserRow> {
    if (patch.fullName !== undefined && patch.fullName.length > 100) throw Invalid('full name must be at most 100 characters');
    if (patch.description !== undefined && patch.description.length > 255) throw Invalid('description must be at most 255 characters');
    if (patch.location !== undefined && patch.location.trim().length > 100) throw Invalid('location must be at most 100 characters');
    if (patch.pronouns !== undefined && patch.pronouns.trim().length > 50) throw Invalid('pronouns must be at most 50 characters');
    for (const [field, v] of [
      ['location', patch.location],
      ['pronouns', patch.pronouns],
    ] as const) {
      if (v !== undefined && /[\u0000-\u001f\u007f]/.test(v)) throw Invalid(`${field} may not contain control characters or line breaks`);
    }
    if (patch.website !== undefined) {
      const problem = websiteProblem(patch.website);
      if (problem) throw Invalid(`website ${problem}`);
    }
    const set: Partial<UserRow> = { updated_at: Date.now() };
    if (patch.fullName !== undefined) set.full_name = patch.fullName.trim();
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.website !== undefined) set.website = patch.website.trim();
    if (patch.location !== undefined) set.location = patch.location.trim();
    if (patch.pronouns !== undefined) set.pronouns = patch.pronouns.trim();
    const row = await this.db.updateTable('users').set(set).where('id', '=', user.id).returningAll().executeTakeFirstOrThrow();
    await this.audit.record({ actorId: user.id, action: 'user.profile', targetType: 'user', targetId: user.id, detail: { ...patch }, ip: ctx.ip ?? null });
    return row;
  }

  /**
   * Changes the user's own password after checking the current one (a wrong one counts towards
   * the account lock like a failed sign-in). Every session of the user ends.
   */
  async changePassword(user: UserRow, current: string, next: string, ctx: { ip?: string | null } = {}): Promise<void> {
    assertPasswordAcceptable(next);
    try {
      await this.authenticate(user.name, current, ctx);
    } catch (err) {
      if (err instanceof AppError && err.code === 'unauthorized' && err.message === 'wrong username or password') throw Unauthorized('your current password is wrong');
      throw err;
    }
    if (current === next) throw Invalid('the new password is the same as the current one; choose a different one');
    // the owner chose this one: a change an administrator asked for is done
    await this.setPassword(user.id, next, { mustChange: false });
    await this.audit.record({ actorId: user.id, action: 'user.password', targetType: 'user', targetId: user.id, detail: {}, ip: ctx.ip ?? null });
  }

  // ---- personal access tokens -------------------------------------------------------------

  /** Creates a token; the secret is returned once and only its hash is stored. */
  async createToken(
    userId: number,
    name: string,
    scopesInput: string | readonly string[],
    ctx: { ip?: string | null } = {},
    bounds: { repoId?: number; expiresAt?: number } = {},
  ): Promise<{ token: string; record: TokenRecord }> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 255) throw Invalid('token name must be 1-255 characters');
    let scopes: Scope[];
    try {
      scopes = parseScopes(scopesInput);
    } catch (err) {
      throw Invalid((err as Error).message);
    }
    const token = randomHex(20); // 40 hex characters, like Gitea's sha1-shaped tokens
    const now = Date.now();
    let row;
    try {
      row = await this.db
        .insertInto('access_tokens')
        .values({
          user_id: userId,
          name: trimmed,
          token_hash: sha256Hex(token),
          token_last_eight: token.slice(-8),
          scopes: scopes.join(','),
          created_at: now,
          last_used_at: null,
          repo_id: bounds.repoId ?? null,
          expires_at: bounds.expiresAt ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (err) {
      if (isUniqueViolation(err)) throw Conflict(`you already have a token named "${trimmed}"`);
      throw err;
    }
    await this.audit.record({ actorId: userId, action: 'token.create', targetType: 'access_token', targetId: row.id, detail: { name: trimmed, scopes }, ip: ctx.ip ?? null });
    return { token, record: toTokenRecord(row) };
  }

  async listTokens(userId: number): Promise<TokenRecord[]> {
    const rows = await this.db.selectFrom('access_tokens').selectAll().where('user_id', '=', userId).orderBy('id').execute();
    return rows.map(toTokenRecord);
  }

  /** Deletes by id or by name (Gitea accepts either). */
  async deleteToken(userId: number, idOrName: string, ctx: { ip?: string | null } = {}): Promise<void> {
    let q = this.db.deleteFrom('access_tokens').where('user_id', '=', userId);
    q = /^\d+$/.test(idOrName) ? q.where('id', '=', Number(idOrName)) : q.where('name', '=', idOrName);
    const deleted = await q.returning('id').executeTakeFirst();
    if (!deleted) throw NotFound('access token does not exist');
    this.revoked({ userId, what: { kind: 'token', tokenId: deleted.id } });
    await this.audit.record({ actorId: userId, action: 'token.delete', targetType: 'access_token', detail: { token: idOrName }, ip: ctx.ip ?? null });
  }

  /** Resolves a presented token to its user and scopes (and the one repository it is bound to), or null when it is unknown or expired. */
  async authenticateToken(token: string): Promise<{ user: UserRow; scopes: Scope[]; tokenId: number; repoId: number | null } | null> {
    if (!/^[0-9a-f]{40}$/i.test(token)) return null;
    const row = await this.db
      .selectFrom('access_tokens')
      .innerJoin('users', 'users.id', 'access_tokens.user_id')
      .selectAll('users')
      .select([
        'access_tokens.id as token_id',
        'access_tokens.scopes as token_scopes',
        'access_tokens.last_used_at as token_last_used',
        'access_tokens.repo_id as token_repo_id',
        'access_tokens.expires_at as token_expires_at',
      ])
      .where('access_tokens.token_hash', '=', sha256Hex(token.toLowerCase()))
      .executeTakeFirst();
    if (!row) return null;
    const { token_id, token_scopes, token_last_used, token_repo_id, token_expires_at, ...user } = row;
    const now = Date.now();
    if (token_expires_at !== null && token_expires_at <= now) return null;
    if (!token_last_used || now - token_last_used > 60_000) {
      await this.db.updateTable('access_tokens').set({ last_used_at: now }).where('id', '=', token_id).execute();
    }
    return { user: user as UserRow, scopes: parseScopes(token_scopes), tokenId: token_id, repoId: token_repo_id };
  }
}

function toTokenRecord(row: { id: number; name: string; scopes: string; token_last_eight: string; created_at: number; last_used_at: number | null }): TokenRecord {
  return { id: row.id, name: row.name, scopes: parseScopes(row.scopes), tokenLastEight: row.token_last_eight, createdAt: row.created_at, lastUsedAt: row.last_used_at };
}
