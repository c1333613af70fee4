// A forced password change: an administrator's reset with `must_change_password` (what the
// console sends) flags the account; until its owner chooses a new password the web session may
// only change it, and the password opens neither the API's Basic auth nor git over HTTP, while
// the owner's tokens keep working. Accounts made by the setup wizard, the CLI, the admin API
// without the field and registration are never flagged.
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createRepo, createToken, createUser, git, gitOk, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';

const BASIC_REFUSAL = 'this account must change its password before it can be used: sign in on the web to choose a new one';
const SESSION_REFUSAL = 'a password change is required';

interface AdminUser {
  login: string;
  must_change_password: boolean;
}

describe('forced password change', () => {
  let s: TestServer;
  let work: string;
  let bobToken: string;
  const admin: [string, string] = ['alice', 'alice-pass-123'];
  const bobOld: [string, string] = ['bob', 'bob-pass-123'];
  const bobTemp: [string, string] = ['bob', 'bob-temp-pass-1'];
  const bobNew: [string, string] = ['bob', 'bob-own-pass-99'];

  const adminUser = async (login: string): Promise<AdminUser> => {
    const res = await s.api('GET', `/api/v1/admin/users?q=${login}`, { auth: admin });
    expect(res.status).toBe(200);
    const found = ((await res.json()) as AdminUser[]).find((u) => u.login === login);
    if (!found) throw new Error(`${login} is not in the admin list`);
    return found;
  };
  const signedIn = async (auth: [string, string]) => {
    const b = new Browser(s.url);
    await b.session();
    const res = await b.request('POST', '/api/v1/auth/signin', { json: { username: auth[0], password: auth[1] } });
    expect(res.status).toBe(200);
    await b.session();
    return { b, signin: (await res.json()) as { user: AdminUser } };
  };
  const clone = async (auth: [string, string], name: string) => {
    const dst = path.join(work, name);
    await rm(dst, { recursive: true, force: true });
    return git(['clone', '-q', s.gitUrl('bob/private.git', auth), dst]);
  };

  beforeAll(async () => {
    s = await startServer();
    work = await tempDir('gitssy-mcp-');
    // the administrator comes from the first-run wizard, as on a real install
    const token = await waitFor(async () => /setup\?token=([0-9a-f]+)/.exec(s.log())?.[1]);
    const wizard = new Browser(s.url);
    await wizard.session();
    const setup = await wizard.request('POST', '/api/v1/setup', { json: { token, username: admin[0], email: 'alice@example.test', password: admin[1] } });
    expect(setup.status).toBe(201);
    expect(((await setup.json()) as { user: AdminUser }).user.must_change_password).toBe(false);
    await createUser(s, 'bob', 'bob-pass-123', { via: admin });
    await createUser(s, 'carol', 'carol-pass-123');
    await createRepo(s, bobOld, { name: 'private', private: true, auto_init: true });
    bobToken = await createToken(s, 'bob');
  });
  afterAll(async () => {
    await s?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('does not flag accounts made by the setup wizard, the CLI, the admin API without the field, or registration', async () => {
    const visitor = new Browser(s.url);
    await visitor.session();
    const registered = await visitor.request('POST', '/api/v1/auth/register', { json: { username: 'dave', email: 'dave@example.test', password: 'dave-pass-123' } });
    expect(registered.status).toBe(201);
    expect(((await registered.json()) as { user: AdminUser }).user.must_change_password).toBe(false);
    for (const login of ['alice', 'bob', 'carol', 'dave']) expect((await adminUser(login)).must_change_password).toBe(false);
    // the CLI-made account and the registered one work with their passwords everywhere
    expect((await s.api('GET', '/api/v1/user', { auth: ['carol', 'carol-pass-123'] })).status).toBe(200);
    expect((await s.api('GET', '/api/v1/user', { auth: ['dave', 'dave-pass-123'] })).status).toBe(200);
  });

  it('flags an account created with must_change_password: true, and shows it to admins and the user only', async () => {
    const res = await s.api('POST', '/api/v1/admin/users', { auth: admin, json: { username: 'erin', email: 'erin@example.test', password: 'erin-pass-123', must_change_password: true } });
    expect(res.status).toBe(201);
    expect(((await res.json()) as AdminUser).must_change_password).toBe(true);
    expect((await adminUser('erin')).must_change_password).toBe(true);
    // other people don't see it on the public profile
    const pub = (await (await s.api('GET', '/api/v1/users/erin', { auth: ['carol', 'carol-pass-123'] })).json()) as AdminUser;
    expect(pub.must_change_password).toBe(false);
  });

  it("a PATCH with a password alone doesn't flag the account; with must_change_password it does (the console's reset)", async () => {
    const plain = await s.api('PATCH', '/api/v1/admin/users/bob', { auth: admin, json: { password: 'bob-pass-456' } });
    expect(plain.status).toBe(200);
    expect(((await plain.json()) as AdminUser).must_change_password).toBe(false);
    expect((await s.api('GET', '/api/v1/user', { auth: ['bob', 'bob-pass-456'] })).status).toBe(200);

    const reset = await s.api('PATCH', '/api/v1/admin/users/bob', { auth: admin, json: { password: bobTemp[1], must_change_password: true } });
    expect(reset.status).toBe(200);
    expect(((await reset.json()) as AdminUser).must_change_password).toBe(true);
    expect((await adminUser('bob')).must_change_password).toBe(true);
  });

  it('refuses the password as Basic auth on the API with a message that says why; a wrong one is still 401', async () => {
    const res = await s.api('GET', '/api/v1/user', { auth: bobTemp });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toBe(BASIC_REFUSAL);
    // a token can't be minted with it either
    const mint = await s.api('POST', '/api/v1/users/bob/tokens', { auth: bobTemp, json: { name: 'sneaky' } });
    expect(mint.status).toBe(403);
    expect(((await mint.json()) as { message: string }).message).toBe(BASIC_REFUSAL);
    const wrong = await s.api('GET', '/api/v1/user', { auth: ['bob', 'not-the-password'] });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { message: string }).message).not.toContain('must change');
  });

  it('refuses a git clone over HTTP with the password, saying why on stderr', async () => {
    const r = await clone(bobTemp, 'with-password');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`remote: ${BASIC_REFUSAL}`);
  });

  it("keeps the user's own tokens working, on the API and as git's password", async () => {
    const me = await s.api('GET', '/api/v1/user', { token: bobToken });
    expect(me.status).toBe(200);
    expect(((await me.json()) as AdminUser).must_change_password).toBe(true);
    const r = await clone(['bob', bobToken], 'with-token');
    expect(r.code, r.stderr).toBe(0);
  });

  it('lets the web session see its state, and refuses everything but the change with 403', async () => {
    const { b, signin } = await signedIn(bobTemp);
    expect(signin.user.must_change_password).toBe(true);
    const state = (await (await b.request('GET', '/api/v1/auth/session')).json()) as { user: AdminUser };
    expect(state.user).toMatchObject({ login: 'bob', must_change_password: true });
    for (const [method, p] of [
      ['GET', '/api/v1/user'],
      ['GET', '/api/v1/repos/bob/private'],
      ['GET', '/api/v1/user/settings'],
      ['PATCH', '/api/v1/user/settings'],
      ['GET', '/api/v1/users/bob/tokens'],
    ] as const) {
      const res = await b.request(method, p, method === 'PATCH' ? { json: { full_name: 'Bob' } } : {});
      expect(res.status, `${method} ${p}`).toBe(403);
      expect(((await res.json()) as { message: string }).message, `${method} ${p}`).toContain(SESSION_REFUSAL);
    }
    // signing out still works
    expect((await b.request('POST', '/api/v1/auth/signout')).status).toBe(204);
    expect((await b.session()).user).toBeNull();
  });

  it('changing the password through the API clears the flag, and then everything works', async () => {
    const { b } = await signedIn(bobTemp);
    const same = await b.request('POST', '/api/v1/user/password', { json: { old_password: bobTemp[1], new_password: bobTemp[1] } });
    expect(same.status).toBe(422);
    const changed = await b.request('POST', '/api/v1/user/password', { json: { old_password: bobTemp[1], new_password: bobNew[1] } });
    expect(changed.status).toBe(204);
    const state = (await b.session()) as unknown as { user: AdminUser };
    expect(state.user).toMatchObject({ login: 'bob', must_change_password: false });
    expect((await b.request('GET', '/api/v1/repos/bob/private')).status).toBe(200);
    expect((await adminUser('bob')).must_change_password).toBe(false);

    expect((await s.api('GET', '/api/v1/user', { auth: bobNew })).status).toBe(200);
    expect((await s.api('GET', '/api/v1/user', { auth: bobTemp })).status).toBe(401);
    await gitOk(['clone', '-q', s.gitUrl('bob/private.git', bobNew), path.join(work, 'after-change')]);
  });
});
