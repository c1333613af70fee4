import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RepoPaths } from './paths.js';

const root = '/srv/gitssy/repos';
const paths = new RepoPaths(root);

describe('repository path resolver', () => {
  it('maps owner/name to a lowercased bare repo inside the root', () => {
    expect(paths.repoDir('Alice', 'My-Project')).toBe(path.join(root, 'alice', 'my-project.git'));
  });

  it.each([
    ['..', 'x'],
    ['alice', '..'],
    ['alice', '../bob'],
    ['alice', 'a/b'],
    ['alice', 'a\\b'],
    ['alice', '-x'],
    ['-alice', 'x'],
    ['alice', '.hidden'],
    ['alice', 'x.git'],
    ['alice', 'x\0y'],
    ['alice', ''],
    ['', 'x'],
    ['alice', 'a'.repeat(101)],
    ['a'.repeat(41), 'x'],
    ['alice', 'name with space'],
    ['alice', '%2e%2e'],
  ])('refuses owner %j, name %j', (owner, name) => {
    expect(() => paths.repoDir(owner, name)).toThrow();
  });

  it('refuses paths outside the root', () => {
    expect(() => paths.assertWithin('/srv/gitssy/other')).toThrow(/escapes/);
    expect(() => paths.assertWithin(root)).toThrow(/escapes/);
    expect(() => paths.assertWithin(path.join(root, 'alice', 'x.git'))).not.toThrow();
  });
});
