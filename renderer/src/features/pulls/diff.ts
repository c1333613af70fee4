// The commit page's diff pieces, fed with a pull request's or a comparison's files: the shape
// DiffFile takes, which files start collapsed, and the unified/split choice (the same one the
// commit page remembers).
import type { Collapsed, DiffStyle } from '../history/DiffFile';
import type { FileDiff } from '../history/types';
import type { ChangedFile } from './types';

const STYLE_KEY = 'gitssy.diff-style';
/** A file with more lines than this starts collapsed. */
const FILE_LINES_OPEN = 800;
/** After this many lines on the page, further files start collapsed. */
const PAGE_LINES_OPEN = 6000;

export function storedStyle(): DiffStyle {
  try {
    return localStorage.getItem(STYLE_KEY) === 'split' ? 'split' : 'unified';
  } catch {
    return 'unified';
  }
}

export function rememberStyle(style: DiffStyle): void {
  try {
    localStorage.setItem(STYLE_KEY, style);
  } catch {
    // storage off: the URL still carries the choice
  }
}

/** One FileDiff per ChangedFile object: the query keeps unchanged files' objects on refetch, so their diffs don't re-render. */
const converted = new WeakMap<ChangedFile, FileDiff>();

export function toFileDiff(f: ChangedFile): FileDiff {
  let d = converted.get(f);
  if (!d) converted.set(f, (d = convert(f)));
  return d;
}

function convert(f: ChangedFile): FileDiff {
  return {
    filename: f.filename,
    previous_filename: f.previous_filename || null,
    status: f.status,
    similarity: null,
    additions: f.additions,
    deletions: f.deletions,
    changes: f.changes,
    binary: f.binary,
    old_mode: '',
    new_mode: '',
    sha: f.sha,
    previous_sha: f.previous_sha,
    patch: f.patch,
    patch_truncated: f.patch_truncated,
  };
}

function lineCount(patch: string): number {
  let n = 0;
  for (let i = patch.indexOf('\n'); i >= 0; i = patch.indexOf('\n', i + 1)) n++;
  return n;
}

/** Which files start collapsed, and why: big ones, and everything past the page's line budget. */
export function initialCollapsed(files: FileDiff[]): Array<Collapsed | null> {
  let shown = 0;
  return files.map((f) => {
    if (!f.patch || f.binary) return null;
    const n = lineCount(f.patch);
    if (n > FILE_LINES_OPEN) return 'large';
    if (shown + n > PAGE_LINES_OPEN) return 'budget';
    shown += n;
    return null;
  });
}
