// What of a change the model gets to read: a small local model has a small context, so the diff
// is bounded — each file's patch cut to a number of lines, the files past the budget summarized
// as "path (+a −d)", and the whole under a character budget. The verifier still checks the
// answer against the complete diff, not this excerpt.
import type { CommitDiff, FileDiff } from '../git/diff.js';

export interface DiffBudget {
  /** Lines of one file's patch (hunk headers included) before it is cut. */
  maxLinesPerFile: number;
  /** Characters of the whole excerpt: patches, headers and the summary of the rest. */
  maxChars: number;
  /** Share of maxChars kept for the one-line summaries of the files whose patch is left out. */
  summaryShare: number;
}

export const DEFAULT_DIFF_BUDGET: DiffBudget = { maxLinesPerFile: 80, maxChars: 12_000, summaryShare: 0.25 };

/** A bounded excerpt of a diff, and how much of it made it in. */
export interface DiffExcerpt {
  text: string;
  /** Files whose patch (or part of it) is in the text. */
  withPatch: number;
  /** Files named only in the summary (or counted in its last line). */
  summarized: number;
}

const MINUS = '\u2212';

/** "path (+a −d)", with the old path of a rename and what kind of change it is. */
export function fileSummary(f: Pick<FileDiff, 'path' | 'oldPath' | 'status' | 'additions' | 'deletions' | 'binary'>): string {
  const name = f.oldPath && f.oldPath !== f.path ? `${f.oldPath} → ${f.path}` : f.path;
  const kind = f.status === 'modified' ? '' : `${f.status}, `;
  return f.binary ? `${name} (${kind}binary)` : `${name} (${kind}+${f.additions} ${MINUS}${f.deletions})`;
}

/** A file's hunks without git's header lines (diff --git, index, ---, +++), cut to `maxLines`. */
export function patchLines(patch: string, maxLines: number): { lines: string[]; cut: number } {
  const all = patch.replace(/\n$/, '').split('\n');
  const start = all.findIndex((l) => l.startsWith('@@') || l.startsWith('Binary files'));
  const body = start < 0 ? [] : all.slice(start);
  if (body.length <= maxLines) return { lines: body, cut: 0 };
  return { lines: body.slice(0, maxLines), cut: body.length - maxLines };
}

function fileSection(f: FileDiff, maxLines: number): string {
  const head = `### ${fileSummary(f)}`;
  if (f.binary || !f.patch) return `${head}\n${f.binary ? '(binary file)' : '(patch not shown)'}\n`;
  const { lines, cut } = patchLines(f.patch, maxLines);
  const more = cut > 0 || f.patchTruncated ? `… (${cut > 0 ? `${cut} more lines` : 'the rest of this patch'} not shown)\n` : '';
  return `${head}\n${lines.join('\n')}\n${more}`;
}

/** Cuts a section at a line boundary so it fits `room` characters, marking the cut. */
function fitSection(section: string, room: number): string | null {
  const marker = '… (cut to fit)\n';
  if (room < 200) return null;
  const lines = section.split('\n');
  let out = '';
  for (const line of lines) {
    if (out.length + line.length + 1 + marker.length > room) break;
    out += `${line}\n`;
  }
  // a header alone tells nothing the summary would not
  return out.split('\n').length > 2 ? out + marker : null;
}

/**
 * The excerpt the prompt carries: as many files' patches as fit, in the diff's order, then one
 * line per remaining file, then a count of whatever still did not fit.
 */
export function boundDiff(diff: CommitDiff, budget: DiffBudget = DEFAULT_DIFF_BUDGET): DiffExcerpt {
  const summaries = diff.files.map(fileSummary);
  const allSummaries = summaries.reduce((n, l) => n + l.length + 3, 0);
  const patchRoom = budget.maxChars - Math.min(allSummaries, Math.floor(budget.maxChars * budget.summaryShare));
  let text = '';
  let shown = 0;
  for (const f of diff.files) {
    const section = fileSection(f, budget.maxLinesPerFile);
    if (text.length + section.length <= patchRoom) {
      text += `${section}\n`;
      shown++;
      continue;
    }
    const fitted = fitSection(section, patchRoom - text.length);
    if (fitted) {
      text += `${fitted}\n`;
      shown++;
    }
    break;
  }
  const rest = diff.files.slice(shown);
  const unlisted = diff.totalFiles - diff.files.length;
  if (rest.length || unlisted > 0) {
    const lines: string[] = [];
    let used = text.length + 40;
    let i = 0;
    for (; i < rest.length; i++) {
      const line = `- ${summaries[shown + i]}`;
      if (used + line.length + 1 > budget.maxChars - 80) break;
      lines.push(line);
      used += line.length + 1;
    }
    const left = rest.slice(i);
    const leftCount = left.length + Math.max(0, unlisted);
    if (leftCount > 0) {
      const add = left.reduce((n, f) => n + f.additions, 0);
      const del = left.reduce((n, f) => n + f.deletions, 0);
      // the listed files' counts are exact; the unlisted ones are only in the diff's totals
      const totals = unlisted > 0 ? '' : ` (+${add} ${MINUS}${del})`;
      lines.push(`- … and ${leftCount} more ${leftCount === 1 ? 'file' : 'files'}${totals}`);
    }
    text += `Other changed files (patch not shown):\n${lines.join('\n')}\n`;
  }
  return { text: text.trimEnd() + '\n', withPatch: shown, summarized: diff.totalFiles - shown };
}
