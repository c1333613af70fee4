// Reads one file's unified patch (as the server's commit diff gives it, git headers included)
// into hunks of numbered lines, and pairs them up for the split view. Plain data: the views
// render every line as React text, never as HTML.

export type DiffLineKind = 'context' | 'add' | 'del' | 'note';

export interface DiffLine {
  kind: DiffLineKind;
  /** Line number on the old side (context and deletions). */
  oldNo: number | null;
  /** Line number on the new side (context and additions). */
  newNo: number | null;
  /** The line without its leading ' ', '+' or '-'. */
  text: string;
}

export interface Hunk {
  /** `@@ -1,4 +1,5 @@ function name` as git wrote it. */
  header: string;
  oldStart: number;
  newStart: number;
  lines: DiffLine[];
}

const HUNK_RE = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** The hunks of a patch; git's header lines (`diff --git`, `index`, `---`, `+++`, renames) are skipped. */
export function parsePatch(patch: string): Hunk[] {
  const hunks: Hunk[] = [];
  let hunk: Hunk | null = null;
  let oldNo = 0;
  let newNo = 0;
  const lines = patch.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const m = HUNK_RE.exec(line);
    if (m) {
      oldNo = Number(m[1]);
      newNo = Number(m[2]);
      hunk = { header: line, oldStart: oldNo, newStart: newNo, lines: [] };
      hunks.push(hunk);
      continue;
    }
    if (line.startsWith('diff --git ')) {
      // a type change is a deletion and a creation, each with its own headers
      hunk = null;
      continue;
    }
    if (!hunk) continue;
    const mark = line[0];
    const text = line.slice(1);
    if (mark === '+') hunk.lines.push({ kind: 'add', oldNo: null, newNo: newNo++, text });
    else if (mark === '-') hunk.lines.push({ kind: 'del', oldNo: oldNo++, newNo: null, text });
    else if (mark === '\\') hunk.lines.push({ kind: 'note', oldNo: null, newNo: null, text: line.slice(2) });
    else hunk.lines.push({ kind: 'context', oldNo: oldNo++, newNo: newNo++, text: mark === ' ' ? text : line });
  }
  return hunks;
}

export function countLines(hunks: Hunk[]): number {
  return hunks.reduce((n, h) => n + h.lines.length + 1, 0);
}

/** One row of the split view: the old side left, the new side right (either may be empty). */
export interface SplitRow {
  left: DiffLine | null;
  right: DiffLine | null;
}

/**
 * Pairs a hunk's lines for the split view: context on both sides, a run of deletions next to
 * the run of additions that follows it, a "no newline" note on the side of the line it is about.
 */
export function splitRows(hunk: Hunk): SplitRow[] {
  const rows: SplitRow[] = [];
  let dels: DiffLine[] = [];
  let adds: DiffLine[] = [];
  const flush = () => {
    for (let i = 0; i < Math.max(dels.length, adds.length); i++) rows.push({ left: dels[i] ?? null, right: adds[i] ?? null });
    dels = [];
    adds = [];
  };
  let last: DiffLineKind | null = null;
  for (const line of hunk.lines) {
    if (line.kind === 'del') {
      if (adds.length) flush();
      dels.push(line);
    } else if (line.kind === 'add') adds.push(line);
    else if (line.kind === 'note') {
      if (last === 'del') dels.push(line);
      else if (last === 'add') adds.push(line);
      else {
        flush();
        rows.push({ left: line, right: line });
      }
    } else {
      flush();
      rows.push({ left: line, right: line });
    }
    if (line.kind !== 'note') last = line.kind;
  }
  flush();
  return rows;
}
