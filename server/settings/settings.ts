// Runtime settings: typed key/value pairs in the db, editable by site admins while the server
// runs. Each key has a zod schema and a default; reads are served from memory.
import { z } from 'zod';
import type { Db } from '../db/index.js';
import { Invalid } from '../lib/errors.js';

export const settingsSchema = z.strictObject({
  /** Who may create an account: anyone, anyone but an admin approves, or only admins. */
  'registration.mode': z.enum(['open', 'approval', 'closed']),
  /** Largest push accepted, in bytes (git's receive.maxInputSize); 0 = no limit. */
  'git.maxPushBytes': z.number().int().min(0),
  /** Largest a repository may grow through pushes, in bytes; 0 = no quota. */
  'git.maxRepoBytes': z.number().int().min(0),
  /** Instance name shown in the UI and the console. */
  'instance.name': z.string().min(1).max(100),
  /** Failed password attempts before an account locks, and for how long (GitLab's defaults). */
  'auth.maxFailedLogins': z.number().int().min(1).max(1000),
  'auth.lockMinutes': z.number().int().min(1).max(10_080),
  /** Failed authentications (any transport) one address may make in 10 minutes. */
  'limits.authFailuresPerIp': z.number().int().min(1).max(100_000),
  /** Concurrent git sessions (clone, fetch, push on any transport) per user and per address; 0 = no cap. */
  'limits.gitSessionsPerUser': z.number().int().min(0).max(10_000),
  'limits.gitSessionsPerIp': z.number().int().min(0).max(10_000),
  /** Maintenance mode (the switch comes with the appliance; the setting exists now). */
  'maintenance.enabled': z.boolean(),
  'maintenance.message': z.string().max(500),
  /** Site administrators may still push during maintenance. */
  'maintenance.adminsExempt': z.boolean(),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingKey = keyof Settings;

export const DEFAULT_SETTINGS: Settings = {
  'registration.mode': 'open',
  'git.maxPushBytes': 2 * 1024 * 1024 * 1024,
  'git.maxRepoBytes': 0,
  'instance.name': 'Gitssy',
  'auth.maxFailedLogins': 10,
  'auth.lockMinutes': 10,
  'limits.authFailuresPerIp': 50,
  'limits.gitSessionsPerUser': 32,
  'limits.gitSessionsPerIp': 64,
  'maintenance.enabled': false,
  'maintenance.message': '',
  'maintenance.adminsExempt': false,
};

export class SettingsService {
  private cache: Settings = { ...DEFAULT_SETTINGS };

  constructor(private readonly db: Db) {}

  /** Loads stored values over the defaults; unknown or invalid stored keys are ignored. */
  async load(): Promise<void> {
    const rows = await this.db.selectFrom('settings').select(['key', 'value']).execute();
    const next: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    for (const row of rows) {
      const schema = settingsSchema.shape[row.key as SettingKey];
      if (!schema) continue;
      try {
        const parsed = schema.safeParse(JSON.parse(row.value));
        if (parsed.success) next[row.key] = parsed.data;
      } catch {
        // an unreadable value falls back to the default
      }
    }
    this.cache = next as Settings;
  }

  get<K extends SettingKey>(key: K): Settings[K] {
    return this.cache[key];
  }

  all(): Settings {
    return { ...this.cache };
  }

  /** Validates and stores a partial update; nothing is written unless every value is valid. */
  async update(patch: Record<string, unknown>): Promise<Settings> {
    const parsed = settingsSchema.partial().safeParse(patch);
    if (!parsed.success) {
      throw Invalid(`invalid settings: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
    }
    const entries = Object.entries(parsed.data);
    const now = Date.now();
    await this.db.transaction().execute(async (trx) => {
      for (const [key, value] of entries) {
        await trx
          .insertInto('settings')
          .values({ key, value: JSON.stringify(value), updated_at: now })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: now }))
          .execute();
      }
    });
    this.cache = { ...this.cache, ...parsed.data };
    return this.all();
  }

  /** Internal values not exposed as settings (setup token hash, secrets). */
  async getInternal(key: string): Promise<string | null> {
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', `internal.${key}`).executeTakeFirst();
    return row ? row.value : null;
  }

  async setInternal(key: string, value: string | null): Promise<void> {
    const k = `internal.${key}`;
    if (value === null) {
      await this.db.deleteFrom('settings').where('key', '=', k).execute();
      return;
    }
    const now = Date.now();
    await this.db
      .insertInto('settings')
      .values({ key: k, value, updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
      .execute();
  }
}
