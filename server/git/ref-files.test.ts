import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { workRepo } from '../../test/fixtures/git-repos.js';
import { gitOk } from '../../test/fixtures/rig.js';
import { parsePackedRefs, readRefFiles } from './ref-files.js';

describe('all refs from the ref files', () => {
  async function forEachRef(dir: string): Promise<Map<string, string>> {
    const stdout = await gitOk(['--git-dir', dir, 'for-each-ref', '--format=%(objectname) %(refname)']);
    return new Map(
      stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => [l.slice(l.indexOf(' ') + 1), l.slice(0, l.indexOf(' '))] as [string, string]),
    );
  }

  it('reads what git for-each-ref lists: loose over packed, nested names, tags, deletions', async () => {
    const w2 = await workRepo();
    const dir = w2.repo.dir;
    const one = await w2.commit({ 'a.txt': '1' }, 'one');
    await w2.git(['branch', 'feature/deep/x']);
    await w2.git(['tag', '-a', 'v1', '-m', 'v1']);
    await w2.git(['tag', 'light']);
    await w2.git(['pack-refs', '--all']);
    const two = await w2.commit({ 'a.txt': '2' }, 'two'); // main loose again, newer than its packed line
    await w2.git(['branch', 'after-pack']);
    await w2.git(['branch', '-D', 'feature/deep/x']); // was only packed: gone from packed-refs too
    const got = await readRefFiles(dir);
    expect(got).toEqual(await forEachRef(dir));
    expect(got!.get('refs/heads/main')).toBe(two);
    expect(got!.has('refs/heads/feature/deep/x')).toBe(false);
    expect(got!.get('refs/tags/light')).toBe(one);
    // an interrupted writer's lock file is not a ref
    await writeFile(path.join(dir, 'refs', 'heads', 'main.lock'), `${one}\n`);
    expect(await readRefFiles(dir)).toEqual(await forEachRef(dir));
  });

  it('leaves a symbolic ref or a damaged file to git', async () => {
    const w3 = await workRepo();
    await w3.commit({ 'a.txt': '1' }, 'one');
    await writeFile(path.join(w3.repo.dir, 'refs', 'heads', 'alias'), 'ref: refs/heads/main\n');
    expect(await readRefFiles(w3.repo.dir)).toBeNull();
    await writeFile(path.join(w3.repo.dir, 'refs', 'heads', 'alias'), 'not an id\n');
    expect(await readRefFiles(w3.repo.dir)).toBeNull();
  });
});

describe('packed-refs lines', () => {
  it('takes ids and names, skips comments and peeled lines, and refuses anything else', () => {
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    expect(parsePackedRefs(`# pack-refs with: peeled fully-peeled sorted \n${a} refs/heads/main\n${b} refs/tags/v1\n^${a}\n`)).toEqual(
      new Map([
        ['refs/heads/main', a],
        ['refs/tags/v1', b],
      ]),
    );
    expect(parsePackedRefs('')).toEqual(new Map());
    expect(parsePackedRefs(`${a} HEAD\n`)).toBeNull();
    expect(parsePackedRefs(`not-an-id refs/heads/main\n`)).toBeNull();
  });
});
