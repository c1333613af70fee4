import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRig, workRepo, type ReadRig, type WorkRepo } from '../../test/fixtures/git-repos.js';
import { gitOk } from '../../test/fixtures/rig.js';
import { writeCommitGraph } from './commit-graph.js';
import { LastCommitFinder, newestCommitOf, WalkParser, type LastCommitCache } from './last-commit.js';

/** An in-memory cache that counts what it is asked, to see when git is (not) walked. */
class MemoryCache implements LastCommitCache {
  rows = new Map<string, string>();
  puts = 0;
  async get(repoId: number, commit: string, paths: string[]) {
    const out = new Map<string, string>();
    for (const p of paths) {
      const v = this.rows.get(`${repoId}:${commit}:${p}`);
      if (v) out.set(p, v);
    }
    return out;
  }
  async put(repoId: number, commit: string, rows: Map<string, string>) {
    this.puts++;
    for (const [p, v] of rows) this.rows.set(`${repoId}:${commit}:${p}`, v);
  }
}

let r: ReadRig;
let w: WorkRepo;
const c: Record<string, string> = {};

beforeAll(async () => {
  r = await readRig();
  w = await workRepo();
  c.init = await w.commit({ LICENSE: 'mit', 'src/a.ts': '1', 'src/b.ts': '1', 'docs/x.md': '1', link: { symlink: 'LICENSE' } }, 'init');
  c.a = await w.commit({ 'src/a.ts': '2' }, 'touch a');
  c.docs = await w.commit({ 'docs/x.md': '2', 'docs/new/y.md': 'y' }, 'docs');
  await w.git(['checkout', '-q', '-b', 'side']);
  c.side = await w.commit({ 'src/b.ts': 'side' }, 'side changes b');
  await w.git(['checkout', '-q', 'main']);
  c.main = await w.commit({ 'README.md': 'readme' }, 'readme');
  await w.git(['merge', '-q', '--no-edit', 'side']);
  c.head = (await w.git(['rev-parse', 'HEAD'])).trim();
});
afterAll(async () => r?.close());

describe('last commit per entry', () => {
  it('finds the newest commit that changed each root entry, merged side branches included', async () => {
    const finder = new LastCommitFinder(r.ctx, new MemoryCache());
    const res = await finder.find(w.repo, c.head!, '', ['LICENSE', 'README.md', 'docs', 'link', 'src'], 10_000);
    expect(Object.fromEntries(res.found)).toEqual({ LICENSE: c.init, 'README.md': c.main, docs: c.docs, link: c.init, src: c.side });
    expect(res.pending).toEqual([]);
    expect(res.dirCommit).toBe(c.head);
  });

  it('looks up the entries a directory walk has not reached on their own, with the same answers', async () => {
    const finder = new LastCommitFinder(r.ctx, new MemoryCache(), { helpAfterMs: 0 });
    const res = await finder.find(w.repo, c.head!, '', ['LICENSE', 'README.md', 'docs', 'link', 'src'], 10_000);
    expect(Object.fromEntries(res.found)).toEqual({ LICENSE: c.init, 'README.md': c.main, docs: c.docs, link: c.init, src: c.side });
    expect(res.pending).toEqual([]);
    const old = await new LastCommitFinder(r.ctx, new MemoryCache(), { helpAfterMs: 0 }).find(w.repo, c.a!, 'src', ['a.ts', 'b.ts'], 10_000);
    expect(Object.fromEntries(old.found)).toEqual({ 'a.ts': c.a, 'b.ts': c.init });
  });

  it("finds one path's newest commit on its own (the lookup for stragglers)", async () => {
    const expected = { LICENSE: c.init, 'README.md': c.main, docs: c.docs, link: c.init, src: c.side, 'src/a.ts': c.a, 'src/b.ts': c.side, 'docs/new': c.docs };
    for (const [p, sha] of Object.entries(expected)) expect(await newestCommitOf(r.ctx, w.repo, c.head!, p, 10_000)).toBe(sha);
    expect(await newestCommitOf(r.ctx, w.repo, c.a!, 'src/b.ts', 10_000)).toBe(c.init);
    expect(await newestCommitOf(r.ctx, w.repo, c.head!, 'no/such/path', 10_000)).toBeNull();
  });

  it("works inside a directory, and knows the directory's own last commit", async () => {
    const finder = new LastCommitFinder(r.ctx, new MemoryCache());
    const src = await finder.find(w.repo, c.head!, 'src', ['a.ts', 'b.ts'], 10_000);
    expect(Object.fromEntries(src.found)).toEqual({ 'a.ts': c.a, 'b.ts': c.side });
    expect(src.dirCommit).toBe(c.side);
    const docs = await finder.find(w.repo, c.head!, 'docs', ['new', 'x.md'], 10_000);
    expect(Object.fromEntries(docs.found)).toEqual({ new: c.docs, 'x.md': c.docs });
    // at an older commit the answers are as of then
    const old = await finder.find(w.repo, c.a!, 'src', ['a.ts', 'b.ts'], 10_000);
    expect(Object.fromEntries(old.found)).toEqual({ 'a.ts': c.a, 'b.ts': c.init });
  });

  it('answers a repeat from the cache without walking again', async () => {
    const cache = new MemoryCache();
    const finder = new LastCommitFinder(r.ctx, cache);
    await finder.find(w.repo, c.head!, 'src', ['a.ts', 'b.ts'], 10_000);
    expect(cache.puts).toBe(1);
    expect(cache.rows.get(`${w.repo.id}:${c.head}:src/a.ts`)).toBe(c.a);
    expect(cache.rows.get(`${w.repo.id}:${c.head}:src`)).toBe(c.side);
    const again = await new LastCommitFinder(r.ctx, cache).find(w.repo, c.head!, 'src', ['a.ts', 'b.ts'], 0);
    expect(again.pending).toEqual([]);
    expect(again.dirCommit).toBe(c.side);
    expect(cache.puts).toBe(1);
  });

  it('returns rows not ready within the budget as pending, and a follow-up gets them', async () => {
    const cache = new MemoryCache();
    const finder = new LastCommitFinder(r.ctx, cache);
    const first = await finder.find(w.repo, c.head!, '', ['LICENSE', 'src'], 0);
    expect(first.found.size).toBe(0);
    expect(first.pending).toEqual(['LICENSE', 'src']);
    const second = await finder.find(w.repo, c.head!, '', ['LICENSE', 'src'], 10_000);
    expect(Object.fromEntries(second.found)).toEqual({ LICENSE: c.init, src: c.side });
  });

  it('is just as right with a commit-graph with changed-path filters', async () => {
    await writeCommitGraph(r.env, w.repo.dir);
    expect(await gitOk(['--git-dir', w.repo.dir, 'commit-graph', 'verify'])).toBe('');
    const finder = new LastCommitFinder(r.ctx, new MemoryCache());
    const res = await finder.find(w.repo, c.head!, 'src', ['a.ts', 'b.ts'], 10_000);
    expect(Object.fromEntries(res.found)).toEqual({ 'a.ts': c.a, 'b.ts': c.side });
  });

  it('walks only the named entries for a single file', async () => {
    const finder = new LastCommitFinder(r.ctx, new MemoryCache());
    const res = await finder.find(w.repo, c.head!, 'src', ['b.ts'], 10_000, { perEntry: true });
    expect(Object.fromEntries(res.found)).toEqual({ 'b.ts': c.side });
    expect(res.dirCommit).toBeNull();
  });

  it('leaves rows pending rather than failing when the walk fails', async () => {
    const finder = new LastCommitFinder(r.ctx, new MemoryCache());
    const res = await finder.find({ id: 1, dir: '/nonexistent/repo.git' }, c.head!, '', ['LICENSE'], 5_000);
    expect(res.pending).toEqual(['LICENSE']);
  });

  it('sheds walks beyond its queue instead of piling them up, and serves them later', async () => {
    const finder = new LastCommitFinder(r.ctx, new MemoryCache(), { concurrency: 1, maxQueued: 0 });
    const first = finder.find(w.repo, c.head!, 'src', ['a.ts', 'b.ts'], 10_000);
    const shed = await finder.find(w.repo, c.head!, 'docs', ['new', 'x.md'], 10_000);
    expect(shed.pending).toEqual(['new', 'x.md']);
    expect((await first).pending).toEqual([]);
    expect((await finder.find(w.repo, c.head!, 'docs', ['new', 'x.md'], 10_000)).pending).toEqual([]);
  });

  it('parses the walk: headers, a leading newline on the first name, empty merge records', () => {
    const seen: string[] = [];
    const p = new WalkParser({ commit: (sha) => void seen.push(`commit ${sha}`), path: (sha, path) => void seen.push(`${sha}:${path}`) });
    const stream = '/aaa\0\nsrc/a.ts\0src/b.ts\0/bbb\0\0/ccc\0\n\nodd name\0';
    for (let i = 0; i < stream.length; i += 3) p.push(stream.slice(i, i + 3));
    expect(seen).toEqual(['commit aaa', 'aaa:src/a.ts', 'aaa:src/b.ts', 'commit bbb', 'commit ccc', 'ccc:\nodd name']);
  });
});
