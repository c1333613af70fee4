// The addresses teammates use to reach this forge: the configured public address (the
// console's instance.publicUrl, else GITSSY_BASE_URL) and every LAN address we listen on,
// as web / HTTP clone base and SSH base URLs.
import { lanAddresses } from '../lib/net.js';

export interface UrlSources {
  host: string;
  httpPort: number;
  sshPort: number | null;
  /** instance.publicUrl, '' when unset. */
  publicUrl: string;
  /** GITSSY_BASE_URL, null when unset. */
  baseUrl: string | null;
}

export interface LanUrl {
  /** `public` (the configured address), `lan` (a detected interface address) or `local`. */
  kind: 'public' | 'lan' | 'local';
  /** Web and HTTP clone base, ending in `/`. */
  http: string;
  /** `ssh://git@host:port/` (null when SSH is off). */
  ssh: string | null;
  host: string;
}

const bracket = (h: string) => (h.includes(':') ? `[${h}]` : h);

/** The public base URL without a trailing slash, or null when none is configured. */
export function configuredBaseUrl(src: Pick<UrlSources, 'publicUrl' | 'baseUrl'>): string | null {
  return src.publicUrl || src.baseUrl || null;
}

export function sshBase(host: string, port: number): string {
  return `ssh://git@${bracket(host)}:${port}/`;
}

/** Every URL teammates might use, the one to prefer first. */
export function teammateUrls(src: UrlSources): LanUrl[] {
  const out: LanUrl[] = [];
  const base = configuredBaseUrl(src);
  if (base) {
    const host = new URL(base).hostname.replace(/^\[|\]$/g, '');
    out.push({ kind: 'public', http: `${base}/`, ssh: src.sshPort === null ? null : sshBase(host, src.sshPort), host });
  }
  for (const addr of lanAddresses(src.host)) {
    const loopback = addr === '127.0.0.1' || addr === '::1' || addr === 'localhost';
    const http = `http://${bracket(addr)}:${src.httpPort}/`;
    if (out.some((u) => u.http === http)) continue;
    out.push({ kind: loopback ? 'local' : 'lan', http, ssh: src.sshPort === null ? null : sshBase(addr, src.sshPort), host: addr });
  }
  return out;
}

/** The one URL to show first (QR code in the terminal, mDNS TXT): public, else LAN, else local. */
export function mainUrl(src: UrlSources): LanUrl {
  const urls = teammateUrls(src);
  return urls[0] ?? { kind: 'local', http: `http://127.0.0.1:${src.httpPort}/`, ssh: src.sshPort === null ? null : sshBase('127.0.0.1', src.sshPort), host: '127.0.0.1' };
}

/** The private key the snippets name: the default of `ssh-keygen -t ed25519`, which the UI suggests. */
export const DEFAULT_IDENTITY_FILE = '~/.ssh/id_ed25519';

/** A block for ~/.ssh/config so `git clone gitssy:owner/repo.git` works. */
export function sshConfigSnippet(alias: string, host: string, port: number): string {
  const safeAlias =
    alias
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'gitssy';
  return [`Host ${safeAlias}`, `  HostName ${host}`, `  Port ${port}`, '  User git', `  IdentityFile ${DEFAULT_IDENTITY_FILE}`, ''].join('\n');
}
