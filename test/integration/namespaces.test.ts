// Namespaces from the seed's restricted shell: user and group namespaces, the u/ and g/ path
// spellings, and a public-writable organization.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, git, gitOk, makeRepo, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
const bob: [string, string] = ['bob', 'bob-pass-123'];
let s: TestServer;
let src: string;
beforeAll(async () => {
  s = await startServer();
  await createUser(s, 'alice', alice[1], { admin: true });
  await createUser(s, 'bob', bob[1], { via: alice });
  src = await tempDir();
  await makeRepo(src, 2);
});
afterAll(async () => s?.stop());

describe('path spellings', () => {
  it('accepts u/<user>/<repo>.git and g/<org>/<repo>.git over HTTP', async () => {
    await createRepo(s, alice, { name: 'mine' });
    await gitOk(['push', '-q', s.gitUrl('u/alice/mine.git', alice), 'main'], { cwd: src });
    expect(await gitOk(['ls-remote', s.gitUrl('alice/mine.git')])).toMatch(/refs\/heads\/main/);
    expect((await s.api('POST', '/api/v1/orgs', { auth: alice, json: { username: 'crew' } })).status).toBe(201);
    await createRepo(s, alice, { name: 'tools' }, 'crew');
    await gitOk(['push', '-q', s.gitUrl('g/crew/tools.git', alice), 'main'], { cwd: src });
    const dst = await tempDir();
    await gitOk(['clone', '-q', s.gitUrl('g/crew/tools.git'), `${dst}/c`]);
    // the alias does not open a third path segment to anything else
    expect((await fetch(`${s.url}/x/alice/mine.git/info/refs?service=git-upload-pack`)).status).toBe(404);
  });
});

describe('a public-writable organization', () => {
  it('lets every signed-in user push to its public and internal repositories, but not private ones', async () => {
    const res = await s.api('POST', '/api/v1/orgs', { auth: alice, json: { username: 'commons', public_writable: true } });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { public_writable: boolean }).public_writable).toBe(true);
    await createRepo(s, alice, { name: 'wiki-ish' }, 'commons');
    await createRepo(s, alice, { name: 'lounge', internal: true }, 'commons');
    await createRepo(s, alice, { name: 'vault', private: true }, 'commons');

    await gitOk(['push', '-q', s.gitUrl('commons/wiki-ish.git', bob), 'main'], { cwd: src });
    await gitOk(['push', '-q', s.gitUrl('commons/lounge.git', bob), 'main'], { cwd: src });
    const vault = await git(['push', s.gitUrl('commons/vault.git', bob), 'main'], { cwd: src });
    expect(vault.code).not.toBe(0);
    expect(vault.stderr).toMatch(/not found/);
    // anonymous never writes
    const anon = await git(['push', s.gitUrl('commons/wiki-ish.git'), 'main:anon'], { cwd: src });
    expect(anon.code).not.toBe(0);
    expect(await gitOk(['ls-remote', s.gitUrl('commons/wiki-ish.git')])).not.toMatch(/refs\/heads\/anon/);
    // bob writes but does not administer
    expect((await s.api('PATCH', '/api/v1/repos/commons/wiki-ish', { auth: bob, json: { description: 'x' } })).status).toBe(403);
  });

  it('stops being writable when an owner turns the policy off', async () => {
    await s.api('POST', '/api/v1/orgs', { auth: alice, json: { username: 'closing', public_writable: true } });
    await createRepo(s, alice, { name: 'r' }, 'closing');
    expect((await s.api('PATCH', '/api/v1/orgs/closing', { auth: bob, json: { public_writable: false } })).status).toBe(403);
    expect((await s.api('PATCH', '/api/v1/orgs/closing', { auth: alice, json: { public_writable: false } })).status).toBe(200);
    const r = await git(['push', s.gitUrl('closing/r.git', bob), 'main'], { cwd: src });
    expect(r.code).not.toBe(0);
    expect(await gitOk(['ls-remote', s.gitUrl('closing/r.git')])).toBe('');
  });
});
