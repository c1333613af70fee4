// The one path resolver: owner/repo names in, an absolute directory inside <data>/repos out.
// No other module builds a repository path.
import path from 'node:path';
import { AppError } from '../lib/errors.js';
import { OWNER_NAME_RE, REPO_NAME_RE } from '../lib/names.js';

export class RepoPaths {
  readonly root: string;

  constructor(reposRoot: string) {
    this.root = path.resolve(reposRoot);
  }

  /** `<root>/<owner>/<name>.git`, lowercased; throws for anything that isn't a plain name. */
  repoDir(owner: string, name: string): string {
    if (!OWNER_NAME_RE.test(owner) || !REPO_NAME_RE.test(name) || /\.git$/i.test(name)) {
      throw new AppError('invalid', 'invalid repository path');
    }
    const dir = path.resolve(this.root, owner.toLowerCase(), `${name.toLowerCase()}.git`);
    this.assertWithin(dir);
    return dir;
  }

  ownerDir(owner: string): string {
    if (!OWNER_NAME_RE.test(owner)) throw new AppError('invalid', 'invalid owner name');
    const dir = path.resolve(this.root, owner.toLowerCase());
    this.assertWithin(dir);
    return dir;
  }

  /** Scratch space on the same filesystem, so finished work can be renamed into place. */
  tmpDir(): string {
    return path.join(this.root, '.tmp');
  }

  assertWithin(p: string): void {
    const rel = path.relative(this.root, p);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new AppError('invalid', 'path escapes the repository root');
    }
  }
}
