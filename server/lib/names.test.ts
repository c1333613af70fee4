import { describe, expect, it } from 'vitest';
import { branchNameProblem, ownerNameProblem, repoNameProblem } from './names.js';

describe('names', () => {
  it.each(['pub', 'My.Project', 'a_b-c', '_private', 'x'.repeat(100), 'v1.0'])('accepts repository name %j', (n) => {
    expect(repoNameProblem(n)).toBeNull();
  });

  it.each(['', '-x', '.x', 'x.git', 'X.GIT', 'x.wiki', 'a/b', 'a b', '..', 'api', 'x'.repeat(101), 'a\0b', 'é'])('refuses repository name %j', (n) => {
    expect(repoNameProblem(n)).not.toBeNull();
  });

  it.each(['alice', 'a.b', 'a-b_c', 'A1'])('accepts user name %j', (n) => expect(ownerNameProblem(n)).toBeNull());
  it.each(['-a', 'a-', 'a..b', 'api', 'admin', 'explore', 'a'.repeat(41), 'a b', ''])('refuses user name %j', (n) => expect(ownerNameProblem(n)).not.toBeNull());

  it.each(['main', 'feature/x', 'release-1.0'])('accepts branch %j', (b) => expect(branchNameProblem(b)).toBeNull());
  it.each(['-x', 'a..b', 'a b', 'x.lock', 'a/', '/a', 'a//b', 'a@{1}', 'a~1', 'a^', 'a:b', '@', ''])('refuses branch %j', (b) => expect(branchNameProblem(b)).not.toBeNull());
});
