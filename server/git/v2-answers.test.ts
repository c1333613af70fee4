import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitOk, tempDir } from '../../test/fixtures/rig.js';
import { gitBaseEnv } from './command.js';
import { encodePkt, FLUSH } from './pkt-line.js';
import { V2Answers, gitExecutable, isLsRefs } from './v2-answers.js';

describe("git's protocol v2 answers, kept while what they derive from stays the same", () => {
  const setup = async () => {
    const home = await tempDir();
    const env = gitBaseEnv(home);
    const dir = path.join(home, 'r.git');
    await gitOk(['init', '-q', '--bare', '-b', 'main', dir]);
    return { env, dir, home, answers: new V2Answers(env) };
  };
  const lsRefs = Buffer.concat([encodePkt('command=ls-refs\n'), encodePkt('agent=git/2.39.5\n'), Buffer.from('0001'), encodePkt('peel\n'), encodePkt('symrefs\n'), FLUSH]);

  it('finds the git the children run on their PATH', () => {
    expect(gitExecutable(gitBaseEnv('/nowhere'))).toMatch(/\/git$/);
    expect(gitExecutable({ base: { PATH: '/nonexistent-dir' } })).toBeNull();
  });

  it('tells an ls-refs request from a fetch and from garbage', () => {
    expect(isLsRefs(lsRefs)).toBe(true);
    expect(isLsRefs(Buffer.concat([encodePkt('command=fetch\n'), FLUSH]))).toBe(false);
    expect(isLsRefs(Buffer.from('zzzz'))).toBe(false);
    expect(isLsRefs(Buffer.alloc(0))).toBe(false);
  });

  it('serves the capability list kept until the repository config or the global config changes', async () => {
    const { answers, dir, home } = await setup();
    const first = answers.capabilities(dir);
    expect(first.bytes).toBeNull();
    expect(first.key).toBeTruthy();
    answers.rememberCapabilities(dir, first.key!, Buffer.from('000eversion 2\n0000'));
    expect(answers.capabilities(dir).bytes?.toString()).toBe('000eversion 2\n0000');

    await gitOk(['--git-dir', dir, 'config', 'uploadpack.allowFilter', 'true']);
    const afterRepo = answers.capabilities(dir);
    expect(afterRepo.bytes).toBeNull();
    expect(afterRepo.key).not.toBe(first.key);
    answers.rememberCapabilities(dir, afterRepo.key!, Buffer.from('answer two'));
    expect(answers.capabilities(dir).bytes?.toString()).toBe('answer two');

    await writeFile(path.join(home, '.gitconfig'), '[uploadpack]\n\tallowRefInWant = true\n');
    expect(answers.capabilities(dir).bytes).toBeNull();
  });

  it('keeps nothing for a folder without a config, an empty answer, or one with a session id', async () => {
    const { answers, dir, home } = await setup();
    const bare = path.join(home, 'not-a-repo');
    await mkdir(bare);
    expect(answers.capabilities(bare)).toEqual({ bytes: null, key: null });

    const { key } = answers.capabilities(dir);
    answers.rememberCapabilities(dir, key!, Buffer.alloc(0));
    expect(answers.capabilities(dir).bytes).toBeNull();
    answers.rememberCapabilities(dir, key!, Buffer.from('000eversion 2\n0019session-id=abc\n0000'));
    expect(answers.capabilities(dir).bytes).toBeNull();
  });

  it('serves an ls-refs answer for the same request and refs only: a moved, added or deleted ref or a new HEAD asks git again', async () => {
    const { answers, dir, home } = await setup();
    const work = path.join(home, 'w');
    await gitOk(['clone', '-q', dir, work]);
    await gitOk(['-C', work, '-c', 'user.name=A', '-c', 'user.email=a@x', 'commit', '-q', '--allow-empty', '-m', 'one']);
    await gitOk(['-C', work, 'push', '-q', 'origin', 'main']);
    const env = { GIT_PROTOCOL: 'version=2' };
    const keep = async (bytes: string) => {
      const p = await answers.lsRefs(dir, lsRefs, env);
      expect(p.bytes).toBeNull();
      await answers.rememberLsRefs(dir, p.key!, Buffer.from(bytes));
      expect((await answers.lsRefs(dir, lsRefs, env)).bytes?.toString()).toBe(bytes);
    };
    await keep('answer one');
    // another request or another environment: its own entry
    expect((await answers.lsRefs(dir, Buffer.concat([lsRefs, encodePkt('ref-prefix refs/tags/\n')]), env)).bytes).toBeNull();
    expect((await answers.lsRefs(dir, lsRefs, { ...env, GIT_NAMESPACE: 'x' })).bytes).toBeNull();

    await gitOk(['-C', work, '-c', 'user.name=A', '-c', 'user.email=a@x', 'commit', '-q', '--allow-empty', '-m', 'two']);
    await gitOk(['-C', work, 'push', '-q', 'origin', 'main']);
    expect((await answers.lsRefs(dir, lsRefs, env)).bytes).toBeNull();
    await keep('answer two');
    await gitOk(['-C', work, 'push', '-q', 'origin', 'main:side']);
    expect((await answers.lsRefs(dir, lsRefs, env)).bytes).toBeNull();
    await keep('answer three');
    await gitOk(['--git-dir', dir, 'pack-refs', '--all']); // the same refs, in another file
    expect((await answers.lsRefs(dir, lsRefs, env)).bytes?.toString()).toBe('answer three');
    await gitOk(['--git-dir', dir, 'symbolic-ref', 'HEAD', 'refs/heads/side']);
    expect((await answers.lsRefs(dir, lsRefs, env)).bytes).toBeNull();
    await keep('answer four');
    await gitOk(['--git-dir', dir, 'update-ref', '-d', 'refs/heads/side']);
    expect((await answers.lsRefs(dir, lsRefs, env)).bytes).toBeNull();
  });

  it('does not keep an answer when the refs moved while git ran, nor any when a symbolic ref is among them', async () => {
    const { answers, dir, home } = await setup();
    const work = path.join(home, 'w');
    await gitOk(['clone', '-q', dir, work]);
    await gitOk(['-C', work, '-c', 'user.name=A', '-c', 'user.email=a@x', 'commit', '-q', '--allow-empty', '-m', 'one']);
    await gitOk(['-C', work, 'push', '-q', 'origin', 'main']);
    const env = { GIT_PROTOCOL: 'version=2' };
    const before = await answers.lsRefs(dir, lsRefs, env);
    await gitOk(['-C', work, 'push', '-q', 'origin', 'main:moved-meanwhile']);
    await answers.rememberLsRefs(dir, before.key!, Buffer.from('stale'));
    expect((await answers.lsRefs(dir, lsRefs, env)).bytes).toBeNull();

    await gitOk(['--git-dir', dir, 'symbolic-ref', 'refs/heads/alias', 'refs/heads/main']);
    expect(await answers.lsRefs(dir, lsRefs, env)).toEqual({ bytes: null, key: null });
  });
});
