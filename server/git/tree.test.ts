import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRig, workRepo, type ReadRig, type WorkRepo } from '../../test/fixtures/git-repos.js';
import { cleanTreePath, entryAt, findReadme, listTree, lsTree, type TreeEntry } from './tree.js';

let r: ReadRig;
let w: WorkRepo;
let head: string;

beforeAll(async () => {
  r = await readRig();
  w = await workRepo();
  head = await w.commit(
    {
      'README.md': '# hi\n',
      'src/main.ts': 'export {};\n',
      'src/deep/a.txt': 'a',
      'run.sh': { exec: '#!/bin/sh\necho hi\n' },
      escape: { symlink: '../../../../etc/passwd' },
      inside: { symlink: 'src/main.ts' },
      'with space.txt': 'spaces\n',
      '-dash.txt': 'dash\n',
    },
    'files',
  );
  // a submodule entry (gitlink) without a .gitmodules checkout
  await w.git(['update-index', '--add', '--cacheinfo', `160000,${'5'.repeat(40)},vendor/lib`]);
  await w.git(['commit', '-q', '-m', 'submodule']);
  head = (await w.git(['rev-parse', 'HEAD'])).trim();
});
afterAll(async () => r?.close());

const byName = (entries: TreeEntry[], name: string) => entries.find((e) => e.name === name)!;

describe('tree reader', () => {
  it('lists a directory, directories first, with sizes, modes and shas', async () => {
    const root = await entryAt(r.ctx, w.repo, head, '');
    const { entries, total, truncated } = await listTree(r.ctx, w.repo, root!.sha, '');
    expect(entries.map((e) => e.name)).toEqual(['src', 'vendor', '-dash.txt', 'README.md', 'escape', 'inside', 'run.sh', 'with space.txt']);
    expect(total).toBe(8);
    expect(truncated).toBe(false);
    expect(byName(entries, 'README.md')).toMatchObject({ type: 'file', mode: '100644', size: 5, path: 'README.md' });
    expect(byName(entries, 'run.sh')).toMatchObject({ type: 'file', mode: '100755' });
    expect(byName(entries, 'src')).toMatchObject({ type: 'dir', size: null });
    expect(byName(entries, 'README.md').sha).toBe((await w.git(['rev-parse', 'HEAD:README.md'])).trim());
  });

  it('shows symlinks as links with their target text and never follows them', async () => {
    const root = await entryAt(r.ctx, w.repo, head, '');
    const { entries } = await listTree(r.ctx, w.repo, root!.sha, '');
    expect(byName(entries, 'escape')).toMatchObject({ type: 'symlink', mode: '120000', target: '../../../../etc/passwd', size: 22 });
    expect(byName(entries, 'inside')).toMatchObject({ type: 'symlink', target: 'src/main.ts' });
    expect(await entryAt(r.ctx, w.repo, head, 'escape')).toMatchObject({ type: 'symlink', target: '../../../../etc/passwd' });
    // a path through a symlink is not resolved
    expect(await entryAt(r.ctx, w.repo, head, 'inside/x')).toBeNull();
  });

  it('shows a submodule as the commit it pins', async () => {
    const sub = await entryAt(r.ctx, w.repo, head, 'vendor/lib');
    expect(sub).toMatchObject({ type: 'submodule', mode: '160000', sha: '5'.repeat(40), size: null });
  });

  it('finds nested entries and answers null for paths that are not there', async () => {
    expect(await entryAt(r.ctx, w.repo, head, 'src/deep/a.txt')).toMatchObject({ name: 'a.txt', path: 'src/deep/a.txt', size: 1 });
    expect(await entryAt(r.ctx, w.repo, head, 'src/deep')).toMatchObject({ type: 'dir' });
    expect(await entryAt(r.ctx, w.repo, head, 'src/nope')).toBeNull();
    expect(await entryAt(r.ctx, w.repo, head, 'README.md/x')).toBeNull();
    expect(await entryAt(r.ctx, w.repo, head, 'with space.txt')).toMatchObject({ size: 7 });
    expect(await entryAt(r.ctx, w.repo, head, '-dash.txt')).toMatchObject({ size: 5 });
  });

  it('caps long listings and says so', async () => {
    const root = await entryAt(r.ctx, w.repo, head, '');
    const { entries, total, truncated } = await listTree(r.ctx, w.repo, root!.sha, '', 3);
    expect(entries).toHaveLength(3);
    expect(total).toBe(8);
    expect(truncated).toBe(true);
  });

  it('lists a tree in git order, or everything below it, a page at a time', async () => {
    const root = (await entryAt(r.ctx, w.repo, head, ''))!;
    const flat = await lsTree(r.ctx, w.repo, root.sha, { recursive: false, skip: 0, limit: 100 });
    expect(flat.rows.map((e) => e.path)).toEqual(['-dash.txt', 'README.md', 'escape', 'inside', 'run.sh', 'src', 'vendor', 'with space.txt']);
    expect(flat.rows.find((e) => e.path === 'src')).toMatchObject({ type: 'tree', size: null });
    expect(flat.rows.find((e) => e.path === 'README.md')).toMatchObject({ type: 'blob', size: 5, mode: '100644' });
    const deep = await lsTree(r.ctx, w.repo, root.sha, { recursive: true, skip: 0, limit: 100 });
    expect(deep.rows.map((e) => e.path)).toContain('src/deep/a.txt');
    expect(deep.rows.find((e) => e.path === 'vendor/lib')).toMatchObject({ type: 'commit', sha: '5'.repeat(40) });
    const page = await lsTree(r.ctx, w.repo, root.sha, { recursive: true, skip: 2, limit: 2 });
    expect(page.rows.map((e) => e.path)).toEqual(deep.rows.slice(2, 4).map((e) => e.path));
    expect(page.total).toBe(deep.total);
  });

  it('picks README.md over README and readme.* variants', () => {
    const e = (name: string, type: TreeEntry['type'] = 'file'): TreeEntry => ({ name, path: name, mode: '100644', type, sha: '', size: 1, target: null });
    expect(findReadme([e('readme.txt'), e('README'), e('README.md')])?.name).toBe('README.md');
    expect(findReadme([e('readme.txt'), e('README')])?.name).toBe('README');
    expect(findReadme([e('Readme.rst'), e('readme.zz')])?.name).toBe('Readme.rst');
    expect(findReadme([e('README.md', 'symlink'), e('README.md', 'dir'), e('readmefile')])).toBeNull();
  });
});

describe('tree paths from callers', () => {
  it('accepts plain paths and drops leading and trailing slashes', () => {
    expect(cleanTreePath(['src', 'deep', 'a.txt'])).toBe('src/deep/a.txt');
    expect(cleanTreePath('/src/x/')).toBe('src/x');
    expect(cleanTreePath(['a', ''])).toBe('a');
    expect(cleanTreePath(undefined)).toBe('');
    expect(cleanTreePath(['with space', 'ünï'])).toBe('with space/ünï');
    expect(cleanTreePath(['-dash'])).toBe('-dash');
  });

  it('refuses traversal, NUL, line breaks, encoded slashes, empty segments and oversized paths', () => {
    for (const bad of [['..'], ['a', '..', 'b'], ['.'], ['a', '', 'b'], ['a\0b'], ['a\nb'], ['a/b'], ['x'.repeat(256)], Array(3000).fill('ab')]) {
      expect(() => cleanTreePath(bad), JSON.stringify(bad).slice(0, 40)).toThrow(/invalid path/);
    }
    expect(() => cleanTreePath('a/../b')).toThrow(/invalid path/);
    expect(() => cleanTreePath(['a', 1])).toThrow(/invalid path/);
    expect(() => cleanTreePath({})).toThrow(/invalid path/);
  });
});
