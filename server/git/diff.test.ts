import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRig, workRepo, type ReadRig, type WorkRepo } from '../../test/fixtures/git-repos.js';
import { parseRawNumstat, PatchCollector, quoteGitPath } from './diff-parse.js';
import { commitDiff, DEFAULT_DIFF_LIMITS, spawnRawDiff } from './diff.js';
import { readCommit } from './log.js';

let r: ReadRig;
let w: WorkRepo;
let root: string;
let change: string;

const lines = (n: number, tag = 'line') => Array.from({ length: n }, (_, i) => `${tag} ${i}`).join('\n') + '\n';

beforeAll(async () => {
  r = await readRig();
  w = await workRepo();
  root = await w.commit(
    {
      'keep.txt': lines(20),
      'old name.txt': lines(30, 'moved'),
      'gone.txt': 'bye\n',
      'image.png': Buffer.from([0x89, 0x50, 0, 1, 2, 3]),
      'tool.sh': 'echo\n',
      'becomes-link': 'was a file\n',
      'quote"d.txt': 'q\n',
    },
    'root',
  );
  change = await w.commit(
    {
      'keep.txt': lines(20).replace('line 5\n', 'line five\n'),
      'old name.txt': null,
      'new name.txt': lines(30, 'moved').replace('moved 29', 'moved twenty-nine'),
      'gone.txt': null,
      'added.txt': 'new\nfile\n',
      'image.png': Buffer.from([0x89, 0x50, 0, 9, 9, 9]),
      'tool.sh': { exec: 'echo\n' },
      'becomes-link': { symlink: 'keep.txt' },
      'quote"d.txt': 'q2\n',
    },
    'change',
  );
});
afterAll(async () => r?.close());

const byPath = <T extends { path: string }>(files: T[], p: string) => files.find((f) => f.path === p)!;

describe('commit diff', () => {
  it('lists every change with its status, counts and patch, renames detected', async () => {
    const commit = (await readCommit(r.ctx, w.repo, change))!;
    const d = await commitDiff(r.ctx, w.repo, commit);
    expect(d.totalFiles).toBe(8);
    expect(d.truncated).toBe(false);
    expect(byPath(d.files, 'keep.txt')).toMatchObject({ status: 'modified', additions: 1, deletions: 1, binary: false, patchTruncated: false });
    expect(byPath(d.files, 'keep.txt').patch).toMatch(/^diff --git a\/keep.txt b\/keep.txt\n[\s\S]*-line 5\n\+line five\n/);
    expect(byPath(d.files, 'new name.txt')).toMatchObject({ status: 'renamed', oldPath: 'old name.txt', additions: 1, deletions: 1 });
    expect(byPath(d.files, 'new name.txt').similarity).toBeGreaterThan(90);
    expect(byPath(d.files, 'new name.txt').patch).toMatch(/rename from old name.txt\nrename to new name.txt/);
    expect(byPath(d.files, 'gone.txt')).toMatchObject({ status: 'removed', deletions: 1 });
    expect(byPath(d.files, 'added.txt')).toMatchObject({ status: 'added', additions: 2, oldSha: '0'.repeat(40) });
    expect(byPath(d.files, 'image.png')).toMatchObject({ status: 'modified', binary: true, additions: 0 });
    expect(byPath(d.files, 'image.png').patch).toMatch(/Binary files a\/image.png and b\/image.png differ/);
    expect(byPath(d.files, 'tool.sh')).toMatchObject({ status: 'modified', oldMode: '100644', newMode: '100755' });
    expect(byPath(d.files, 'tool.sh').patch).toMatch(/old mode 100644\nnew mode 100755/);
    // a type change is one file with both halves of its patch
    const link = byPath(d.files, 'becomes-link');
    expect(link).toMatchObject({ status: 'changed', oldMode: '100644', newMode: '120000' });
    expect(link.patch!.match(/^diff --git /gm)).toHaveLength(2);
    expect(link.patch).toMatch(/\+keep.txt\n\\ No newline at end of file/);
    expect(byPath(d.files, 'quote"d.txt').patch).toMatch(/^diff --git "a\/quote\\"d.txt" "b\/quote\\"d.txt"/);
    expect(d.additions).toBe(d.files.reduce((n, f) => n + f.additions, 0));
  });

  it('diffs a root commit against nothing', async () => {
    const d = await commitDiff(r.ctx, w.repo, (await readCommit(r.ctx, w.repo, root))!);
    expect(d.files.every((f) => f.status === 'added')).toBe(true);
    expect(d.totalFiles).toBe(7);
    expect(byPath(d.files, 'keep.txt')).toMatchObject({ additions: 20 });
  });

  it('diffs a merge against its first parent', async () => {
    await w.commit({ 'm.txt': 'base\n' }, 'base');
    await w.git(['checkout', '-q', '-b', 'side']);
    await w.commit({ 'side.txt': 'side\n' }, 'side');
    await w.git(['checkout', '-q', 'main']);
    await w.commit({ 'main.txt': 'main\n' }, 'main');
    await w.git(['merge', '-q', '--no-edit', 'side']);
    const merge = (await readCommit(r.ctx, w.repo, (await w.git(['rev-parse', 'HEAD'])).trim()))!;
    expect(merge.parents).toHaveLength(2);
    const d = await commitDiff(r.ctx, w.repo, merge);
    expect(d.files.map((f) => f.path)).toEqual(['side.txt']);
  });

  it('caps files and lines and marks what it cut', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++) files[`many/f${String(i).padStart(2, '0')}.txt`] = lines(50);
    const big = await w.commit(files, 'many');
    const commit = (await readCommit(r.ctx, w.repo, big))!;
    const d = await commitDiff(r.ctx, w.repo, commit, { maxFiles: 5, maxLinesPerFile: 10, maxBytes: 1 << 20, maxListed: 8 });
    expect(d.totalFiles).toBe(12);
    expect(d.files).toHaveLength(8);
    expect(d.truncated).toBe(true);
    expect(d.files.slice(0, 5).every((f) => f.patch !== null && f.patchTruncated)).toBe(true);
    expect(d.files[0]!.patch!.split('\n').length).toBeLessThanOrEqual(12);
    expect(d.files.slice(5).every((f) => f.patch === null && f.patchTruncated)).toBe(true);
    expect(d.files.every((f) => f.additions === 50)).toBe(true);
  });

  it('streams the raw .diff and .patch', async () => {
    const commit = (await readCommit(r.ctx, w.repo, change))!;
    const read = (kind: 'diff' | 'patch') =>
      new Promise<string>((resolve) => {
        const g = spawnRawDiff(r.ctx, w.repo, commit, kind);
        let out = '';
        g.child.stdout!.on('data', (c) => (out += c));
        g.child.on('close', () => resolve(out));
      });
    expect(await read('diff')).toMatch(/^diff --git a\/added.txt b\/added.txt/);
    expect(await read('patch')).toMatch(new RegExp(`^From ${change} [\\s\\S]*Subject: \\[PATCH\\] change`));
  });
});

describe('diff parsers', () => {
  it('parses raw and numstat records, renames included', () => {
    const z = '\0';
    const raw =
      `:100644 100644 ${'a'.repeat(40)} ${'b'.repeat(40)} M${z}x.txt${z}` +
      `:100644 100644 ${'c'.repeat(40)} ${'d'.repeat(40)} R087${z}old${z}new${z}` +
      `:000000 100644 ${'0'.repeat(40)} ${'e'.repeat(40)} A${z}bin${z}` +
      `3\t1\tx.txt${z}` +
      `2\t2\t${z}old${z}new${z}` +
      `-\t-\tbin${z}`;
    const changes = parseRawNumstat(Buffer.from(raw));
    expect(changes).toEqual([
      expect.objectContaining({ path: 'x.txt', oldPath: 'x.txt', status: 'modified', additions: 3, deletions: 1, similarity: null }),
      expect.objectContaining({ path: 'new', oldPath: 'old', status: 'renamed', similarity: 87, additions: 2, deletions: 2 }),
      expect.objectContaining({ path: 'bin', status: 'added', binary: true, additions: 0 }),
    ]);
    expect(parseRawNumstat(Buffer.alloc(0))).toEqual([]);
  });

  it('quotes paths in headers the way git does', () => {
    expect(quoteGitPath('a/plain name.txt')).toBe('a/plain name.txt');
    expect(quoteGitPath('a/tab\there')).toBe('"a/tab\\there"');
    expect(quoteGitPath('a/q"\\')).toBe('"a/q\\"\\\\"');
    expect(quoteGitPath('a/\x01')).toBe('"a/\\001"');
    expect(quoteGitPath('a/ünï')).toBe('a/ünï');
  });

  it('splits a patch into files and stops at the byte cap', () => {
    const c = new PatchCollector({ maxFiles: 10, maxLinesPerFile: 100, maxBytes: 60 });
    const patch = 'diff --git a/x b/x\n+1\n+2\ndiff --git a/y b/y\n+' + 'y'.repeat(100) + '\ndiff --git a/z b/z\n+z\n';
    // fed in awkward pieces
    for (let i = 0; i < patch.length; i += 7) c.push(Buffer.from(patch.slice(i, i + 7)));
    const sections = c.end();
    expect(sections.map((s) => s.header)).toEqual(['diff --git a/x b/x', 'diff --git a/y b/y']);
    expect(sections[0]).toMatchObject({ text: 'diff --git a/x b/x\n+1\n+2\n', truncated: false });
    expect(sections[1]!.truncated).toBe(true);
    expect(c.truncated).toBe(true);
  });

  it('keeps a multi-byte character split across chunks intact', () => {
    const c = new PatchCollector(DEFAULT_DIFF_LIMITS);
    const bytes = Buffer.from('diff --git a/x b/x\n+ünï\n');
    c.push(bytes.subarray(0, 21));
    c.push(bytes.subarray(21));
    expect(c.end()[0]!.text).toBe('diff --git a/x b/x\n+ünï\n');
  });
});
