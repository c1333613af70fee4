// GitHub-flavoured markdown to sanitized HTML. remark (GFM) builds the tree; raw HTML in the
// document is kept (GFM's tag filter applied) by printing the tree and parsing it again as HTML,
// so raw blocks that wrap markdown (`<details>` … `</details>`) nest as a browser would see them;
// then the one sanitizer. Very large or pathological documents use markdown-it with raw HTML
// off (much faster, nesting capped), and past a hard cap nothing is rendered. Loaded only in the
// render workers; the limits and isMarkdownFile are in files.ts.
import type { ElementContent, Root, RootContent } from 'hast';
import { toHtml } from 'hast-util-to-html';
import MarkdownIt from 'markdown-it';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { MARKDOWN_FULL_MAX_BYTES, markdownText } from './files.js';
import { highlightNodes } from './highlight.js';
import type { RepoLinkContext } from './links.js';
import { parseHtml, sanitizeHtml, sanitizeToHtml } from './sanitize.js';

/**
 * micromark's time grows with the square of nested `[` (100 KB of them: minutes): documents with
 * more than this many go to markdown-it, which has nesting limits.
 */
const UNIFIED_MAX_BRACKETS = 2000;
/** Likewise a line opening dozens of nested quotes or lists, or indented hundreds of columns (nesting by indentation). */
const DEEP_NESTING = /^(?:[ \t]*(?:>|[-*+][ \t]|\d{1,9}[.)][ \t])){48}|^[ \t]{256}/m;
/** Code in fenced blocks highlighted per document at most (characters); later blocks stay plain. */
const CODE_HIGHLIGHT_BUDGET = 256 * 1024;

// clobberPrefix '': the sanitizer prefixes ids with `user-content-` itself (twice would break footnotes)
const gfm = unified().use(remarkParse).use(remarkGfm).use(remarkRehype, { allowDangerousHtml: true, clobberPrefix: '' });
const markdownIt = new MarkdownIt('default', { html: false, linkify: true, typographer: false });

export type MarkdownEngine = 'unified' | 'markdown-it';

export interface RenderedMarkdown {
  html: string;
  engine: MarkdownEngine;
}

export interface MarkdownOptions {
  /** Where relative links and images point; null leaves them as written. */
  links: RepoLinkContext | null;
  /** Text outside a repository (a post): `@user` and `owner/repo#12` become links. */
  mentions?: boolean;
}

// GFM's disallowed raw HTML (spec 6.11): their `<` becomes `&lt;`, so they show as text, and a
// stray `<textarea>` or `<plaintext>` can't swallow the rest of the document when it is reparsed.
const TAGFILTER = /<(\/?)(title|textarea|style|xmp|iframe|noembed|noframes|script|plaintext)(?=[\t\n\f\r />]|$)/gi;

function filterRaw(nodes: (RootContent | ElementContent)[]): boolean {
  let found = false;
  for (const n of nodes) {
    if (n.type === 'raw') {
      n.value = n.value.replace(TAGFILTER, '&lt;$1$2');
      found = true;
    } else if (n.type === 'element' && filterRaw(n.children)) found = true;
  }
  return found;
}

function codeHighlighter() {
  let budget = CODE_HIGHLIGHT_BUDGET;
  return (language: string, text: string): ElementContent[] | null => {
    if (text.length > budget) return null;
    const nodes = highlightNodes(text, language.toLowerCase());
    if (nodes) budget -= text.length;
    return nodes;
  };
}

/** Markdown text (or its bytes) to sanitized HTML; null when it is over `MARKDOWN_MAX_BYTES`. */
export function renderMarkdown(input: string | Buffer, opts: MarkdownOptions): RenderedMarkdown | null {
  const text = markdownText(input);
  if (text === null) return null;
  return renderWithUnified(text, opts) ?? renderWithMarkdownIt(text, opts);
}

/**
 * The full GFM pipeline; null when the document is too large or too deeply nested for it (or
 * overflows its stack), and markdown-it should have it.
 */
export function renderWithUnified(text: string, opts: MarkdownOptions): RenderedMarkdown | null {
  if (Buffer.byteLength(text) > MARKDOWN_FULL_MAX_BYTES || countChar(text, '[') > UNIFIED_MAX_BRACKETS || DEEP_NESTING.test(text)) return null;
  try {
    let tree = gfm.runSync(gfm.parse(text)) as Root;
    if (filterRaw(tree.children)) tree = parseHtml(toHtml(tree, { allowDangerousHtml: true }));
    return { html: sanitizeToHtml(tree, { links: opts.links, mentions: opts.mentions, highlightCode: codeHighlighter() }), engine: 'unified' };
  } catch {
    // thousands of nested quotes or raw elements overflow the tree walkers' stack: markdown-it
    // caps nesting and leaves raw HTML out
    return null;
  }
}

/** markdown-it with raw HTML off (faster, nesting capped), through the same sanitizer; null if it throws. */
export function renderWithMarkdownIt(text: string, opts: MarkdownOptions): RenderedMarkdown | null {
  try {
    return { html: sanitizeHtml(markdownIt.render(text), { links: opts.links, mentions: opts.mentions }), engine: 'markdown-it' };
  } catch {
    return null;
  }
}

function countChar(text: string, ch: string): number {
  let n = 0;
  for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) n++;
  return n;
}
