import { describe, expect, it } from 'vitest';
import { findReferences } from './references.js';

describe('findReferences', () => {
  it('finds local and cross-repository references', () => {
    expect(findReferences('see #12 and alice/proj#3.')).toEqual([
      { owner: null, repo: null, index: 12, closes: false },
      { owner: 'alice', repo: 'proj', index: 3, closes: false },
    ]);
  });
  it('understands the closing keywords, with a colon and with lists', () => {
    expect(findReferences('Fixes #1, #2 and #3; refs #4\nresolves: bob/x#5\nCloses #6')).toEqual([
      { owner: null, repo: null, index: 1, closes: true },
      { owner: null, repo: null, index: 2, closes: true },
      { owner: null, repo: null, index: 3, closes: true },
      { owner: null, repo: null, index: 4, closes: false },
      { owner: 'bob', repo: 'x', index: 5, closes: true },
      { owner: null, repo: null, index: 6, closes: true },
    ]);
  });
  it('leaves out code, words, URLs and keywords that are part of other words', () => {
    expect(findReferences('`fixes #1` a#2 http://h/p#3 prefixes #4 &#39;\n```\ncloses #5\n```')).toEqual([{ owner: null, repo: null, index: 4, closes: false }]);
  });
  it('can ignore keywords (issue bodies only reference)', () => {
    expect(findReferences('fixes #9', { keywords: false })).toEqual([{ owner: null, repo: null, index: 9, closes: false }]);
  });
  it('a closing mention wins over a plain one of the same issue', () => {
    expect(findReferences('#7 ... fix #7')).toEqual([{ owner: null, repo: null, index: 7, closes: true }]);
  });
});
