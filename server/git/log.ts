// History: a page of commits reachable from a commit (optionally only those touching a path),
// their count, the commits themselves (parsed from cat-file, pipelined) and contributors
// (commit counts per author, like `git shortlog -sne`, from one streamed `git log`).
import { GitError, runGit, spawnGit, userArg, type GitArg } from './command.js';
import type { GitRepo } from './cat-file-pool.js';
import { parseCommit, type Commit } from './objects.js';
import type { GitReadContext } from './read-context.js';

export interface LogOptions {
  /** Only commits that change this path (a file or a directory); '' for all. */
  path?: string;
  skip: number;
  limit: number;
}

/**
 * argv tail for a path filter. After `--` a leading '-' is just a file name (so no userArg
 * here), and `--literal-pathspecs` (given by the callers) turns off pathspec magic like
 * `:(exclude)` and globs.
 */
function pathArgs(path: string | undefined): GitArg[] {
  return path ? ['--', path] : ['--'];
}

/** Commit ids, newest first, `skip` then `limit` of them. */
export async function logShas(ctx: GitReadContext, repo: GitRepo, start: string, opts: LogOptions): Promise<string[]> {
  const { stdout } = await runGit(ctx.env, ['--literal-pathspecs', '--git-dir', repo.dir, 'rev-list', `--max-count=${opts.limit}`, `--skip=${opts.skip}`, userArg(start), ...pathArgs(opts.path)], {
    timeoutMs: 60_000,
  });
  return stdout.toString('latin1').split('\n').filter(Boolean);
}

/** How many commits `logShas` can page through. */
export async function countCommits(ctx: GitReadContext, repo: GitRepo, start: string, path?: string): Promise<number> {
  const { stdout } = await runGit(ctx.env, ['--literal-pathspecs', '--git-dir', repo.dir, 'rev-list', '--count', userArg(start), ...pathArgs(path)], { timeoutMs: 60_000 });
  return Number(stdout.toString().trim()) || 0;
}

/** Parsed commits for these ids, in the same order; missing ones are left out. */
export async function readCommits(ctx: GitReadContext, repo: GitRepo, shas: string[]): Promise<Commit[]> {
  if (shas.length === 0) return [];
  const objs = await ctx.pool.use(repo, (cat) => Promise.all(shas.map((sha) => cat.contents(sha, 16 * 1024 * 1024))));
  return objs.filter((o) => o?.type === 'commit' && o.data).map((o) => parseCommit(o!.sha, o!.data!));
}

export async function readCommit(ctx: GitReadContext, repo: GitRepo, sha: string): Promise<Commit | null> {
  return (await readCommits(ctx, repo, [sha]))[0] ?? null;
}

export interface Contributor {
  name: string;
  email: string;
  commits: number;
}

/**
 * Commits per author reachable from `start` (mailmap applied), most first. Authors are one
 * person per email address, named as in their latest commit.
 */
export function contributors(ctx: GitReadContext, repo: GitRepo, start: string, opts: { timeoutMs?: number } = {}): Promise<Contributor[]> {
  return new Promise((resolve, reject) => {
    const g = spawnGit(ctx.env, ['--git-dir', repo.dir, 'log', '--format=%aN%x00%aE', userArg(start), '--'], { timeoutMs: opts.timeoutMs ?? 120_000 });
    const byEmail = new Map<string, Contributor>();
    let rest = '';
    let stderr = '';
    const take = (line: string) => {
      const nul = line.indexOf('\0');
      if (nul < 0) return;
      const name = line.slice(0, nul);
      const email = line.slice(nul + 1);
      const key = email.toLowerCase() || `name:${name}`;
      const c = byEmail.get(key);
      if (c) c.commits++;
      else byEmail.set(key, { name, email, commits: 1 });
    };
    g.child.stdout!.setEncoding('utf8');
    g.child.stdout!.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const l of lines) take(l);
    });
    g.child.stderr!.on('data', (c: Buffer) => {
      if (stderr.length < 4096) stderr += c.toString();
    });
    g.child.once('error', reject);
    g.child.once('close', (code) => {
      if (rest) take(rest);
      if (code !== 0 || g.killedFor()) return reject(new GitError(g.argv, g.killedFor() ?? 'exit', code, stderr));
      resolve([...byEmail.values()].sort((a, b) => b.commits - a.commits || a.name.localeCompare(b.name)));
    });
  });
}
