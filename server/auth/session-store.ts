// express-session store on our own db (SQLite or PostgreSQL through Kysely), so sessions
// survive restarts and a user's sessions can be ended when their password changes.
import session from 'express-session';
import type { Db } from '../db/index.js';

type Callback = (err?: unknown, data?: session.SessionData | null) => void;

export class DbSessionStore extends session.Store {
  private sweeper: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    private readonly defaultTtlMs = 30 * 24 * 3600_000,
  ) {
    super();
    this.sweeper = setInterval(() => void this.sweep(), 15 * 60_000);
    this.sweeper.unref();
  }

  override get(sid: string, cb: Callback): void {
    this.db
      .selectFrom('sessions')
      .select(['data', 'expires_at'])
      .where('sid', '=', sid)
      .executeTakeFirst()
      .then((row) => {
        if (!row || row.expires_at <= Date.now()) return cb(null, null);
        cb(null, JSON.parse(row.data) as session.SessionData);
      }, cb);
  }

  override set(sid: string, data: session.SessionData, cb?: (err?: unknown) => void): void {
    const expires = this.expiry(data);
    const userId = (data as { userId?: number }).userId ?? null;
    const json = JSON.stringify(data);
    this.db
      .insertInto('sessions')
      .values({ sid, data: json, expires_at: expires, user_id: userId })
      .onConflict((oc) => oc.column('sid').doUpdateSet({ data: json, expires_at: expires, user_id: userId }))
      .execute()
      .then(
        () => cb?.(),
        (err) => cb?.(err),
      );
  }

  override destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.db
      .deleteFrom('sessions')
      .where('sid', '=', sid)
      .execute()
      .then(
        () => cb?.(),
        (err) => cb?.(err),
      );
  }

  override touch(sid: string, data: session.SessionData, cb?: () => void): void {
    this.db
      .updateTable('sessions')
      .set({ expires_at: this.expiry(data) })
      .where('sid', '=', sid)
      .execute()
      .then(
        () => cb?.(),
        () => cb?.(),
      );
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private expiry(data: session.SessionData): number {
    const e = data.cookie?.expires;
    return e ? new Date(e).getTime() : Date.now() + this.defaultTtlMs;
  }

  private async sweep(): Promise<void> {
    try {
      await this.db.deleteFrom('sessions').where('expires_at', '<=', Date.now()).execute();
    } catch {
      // the next sweep tries again
    }
  }
}
