// URL pieces of the code pages: the `/src/<kind>/<ref>/<path>` splat, line anchors (#L10,
// #L10-L20) and where a symlink points inside the repository.
import type { RefKind } from './api';

const KINDS: readonly string[] = ['branch', 'tag', 'commit'];

/** `branch/feature/x/src/a.ts` → kind "branch" and the rest (ref and path, split by the server). */
export function parseSrcSplat(splat: string): { kind: RefKind | undefined; refPath: string } {
  const clean = splat.replace(/^\/+|\/+$/g, '');
  const slash = clean.indexOf('/');
  const first = slash < 0 ? clean : clean.slice(0, slash);
  if (KINDS.includes(first)) return { kind: first as RefKind, refPath: slash < 0 ? '' : clean.slice(slash + 1) };
  // Gitea's legacy /src/<ref>/<path>: let the server find the ref
  return { kind: undefined, refPath: clean };
}

/** The splat for `/<owner>/<repo>/src/$`. */
export function srcSplat(kind: RefKind, ref: string, path = ''): string {
  return `${kind}/${ref}${path ? `/${path}` : ''}`;
}

export interface LineRange {
  start: number;
  end: number;
}

/** `L10` or `L10-L20` (the router's hash, without `#`) → the lines; null for anything else. */
export function parseLineHash(hash: string): LineRange | null {
  const m = /^L(\d{1,7})(?:-L(\d{1,7}))?$/.exec(hash.replace(/^#/, ''));
  if (!m) return null;
  const a = Number(m[1]);
  const b = m[2] ? Number(m[2]) : a;
  if (a < 1 || b < 1) return null;
  return { start: Math.min(a, b), end: Math.max(a, b) };
}

export function lineHash(r: LineRange): string {
  return r.start === r.end ? `L${r.start}` : `L${r.start}-L${r.end}`;
}

/**
 * Where a symlink in `dir` pointing at `target` lands, as a repository path; null when it leaves
 * the repository or is absolute (then it is shown, not linked).
 */
export function resolveLinkTarget(dir: string, target: string): string | null {
  if (!target || target.startsWith('/')) return null;
  const parts = dir ? dir.split('/') : [];
  for (const seg of target.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (!parts.length) return null;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/');
}

export function parentDir(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function shortSha(sha: string): string {
  return sha.slice(0, 10);
}

const IMAGE_EXT = new Set(['png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'bmp', 'ico', 'svg']);

export function isImageName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot >= 0 && IMAGE_EXT.has(name.slice(dot + 1).toLowerCase());
}

export function isMarkdownName(name: string): boolean {
  return /\.(md|markdown|mdown|mkd|mkdn|mdx)$/i.test(name);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
