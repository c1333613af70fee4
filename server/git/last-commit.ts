// The "last commit" column of a tree: for each entry, the newest commit that changed it. One
// `git log --name-only` walk limited to the directory serves every entry and stops once all
// are found. Answers are cached per (commit, path); a caller waits at most its time budget,
// gets what is known, and the walk carries on in the background so a follow-up request (or
// anyone else listing the same directory) finds the rest. A directory walk reads every commit's
// changes; when a few entries are still missing after a moment (typically an old file at the
// root), each gets its own `git log -1 -- <path>`, which the commit-graph's changed-path Bloom
// filters answer without reading most commits.
import { Semaphore } from '../lib/semaphore.js';
import { runGit, spawnGit, userArg, type GitArg } from './command.js';
import type { GitRepo } from './cat-file-pool.js';
import type { GitReadContext } from './read-context.js';

export interface LastCommitCache {
  /** Known answers among `paths` for the tree at `commit`: path → commit id. */
  get(repoId: number, commit: string, paths: string[]): Promise<Map<string, string>>;
  put(repoId: number, commit: string, rows: Map<string, string>): Promise<void>;
}

export interface LastCommitResult {
  /** Entry name → id of the newest commit that changed it. */
  found: Map<string, string>;
  /** Entry names the walk hasn't reached yet (ask again for them). */
  pending: string[];
  /** The newest commit that changed the directory itself, when known. */
  dirCommit: string | null;
}

/**
 * Tokens of `git log --format=/%H -z --name-only`: `/<id>` opens a commit (no path starts with
 * '/'), the first name after it carries a leading newline, empty tokens separate merges.
 */
export class WalkParser {
  private rest = '';
  private afterHeader = false;
  private current: string | null = null;

  constructor(private readonly on: { commit(sha: string): boolean | void; path(sha: string, path: string): boolean | void }) {}

  /** Feeds bytes; returns false when the consumer asked to stop. */
  push(chunk: string): boolean {
    const tokens = (this.rest + chunk).split('\0');
    this.rest = tokens.pop()!;
    for (let t of tokens) {
      if (t.startsWith('/')) {
        this.current = t.slice(1);
        this.afterHeader = true;
        if (this.on.commit(this.current) === false) return false;
        continue;
      }
      if (this.afterHeader && t.startsWith('\n')) t = t.slice(1);
      this.afterHeader = false;
      if (t === '' || !this.current) continue;
      if (this.on.path(this.current, t) === false) return false;
    }
    return true;
  }
}

interface Walk {
  found: Map<string, string>;
  dirCommit: string | null;
  done: Promise<void>;
}

export interface LastCommitOptions {
  /** Walks running at once (more wait their turn). */
  concurrency?: number;
  /** A walk is stopped after this long; what it found by then is kept. */
  walkTimeoutMs?: number;
  /** Walks waiting for a turn at most; beyond that rows stay pending until a later request. */
  maxQueued?: number;
  /** A directory walk still missing entries after this long looks each of them up on its own. */
  helpAfterMs?: number;
  /** ...when at most this many are missing (each lookup is one more git process). */
  maxHelped?: number;
}

/** Paths longer than this many bytes are answered but not cached (keeps the db key small). */
const MAX_CACHED_PATH = 1024;
const cacheable = (p: string) => Buffer.byteLength(p) <= MAX_CACHED_PATH;

export class LastCommitFinder {
  private readonly walks = new Map<string, Walk>();
  private readonly limiter: Semaphore;
  private readonly walkTimeoutMs: number;
  private readonly maxQueued: number;
  private readonly helpAfterMs: number;
  private readonly maxHelped: number;

  constructor(
    private readonly ctx: GitReadContext,
    private readonly cache: LastCommitCache,
    opts: LastCommitOptions = {},
  ) {
    this.limiter = new Semaphore(opts.concurrency ?? 2);
    this.walkTimeoutMs = opts.walkTimeoutMs ?? 120_000;
    this.maxQueued = opts.maxQueued ?? 32;
    this.helpAfterMs = opts.helpAfterMs ?? 250;
    this.maxHelped = opts.maxHelped ?? 16;
  }

  /**
   * Last commits of `names` (entries of `dir` at `commit`), waiting at most `budgetMs`. A
   * listing walks the directory (which also yields the directory's own last commit); with
   * `perEntry` the walk is limited to the named entries (cheaper for one file).
   */
  async find(repo: GitRepo, commit: string, dir: string, names: string[], budgetMs: number, opts: { perEntry?: boolean } = {}): Promise<LastCommitResult> {
    const join = (n: string) => (dir ? `${dir}/${n}` : n);
    const cached = await this.cache.get(repo.id, commit, dir ? [dir, ...names.map(join)] : names.map(join));
    const found = new Map<string, string>();
    for (const n of names) {
      const sha = cached.get(join(n));
      if (sha) found.set(n, sha);
    }
    let dirCommit = !dir ? commit : opts.perEntry ? null : (cached.get(dir) ?? null);
    const missing = names.filter((n) => !found.has(n));
    if (missing.length > 0 || (dirCommit === null && !opts.perEntry)) {
      const walk = this.walk(repo, commit, dir, missing, opts.perEntry === true && missing.length > 0);
      if (budgetMs > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([walk.done, new Promise<void>((r) => (timer = setTimeout(r, budgetMs)))]);
        clearTimeout(timer);
      }
      for (const n of missing) {
        const sha = walk.found.get(n);
        if (sha) found.set(n, sha);
      }
      dirCommit ??= walk.dirCommit;
    }
    return { found, pending: names.filter((n) => !found.has(n)), dirCommit };
  }

  /** The walk for this directory: the one already under way, or a new one. */
  private walk(repo: GitRepo, commit: string, dir: string, names: string[], perEntry: boolean): Walk {
    const key = [repo.id, commit, dir, perEntry ? names.join('\0') : '*'].join('\0');
    const running = this.walks.get(key);
    if (running) return running;
    const walk: Walk = { found: new Map(), dirCommit: null, done: Promise.resolve() };
    // a flood of distinct directories must not queue hours of walks: shed, answer pending
    if (this.limiter.inUse >= this.limiter.limit && this.limiter.queued >= this.maxQueued) return walk;
    walk.done = this.run(repo, commit, dir, names, perEntry, walk).finally(() => this.walks.delete(key));
    this.walks.set(key, walk);
    return walk;
  }

  private async run(repo: GitRepo, commit: string, dir: string, names: string[], perEntry: boolean, walk: Walk): Promise<void> {
    const release = await this.limiter.acquire();
    try {
      await this.stream(repo, commit, dir, names, perEntry, walk);
    } catch {
      // a failed walk leaves its rows pending; the next request tries again
    } finally {
      release();
    }
    const rows = new Map<string, string>();
    for (const [name, sha] of walk.found) {
      const path = dir ? `${dir}/${name}` : name;
      if (cacheable(path)) rows.set(path, sha);
    }
    if (dir && walk.dirCommit && cacheable(dir) && !perEntry) rows.set(dir, walk.dirCommit);
    if (rows.size) await this.cache.put(repo.id, commit, rows).catch(() => {});
  }

  private stream(repo: GitRepo, commit: string, dir: string, names: string[], perEntry: boolean, walk: Walk): Promise<void> {
    const pending = new Set(names);
    const prefix = dir ? `${dir}/` : '';
    // after `--` a leading '-' is a file name; --literal-pathspecs turns off globs and magic
    const pathspecs: GitArg[] = perEntry ? names.map((n) => prefix + n) : dir ? [dir] : [];
    const args: GitArg[] = ['--literal-pathspecs', '--git-dir', repo.dir, 'log', '--format=/%H', '-z', '--name-only', '--no-renames', '-c', userArg(commit), '--', ...pathspecs];
    return new Promise((resolve, reject) => {
      const g = spawnGit(this.ctx.env, args, { timeoutMs: this.walkTimeoutMs });
      let closed = false;
      const helper = perEntry
        ? undefined
        : setTimeout(() => {
            void this.helpStragglers(
              repo,
              commit,
              prefix,
              pending,
              walk,
              () => closed,
              () => g.kill('output-limit'),
            );
          }, this.helpAfterMs);
      const parser = new WalkParser({
        commit: (sha) => {
          if (walk.dirCommit === null && !perEntry) walk.dirCommit = sha;
          if (pending.size === 0) return false;
        },
        path: (sha, path) => {
          if (!path.startsWith(prefix)) return;
          const slash = path.indexOf('/', prefix.length);
          const name = path.slice(prefix.length, slash < 0 ? undefined : slash);
          if (pending.delete(name)) walk.found.set(name, sha);
          if (pending.size === 0) return false;
        },
      });
      g.child.stdout!.setEncoding('utf8');
      g.child.stdout!.on('data', (chunk: string) => {
        if (!parser.push(chunk)) g.kill('output-limit');
      });
      g.child.stderr!.resume();
      g.child.once('error', reject);
      g.child.once('close', (code) => {
        closed = true;
        clearTimeout(helper);
        const killed = g.killedFor();
        if (killed === 'output-limit' || (code === 0 && !killed)) resolve();
        else reject(new Error(`last-commit walk ended (${killed ?? code})`));
      });
    });
  }

  /** One `log -1 -- <path>` per missing entry (a few at most), while the directory walk goes on. */
  private async helpStragglers(repo: GitRepo, commit: string, prefix: string, pending: Set<string>, walk: Walk, over: () => boolean, stopWalk: () => void): Promise<void> {
    if (pending.size === 0 || pending.size > this.maxHelped) return;
    for (const name of [...pending]) {
      if (over()) return;
      if (!pending.has(name)) continue;
      const sha = await newestCommitOf(this.ctx, repo, commit, prefix + name, this.walkTimeoutMs).catch(() => null);
      if (over()) return;
      if (sha && pending.delete(name)) walk.found.set(name, sha);
      if (pending.size === 0) return stopWalk();
    }
  }
}

/** The newest commit reachable from `commit` that changed `path` (history simplified, as `git log -- path`). */
export async function newestCommitOf(ctx: GitReadContext, repo: GitRepo, commit: string, path: string, timeoutMs: number): Promise<string | null> {
  const { stdout } = await runGit(ctx.env, ['--literal-pathspecs', '--git-dir', repo.dir, 'log', '-1', '--format=%H', userArg(commit), '--', path], { timeoutMs });
  return stdout.toString('latin1').trim() || null;
}
