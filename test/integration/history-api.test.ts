// The two small read routes the history pages of the UI stand on: splitting `<ref>/<path>`
// (a ref may contain slashes) the way the tree view does, and contributors linked to the
// accounts their emails belong to. Real server, real pushes.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, gitOk, rawHttp, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

type Json = Record<string, any>;
const alice: [string, string] = ['alice', 'alice-pass-123'];
const A = '/api/v1/repos/alice/hist';
let s: TestServer;
let head = '';

beforeAll(async () => {
  s = await startServer();
  await createUser(s, 'alice', alice[1], { admin: true });
  await createRepo(s, alice, { name: 'hist' });
  await createRepo(s, alice, { name: 'secret', private: true });
  const src = await tempDir();
  await gitOk(['init', '-q', '-b', 'main', src]);
  await mkdir(path.join(src, 'docs'), { recursive: true });
  const commit = async (file: string, msg: string, email: string) => {
    await writeFile(path.join(src, file), `${msg}\n`);
    await gitOk(['add', '-A'], { cwd: src });
    await gitOk(['commit', '-q', '-m', msg], { cwd: src, env: { GIT_AUTHOR_EMAIL: email, GIT_AUTHOR_NAME: email.split('@')[0]! } });
  };
  await commit('docs/a.md', 'one', 'alice@example.test');
  await commit('docs/a.md', 'two', 'alice@example.test');
  await commit('b.txt', 'three', 'stranger@example.test');
  head = (await gitOk(['rev-parse', 'HEAD'], { cwd: src })).trim();
  await gitOk(['branch', 'feature/x/y'], { cwd: src });
  await gitOk(['tag', 'v1'], { cwd: src });
  await gitOk(['push', '-q', s.gitUrl('alice/hist.git', alice), 'main', 'feature/x/y', 'v1'], { cwd: src });
}, 60_000);

afterAll(async () => {
  await s?.stop();
});

describe('resolve <ref>/<path>', () => {
  it('splits a branch with slashes from the path after it', async () => {
    const res = await s.api('GET', `${A}/resolve/feature/x/y/docs/a.md?kind=branch`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ref: { name: 'feature/x/y', kind: 'branch', commit: head }, path: 'docs/a.md' });
  });

  it('resolves a ref with no path, a tag, and a commit id', async () => {
    expect(await (await s.api('GET', `${A}/resolve/main`)).json()).toEqual({ ref: { name: 'main', kind: 'branch', commit: head }, path: '' });
    expect(((await (await s.api('GET', `${A}/resolve/v1/b.txt?kind=tag`)).json()) as Json).ref.kind).toBe('tag');
    const byId = (await (await s.api('GET', `${A}/resolve/${head.slice(0, 10)}/docs?kind=commit`)).json()) as Json;
    expect(byId).toEqual({ ref: { name: head.slice(0, 10), kind: 'commit', commit: head }, path: 'docs' });
  });

  it('keeps a path that no longer exists (its history is still a history)', async () => {
    const res = await s.api('GET', `${A}/resolve/main/gone/file.txt`);
    expect(((await res.json()) as Json).path).toBe('gone/file.txt');
  });

  it('answers 404 for a ref of the wrong kind or none at all', async () => {
    expect((await s.api('GET', `${A}/resolve/main/docs?kind=tag`)).status).toBe(404);
    const res = await s.api('GET', `${A}/resolve/nope/docs`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as Json).message).toContain('nope/docs');
    expect((await s.api('GET', `${A}/resolve/main?kind=bogus`)).status).toBe(422);
  });

  it('rejects a dot-dot path and hides a private repository', async () => {
    // fetch() would normalize the dots away: send the path as it is
    expect((await rawHttp(s, 'GET', `${A}/resolve/main/%2e%2e/x`)).status).toBe(422);
    expect((await s.api('GET', '/api/v1/repos/alice/secret/resolve/main')).status).toBe(404);
  });
});

describe('contributors', () => {
  it('links an author to the account their email belongs to, and leaves strangers unlinked', async () => {
    const list = (await (await s.api('GET', `${A}/contributors`)).json()) as Json[];
    expect(list).toEqual([
      { name: 'alice', email: 'alice@example.test', commits: 2, login: 'alice' },
      { name: 'stranger', email: 'stranger@example.test', commits: 1, login: null },
    ]);
  });
});
