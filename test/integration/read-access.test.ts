// Who may read repository contents: every read route (contents, raw, media, archive,
// history, diffs, the tree view) answers a private repository exactly like a missing one to
// anonymous callers and strangers, internal ones to anonymous callers, and honours token
// scopes. Branch writes need write access.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createToken, createUser, gitOk, makeRepo, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
const bob: [string, string] = ['bob', 'bob-pass-123'];
const carol: [string, string] = ['carol', 'carol-pass-123'];

let s: TestServer;
let head: string;
let readme: string;

const routes = (repo: string) => [
  `/api/v1/repos/alice/${repo}/branches`,
  `/api/v1/repos/alice/${repo}/branches/main`,
  `/api/v1/repos/alice/${repo}/tags`,
  `/api/v1/repos/alice/${repo}/contents`,
  `/api/v1/repos/alice/${repo}/contents/README.md`,
  `/api/v1/repos/alice/${repo}/raw/README.md`,
  `/api/v1/repos/alice/${repo}/media/README.md`,
  `/api/v1/repos/alice/${repo}/archive/main.zip`,
  `/api/v1/repos/alice/${repo}/archive/main.tar.gz`,
  `/api/v1/repos/alice/${repo}/commits`,
  `/api/v1/repos/alice/${repo}/git/commits/main`,
  `/api/v1/repos/alice/${repo}/git/commits/${head}.diff`,
  `/api/v1/repos/alice/${repo}/git/commits/${head}.patch`,
  `/api/v1/repos/alice/${repo}/commits/${head}/diff`,
  `/api/v1/repos/alice/${repo}/contributors`,
  `/api/v1/repos/alice/${repo}/git/trees/${head}?recursive=true`,
  `/api/v1/repos/alice/${repo}/git/blobs/${readme}`,
  `/api/v1/repos/alice/${repo}/tree/main`,
  `/api/v1/repos/alice/${repo}/tree/main/src/index.ts`,
];

beforeAll(async () => {
  s = await startServer();
  await createUser(s, 'alice', alice[1], { admin: true });
  await createUser(s, 'bob', bob[1], { via: alice });
  await createUser(s, 'carol', carol[1], { via: alice });
  const src = await tempDir();
  head = await makeRepo(src, 2);
  readme = (await gitOk(['rev-parse', 'HEAD:README.md'], { cwd: src })).trim();
  await createRepo(s, alice, { name: 'secret', private: true });
  await createRepo(s, alice, { name: 'inside', internal: true });
  for (const name of ['secret', 'inside']) await gitOk(['push', '-q', s.gitUrl(`alice/${name}.git`, alice), 'main'], { cwd: src });
  expect((await s.api('PUT', '/api/v1/repos/alice/secret/collaborators/bob', { auth: alice, json: { permission: 'read' } })).status).toBe(204);
}, 120_000);
afterAll(async () => s?.stop());

describe('private repositories', () => {
  it('answer 404 on every read route to anonymous callers, exactly like a missing repository', async () => {
    const missing = await (await s.api('GET', '/api/v1/repos/alice/nope/contents/README.md')).text();
    for (const p of routes('secret')) {
      const res = await s.api('GET', p);
      expect(res.status, p).toBe(404);
      expect(await res.text(), p).toBe(missing);
    }
  });

  it('answer 404 on every read route to a signed-in stranger', async () => {
    for (const p of routes('secret')) expect((await s.api('GET', p, { auth: carol })).status, p).toBe(404);
  });

  it('are readable on every route by a collaborator with read access and the owner', async () => {
    for (const p of routes('secret')) {
      expect((await s.api('GET', p, { auth: bob })).status, p).toBe(200);
      expect((await s.api('GET', p, { auth: alice })).status, p).toBe(200);
    }
  });

  it('refuse branch writes: 401 anonymous, 404 stranger, 403 reader', async () => {
    const body = { new_branch_name: 'x' };
    expect((await s.api('POST', '/api/v1/repos/alice/secret/branches', { json: body })).status).toBe(401);
    expect((await s.api('POST', '/api/v1/repos/alice/secret/branches', { auth: carol, json: body })).status).toBe(404);
    expect((await s.api('POST', '/api/v1/repos/alice/secret/branches', { auth: bob, json: body })).status).toBe(403);
    expect((await s.api('DELETE', '/api/v1/repos/alice/secret/branches/main', { auth: carol })).status).toBe(404);
    expect((await s.api('DELETE', '/api/v1/repos/alice/secret/branches/main')).status).toBe(401);
  });
});

describe('internal repositories', () => {
  it('answer 404 to anonymous callers and are readable by any signed-in user', async () => {
    for (const p of routes('inside')) {
      expect((await s.api('GET', p)).status, p).toBe(404);
      expect((await s.api('GET', p, { auth: carol })).status, p).toBe(200);
    }
  });
});

describe('token scopes', () => {
  it('lets a read:repository token read but not create branches, and a token without it do neither', async () => {
    const reader = await createToken(s, 'alice', 'read:repository');
    const other = await createToken(s, 'alice', 'read:user');
    expect((await s.api('GET', '/api/v1/repos/alice/secret/raw/README.md', { token: reader })).status).toBe(200);
    expect((await s.api('POST', '/api/v1/repos/alice/secret/branches', { token: reader, json: { new_branch_name: 'y' } })).status).toBe(403);
    expect((await s.api('GET', '/api/v1/repos/alice/secret/raw/README.md', { token: other })).status).toBe(403);
    expect((await s.api('GET', '/api/v1/repos/alice/secret/archive/main.zip', { token: other })).status).toBe(403);
  });
});
