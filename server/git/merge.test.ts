// The merge engine against real git: histories are written into temp bare repos with one
// `git fast-import` each; a throwaway worktree serves only as the oracle (`git rebase`,
// `git cherry-pick`), never as part of the engine.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gitBaseEnv, runGit, type GitEnv } from './command.js';
import {
  assertMergeVersion,
  commitTree,
  gitVersion,
  isAncestor,
  mergeBase,
  mergeTrees,
  mergeTreesWithBase,
  MergeUnsupportedError,
  parseMergeTreeOutput,
  performMerge,
  type Signature,
} from './merge.js';
import { gitOk, tempDir } from '../../test/fixtures/rig.js';

type Files = Record<string, string | Buffer | null>;

interface Spec {
  /** Name to refer to this commit by (and to use as `from` in later specs). */
  name: string;
  /** Parent: a name from this or an earlier build, or a sha; none = root commit. */
  from?: string;
  merge?: string[];
  files?: Files;
  message?: string | Buffer;
  /** An `encoding` header (the message bytes are then in that encoding). */
  encoding?: string;
  author?: Signature;
}

interface Repo {
  dir: string;
  /** Name → sha for every commit built so far. */
  c: Record<string, string>;
  build(specs: Spec[]): Promise<void>;
  git(args: string[], input?: string): Promise<string>;
}

const GIVEN: Signature = { name: 'Merger Person', email: 'merger@example.test', when: 1_800_000_000, tz: '+0100' };
const COMMITTER: Signature = { name: 'Gitssy Bot', email: 'bot@example.test', when: 1_800_000_500, tz: '+0000' };
let env: GitEnv;
let clock = 1_700_000_000;

async function bareRepo(): Promise<Repo> {
  const dir = await tempDir('gitssy-merge-');
  await gitOk(['init', '-q', '--bare', '-b', 'main', dir]);
  const git = (args: string[], input?: string) => gitOk(['--git-dir', dir, ...args], input === undefined ? {} : { input });
  const repo: Repo = {
    dir,
    c: {},
    git,
    async build(specs) {
      const chunks: Buffer[] = [];
      const w = (s: string | Buffer) => chunks.push(Buffer.isBuffer(s) ? s : Buffer.from(s));
      const data = (s: string | Buffer) => {
        const b = Buffer.isBuffer(s) ? s : Buffer.from(s);
        w(`data ${b.length}\n`);
        w(b);
        w('\n');
      };
      const ref = (name: string) => repo.c[name] ?? (specs.some((s) => s.name === name) ? `:${specs.findIndex((s) => s.name === name) + 1}` : name);
      specs.forEach((s, i) => {
        clock += 60;
        const a = s.author ?? { name: 'Test Author', email: 'author@example.test', when: clock, tz: '+0200' };
        w('reset refs/heads/scratch\n');
        w(`commit refs/heads/scratch\nmark :${i + 1}\n`);
        w(`author ${a.name} <${a.email}> ${a.when} ${a.tz ?? '+0000'}\n`);
        w(`committer Original Committer <orig@example.test> ${clock} +0200\n`);
        if (s.encoding) w(`encoding ${s.encoding}\n`);
        data(s.message ?? `${s.name}\n`);
        if (s.from) w(`from ${ref(s.from)}\n`);
        for (const m of s.merge ?? []) w(`merge ${ref(m)}\n`);
        for (const [p, content] of Object.entries(s.files ?? {})) {
          if (content === null) w(`D ${p}\n`);
          else {
            w(`M 100644 inline ${p}\n`);
            data(content);
          }
        }
        w('\n');
      });
      const marks = path.join(dir, 'marks');
      await runGit(env, ['--git-dir', dir, 'fast-import', '--quiet', `--export-marks=${marks}`], { input: Buffer.concat(chunks) });
      for (const line of (await readFile(marks, 'utf8')).split('\n').filter(Boolean)) {
        const [mark, sha] = line.split(' ');
        repo.c[specs[Number(mark!.slice(1)) - 1]!.name] = sha!;
      }
    },
  };
  return repo;
}

const show = (r: Repo, rev: string) => r.git(['show', rev]);
const treeOf = async (r: Repo, rev: string) => (await r.git(['rev-parse', `${rev}^{tree}`])).trim();
const parentsOf = async (r: Repo, sha: string) => (await r.git(['rev-list', '--parents', '-n1', sha])).trim().split(' ').slice(1);
const lsTree = async (r: Repo, rev: string) => (await r.git(['ls-tree', '-r', '--name-only', rev])).trim().split('\n');

/** A non-bare repo borrowing the bare one's objects: the oracle for what real git would do. */
async function oracle(r: Repo): Promise<(args: string[]) => Promise<string>> {
  const work = await tempDir('gitssy-merge-oracle-');
  await gitOk(['init', '-q', '-b', 'main', work]);
  await writeFile(path.join(work, '.git/objects/info/alternates'), `${path.join(r.dir, 'objects')}\n`);
  return (args) => gitOk(args, { cwd: work });
}

beforeAll(async () => {
  const home = await tempDir('gitssy-home-');
  await writeFile(path.join(home, '.gitconfig'), '');
  env = gitBaseEnv(home);
});

describe('parseMergeTreeOutput', () => {
  const bytes = (...tokens: string[]) => Buffer.from(tokens.map((t) => `${t}\0`).join(''));
  const T = 'c8c2cb27c77a1471c60c3034190fcf490cbb2814';

  it('reads a clean merge with informational messages', () => {
    expect(parseMergeTreeOutput(bytes(T, '', '1', 'f', 'Auto-merging', 'Auto-merging f\n'), 0)).toEqual({ clean: true, tree: T, conflicts: [] });
    expect(parseMergeTreeOutput(bytes(T, ''), 0)).toEqual({ clean: true, tree: T, conflicts: [] });
  });

  it('lists conflicted paths once, sorted, with every path a CONFLICT message names', () => {
    const out = bytes(
      T,
      'z.txt',
      'a b.txt',
      'r2',
      'r1',
      '',
      '1',
      'z.txt',
      'Auto-merging',
      'Auto-merging z.txt\n',
      '1',
      'z.txt',
      'CONFLICT (contents)',
      'CONFLICT (content): Merge conflict in z.txt\n',
      '3',
      'r',
      'r2',
      'r1',
      'CONFLICT (rename/rename)',
      'CONFLICT (rename/rename): r renamed to r2 in main and to r1 in side.\n',
      '1',
      'info-only',
      'Auto-merging',
      'not a conflict\n',
    );
    expect(parseMergeTreeOutput(out, 1)).toEqual({ clean: false, tree: null, conflicts: ['a b.txt', 'r', 'r1', 'r2', 'z.txt'] });
  });

  it('refuses other exit codes and output without a tree id', () => {
    expect(() => parseMergeTreeOutput(bytes(T, ''), 128)).toThrow(/exit code 128/);
    expect(() => parseMergeTreeOutput(Buffer.from('fatal: nope\n'), 0)).toThrow(/no tree id/);
    expect(() => parseMergeTreeOutput(Buffer.alloc(0), 1)).toThrow(/no tree id/);
  });
});

describe('versions', () => {
  it('reads and caches the git version', async () => {
    const v = await gitVersion(env);
    expect(v).toHaveLength(3);
    expect(v[0]).toBeGreaterThanOrEqual(2);
    expect(gitVersion(env)).toBe(gitVersion(env));
  });

  it('refuses git older than 2.38 with a message that says what is needed', () => {
    expect(() => assertMergeVersion([2, 37, 9])).toThrow(MergeUnsupportedError);
    expect(() => assertMergeVersion([2, 37, 9])).toThrow('git 2.37 cannot compute merges without a worktree; Gitssy needs git 2.38 or newer');
    expect(() => assertMergeVersion([2, 38, 0])).not.toThrow();
    expect(() => assertMergeVersion([3, 0, 0])).not.toThrow();
  });
});

describe('three-way merges of trees', () => {
  let r: Repo;
  beforeAll(async () => {
    r = await bareRepo();
    await r.build([
      {
        name: 'base',
        files: {
          'a.txt': 'a\n',
          'b.txt': 'b\n',
          'x.txt': 'x\n',
          'y.txt': 'y\n',
          'old.txt': 'one\ntwo\nthree\nfour\nfive\nsix\n',
          'bin.dat': Buffer.from([0, 1, 2, 3]),
          'gone.txt': 'g\n',
          r: 'rename me\n',
        },
      },
      { name: 'ours-a', from: 'base', files: { 'a.txt': 'a ours\n' } },
      { name: 'theirs-b', from: 'base', files: { 'b.txt': 'b theirs\n' } },
      { name: 'ours-xy', from: 'base', files: { 'x.txt': 'x ours\n', 'y.txt': 'y ours\n' } },
      { name: 'theirs-xyz', from: 'base', files: { 'x.txt': 'x theirs\n', 'y.txt': 'y theirs\n', 'z.txt': 'new\n' } },
      { name: 'ours-rename', from: 'base', files: { 'old.txt': null, 'new.txt': 'one\ntwo\nthree\nfour\nfive\nsix\n' } },
      { name: 'theirs-edit', from: 'base', files: { 'old.txt': 'one\ntwo\nTHREE\nfour\nfive\nsix\n' } },
      { name: 'ours-bin', from: 'base', files: { 'bin.dat': Buffer.from([0, 9, 9, 0, 255]) } },
      { name: 'theirs-bin', from: 'base', files: { 'bin.dat': Buffer.from([0, 7, 7, 0, 128]) } },
      { name: 'ours-del', from: 'base', files: { 'gone.txt': null } },
      { name: 'theirs-mod', from: 'base', files: { 'gone.txt': 'g changed\n' } },
      { name: 'ours-r2', from: 'base', files: { r: null, r2: 'rename me\n' } },
      { name: 'theirs-r1', from: 'base', files: { r: null, r1: 'rename me\n' } },
      { name: 'lonely', files: { 'other.txt': 'no shared history\n' } },
    ]);
  });

  it('merges clean changes into a commit with two parents whose tree has both sides', async () => {
    const check = await mergeTrees(env, r.dir, r.c['ours-a']!, r.c['theirs-b']!);
    expect(check).toMatchObject({ clean: true, conflicts: [] });
    const res = await performMerge(env, r.dir, { style: 'merge', base: r.c['ours-a']!, head: r.c['theirs-b']!, message: 'Merge pull request #1', author: GIVEN, committer: COMMITTER });
    expect(res).toEqual({ ok: true, sha: expect.stringMatching(/^[0-9a-f]{40}$/), created: 1 });
    if (!res.ok) return;
    expect(await parentsOf(r, res.sha)).toEqual([r.c['ours-a'], r.c['theirs-b']]);
    expect(await treeOf(r, res.sha)).toBe(check.tree);
    expect(await show(r, `${res.sha}:a.txt`)).toBe('a ours\n');
    expect(await show(r, `${res.sha}:b.txt`)).toBe('b theirs\n');
    const meta = await r.git(['log', '-1', '--format=%an|%ae|%at|%ai|%cn|%ce|%ct|%B', res.sha]);
    expect(meta).toBe('Merger Person|merger@example.test|1800000000|2027-01-15 09:00:00 +0100|Merger Person|merger@example.test|1800000000|Merge pull request #1\n\n');
  });

  it('lists the conflicting files by name and leaves out the file that merged cleanly', async () => {
    expect(await mergeTrees(env, r.dir, r.c['ours-xy']!, r.c['theirs-xyz']!)).toEqual({ clean: false, tree: null, conflicts: ['x.txt', 'y.txt'] });
    const res = await performMerge(env, r.dir, { style: 'merge', base: r.c['ours-xy']!, head: r.c['theirs-xyz']!, message: 'm', author: GIVEN, committer: COMMITTER });
    expect(res).toEqual({ ok: false, reason: 'conflict', conflicts: ['x.txt', 'y.txt'] });
  });

  it('follows a rename on one side so the edit from the other side lands in the renamed file', async () => {
    const check = await mergeTrees(env, r.dir, r.c['ours-rename']!, r.c['theirs-edit']!);
    expect(check.clean).toBe(true);
    expect(await show(r, `${check.tree}:new.txt`)).toBe('one\ntwo\nTHREE\nfour\nfive\nsix\n');
    expect(await lsTree(r, check.tree!)).not.toContain('old.txt');
  });

  it('lists a conflict between two different binary files', async () => {
    expect(await mergeTrees(env, r.dir, r.c['ours-bin']!, r.c['theirs-bin']!)).toEqual({ clean: false, tree: null, conflicts: ['bin.dat'] });
  });

  it('lists a modify/delete conflict', async () => {
    expect(await mergeTrees(env, r.dir, r.c['ours-del']!, r.c['theirs-mod']!)).toEqual({ clean: false, tree: null, conflicts: ['gone.txt'] });
  });

  it('names the source and both targets of a rename/rename conflict', async () => {
    expect(await mergeTrees(env, r.dir, r.c['ours-r2']!, r.c['theirs-r1']!)).toEqual({ clean: false, tree: null, conflicts: ['r', 'r1', 'r2'] });
  });

  it('reports unrelated histories instead of merging them', async () => {
    expect(await mergeTrees(env, r.dir, r.c['base']!, r.c['lonely']!)).toEqual({ clean: false, tree: null, conflicts: [], unrelated: true });
    expect(await mergeBase(env, r.dir, r.c['base']!, r.c['lonely']!)).toBeNull();
    for (const style of ['merge', 'squash', 'rebase', 'fast-forward-only'] as const) {
      expect(await performMerge(env, r.dir, { style, base: r.c['base']!, head: r.c['lonely']!, message: 'm', author: GIVEN, committer: COMMITTER })).toEqual({ ok: false, reason: 'unrelated' });
    }
  });

  it('answers ancestry questions', async () => {
    expect(await isAncestor(env, r.dir, r.c['base']!, r.c['ours-a']!)).toBe(true);
    expect(await isAncestor(env, r.dir, r.c['ours-a']!, r.c['base']!)).toBe(false);
    expect(await isAncestor(env, r.dir, r.c['ours-a']!, r.c['theirs-b']!)).toBe(false);
    expect(await mergeBase(env, r.dir, r.c['ours-a']!, r.c['theirs-b']!)).toBe(r.c['base']);
  });
});

describe('merging with an explicit merge base', () => {
  let r: Repo;
  beforeAll(async () => {
    r = await bareRepo();
    // cherry-pick shape: pick P→C onto X, where X and C only share `root` (older than P)
    await r.build([
      { name: 'root', files: { 'f.txt': '1\n2\n3\n4\n5\n6\n7\n8\n9\n', 'g.txt': 'g\n' } },
      { name: 'P', from: 'root', files: { 'f.txt': '1\n2\n3\n4\n5\n6\n7\n8\n9 from P\n', 'p-only.txt': 'p\n' } },
      { name: 'C', from: 'P', files: { 'f.txt': '1 from C\n2\n3\n4\n5\n6\n7\n8\n9 from P\n' } },
      { name: 'X', from: 'root', files: { 'f.txt': '1\n2\n3\n4\n5 from X\n6\n7\n8\n9\n', 'x.txt': 'x\n' } },
      { name: 'Xc', from: 'root', files: { 'f.txt': '1 from X\n2\n3\n4\n5\n6\n7\n8\n9\n' } },
    ]);
  });

  it('applies only the change between base and theirs, on the synthetic path and the --merge-base path alike', async () => {
    const synthetic = await mergeTreesWithBase(env, r.dir, r.c['P']!, r.c['X']!, r.c['C']!, { via: 'synthetic' });
    expect(synthetic.clean).toBe(true);
    // the oracle: a real cherry-pick in a worktree
    const o = await oracle(r);
    await o(['checkout', '-q', '--detach', r.c['X']!]);
    await o(['cherry-pick', '--no-commit', r.c['C']!]);
    expect(synthetic.tree).toBe((await o(['write-tree'])).trim());
    expect(await show(r, `${synthetic.tree}:f.txt`)).toBe('1 from C\n2\n3\n4\n5 from X\n6\n7\n8\n9\n');
    expect(await lsTree(r, synthetic.tree!)).not.toContain('p-only.txt');
    // a plain merge would have brought P's changes too
    expect(await lsTree(r, (await mergeTrees(env, r.dir, r.c['X']!, r.c['C']!)).tree!)).toContain('p-only.txt');

    expect(await mergeTreesWithBase(env, r.dir, r.c['P']!, r.c['X']!, r.c['C']!)).toEqual(synthetic);
    const [major, minor] = await gitVersion(env);
    if (major > 2 || minor >= 40) {
      expect(await mergeTreesWithBase(env, r.dir, r.c['P']!, r.c['X']!, r.c['C']!, { via: 'merge-base-option' })).toEqual(synthetic);
    } else {
      await expect(mergeTreesWithBase(env, r.dir, r.c['P']!, r.c['X']!, r.c['C']!, { via: 'merge-base-option' })).rejects.toThrow(/--merge-base/);
    }
  });

  it('reports conflicts on the synthetic path', async () => {
    expect(await mergeTreesWithBase(env, r.dir, r.c['P']!, r.c['Xc']!, r.c['C']!, { via: 'synthetic' })).toEqual({ clean: false, tree: null, conflicts: ['f.txt'] });
  });
});

describe('merge styles', () => {
  let r: Repo;
  beforeAll(async () => {
    r = await bareRepo();
    await r.build([
      { name: 'root', files: { 'a.txt': 'a\n', 'conflict.txt': 'c\n' } },
      { name: 'main1', from: 'root', files: { 'main.txt': 'main\n' } },
      { name: 'f1', from: 'root', files: { 'f1.txt': '1\n' }, author: { name: 'Ada', email: 'ada@example.test', when: 1_600_000_000, tz: '-0500' } },
      { name: 'f2', from: 'f1', files: { 'f2.txt': '2\n' } },
      { name: 'f3', from: 'f2', files: { 'a.txt': 'a changed\n' } },
      { name: 'ff', from: 'main1', files: { 'ff.txt': 'ff\n' } },
      { name: 'clash', from: 'root', files: { 'conflict.txt': 'head side\n' } },
      { name: 'main-clash', from: 'main1', files: { 'conflict.txt': 'base side\n' } },
      { name: 'dup', from: 'root', files: { 'main.txt': 'main\n' } },
    ]);
  });

  it('squashes three commits into one commit on base with the merged tree and the given author', async () => {
    const check = await mergeTrees(env, r.dir, r.c['main1']!, r.c['f3']!);
    const res = await performMerge(env, r.dir, { style: 'squash', base: r.c['main1']!, head: r.c['f3']!, message: 'Feature (#3)\n\n* f1\n* f2\n* f3', author: GIVEN, committer: COMMITTER });
    expect(res).toMatchObject({ ok: true, created: 1 });
    if (!res.ok) return;
    expect(await parentsOf(r, res.sha)).toEqual([r.c['main1']]);
    expect(await treeOf(r, res.sha)).toBe(check.tree);
    expect(await r.git(['log', '-1', '--format=%an|%ae|%at|%cn|%ce|%ct|%B', res.sha])).toBe(
      'Merger Person|merger@example.test|1800000000|Gitssy Bot|bot@example.test|1800000500|Feature (#3)\n\n* f1\n* f2\n* f3\n\n',
    );
  });

  it('says up-to-date for a squash that would change nothing, but still records a merge', async () => {
    const opts = { base: r.c['main1']!, head: r.c['dup']!, message: 'm', author: GIVEN, committer: COMMITTER };
    expect(await performMerge(env, r.dir, { ...opts, style: 'squash' })).toEqual({ ok: false, reason: 'up-to-date' });
    const merged = await performMerge(env, r.dir, { ...opts, style: 'merge' });
    expect(merged).toMatchObject({ ok: true, created: 1 });
    if (merged.ok) expect(await treeOf(r, merged.sha)).toBe(await treeOf(r, r.c['main1']!));
  });

  it('fast-forwards only when base is an ancestor of head', async () => {
    expect(await performMerge(env, r.dir, { style: 'fast-forward-only', base: r.c['main1']!, head: r.c['ff']!, message: 'm', author: GIVEN, committer: COMMITTER })).toEqual({
      ok: true,
      sha: r.c['ff'],
      created: 0,
    });
    expect(await performMerge(env, r.dir, { style: 'fast-forward-only', base: r.c['main1']!, head: r.c['f3']!, message: 'm', author: GIVEN, committer: COMMITTER })).toEqual({
      ok: false,
      reason: 'not-fast-forward',
    });
  });

  it('says up-to-date when head is already in base, for every style', async () => {
    for (const style of ['merge', 'squash', 'rebase', 'fast-forward-only'] as const) {
      expect(await performMerge(env, r.dir, { style, base: r.c['ff']!, head: r.c['main1']!, message: 'm', author: GIVEN, committer: COMMITTER })).toEqual({ ok: false, reason: 'up-to-date' });
      expect(await performMerge(env, r.dir, { style, base: r.c['ff']!, head: r.c['ff']!, message: 'm', author: GIVEN, committer: COMMITTER })).toEqual({ ok: false, reason: 'up-to-date' });
    }
  });

  it('writes a real merge commit even when a fast-forward was possible', async () => {
    const res = await performMerge(env, r.dir, { style: 'merge', base: r.c['main1']!, head: r.c['ff']!, message: 'Merge', author: GIVEN, committer: COMMITTER });
    expect(res).toMatchObject({ ok: true, created: 1 });
    if (res.ok) expect(await parentsOf(r, res.sha)).toEqual([r.c['main1'], r.c['ff']]);
  });

  it('reports squash conflicts like merge conflicts', async () => {
    expect(await performMerge(env, r.dir, { style: 'squash', base: r.c['main-clash']!, head: r.c['clash']!, message: 'm', author: GIVEN, committer: COMMITTER })).toEqual({
      ok: false,
      reason: 'conflict',
      conflicts: ['conflict.txt'],
    });
  });

  it('writes commits with commitTree exactly as asked', async () => {
    const sha = await commitTree(env, r.dir, await treeOf(r, r.c['f1']!), [r.c['root']!, r.c['main1']!], 'no newline', GIVEN, COMMITTER);
    expect(await parentsOf(r, sha)).toEqual([r.c['root'], r.c['main1']]);
    expect(await r.git(['cat-file', 'commit', sha])).toMatch(
      /\nauthor Merger Person <merger@example.test> 1800000000 \+0100\ncommitter Gitssy Bot <bot@example.test> 1800000500 \+0000\n\nno newline$/,
    );
  });

  it('rejects anything but a full object id, before running git', async () => {
    const good = r.c['main1']!;
    const bad = ['main', 'HEAD', '--output=/tmp/x', '-p', good.slice(0, 39), good.toUpperCase(), `${good}^`, `${good}\n`, ''];
    for (const b of bad) {
      await expect(performMerge(env, r.dir, { style: 'merge', base: good, head: b, message: 'm', author: GIVEN, committer: COMMITTER })).rejects.toThrow(/full object id/);
      await expect(performMerge(env, r.dir, { style: 'rebase', base: b, head: good, message: 'm', author: GIVEN, committer: COMMITTER })).rejects.toThrow(/full object id/);
      await expect(mergeTrees(env, r.dir, good, b)).rejects.toThrow(/full object id/);
      await expect(mergeTreesWithBase(env, r.dir, b, good, good)).rejects.toThrow(/full object id/);
      await expect(isAncestor(env, r.dir, b, good)).rejects.toThrow(/full object id/);
      await expect(mergeBase(env, r.dir, good, b)).rejects.toThrow(/full object id/);
      await expect(commitTree(env, r.dir, good, [b], 'm', GIVEN, COMMITTER)).rejects.toThrow(/full object id/);
    }
    await expect(commitTree(env, r.dir, await treeOf(r, good), [], 'm', { ...GIVEN, name: 'Evil <x@y>\nparent' }, COMMITTER)).rejects.toThrow(/angle brackets/);
    await expect(commitTree(env, r.dir, await treeOf(r, good), [], 'm', GIVEN, { ...COMMITTER, tz: '+1' })).rejects.toThrow(/time zone/);
  });
});

describe('rebase', () => {
  const N = 50;
  let r: Repo;
  beforeAll(async () => {
    r = await bareRepo();
    const specs: Spec[] = [{ name: 'root', files: Object.fromEntries(Array.from({ length: 5 }, (_, k) => [`f${k}.txt`, `file ${k}\n`])) }];
    // base moves on: touches the top of f0 and adds a file
    specs.push({ name: 'main1', from: 'root', files: { 'f0.txt': 'base edit at the top\nfile 0\n', 'main.txt': 'main\n' } });
    specs.push({ name: 'main2', from: 'main1', files: { 'main.txt': 'main 2\n' } });
    // 50 feature commits, each appending to one of five files, by a few different people
    const content = Array.from({ length: 5 }, (_, k) => `file ${k}\n`);
    for (let i = 1; i <= N; i++) {
      const k = i % 5;
      content[k] += `line ${i}\n`;
      specs.push({
        name: `c${i}`,
        from: i === 1 ? 'root' : `c${i - 1}`,
        files: { [`f${k}.txt`]: content[k]! },
        author: { name: `Author ${i % 3}`, email: `a${i % 3}@example.test`, when: 1_650_000_000 + i * 3600, tz: i % 2 ? '+0530' : '-0800' },
        message: i === 7 ? 'seven has no final newline' : i === 9 ? `nine\n\n  indented body  \n\n\ntrailing blank lines\n\n` : `commit ${i}\n\nbody of ${i}\n`,
      });
    }
    // for the conflict and dropping tests
    specs.push({ name: 'k1', from: 'root', files: { 'k.txt': 'k1\n' } });
    specs.push({ name: 'k2', from: 'k1', files: { 'f0.txt': 'head edit at the top\nfile 0\n' } });
    specs.push({ name: 'k3', from: 'k2', files: { 'k.txt': 'k3\n' } });
    specs.push({ name: 'd1', from: 'root', files: { 'main.txt': 'main\n' }, message: 'same change as base already has\n' });
    specs.push({ name: 'd2', from: 'd1', message: 'empty from the start\n' });
    specs.push({ name: 'd3', from: 'd2', files: { 'd.txt': 'd\n' } });
    specs.push({ name: 'd4', from: 'd3', merge: ['k1'], files: { 'k.txt': 'k1\n' }, message: 'a merge, skipped\n' });
    specs.push({ name: 'd5', from: 'd4', files: { 'd.txt': 'd5\n' } });
    // a root commit that joins through a merge, and a message in Latin-1
    specs.push({ name: 'orphan', files: { 'vendor/lib.txt': 'lib\n' }, message: 'vendored root\n' });
    specs.push({ name: 'j1', from: 'root', files: { 'j.txt': 'j\n' }, encoding: 'ISO-8859-1', message: Buffer.from('caf\xe9 na\xefve\n', 'latin1') });
    specs.push({ name: 'j2', from: 'j1', merge: ['orphan'], files: { 'vendor/lib.txt': 'lib\n' }, message: 'join vendor\n' });
    specs.push({ name: 'j3', from: 'j2', files: { 'vendor/lib.txt': 'lib 2\n' } });
    await r.build(specs);
  });

  it(`replays ${N} commits onto a moved base: linear, authors and messages kept, committer replaced, same tree as git rebase`, async () => {
    const progress: [number, number][] = [];
    const refsBefore = await r.git(['for-each-ref']);
    const started = performance.now();
    const res = await performMerge(env, r.dir, {
      style: 'rebase',
      base: r.c['main2']!,
      head: r.c[`c${N}`]!,
      message: 'ignored for rebase',
      author: GIVEN,
      committer: COMMITTER,
      onProgress: (done, total) => progress.push([done, total]),
    });
    const ms = performance.now() - started;
    console.log(`rebase of ${N} commits: ${Math.round(ms)} ms (git ${(await gitVersion(env)).join('.')})`);
    expect(res).toEqual({ ok: true, sha: expect.stringMatching(/^[0-9a-f]{40}$/), created: N });
    if (!res.ok) return;
    expect(progress).toEqual(Array.from({ length: N }, (_, i) => [i + 1, N]));
    expect(await r.git(['for-each-ref'])).toBe(refsBefore); // objects only: moving refs is the caller's job

    // linear on top of base
    const chain = (await r.git(['rev-list', '--parents', `${r.c['main2']}..${res.sha}`])).trim().split('\n');
    expect(chain).toHaveLength(N);
    for (const line of chain) expect(line.split(' ')).toHaveLength(2);
    expect(chain.at(-1)!.split(' ')[1]).toBe(r.c['main2']);

    const fmt = '--format=%an%x00%ae%x00%at%x00%ai%x00%B%x01';
    expect(await r.git(['log', fmt, `${r.c['main2']}..${res.sha}`])).toBe(await r.git(['log', fmt, `${r.c['root']}..${r.c[`c${N}`]}`]));
    expect(new Set((await r.git(['log', '--format=%cn|%ce|%ct|%ci', `${r.c['main2']}..${res.sha}`])).trim().split('\n'))).toEqual(
      new Set(['Gitssy Bot|bot@example.test|1800000500|2027-01-15 08:08:20 +0000']),
    );
    expect(await r.git(['cat-file', 'commit', `${res.sha}~${N - 7}`])).toMatch(/\n\nseven has no final newline$/);

    const o = await oracle(r);
    await o(['checkout', '-q', '--detach', r.c[`c${N}`]!]);
    await o(['rebase', '-q', r.c['main2']!]);
    expect(await treeOf(r, res.sha)).toBe((await o(['rev-parse', 'HEAD^{tree}'])).trim());
    expect(await show(r, `${res.sha}:f0.txt`)).toMatch(/^base edit at the top\nfile 0\nline 5\n/);
  });

  it('stops at the commit that does not apply and names it', async () => {
    const res = await performMerge(env, r.dir, { style: 'rebase', base: r.c['main2']!, head: r.c['k3']!, message: 'm', author: GIVEN, committer: COMMITTER });
    expect(res).toEqual({ ok: false, reason: 'conflict', conflicts: ['f0.txt'], commit: r.c['k2'] });
  });

  it('drops a commit whose change base already has, keeps one that was empty from the start, skips merges — like git rebase', async () => {
    const res = await performMerge(env, r.dir, { style: 'rebase', base: r.c['main1']!, head: r.c['d5']!, message: 'm', author: GIVEN, committer: COMMITTER });
    const o = await oracle(r);
    await o(['checkout', '-q', '--detach', r.c['d5']!]);
    await o(['rebase', '-q', r.c['main1']!]);
    const expected = (await o(['log', '--format=%s', `${r.c['main1']}..HEAD`])).trim().split('\n');
    // d1 (already in base) and the merge d4 are gone; k1 comes in with the merge's history
    expect(expected).toEqual(['d5', 'k1', 'd3', 'empty from the start']);
    expect(res).toMatchObject({ ok: true, created: 4 });
    if (!res.ok) return;
    expect((await r.git(['log', '--format=%s', `${r.c['main1']}..${res.sha}`])).trim().split('\n')).toEqual(expected);
    expect(await treeOf(r, res.sha)).toBe((await o(['rev-parse', 'HEAD^{tree}'])).trim());
  });

  it('replays a root commit that came in through a merge against the empty tree, and keeps a Latin-1 message byte for byte', async () => {
    const res = await performMerge(env, r.dir, { style: 'rebase', base: r.c['main2']!, head: r.c['j3']!, message: 'm', author: GIVEN, committer: COMMITTER });
    expect(res).toMatchObject({ ok: true, created: 3 });
    if (!res.ok) return;
    const o = await oracle(r);
    await o(['checkout', '-q', '--detach', r.c['j3']!]);
    await o(['rebase', '-q', r.c['main2']!]);
    expect(await treeOf(r, res.sha)).toBe((await o(['rev-parse', 'HEAD^{tree}'])).trim());
    expect(await show(r, `${res.sha}:vendor/lib.txt`)).toBe('lib 2\n');
    const replayed = (await r.git(['log', '--format=%H%x00%s', `${r.c['main2']}..${res.sha}`]))
      .trim()
      .split('\n')
      .map((l) => l.split('\0'));
    expect(replayed.map((x) => x[1]).sort()).toEqual(['café naïve', 'j3', 'vendored root']);
    const raw = await runGit(env, ['--git-dir', r.dir, 'cat-file', 'commit', replayed.find((x) => x[1] === 'café naïve')![0]!]);
    expect(raw.stdout.toString('latin1')).toMatch(/\nencoding ISO-8859-1\n\ncaf\xe9 na\xefve\n$/);
  });

  it('replays even when base is an ancestor of head, giving every commit the new committer', async () => {
    const res = await performMerge(env, r.dir, { style: 'rebase', base: r.c['c2']!, head: r.c['c5']!, message: 'm', author: GIVEN, committer: COMMITTER });
    expect(res).toMatchObject({ ok: true, created: 3 });
    if (!res.ok) return;
    expect(res.sha).not.toBe(r.c['c5']);
    expect(await treeOf(r, res.sha)).toBe(await treeOf(r, r.c['c5']!));
    expect((await r.git(['log', '--format=%cn', `${r.c['c2']}..${res.sha}`])).trim().split('\n')).toEqual(['Gitssy Bot', 'Gitssy Bot', 'Gitssy Bot']);
  });
});
