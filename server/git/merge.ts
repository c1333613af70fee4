// The merge engine for pull requests: merge, squash, rebase and fast-forward computed with git
// plumbing alone (`merge-tree --write-tree`, `commit-tree`, `hash-object`) on the bare repository.
// It writes objects and returns shas; it never touches a ref, a worktree or an index — the
// caller moves the branch through the one compare-and-swap ref path.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../lib/errors.js';
import { GitError, runGit, spawnGit, userArg, type GitArg, type GitChild, type GitEnv } from './command.js';

export interface Signature {
  name: string;
  email: string;
  /** unix seconds */
  when: number;
  /** e.g. '+0000' */
  tz?: string;
}

export interface MergeCheck {
  clean: boolean;
  /** the merged tree when clean */
  tree: string | null;
  /** conflicted paths, sorted, unique (for rename/rename etc. every path git names) */
  conflicts: string[];
  /** The two sides share no history: git refuses to merge them (clean is false, conflicts empty). */
  unrelated?: true;
}

export class MergeUnsupportedError extends Error {
  override name = 'MergeUnsupportedError';
}

export type MergeStyle = 'merge' | 'squash' | 'rebase' | 'fast-forward-only';

export type MergeResult =
  | { ok: true; sha: string; /** commits created (rebase: one per replayed commit) */ created: number }
  | { ok: false; reason: 'conflict'; conflicts: string[]; /** rebase: the commit that did not apply */ commit?: string }
  | { ok: false; reason: 'not-fast-forward' }
  /** head is already contained in base (squash: or merging it would change nothing) */
  | { ok: false; reason: 'up-to-date' }
  /** base and head share no history; nothing is merged (as GitHub and Gitea refuse too) */
  | { ok: false; reason: 'unrelated' };

/**
 * How mergeTreesWithBase reaches git: `--merge-base` (git 2.40+), or synthetic commits whose
 * computed merge base has the wanted tree (any git 2.38+). 'auto' picks by version; tests
 * force 'synthetic' so that path runs on every git.
 */
export type MergeBaseVia = 'auto' | 'merge-base-option' | 'synthetic';

const SHA_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const TZ_RE = /^[+-]\d{4}$/;
/** Identity and date of the throwaway commits that steer git's merge base: fixed, so reruns reuse them. */
const SYNTHETIC: Signature = { name: 'Gitssy', email: 'gitssy@localhost', when: 0, tz: '+0000' };
const MERGE_TIMEOUT_MS = 10 * 60_000;

function assertSha(value: string, what: string): void {
  if (typeof value !== 'string' || !SHA_RE.test(value)) {
    throw new AppError('invalid', `${what} must be a full object id (40 or 64 lowercase hex digits), got ${JSON.stringify(String(value).slice(0, 80))}`);
  }
}

function assertSignature(sig: Signature, what: string): void {
  for (const [k, v] of [
    ['name', sig.name],
    ['email', sig.email],
  ] as const) {
    if (typeof v !== 'string' || /[\0\n<>]/.test(v)) throw new AppError('invalid', `${what} ${k} may not contain NUL, newlines or angle brackets`);
  }
  if (!Number.isSafeInteger(sig.when)) throw new AppError('invalid', `${what} time must be whole unix seconds`);
  if (sig.tz !== undefined && !TZ_RE.test(sig.tz)) throw new AppError('invalid', `${what} time zone must look like +0000`);
}

// ---------------------------------------------------------------------------------------------
// Version

const versions = new WeakMap<GitEnv, Promise<[number, number, number]>>();

/** The git binary's version, asked once per GitEnv. */
export function gitVersion(git: GitEnv): Promise<[number, number, number]> {
  let v = versions.get(git);
  if (!v) {
    v = runGit(git, ['version']).then(({ stdout }) => {
      const m = /git version (\d+)\.(\d+)(?:\.(\d+))?/.exec(stdout.toString('utf8'));
      if (!m) throw new Error(`cannot read the git version from ${JSON.stringify(stdout.toString('utf8').trim())}`);
      return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] as [number, number, number];
    });
    v.catch(() => versions.delete(git));
    versions.set(git, v);
  }
  return v;
}

function atLeast(v: readonly [number, number, number], major: number, minor: number): boolean {
  return v[0] > major || (v[0] === major && v[1] >= minor);
}

/** git 2.38 brought `merge-tree --write-tree`; without it there is no merge on a bare repo. */
export function assertMergeVersion(v: readonly [number, number, number]): void {
  if (!atLeast(v, 2, 38)) throw new MergeUnsupportedError(`git ${v[0]}.${v[1]} cannot compute merges without a worktree; Gitssy needs git 2.38 or newer`);
}

async function assertMergeSupported(git: GitEnv): Promise<[number, number, number]> {
  const v = await gitVersion(git);
  assertMergeVersion(v);
  return v;
}

// ---------------------------------------------------------------------------------------------
// merge-tree

/**
 * Reads `merge-tree --write-tree -z --name-only --messages` output: the tree, NUL; the
 * conflicted paths, each NUL-terminated, up to an empty token; then messages as
 * `<n>NUL<path>NUL…<type>NUL<text>NUL`. Exit 0 is clean, 1 is conflicted, anything else throws.
 * Paths named by CONFLICT messages are counted too (a rename/rename names its source).
 */
export function parseMergeTreeOutput(buf: Buffer, exitCode: number): MergeCheck {
  if (exitCode !== 0 && exitCode !== 1) throw new Error(`git merge-tree failed with exit code ${exitCode}`);
  const tokens = buf.toString('utf8').split('\0');
  const tree = tokens[0] ?? '';
  if (!SHA_RE.test(tree)) throw new Error(`git merge-tree printed no tree id: ${JSON.stringify(buf.subarray(0, 80).toString('utf8'))}`);
  if (exitCode === 0) return { clean: true, tree, conflicts: [] };
  const conflicts = new Set<string>();
  let i = 1;
  for (; i < tokens.length && tokens[i] !== ''; i++) conflicts.add(tokens[i]!);
  i++; // the empty token between conflicted paths and messages
  while (i < tokens.length) {
    const countToken = tokens[i]!;
    if (!/^\d+$/.test(countToken)) break; // the trailing empty token, or a format we don't know
    const n = Number(countToken);
    const paths = tokens.slice(i + 1, i + 1 + n);
    const type = tokens[i + 1 + n];
    if (paths.length !== n || type === undefined) break;
    if (type.startsWith('CONFLICT')) for (const p of paths) conflicts.add(p);
    i += n + 3; // count, paths, type, text
  }
  return { clean: false, tree: null, conflicts: [...conflicts].sort(byBytes) };
}

function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

async function runMergeTree(git: GitEnv, dir: string, extra: GitArg[], ours: string, theirs: string): Promise<MergeCheck> {
  try {
    // exit 1: the merge has conflicts, an answer like 0
    const r = await runGit(git, ['--git-dir', dir, 'merge-tree', '--write-tree', '-z', '--name-only', '--messages', ...extra, '--end-of-options', userArg(ours), userArg(theirs)], {
      timeoutMs: MERGE_TIMEOUT_MS,
      okExitCodes: [1],
    });
    return parseMergeTreeOutput(r.stdout, r.code);
  } catch (err) {
    if (err instanceof GitError && err.failure === 'exit' && /unrelated histories/.test(err.stderr)) return { clean: false, tree: null, conflicts: [], unrelated: true };
    throw err;
  }
}

/** `git merge-tree --write-tree` of ours and theirs (merge base computed by git). */
export async function mergeTrees(git: GitEnv, dir: string, ours: string, theirs: string): Promise<MergeCheck> {
  assertSha(ours, 'ours');
  assertSha(theirs, 'theirs');
  await assertMergeSupported(git);
  return runMergeTree(git, dir, [], ours, theirs);
}

/**
 * Same with an explicit merge base (cherry-pick): uses --merge-base on git >= 2.40; on 2.38/2.39
 * builds parentless/synthetic commits so that git's computed merge base has the wanted tree
 * (base' = commit-tree base^{tree}; ours' = commit-tree ours^{tree} -p base'; theirs' likewise)
 * and merges those. On the synthetic path any of the three may also be a tree (the rebase
 * passes the empty tree as base for a root commit). The synthetic commits are fixed (identity,
 * date), so asking again reuses them; like the trees merge-tree writes, they stay unreachable
 * until gc prunes them.
 */
export async function mergeTreesWithBase(git: GitEnv, dir: string, base: string, ours: string, theirs: string, opts: { via?: MergeBaseVia } = {}): Promise<MergeCheck> {
  assertSha(base, 'base');
  assertSha(ours, 'ours');
  assertSha(theirs, 'theirs');
  const v = await assertMergeSupported(git);
  const via = opts.via ?? 'auto';
  if (via === 'merge-base-option' && !atLeast(v, 2, 40)) throw new Error(`git ${v[0]}.${v[1]} has no merge-tree --merge-base (git 2.40 or newer)`);
  if (via === 'merge-base-option' || (via === 'auto' && atLeast(v, 2, 40))) {
    return runMergeTree(git, dir, ['--merge-base', userArg(base)], ours, theirs);
  }
  const baseC = await writeCommit(git, dir, `${base}^{tree}`, [], 'gitssy: synthetic merge base\n', SYNTHETIC, SYNTHETIC);
  const [oursC, theirsC] = await Promise.all([
    writeCommit(git, dir, `${ours}^{tree}`, [baseC], 'gitssy: synthetic ours\n', SYNTHETIC, SYNTHETIC),
    writeCommit(git, dir, `${theirs}^{tree}`, [baseC], 'gitssy: synthetic theirs\n', SYNTHETIC, SYNTHETIC),
  ]);
  return runMergeTree(git, dir, [], oursC, theirsC);
}

// ---------------------------------------------------------------------------------------------
// Commits and ancestry

function sigDate(sig: Signature): string {
  return `@${sig.when} ${sig.tz ?? '+0000'}`;
}

/** commit-tree with the message on stdin (bytes kept exactly); tree may be `<sha>^{tree}`. */
async function writeCommit(git: GitEnv, dir: string, tree: string, parents: string[], message: string, author: Signature, committer: Signature): Promise<string> {
  const args: GitArg[] = ['--git-dir', dir, 'commit-tree', '--no-gpg-sign'];
  for (const p of parents) args.push('-p', userArg(p));
  // commit-tree (2.39) does not take --end-of-options; the tree is a checked id, never an option
  args.push(userArg(tree));
  const { stdout } = await runGit(git, args, {
    input: message,
    timeoutMs: 60_000,
    env: {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_AUTHOR_DATE: sigDate(author),
      GIT_COMMITTER_NAME: committer.name,
      GIT_COMMITTER_EMAIL: committer.email,
      GIT_COMMITTER_DATE: sigDate(committer),
    },
  });
  const sha = stdout.toString('utf8').trim();
  if (!SHA_RE.test(sha)) throw new Error(`git commit-tree printed ${JSON.stringify(sha.slice(0, 80))}`);
  return sha;
}

/** Writes a commit object (GIT_AUTHOR_* / GIT_COMMITTER_* env, message on stdin exactly as given). */
export async function commitTree(git: GitEnv, dir: string, tree: string, parents: string[], message: string, author: Signature, committer: Signature): Promise<string> {
  assertSha(tree, 'tree');
  parents.forEach((p) => assertSha(p, 'parent'));
  assertSignature(author, 'author');
  assertSignature(committer, 'committer');
  return writeCommit(git, dir, tree, parents, message, author, committer);
}

export async function isAncestor(git: GitEnv, dir: string, ancestor: string, descendant: string): Promise<boolean> {
  assertSha(ancestor, 'ancestor');
  assertSha(descendant, 'descendant');
  const r = await runGit(git, ['--git-dir', dir, 'merge-base', '--is-ancestor', '--end-of-options', userArg(ancestor), userArg(descendant)], { okExitCodes: [1] });
  return r.code === 0;
}

/** The best common ancestor of a and b, or null when they share no history. */
export async function mergeBase(git: GitEnv, dir: string, a: string, b: string): Promise<string | null> {
  assertSha(a, 'a');
  assertSha(b, 'b');
  const r = await runGit(git, ['--git-dir', dir, 'merge-base', '--end-of-options', userArg(a), userArg(b)], { okExitCodes: [1] });
  const out = r.stdout.toString('utf8').trim();
  if (r.code === 1 && out === '') return null;
  if (r.code !== 0 || !SHA_RE.test(out)) throw new GitError(['merge-base', a, b], 'exit', r.code, r.stderr);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rebase: commits read up front, written through one long-lived hash-object

interface RawCommit {
  sha: string;
  tree: string;
  parents: string[];
  /** The author header's value, byte for byte (name, email, date, zone). */
  author: Buffer;
  /** The encoding header's value, if any, byte for byte. */
  encoding: Buffer | null;
  /** The message bytes after the header's blank line, untouched. */
  message: Buffer;
}

function parseRawCommit(sha: string, data: Buffer): RawCommit {
  const end = data.indexOf('\n\n');
  const head = end < 0 ? data : data.subarray(0, end);
  const c: RawCommit = { sha, tree: '', parents: [], author: Buffer.alloc(0), encoding: null, message: end < 0 ? Buffer.alloc(0) : data.subarray(end + 2) };
  let off = 0;
  while (off < head.length) {
    let nl = head.indexOf(0x0a, off);
    if (nl < 0) nl = head.length;
    const line = head.subarray(off, nl);
    off = nl + 1;
    if (line[0] === 0x20) continue; // continuation of a multi-line header (gpgsig, mergetag)
    const sp = line.indexOf(0x20);
    if (sp < 0) continue;
    const key = line.toString('latin1', 0, sp);
    const value = line.subarray(sp + 1);
    if (key === 'tree') c.tree = value.toString('latin1');
    else if (key === 'parent') c.parents.push(value.toString('latin1'));
    else if (key === 'author') c.author = value;
    else if (key === 'encoding') c.encoding = value;
  }
  if (!SHA_RE.test(c.tree)) throw new Error(`commit ${sha} has no tree`);
  return c;
}

/** All the commits in one `cat-file --batch` call, in the order asked. */
async function readCommits(git: GitEnv, dir: string, shas: string[]): Promise<Map<string, RawCommit>> {
  const out = new Map<string, RawCommit>();
  if (!shas.length) return out;
  const { stdout } = await runGit(git, ['--git-dir', dir, 'cat-file', '--batch'], { input: shas.join('\n') + '\n', timeoutMs: MERGE_TIMEOUT_MS, maxOutputBytes: 256 * 1024 * 1024 });
  let off = 0;
  for (const want of shas) {
    const nl = stdout.indexOf(0x0a, off);
    if (nl < 0) throw new Error('git cat-file --batch: truncated output');
    const header = stdout.toString('latin1', off, nl);
    const m = /^(\S+) (\S+) (\d+)$/.exec(header);
    if (!m || m[1] !== want || m[2] !== 'commit') throw new Error(`git cat-file --batch: ${want} is not a commit (${header})`);
    const size = Number(m[3]);
    out.set(want, parseRawCommit(want, stdout.subarray(nl + 1, nl + 1 + size)));
    off = nl + 1 + size + 1;
  }
  return out;
}

/** A commit object's bytes, headers in the order commit-tree writes them. */
function commitObject(tree: string, parents: string[], author: Buffer | string, committer: string, encoding: Buffer | null, message: Buffer | string): Buffer {
  const parts: (Buffer | string)[] = [`tree ${tree}\n`, ...parents.map((p) => `parent ${p}\n`), 'author ', author, `\ncommitter ${committer}\n`];
  if (encoding) parts.push('encoding ', encoding, '\n');
  parts.push('\n', message);
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
}

/**
 * Writes many commit objects through one `git hash-object -w -t commit --stdin-paths` (git
 * checks each one's format and answers with its id, a line per path), so a long rebase costs
 * one merge-tree per commit instead of extra processes. The objects pass through a private
 * temp dir, removed on close.
 */
class CommitWriter {
  private readonly waiting: { resolve(sha: string): void; reject(err: Error): void }[] = [];
  private out = '';
  private err = '';
  private failure: Error | null = null;
  private n = 0;
  private readonly closed: Promise<void>;

  private constructor(
    private readonly g: GitChild,
    private readonly tmp: string,
  ) {
    g.child.stdout!.setEncoding('latin1');
    g.child.stdout!.on('data', (chunk: string) => {
      this.out += chunk;
      for (let nl = this.out.indexOf('\n'); nl >= 0; nl = this.out.indexOf('\n')) {
        const line = this.out.slice(0, nl);
        this.out = this.out.slice(nl + 1);
        const w = this.waiting.shift();
        if (!w || !SHA_RE.test(line)) this.fail(new GitError(g.argv, 'exit', null, `unexpected output ${JSON.stringify(line.slice(0, 80))}`));
        else w.resolve(line);
      }
    });
    g.child.stderr!.on('data', (chunk: Buffer) => {
      if (this.err.length < 16_384) this.err += chunk.toString('utf8');
    });
    g.child.once('error', (e) => this.fail(new GitError(g.argv, 'spawn', null, e.message)));
    this.closed = new Promise((resolve) => {
      g.child.once('close', (code) => {
        this.fail(new GitError(g.argv, g.killedFor() ?? 'exit', code, this.err || 'hash-object exited'));
        resolve();
      });
    });
  }

  static async open(git: GitEnv, dir: string): Promise<CommitWriter> {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'gitssy-commits-'));
    return new CommitWriter(spawnGit(git, ['--git-dir', dir, 'hash-object', '-w', '-t', 'commit', '--stdin-paths'], { timeoutMs: MERGE_TIMEOUT_MS }), tmp);
  }

  async write(object: Buffer): Promise<string> {
    const file = path.join(this.tmp, String(this.n++));
    await writeFile(file, object);
    if (this.failure) throw this.failure;
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.g.child.stdin!.write(`${file}\n`);
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
    this.g.kill('exit');
  }

  async close(): Promise<void> {
    this.g.child.stdin!.end();
    await this.closed;
    await rm(this.tmp, { recursive: true, force: true });
  }
}

/** The committer exactly as commit-tree would write it (git trims and checks the identity). */
async function committerIdent(git: GitEnv, dir: string, sig: Signature): Promise<string> {
  const { stdout } = await runGit(git, ['--git-dir', dir, 'var', 'GIT_COMMITTER_IDENT'], {
    env: { GIT_COMMITTER_NAME: sig.name, GIT_COMMITTER_EMAIL: sig.email, GIT_COMMITTER_DATE: sigDate(sig) },
  });
  return stdout.toString('utf8').replace(/\n$/, '');
}

async function emptyTree(git: GitEnv, dir: string): Promise<string> {
  const { stdout } = await runGit(git, ['--git-dir', dir, 'hash-object', '-t', 'tree', '-w', '--stdin'], { input: '' });
  return stdout.toString('utf8').trim();
}

async function treeOf(git: GitEnv, dir: string, commit: string): Promise<string> {
  const { stdout } = await runGit(git, ['--git-dir', dir, 'rev-parse', '--verify', '--end-of-options', userArg(`${commit}^{tree}`)]);
  return stdout.toString('utf8').trim();
}

const SYNTHETIC_IDENT = `${SYNTHETIC.name} <${SYNTHETIC.email}> 0 +0000`;

/**
 * Replays base..head (no merges, oldest first) onto base. Up front: one rev-list, one cat-file
 * read of every commit and parent, one `git var`; then per commit one merge-tree process, the
 * commits themselves going through the one CommitWriter. On git 2.40+ the merge takes
 * `--merge-base=<parent>`; before, a synthetic commit — the tip's tree as a child of the
 * parent — has exactly that parent as its one best common ancestor with the commit (which is
 * not reachable from the tip). Commits that become empty are dropped; commits that were empty
 * to begin with are kept, as `git rebase` does by default. Author line, encoding and message
 * bytes are copied; the committer is replaced.
 */
async function rebase(git: GitEnv, dir: string, base: string, head: string, committer: Signature, onProgress?: (done: number, total: number) => void): Promise<MergeResult> {
  const v = await assertMergeSupported(git);
  const useOption = atLeast(v, 2, 40);
  // --parents: so the one cat-file read below can include the parents' trees too
  const { stdout } = await runGit(git, ['--git-dir', dir, 'rev-list', '--reverse', '--topo-order', '--no-merges', '--parents', '--end-of-options', userArg(`${base}..${head}`)], {
    timeoutMs: MERGE_TIMEOUT_MS,
    maxOutputBytes: 256 * 1024 * 1024,
  });
  const todo: string[] = [];
  const wanted = new Set<string>([base]);
  for (const line of stdout.toString('utf8').split('\n')) {
    if (!line) continue;
    const [sha, ...parents] = line.split(' ');
    todo.push(sha!);
    wanted.add(sha!);
    for (const p of parents) wanted.add(p);
  }
  const [commits, ident] = await Promise.all([readCommits(git, dir, [...wanted]), committerIdent(git, dir, committer)]);

  const writer = await CommitWriter.open(git, dir);
  try {
    let tip = base;
    let tipTree = commits.get(base)!.tree;
    let created = 0;
    let empty: string | null = null;
    for (let i = 0; i < todo.length; i++) {
      const c = commits.get(todo[i]!)!;
      const parent = c.parents[0];
      let check: MergeCheck;
      let parentTree: string;
      if (parent !== undefined && commits.get(parent)!.tree === tipTree) {
        // the tip has exactly the parent's content (a branch already on its base, or every step
        // since it was): the cherry-pick is the commit's own tree, no merge to compute
        parentTree = tipTree;
        check = { clean: true, tree: c.tree, conflicts: [] };
      } else if (parent === undefined) {
        // a root commit (an unrelated history joined by a merge): its changes are against nothing
        empty ??= await emptyTree(git, dir);
        parentTree = empty;
        check = await mergeTreesWithBase(git, dir, empty, tipTree, c.sha, { via: 'synthetic' });
      } else if (useOption) {
        parentTree = commits.get(parent)!.tree;
        check = await runMergeTree(git, dir, ['--merge-base', userArg(parent)], tip, c.sha);
      } else {
        parentTree = commits.get(parent)!.tree;
        const steer = await writer.write(commitObject(tipTree, [parent], SYNTHETIC_IDENT, SYNTHETIC_IDENT, null, 'gitssy: synthetic cherry-pick base\n'));
        check = await runMergeTree(git, dir, [], steer, c.sha);
      }
      if (!check.clean || !check.tree) return { ok: false, reason: 'conflict', conflicts: check.conflicts, commit: c.sha };
      const wasEmpty = c.tree === parentTree;
      if (check.tree !== tipTree || wasEmpty) {
        tip = await writer.write(commitObject(check.tree, [tip], c.author, ident, c.encoding, c.message));
        tipTree = check.tree;
        created++;
      }
      onProgress?.(i + 1, todo.length);
    }
    return { ok: true, sha: tip, created };
  } finally {
    await writer.close();
  }
}

function withNewline(message: string): string {
  return message.endsWith('\n') ? message : `${message}\n`;
}

/**
 * Computes the new tip of base for merging head into base. base and head are commit shas.
 * Whatever the style: head already in base → 'up-to-date'; no common history → 'unrelated'.
 * 'merge' always writes a merge commit [base, head] (no fast-forward), author = committer =
 * the author param; 'squash' one commit on base (author and committer as given), and
 * 'up-to-date' when the squash would change nothing; 'rebase' replays every commit
 * (original author, date and message bytes; committer replaced), even when base is an
 * ancestor of head; 'fast-forward-only' returns head itself. The message gets a final newline.
 */
export async function performMerge(
  git: GitEnv,
  dir: string,
  opts: { style: MergeStyle; base: string; head: string; message: string; author: Signature; committer: Signature; onProgress?: (done: number, total: number) => void },
): Promise<MergeResult> {
  const { style, base, head } = opts;
  assertSha(base, 'base');
  assertSha(head, 'head');
  if (!['merge', 'squash', 'rebase', 'fast-forward-only'].includes(style)) throw new AppError('invalid', `unknown merge style ${JSON.stringify(style)}`);
  assertSignature(opts.author, 'author');
  assertSignature(opts.committer, 'committer');

  // one merge-base answers "already merged", "fast-forward possible" and "unrelated"
  const mb = await mergeBase(git, dir, base, head);
  if (mb === null) return { ok: false, reason: 'unrelated' };
  if (mb === head) return { ok: false, reason: 'up-to-date' };
  if (style === 'fast-forward-only') return mb === base ? { ok: true, sha: head, created: 0 } : { ok: false, reason: 'not-fast-forward' };
  if (style === 'rebase') return rebase(git, dir, base, head, opts.committer, opts.onProgress);

  const check = await mergeTrees(git, dir, base, head);
  if (check.unrelated) return { ok: false, reason: 'unrelated' };
  if (!check.clean || !check.tree) return { ok: false, reason: 'conflict', conflicts: check.conflicts };
  const message = withNewline(opts.message);
  if (style === 'merge') {
    const sha = await writeCommit(git, dir, check.tree, [base, head], message, opts.author, opts.author);
    return { ok: true, sha, created: 1 };
  }
  if (check.tree === (await treeOf(git, dir, base))) return { ok: false, reason: 'up-to-date' };
  const sha = await writeCommit(git, dir, check.tree, [base], message, opts.author, opts.committer);
  return { ok: true, sha, created: 1 };
}
