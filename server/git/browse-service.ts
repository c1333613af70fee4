// What the browser UI and the contents API read from a repository: refs resolved Gitea's way,
// what is at a path (content or listing), the tree view with its last-commit column, history
// pages, commit diffs, contributors and archives. Callers have checked access already; this
// layer sees a repository's id and directory, never a request, and answers in plain data.
import { NotFound, TooLarge, Unavailable } from '../lib/errors.js';
import type { Semaphore } from '../lib/semaphore.js';
import { ARCHIVE_TYPES, parseArchiveName, spawnArchive } from './archive.js';
import { BranchFiles } from './branch-files.js';
import { readBlob, streamBlob, type Blob } from './blob.js';
import type { CatFilePool, GitRepo } from './cat-file-pool.js';
import { runGit, userArg, type GitChild, type GitEnv } from './command.js';
import { commitChanges, commitDiff, DEFAULT_DIFF_LIMITS, rangeChanges, rangeDiff, spawnRangeRaw, spawnRawDiff, type CommitDiff, type DiffLimits } from './diff.js';
import type { RawChange } from './diff-parse.js';
import { LastCommitFinder, type LastCommitCache, type LastCommitOptions } from './last-commit.js';
import { contributors, countCommits, logShas, readCommits, type Contributor } from './log.js';
import { Lru, WeightedLru } from './lru.js';
import type { Commit } from './objects.js';
import type { GitReadContext } from './read-context.js';
import { HEX_RE, resolveRefPrefix, resolveRevision, type RefKind, type ResolvedRef } from './refs.js';
import { entryAt, findReadme, listTree, lsTree, type GitTreeRow, type TreeEntry } from './tree.js';

/** A repository to read: where it is, and what the caller knows of it from the db. */
export interface RepoTarget extends GitRepo {
  owner: string;
  name: string;
  defaultBranch: string;
}

export interface Listing {
  entries: TreeEntry[];
  total: number;
  truncated: boolean;
  /** Entry name → id of the newest commit that changed it (what the time budget allowed). */
  lastCommits: Map<string, string>;
  /** Entry names whose last commit is still being worked out. */
  pending: string[];
  /** The newest commit that changed the directory itself, when known. */
  dirCommit: string | null;
}

export interface PathContents {
  ref: ResolvedRef;
  entry: TreeEntry;
  /** Newest commit that changed the path, when known within the budget. */
  lastCommit: string | null;
  /** Files: the blob (content null above the cap). */
  blob: Blob | null;
  /** Directories: their entries. */
  listing: Listing | null;
}

export interface TreeView {
  ref: ResolvedRef;
  entry: TreeEntry;
  lastCommit: Commit | null;
  /** Directories only: entries with their last commits (null while pending). */
  entries: (TreeEntry & { lastCommit: Commit | null })[] | null;
  pending: string[];
  total: number;
  truncated: boolean;
  readme: TreeEntry | null;
  /** Files only: the blob (content when at most `fileMaxBytes`). */
  blob: Blob | null;
}

export interface BrowseOptions extends LastCommitOptions {
  /** Entries listed per directory at most. */
  treeLimit?: number;
  /** The tree view includes a file's content up to this size. */
  fileMaxBytes?: number;
}

/** The tree view's name for the default branch: `tree/@/<path>`. */
export const DEFAULT_BRANCH_ALIAS = '@';

/** Roughly the bytes a cached tree view holds: the file's content, or some per entry. */
function viewWeight(v: Omit<TreeView, 'ref'>): number {
  return 1024 + (v.blob?.content?.length ?? 0) + (v.blob?.head?.length ?? 0) + (v.entries?.length ?? 0) * 512;
}

/** Roughly the bytes a cached diff holds: its patches plus some per file. */
function diffWeight(d: CommitDiff): number {
  let n = 0;
  for (const f of d.files) n += 256 + f.path.length * 2 + (f.patch?.length ?? 0) * 2;
  return n;
}

export class BrowseService {
  readonly ctx: GitReadContext;
  private readonly finder: LastCommitFinder;
  private readonly commitCache = new Lru<string, Commit>(4096);
  private readonly contributorCache = new Lru<string, Contributor[]>(64);
  /** History length per (commit, path): a commit's history never changes. */
  private readonly countCache = new Lru<string, number>(1024);
  /** Commit ids of one history page per (commit, path, skip, limit): no `rev-list` for a page seen before. */
  private readonly pageCache = new Lru<string, string[]>(1024);
  /** Changed files per commit (the diff of a commit against its first parent never changes). */
  private readonly changesCache = new Lru<string, RawChange[]>(512);
  /** Complete tree views (nothing pending) per (commit, path): what is at a path in a commit never changes. */
  private readonly viewCache = new WeightedLru<string, Omit<TreeView, 'ref'>>(64 * 1024 * 1024, viewWeight);
  /** Capped commit diffs, bounded by the bytes of their patches. */
  private readonly diffCache = new WeightedLru<string, CommitDiff>(64 * 1024 * 1024, diffWeight);
  private readonly treeLimit: number;
  private readonly fileMaxBytes: number;

  constructor(
    env: GitEnv,
    readonly pool: CatFilePool,
    cache: LastCommitCache,
    /** Shared with the other heavy git work (pack-objects): archives and full-history walks queue with them. */
    private readonly heavyLimiter: Semaphore | null,
    opts: BrowseOptions = {},
  ) {
    this.ctx = { env, pool, branches: new BranchFiles() };
    this.finder = new LastCommitFinder(this.ctx, cache, opts);
    this.treeLimit = opts.treeLimit ?? 10_000;
    this.fileMaxBytes = opts.fileMaxBytes ?? 1024 * 1024;
  }

  /** A branch, tag or commit id (the default branch when empty) to a commit; 404 if none. */
  async resolveRef(repo: RepoTarget, ref?: string): Promise<ResolvedRef> {
    const name = ref || repo.defaultBranch;
    const resolved = await resolveRevision(this.ctx, repo, name);
    if (!resolved) throw NotFound(`ref "${name}" not found`);
    return resolved;
  }

  async entry(repo: RepoTarget, ref: string | undefined, path: string): Promise<{ ref: ResolvedRef; entry: TreeEntry }> {
    const resolved = await this.resolveRef(repo, ref);
    const entry = await entryAt(this.ctx, repo, resolved.commit, path);
    if (!entry) throw NotFound(`"${path}" does not exist at ${resolved.name}`);
    return { ref: resolved, entry };
  }

  /** A directory's entries and as much of their last-commit column as `budgetMs` allows. */
  async listing(repo: RepoTarget, commit: string, dir: TreeEntry, budgetMs: number): Promise<Listing> {
    const { entries, total, truncated } = await listTree(this.ctx, repo, dir.sha, dir.path, this.treeLimit);
    const last = await this.finder.find(
      repo,
      commit,
      dir.path,
      entries.map((e) => e.name),
      budgetMs,
    );
    return { entries, total, truncated, lastCommits: last.found, pending: last.pending, dirCommit: last.dirCommit };
  }

  /** The newest commit that changed one path, within the budget. */
  async lastCommitOf(repo: RepoTarget, commit: string, path: string, budgetMs: number): Promise<string | null> {
    if (path === '') return commit;
    const slash = path.lastIndexOf('/');
    const name = path.slice(slash + 1);
    const found = await this.finder.find(repo, commit, slash < 0 ? '' : path.slice(0, slash), [name], budgetMs, { perEntry: true });
    return found.found.get(name) ?? null;
  }

  /** What the contents API shows for a path: a file with its blob, or a directory's entries. */
  async contents(repo: RepoTarget, ref: string | undefined, path: string, opts: { maxBytes: number; budgetMs: number }): Promise<PathContents> {
    return this.pool.lease(repo, async () => {
      const { ref: resolved, entry } = await this.entry(repo, ref, path);
      if (entry.type === 'dir') {
        const listing = await this.listing(repo, resolved.commit, entry, opts.budgetMs);
        return { ref: resolved, entry, lastCommit: listing.dirCommit, blob: null, listing };
      }
      const [lastCommit, blob] = await Promise.all([
        this.lastCommitOf(repo, resolved.commit, path, opts.budgetMs),
        entry.type === 'file' ? readBlob(this.ctx, repo, entry.sha, opts.maxBytes) : Promise.resolve(null),
      ]);
      return { ref: resolved, entry, lastCommit, blob, listing: null };
    });
  }

  /**
   * The UI's tree page from `<ref>/<path>` segments (the ref may contain slashes): the entry,
   * and for directories the entries with last commits, the README and what is still pending.
   */
  async treeView(repo: RepoTarget, segments: string[], opts: { kind?: RefKind; budgetMs: number }): Promise<TreeView> {
    // `@` (never a branch, tag or commit name) stands for the default branch, so a page that
    // doesn't know it yet can ask for the repository and its tree at the same time
    if (segments[0] === DEFAULT_BRANCH_ALIAS && opts.kind !== 'tag' && opts.kind !== 'commit') {
      segments = [...repo.defaultBranch.split('/'), ...segments.slice(1)];
      opts = { ...opts, kind: 'branch' };
    }
    return this.pool.lease(repo, async () => {
      const split = await resolveRefPrefix(this.ctx, repo, segments, opts.kind);
      if (!split) throw NotFound(`no branch, tag or commit "${segments.join('/')}"`);
      const path = split.rest.join('/');
      const key = `${repo.id}:${split.ref.commit}:${path}`;
      const hit = this.viewCache.get(key);
      if (hit) return { ...hit, ref: split.ref };
      const view = await this.readTreeView(repo, split.ref, path, opts.budgetMs);
      if (view.pending.length === 0) {
        const { ref: _ref, ...rest } = view;
        this.viewCache.set(key, rest);
      }
      return view;
    });
  }

  /** The tree view read from git (and the last-commit cache) for one path in one commit. */
  private async readTreeView(repo: RepoTarget, ref: ResolvedRef, path: string, budgetMs: number): Promise<TreeView> {
    const entry = await entryAt(this.ctx, repo, ref.commit, path);
    if (!entry) throw NotFound(`"${path}" does not exist at ${ref.name}`);
    if (entry.type !== 'dir') {
      const [last, blob] = await Promise.all([
        this.lastCommitOf(repo, ref.commit, path, budgetMs),
        entry.type === 'file' ? readBlob(this.ctx, repo, entry.sha, this.fileMaxBytes) : Promise.resolve(null),
      ]);
      const commits = await this.commits(repo, last ? [last] : []);
      return { ref, entry, lastCommit: last ? (commits.get(last) ?? null) : null, entries: null, pending: last ? [] : [path], total: 0, truncated: false, readme: null, blob };
    }
    const listing = await this.listing(repo, ref.commit, entry, budgetMs);
    const commits = await this.commits(repo, [...new Set([...listing.lastCommits.values(), ...(listing.dirCommit ? [listing.dirCommit] : [])])]);
    const entries = listing.entries.map((e) => {
      const sha = listing.lastCommits.get(e.name);
      return { ...e, lastCommit: sha ? (commits.get(sha) ?? null) : null };
    });
    const prefix = path ? `${path}/` : '';
    return {
      ref,
      entry,
      lastCommit: listing.dirCommit ? (commits.get(listing.dirCommit) ?? null) : null,
      entries,
      pending: listing.pending.map((n) => prefix + n),
      total: listing.total,
      truncated: listing.truncated,
      readme: findReadme(listing.entries),
      blob: null,
    };
  }

  /**
   * Splits `<ref>/<path>` segments the way the tree view does (the ref may contain slashes),
   * without reading the path: the commit log of a path that no longer exists is still a log.
   */
  async resolveRefPath(repo: RepoTarget, segments: string[], kind?: RefKind): Promise<{ ref: ResolvedRef; path: string }> {
    return this.pool.lease(repo, async () => {
      const split = await resolveRefPrefix(this.ctx, repo, segments, kind);
      if (!split) throw NotFound(`no ${kind ?? 'branch, tag or commit'} "${segments.join('/')}"`);
      return { ref: split.ref, path: split.rest.join('/') };
    });
  }

  /** Parsed commits by id (cached; commits never change). */
  async commits(repo: RepoTarget, shas: string[]): Promise<Map<string, Commit>> {
    const out = new Map<string, Commit>();
    const missing: string[] = [];
    for (const sha of shas) {
      const hit = this.commitCache.get(`${repo.id}:${sha}`);
      if (hit) out.set(sha, hit);
      else missing.push(sha);
    }
    for (const c of await readCommits(this.ctx, repo, missing)) {
      if (c.message.length <= 64 * 1024) this.commitCache.set(`${repo.id}:${c.sha}`, c);
      out.set(c.sha, c);
    }
    return out;
  }

  /** One commit by id or ref; 404 if there is none. */
  async commit(repo: RepoTarget, rev: string): Promise<Commit> {
    return this.pool.lease(repo, async () => {
      const ref = await this.resolveRef(repo, rev);
      const c = (await this.commits(repo, [ref.commit])).get(ref.commit);
      if (!c) throw NotFound(`commit "${rev}" not found`);
      return c;
    });
  }

  /** A page of history from `ref`, optionally only commits touching `path`, and the total. */
  async log(repo: RepoTarget, ref: string | undefined, opts: { path: string; page: number; limit: number }): Promise<{ ref: ResolvedRef; commits: Commit[]; total: number }> {
    return this.pool.lease(repo, async () => {
      const resolved = await this.resolveRef(repo, ref);
      const countKey = `${repo.id}:${resolved.commit}:${opts.path}`;
      const skip = (opts.page - 1) * opts.limit;
      const pageKey = `${countKey}:${skip}:${opts.limit}`;
      const [shas, total] = await Promise.all([
        this.pageCache.get(pageKey) ?? logShas(this.ctx, repo, resolved.commit, { path: opts.path, skip, limit: opts.limit }).then((list) => (this.pageCache.set(pageKey, list), list)),
        this.countCache.get(countKey) ?? countCommits(this.ctx, repo, resolved.commit, opts.path).then((n) => (this.countCache.set(countKey, n), n)),
      ]);
      const byId = await this.commits(repo, shas);
      return { ref: resolved, commits: shas.map((s) => byId.get(s)).filter((c): c is Commit => !!c), total };
    });
  }

  /** Changed files (with line counts) of each commit, a few commits at a time. */
  async changes(repo: RepoTarget, commits: Commit[]): Promise<Map<string, RawChange[]>> {
    const out = new Map<string, RawChange[]>();
    const missing: Commit[] = [];
    for (const c of commits) {
      const hit = this.changesCache.get(`${repo.id}:${c.sha}`);
      if (hit) out.set(c.sha, hit);
      else missing.push(c);
    }
    for (let i = 0; i < missing.length; i += 4) {
      const batch = missing.slice(i, i + 4);
      const lists = await Promise.all(batch.map((c) => commitChanges(this.ctx, repo, c)));
      batch.forEach((c, j) => {
        out.set(c.sha, lists[j]!);
        if (lists[j]!.length <= 10_000) this.changesCache.set(`${repo.id}:${c.sha}`, lists[j]!);
      });
    }
    return out;
  }

  async diff(repo: RepoTarget, rev: string, limits: DiffLimits = DEFAULT_DIFF_LIMITS): Promise<{ commit: Commit; diff: CommitDiff }> {
    const commit = await this.commit(repo, rev);
    const key = `${repo.id}:${commit.sha}:${limits.maxFiles}:${limits.maxLinesPerFile}:${limits.maxBytes}:${limits.maxListed}`;
    const hit = this.diffCache.get(key);
    if (hit) return { commit, diff: hit };
    const diff = await commitDiff(this.ctx, repo, commit, limits);
    this.diffCache.set(key, diff);
    return { commit, diff };
  }

  /** The capped diff between two commits (cached: two commit ids always diff the same). */
  async compare(repo: RepoTarget, from: string, to: string, limits: DiffLimits = DEFAULT_DIFF_LIMITS): Promise<CommitDiff> {
    const key = `${repo.id}:${from}..${to}:${limits.maxFiles}:${limits.maxLinesPerFile}:${limits.maxBytes}:${limits.maxListed}`;
    const hit = this.diffCache.get(key);
    if (hit) return hit;
    const diff = await rangeDiff(this.ctx, repo, from, to, limits);
    this.diffCache.set(key, diff);
    return diff;
  }

  /** The changed files (with line counts) between two commits. */
  async compareChanges(repo: RepoTarget, from: string, to: string): Promise<RawChange[]> {
    return rangeChanges(this.ctx, repo, from, to);
  }

  /** `.diff` or `.patch` of from..to. */
  rangeRaw(repo: RepoTarget, from: string, to: string, kind: 'diff' | 'patch', signal?: AbortSignal): GitChild {
    return spawnRangeRaw(this.ctx, repo, from, to, kind, signal);
  }

  /** The commits of from..to, oldest first, at most `limit` (and how many there are). */
  async rangeCommits(repo: RepoTarget, from: string, to: string, opts: { skip?: number; limit?: number } = {}): Promise<{ commits: Commit[]; total: number }> {
    const { stdout } = await runGit(this.ctx.env, ['--git-dir', repo.dir, 'rev-list', '--reverse', '--topo-order', userArg(to), userArg(`^${from}`)], {
      timeoutMs: 120_000,
      maxOutputBytes: 64 * 1024 * 1024,
    });
    const all = stdout.toString().split('\n').filter(Boolean);
    const skip = opts.skip ?? 0;
    const shas = all.slice(skip, skip + (opts.limit ?? 250));
    const found = await this.commits(repo, shas);
    return { commits: shas.map((sha) => found.get(sha)).filter((c): c is Commit => !!c), total: all.length };
  }

  async rawDiff(repo: RepoTarget, rev: string, kind: 'diff' | 'patch', signal?: AbortSignal): Promise<{ commit: Commit; child: GitChild }> {
    const commit = await this.commit(repo, rev);
    return { commit, child: spawnRawDiff(this.ctx, repo, commit, kind, signal) };
  }

  /** Commit counts per author reachable from `ref` (cached per commit). */
  async contributors(repo: RepoTarget, ref?: string): Promise<Contributor[]> {
    const resolved = await this.resolveRef(repo, ref);
    const key = `${repo.id}:${resolved.commit}`;
    const hit = this.contributorCache.get(key);
    if (hit) return hit;
    // a full history walk: it queues with the other heavy git work
    const release = this.heavyLimiter ? await this.heavyLimiter.acquire() : () => {};
    const list = await contributors(this.ctx, repo, resolved.commit).finally(release);
    this.contributorCache.set(key, list);
    return list;
  }

  /** A blob at a path for raw download; content is null above `maxBytes` (stream it instead). */
  async raw(repo: RepoTarget, ref: string | undefined, path: string, maxBytes: number): Promise<{ ref: ResolvedRef; entry: TreeEntry; blob: Blob }> {
    return this.pool.lease(repo, async () => {
      const { ref: resolved, entry } = await this.entry(repo, ref, path);
      if (entry.type !== 'file' && entry.type !== 'symlink') throw NotFound(`"${path}" is not a file`);
      const blob = await readBlob(this.ctx, repo, entry.sha, maxBytes);
      if (!blob) throw NotFound(`"${path}" is not a file`);
      return { ref: resolved, entry, blob };
    });
  }

  /** A blob by id (Gitea's git/blobs); 413 above `maxBytes`. */
  async gitBlob(repo: RepoTarget, sha: string, maxBytes: number): Promise<Blob> {
    if (!HEX_RE.test(sha)) throw NotFound(`blob "${sha}" not found`);
    const blob = await readBlob(this.ctx, repo, sha, maxBytes);
    if (!blob) throw NotFound(`blob "${sha}" not found`);
    if (!blob.content) throw TooLarge(`blob ${blob.sha} is ${blob.size} bytes; read it through raw instead`);
    return blob;
  }

  /** A tree by its id or a commit's (Gitea's git/trees): its entries, or all below it when recursive. */
  async gitTree(repo: RepoTarget, sha: string, opts: { recursive: boolean; page: number; perPage: number }): Promise<{ sha: string; rows: GitTreeRow[]; total: number }> {
    if (!HEX_RE.test(sha)) throw NotFound(`tree "${sha}" not found`);
    const tree = await this.pool.use(repo, (cat) => cat.info(`${sha}^{tree}`));
    if (!tree) throw NotFound(`tree "${sha}" not found`);
    const listed = await lsTree(this.ctx, repo, tree.sha, { recursive: opts.recursive, skip: (opts.page - 1) * opts.perPage, limit: opts.perPage });
    return { sha: tree.sha, ...listed };
  }

  streamBlob(repo: RepoTarget, sha: string, signal?: AbortSignal): GitChild {
    return streamBlob(this.ctx, repo, sha, signal);
  }

  /**
   * `<ref>.zip` or `<ref>.tar.gz` as a running `git archive`. It waits for a slot among the
   * heavy git processes; the slot is given back when the process ends.
   */
  async archive(repo: RepoTarget, archiveName: string, signal?: AbortSignal): Promise<{ child: GitChild; filename: string; contentType: string; ref: ResolvedRef }> {
    const parsed = parseArchiveName(archiveName);
    if (!parsed) throw NotFound('archives are <ref>.zip or <ref>.tar.gz');
    const ref = await this.resolveRef(repo, parsed.ref);
    const release = this.heavyLimiter
      ? await this.heavyLimiter.acquire(signal).catch(() => {
          throw Unavailable('the download was cancelled while waiting for a free slot');
        })
      : () => {};
    let child: GitChild;
    try {
      child = spawnArchive(this.ctx, repo, ref.commit, parsed.format, repo.name, signal);
    } catch (err) {
      release();
      throw err;
    }
    child.child.once('close', release);
    const filename = `${repo.name}-${parsed.ref.replace(/\//g, '-')}.${parsed.format}`;
    return { child, filename, contentType: ARCHIVE_TYPES[parsed.format], ref };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
