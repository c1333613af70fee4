// A change set against one commit's tree, planned and written with plumbing on the bare
// repository: read the entries the change touches (`ls-tree`), check every operation against
// them (stale blob ids, files in the way, writes through symlinks, submodules), then build the
// new tree in a temporary index (`read-tree`, one `hash-object --stdin-paths` for all new
// content, one `update-index --index-info`, `write-tree`). Nothing here moves a ref.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { GitRepo } from '../git/cat-file-pool.js';
import { runGit, userArg, type GitEnv } from '../git/command.js';
import { parseTree, type EntryType } from '../git/objects.js';
import type { GitReadContext } from '../git/read-context.js';
import { ZERO_SHA } from '../git/ref-update.js';
import { Conflict, Invalid, NotFound } from '../lib/errors.js';
import { checkEditPath, isWithin, parentsOf } from './paths.js';

export interface FileOp {
  operation: 'create' | 'update' | 'delete';
  path: string;
  /** New bytes (create, update); an update without content is a move that keeps the bytes. */
  content?: Buffer;
  /** The blob (or, for a folder, tree) id being replaced or removed. */
  sha?: string;
  /** update: where the file or folder is now. */
  fromPath?: string;
}

export interface Entry {
  path: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
}

export interface Limits {
  /** Largest single file, bytes. */
  maxFileBytes: number;
  /** All new content together, bytes. */
  maxTotalBytes: number;
  maxFiles: number;
}

/** What a planned change writes into the index: removals first, then additions. */
interface IndexLine {
  path: string;
  mode: string;
  /** null: remove; a Buffer: content still to hash; a string: an existing object. */
  object: null | Buffer | string;
}

const SYMLINK = '120000';
const EXEC = '100755';
const FILE = '100644';
/** A tree object read whole; git's own trees are far smaller. */
const MAX_TREE_BYTES = 64 * 1024 * 1024;

const describe = (e: Entry) => (e.type === 'commit' ? 'a submodule' : e.mode === SYMLINK ? 'a symlink' : e.type === 'tree' ? 'a folder' : 'a file');

/** Where plain reads go: the long-lived cat-file process of the repository (no process per read). */
export interface TreeReader {
  ctx: GitReadContext;
  repo: GitRepo;
}

const TYPE_OF: Record<EntryType, Entry['type']> = { file: 'blob', symlink: 'blob', dir: 'tree', submodule: 'commit' };

/**
 * The entries at exactly these paths in `commit` (no recursion): path → entry, for those that
 * exist. Each folder on the way is read once, through the cat-file pool.
 */
export async function entriesAt(reader: TreeReader, commit: string | null, paths: Iterable<string>): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  if (!commit) return out;
  const byDir = new Map<string, string[]>();
  for (const p of new Set(paths)) {
    const slash = p.lastIndexOf('/');
    const dir = slash < 0 ? '' : p.slice(0, slash);
    byDir.set(dir, [...(byDir.get(dir) ?? []), p]);
  }
  const hashBytes = commit.length / 2;
  await reader.ctx.pool.use(reader.repo, async (cat) => {
    await Promise.all(
      [...byDir].map(async ([dir, wanted]) => {
        const info = await cat.info(dir ? `${commit}:${dir}` : `${commit}^{tree}`);
        if (!info || info.type !== 'tree') return;
        const obj = await cat.contents(info.sha, MAX_TREE_BYTES);
        if (!obj?.data) throw Invalid(`the folder "${dir}" is too large to edit here`);
        const names = new Map(parseTree(obj.data, hashBytes).map((e) => [e.name, e]));
        for (const p of wanted) {
          const e = names.get(p.slice(dir ? dir.length + 1 : 0));
          if (e) out.set(p, { path: p, mode: e.mode, type: TYPE_OF[e.type], sha: e.sha });
        }
      }),
    );
  });
  return out;
}

/** Every file (and submodule) under a folder, recursively. */
export async function entriesUnder(git: GitEnv, dir: string, commit: string, folder: string): Promise<Entry[]> {
  const r = await runGit(git, ['--git-dir', dir, 'ls-tree', '-r', '-z', '--full-tree', userArg(commit), '--', userArg(folder)], {
    env: { GIT_LITERAL_PATHSPECS: '1' },
    maxOutputBytes: 256 * 1024 * 1024,
  });
  return parseLsTree(r.stdout).filter((e) => isWithin(e.path, folder));
}

function parseLsTree(buf: Buffer): Entry[] {
  const out: Entry[] = [];
  for (const rec of buf.toString('utf8').split('\0')) {
    if (!rec) continue;
    const tab = rec.indexOf('\t');
    const [mode, type, sha] = rec.slice(0, tab).split(' ');
    out.push({ path: rec.slice(tab + 1), mode: mode!, type: type as Entry['type'], sha: sha! });
  }
  return out;
}

export interface PlannedChange {
  /** The new tree. */
  tree: string;
  /** Files written (created, updated or moved to), for the response; size null when not read. */
  written: { path: string; mode: string; sha: string; size: number | null; content: Buffer | null }[];
}

/**
 * Checks the operations against `base` (null: an empty repository) and writes the tree they
 * make. Every refusal comes before anything is written: a 422 for a path or request that can
 * never work, a 409 for one that lost a race (a stale sha, a file that appeared meanwhile).
 */
export async function planChange(git: GitEnv, reader: TreeReader, base: string | null, ops: FileOp[], limits: Limits): Promise<PlannedChange> {
  const dir = reader.repo.dir;
  if (ops.length === 0) throw Invalid('files: nothing to change');
  if (ops.length > limits.maxFiles) throw Invalid(`files: at most ${limits.maxFiles} changes in one commit`);
  let total = 0;
  const checked = ops.map((op, i) => {
    const field = ops.length > 1 ? `files[${i}].path` : 'path';
    const moving = op.operation === 'update' && op.fromPath !== undefined && op.fromPath !== op.path;
    const target = checkEditPath(op.path, { creating: op.operation === 'create' || moving, field });
    const from = op.fromPath !== undefined ? checkEditPath(op.fromPath, { creating: false, field: field.replace(/path$/, 'from_path') }) : target;
    if (op.operation === 'delete' && op.content !== undefined) throw Invalid(`${field}: a delete takes no content`);
    if (op.operation === 'create' && op.content === undefined) throw Invalid(`${field}: content is required to create a file`);
    if (op.operation === 'delete' && op.fromPath !== undefined) throw Invalid(`${field}: a delete takes no from_path`);
    if (op.content) {
      if (op.content.length > limits.maxFileBytes) throw Invalid(`${target} is ${op.content.length} bytes; files may be at most ${limits.maxFileBytes} bytes (the push size cap)`);
      total += op.content.length;
    }
    return { op, target, from, moving };
  });
  if (total > limits.maxTotalBytes) throw Invalid(`the change adds ${total} bytes; one commit may add at most ${limits.maxTotalBytes} bytes (the push size cap)`);
  // every path is changed by one operation only
  const touched = new Map<string, number>();
  checked.forEach((c, i) => {
    for (const p of c.moving ? [c.target, c.from] : [c.target]) {
      const seen = touched.get(p);
      if (seen !== undefined && seen !== i) throw Invalid(`"${p}" appears in more than one change`);
      touched.set(p, i);
    }
  });

  const wanted = new Set<string>();
  for (const c of checked) for (const p of [c.target, c.from]) for (const q of [p, ...parentsOf(p)]) wanted.add(q);
  const at = await entriesAt(reader, base, wanted);

  const lines: IndexLine[] = [];
  const written: { line: IndexLine; content: Buffer | null }[] = [];
  const removedTrees: string[] = [];
  for (const { op, target, from, moving } of checked) {
    // the place written to must be reachable through folders only
    for (const parent of parentsOf(target)) {
      const e = at.get(parent);
      if (!e || e.type === 'tree') continue;
      if (e.mode === SYMLINK) throw Invalid(`"${target}" goes through the symlink "${parent}"; writes through symlinks are refused`);
      const goes = removedTrees.includes(parent) || checked.some((c) => (c.op.operation === 'delete' || c.moving) && c.from === parent);
      if (!goes) throw Invalid(`"${target}" can't be written: "${parent}" is ${describe(e)}, not a folder`);
    }
    const existing = at.get(target);
    if (op.operation === 'create') {
      if (existing) throw Conflict(`"${target}" already exists (${describe(existing)}); nothing was written`);
      const line: IndexLine = { path: target, mode: FILE, object: op.content! };
      lines.push(line);
      written.push({ line, content: op.content! });
      continue;
    }
    const source = at.get(from);
    if (!source) throw NotFound(`"${from}" does not exist on this branch`);
    if (!op.sha)
      throw Invalid(
        `${op.operation === 'delete' ? 'delete' : 'update'} of "${from}": sha is required (the id of the ${source.type === 'tree' ? 'folder' : 'file'} being ${op.operation === 'delete' ? 'removed' : 'replaced'})`,
      );
    if (op.sha !== source.sha)
      throw Conflict(`"${from}" was changed since you started (it is ${source.sha.slice(0, 10)} now, not ${op.sha.slice(0, 10)}); nothing was written — review the new version and try again`);
    for (const parent of parentsOf(from)) {
      const e = at.get(parent);
      if (e && e.type !== 'tree') throw Invalid(`"${from}" is not in a folder of this tree`);
    }
    if (op.operation === 'delete') {
      if (source.type === 'tree') {
        for (const e of await entriesUnder(git, dir, base!, from)) lines.push({ path: e.path, mode: e.mode, object: null });
        removedTrees.push(from);
      } else lines.push({ path: from, mode: source.mode, object: null });
      continue;
    }
    // update: new content for a file, or a move (with or without new content)
    if (source.type === 'commit') throw Invalid(`"${from}" is a submodule; it can't be replaced by a file or edited here`);
    if (moving) {
      if (existing) throw Conflict(`"${target}" already exists (${describe(existing)}); nothing was moved`);
      if (isWithin(target, from)) throw Invalid(`"${from}" can't be moved into itself`);
    } else if (existing && existing.type === 'commit') throw Invalid(`"${target}" is a submodule; it can't be replaced by a file`);
    if (source.type === 'tree') {
      if (op.content !== undefined) throw Invalid(`"${from}" is a folder; only a move (from_path without content) applies to it`);
      if (!moving) throw Invalid(`"${from}" is a folder; give from_path and a new path to move it`);
      for (const e of await entriesUnder(git, dir, base!, from)) {
        const to = target + e.path.slice(from.length);
        checkEditPath(to, { creating: true, field: 'path' });
        lines.push({ path: e.path, mode: e.mode, object: null });
        lines.push({ path: to, mode: e.mode, object: e.sha });
      }
      removedTrees.push(from);
      continue;
    }
    if (op.content !== undefined && source.mode === SYMLINK) throw Invalid(`"${from}" is a symlink; symlinks can't be edited in the browser`);
    if (moving) lines.push({ path: from, mode: source.mode, object: null });
    const line: IndexLine = { path: target, mode: source.mode === EXEC || source.mode === SYMLINK ? source.mode : FILE, object: op.content ?? source.sha };
    lines.push(line);
    written.push({ line, content: op.content ?? null });
  }
  // within the change set: nothing is added inside a file the same change adds
  const added = new Set(lines.filter((l) => l.object !== null).map((l) => l.path));
  for (const p of added) {
    const inside = parentsOf(p).find((q) => added.has(q));
    if (inside !== undefined) throw Invalid(`"${p}" would be inside "${inside}", which this change makes a file`);
  }
  const tree = await writeTreeFrom(git, dir, base, lines);
  // hashing put each new blob's id in its line
  return { tree, written: written.map(({ line, content }) => ({ path: line.path, mode: line.mode, sha: line.object as string, size: content ? content.length : null, content })) };
}

/** The base tree with the lines applied, through a temporary index; objects written loose. */
async function writeTreeFrom(git: GitEnv, dir: string, base: string | null, lines: IndexLine[]): Promise<string> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'gitssy-edit-'));
  const env = { GIT_INDEX_FILE: path.join(scratch, 'index') };
  try {
    const toHash = lines.filter((l): l is IndexLine & { object: Buffer } => Buffer.isBuffer(l.object));
    const shas = await hashAll(
      git,
      dir,
      scratch,
      toHash.map((l) => l.object),
    );
    toHash.forEach((l, i) => ((l as IndexLine).object = shas[i]!));
    await runGit(git, base ? ['--git-dir', dir, 'read-tree', userArg(`${base}^{tree}`)] : ['--git-dir', dir, 'read-tree', '--empty'], { env });
    // removals first, so a file may replace a folder it removes (and the reverse) in one change;
    // paths go in on stdin, never on git's command line
    const ordered = [...lines.filter((l) => l.object === null), ...lines.filter((l) => l.object !== null)];
    const input = ordered.map((l) => (l.object === null ? `0 ${ZERO_SHA}\t${l.path}\0` : `${l.mode} ${l.object as string}\t${l.path}\0`)).join('');
    await runGit(git, ['--git-dir', dir, 'update-index', '-z', '--index-info'], { env, input });
    return (await runGit(git, ['--git-dir', dir, 'write-tree'], { env })).stdout.toString().trim();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** From this many new files on, they go into one pack (git's own receive/fast-import unpackLimit). */
const PACK_FROM = 100;

/**
 * Blob ids of the contents, written into the repository: a few as loose objects (one
 * `hash-object -w --stdin-paths`, as `git add` writes them), many as one pack (`fast-import`,
 * as a push of that size is kept), so an upload of hundreds of files costs one pack, not
 * hundreds of files.
 */
async function hashAll(git: GitEnv, dir: string, scratch: string, contents: Buffer[]): Promise<string[]> {
  if (contents.length === 0) return [];
  if (contents.length >= PACK_FROM) return packAll(git, dir, contents);
  const files = contents.map((_, i) => path.join(scratch, `blob-${i}`));
  await Promise.all(contents.map((c, i) => writeFile(files[i]!, c)));
  const r = await runGit(git, ['--git-dir', dir, 'hash-object', '-w', '--no-filters', '--stdin-paths'], { input: files.join('\n') + '\n' });
  return idsOf(r.stdout, contents.length, 'hash-object');
}

/** `git fast-import` of blobs only (no commit, no ref): each one's id back through `get-mark`. */
async function packAll(git: GitEnv, dir: string, contents: Buffer[]): Promise<string[]> {
  const parts: Buffer[] = [Buffer.from('feature done\n')];
  contents.forEach((c, i) => parts.push(Buffer.from(`blob\nmark :${i + 1}\ndata ${c.length}\n`), c, Buffer.from('\n')));
  contents.forEach((_, i) => parts.push(Buffer.from(`get-mark :${i + 1}\n`)));
  parts.push(Buffer.from('done\n'));
  const r = await runGit(git, ['--git-dir', dir, '-c', `fastimport.unpackLimit=${PACK_FROM}`, 'fast-import', '--quiet', '--cat-blob-fd=1'], {
    input: Buffer.concat(parts),
    timeoutMs: 10 * 60_000,
  });
  return idsOf(r.stdout, contents.length, 'fast-import');
}

function idsOf(stdout: Buffer, n: number, what: string): string[] {
  const ids = stdout.toString().trim().split('\n');
  if (ids.length !== n || !ids.every((id) => /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(id))) throw new Error(`git ${what} returned ${ids.length} ids for ${n} files`);
  return ids;
}

/**
 * A path (file or folder) put back the way it was in `source`: everything under it now is
 * removed, everything under it then is added. Absent in `source`: the path is removed.
 */
export async function restoreTree(git: GitEnv, reader: TreeReader, base: string, source: string, target: string): Promise<string> {
  const dir = reader.repo.dir;
  checkEditPath(target, { creating: false });
  const here = await entriesAt(reader, base, [target, ...parentsOf(target)]);
  for (const parent of parentsOf(target)) {
    const e = here.get(parent);
    if (e && e.type !== 'tree') throw Invalid(`"${target}" can't be restored: "${parent}" is ${describe(e)} on this branch now`);
  }
  const then = await entriesAt(reader, source, [target]);
  const now = here.get(target);
  const was = then.get(target);
  if (!now && !was) throw NotFound(`"${target}" exists neither on this branch nor in that commit`);
  const lines: IndexLine[] = [];
  if (now) for (const e of now.type === 'tree' ? await entriesUnder(git, dir, base, target) : [now]) lines.push({ path: e.path, mode: e.mode, object: null });
  if (was) for (const e of was.type === 'tree' ? await entriesUnder(git, dir, source, target) : [was]) lines.push({ path: e.path, mode: e.mode, object: e.sha });
  return writeTreeFrom(git, dir, base, lines);
}
