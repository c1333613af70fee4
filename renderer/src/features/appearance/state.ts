// The look in force on this page: the data-* attributes on <html> (written by the server into
// index.html before first paint) are the source of truth; changing them re-themes at once.
import { useSyncExternalStore } from 'react';
import type { Appearance } from '../../app/boot';

const listeners = new Set<() => void>();

export function readAppearance(): Appearance {
  const d = document.documentElement.dataset;
  return { preset: d.preset ?? 'violet', background: d.bg ?? 'none', cursor: d.cursor ?? 'default', font: d.font ?? 'inter' };
}

let current = readAppearance();

export function applyAppearance(a: Appearance): void {
  const d = document.documentElement.dataset;
  d.preset = a.preset;
  d.bg = a.background;
  d.cursor = a.cursor;
  d.font = a.font;
  current = readAppearance();
  for (const l of listeners) l();
}

export function useAppliedAppearance(): Appearance {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}
