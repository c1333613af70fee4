// A commit's changes against its first parent (or against nothing, for a root commit): the
// complete file list with line counts from `diff-tree --raw --numstat -M`, and a unified patch
// per file from a second, capped `diff-tree -p` stream. Also the raw `.diff`/`.patch` streams.
import { runGit, spawnGit, userArg, type GitArg, type GitChild } from './command.js';
import type { GitRepo } from './cat-file-pool.js';
import { parseRawNumstat, PatchCollector, quoteGitPath, type PatchLimits, type RawChange } from './diff-parse.js';
import type { Commit } from './objects.js';
import type { GitReadContext } from './read-context.js';

export interface DiffLimits extends PatchLimits {
  /** Files listed at most (the counts still cover every file). */
  maxListed: number;
}

export const DEFAULT_DIFF_LIMITS: DiffLimits = { maxFiles: 300, maxLinesPerFile: 3000, maxBytes: 8 * 1024 * 1024, maxListed: 3000 };

export interface FileDiff extends RawChange {
  /** Unified patch of this file (headers included); null when past the file cap. */
  patch: string | null;
  /** The patch was cut short (line or byte cap), or left out entirely. */
  patchTruncated: boolean;
}

export interface CommitDiff {
  files: FileDiff[];
  totalFiles: number;
  additions: number;
  deletions: number;
  /** Some files are not listed, or some patches are missing or cut. */
  truncated: boolean;
}

/** diff-tree arguments comparing a commit with its first parent, or a root commit with nothing. */
function range(commit: Commit): GitArg[] {
  return commit.parents[0] ? [userArg(commit.parents[0]), userArg(commit.sha)] : ['--root', userArg(commit.sha)];
}

export async function commitDiff(ctx: GitReadContext, repo: GitRepo, commit: Commit, limits: DiffLimits = DEFAULT_DIFF_LIMITS): Promise<CommitDiff> {
  return diffOf(ctx, repo, range(commit), limits);
}

/**
 * The changes from one commit's tree to another's (a pull request: the merge base to the
 * head), with the same caps and shape as a commit's diff.
 */
export async function rangeDiff(ctx: GitReadContext, repo: GitRepo, from: string, to: string, limits: DiffLimits = DEFAULT_DIFF_LIMITS): Promise<CommitDiff> {
  return diffOf(ctx, repo, [userArg(from), userArg(to)], limits);
}

/** Just the changed files with line counts between two commits. */
export async function rangeChanges(ctx: GitReadContext, repo: GitRepo, from: string, to: string): Promise<RawChange[]> {
  return changesOf(ctx, repo, [userArg(from), userArg(to)]);
}

/** `.diff` (merge base to head) or `.patch` (every commit of from..to, as format-patch writes them). */
export function spawnRangeRaw(ctx: GitReadContext, repo: GitRepo, from: string, to: string, kind: 'diff' | 'patch', signal?: AbortSignal): GitChild {
  const args: GitArg[] =
    kind === 'diff'
      ? ['--git-dir', repo.dir, 'diff-tree', '-r', '-p', '-M', '--no-commit-id', '--no-color', '--no-ext-diff', userArg(from), userArg(to)]
      : ['--git-dir', repo.dir, 'format-patch', '--stdout', '--no-signature', '--no-color', userArg(`${from}..${to}`)];
  return spawnGit(ctx.env, args, { signal, timeoutMs: 10 * 60_000 });
}

async function diffOf(ctx: GitReadContext, repo: GitRepo, between: GitArg[], limits: DiffLimits): Promise<CommitDiff> {
  const [changes, patch] = await Promise.all([changesOf(ctx, repo, between), collectPatch(ctx, repo, between, limits)]);
  const files: FileDiff[] = [];
  let section = 0;
  let inStep = true;
  for (const c of changes.slice(0, limits.maxListed)) {
    const f: FileDiff = { ...c, patch: null, patchTruncated: true };
    // a type change (file <-> symlink <-> submodule) is shown as a deletion plus a creation
    const count = c.status === 'changed' ? 2 : 1;
    const parts = patch.sections.slice(section, section + count);
    section += count;
    if (inStep && files.length < limits.maxFiles && parts.length === count && parts[0]!.header === `diff --git ${quoteGitPath(`a/${c.oldPath}`)} ${quoteGitPath(`b/${c.path}`)}`) {
      f.patch = parts.map((p) => p.text).join('');
      f.patchTruncated = parts.some((p) => p.truncated);
    } else inStep = false; // never pin a patch on the wrong file
    files.push(f);
  }
  return {
    files,
    totalFiles: changes.length,
    additions: changes.reduce((n, c) => n + c.additions, 0),
    deletions: changes.reduce((n, c) => n + c.deletions, 0),
    truncated: changes.length > files.length || files.some((f) => f.patchTruncated),
  };
}

function collectPatch(ctx: GitReadContext, repo: GitRepo, between: GitArg[], limits: PatchLimits): Promise<{ sections: { header: string; text: string; truncated: boolean }[] }> {
  return new Promise((resolve, reject) => {
    const g = spawnGit(ctx.env, ['-c', 'core.quotePath=false', '--git-dir', repo.dir, 'diff-tree', '-r', '-p', '-M', '--no-commit-id', '--no-color', '--no-ext-diff', ...between], {
      timeoutMs: 120_000,
    });
    const collector = new PatchCollector(limits);
    g.child.stdout!.on('data', (chunk: Buffer) => {
      if (!collector.push(chunk)) g.kill('output-limit');
    });
    g.child.stderr!.resume();
    g.child.once('error', reject);
    g.child.once('close', () => resolve({ sections: collector.end() }));
  });
}

/** `.diff` (unified diff against the first parent) or `.patch` (mbox, as format-patch writes it). */
export function spawnRawDiff(ctx: GitReadContext, repo: GitRepo, commit: Commit, kind: 'diff' | 'patch', signal?: AbortSignal): GitChild {
  const args: GitArg[] =
    kind === 'diff'
      ? ['--git-dir', repo.dir, 'diff-tree', '-r', '-p', '-M', '--no-commit-id', '--no-color', '--no-ext-diff', ...range(commit)]
      : ['--git-dir', repo.dir, 'format-patch', '--stdout', '--no-signature', '--no-color', '-1', userArg(commit.sha)];
  return spawnGit(ctx.env, args, { signal, timeoutMs: 10 * 60_000 });
}

/** Just the changed files with line counts (no patch): the commit list's `files` and `stats`. */
export async function commitChanges(ctx: GitReadContext, repo: GitRepo, commit: Commit): Promise<RawChange[]> {
  return changesOf(ctx, repo, range(commit));
}

async function changesOf(ctx: GitReadContext, repo: GitRepo, between: GitArg[]): Promise<RawChange[]> {
  const { stdout } = await runGit(ctx.env, ['--git-dir', repo.dir, 'diff-tree', '-r', '-z', '--raw', '--numstat', '-M', '--no-commit-id', ...between], {
    timeoutMs: 120_000,
    maxOutputBytes: 256 * 1024 * 1024,
  });
  return parseRawNumstat(stdout);
}
