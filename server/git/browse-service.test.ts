import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRig, workRepo, type ReadRig, type WorkRepo } from '../../test/fixtures/git-repos.js';
import { BrowseService, type RepoTarget } from './browse-service.js';
import type { LastCommitCache } from './last-commit.js';
import { WeightedLru } from './lru.js';

class MemoryLastCommitCache implements LastCommitCache {
  readonly rows = new Map<string, string>();
  async get(repoId: number, commit: string, paths: string[]) {
    const out = new Map<string, string>();
    for (const p of paths) {
      const v = this.rows.get(`${repoId}:${commit}:${p}`);
      if (v) out.set(p, v);
    }
    return out;
  }
  async put(repoId: number, commit: string, rows: Map<string, string>) {
    for (const [p, v] of rows) this.rows.set(`${repoId}:${commit}:${p}`, v);
  }
}

let r: ReadRig;
let w: WorkRepo;
let browse: BrowseService;
let repo: RepoTarget;
const shas: string[] = [];

beforeAll(async () => {
  r = await readRig();
  w = await workRepo();
  browse = new BrowseService(r.env, r.pool, new MemoryLastCommitCache(), null);
  repo = { ...w.repo, owner: 'alice', name: 'demo', defaultBranch: 'main' };
  for (let i = 1; i <= 5; i++) shas.push(await w.commit({ [`f${i}.txt`]: `${i}\n`, 'common.txt': `v${i}\n` }, `c${i}`));
});
afterAll(async () => r?.close());

describe('browse service caches', () => {
  it('pages history by commit, so a moved branch shows its new commits', async () => {
    const p1 = await browse.log(repo, 'main', { path: '', page: 1, limit: 2 });
    expect(p1.commits.map((c) => c.sha)).toEqual([shas[4], shas[3]]);
    expect(p1.total).toBe(5);
    const p3 = await browse.log(repo, 'main', { path: '', page: 3, limit: 2 });
    expect(p3.commits.map((c) => c.sha)).toEqual([shas[0]]);

    shas.push(await w.commit({ 'f6.txt': '6\n' }, 'c6'));
    const again = await browse.log(repo, 'main', { path: '', page: 1, limit: 2 });
    expect(again.commits.map((c) => c.sha)).toEqual([shas[5], shas[4]]);
    expect(again.total).toBe(6);
    // the old tip's pages are still right
    const old = await browse.log(repo, shas[4], { path: '', page: 1, limit: 2 });
    expect(old.commits.map((c) => c.sha)).toEqual([shas[4], shas[3]]);
    // a path filter is its own page
    const common = await browse.log(repo, 'main', { path: 'f2.txt', page: 1, limit: 2 });
    expect(common.commits.map((c) => c.sha)).toEqual([shas[1]]);
    expect(common.total).toBe(1);
  });

  it("keeps a commit's diff and changed files once computed", async () => {
    const first = await browse.diff(repo, shas[2]!);
    expect(first.diff.files.map((f) => f.path).sort()).toEqual(['common.txt', 'f3.txt']);
    expect(first.diff.files.find((f) => f.path === 'common.txt')!.patch).toContain('+v3');
    const second = await browse.diff(repo, shas[2]!);
    expect(second.diff).toBe(first.diff);
    // other limits are another entry
    const capped = await browse.diff(repo, shas[2]!, { maxFiles: 1, maxLinesPerFile: 100, maxBytes: 1 << 20, maxListed: 10 });
    expect(capped.diff).not.toBe(first.diff);
    expect(capped.diff.files.filter((f) => f.patch !== null)).toHaveLength(1);

    const commit = await browse.commit(repo, shas[2]!);
    const a = (await browse.changes(repo, [commit])).get(commit.sha)!;
    const b = (await browse.changes(repo, [commit])).get(commit.sha)!;
    expect(a.map((c) => [c.path, c.additions, c.deletions]).sort()).toEqual([
      ['common.txt', 1, 1],
      ['f3.txt', 1, 0],
    ]);
    expect(b).toBe(a);
  });
});

describe('tree view cache', () => {
  it('keeps complete views per commit and path, and follows a moved branch', async () => {
    const w2 = await workRepo();
    const repo2: RepoTarget = { ...w2.repo, owner: 'alice', name: 'tree', defaultBranch: 'main' };
    await w2.commit({ 'README.md': '# hi\n', 'src/a.ts': 'a\n', 'src/b.ts': 'b\n' }, 'one');
    const b2 = new BrowseService(r.env, r.pool, new MemoryLastCommitCache(), null);
    // no budget: the last commits are still pending, so nothing is kept
    const early = await b2.treeView(repo2, ['main', 'src'], { budgetMs: 0 });
    const full = await b2.treeView(repo2, ['main', 'src'], { budgetMs: 5000 });
    expect(full.pending).toEqual([]);
    expect(full.entries).not.toBe(early.entries);
    expect(full.entries!.every((e) => e.lastCommit !== null)).toBe(true);
    const again = await b2.treeView(repo2, ['main', 'src'], { budgetMs: 5000 });
    expect(again.entries).toBe(full.entries);
    expect(again.ref).toEqual(full.ref);

    const second = await w2.commit({ 'src/c.ts': 'c\n' }, 'two');
    const moved = await b2.treeView(repo2, ['main', 'src'], { budgetMs: 5000 });
    expect(moved.ref.commit).toBe(second);
    expect(moved.entries!.map((e) => e.name)).toEqual(['a.ts', 'b.ts', 'c.ts']);
    // the same commit through its id: the cached view, with the ref as asked
    const byId = await b2.treeView(repo2, [second, 'src'], { budgetMs: 5000 });
    expect(byId.entries).toBe(moved.entries);
    expect(byId.ref).toEqual({ name: second, kind: 'commit', commit: second });
  });
});

describe('default branch alias', () => {
  it('reads `@` as the default branch, and only as a branch', async () => {
    const w3 = await workRepo();
    await w3.commit({ 'README.md': '# trunk\n', 'docs/a.md': 'a\n' }, 'one');
    await w3.git(['branch', '-m', 'main', 'trunk']);
    const b3 = new BrowseService(r.env, r.pool, new MemoryLastCommitCache(), null);
    const repo3: RepoTarget = { ...w3.repo, owner: 'alice', name: 'alias', defaultBranch: 'trunk' };
    const viaAlias = await b3.treeView(repo3, ['@', 'docs'], { budgetMs: 5000 });
    const direct = await b3.treeView(repo3, ['trunk', 'docs'], { kind: 'branch', budgetMs: 5000 });
    expect(viaAlias.ref).toEqual({ name: 'trunk', kind: 'branch', commit: direct.ref.commit });
    expect(viaAlias.entries!.map((e) => e.name)).toEqual(['a.md']);
    await expect(b3.treeView(repo3, ['@'], { kind: 'tag', budgetMs: 0 })).rejects.toThrow(/no branch, tag or commit/);
    // with another default branch recorded, `@` follows it
    await w3.git(['branch', 'other']);
    const other = await b3.treeView({ ...repo3, defaultBranch: 'other' }, ['@'], { budgetMs: 5000 });
    expect(other.ref.name).toBe('other');
  });
});

describe('WeightedLru', () => {
  it('evicts the least recently used entries once over its weight budget', () => {
    const lru = new WeightedLru<string, string>(40, (v) => v.length);
    lru.set('a', 'x'.repeat(10));
    lru.set('b', 'x'.repeat(10));
    lru.set('c', 'x'.repeat(10));
    expect(lru.get('a')).toBeDefined(); // a is now the most recent
    lru.set('d', 'x'.repeat(10));
    lru.set('e', 'x'.repeat(10)); // 50 > 40: b (least recent) goes
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBeDefined();
    expect(lru.weight).toBe(40);
  });

  it('does not keep a value heavier than a quarter of the budget', () => {
    const lru = new WeightedLru<string, string>(40, (v) => v.length);
    lru.set('small', 'x'.repeat(10));
    lru.set('big', 'x'.repeat(11));
    expect(lru.get('big')).toBeUndefined();
    expect(lru.get('small')).toBeDefined();
    expect(lru.weight).toBe(10);
  });
});
