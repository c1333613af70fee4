import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRig, workRepo, type ReadRig, type WorkRepo } from '../../test/fixtures/git-repos.js';
import { BranchFiles } from './branch-files.js';
import { resolveRefPrefix, resolveRevision } from './refs.js';

let r: ReadRig;
let w: WorkRepo;

beforeAll(async () => {
  r = await readRig();
  w = await workRepo();
});
afterAll(async () => r?.close());

describe('branch tips from the ref files', () => {
  it('answers only for ids git has confirmed as commits, loose or packed', async () => {
    const one = await w.commit({ 'a.txt': '1' }, 'one');
    await w.git(['branch', 'feature/x']);
    const b = new BranchFiles();
    const dir = w.repo.dir;
    expect(b.tip(dir, 'main')).toBeUndefined();
    b.noteCommit(dir, one);
    expect(b.tip(dir, 'main')).toBe(one);
    expect(b.tip(dir, 'feature/x')).toBe(one);
    await w.git(['pack-refs', '--all']);
    expect(b.tip(dir, 'main')).toBe(one); // from packed-refs now
    const two = await w.commit({ 'a.txt': '2' }, 'two'); // a loose ref again, not yet confirmed
    expect(b.tip(dir, 'main')).toBeUndefined();
    b.noteCommit(dir, two);
    expect(b.tip(dir, 'main')).toBe(two);
    await w.git(['branch', '-D', 'feature/x']);
    expect(b.tip(dir, 'feature/x')).toBeUndefined();
    for (const bad of ['../HEAD', 'a/../main', '', 'main/']) expect(b.tip(dir, bad)).toBeUndefined();
  });

  it('gives the resolvers the same answers as git, and follows a moved branch', async () => {
    const branches = new BranchFiles();
    const fast = { ...r.ctx, branches };
    const tip = (await w.git(['rev-parse', 'main'])).trim();
    expect(await resolveRevision(fast, w.repo, 'main')).toEqual({ name: 'main', kind: 'branch', commit: tip });
    expect(branches.tip(w.repo.dir, 'main')).toBe(tip); // confirmed by git on the way
    expect(await resolveRevision(fast, w.repo, 'main')).toEqual(await resolveRevision(r.ctx, w.repo, 'main'));
    expect(await resolveRefPrefix(fast, w.repo, ['main', 'a.txt'])).toEqual({ ref: { name: 'main', kind: 'branch', commit: tip }, rest: ['a.txt'] });
    const moved = await w.commit({ 'b.txt': 'b' }, 'three');
    expect(await resolveRevision(fast, w.repo, 'main')).toEqual({ name: 'main', kind: 'branch', commit: moved });
    expect(await resolveRefPrefix(fast, w.repo, ['main', 'b.txt'], 'branch')).toEqual({ ref: { name: 'main', kind: 'branch', commit: moved }, rest: ['b.txt'] });
    // a tag of the same name as a path prefix is still found the slow way
    await w.git(['tag', 'v1', tip]);
    expect(await resolveRefPrefix(fast, w.repo, ['v1', 'a.txt'])).toEqual({ ref: { name: 'v1', kind: 'tag', commit: tip }, rest: ['a.txt'] });
  });
});
