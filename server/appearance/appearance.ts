// Personalization: what a user picked (color preset, animated background, cursor, UI font), or
// the instance default an admin set for everyone else. Applied on <html> before first paint.
import { z } from 'zod';
import type { Db } from '../db/index.js';

export const PRESETS = ['violet', 'ocean', 'teal', 'emerald', 'amber', 'sunset', 'rose', 'crimson', 'lime', 'graphite'] as const;
export const BACKGROUNDS = ['none', 'stars', 'waves', 'drips', 'aurora'] as const;
export const CURSORS = ['default', 'minimal', 'ring', 'glow'] as const;
export const FONTS = ['inter', 'plex', 'grotesk', 'atkinson', 'mono', 'system'] as const;

export const appearanceSchema = z.strictObject({
  preset: z.enum(PRESETS),
  background: z.enum(BACKGROUNDS),
  cursor: z.enum(CURSORS),
  font: z.enum(FONTS),
});

export type Appearance = z.infer<typeof appearanceSchema>;

export const DEFAULT_APPEARANCE: Appearance = { preset: 'violet', background: 'none', cursor: 'default', font: 'inter' };

/** A stored value read back: anything unknown or invalid falls back to the default, per field. */
export function normalizeAppearance(value: unknown, fallback: Appearance = DEFAULT_APPEARANCE): Appearance {
  const v = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const pick = <T extends readonly string[]>(options: T, x: unknown, d: T[number]): T[number] => (typeof x === 'string' && (options as readonly string[]).includes(x) ? (x as T[number]) : d);
  return {
    preset: pick(PRESETS, v.preset, fallback.preset),
    background: pick(BACKGROUNDS, v.background, fallback.background),
    cursor: pick(CURSORS, v.cursor, fallback.cursor),
    font: pick(FONTS, v.font, fallback.font),
  };
}

/** Reads and writes each user's appearance; the instance default comes from the settings. */
export class AppearanceService {
  constructor(
    private readonly db: Db,
    private readonly instanceDefault: () => Appearance,
  ) {}

  /** The instance default (what anonymous visitors and users without a choice see). */
  defaults(): Appearance {
    return normalizeAppearance(this.instanceDefault());
  }

  /** The user's own choice, or null when they never made one. */
  async ofUser(userId: number): Promise<Appearance | null> {
    const row = await this.db.selectFrom('user_appearance').select(['preset', 'background', 'cursor', 'font']).where('user_id', '=', userId).executeTakeFirst();
    return row ? normalizeAppearance(row, this.defaults()) : null;
  }

  /** What a viewer sees: their choice, else the instance default. */
  async effective(userId: number | null): Promise<Appearance> {
    return (userId !== null ? await this.ofUser(userId) : null) ?? this.defaults();
  }

  async set(userId: number, value: Appearance): Promise<Appearance> {
    const a = appearanceSchema.parse(value);
    const row = { user_id: userId, ...a, updated_at: Date.now() };
    await this.db
      .insertInto('user_appearance')
      .values(row)
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ preset: a.preset, background: a.background, cursor: a.cursor, font: a.font, updated_at: row.updated_at }))
      .execute();
    return a;
  }

  /** Back to the instance default. */
  async reset(userId: number): Promise<void> {
    await this.db.deleteFrom('user_appearance').where('user_id', '=', userId).execute();
  }
}
