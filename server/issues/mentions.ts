// What a markdown text refers to: `@user` mentions. Code (fenced blocks and inline spans) is
// left out, as are e-mail addresses, so `a@b.example` and `` `@decorator` ``
// notify nobody. Shared by issues, comments, pull requests and tasks.
import { MENTION_SOURCE } from '../markup/index.js';

/** Replaces code in markdown with spaces of the same length, so offsets stay meaningful. */
export function blankCode(markdown: string): string {
  const blank = (m: string) => m.replace(/[^\n]/g, ' ');
  return markdown.replace(/^( {0,3})(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^ {0,3}\2[`~]*[ \t]*$|(?![\s\S]))/gm, blank).replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, blank);
}

// the rendered text links the same names (server/markup/refs.ts)
const MENTION_RE = new RegExp(MENTION_SOURCE, 'g');

/** The user names a text mentions, lower-cased, each once, in order of first mention. */
export function findMentions(markdown: string): string[] {
  const names = new Set<string>();
  for (const m of blankCode(markdown).matchAll(MENTION_RE)) names.add(m[1]!.toLowerCase());
  return [...names];
}
