// Personalization: what a user picked (color preset, animated background, cursor, UI font), or
// the instance default an admin set for everyone else. Applied on <html> before first paint.
import { z } from 'zod';

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
