// The one check every web write's paths pass (contents API, uploads, moves, restores): a path
// is `/`-separated from the repository root, never escapes it, and never names anything git
// itself refuses to check out — `.git` in any spelling a filesystem folds back to `.git`
// (case, trailing dots and spaces, NTFS 8.3 short names and streams, HFS+ ignorable code
// points), as git's verify_path() with core.protectNTFS and core.protectHFS does. New names
// must also be names Windows can store (device names, reserved characters), so a clone works
// there. Whether a path runs through a symlink or a submodule depends on the tree and is
// checked where the tree is read (tree-edit.ts).
import { Invalid } from '../lib/errors.js';
import { windowsPathProblem } from '../lib/names.js';

const MAX_PATH_BYTES = 4096;
const MAX_NAME_BYTES = 255;

/** Code points HFS+ ignores when it compares names (git's is_hfs_dotgit list). */
// eslint-disable-next-line no-misleading-character-class
const HFS_IGNORABLE_RE = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g;

/** Whether one path component is `.git` to some filesystem a clone may land on. */
export function isDotGitAlias(name: string): boolean {
  const hfs = name.replace(HFS_IGNORABLE_RE, '').toLowerCase();
  if (hfs === '.git') return true;
  const lower = name.toLowerCase();
  // NTFS: an alternate data stream (`.git::$INDEX_ALLOCATION`) names the file before the colon
  const beforeStream = lower.split(':')[0]!;
  // NTFS drops trailing dots and spaces: `.git.`, `.git ..`
  const trimmed = beforeStream.replace(/[. ]+$/, '');
  if (trimmed === '.git') return true;
  // NTFS 8.3 short name of `.git`: `GIT~1` (and `git~1.` etc. after trimming)
  if (/^git~[1-4]$/.test(trimmed)) return true;
  return false;
}

export interface PathRules {
  /** A name this write creates (a new file, a move's target): it must also be storable on Windows. */
  creating: boolean;
  /** The field it came from, for the message (`path`, `from_path`, `files[2].path`). */
  field?: string;
}

/**
 * The normalised path, or a 422 saying what is wrong with it. Leading and trailing slashes are
 * not trimmed away: `/etc/passwd` is an absolute path and refused as one.
 */
export function checkEditPath(input: string, rules: PathRules): string {
  const field = rules.field ?? 'path';
  const bad = (why: string) => Invalid(`${field} ${JSON.stringify(input)} ${why}`);
  if (typeof input !== 'string' || input === '') throw Invalid(`${field} is required`);
  if (Buffer.byteLength(input) > MAX_PATH_BYTES) throw bad(`is longer than ${MAX_PATH_BYTES} bytes`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(input)) throw bad('contains a control character');
  if (input.startsWith('/') || /^[A-Za-z]:/.test(input)) throw bad('is absolute; paths start at the repository root');
  if (input.includes('\\')) throw bad("contains '\\'; folders are separated with '/'");
  const parts = input.split('/');
  for (const part of parts) {
    if (part === '') throw bad(input.endsWith('/') ? 'ends with a slash' : 'has an empty folder name');
    if (part === '.' || part === '..') throw bad(`may not contain "${part}"`);
    if (Buffer.byteLength(part) > MAX_NAME_BYTES) throw bad(`has a name longer than ${MAX_NAME_BYTES} bytes`);
    if (isDotGitAlias(part)) throw bad('names a .git folder (in one of the spellings git refuses to check out)');
  }
  if (rules.creating) {
    const problem = windowsPathProblem(input);
    if (problem) throw Invalid(`${field} ${problem}`);
  }
  return input;
}

/** Every folder a path lies in, outermost first: `a/b/c` → `a`, `a/b`. */
export function parentsOf(path: string): string[] {
  const parts = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

/** Whether `path` is `dir` or inside it. */
export function isWithin(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}
