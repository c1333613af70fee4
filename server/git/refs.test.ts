import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRig, workRepo, type ReadRig, type WorkRepo } from '../../test/fixtures/git-repos.js';
import { listBranches, listTags, resolveRefPrefix, resolveRevision, revisionProblem } from './refs.js';

let r: ReadRig;
let w: WorkRepo;
let first: string;
let second: string;

beforeAll(async () => {
  r = await readRig();
  w = await workRepo();
  first = await w.commit({ a: '1' }, 'one');
  second = await w.commit({ a: '2' }, 'two');
  await w.git(['branch', 'feature/deep/x', first]);
  await w.git(['tag', 'v1', first]);
  await w.git(['tag', '-a', 'v2', '-m', 'annotated', second]);
  // a tag and a branch with the same name: the branch wins, as in Gitea
  await w.git(['tag', 'same', first]);
  await w.git(['branch', 'same', second]);
});
afterAll(async () => r?.close());

describe('revisions from callers', () => {
  it('refuses what git would read as an option, a range, a path or reflog syntax', () => {
    for (const bad of ['--output=/tmp/x', '-n', 'main:secret.txt', 'HEAD@{1}', 'a..b', 'main^{tree}', 'main~1', 'x y', 'a\nb', 'a\0b', '', 'x/.hidden', 'x/-y', 'x.lock', 'a/', '@']) {
      expect(revisionProblem(bad), JSON.stringify(bad)).not.toBeNull();
    }
    for (const good of ['main', 'feature/deep/x', 'v1.0', 'deadbeef', 'a'.repeat(40), 'release-2024_01']) expect(revisionProblem(good)).toBeNull();
  });

  it('resolves a branch, a lightweight tag, an annotated tag (peeled) and a commit id', async () => {
    expect(await resolveRevision(r.ctx, w.repo, 'main')).toEqual({ name: 'main', kind: 'branch', commit: second });
    expect(await resolveRevision(r.ctx, w.repo, 'v1')).toEqual({ name: 'v1', kind: 'tag', commit: first });
    expect(await resolveRevision(r.ctx, w.repo, 'v2')).toEqual({ name: 'v2', kind: 'tag', commit: second });
    expect(await resolveRevision(r.ctx, w.repo, first.slice(0, 10))).toEqual({ name: first.slice(0, 10), kind: 'commit', commit: first });
    expect(await resolveRevision(r.ctx, w.repo, 'same')).toMatchObject({ kind: 'branch', commit: second });
    expect(await resolveRevision(r.ctx, w.repo, 'nope')).toBeNull();
    await expect(resolveRevision(r.ctx, w.repo, '--output=x')).rejects.toMatchObject({ status: 422 });
  });

  it('splits <ref>/<path> where the branch name has slashes', async () => {
    expect(await resolveRefPrefix(r.ctx, w.repo, ['feature', 'deep', 'x', 'src', 'a.ts'])).toEqual({ ref: { name: 'feature/deep/x', kind: 'branch', commit: first }, rest: ['src', 'a.ts'] });
    expect(await resolveRefPrefix(r.ctx, w.repo, ['main'])).toMatchObject({ ref: { name: 'main' }, rest: [] });
    expect(await resolveRefPrefix(r.ctx, w.repo, ['v2', 'a'])).toMatchObject({ ref: { name: 'v2', kind: 'tag', commit: second }, rest: ['a'] });
    expect(await resolveRefPrefix(r.ctx, w.repo, [second, 'a'])).toMatchObject({ ref: { kind: 'commit', commit: second }, rest: ['a'] });
    expect(await resolveRefPrefix(r.ctx, w.repo, ['same'], 'tag')).toMatchObject({ ref: { kind: 'tag', commit: first } });
    expect(await resolveRefPrefix(r.ctx, w.repo, ['main'], 'tag')).toBeNull();
    expect(await resolveRefPrefix(r.ctx, w.repo, ['nope', 'x'])).toBeNull();
    expect(await resolveRefPrefix(r.ctx, w.repo, ['--output=x'])).toBeNull();
  });

  it('lists branches by name and tags newest first', async () => {
    expect((await listBranches(r.ctx, w.repo)).map((b) => [b.name, b.sha])).toEqual([
      ['feature/deep/x', first],
      ['main', second],
      ['same', second],
    ]);
    const tags = await listTags(r.ctx, w.repo);
    expect(tags.map((t) => t.name)).toEqual(['v2', 'same', 'v1']);
    expect(tags[0]).toMatchObject({ type: 'tag', peeled: second });
    expect(tags[2]).toMatchObject({ type: 'commit', sha: first, peeled: null });
  });
});
