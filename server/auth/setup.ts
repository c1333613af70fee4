// First-run claim: until an administrator exists, a one-time secret link (printed only on the
// server's own console) lets one person create the first administrator. Nobody else on the
// LAN can claim the instance.
import type { SettingsService } from '../settings/index.js';
import type { UserService } from '../users/index.js';
import type { UserRow } from '../db/schema.js';
import { constantTimeEqual, randomHex, sha256Hex } from '../lib/crypto.js';
import { Conflict, Forbidden } from '../lib/errors.js';

export class SetupService {
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly settings: SettingsService,
    private readonly users: UserService,
  ) {}

  async needed(): Promise<boolean> {
    return (await this.users.countAdmins()) === 0;
  }

  /** A fresh token for this boot (the previous one stops working), or null if set up. */
  async issueToken(): Promise<string | null> {
    if (!(await this.needed())) {
      await this.settings.setInternal('setup.token_hash', null);
      return null;
    }
    const token = randomHex(24);
    await this.settings.setInternal('setup.token_hash', sha256Hex(token));
    return token;
  }

  async checkToken(token: string): Promise<boolean> {
    const stored = await this.settings.getInternal('setup.token_hash');
    return !!stored && (await this.needed()) && constantTimeEqual(stored, sha256Hex(token));
  }

  /** Creates the first administrator; the token is spent whatever happens next. */
  async complete(token: string, input: { username: string; email: string; password: string; fullName?: string }, ip: string | null): Promise<UserRow> {
    // serialize: two racing submissions of the same link must not make two administrators
    const run = this.pending.then(async () => {
      if (!(await this.needed())) throw Conflict('this instance already has an administrator');
      if (!(await this.checkToken(token))) throw Forbidden('the setup link is invalid or has expired; restart the server for a new one');
      const user = await this.users.create({ ...input, isAdmin: true }, { actorId: null, ip });
      await this.settings.setInternal('setup.token_hash', null);
      return user;
    });
    this.pending = run.catch(() => {});
    return run;
  }
}
