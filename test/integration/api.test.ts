// The Gitea-shaped REST API: repository lifecycle, forks, collaborators, stars, watches,
// organizations, pagination, the OpenAPI document, and bad input that must change nothing.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, git, gitOk, makeRepo, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

type Json = Record<string, any>;
const alice: [string, string] = ['alice', 'alice-pass-123'];
const bob: [string, string] = ['bob', 'bob-pass-123'];
const carol: [string, string] = ['carol', 'carol-pass-123'];

let s: TestServer;
let src: string;

beforeAll(async () => {
  s = await startServer();
  await createUser(s, 'alice', alice[1], { admin: true });
  await createUser(s, 'bob', bob[1], { via: alice });
  await createUser(s, 'carol', carol[1], { via: alice });
  src = await tempDir();
  await makeRepo(src, 3);
});
afterAll(async () => s?.stop());

const json = async (res: Response) => (await res.json()) as Json;
const repoDir = (owner: string, name: string) => path.join(s.data, 'repos', owner.toLowerCase(), `${name.toLowerCase()}.git`);

describe('repositories', () => {
  it('creates a repository with the Gitea JSON shape and a configured bare repo on disk', async () => {
    const r = await createRepo(s, alice, { name: 'Shape', description: 'shape test' });
    expect(r).toMatchObject({
      name: 'Shape',
      full_name: 'alice/Shape',
      description: 'shape test',
      private: false,
      internal: false,
      fork: false,
      empty: true,
      default_branch: 'main',
      clone_url: `${s.url}/alice/Shape.git`,
      html_url: `${s.url}/alice/Shape`,
      permissions: { admin: true, push: true, pull: true },
    });
    expect(r.owner).toMatchObject({ login: 'alice', username: 'alice' });
    expect(typeof r.ssh_url).toBe('string');
    const dir = repoDir('alice', 'Shape');
    expect(existsSync(path.join(dir, 'HEAD'))).toBe(true);
    const cfg = (key: string) => gitOk(['--git-dir', dir, 'config', '--get', key]).then((v) => v.trim());
    expect(await cfg('receive.fsckobjects')).toBe('true');
    expect(await cfg('uploadpack.allowfilter')).toBe('true');
    expect(await cfg('core.hookspath')).toBe(path.join(s.data, 'hooks'));
    expect((await gitOk(['--git-dir', dir, 'symbolic-ref', 'HEAD'])).trim()).toBe('refs/heads/main');
  });

  it('refuses a duplicate name (case-insensitively) with 409', async () => {
    const res = await s.api('POST', '/api/v1/user/repos', { auth: alice, json: { name: 'shape' } });
    expect(res.status).toBe(409);
    expect((await json(res)).message).toMatch(/already exists/);
  });

  it('creates an initial commit with auto_init', async () => {
    await createRepo(s, alice, { name: 'inited', auto_init: true, description: 'hello' });
    const dst = await tempDir();
    await gitOk(['clone', '-q', s.gitUrl('alice/inited.git'), `${dst}/c`]);
    expect(existsSync(`${dst}/c/README.md`)).toBe(true);
    expect((await json(await s.api('GET', '/api/v1/repos/alice/inited'))).empty).toBe(false);
  });

  it('marks a pushed repository non-empty, records its size, and makes the first pushed branch the default', async () => {
    await createRepo(s, alice, { name: 'pushed' });
    await gitOk(['push', '-q', s.gitUrl('alice/pushed.git', alice), 'main:trunk'], { cwd: src });
    let r: Json = {};
    for (let i = 0; i < 50 && (r.empty !== false || r.default_branch !== 'trunk'); i++) {
      await new Promise((res) => setTimeout(res, 100));
      r = await json(await s.api('GET', '/api/v1/repos/alice/pushed'));
    }
    expect(r.empty).toBe(false);
    expect(r.default_branch).toBe('trunk');
    expect(r.size).toBeGreaterThanOrEqual(0);
    expect((await gitOk(['--git-dir', repoDir('alice', 'pushed'), 'symbolic-ref', 'HEAD'])).trim()).toBe('refs/heads/trunk');
  });

  it('hides private and internal repositories from those who may not see them', async () => {
    await createRepo(s, alice, { name: 'secret', private: true });
    await createRepo(s, alice, { name: 'office', internal: true });
    expect((await s.api('GET', '/api/v1/repos/alice/secret')).status).toBe(404);
    expect((await s.api('GET', '/api/v1/repos/alice/secret', { auth: bob })).status).toBe(404);
    expect((await s.api('GET', '/api/v1/repos/alice/office')).status).toBe(404);
    const office = await json(await s.api('GET', '/api/v1/repos/alice/office', { auth: bob }));
    expect(office).toMatchObject({ internal: true, private: false, permissions: { pull: true, push: false, admin: false } });

    const anonList = (await json(await s.api('GET', '/api/v1/users/alice/repos'))) as unknown as Json[];
    const names = anonList.map((r) => r.name);
    expect(names).not.toContain('secret');
    expect(names).not.toContain('office');
    const bobList = ((await json(await s.api('GET', '/api/v1/users/alice/repos', { auth: bob }))) as unknown as Json[]).map((r) => r.name);
    expect(bobList).toContain('office');
    expect(bobList).not.toContain('secret');
    const search = await json(await s.api('GET', '/api/v1/repos/search?q=secret'));
    expect(search.ok).toBe(true);
    expect(search.data).toEqual([]);
  });

  it('searches with Gitea pagination headers', async () => {
    for (const n of ['page-a', 'page-b', 'page-c']) await createRepo(s, bob, { name: n });
    const res = await s.api('GET', '/api/v1/repos/search?q=page-&limit=2&page=1');
    expect(res.headers.get('x-total-count')).toBe('3');
    const next = res.headers
      .get('link')!
      .split(',')
      .find((l) => l.endsWith('rel="next"'));
    expect(next).toMatch(/[?&]page=2[&>]/);
    expect(res.headers.get('link')).toMatch(/rel="last"/);
    const body = await json(res);
    expect(body.data.map((r: Json) => r.name)).toEqual(['page-a', 'page-b']);
    const p2 = await json(await s.api('GET', '/api/v1/repos/search?q=page-&limit=2&page=2'));
    expect(p2.data.map((r: Json) => r.name)).toEqual(['page-c']);
  });

  it('renames a repository: the old name is gone, the new one clones', async () => {
    await createRepo(s, alice, { name: 'before' });
    await gitOk(['push', '-q', s.gitUrl('alice/before.git', alice), 'main'], { cwd: src });
    const res = await s.api('PATCH', '/api/v1/repos/alice/before', { auth: alice, json: { name: 'after', description: 'renamed' } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ name: 'after', description: 'renamed' });
    expect((await s.api('GET', '/api/v1/repos/alice/before')).status).toBe(404);
    expect(existsSync(repoDir('alice', 'before'))).toBe(false);
    const dst = await tempDir();
    await gitOk(['clone', '-q', s.gitUrl('alice/after.git'), `${dst}/c`]);
  });

  it('changes visibility and default branch; refuses a default branch that does not exist', async () => {
    await createRepo(s, alice, { name: 'vis' });
    await gitOk(['push', '-q', s.gitUrl('alice/vis.git', alice), 'main', 'main:dev'], { cwd: src });
    expect((await s.api('PATCH', '/api/v1/repos/alice/vis', { auth: alice, json: { private: true } })).status).toBe(200);
    expect((await s.api('GET', '/api/v1/repos/alice/vis')).status).toBe(404);
    expect((await git(['ls-remote', s.gitUrl('alice/vis.git')])).code).not.toBe(0);
    expect((await s.api('PATCH', '/api/v1/repos/alice/vis', { auth: alice, json: { default_branch: 'nope' } })).status).toBe(422);
    expect((await json(await s.api('PATCH', '/api/v1/repos/alice/vis', { auth: alice, json: { default_branch: 'dev', private: false } }))).default_branch).toBe('dev');
    expect((await gitOk(['ls-remote', '--symref', s.gitUrl('alice/vis.git'), 'HEAD'])).split('\n')[0]).toMatch(/refs\/heads\/dev/);
  });

  it('lets only admins of a repository edit or delete it', async () => {
    await createRepo(s, alice, { name: 'guarded' });
    expect((await s.api('PATCH', '/api/v1/repos/alice/guarded', { auth: bob, json: { description: 'mine now' } })).status).toBe(403);
    expect((await s.api('DELETE', '/api/v1/repos/alice/guarded', { auth: bob })).status).toBe(403);
    expect((await s.api('DELETE', '/api/v1/repos/alice/guarded')).status).toBe(401);
    expect((await json(await s.api('GET', '/api/v1/repos/alice/guarded'))).description).toBe('');
  });

  it('deletes a repository from the db and the disk', async () => {
    await createRepo(s, alice, { name: 'doomed' });
    expect(existsSync(repoDir('alice', 'doomed'))).toBe(true);
    expect((await s.api('DELETE', '/api/v1/repos/alice/doomed', { auth: alice })).status).toBe(204);
    expect((await s.api('GET', '/api/v1/repos/alice/doomed')).status).toBe(404);
    expect(existsSync(repoDir('alice', 'doomed'))).toBe(false);
  });
});

describe('forks', () => {
  it('forks into the caller account with a parent, and the fork clones', async () => {
    await createRepo(s, alice, { name: 'upstream' });
    await gitOk(['push', '-q', s.gitUrl('alice/upstream.git', alice), 'main'], { cwd: src });
    const res = await s.api('POST', '/api/v1/repos/alice/upstream/forks', { auth: bob, json: {} });
    expect(res.status).toBe(202);
    const fork = await json(res);
    expect(fork).toMatchObject({ full_name: 'bob/upstream', fork: true, parent: { full_name: 'alice/upstream' } });
    const dst = await tempDir();
    await gitOk(['clone', '-q', s.gitUrl('bob/upstream.git'), `${dst}/c`]);
    expect((await gitOk(['--git-dir', repoDir('bob', 'upstream'), 'remote'])).trim()).toBe('');
    expect((await json(await s.api('GET', '/api/v1/repos/alice/upstream'))).forks_count).toBe(1);
    expect((await s.api('POST', '/api/v1/repos/alice/upstream/forks', { auth: bob, json: {} })).status).toBe(409);
    const list = (await json(await s.api('GET', '/api/v1/repos/alice/upstream/forks'))) as unknown as Json[];
    expect(list.map((r) => r.full_name)).toEqual(['bob/upstream']);
  });

  it('does not let a stranger fork a private repository', async () => {
    await createRepo(s, alice, { name: 'closed', private: true });
    expect((await s.api('POST', '/api/v1/repos/alice/closed/forks', { auth: bob, json: {} })).status).toBe(404);
    expect((await s.api('GET', '/api/v1/repos/bob/closed', { auth: bob })).status).toBe(404);
  });

  it('never follows a symlink planted in the source repository', async () => {
    await createRepo(s, alice, { name: 'linked' });
    await gitOk(['push', '-q', s.gitUrl('alice/linked.git', alice), 'main'], { cwd: src });
    const { symlink } = await import('node:fs/promises');
    // an object directory symlinked to somewhere outside: a local clone would follow it
    await symlink('/etc', path.join(repoDir('alice', 'linked'), 'objects', 'ee'));
    const res = await s.api('POST', '/api/v1/repos/alice/linked/forks', { auth: carol, json: {} });
    expect(res.status).toBe(202);
    const forked = path.join(repoDir('carol', 'linked'), 'objects', 'ee');
    expect(existsSync(forked)).toBe(false);
  });
});

describe('collaborators', () => {
  it('adds, checks, changes and removes a collaborator with Gitea status codes', async () => {
    await createRepo(s, alice, { name: 'team', private: true });
    expect((await s.api('GET', '/api/v1/repos/alice/team/collaborators/bob', { auth: alice })).status).toBe(404);
    expect((await s.api('PUT', '/api/v1/repos/alice/team/collaborators/bob', { auth: alice, json: { permission: 'read' } })).status).toBe(204);
    expect((await s.api('GET', '/api/v1/repos/alice/team/collaborators/bob', { auth: alice })).status).toBe(204);
    const perm = await json(await s.api('GET', '/api/v1/repos/alice/team/collaborators/bob/permission', { auth: alice }));
    expect(perm.permission).toBe('read');
    expect((await json(await s.api('GET', '/api/v1/repos/alice/team', { auth: bob }))).permissions).toEqual({ admin: false, push: false, pull: true });
    // a read collaborator can't manage collaborators
    expect((await s.api('PUT', '/api/v1/repos/alice/team/collaborators/carol', { auth: bob, json: { permission: 'admin' } })).status).toBe(403);
    expect((await s.api('PUT', '/api/v1/repos/alice/team/collaborators/bob', { auth: alice, json: { permission: 'write' } })).status).toBe(204);
    expect((await json(await s.api('GET', '/api/v1/repos/alice/team', { auth: bob }))).permissions.push).toBe(true);
    const list = (await json(await s.api('GET', '/api/v1/repos/alice/team/collaborators', { auth: alice }))) as unknown as Json[];
    expect(list.map((u) => u.login)).toEqual(['bob']);
    expect((await s.api('PUT', '/api/v1/repos/alice/team/collaborators/nobody', { auth: alice, json: {} })).status).toBe(422);
    expect((await s.api('PUT', '/api/v1/repos/alice/team/collaborators/bob', { auth: alice, json: { permission: 'owner' } })).status).toBe(422);
    expect((await s.api('DELETE', '/api/v1/repos/alice/team/collaborators/bob', { auth: alice })).status).toBe(204);
    expect((await s.api('GET', '/api/v1/repos/alice/team', { auth: bob })).status).toBe(404);
  });
});

describe('stars and watches', () => {
  it('stars and unstars, counting once per user', async () => {
    await createRepo(s, alice, { name: 'starry' });
    expect((await s.api('PUT', '/api/v1/user/starred/alice/starry', { auth: bob })).status).toBe(204);
    expect((await s.api('PUT', '/api/v1/user/starred/alice/starry', { auth: bob })).status).toBe(204);
    expect((await json(await s.api('GET', '/api/v1/repos/alice/starry'))).stars_count).toBe(1);
    expect((await s.api('GET', '/api/v1/user/starred/alice/starry', { auth: bob })).status).toBe(204);
    const starred = (await json(await s.api('GET', '/api/v1/user/starred', { auth: bob }))) as unknown as Json[];
    expect(starred.map((r) => r.full_name)).toEqual(['alice/starry']);
    expect((await s.api('DELETE', '/api/v1/user/starred/alice/starry', { auth: bob })).status).toBe(204);
    expect((await json(await s.api('GET', '/api/v1/repos/alice/starry'))).stars_count).toBe(0);
    expect((await s.api('GET', '/api/v1/user/starred/alice/starry', { auth: bob })).status).toBe(404);
    expect((await s.api('PUT', '/api/v1/user/starred/alice/starry')).status).toBe(401);
  });

  it('watches (the creator watches automatically)', async () => {
    await createRepo(s, alice, { name: 'watched' });
    expect((await json(await s.api('GET', '/api/v1/repos/alice/watched'))).watchers_count).toBe(1);
    expect((await s.api('PUT', '/api/v1/repos/alice/watched/subscription', { auth: bob })).status).toBe(200);
    expect((await json(await s.api('GET', '/api/v1/repos/alice/watched'))).watchers_count).toBe(2);
    expect((await s.api('DELETE', '/api/v1/repos/alice/watched/subscription', { auth: bob })).status).toBe(204);
    expect((await s.api('GET', '/api/v1/repos/alice/watched/subscription', { auth: bob })).status).toBe(404);
  });
});

describe('organizations', () => {
  it('creates an org whose members push and whose strangers cannot', async () => {
    const res = await s.api('POST', '/api/v1/orgs', { auth: carol, json: { username: 'acme', full_name: 'Acme Inc' } });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ name: 'acme', username: 'acme', full_name: 'Acme Inc' });
    expect((await json(await s.api('GET', '/api/v1/orgs/acme'))).full_name).toBe('Acme Inc');
    await createRepo(s, carol, { name: 'tools', private: true }, 'acme');
    // bob is not a member: can't see or create
    expect((await s.api('GET', '/api/v1/repos/acme/tools', { auth: bob })).status).toBe(404);
    expect((await s.api('POST', '/api/v1/orgs/acme/repos', { auth: bob, json: { name: 'sneaky' } })).status).toBe(403);
    // after joining as a member, bob pushes
    expect((await s.api('PUT', '/api/v1/orgs/acme/members/bob', { auth: carol, json: {} })).status).toBe(204);
    await gitOk(['push', '-q', s.gitUrl('acme/tools.git', bob), 'main'], { cwd: src });
    expect((await json(await s.api('GET', '/api/v1/repos/acme/tools', { auth: bob }))).permissions).toEqual({ admin: false, push: true, pull: true });
    const members = (await json(await s.api('GET', '/api/v1/orgs/acme/members', { auth: bob }))) as unknown as Json[];
    expect(members.map((m) => m.login).sort()).toEqual(['bob', 'carol']);
    // members can't manage membership; the last owner can't leave
    expect((await s.api('DELETE', '/api/v1/orgs/acme/members/carol', { auth: bob })).status).toBe(403);
    expect((await s.api('DELETE', '/api/v1/orgs/acme/members/carol', { auth: carol })).status).toBe(409);
    expect((await s.api('POST', '/api/v1/orgs', { auth: bob, json: { username: 'Acme' } })).status).toBe(409);
  });
});

describe('users and misc', () => {
  it('serves /version, /user, /users/{u}', async () => {
    expect((await json(await s.api('GET', '/api/v1/version'))).version).toMatch(/^\d{4}\./);
    expect((await s.api('GET', '/api/v1/user')).status).toBe(401);
    expect(await json(await s.api('GET', '/api/v1/user', { auth: bob }))).toMatchObject({ login: 'bob', email: 'bob@example.test', is_admin: false });
    const pub = await json(await s.api('GET', '/api/v1/users/bob'));
    expect(pub.login).toBe('bob');
    expect(pub.email).toBe('');
    expect((await s.api('GET', '/api/v1/users/nobody')).status).toBe(404);
  });

  it('lets only site admins create users', async () => {
    const res = await s.api('POST', '/api/v1/admin/users', { auth: bob, json: { username: 'eve', email: 'eve@example.test', password: 'eve-pass-1234' } });
    expect(res.status).toBe(403);
    expect((await s.api('GET', '/api/v1/users/eve')).status).toBe(404);
    const ok = await s.api('POST', '/api/v1/admin/users', { auth: alice, json: { username: 'eve', email: 'eve@example.test', password: 'eve-pass-1234', must_change_password: false } });
    expect(ok.status).toBe(201);
    expect((await s.api('POST', '/api/v1/admin/users', { auth: alice, json: { username: 'eve2', email: 'EVE@example.test', password: 'eve-pass-1234' } })).status).toBe(409);
    expect((await s.api('POST', '/api/v1/admin/users', { auth: alice, json: { username: 'eve3', email: 'not-an-email', password: 'eve-pass-1234' } })).status).toBe(422);
    expect((await s.api('POST', '/api/v1/admin/users', { auth: alice, json: { username: 'eve4', email: 'e4@example.test', password: 'short' } })).status).toBe(422);
  });

  it('serves an OpenAPI document generated from the request schemas', async () => {
    const doc = await json(await s.api('GET', '/api/v1/openapi.json'));
    expect(doc.openapi).toMatch(/^3\./);
    const create = doc.paths['/user/repos'].post;
    const schema = create.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(['name']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.name.maxLength).toBe(100);
    expect(doc.paths['/repos/{owner}/{repo}'].get.parameters.map((p: Json) => p.name)).toEqual(['owner', 'repo']);
    expect(Object.keys(doc.paths).length).toBeGreaterThan(20);
  });
});

describe('bad input changes nothing', () => {
  const countRepos = async () => Number((await s.api('GET', '/api/v1/repos/search?limit=1', { auth: alice })).headers.get('x-total-count'));

  it.each([
    ['an unknown field', { name: 'ok-name', evil: 1 }, 422, /unknown field "evil"/],
    ['an array where a string belongs', { name: ['a'] }, 422, /name/],
    ['a number where a string belongs', { name: 5 }, 422, /name/],
    ['a missing name', {}, 422, /name/],
    ['an over-long name', { name: 'x'.repeat(101) }, 422, /name/],
    ['a traversal name', { name: '../x' }, 422, /repository name/],
    ['a name with a slash', { name: 'a/b' }, 422, /repository name/],
    ['a name starting with a dash', { name: '-x' }, 422, /repository name/],
    ['a name ending in .git', { name: 'x.git' }, 422, /\.git/],
    ['a reserved name', { name: 'api' }, 422, /reserved/],
    ['a NUL byte', { name: 'a\u0000b' }, 422, /repository name/],
    ['a bad default branch', { name: 'okay', default_branch: '-x' }, 422, /default branch/],
  ])('refuses %s with a clear message', async (_what, body, status, message) => {
    const before = await countRepos();
    const res = await s.api('POST', '/api/v1/user/repos', { auth: alice, json: body });
    expect(res.status).toBe(status);
    expect((await json(res)).message).toMatch(message);
    expect(await countRepos()).toBe(before);
  });

  it('refuses malformed JSON with 400 and an oversized body with 413', async () => {
    const bad = await s.api('POST', '/api/v1/user/repos', { auth: alice, body: '{"name":', headers: { 'Content-Type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).message).toMatch(/JSON/);
    const big = await s.api('POST', '/api/v1/user/repos', { auth: alice, json: { name: 'big', description: 'x'.repeat(2 * 1024 * 1024) } });
    expect(big.status).toBe(413);
    expect((await s.api('GET', '/api/v1/repos/alice/big')).status).toBe(404);
  });

  it('refuses repeated query keys (arrays) and out-of-range pages', async () => {
    expect((await s.api('GET', '/api/v1/repos/search?q=a&q=b')).status).toBe(422);
    expect((await s.api('GET', '/api/v1/repos/search?limit=1000')).status).toBe(422);
    expect((await s.api('GET', '/api/v1/repos/search?page=0')).status).toBe(422);
  });

  it('answers a malformed Authorization header with 401, never as anonymous', async () => {
    expect((await s.api('GET', '/api/v1/repos/search', { headers: { Authorization: 'Basic !!!' } })).status).toBe(401);
    expect((await s.api('GET', '/api/v1/repos/search', { headers: { Authorization: 'token not-a-token' } })).status).toBe(401);
    expect((await s.api('GET', '/api/v1/repos/search', { headers: { Authorization: 'Digest abc' } })).status).toBe(401);
  });

  it('answers unknown API routes with a JSON 404', async () => {
    const res = await s.api('GET', '/api/v1/nope');
    expect(res.status).toBe(404);
    expect((await json(res)).message).toMatch(/no route/);
  });
});
