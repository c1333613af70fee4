// The signed-in user's own account over HTTP: profile settings, changing the password (with the
// current one, rate-limited, ending other sessions), their organizations, and the small fields
// the browser UI relies on (user vs organization, collaborator roles, tokens from a session).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createRepo, createUser, startServer, type TestServer } from '../fixtures/rig.js';

async function signedIn(s: TestServer, username: string, password: string): Promise<Browser> {
  const b = new Browser(s.url);
  await b.session();
  const res = await b.request('POST', '/api/v1/auth/signin', { json: { username, password } });
  expect(res.status).toBe(200);
  await b.session();
  return b;
}

describe('account settings', () => {
  let s: TestServer;
  const admin: [string, string] = ['alice', 'alice-pass-123'];
  beforeAll(async () => {
    s = await startServer();
    await createUser(s, 'alice', 'alice-pass-123', { admin: true });
    await createUser(s, 'bob', 'bob-pass-123', { via: admin });
    await createUser(s, 'carol', 'carol-pass-123', { via: admin });
  });
  afterAll(async () => s?.stop());

  it('edits the profile and shows it on the public profile', async () => {
    const b = await signedIn(s, 'bob', 'bob-pass-123');
    const res = await b.request('PATCH', '/api/v1/user/settings', { json: { full_name: 'Bob Builder', description: 'I build <b>things</b>', website: 'https://bob.example' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ full_name: 'Bob Builder', description: 'I build <b>things</b>', website: 'https://bob.example', hide_email: true });
    const pub = (await (await s.api('GET', '/api/v1/users/bob')).json()) as Record<string, unknown>;
    expect(pub).toMatchObject({ full_name: 'Bob Builder', description: 'I build <b>things</b>', website: 'https://bob.example', type: 'User', email: '' });
    const mine = (await (await b.request('GET', '/api/v1/user/settings')).json()) as Record<string, unknown>;
    expect(mine.website).toBe('https://bob.example');
  });

  it('refuses a website that is not an http(s) URL, and unknown fields, changing nothing', async () => {
    const b = await signedIn(s, 'bob', 'bob-pass-123');
    const bad = await b.request('PATCH', '/api/v1/user/settings', { json: { full_name: 'Mallory', website: 'javascript:alert(1)' } });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { message: string }).message).toMatch(/http:\/\/ or https:\/\//);
    const unknown = await b.request('PATCH', '/api/v1/user/settings', { json: { is_admin: true } });
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { message: string }).message).toMatch(/is_admin/);
    const pub = (await (await s.api('GET', '/api/v1/users/bob')).json()) as Record<string, unknown>;
    expect(pub.full_name).toBe('Bob Builder');
    expect(pub.is_admin).toBe(false);
    // without the CSRF token a cookie-authenticated write is refused
    expect((await b.request('PATCH', '/api/v1/user/settings', { csrf: false, json: { full_name: 'x' } })).status).toBe(403);
    expect((await s.api('PATCH', '/api/v1/user/settings', { json: { full_name: 'x' } })).status).toBe(401);
  });

  it('changes the password with the current one: this session continues, others end', async () => {
    const other = await signedIn(s, 'carol', 'carol-pass-123');
    const b = await signedIn(s, 'carol', 'carol-pass-123');

    const wrong = await b.request('POST', '/api/v1/user/password', { json: { old_password: 'not-my-password', new_password: 'carol-new-pass-1' } });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { message: string }).message).toBe('your current password is wrong');
    const short = await b.request('POST', '/api/v1/user/password', { json: { old_password: 'carol-pass-123', new_password: 'short' } });
    expect(short.status).toBe(422);
    expect(((await short.json()) as { message: string }).message).toMatch(/at least 8/);
    const same = await b.request('POST', '/api/v1/user/password', { json: { old_password: 'carol-pass-123', new_password: 'carol-pass-123' } });
    expect(same.status).toBe(422);
    // nothing changed so far
    expect((await s.api('GET', '/api/v1/user', { auth: ['carol', 'carol-pass-123'] })).status).toBe(200);

    const ok = await b.request('POST', '/api/v1/user/password', { json: { old_password: 'carol-pass-123', new_password: 'carol-new-pass-1' } });
    expect(ok.status).toBe(204);
    expect((await s.api('GET', '/api/v1/user', { auth: ['carol', 'carol-pass-123'] })).status).toBe(401);
    expect((await s.api('GET', '/api/v1/user', { auth: ['carol', 'carol-new-pass-1'] })).status).toBe(200);
    // the browser that changed it stays signed in (with a fresh session); the other one is out
    expect(((await (await b.request('GET', '/api/v1/user')).json()) as { login: string }).login).toBe('carol');
    expect((await other.request('GET', '/api/v1/user')).status).toBe(401);
  });

  it('changes the password over Basic auth too, and refuses it anonymously', async () => {
    const res = await s.api('POST', '/api/v1/user/password', { auth: ['carol', 'carol-new-pass-1'], json: { old_password: 'carol-new-pass-1', new_password: 'carol-third-pass' } });
    expect(res.status).toBe(204);
    expect((await s.api('GET', '/api/v1/user', { auth: ['carol', 'carol-third-pass'] })).status).toBe(200);
    expect((await s.api('POST', '/api/v1/user/password', { json: { old_password: 'a', new_password: 'bbbbbbbbbb' } })).status).toBe(401);
  });

  it('lists the organizations the user belongs to and tells them apart from users', async () => {
    const created = await s.api('POST', '/api/v1/orgs', { auth: ['bob', 'bob-pass-123'], json: { username: 'builders', full_name: 'The Builders' } });
    expect(created.status).toBe(201);
    const orgs = (await (await s.api('GET', '/api/v1/user/orgs', { auth: ['bob', 'bob-pass-123'] })).json()) as { username: string }[];
    expect(orgs.map((o) => o.username)).toEqual(['builders']);
    const none = (await (await s.api('GET', '/api/v1/user/orgs', { auth: admin })).json()) as unknown[];
    expect(none).toEqual([]);
    expect(((await (await s.api('GET', '/api/v1/users/builders')).json()) as { type: string }).type).toBe('Organization');
  });

  it('lists collaborators with their roles', async () => {
    await createRepo(s, ['bob', 'bob-pass-123'], { name: 'shed' });
    expect((await s.api('PUT', '/api/v1/repos/bob/shed/collaborators/carol', { auth: ['bob', 'bob-pass-123'], json: { permission: 'read' } })).status).toBe(204);
    expect((await s.api('PUT', '/api/v1/repos/bob/shed/collaborators/alice', { auth: ['bob', 'bob-pass-123'], json: { permission: 'admin' } })).status).toBe(204);
    const list = (await (await s.api('GET', '/api/v1/repos/bob/shed/collaborators', { auth: ['bob', 'bob-pass-123'] })).json()) as {
      login: string;
      role_name: string;
      permissions: { push: boolean; admin: boolean };
    }[];
    expect(list.map((c) => [c.login, c.role_name, c.permissions.push, c.permissions.admin])).toEqual([
      ['alice', 'admin', true, true],
      ['carol', 'read', false, false],
    ]);
  });

  it("refuses a repository website that isn't an http(s) URL, changing nothing", async () => {
    const bad = await s.api('PATCH', '/api/v1/repos/bob/shed', { auth: ['bob', 'bob-pass-123'], json: { description: 'changed', website: 'javascript:alert(1)' } });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { message: string }).message).toMatch(/website must start with http/);
    const ok = await s.api('PATCH', '/api/v1/repos/bob/shed', { auth: ['bob', 'bob-pass-123'], json: { website: 'https://shed.example' } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ website: 'https://shed.example', description: '' });
  });

  it('creates, lists and deletes a token from a signed-in browser session (with CSRF)', async () => {
    const b = await signedIn(s, 'bob', 'bob-pass-123');
    expect((await b.request('POST', '/api/v1/users/bob/tokens', { csrf: false, json: { name: 'forged' } })).status).toBe(403);
    const res = await b.request('POST', '/api/v1/users/bob/tokens', { json: { name: 'from-ui', scopes: ['read:repository'] } });
    expect(res.status).toBe(201);
    const t = (await res.json()) as { id: number; sha1: string };
    expect((await s.api('GET', '/api/v1/user', { token: t.sha1 })).status).toBe(403);
    expect((await s.api('GET', '/api/v1/repos/bob/shed', { token: t.sha1 })).status).toBe(200);
    const list = (await (await b.request('GET', '/api/v1/users/bob/tokens')).json()) as { name: string }[];
    expect(list.map((x) => x.name)).toEqual(['from-ui']);
    expect((await b.request('DELETE', `/api/v1/users/bob/tokens/${t.id}`)).status).toBe(204);
    expect((await s.api('GET', '/api/v1/repos/bob/shed', { token: t.sha1 })).status).toBe(401);
  });
});

describe('password change rate limit', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
    await createUser(s, 'alice', 'alice-pass-123', { admin: true });
  });
  afterAll(async () => s?.stop());

  it('answers the 11th password change attempt within a minute with 429 and keeps the password', async () => {
    const b = await signedIn(s, 'alice', 'alice-pass-123');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await b.request('POST', '/api/v1/user/password', { json: { old_password: `guess-${i}-pass`, new_password: 'attacker-pass-1' } })).status);
    }
    expect(statuses.slice(0, 10).every((st) => st === 401 || st === 429)).toBe(true);
    expect(statuses[10]).toBe(429);
    expect((await s.api('GET', '/api/v1/user', { auth: ['alice', 'attacker-pass-1'] })).status).toBe(401);
  });
});
