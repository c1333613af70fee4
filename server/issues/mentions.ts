// What a markdown text refers to: `@user` mentions. Code (fenced blocks and inline spans) is
// left out, as are e-mail addresses, so `a@b.example` and `` `@decorator` ``
// notify nobody. Shared by issues, comments, pull requests and tasks.

/** Replaces code in markdown with spaces of the same length, so offsets stay meaningful. */
export function blankCode(markdown: string): string {
  const blank = (m: string) => m.replace(/[^\n]/g, ' ');
  return markdown.replace(/^( {0,3})(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^ {0,3}\2[`~]*[ \t]*$|(?![\s\S]))/gm, blank).replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, blank);
}

const MENTION_RE = /(?<![\w@/.`-])@([A-Za-z0-9](?:[A-Za-z0-9_.-]{0,38}[A-Za-z0-9])?)(?![\w@-])/g;

/** The user names a text mentions, lower-cased, each once, in order of first mention. */
export function findMentions(markdown: string): string[] {
  const names = new Set<string>();
  for (const m of blankCode(markdown).matchAll(MENTION_RE)) names.add(m[1]!.toLowerCase());
  return [...names];
}
