import { describe, expect, it } from 'vitest';
import { checkEditPath, isDotGitAlias, parentsOf } from './paths.js';

describe('isDotGitAlias', () => {
  it('catches every spelling a filesystem folds back to .git', () => {
    for (const name of [
      '.git',
      '.GIT',
      '.Git',
      '.git.',
      '.git..',
      '.git ',
      '.git . .',
      '.git::$INDEX_ALLOCATION',
      '.GIT:stream',
      'git~1',
      'GIT~1',
      'git~1.',
      '.g\u200cit',
      '\u200e.git',
      '.gi\ufefft',
      '.git\u200d',
    ])
      expect(isDotGitAlias(name), JSON.stringify(name)).toBe(true);
  });
  it('leaves ordinary names alone', () => {
    for (const name of ['.gitignore', '.github', 'git', '.gitmodules', 'git~10', 'my.git', 'a.git.b']) expect(isDotGitAlias(name), name).toBe(false);
  });
});

describe('checkEditPath', () => {
  const refused = (p: string, creating = false) => expect(() => checkEditPath(p, { creating }), JSON.stringify(p)).toThrow();
  it('takes ordinary paths as they are', () => {
    expect(checkEditPath('docs/guide.md', { creating: true })).toBe('docs/guide.md');
    expect(checkEditPath('src/.github/workflows/ci.yml', { creating: true })).toBe('src/.github/workflows/ci.yml');
  });
  it('refuses traversal, absolute paths, empty names, backslashes and control characters', () => {
    for (const p of ['', '..', 'a/..', '../a', 'a/./b', '/abs', 'C:/x', 'a//b', 'a/', 'a\\b', 'a\nb', 'a\0b']) refused(p);
  });
  it('refuses .git anywhere in the path', () => {
    for (const p of ['.git/config', 'sub/.GIT/hooks/pre-receive', 'x/git~1/y']) refused(p);
  });
  it('refuses names Windows cannot store, for new files only', () => {
    refused('con.txt', true);
    refused('dir/aux', true);
    refused('what?.md', true);
    refused('trailing.', true);
    expect(checkEditPath('con.txt', { creating: false })).toBe('con.txt');
  });
  it('names the field in its message', () => {
    expect(() => checkEditPath('../x', { creating: true, field: 'files[3].path' })).toThrow(/^files\[3\]\.path "\.\.\/x"/);
  });
  it('lists the folders a path lies in', () => {
    expect(parentsOf('a/b/c.txt')).toEqual(['a', 'a/b']);
    expect(parentsOf('top.txt')).toEqual([]);
  });
});
