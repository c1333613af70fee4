// A suggested message never claims what the diff doesn't contain. The claims a message can make
// that we can check — file names and paths, function-like names, version numbers, issue
// references — are found in the subject and body and looked up in the change (its file list
// and its patch text). One that isn't there is taken out: as an item of a list ("a.ts and
// b.ts") just the item, otherwise the sentence or bullet that carries it. A subject that
// can't keep its sense without the claim is refused, with the reason.
import { cleanSubject, SUBJECT_MAX, type Message } from './parse.js';

export type ClaimKind = 'file' | 'function' | 'version' | 'issue';

export interface Claim {
  kind: ClaimKind;
  /** What is looked up (without backticks, quotes or a trailing "()"). */
  token: string;
  /** Where it is in the text, wrappers included. */
  start: number;
  end: number;
}

/** What the message is checked against. */
export interface Evidence {
  /** Every path the change touches (new and old paths of renames). */
  paths: readonly string[];
  /** The patch text, and anything else the message may quote (branch names, commit subjects). */
  text: string;
}

export type Verified = { ok: true; message: Message; removed: string[] } | { ok: false; reason: string; removed: string[] };

const EXTENSIONS =
  'ts|tsx|js|jsx|mjs|cjs|json|jsonc|md|mdx|markdown|txt|rst|adoc|html|htm|css|scss|sass|less|vue|svelte|py|pyi|rb|go|mod|sum|rs|java|kt|kts|scala|groovy|gradle|c|h|cc|cpp|cxx|hpp|hh|m|mm|swift|cs|fs|vb|php|pl|pm|lua|r|jl|dart|ex|exs|erl|hs|ml|mli|clj|sh|bash|zsh|fish|ps1|bat|cmd|sql|yml|yaml|toml|ini|cfg|conf|env|lock|xml|xsl|svg|png|jpe?g|gif|webp|ico|pdf|csv|tsv|proto|graphql|gql|tf|hcl|nix|dockerfile|make|mk|cmake|gitignore|gitattributes|editorconfig|properties|plist|wasm|zig|nim|el|vim|tex|bib|ipynb';
/** Slash words that are English, not paths. */
const SLASH_WORDS = new Set(
  'and/or either/or read/write input/output on/off yes/no true/false client/server he/she his/her him/her open/close start/stop enable/disable show/hide get/set push/pull import/export before/after add/remove create/delete'.split(
    ' ',
  ),
);

const PATH_RE = new RegExp(String.raw`(?<![\w@:/.~-])(?:\.{1,2}/)?(?:[\w@+-][\w@.+-]*(?:/[\w@.+-]+)+/?|[\w@+-][\w@+-]*(?:\.[\w@+-]+)*\.(?:${EXTENSIONS}))(?![\w/-])`, 'gi');
const ISSUE_RE = /(?<![\w/#&-])(?:[\w.-]+\/[\w.-]+)?#\d+\b/g;
const VERSION_RE = /(?<![\w.])v?\d+(?:\.\d+)+\b/g;
const CALL_RE = /(?<![\w$.])[A-Za-z_$][\w$]*(?:(?:\.|::|#)[A-Za-z_$][\w$]*)*\(\)/g;
const IDENT_RE = /(?<![\w$./-])(?:[a-z][a-z0-9]*[A-Z][a-z0-9]+[A-Za-z0-9]*|[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]*[A-Za-z0-9])(?![\w$/-])/g;
const BACKTICK_RE = /`([^`\n]+)`/g;

function isPathLike(token: string): boolean {
  if (!/[A-Za-z]/.test(token)) return false; // dates, fractions
  if (token.includes('/')) {
    const segs = token
      .replace(/^\.{1,2}\//, '')
      .replace(/\/$/, '')
      .split('/');
    if (segs.length === 2 && (SLASH_WORDS.has(token.toLowerCase()) || segs.every((s) => s.length <= 1))) return false;
    return true;
  }
  return new RegExp(String.raw`\.(?:${EXTENSIONS})$`, 'i').test(token);
}

const CODE_CALL_RE = /(?<![\w$.])[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*(?=\()/g;
const KEYWORDS = new Set('if for while switch catch return function typeof new await async do else with sizeof print echo'.split(' '));

/** The claims in one piece of text, left to right, none overlapping; in `code`, every call too. */
export function extractClaims(text: string, code = false): Claim[] {
  const claims: Claim[] = [];
  const taken: [number, number][] = [];
  const free = (a: number, b: number) => taken.every(([x, y]) => b <= x || a >= y);
  const add = (kind: ClaimKind, token: string, start: number, end: number) => {
    if (!free(start, end)) return;
    claims.push({ kind, token, start, end });
    taken.push([start, end]);
  };
  for (const m of text.matchAll(BACKTICK_RE)) {
    const inner = m[1]!.trim();
    const start = m.index;
    const end = start + m[0].length;
    if (!inner) continue;
    if (/^#\d+$|^[\w.-]+\/[\w.-]+#\d+$/.test(inner)) add('issue', inner, start, end);
    else if (/^v?\d+(?:\.\d+)+$/.test(inner)) add('version', inner.replace(/^v/, ''), start, end);
    else if (!/\s/.test(inner) && isPathLike(inner)) add('file', inner, start, end);
    else add('function', inner.replace(/\(\)$/, ''), start, end);
  }
  for (const m of text.matchAll(ISSUE_RE)) add('issue', m[0], m.index, m.index + m[0].length);
  for (const m of text.matchAll(PATH_RE)) {
    const token = m[0].replace(/[.]+$/, '');
    if (isPathLike(token)) add('file', token, m.index, m.index + token.length);
  }
  for (const m of text.matchAll(VERSION_RE)) add('version', m[0].replace(/^v/, ''), m.index, m.index + m[0].length);
  for (const m of text.matchAll(CALL_RE)) add('function', m[0].slice(0, -2), m.index, m.index + m[0].length);
  if (code) for (const m of text.matchAll(CODE_CALL_RE)) if (!KEYWORDS.has(m[0])) add('function', m[0], m.index, m.index + m[0].length);
  for (const m of text.matchAll(IDENT_RE)) add('function', m[0], m.index, m.index + m[0].length);
  return claims.sort((a, b) => a.start - b.start);
}

/** Whether `needle` occurs in `hay` (both lower case) with no word character glued to either end. */
function hasWord(hay: string, needle: string): boolean {
  if (!needle) return false;
  const word = /[\w$]/;
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) {
    const before = i > 0 ? hay[i - 1]! : ' ';
    const after = hay[i + needle.length] ?? ' ';
    if ((!word.test(needle[0]!) || !word.test(before)) && (!word.test(needle[needle.length - 1]!) || !word.test(after))) return true;
  }
  return false;
}

/** Looks claims up in the change; build once per change. */
export class ClaimChecker {
  private readonly text: string;
  private readonly paths: string[];

  constructor(evidence: Evidence) {
    this.text = evidence.text.toLowerCase();
    this.paths = [...new Set(evidence.paths.map((p) => p.toLowerCase()))];
  }

  holds(c: Pick<Claim, 'kind' | 'token'>): boolean {
    const t = c.token.toLowerCase();
    switch (c.kind) {
      case 'file': {
        const p = t.replace(/^\.\//, '').replace(/\/$/, '');
        if (this.paths.some((x) => x === p || x.endsWith(`/${p}`) || x.startsWith(`${p}/`) || x.includes(`/${p}/`))) return true;
        return hasWord(this.text, p);
      }
      case 'function': {
        if (hasWord(this.text, t)) return true;
        // a method named with its object or module: the method itself must be there
        const last = t.split(/\.|::|#/).pop() ?? '';
        if (last !== t && /^[\w$]+$/.test(last) && hasWord(this.text, last)) return true;
        // a snippet of several words: every identifier in it must be there
        const words = t.match(/[a-z_$][\w$]*/g) ?? [];
        return /\s/.test(t) && words.length > 0 && words.every((w) => hasWord(this.text, w));
      }
      case 'version': {
        // 1.2 is not vouched for by 1.2.3
        const v = t.replace(/^v/, '');
        for (let i = this.text.indexOf(v); i >= 0; i = this.text.indexOf(v, i + 1)) {
          const before = this.text[i - 1] ?? ' ';
          const rest = this.text.slice(i + v.length, i + v.length + 2);
          if (!/[\w.]/.test(before) && !/^(?:\w|\.\d)/.test(rest)) return true;
        }
        return false;
      }
      case 'issue': {
        if (hasWord(this.text, t)) return true;
        const n = t.slice(t.indexOf('#'));
        // "owner/repo#3" is only vouched for by itself; "#3" by any mention of #3
        return !t.startsWith('#') ? false : hasWord(this.text, n);
      }
    }
  }
}

const KEYWORD = String.raw`(?:fix(?:es|ed)?|close[sd]?|resolve[sd]?|refs?|see(?: also)?|related(?: to)?|part of|for|in)`;
const LEFTOVER = new RegExp(String.raw`^[\s\-*•:,;.()]*(?:${KEYWORD})?[\s:,;.()]*$`, 'i');

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The unit without an issue reference: "(#12)", ", fixes #12", "Closes #12". */
function withoutIssue(unit: string, c: Claim): string {
  const ref = escapeRe(unit.slice(c.start, c.end));
  const patterns = [new RegExp(String.raw`\s*\(\s*(?:${KEYWORD}\s+)?${ref}\s*\)`, 'i'), new RegExp(String.raw`\s*[,;]?\s*(?:${KEYWORD}:?\s+)?${ref}`, 'i')];
  for (const re of patterns) {
    const m = re.exec(unit);
    if (m && m.index <= c.start && m.index + m[0].length >= c.end) return unit.slice(0, m.index) + unit.slice(m.index + m[0].length);
  }
  return unit.slice(0, c.start) + unit.slice(c.end);
}

const SEPARATOR = /^(?:\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or|&)\s+)$/i;

/** The unit without claim `c` taken out of a list of claims ("a.ts, b.ts and c.ts"), or null when it isn't in one. */
function withoutListItem(unit: string, claims: Claim[], i: number): string | null {
  const c = claims[i]!;
  const prev = claims[i - 1];
  const next = claims[i + 1];
  const sep = (a: Claim | undefined, b: Claim | undefined) => (a && b ? unit.slice(a.end, b.start) : null);
  const isSep = (a: Claim | undefined, b: Claim | undefined) => {
    const s = sep(a, b);
    return s !== null && SEPARATOR.test(s);
  };
  // the items of the list left once c is gone
  let left = 0;
  for (let j = i - 1; j >= 0 && isSep(claims[j], claims[j + 1]); j--) left++;
  let right = 0;
  for (let j = i + 1; j < claims.length && isSep(claims[j - 1], claims[j]); j++) right++;
  if (!left && !right) return null;
  // a list of two has no comma before its "and": "a, b, and c" without one item is "a and c"
  const two = left + right === 2;
  const noComma = (s: string) => (two ? s.replace(/^,(\s+(?:and|or)\s+)/i, '$1') : s);
  if (left && !right) {
    // the last item goes, and its "and" moves in front of the new last one
    const conj = /\b(?:and|or)\b|&/i.exec(sep(prev, c)!)?.[0];
    const before = claims[i - 2];
    if (conj && before && left >= 2 && /^\s*,\s*$/.test(sep(before, prev)!)) {
      const glue = !two && sep(prev, c)!.includes(',') ? `, ${conj} ` : ` ${conj} `;
      return unit.slice(0, before.end) + glue + unit.slice(prev!.start, prev!.end) + unit.slice(c.end);
    }
    return unit.slice(0, prev!.end) + unit.slice(c.end);
  }
  if (left) return unit.slice(0, prev!.end) + noComma(unit.slice(c.end));
  return unit.slice(0, c.start) + unit.slice(next!.start, next!.end) + noComma(unit.slice(next!.end));
}

/**
 * One sentence, bullet or subject with every claim the change doesn't back taken out, and what
 * was taken; `text: null` when the unit has to go as a whole.
 */
export function checkUnit(unit: string, checker: ClaimChecker): { text: string | null; removed: string[] } {
  const removed: string[] = [];
  let text = unit;
  for (let guard = 0; guard < 50; guard++) {
    const claims = extractClaims(text);
    const i = claims.findIndex((c) => !checker.holds(c));
    if (i < 0) return { text, removed };
    const bad = claims[i]!;
    removed.push(bad.token);
    let next: string | null = null;
    if (bad.kind === 'issue') next = withoutIssue(text, bad);
    else if (bad.kind === 'file' || bad.kind === 'function') next = withoutListItem(text, claims, i);
    if (next === null || LEFTOVER.test(next))
      return {
        text: null,
        removed: [
          ...removed,
          ...claims
            .slice(i + 1)
            .filter((c) => !checker.holds(c))
            .map((c) => c.token),
        ],
      };
    text = next.replace(/[ \t]{2,}/g, ' ').replace(/\s+([,.;:!?])/g, '$1');
  }
  return { text: null, removed };
}

// ---------------------------------------------------------------------------------------------
// The body: blocks (paragraphs, lists, headings, code) split into units

const ITEM_RE = /^(\s*)([-*•+]|\d+[.)])\s+/;

type Block = { kind: 'para'; text: string } | { kind: 'item'; marker: string; text: string } | { kind: 'line'; text: string } | { kind: 'code'; text: string } | { kind: 'blank' };

function blocksOf(body: string): Block[] {
  const out: Block[] = [];
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*```/.test(line)) {
      let j = i + 1;
      while (j < lines.length && !/^\s*```/.test(lines[j]!)) j++;
      out.push({ kind: 'code', text: lines.slice(i, j + 1).join('\n') });
      i = j;
      continue;
    }
    if (!line.trim()) {
      if (out[out.length - 1]?.kind !== 'blank') out.push({ kind: 'blank' });
      continue;
    }
    const item = ITEM_RE.exec(line);
    const last = out[out.length - 1];
    if (item) out.push({ kind: 'item', marker: item[0].trimEnd(), text: line.slice(item[0].length).trim() });
    else if (/^\s*(#{1,6}\s|>|\|)/.test(line)) out.push({ kind: 'line', text: line });
    else if (last?.kind === 'item' && /^\s+/.test(line)) last.text += ` ${line.trim()}`;
    else if (last?.kind === 'para') last.text += ` ${line.trim()}`;
    else out.push({ kind: 'para', text: line.trim() });
  }
  return out;
}

/** Sentences of a paragraph: split after . ! ? before a capital, a backtick or a quote. */
function sentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+(?=[A-Z`"'(\[])/).filter((s) => s.trim());
}

/** Wraps at `width` columns (0: one line), later lines indented by `indent` (a bullet's hanging indent). */
export function wrap(text: string, width = 72, first = '', indent = ''): string {
  const words = text.split(/\s+/).filter(Boolean);
  if (width <= 0) return first + words.join(' ');
  const lines: string[] = [];
  let line = first;
  let fresh = true;
  for (const w of words) {
    if (!fresh && line.length + 1 + w.length > width) {
      lines.push(line);
      line = indent + w;
    } else line = fresh ? line + w : `${line} ${w}`;
    fresh = false;
  }
  lines.push(line);
  return lines.join('\n');
}

/**
 * The body with every unbacked claim's sentence or bullet (or list item) taken out, paragraphs
 * and bullets wrapped at `width` columns (a commit's 72; 0 for Markdown, which wraps itself).
 */
export function checkBody(body: string, checker: ClaimChecker, width = 72): { body: string; removed: string[] } {
  const removed: string[] = [];
  const kept: string[] = [];
  const blocks = blocksOf(body);
  for (let b = 0; b < blocks.length; b++) {
    const block = blocks[b]!;
    if (block.kind === 'blank') {
      if (kept.length && kept[kept.length - 1] !== '') kept.push('');
      continue;
    }
    if (block.kind === 'para') {
      const parts = sentences(block.text).map((s) => checkUnit(s, checker));
      removed.push(...parts.flatMap((p) => p.removed));
      const left = parts.filter((p) => p.text !== null).map((p) => p.text!);
      if (!left.length) continue;
      // a lead-in ("Changes:") whose list is all gone goes with it
      if (/:\s*$/.test(block.text) && left.length === parts.length && !listSurvives(blocks, b, checker)) continue;
      kept.push(wrap(left.join(' '), width));
      continue;
    }
    if (block.kind === 'item') {
      const r = checkUnit(block.text, checker);
      removed.push(...r.removed);
      if (r.text !== null) kept.push(wrap(r.text, width, `${block.marker} `, ' '.repeat(block.marker.length + 1)));
      continue;
    }
    const r = block.kind === 'code' ? checkCode(block.text, checker) : checkUnit(block.text, checker);
    removed.push(...r.removed);
    if (r.text !== null) kept.push(r.text);
  }
  while (kept[kept.length - 1] === '') kept.pop();
  // items of one list stay together; blocks are separated by one blank line
  return { body: joinBlocks(kept), removed };
}

function joinBlocks(kept: string[]): string {
  return kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function listSurvives(blocks: Block[], at: number, checker: ClaimChecker): boolean {
  let any = false;
  for (let i = at + 1; i < blocks.length; i++) {
    const b = blocks[i]!;
    if (b.kind === 'blank' && !any) continue;
    if (b.kind !== 'item') break;
    any = true;
    if (checkUnit(b.text, checker).text !== null) return true;
  }
  return !any;
}

/** A code block stays whole or goes whole: a snippet with a claim the change doesn't back is not quoted. */
function checkCode(text: string, checker: ClaimChecker): { text: string | null; removed: string[] } {
  const inner = text.replace(/^\s*```[^\n]*\n?/, '').replace(/\n?\s*```\s*$/, '');
  const bad = extractClaims(inner, true).filter((c) => !checker.holds(c));
  return bad.length ? { text: null, removed: bad.map((c) => c.token) } : { text, removed: [] };
}

/**
 * The message with every claim the change doesn't back removed, or a refusal when the subject
 * itself is such a claim (or nothing is left of it).
 */
export function verifyMessage(message: Message, evidence: Evidence, opts: { maxSubject?: number; width?: number } = {}): Verified {
  const maxSubject = opts.maxSubject ?? SUBJECT_MAX;
  const checker = new ClaimChecker(evidence);
  const subject = checkUnit(message.subject, checker);
  const body = checkBody(message.body, checker, opts.width ?? 72);
  const removed = [...new Set([...subject.removed, ...body.removed])];
  const cleaned = subject.text === null ? '' : cleanSubject(subject.text, maxSubject);
  if (!cleaned) {
    const what = subject.removed.length ? subject.removed.map((r) => `"${r}"`).join(', ') : 'nothing';
    return { ok: false, reason: `the suggestion was refused: its subject names ${what}, which the change does not contain`, removed };
  }
  return { ok: true, message: { subject: cleaned, body: body.body }, removed };
}
