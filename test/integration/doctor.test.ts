// `gitssy doctor` against real damage: a reachable blob deleted, a reachable tree deleted, a
// ref pointing at nothing. git fsck reports the first two only on stdout; doctor must go by
// git's exit status and pass on what git printed, naming the repository.
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, git, gitOk, makeRepo, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
const REPOS = ['healthy', 'noblob', 'notree', 'badref'];
const MISSING = '0123456789abcdef0123456789abcdef01234567';

let s: TestServer;
const gitDir = (name: string) => path.join(s.data, 'repos', 'alice', `${name}.git`);
const rev = async (name: string, spec: string) => (await gitOk(['--git-dir', gitDir(name), 'rev-parse', spec])).trim();
/** Deletes a loose object (a small push leaves its objects loose). */
async function deleteObject(name: string, sha: string): Promise<void> {
  const file = path.join(gitDir(name), 'objects', sha.slice(0, 2), sha.slice(2));
  expect(existsSync(file), `${file} should be a loose object`).toBe(true);
  await rm(file);
}

beforeAll(async () => {
  s = await startServer();
  await createUser(s, 'alice', alice[1], { admin: true });
  const src = await tempDir();
  await makeRepo(src, 3);
  for (const name of REPOS) {
    await createRepo(s, alice, { name });
    await gitOk(['push', '-q', s.gitUrl(`alice/${name}.git`, alice), 'main'], { cwd: src });
  }
});
afterAll(async () => s?.stop());

describe('gitssy doctor', () => {
  it('passes on sound repositories', async () => {
    const r = await s.cli(['doctor']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^doctor: database and 4 repositories checked, 0 problems$/m);
    expect(r.stdout).not.toMatch(/^problem:/m);
  });

  it('fails on a missing blob, a missing tree and a broken ref, printing what git found for each', async () => {
    const blob = await rev('noblob', 'main:README.md');
    await deleteObject('noblob', blob);
    const tree = await rev('notree', 'main:src');
    await deleteObject('notree', tree);
    await writeFile(path.join(gitDir('badref'), 'refs', 'heads', 'broken'), `${MISSING}\n`);

    // what makes this worth a test: git says "missing blob" on stdout only, and exits non-zero
    const direct = await git(['--git-dir', gitDir('noblob'), 'fsck', '--connectivity-only', '--no-progress', '--no-dangling']);
    expect(direct.code).not.toBe(0);
    expect(direct.stdout).toContain(`missing blob ${blob}`);
    expect(direct.stderr).not.toContain('missing');

    const r = await s.cli(['doctor']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const problems = r.stdout.split('\n').filter((l) => l.startsWith('problem: '));
    expect(problems).toContain(`problem: alice/noblob: missing blob ${blob}`);
    expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^problem: alice/noblob: broken link from tree [0-9a-f]{40} to blob ${blob}$`)));
    expect(problems).toContain(`problem: alice/notree: missing tree ${tree}`);
    expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^problem: alice/notree: broken link from tree [0-9a-f]{40} to tree ${tree}$`)));
    expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^problem: alice/badref: error: refs/heads/broken: invalid sha1 pointer ${MISSING}$`)));
    expect(problems.filter((l) => l.startsWith('problem: alice/healthy'))).toEqual([]);
    expect(r.stdout).toMatch(/^\[\d\/4\] alice\/healthy: ok$/m);
    for (const name of ['noblob', 'notree', 'badref']) expect(r.stdout).toMatch(new RegExp(`^\\[\\d/4\\] alice/${name}: PROBLEMS$`, 'm'));
    expect(r.stdout).toContain(`doctor: database and 4 repositories checked, ${problems.length} problems\n`);
  });
});
