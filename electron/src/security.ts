// Window policy as pure functions: which URLs a Gitssy window may show, which go to the
// system browser, and which callers may use the preload bridge. main.ts wires them into
// will-navigate, setWindowOpenHandler and every IPC handler.

export interface TrustedPages {
  /** Origin of the supervised server, e.g. http://127.0.0.1:3000 (null while it is not running). */
  serverOrigin: string | null;
  /** file:// URL of the shell's own error page. */
  errorPage: string;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** A URL we hand to the system browser: http(s) or mailto only, no credentials, bounded. */
export function isExternalUrl(url: unknown): url is string {
  if (typeof url !== 'string' || url.length > 2048) return false;
  const u = parse(url);
  if (!u) return false;
  if (u.protocol === 'mailto:') return true;
  return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '' && u.hostname !== '';
}

/** A URL without its query and fragment. */
function bare(u: URL): string {
  const c = new URL(u.href);
  c.search = '';
  c.hash = '';
  return c.href;
}

/** Is this page one of ours: the server's UI on loopback, or the error page? */
export function isTrustedPage(url: string, pages: TrustedPages): boolean {
  const u = parse(url);
  if (!u) return false;
  if (u.protocol === 'file:') {
    const page = parse(pages.errorPage);
    return page !== null && bare(u) === bare(page);
  }
  return (u.protocol === 'http:' || u.protocol === 'https:') && pages.serverOrigin !== null && u.origin === pages.serverOrigin;
}

/**
 * What to do when a window wants to go to `url` (a link, a redirect, window.open):
 * stay for our own pages, hand http(s)/mailto to the system browser, refuse anything else.
 */
export function navigationDecision(url: string, pages: TrustedPages): 'allow' | 'external' | 'deny' {
  if (isTrustedPage(url, pages)) return 'allow';
  if (isExternalUrl(url)) return 'external';
  return 'deny';
}
