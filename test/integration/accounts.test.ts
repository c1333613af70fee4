// Accounts over HTTP: first-run setup, sessions with CSRF, registration modes, tokens, lockout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createUser, startServer, waitFor, type TestServer } from '../fixtures/rig.js';

describe('first-run setup', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => s?.stop());

  it('prints a one-time setup link and only that token claims the instance', async () => {
    const m = await waitFor(async () => /\/setup\?token=([0-9a-f]{48})/.exec(s.log()), 5_000);
    const token = m[1]!;

    const b = new Browser(s.url);
    expect((await b.session()).setup_required).toBe(true);
    expect((await b.request('GET', '/setup?token=nope')).status).toBe(403);
    expect((await b.request('GET', `/setup?token=${token}`)).status).toBe(200);

    const bad = await b.request('POST', '/api/v1/setup', { json: { token: 'f'.repeat(48), username: 'mallory', email: 'm@example.test', password: 'mallory-pass-1' } });
    expect(bad.status).toBe(403);
    const noCsrf = await b.request('POST', '/api/v1/setup', { csrf: false, json: { token, username: 'root', email: 'root@example.test', password: 'root-pass-123' } });
    expect(noCsrf.status).toBe(403);

    const ok = await b.request('POST', '/api/v1/setup', { json: { token, username: 'root', email: 'root@example.test', password: 'root-pass-123' } });
    expect(ok.status).toBe(201);
    const me = await b.request('GET', '/api/v1/user');
    expect((await me.json()) as { login: string; is_admin: boolean }).toMatchObject({ login: 'root', is_admin: true });

    // the link is spent: nobody else can use it
    const again = await new Browser(s.url);
    await again.session();
    const second = await again.request('POST', '/api/v1/setup', { json: { token, username: 'mallory', email: 'm@example.test', password: 'mallory-pass-1' } });
    expect(second.status).toBe(409);
    expect((await s.api('GET', '/api/v1/users/mallory')).status).toBe(404);
  });
});

describe('sessions, CSRF, registration and tokens', () => {
  let s: TestServer;
  const admin: [string, string] = ['alice', 'alice-pass-123'];
  beforeAll(async () => {
    s = await startServer();
    await createUser(s, 'alice', 'alice-pass-123', { admin: true });
    await createUser(s, 'bob', 'bob-pass-123', { via: admin });
  });
  afterAll(async () => s?.stop());

  it('signs in with a new session id, an httpOnly SameSite=Lax cookie, and signs out', async () => {
    const b = new Browser(s.url);
    await b.session();
    const before = b.cookie('gitssy_session');
    expect(before).toBeDefined();
    const res = await b.request('POST', '/api/v1/auth/signin', { json: { username: 'bob', password: 'bob-pass-123' } });
    expect(res.status).toBe(200);
    const setCookie = b.rawSetCookies.join('\n');
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(b.cookie('gitssy_session')).not.toBe(before);
    expect(((await (await b.request('GET', '/api/v1/user')).json()) as { login: string }).login).toBe('bob');
    // the session was replaced, and so was its CSRF token
    const oldCsrf = b.csrf;
    expect((await b.request('POST', '/api/v1/auth/signout')).status).toBe(403);
    await b.session();
    expect(b.csrf).not.toBe(oldCsrf);

    const out = await b.request('POST', '/api/v1/auth/signout');
    expect(out.status).toBe(204);
    expect((await b.request('GET', '/api/v1/user')).status).toBe(401);
  });

  it('refuses a cookie-authenticated write without the CSRF token and changes nothing', async () => {
    const b = new Browser(s.url);
    await b.session();
    expect((await b.request('POST', '/api/v1/auth/signin', { json: { username: 'bob', password: 'bob-pass-123' } })).status).toBe(200);
    await b.session();
    const forged = await b.request('POST', '/api/v1/user/repos', { csrf: false, json: { name: 'forged' } });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { message: string }).message).toMatch(/CSRF/);
    expect((await s.api('GET', '/api/v1/repos/bob/forged')).status).toBe(404);
    const good = await b.request('POST', '/api/v1/user/repos', { json: { name: 'real' } });
    expect(good.status).toBe(201);
  });

  it('answers a wrong password with 401 and no session', async () => {
    const b = new Browser(s.url);
    await b.session();
    const res = await b.request('POST', '/api/v1/auth/signin', { json: { username: 'bob', password: 'wrong-password' } });
    expect(res.status).toBe(401);
    expect((await b.request('GET', '/api/v1/user')).status).toBe(401);
  });

  it('follows the registration setting: open, admin approval, closed', async () => {
    const setMode = async (mode: string) => expect((await s.api('PATCH', '/api/v1/admin/settings', { auth: admin, json: { 'registration.mode': mode } })).status).toBe(200);

    await setMode('open');
    const b1 = new Browser(s.url);
    await b1.session();
    const r1 = await b1.request('POST', '/api/v1/auth/register', { json: { username: 'opal', email: 'opal@example.test', password: 'opal-pass-123' } });
    expect(r1.status).toBe(201);
    expect(((await (await b1.request('GET', '/api/v1/user')).json()) as { login: string }).login).toBe('opal');

    await setMode('approval');
    const b2 = new Browser(s.url);
    await b2.session();
    const r2 = await b2.request('POST', '/api/v1/auth/register', { json: { username: 'pat', email: 'pat@example.test', password: 'pat-pass-1234' } });
    expect(r2.status).toBe(201);
    expect(((await r2.json()) as { pending: boolean }).pending).toBe(true);
    const waiting = await s.api('GET', '/api/v1/user', { auth: ['pat', 'pat-pass-1234'] });
    expect(waiting.status).toBe(403);
    expect(((await waiting.json()) as { message: string }).message).toMatch(/approve/);
    expect((await s.api('PATCH', '/api/v1/admin/users/pat', { auth: admin, json: { active: true } })).status).toBe(200);
    expect((await s.api('GET', '/api/v1/user', { auth: ['pat', 'pat-pass-1234'] })).status).toBe(200);

    await setMode('closed');
    const b3 = new Browser(s.url);
    await b3.session();
    const r3 = await b3.request('POST', '/api/v1/auth/register', { json: { username: 'quinn', email: 'quinn@example.test', password: 'quinn-pass-12' } });
    expect(r3.status).toBe(403);
    expect((await s.api('GET', '/api/v1/users/quinn')).status).toBe(404);
  });

  it('refuses invalid settings as a whole', async () => {
    const res = await s.api('PATCH', '/api/v1/admin/settings', { auth: admin, json: { 'registration.mode': 'closed', 'git.maxPushBytes': -5 } });
    expect(res.status).toBe(422);
    const bad = await s.api('PATCH', '/api/v1/admin/settings', { auth: admin, json: { 'no.such.setting': 1 } });
    expect(bad.status).toBe(422);
    expect((await s.api('PATCH', '/api/v1/admin/settings', { auth: ['bob', 'bob-pass-123'], json: { 'registration.mode': 'open' } })).status).toBe(403);
  });

  it('creates a token with Basic auth only, uses it, limits it by scope, and deletes it', async () => {
    const created = await s.api('POST', '/api/v1/users/bob/tokens', { auth: ['bob', 'bob-pass-123'], json: { name: 'ci', scopes: ['read:user'] } });
    expect(created.status).toBe(201);
    const t = (await created.json()) as { id: number; sha1: string; token_last_eight: string; scopes: string[] };
    expect(t.sha1).toMatch(/^[0-9a-f]{40}$/);
    expect(t.token_last_eight).toBe(t.sha1.slice(-8));
    expect(t.scopes).toEqual(['read:user']);

    expect((await s.api('GET', '/api/v1/user', { token: t.sha1 })).status).toBe(200);
    // a token cannot mint tokens
    expect((await s.api('POST', '/api/v1/users/bob/tokens', { token: t.sha1, json: { name: 'more' } })).status).toBe(403);
    // read:user doesn't reach repository writes
    const repo = await s.api('POST', '/api/v1/user/repos', { token: t.sha1, json: { name: 'scoped', private: true } });
    expect(repo.status).toBe(403);
    expect(((await repo.json()) as { message: string }).message).toMatch(/write:repository/);
    expect((await s.api('GET', '/api/v1/repos/bob/scoped', { auth: ['bob', 'bob-pass-123'] })).status).toBe(404);
    // duplicate names conflict
    expect((await s.api('POST', '/api/v1/users/bob/tokens', { auth: ['bob', 'bob-pass-123'], json: { name: 'ci' } })).status).toBe(409);
    // unknown scopes are refused
    expect((await s.api('POST', '/api/v1/users/bob/tokens', { auth: ['bob', 'bob-pass-123'], json: { name: 'x', scopes: ['sudo'] } })).status).toBe(422);
    // another user's tokens are off limits
    expect((await s.api('POST', '/api/v1/users/alice/tokens', { auth: ['bob', 'bob-pass-123'], json: { name: 'steal' } })).status).toBe(403);

    const list = (await (await s.api('GET', '/api/v1/users/bob/tokens', { auth: ['bob', 'bob-pass-123'] })).json()) as { name: string; sha1?: string }[];
    expect(list.map((x) => x.name)).toContain('ci');
    expect(list.every((x) => x.sha1 === undefined)).toBe(true);

    expect((await s.api('DELETE', `/api/v1/users/bob/tokens/${t.id}`, { auth: ['bob', 'bob-pass-123'] })).status).toBe(204);
    expect((await s.api('GET', '/api/v1/user', { token: t.sha1 })).status).toBe(401);
  });

  it('locks an account after repeated failed passwords and unlocks it for an admin reset', async () => {
    await createUser(s, 'lola', 'lola-pass-123', { via: admin });
    expect((await s.api('PATCH', '/api/v1/admin/settings', { auth: admin, json: { 'auth.maxFailedLogins': 3 } })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await s.api('GET', '/api/v1/user', { auth: ['lola', `wrong-${i}-pass`] })).status).toBe(401);
    const locked = await s.api('GET', '/api/v1/user', { auth: ['lola', 'lola-pass-123'] });
    expect(locked.status).toBe(401);
    expect(((await locked.json()) as { message: string }).message).toMatch(/locked/);
    // an administrator setting a new password lifts the lock
    expect((await s.api('PATCH', '/api/v1/admin/users/lola', { auth: admin, json: { password: 'lola-new-pass-1' } })).status).toBe(200);
    expect((await s.api('GET', '/api/v1/user', { auth: ['lola', 'lola-new-pass-1'] })).status).toBe(200);
    await s.api('PATCH', '/api/v1/admin/settings', { auth: admin, json: { 'auth.maxFailedLogins': 10 } });
  });

  it('refuses a disabled account everywhere', async () => {
    await createUser(s, 'dora', 'dora-pass-123', { via: admin });
    expect((await s.api('PATCH', '/api/v1/admin/users/dora', { auth: admin, json: { prohibit_login: true } })).status).toBe(200);
    const res = await s.api('GET', '/api/v1/user', { auth: ['dora', 'dora-pass-123'] });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toMatch(/disabled/);
  });
});

describe('rate limits on credential endpoints', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
    await createUser(s, 'alice', 'alice-pass-123', { admin: true });
  });
  afterAll(async () => s?.stop());

  it('answers the 11th sign-in attempt within a minute with 429', async () => {
    const b = new Browser(s.url);
    await b.session();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await b.request('POST', '/api/v1/auth/signin', { json: { username: 'nobody', password: 'whatever-pass' } })).status);
    }
    expect(statuses.slice(0, 10).every((st) => st === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    // token creation has its own budget, still available
    expect((await s.api('POST', '/api/v1/users/alice/tokens', { auth: ['alice', 'alice-pass-123'], json: { name: 't1' } })).status).toBe(201);
  });
});

describe('the setup page (no script, plain form)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => s?.stop());

  it('creates the administrator from the form and signs them in', async () => {
    const token = (await waitFor(async () => /\/setup\?token=([0-9a-f]{48})/.exec(s.log()), 5_000))[1]!;
    const b = new Browser(s.url);
    // /setup is the wizard of the browser UI; /setup/basic the same first step without script
    const wizard = await b.request('GET', `/setup?token=${token}`);
    expect(wizard.status).toBe(200);
    expect(await wizard.text()).toContain('id="gitssy-boot"');
    expect((await b.request('GET', '/setup/basic?token=nope')).status).toBe(403);
    const page = await b.request('GET', `/setup/basic?token=${token}`);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const html = await page.text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

    const weak = await b.request('POST', '/setup', { csrf: false, form: { _csrf: csrf, token, username: 'boss', email: 'boss@example.test', password: 'short' } });
    expect(weak.status).toBe(422);
    expect(await weak.text()).toMatch(/at least 8 characters/);

    const res = await b.request('POST', '/setup', { csrf: false, form: { _csrf: csrf, token, username: 'boss', email: 'boss@example.test', password: 'admin-pass-123' } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    expect(((await (await b.request('GET', '/api/v1/user')).json()) as { login: string }).login).toBe('boss');
    // set up now: the page sends people home
    expect((await b.request('GET', `/setup?token=${token}`)).status).toBe(303);
    expect((await b.request('GET', `/setup/basic?token=${token}`)).status).toBe(303);
  });
});
