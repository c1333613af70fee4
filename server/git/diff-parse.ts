// Parsers for `git diff-tree -z --raw --numstat` and for unified patches, kept apart from the
// processes that produce them so they can be tested on bytes. The patch collector enforces
// the caps (files, lines per file, bytes) while it reads, so a huge diff costs bounded memory.
import { StringDecoder } from 'node:string_decoder';

export type FileStatus = 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unmerged' | 'unknown';

export interface RawChange {
  path: string;
  /** The source path for renames and copies, else the same as `path`. */
  oldPath: string;
  status: FileStatus;
  /** Similarity for renames and copies (0-100), else null. */
  similarity: number | null;
  oldMode: string;
  newMode: string;
  oldSha: string;
  newSha: string;
  additions: number;
  deletions: number;
  binary: boolean;
}

const STATUS: Record<string, FileStatus> = { A: 'added', D: 'removed', M: 'modified', R: 'renamed', C: 'copied', T: 'changed', U: 'unmerged' };

/** Raw records (`:old new sha sha S\0path\0[path\0]`) followed by numstat records, matched in order. */
export function parseRawNumstat(buf: Buffer): RawChange[] {
  const tokens = buf.toString('utf8').split('\0');
  const changes: RawChange[] = [];
  let i = 0;
  while (i < tokens.length && tokens[i]!.startsWith(':')) {
    const [oldMode, newMode, oldSha, newSha, code] = tokens[i]!.slice(1).split(' ');
    const letter = code?.[0] ?? 'X';
    const twoPaths = letter === 'R' || letter === 'C';
    const first = tokens[i + 1] ?? '';
    const second = twoPaths ? (tokens[i + 2] ?? '') : first;
    changes.push({
      path: second,
      oldPath: first,
      status: STATUS[letter] ?? 'unknown',
      similarity: twoPaths ? Number(code!.slice(1)) || 0 : null,
      oldMode: oldMode ?? '',
      newMode: newMode ?? '',
      oldSha: oldSha ?? '',
      newSha: newSha ?? '',
      additions: 0,
      deletions: 0,
      binary: false,
    });
    i += twoPaths ? 3 : 2;
  }
  // numstat: `add\tdel\tpath\0`, or `add\tdel\t\0old\0new\0` for renames and copies
  for (const c of changes) {
    const t = tokens[i];
    if (t === undefined) break;
    const m = /^(\d+|-)\t(\d+|-)\t/.exec(t);
    if (!m) break;
    if (m[1] === '-') c.binary = true;
    else {
      c.additions = Number(m[1]);
      c.deletions = Number(m[2]);
    }
    i += t.length === m[0].length ? 3 : 1;
  }
  return changes;
}

/** git's C-style quoting of a path in patch headers (with core.quotePath=false). */
export function quoteGitPath(p: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/["\\\x00-\x1f\x7f]/.test(p)) return p;
  const named: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\x07': '\\a', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\v': '\\v', '\f': '\\f', '\r': '\\r' };
  // eslint-disable-next-line no-control-regex
  return `"${p.replace(/["\\\x00-\x1f\x7f]/g, (c) => named[c] ?? `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)}"`;
}

export interface PatchLimits {
  /** Files whose patch is kept; later files are listed without one. */
  maxFiles: number;
  /** Patch lines kept per file. */
  maxLinesPerFile: number;
  /** Patch bytes kept across all files. */
  maxBytes: number;
}

export interface PatchSection {
  /** The `diff --git a/… b/…` line. */
  header: string;
  text: string;
  truncated: boolean;
}

/** Splits a streamed unified diff into `diff --git` sections, keeping what the limits allow. */
export class PatchCollector {
  readonly sections: PatchSection[] = [];
  /** Set once the limits cut the patch short (more sections, or bytes, were dropped). */
  truncated = false;
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';
  private lines = 0;
  private bytes = 0;
  private parts: string[] = [];
  private done = false;

  constructor(
    private readonly limits: PatchLimits,
    /** Sections to keep: normally limits.maxFiles, more when type changes take two each. */
    private readonly maxSections = limits.maxFiles * 2,
  ) {}

  /** Feeds a chunk; false once nothing more will be kept (the producer can be stopped). */
  push(chunk: Buffer): boolean {
    if (this.done) return false;
    const lines = (this.rest + this.decoder.write(chunk)).split('\n');
    this.rest = lines.pop()!;
    for (const l of lines) if (!this.line(l)) return false;
    return true;
  }

  end(): PatchSection[] {
    if (!this.done) {
      const last = this.rest + this.decoder.end();
      if (last) this.line(last);
    }
    this.flush();
    return this.sections;
  }

  private line(l: string): boolean {
    if (l.startsWith('diff --git ')) {
      this.flush();
      if (this.sections.length >= this.maxSections) return this.stop();
      this.sections.push({ header: l, text: '', truncated: false });
      this.lines = 0;
      this.parts = [l];
      this.bytes += l.length + 1;
      return true;
    }
    const cur = this.sections[this.sections.length - 1];
    if (!cur || cur.truncated) return true;
    if (this.lines >= this.limits.maxLinesPerFile) {
      cur.truncated = true;
      return true;
    }
    if (this.bytes + l.length + 1 > this.limits.maxBytes) {
      cur.truncated = true;
      return this.stop();
    }
    this.parts.push(l);
    this.lines++;
    this.bytes += l.length + 1;
    return true;
  }

  private flush(): void {
    const cur = this.sections[this.sections.length - 1];
    if (cur && this.parts.length) cur.text = this.parts.join('\n') + '\n';
    this.parts = [];
  }

  private stop(): boolean {
    this.flush();
    this.truncated = true;
    this.done = true;
    return false;
  }
}
