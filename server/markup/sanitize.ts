// The one sanitizer: every piece of HTML the server hands the browser UI for innerHTML comes out
// of `sanitizeToHtml` (documents), `sanitizeCode` (highlighted code) or `preformatted` (plain
// text, escaped; it lives in files.ts, the main thread's light side). Before sanitizing, a
// document's links are pointed into the repository, external links get rel="nofollow noopener",
// and headings get GitHub's ids; the GitHub-like allowlist (hast-util-sanitize's default schema,
// tightened) then removes every element, attribute and URL scheme it does not name. Loaded only
// in the render workers.
import type { Element, ElementContent, Root, RootContent } from 'hast';
import { toHtml } from 'hast-util-to-html';
import rehypeParse from 'rehype-parse';
import rehypeSanitize, { defaultSchema, type Options as Schema } from 'rehype-sanitize';
import { unified } from 'unified';
import { browserUrl, classifyUrl, normalizeAbsolute, resolveImage, resolveLink, type RepoLinkContext } from './links.js';
import { linkReferences } from './refs.js';

/** Elements dropped with everything inside them (others the schema doesn't name are unwrapped, keeping their text). */
const STRIP = [
  'script',
  'style',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'noscript',
  'noembed',
  'noframes',
  'template',
  'textarea',
  'select',
  'svg',
  'math',
  'title',
  'xmp',
  'plaintext',
  'head',
  'canvas',
  'link',
  'meta',
  'base',
];

/** highlight.js classes: `hljs-keyword`, and the sub-scope suffixes it adds (`class_`, `function_`, `inherited__`). */
const HLJS_CLASS = [/^hljs-[a-z0-9_-]+$/, /^[a-z]+_+$/];

const CLOBBER_PREFIX = 'user-content-';

export const DOCUMENT_SCHEMA: Schema = {
  ...defaultSchema,
  clobberPrefix: CLOBBER_PREFIX,
  attributes: {
    ...defaultSchema.attributes,
    a: [...(defaultSchema.attributes?.a ?? []), ['rel', 'nofollow', 'noopener']],
    // highlighted code blocks in documents
    span: [['className', ...HLJS_CLASS]],
  },
  strip: STRIP,
  allowComments: false,
  allowDoctypes: false,
};

const sanitizeDocument = rehypeSanitize(DOCUMENT_SCHEMA);
const fragmentParser = unified().use(rehypeParse, { fragment: true });

/** HTML text as a hast fragment (parse5, as a browser parses a `<template>`'s content). */
export function parseHtml(html: string): Root {
  return fragmentParser.parse(html);
}

export interface PrepareOptions {
  /** Where relative links and images resolve; null leaves them as written. */
  links: RepoLinkContext | null;
  /** Text outside a repository (a post): `@user` and `owner/repo#12` become links. */
  mentions?: boolean;
  /** Highlights a fenced code block's text for its language (`language-x` class); null to leave it plain. */
  highlightCode?: ((language: string, text: string) => ElementContent[] | null) | null;
}

/** GitHub's heading ids: lower case, punctuation dropped, spaces to dashes, `-1`, `-2` for repeats. */
export class Slugger {
  private readonly seen = new Map<string, number>();

  slug(text: string): string {
    const base = text
      .toLowerCase()
      .trim()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    let slug = base;
    let n = this.seen.get(base) ?? 0;
    while (this.seen.has(slug)) slug = `${base}-${++n}`;
    this.seen.set(base, n);
    if (slug !== base) this.seen.set(slug, 0);
    return slug;
  }
}

export function textOf(node: Root | RootContent): string {
  if (node.type === 'text') return node.value;
  if (node.type === 'element' || node.type === 'root') return node.children.map(textOf).join('');
  return '';
}

const HEADING = /^h[1-6]$/;

function rewriteElement(el: Element, opts: PrepareOptions, slugger: Slugger): void {
  const p = el.properties;
  if (el.tagName === 'a') {
    delete p.rel; // only ours survives
    if (typeof p.href === 'string') {
      const kind = classifyUrl(p.href);
      if (kind === 'fragment') p.href = userContentFragment(p.href);
      else if (kind === 'relative' && opts.links) p.href = resolveLink(p.href, opts.links);
      else if (kind === 'absolute') p.href = normalizeAbsolute(p.href);
      if (kind === 'absolute' || kind === 'network') p.rel = ['nofollow', 'noopener'];
    }
  } else if (el.tagName === 'img') {
    if (typeof p.src === 'string') {
      const kind = classifyUrl(p.src);
      if (kind === 'relative' && opts.links) p.src = resolveImage(p.src, opts.links);
      else if (kind === 'absolute') p.src = normalizeAbsolute(p.src);
    }
  } else if (el.tagName === 'source') {
    const set = srcSet(p.srcSet, opts.links);
    if (set) p.srcSet = set.join(', ');
    else delete p.srcSet;
  } else if (HEADING.test(el.tagName)) {
    if (p.id === undefined || p.id === null || p.id === '') p.id = slugger.slug(textOf(el));
  } else if (el.tagName === 'pre' && opts.highlightCode) {
    const code = el.children.length === 1 && el.children[0]!.type === 'element' && el.children[0]!.tagName === 'code' ? el.children[0]! : null;
    const cls = code && Array.isArray(code.properties.className) ? code.properties.className : [];
    const lang = cls
      .map(String)
      .find((c) => c.startsWith('language-'))
      ?.slice('language-'.length);
    if (code && lang) {
      const highlighted = opts.highlightCode(lang, textOf(code));
      if (highlighted) code.children = highlighted;
    }
  }
}

/**
 * In-page links point at the ids as the sanitizer prefixes them (`#intro` → `#user-content-intro`),
 * so headings' and footnotes' links work without script.
 */
function userContentFragment(href: string): string {
  const frag = browserUrl(href).slice(1);
  if (frag === '' || frag.startsWith(CLOBBER_PREFIX)) return `#${frag}`;
  return `#${CLOBBER_PREFIX}${frag}`;
}

/** `<source srcset>` candidates, relative ones through the media API, any but http(s) dropped. */
function srcSet(value: unknown, links: RepoLinkContext | null): string[] | undefined {
  const list = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  const out: string[] = [];
  for (const candidate of list) {
    const [url, ...descriptor] = candidate.trim().split(/\s+/);
    if (!url) continue;
    const kind = classifyUrl(url);
    let resolved: string | null = null;
    if (kind === 'relative' && links) resolved = resolveImage(url, links);
    else if (kind === 'absolute' && /^https?:/i.test(normalizeAbsolute(url))) resolved = normalizeAbsolute(url);
    else if (kind === 'network') resolved = url;
    if (resolved) out.push([resolved, ...descriptor].join(' '));
  }
  return out.length ? out : undefined;
}

/** Link rewriting, rel, heading ids and code highlighting over a whole document tree. */
export function prepareDocument(tree: Root, opts: PrepareOptions): void {
  const slugger = new Slugger();
  const visit = (nodes: (RootContent | ElementContent)[]) => {
    for (const n of nodes) {
      if (n.type !== 'element') continue;
      rewriteElement(n, opts, slugger);
      visit(n.tagName === 'template' && n.content ? n.content.children : n.children);
    }
  };
  visit(tree.children);
  // after the rewrite: the reference links are site paths, not paths in the repository
  if (opts.links?.issueRefs) linkReferences(tree, opts.links);
  else if (opts.mentions) linkReferences(tree, null);
}

/** A document tree through the allowlist to HTML text. The tree is consumed. */
export function sanitizeToHtml(tree: Root, opts: PrepareOptions): string {
  prepareDocument(tree, opts);
  return toHtml(sanitizeDocument(tree));
}

/** Untrusted HTML text (markdown-it output, say) through the same preparation and allowlist. */
export function sanitizeHtml(html: string, opts: PrepareOptions): string {
  return sanitizeToHtml(parseHtml(html), opts);
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const escapeText = (t: string) => t.replace(/[&<>]/g, (c) => TEXT_ESCAPES[c]!);
const isHljsClass = (c: string) => HLJS_CLASS.some((re) => re.test(c));

/**
 * Highlighted code to HTML through the code allowlist, in one pass (a 2,000-line file has tens
 * of thousands of spans): text escaped; `span` kept with only hljs classes; any other element
 * unwrapped to its text. Spans are closed before each line break and reopened after it, so
 * every `\n`-separated line of the result is balanced HTML on its own.
 */
export function sanitizeCode(tree: Root | ElementContent[]): string {
  const out: string[] = [];
  const open: string[] = [];
  const walk = (nodes: (RootContent | ElementContent)[]) => {
    for (const n of nodes) {
      if (n.type === 'text') {
        const parts = n.value.split('\n');
        for (let i = 0; i < parts.length; i++) {
          if (i > 0) out.push('</span>'.repeat(open.length), '\n', open.join(''));
          if (parts[i]) out.push(escapeText(parts[i]!));
        }
      } else if (n.type === 'element') {
        if (n.tagName !== 'span' || STRIP.includes(n.tagName)) {
          if (!STRIP.includes(n.tagName)) walk(n.children);
          continue;
        }
        const cls = Array.isArray(n.properties.className) ? n.properties.className.map(String).filter(isHljsClass) : [];
        const tag = cls.length ? `<span class="${cls.join(' ')}">` : '<span>';
        out.push(tag);
        open.push(tag);
        walk(n.children);
        open.pop();
        out.push('</span>');
      }
    }
  };
  walk(Array.isArray(tree) ? tree : tree.children);
  return out.join('');
}
