// Matching one file's contents against the ruleset: the keyword prefilter, the regex, the
// entropy threshold and the look-alike allowlists, with line numbers from the content. Pure
// functions over strings; reading blobs out of git is history.ts's job.
import { CONTENT_RULES, FILE_RULES, PLACEHOLDERS, redact, shannon, type ContentRule, type FileRule } from './rules.js';

export interface ContentMatch {
  ruleId: string;
  /** 1-based line of the match's first non-blank character. */
  line: number;
  /** The secret itself (kept in memory only: stored as a hash and a redacted preview). */
  secret: string;
  preview: string;
}

/** A line that says so is never a finding (gitleaks' inline allow, and ours). */
const INLINE_ALLOW = /gitleaks:allow|gitssy:allow/;

/** Bytes that make a file binary when they occur in its first 8,000 (git's own test is the NUL). */
export function isBinary(data: Buffer): boolean {
  return data.subarray(0, 8000).includes(0);
}

function flatten(secret: string): string {
  return secret.replace(/\\[rn]|\s/g, '');
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineAt(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function lineText(text: string, starts: number[], line: number): string {
  const from = starts[line - 1] ?? 0;
  const to = starts[line] ?? text.length;
  return text.slice(from, to);
}

export function isPlaceholder(secret: string, rule: ContentRule): boolean {
  return PLACEHOLDERS.some((re) => re.test(secret)) || (rule.allowlist ?? []).some((re) => re.test(secret));
}

/**
 * All the keywords of a ruleset in one regex that looks ahead at every offset, so one pass over
 * a text finds each keyword that occurs, overlapping ones included (instead of a pass per
 * keyword). At one offset it reports the longest keyword there; a shorter one that is its
 * prefix occurs too (see Content.has).
 */
const keywordScanners = new Map<string, RegExp>();
function keywordScanner(keywords: readonly string[]): RegExp {
  const sorted = [...new Set(keywords)].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  const key = sorted.join('\0');
  let re = keywordScanners.get(key);
  if (!re) {
    re = new RegExp(`(?=(${sorted.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')}))`, 'g');
    if (keywordScanners.size >= 64) keywordScanners.clear();
    keywordScanners.set(key, re);
  }
  return re;
}

/** The content to match, read from a blob's bytes once and only when some rule needs it. */
class Content {
  private text: string | null = null;
  private found: Set<string> | null = null;
  constructor(
    readonly data: Buffer | string,
    private readonly keywords: readonly string[],
  ) {}
  /** Whether keyword `k` (one of the ruleset's) occurs. */
  has(k: string): boolean {
    if (!this.found) {
      const found = new Set<string>();
      const re = keywordScanner(this.keywords);
      const text = this.string;
      re.lastIndex = 0;
      const all = new Set(this.keywords).size;
      for (let m = re.exec(text); m !== null && found.size < all; m = re.exec(text)) {
        found.add(m[1]!);
        re.lastIndex = m.index + 1;
      }
      re.lastIndex = 0;
      this.found = found;
    }
    if (this.found.has(k)) return true;
    for (const f of this.found) if (f.length > k.length && f.startsWith(k)) return true;
    return false;
  }
  get string(): string {
    this.text ??= typeof this.data === 'string' ? this.data : this.data.toString('latin1');
    return this.text;
  }
}

/** Whether a rule may run on this content at all: its path filter, keywords and prefilter. */
function applies(rule: ContentRule, content: Content, paths: readonly string[]): boolean {
  if (rule.paths && !paths.some((p) => rule.paths!.test(p))) return false;
  if (rule.keywords && !rule.keywords.some((k) => content.has(k))) return false;
  if (rule.prefilter && !rule.prefilter.test(content.string)) return false;
  return true;
}

/**
 * Every secret in a file's contents (bytes, or text read as latin1 so offsets are bytes), for a
 * file known by these paths (a path-filtered rule runs when any of them matches). The keywords
 * are looked for in one pass over the text. One finding per rule, line and secret; a generic
 * match that only repeats a specific rule's secret (here, or in `prior`: what an earlier pass
 * over the same file found) is dropped.
 */
export function scanText(data: Buffer | string, paths: readonly string[], rules: readonly ContentRule[] = CONTENT_RULES, prior: readonly ContentMatch[] = []): ContentMatch[] {
  const content = new Content(
    data,
    rules.flatMap((r) => r.keywords ?? []),
  );
  const out: ContentMatch[] = [];
  let starts: number[] | null = null;
  const seen = new Set<string>();
  for (const rule of rules) {
    if (!applies(rule, content, paths)) continue;
    const text = content.string;
    // the rules' own (global) regexes, restarted for every text: matching is synchronous
    const re = rule.regex;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m[0].length === 0) re.lastIndex++;
      const secret = m[rule.group ?? 0];
      if (!secret) continue;
      const flat = flatten(secret);
      if (rule.entropy !== undefined && shannon(flat) < rule.entropy) continue;
      if (rule.shape && !rule.shape.test(secret)) continue;
      if (isPlaceholder(secret, rule)) continue;
      // a generic match of a secret a specific rule already reported adds nothing
      if (rule.id === 'generic-secret' && [...prior, ...out].some((f) => f.secret.includes(secret) || secret.includes(f.secret))) continue;
      starts ??= lineStarts(text);
      const lead = m[0].length - m[0].trimStart().length;
      const line = lineAt(starts, m.index + lead);
      if (INLINE_ALLOW.test(lineText(text, starts, line))) continue;
      const key = `${rule.id}\0${line}\0${secret}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ ruleId: rule.id, line, secret, preview: redact(secret) });
    }
    re.lastIndex = 0;
  }
  return out;
}

/**
 * The file rules a path trips. `head` is the file's first bytes (latin1), or null when the file
 * was too large to read: then a rule that wants its content to agree goes by the name alone.
 */
export function scanPath(path: string, head: string | null, rules: readonly FileRule[] = FILE_RULES): FileRule[] {
  return rules.filter((r) => r.path.test(path) && (!r.head || head === null || r.head.test(head)));
}
