// Trees: what is at a path in a commit, and a directory's entries with their sizes. Symlinks
// are reported as links with their target text and never followed; submodules as the commit
// they pin. Paths from callers are checked here once (no `..`, no NUL, bounded length).
import { Invalid } from '../lib/errors.js';
import { runGit, userArg } from './command.js';
import type { GitRepo } from './cat-file-pool.js';
import type { CatFileProcess } from './cat-file.js';
import { parseTree, type EntryType, type RawTreeEntry } from './objects.js';
import type { GitReadContext } from './read-context.js';

export interface TreeEntry {
  name: string;
  /** Path from the repository root, `/`-separated, no leading slash. */
  path: string;
  mode: string;
  type: EntryType;
  sha: string;
  /** Bytes, for files and symlinks; null for directories and submodules. */
  size: number | null;
  /** Symlinks only: the link's text (where it points); null when unreadable or over 4 KiB. */
  target: string | null;
}

export const MAX_PATH_BYTES = 4096;
const MAX_SEGMENT_BYTES = 255;
const MAX_TREE_BYTES = 64 * 1024 * 1024;
const MAX_LINK_BYTES = 4096;

/**
 * A repository path from a URL wildcard (Express gives an array of decoded segments) or a query
 * string. Leading and trailing slashes are dropped; `.`/`..`/empty segments, NUL and line
 * breaks are refused, as are paths over 4 KiB.
 */
export function cleanTreePath(input: unknown): string {
  if (input === undefined || input === null) return '';
  let segments: string[];
  if (typeof input === 'string') segments = input.split('/');
  else if (Array.isArray(input) && input.every((s) => typeof s === 'string')) segments = input as string[];
  else throw Invalid('invalid path');
  while (segments.length && segments[segments.length - 1] === '') segments = segments.slice(0, -1);
  while (segments.length && segments[0] === '') segments = segments.slice(1);
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') throw Invalid('invalid path: empty, "." and ".." segments are not allowed');
    if (/[\0\n\r/]/.test(s)) throw Invalid('invalid path: contains a NUL, a line break or an encoded slash');
    if (Buffer.byteLength(s) > MAX_SEGMENT_BYTES) throw Invalid('invalid path: a name is longer than 255 bytes');
  }
  const path = segments.join('/');
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) throw Invalid('invalid path: longer than 4096 bytes');
  return path;
}

function dirFirst(a: RawTreeEntry, b: RawTreeEntry): number {
  const da = a.type === 'dir' ? 0 : 1;
  const db = b.type === 'dir' ? 0 : 1;
  if (da !== db) return da - db;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Reads a tree object; null when `name` is missing or isn't a tree. */
async function readTreeObject(cat: CatFileProcess, name: string, hexLen: number): Promise<RawTreeEntry[] | null> {
  const info = await cat.info(name);
  if (!info || info.type !== 'tree') return null;
  const obj = await cat.contents(info.sha, MAX_TREE_BYTES);
  if (!obj?.data) throw Invalid('this directory is too large to list');
  return parseTree(obj.data, hexLen / 2);
}

/** Sizes and link targets for raw entries, pipelined on one process. */
async function complete(cat: CatFileProcess, dir: string, raws: RawTreeEntry[]): Promise<TreeEntry[]> {
  const sized = raws.map((e) => (e.type === 'file' || e.type === 'symlink' ? cat.info(e.sha) : Promise.resolve(null)));
  const sizes = await Promise.all(sized);
  const targets = await Promise.all(raws.map((e, i) => (e.type === 'symlink' && (sizes[i]?.size ?? Infinity) <= MAX_LINK_BYTES ? cat.contents(e.sha, MAX_LINK_BYTES) : Promise.resolve(null))));
  return raws.map((e, i) => ({
    name: e.name,
    path: dir ? `${dir}/${e.name}` : e.name,
    mode: e.mode,
    type: e.type,
    sha: e.sha,
    size: sizes[i]?.size ?? null,
    target: e.type === 'symlink' ? (targets[i]?.data?.toString('utf8') ?? null) : null,
  }));
}

/** What is at `path` in `commit` ('' is the root directory); null if nothing is. */
export async function entryAt(ctx: GitReadContext, repo: GitRepo, commit: string, path: string): Promise<TreeEntry | null> {
  return ctx.pool.use(repo, async (cat) => {
    if (path === '') {
      const root = await cat.info(`${commit}^{tree}`);
      if (!root) return null;
      return { name: '', path: '', mode: '040000', type: 'dir', sha: root.sha, size: null, target: null };
    }
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? '' : path.slice(0, slash);
    const name = path.slice(slash + 1);
    const raws = await readTreeObject(cat, parent ? `${commit}:${parent}` : `${commit}^{tree}`, commit.length);
    const raw = raws?.find((e) => e.name === name);
    if (!raw) return null;
    const [entry] = await complete(cat, parent, [raw]);
    return entry!;
  });
}

/** A directory's entries, directories first, then by name; at most `limit` of them. */
export async function listTree(ctx: GitReadContext, repo: GitRepo, treeSha: string, dir: string, limit = 10_000): Promise<{ entries: TreeEntry[]; total: number; truncated: boolean }> {
  return ctx.pool.use(repo, async (cat) => {
    const raws = await readTreeObject(cat, treeSha, treeSha.length);
    if (!raws) return { entries: [], total: 0, truncated: false };
    raws.sort(dirFirst);
    const shown = raws.slice(0, limit);
    return { entries: await complete(cat, dir, shown), total: raws.length, truncated: raws.length > shown.length };
  });
}

const README_ORDER = ['readme.md', 'readme.markdown', 'readme', 'readme.rst', 'readme.txt', 'readme.org', 'readme.adoc'];

/** The directory's README, as GitHub and Gitea pick it: README.md first, then README, then readme.*. */
export function findReadme(entries: TreeEntry[]): TreeEntry | null {
  let best: { entry: TreeEntry; rank: number } | null = null;
  for (const e of entries) {
    if (e.type !== 'file') continue;
    const lower = e.name.toLowerCase();
    if (lower !== 'readme' && !lower.startsWith('readme.')) continue;
    const i = README_ORDER.indexOf(lower);
    const rank = i >= 0 ? i : README_ORDER.length;
    if (!best || rank < best.rank || (rank === best.rank && e.name < best.entry.name)) best = { entry: e, rank };
  }
  return best?.entry ?? null;
}

export interface GitTreeRow {
  path: string;
  mode: string;
  /** git's object type: blob, tree or commit (a submodule). */
  type: string;
  sha: string;
  size: number | null;
}

/**
 * A tree's entries as `git ls-tree -l` lists them (tree order), with `recursive` every entry
 * below it, directories included (`-r -t`); `skip`/`limit` page through them. For Gitea's
 * `git/trees`.
 */
export async function lsTree(ctx: GitReadContext, repo: GitRepo, treeSha: string, opts: { recursive: boolean; skip: number; limit: number }): Promise<{ rows: GitTreeRow[]; total: number }> {
  const { stdout } = await runGit(ctx.env, ['--git-dir', repo.dir, 'ls-tree', ...(opts.recursive ? ['-r', '-t'] : []), '-l', '-z', userArg(treeSha)], {
    timeoutMs: 60_000,
    maxOutputBytes: 256 * 1024 * 1024,
  });
  const records = stdout.toString('utf8').split('\0').filter(Boolean);
  const rows = records.slice(opts.skip, opts.skip + opts.limit).map((rec) => {
    const tab = rec.indexOf('\t');
    const [mode, type, sha, size] = rec.slice(0, tab).split(/ +/);
    return { path: rec.slice(tab + 1), mode: mode!, type: type!, sha: sha!, size: size === '-' || size === undefined ? null : Number(size) };
  });
  return { rows, total: records.length };
}
