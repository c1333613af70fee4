// Issue references in text: `#12` (this repository) and `owner/repo#12` (another), and the
// closing keywords GitHub and Gitea understand — `fixes #12`, `closes owner/repo#3`,
// `resolves: #7` — which close the issue when the commit lands on the default branch. Code
// spans and blocks are left out, and so are `#12` inside words or URLs (`a#12`, `/x#12`).
import { blankCode } from './mentions.js';

export interface IssueRef {
  /** Null for this repository. */
  owner: string | null;
  repo: string | null;
  index: number;
  /** Named after a closing keyword. */
  closes: boolean;
}

const CLOSE_WORDS = 'close|closes|closed|fix|fixes|fixed|resolve|resolves|resolved';
const NAME = '[A-Za-z0-9][A-Za-z0-9_.-]*';
const REF = `(?:(${NAME})/(${NAME}))?#(\\d{1,9})`;
const REF_RE = new RegExp(`(?<![\\w/#&.-])(?:(${CLOSE_WORDS})\\s*:?\\s+)?${REF}(?![\\w-])`, 'gi');
// a keyword may name several issues: `fixes #1, #2 and #3`
const LIST_TAIL_RE = new RegExp(`^(?:\\s*(?:,|and|&)\\s*)${REF}(?![\\w-])`, 'i');

/** Every issue a text refers to, each once (a closing mention wins over a plain one). */
export function findReferences(text: string, opts: { keywords?: boolean } = {}): IssueRef[] {
  const blanked = blankCode(text);
  const found = new Map<string, IssueRef>();
  const add = (owner: string | undefined, repo: string | undefined, index: string, closes: boolean) => {
    const n = Number(index);
    if (!Number.isSafeInteger(n) || n < 1) return;
    const key = `${owner?.toLowerCase() ?? ''}/${repo?.toLowerCase() ?? ''}#${n}`;
    const prev = found.get(key);
    found.set(key, { owner: owner ?? null, repo: repo ?? null, index: n, closes: (prev?.closes ?? false) || closes });
  };
  for (const m of blanked.matchAll(REF_RE)) {
    const closes = opts.keywords !== false && m[1] !== undefined;
    add(m[2], m[3], m[4]!, closes);
    if (!closes) continue;
    let rest = blanked.slice(m.index + m[0].length);
    for (let t = LIST_TAIL_RE.exec(rest); t; t = LIST_TAIL_RE.exec(rest)) {
      add(t[1], t[2], t[3]!, true);
      rest = rest.slice(t[0].length);
    }
  }
  return [...found.values()];
}
