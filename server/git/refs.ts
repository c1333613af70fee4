// Refs: listing branches and tags, and turning what a caller typed (a branch, a tag, a commit
// id) into a commit, in Gitea's order: branch, then tag, then commit id. Revisions are checked
// before git sees them, so nothing like `main:secret`, `HEAD@{1}` or `--output=x` gets through.
import { branchNameProblem } from '../lib/names.js';
import { Invalid } from '../lib/errors.js';
import { runGit } from './command.js';
import type { GitReadContext } from './read-context.js';
import type { GitRepo } from './cat-file-pool.js';

export type RefKind = 'branch' | 'tag' | 'commit';

export interface ResolvedRef {
  /** What the caller asked for (a branch or tag name, or a commit id). */
  name: string;
  kind: RefKind;
  /** The commit it points at (annotated tags peeled). */
  commit: string;
}

export interface RefEntry {
  /** Short name: `main`, `release/1.0`, `v1.0`. */
  name: string;
  /** What the ref points at (a tag object for annotated tags). */
  sha: string;
  type: string;
  /** For annotated tags: the object the tag points at, fully peeled. */
  peeled: string | null;
}

export const HEX_RE = /^[0-9a-f]{4,64}$/;
export const FULL_SHA_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Why a branch name, tag name or commit id can't be a revision, or null if it can. */
export function revisionProblem(rev: string): string | null {
  if (HEX_RE.test(rev)) return null;
  return branchNameProblem(rev) ?? (rev.split('/').some((c) => c.startsWith('-') || c.startsWith('.')) ? "may not have components starting with '-' or '.'" : null);
}

export function assertRevision(rev: string): void {
  const problem = revisionProblem(rev);
  if (problem) throw Invalid(`invalid ref ${JSON.stringify(rev.slice(0, 100))}: ${problem}`);
}

/** Resolves a branch, tag or commit id to a commit in one round trip; null if it names none. */
export async function resolveRevision(ctx: GitReadContext, repo: GitRepo, rev: string): Promise<ResolvedRef | null> {
  assertRevision(rev);
  // a branch wins over a tag or an id, so a branch tip read from the files is the answer
  const tip = ctx.branches?.tip(repo.dir, rev);
  if (tip) return { name: rev, kind: 'branch', commit: tip };
  const found = await ctx.pool.use(repo, (cat) =>
    Promise.all([cat.info(`refs/heads/${rev}^{commit}`), cat.info(`refs/tags/${rev}^{commit}`), HEX_RE.test(rev) ? cat.info(`${rev}^{commit}`) : Promise.resolve(null)]),
  );
  const kinds: RefKind[] = ['branch', 'tag', 'commit'];
  for (let i = 0; i < kinds.length; i++) {
    const info = found[i];
    if (info?.type === 'commit') {
      if (i === 0) ctx.branches?.noteCommit(repo.dir, info.sha);
      return { name: rev, kind: kinds[i]!, commit: info.sha };
    }
  }
  return null;
}

/**
 * Splits `a/b/c/d` into a ref and a path the way Gitea's `/src/branch/...` URLs are read: the
 * first prefix that is a branch (git can't have both `a` and `a/b` as branches), else a tag,
 * else a commit id as the first segment. `kind` restricts the lookup.
 */
export async function resolveRefPrefix(ctx: GitReadContext, repo: GitRepo, segments: string[], kind?: RefKind): Promise<{ ref: ResolvedRef; rest: string[] } | null> {
  const prefixes: string[] = [];
  for (let i = 1; i <= Math.min(segments.length, 32); i++) {
    const p = segments.slice(0, i).join('/');
    if (revisionProblem(p) === null) prefixes.push(p);
  }
  if (prefixes.length === 0) return null;
  // git can't have both `a` and `a/b` as branches: a branch tip read from the files is the answer
  if (ctx.branches && (!kind || kind === 'branch')) {
    for (let n = 1; n <= Math.min(segments.length, 32); n++) {
      const p = segments.slice(0, n).join('/');
      const tip = revisionProblem(p) === null ? ctx.branches.tip(repo.dir, p) : undefined;
      if (tip) return { ref: { name: p, kind: 'branch', commit: tip }, rest: segments.slice(n) };
    }
  }
  const lookups = await ctx.pool.use(repo, (cat) =>
    Promise.all(prefixes.map((p) => Promise.all([kind && kind !== 'branch' ? null : cat.info(`refs/heads/${p}^{commit}`), kind && kind !== 'tag' ? null : cat.info(`refs/tags/${p}^{commit}`)]))),
  );
  for (const which of [0, 1] as const) {
    for (let i = 0; i < prefixes.length; i++) {
      const info = lookups[i]![which];
      if (info?.type === 'commit' && which === 0) ctx.branches?.noteCommit(repo.dir, info.sha);
      if (info?.type === 'commit') return { ref: { name: prefixes[i]!, kind: which === 0 ? 'branch' : 'tag', commit: info.sha }, rest: segments.slice(i + 1) };
    }
  }
  if ((!kind || kind === 'commit') && segments[0] && HEX_RE.test(segments[0])) {
    const info = await ctx.pool.use(repo, (cat) => cat.info(`${segments[0]}^{commit}`));
    if (info?.type === 'commit') return { ref: { name: segments[0], kind: 'commit', commit: info.sha }, rest: segments.slice(1) };
  }
  return null;
}

async function forEachRef(ctx: GitReadContext, repo: GitRepo, args: string[]): Promise<RefEntry[]> {
  const { stdout } = await runGit(ctx.env, ['--git-dir', repo.dir, 'for-each-ref', '--format=%(refname)%00%(objectname)%00%(objecttype)%00%(*objectname)', ...args], {
    maxOutputBytes: 256 * 1024 * 1024,
    timeoutMs: 60_000,
  });
  const out: RefEntry[] = [];
  for (const line of stdout.toString('utf8').split('\n')) {
    if (!line) continue;
    const [ref, sha, type, peeled] = line.split('\0');
    const short = ref!.replace(/^refs\/(heads|tags)\//, '');
    out.push({ name: short, sha: sha!, type: type!, peeled: peeled || null });
  }
  return out;
}

/** Branches in name order, with the commit each points at. */
export function listBranches(ctx: GitReadContext, repo: GitRepo): Promise<RefEntry[]> {
  return forEachRef(ctx, repo, ['refs/heads/']);
}

/** Tags, newest first (by tagger date, or commit date for lightweight tags). */
export function listTags(ctx: GitReadContext, repo: GitRepo): Promise<RefEntry[]> {
  return forEachRef(ctx, repo, ['--sort=-creatordate', 'refs/tags/']);
}
