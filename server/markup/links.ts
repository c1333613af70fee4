// Where links and images in a rendered document point. Relative URLs in a README resolve
// inside its repository (pages under /<owner>/<repo>/src/…, images through the media API);
// fragments and absolute URLs are left alone here: the sanitizer decides which schemes live.
import type { RefKind } from '../git/refs.js';

/** The repository, ref and directory a document is rendered for. */
export interface RepoLinkContext {
  owner: string;
  repo: string;
  refKind: RefKind;
  /** Branch or tag name, or a commit id. */
  ref: string;
  /** The document's directory from the repository root, `/`-separated, '' for the root. */
  dir: string;
  /** Issue text (an issue, a comment, a card): `#12`, `owner/repo#12` and `@user` become links. */
  issueRefs?: boolean;
  /**
   * A wiki page: relative links stay as written (they resolve against the page's URL, where the
   * other pages are) and relative images load from the wiki's raw files.
   */
  wiki?: boolean;
}

export type UrlClass = 'empty' | 'fragment' | 'absolute' | 'network' | 'relative';

// WHATWG URL parsing drops leading/trailing C0 controls and spaces and every tab and newline
// before it looks for a scheme, so `java\tscript:` is `javascript:` to a browser.
const EDGE_JUNK = /^[\u0000-\u0020]+|[\u0000-\u0020]+$/g;
const TAB_NEWLINE = /[\t\n\r]/g;
const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/** The URL as a browser will read it (before resolving). */
export function browserUrl(raw: string): string {
  return raw.replace(EDGE_JUNK, '').replace(TAB_NEWLINE, '');
}

export function classifyUrl(raw: string): UrlClass {
  const url = browserUrl(raw);
  if (url === '') return 'empty';
  if (url.startsWith('#')) return 'fragment';
  if (SCHEME.test(url)) return 'absolute';
  // `//host`, and `\\host`, `/\host`, `\/host` which browsers read the same way
  if (/^[/\\]{2}/.test(url)) return 'network';
  return 'relative';
}

/** An absolute URL with its scheme lower-cased (`HTTPS:` works in browsers, and the sanitizer's allowlist is lower case). */
export function normalizeAbsolute(raw: string): string {
  const url = browserUrl(raw);
  const m = SCHEME.exec(url);
  return m ? m[0].toLowerCase() + url.slice(m[0].length) : url;
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const encPath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

/** Splits `path?query#fragment`; the fragment keeps its `#`, the query its `?`. */
function splitUrl(url: string): { path: string; query: string; fragment: string } {
  const hash = url.indexOf('#');
  const fragment = hash >= 0 ? url.slice(hash) : '';
  const rest = hash >= 0 ? url.slice(0, hash) : url;
  const q = rest.indexOf('?');
  return { path: q >= 0 ? rest.slice(0, q) : rest, query: q >= 0 ? rest.slice(q) : '', fragment };
}

/**
 * A relative path against the document's directory, as a clean repository path: `.` and `..`
 * resolved (never above the root), a leading `/` meaning the repository root, each segment
 * percent-decoded once (markdown hands us encoded URLs) so it can be encoded exactly once.
 */
export function repoPath(relative: string, dir: string): string {
  const absolute = /^[/\\]/.test(relative);
  const parts = absolute ? [] : dir.split('/').filter(Boolean);
  for (const raw of relative.split(/[/\\]/)) {
    const seg = decodeSegment(raw);
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

/** Where a relative link in a document goes: the repository's page for that path. */
export function resolveLink(raw: string, ctx: RepoLinkContext): string {
  if (ctx.wiki) return raw;
  const { path, query, fragment } = splitUrl(browserUrl(raw));
  if (path === '') return query + fragment; // `?x` or `#x` alone: the page itself
  const target = repoPath(path, ctx.dir);
  const base = `/${encodeURIComponent(ctx.owner)}/${encodeURIComponent(ctx.repo)}/src/${ctx.refKind}/${encPath(ctx.ref)}`;
  return (target ? `${base}/${encPath(target)}` : base) + query + fragment;
}

/** Where a relative image in a document loads from: the media API at the document's ref. */
export function resolveImage(raw: string, ctx: RepoLinkContext): string {
  const { path } = splitUrl(browserUrl(raw));
  const target = repoPath(path, ctx.dir);
  if (ctx.wiki) return `/api/v1/repos/${encodeURIComponent(ctx.owner)}/${encodeURIComponent(ctx.repo)}/wiki/raw/${encodeURIComponent(target)}`;
  return `/api/v1/repos/${encodeURIComponent(ctx.owner)}/${encodeURIComponent(ctx.repo)}/media/${encPath(target)}?ref=${encodeURIComponent(ctx.ref)}`;
}
