import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRig, workRepo, type ReadRig, type WorkRepo } from '../../test/fixtures/git-repos.js';
import { contributors, countCommits, logShas, readCommits } from './log.js';

let r: ReadRig;
let w: WorkRepo;
const shas: string[] = [];

beforeAll(async () => {
  r = await readRig();
  w = await workRepo();
  const ada: [string, string] = ['Ada', 'ada@example.test'];
  const bob: [string, string] = ['Bob', 'bob@example.test'];
  shas.push(await w.commit({ 'README.md': '1', 'docs/a.md': 'a' }, 'c1', { author: ada }));
  shas.push(await w.commit({ 'src/x.ts': '1' }, 'c2', { author: bob }));
  shas.push(await w.commit({ 'docs/a.md': 'b' }, 'c3', { author: ada }));
  shas.push(await w.commit({ '*.txt': 'literally a star', '-n': 'dash' }, 'c4', { author: ['Ada Lovelace', 'ADA@example.test'] }));
  shas.push(await w.commit({ 'src/x.ts': '2' }, 'c5', { author: bob }));
});
afterAll(async () => r?.close());

describe('history reader', () => {
  it('pages through history newest first', async () => {
    const head = shas.at(-1)!;
    expect(await logShas(r.ctx, w.repo, head, { skip: 0, limit: 2 })).toEqual([shas[4], shas[3]]);
    expect(await logShas(r.ctx, w.repo, head, { skip: 2, limit: 2 })).toEqual([shas[2], shas[1]]);
    expect(await logShas(r.ctx, w.repo, head, { skip: 4, limit: 2 })).toEqual([shas[0]]);
    expect(await logShas(r.ctx, w.repo, head, { skip: 10, limit: 2 })).toEqual([]);
    expect(await countCommits(r.ctx, w.repo, head)).toBe(5);
  });

  it('filters by a file or a directory, taking the path literally', async () => {
    const head = shas.at(-1)!;
    expect(await logShas(r.ctx, w.repo, head, { path: 'docs', skip: 0, limit: 10 })).toEqual([shas[2], shas[0]]);
    expect(await logShas(r.ctx, w.repo, head, { path: 'src/x.ts', skip: 0, limit: 10 })).toEqual([shas[4], shas[1]]);
    expect(await countCommits(r.ctx, w.repo, head, 'docs')).toBe(2);
    // no glob or pathspec magic, and a leading dash is a file name
    expect(await logShas(r.ctx, w.repo, head, { path: '*.txt', skip: 0, limit: 10 })).toEqual([shas[3]]);
    expect(await logShas(r.ctx, w.repo, head, { path: '*.md', skip: 0, limit: 10 })).toEqual([]);
    expect(await logShas(r.ctx, w.repo, head, { path: ':(exclude)docs', skip: 0, limit: 10 })).toEqual([]);
    expect(await logShas(r.ctx, w.repo, head, { path: '-n', skip: 0, limit: 10 })).toEqual([shas[3]]);
  });

  it('reads commits in the order asked, leaving out ids that are not commits', async () => {
    const commits = await readCommits(r.ctx, w.repo, [shas[1]!, '0'.repeat(40), shas[0]!]);
    expect(commits.map((c) => [c.sha, c.message.trim(), c.author.name])).toEqual([
      [shas[1], 'c2', 'Bob'],
      [shas[0], 'c1', 'Ada'],
    ]);
    expect(commits[0]!.parents).toEqual([shas[0]]);
  });

  it('counts commits per author, one person per email address, named as in their latest commit', async () => {
    expect(await contributors(r.ctx, w.repo, shas.at(-1)!)).toEqual([
      { name: 'Ada Lovelace', email: 'ADA@example.test', commits: 3 },
      { name: 'Bob', email: 'bob@example.test', commits: 2 },
    ]);
    expect(await contributors(r.ctx, w.repo, shas[0]!)).toEqual([{ name: 'Ada', email: 'ada@example.test', commits: 1 }]);
  });
});
