// Commit-addressed JSON (a commit's UI diff, a page of history) is kept serialized between
// requests: repeats must be byte-identical with a stable ETag (and 304 on If-None-Match), yet
// whatever else the body depends on (who asks, the linked account, a moved branch) still shows.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, gitOk, rawHttp, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
const bob: [string, string] = ['bob', 'bob-pass-123'];
const A = '/api/v1/repos/alice/hist';
let s: TestServer;
let src: string;
const shas: string[] = [];

async function commit(file: string, content: string): Promise<string> {
  await mkdir(path.dirname(path.join(src, file)), { recursive: true });
  await writeFile(path.join(src, file), content);
  await gitOk(['add', '-A'], { cwd: src });
  await gitOk(['commit', '-q', '-m', `edit ${file}`], { cwd: src, env: { GIT_AUTHOR_NAME: 'Bob', GIT_AUTHOR_EMAIL: 'bob@example.test' } });
  return (await gitOk(['rev-parse', 'HEAD'], { cwd: src })).trim();
}

beforeAll(async () => {
  s = await startServer();
  await createUser(s, 'alice', alice[1], { admin: true });
  await createUser(s, 'bob', bob[1], { via: alice });
  src = await tempDir();
  await gitOk(['init', '-q', '-b', 'main', src]);
  shas.push(await commit('a.txt', 'one\n'));
  shas.push(await commit('src/b.ts', 'export const b = 1;\n'));
  await createRepo(s, alice, { name: 'hist' });
  await gitOk(['push', '-q', s.gitUrl('alice/hist.git', alice), 'main'], { cwd: src });
  await waitFor(async () => ((await (await s.api('GET', A)).json()) as { empty: boolean }).empty === false);
}, 120_000);
afterAll(async () => s?.stop());

describe('kept commit bodies', () => {
  it('answers a repeat with the same bytes and ETag, and 304 when the client has them', async () => {
    const first = await s.api('GET', `${A}/commits/${shas[1]}/diff`);
    const body = await first.text();
    const etag = first.headers.get('etag');
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(body).files.map((f: { filename: string }) => f.filename)).toEqual(['src/b.ts']);
    const again = await s.api('GET', `${A}/commits/${shas[1]}/diff`);
    expect(await again.text()).toBe(body);
    expect(again.headers.get('etag')).toBe(etag);
    // (fetch adds Cache-Control: no-cache to conditional requests, so these go out raw)
    expect((await rawHttp(s, 'GET', `${A}/commits/${shas[1]}/diff`, { headers: { 'if-none-match': etag! } })).status).toBe(304);
    const log = await s.api('GET', `${A}/commits?limit=1&page=2`);
    const logEtag = log.headers.get('etag');
    expect((await log.json()).map((c: { sha: string }) => c.sha)).toEqual([shas[0]]);
    expect((await rawHttp(s, 'GET', `${A}/commits?limit=1&page=2`, { headers: { 'if-none-match': logEtag! } })).status).toBe(304);
    expect((await rawHttp(s, 'GET', `${A}/commits?limit=1&page=1`, { headers: { 'if-none-match': logEtag! } })).status).toBe(200);
  });

  it('still shows who is asking, the linked account as it is now, and a moved branch', async () => {
    const anon = await (await s.api('GET', `${A}/commits/${shas[1]}/diff`)).json();
    const asBob = await (await s.api('GET', `${A}/commits/${shas[1]}/diff`, { auth: bob })).json();
    expect(anon.commit.author.login).toBe('bob');
    expect(anon.commit.author.email).toBe(''); // an account's email is for itself and admins
    expect(asBob.commit.author.email).toBe('bob@example.test');
    const anonLog = await (await s.api('GET', `${A}/commits?limit=1`)).json();
    expect(anonLog[0].author.email).toBe('');
    expect((await (await s.api('GET', `${A}/commits?limit=1`, { auth: bob })).json())[0].author.email).toBe('bob@example.test');

    const res = await s.api('PATCH', '/api/v1/user/settings', { auth: bob, json: { full_name: 'Bob Renamed' } });
    expect(res.status).toBe(200);
    expect((await (await s.api('GET', `${A}/commits/${shas[1]}/diff`)).json()).commit.author.full_name).toBe('Bob Renamed');
    expect((await (await s.api('GET', `${A}/commits?limit=1`)).json())[0].author.full_name).toBe('Bob Renamed');

    shas.push(await commit('c.txt', 'three\n'));
    await gitOk(['push', '-q', s.gitUrl('alice/hist.git', alice), 'main'], { cwd: src });
    const moved = await (await s.api('GET', `${A}/commits?limit=1`)).json();
    expect(moved[0].sha).toBe(shas[2]);
  });
});
