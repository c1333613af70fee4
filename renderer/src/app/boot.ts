// What the server puts into index.html so the first paint needs no round trip: the session
// (who is signed in, the CSRF token, instance state) and the appearance. Read once at start.
import type { Appearance, Boot } from './boot-types';

export type { Appearance, Boot };

function readBoot(): Boot | null {
  const el = document.getElementById('gitssy-boot');
  if (!el?.textContent) return null;
  try {
    return JSON.parse(el.textContent) as Boot;
  } catch {
    return null;
  }
}

export const boot: Boot | null = readBoot();

let csrfToken: string | null = boot?.session.csrf_token ?? null;
let csrfLoader: (() => Promise<string | null>) | null = null;

/** Called whenever a fresh session state arrives (sign-in and sign-out rotate the token). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function setCsrfLoader(load: () => Promise<string | null>): void {
  csrfLoader = load;
}

export async function getCsrfToken(): Promise<string | null> {
  if (csrfToken === null && csrfLoader) csrfToken = await csrfLoader();
  return csrfToken;
}
