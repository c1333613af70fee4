// `#12`, `owner/repo#12` and `@user` in rendered issue text become links, as on Gitea and GitHub:
// text inside links, code and preformatted blocks is left alone. The links carry the number or
// name only — never a title — so rendering a reference can't reveal a confidential issue. The
// patterns are the ones the issues feature reads mentions and references with.
import type { Element, ElementContent, Root, RootContent, Text } from 'hast';

/** A user name as a mention writes it (Gitea's rule: letters, digits, `_`, `.`, `-`). */
export const USER_NAME = '[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,38}[A-Za-z0-9])?';
/** `@name`, not inside a word, an e-mail address or a path. */
export const MENTION_SOURCE = `(?<![\\w@/.\`-])@(${USER_NAME})(?![\\w@-])`;
const REPO_NAME = '[A-Za-z0-9][A-Za-z0-9_.-]*';
/** `#12` or `owner/repo#12`, not inside a word, a URL or an HTML entity (`&#39;`). */
export const ISSUE_REF_SOURCE = `(?<![\\w/#&.-])(?:(${REPO_NAME})/(${REPO_NAME}))?#(\\d{1,9})(?![\\w-])`;

const TOKEN = new RegExp(`${ISSUE_REF_SOURCE}|${MENTION_SOURCE}`, 'g');
const SKIP = new Set(['a', 'code', 'pre', 'kbd', 'script', 'style', 'textarea', 'svg', 'math']);

export interface RefContext {
  owner: string;
  repo: string;
}

function link(href: string, text: string): Element {
  return { type: 'element', tagName: 'a', properties: { href }, children: [{ type: 'text', value: text }] };
}

/** The text split into text and links; null when it refers to nothing. Without a repository (`ctx` null) a bare `#12` is text. */
function split(node: Text, ctx: RefContext | null): ElementContent[] | null {
  const out: ElementContent[] = [];
  let last = 0;
  for (const m of node.value.matchAll(TOKEN)) {
    const [whole, owner, repo, index, user] = m;
    const repoOwner = owner ?? ctx?.owner;
    const repoName = repo ?? ctx?.repo;
    if (!user && (repoOwner === undefined || repoName === undefined)) continue;
    const href = user ? `/${encodeURIComponent(user)}` : `/${encodeURIComponent(repoOwner!)}/${encodeURIComponent(repoName!)}/issues/${index}`;
    if (m.index > last) out.push({ type: 'text', value: node.value.slice(last, m.index) });
    out.push(link(href, whole));
    last = m.index + whole.length;
  }
  if (last === 0) return null;
  if (last < node.value.length) out.push({ type: 'text', value: node.value.slice(last) });
  return out;
}

/** Links the references and mentions in a document tree, in place; `ctx` null: text outside any repository (a post). */
export function linkReferences(tree: Root, ctx: RefContext | null): void {
  const visit = (parent: Root | Element) => {
    const next: (RootContent | ElementContent)[] = [];
    let changed = false;
    for (const n of parent.children) {
      if (n.type === 'text') {
        const parts = split(n, ctx);
        if (parts) {
          next.push(...parts);
          changed = true;
          continue;
        }
      } else if (n.type === 'element' && !SKIP.has(n.tagName)) visit(n);
      next.push(n);
    }
    if (changed) parent.children = next as typeof parent.children;
  };
  visit(tree);
}
