// Two-factor sign-in (TOTP) on every path, against a real server: enrolment and its recovery
// codes, the web sign-in's second step, the API's X-Gitea-OTP header for a password, git over HTTP
// refusing the password and taking a token, SSH keys unaffected, a code never accepted twice, the
// lock after five wrong codes, recovery codes working once, an administrator's reset, and the
// site-wide requirement sending accounts without 2FA to enrolment.
import path from 'node:path';
import { TOTP, Secret } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey, sshOptions, sshTarget } from '../fixtures/ssh.js';
import { Browser, createRepo, createToken, createUser, git, gitOk, makeRepo, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

const admin: [string, string] = ['root', 'root-pass-1234'];
const users = { alice: 'alice-pass-123', bob: 'bob-pass-1234', carol: 'carol-pass-123', dave: 'dave-pass-1234', erin: 'erin-pass-1234' } as const;
type Name = keyof typeof users;
const cred = (u: Name): [string, string] => [u, users[u]];

/** A code for the step `offset` steps from now (each step is 30 s; the server takes one step either side). */
function code(secret: string, offset = 0): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: Date.now() + offset * 30_000 });
}

describe('two-factor authentication', () => {
  let s: TestServer;
  const secrets = new Map<Name, string>();
  const recovery = new Map<Name, string[]>();
  /** The code each enrolment was confirmed with (its step is spent). */
  const confirmedWith = new Map<Name, string>();

  const api = async <T = Record<string, unknown>>(method: string, p: string, opts: { auth?: [string, string]; token?: string; json?: unknown; otp?: string } = {}) => {
    const res = await s.api(method, p, {
      ...(opts.auth ? { auth: opts.auth } : {}),
      ...(opts.token ? { token: opts.token } : {}),
      ...(opts.json !== undefined ? { json: opts.json } : {}),
      headers: opts.otp ? { 'X-Gitea-OTP': opts.otp } : {},
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };

  /** Enrols the user over the API (Basic with the password, before 2FA is on) and keeps the secret and recovery codes. */
  async function enrol(u: Name): Promise<void> {
    const begin = await api<{ secret: string; uri: string; qr_svg: string }>('POST', '/api/v1/user/2fa/totp', { auth: cred(u) });
    expect(begin.status).toBe(200);
    expect(begin.body.uri).toMatch(new RegExp(`^otpauth://totp/Gitssy:${u}\\?`));
    expect(begin.body.qr_svg).toMatch(/^<svg/);
    const wrong = await api('POST', '/api/v1/user/2fa/totp/confirm', { auth: cred(u), json: { code: '000000' === code(begin.body.secret) ? '111111' : '000000' } });
    expect(wrong.status).toBe(401);
    expect((await api<{ enabled: boolean; pending: boolean }>('GET', '/api/v1/user/2fa', { auth: cred(u) })).body).toMatchObject({ enabled: false, pending: true });
    const first = code(begin.body.secret);
    const ok = await api<{ recovery_codes: string[] }>('POST', '/api/v1/user/2fa/totp/confirm', { auth: cred(u), json: { code: first } });
    confirmedWith.set(u, first);
    expect(ok.status).toBe(200);
    expect(ok.body.recovery_codes).toHaveLength(10);
    expect(new Set(ok.body.recovery_codes).size).toBe(10);
    secrets.set(u, begin.body.secret);
    recovery.set(u, ok.body.recovery_codes);
  }

  beforeAll(async () => {
    s = await startServer();
    await createUser(s, admin[0], admin[1], { admin: true });
    for (const u of Object.keys(users) as Name[]) await createUser(s, u, users[u], { via: admin });
    for (const u of ['alice', 'bob', 'carol', 'dave'] as Name[]) await enrol(u);
  }, 60_000);

  afterAll(async () => {
    await s?.stop();
  });

  it('the API wants the code with a password (X-Gitea-OTP), takes a code once, and tokens keep working', async () => {
    const secret = secrets.get('alice')!;
    const bare = await api<{ message: string }>('GET', '/api/v1/user', { auth: cred('alice') });
    expect(bare.status).toBe(401);
    expect(bare.body.message).toMatch(/X-Gitea-OTP/);
    // the code that confirmed the enrolment is spent
    expect((await api('GET', '/api/v1/user', { auth: cred('alice'), otp: confirmedWith.get('alice')! })).status).toBe(401);
    const next = code(secret, 1);
    expect((await api('GET', '/api/v1/user', { auth: cred('alice'), otp: next })).status).toBe(200);
    const replay = await api<{ message: string }>('GET', '/api/v1/user', { auth: cred('alice'), otp: next });
    expect(replay.status).toBe(401);
    expect(replay.body.message).toMatch(/used already/);
    const token = await createToken(s, 'alice');
    expect((await api('GET', '/api/v1/user', { token })).status).toBe(200);
    expect((await api<{ enabled: boolean; recovery_codes_left: number }>('GET', '/api/v1/user/2fa', { token })).body).toMatchObject({ enabled: true, recovery_codes_left: 10 });
  });

  it('git over HTTP refuses the password of a 2FA account and takes a token; SSH keys are unaffected', async () => {
    const token = await createToken(s, 'bob');
    expect((await api('POST', '/api/v1/user/repos', { token, json: { name: 'code' } })).status).toBe(201);
    const src = await tempDir('gitssy-2fa-src-');
    await makeRepo(src, 1);
    const refused = await git(['push', s.gitUrl('bob/code.git', cred('bob')), 'HEAD:refs/heads/main'], { cwd: src });
    expect(refused.code).not.toBe(0);
    await gitOk(['push', '-q', s.gitUrl('bob/code.git', ['bob', token]), 'HEAD:refs/heads/main'], { cwd: src });
    const key = await generateKey();
    const added = await s.api('POST', '/api/v1/user/keys', { token, json: { title: 'laptop', key: key.publicLine } });
    expect(added.status).toBe(201);
    const target = await sshTarget(s);
    const out = await tempDir('gitssy-2fa-ssh-');
    await gitOk(['clone', '-q', `ssh://git@127.0.0.1:${target.port}/bob/code.git`, path.join(out, 'c')], { env: { GIT_SSH_COMMAND: ['ssh', ...sshOptions(target, key)].join(' ') } });
  });

  it('web sign-in asks for the code after the password, with a fresh session, and a recovery code works once', async () => {
    const b = new Browser(s.url);
    await b.session();
    const first = await b.request('POST', '/api/v1/auth/signin', { json: { username: 'carol', password: users.carol } });
    expect(first.status).toBe(200);
    const firstBody = (await first.json()) as { user: unknown; two_factor_required: boolean; csrf_token: string };
    expect(firstBody).toMatchObject({ user: null, two_factor_required: true });
    b.csrf = firstBody.csrf_token;
    const pending = await b.session();
    expect(pending).toMatchObject({ user: null, two_factor_pending: true });
    // not signed in yet: nothing needs a user
    expect((await b.request('GET', '/api/v1/user')).status).toBe(401);
    const cookieBefore = b.cookie('gitssy_session');
    const wrong = await b.request('POST', '/api/v1/auth/signin/2fa', { json: { code: '12345x' } });
    expect(wrong.status).toBe(401);
    const ok = await b.request('POST', '/api/v1/auth/signin/2fa', { json: { code: code(secrets.get('carol')!, 1) } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { user: { login: string } }).user.login).toBe('carol');
    expect(b.cookie('gitssy_session')).not.toBe(cookieBefore);
    await b.session();
    expect((await b.request('GET', '/api/v1/user')).status).toBe(200);

    // the second step with a recovery code, once
    const rc = recovery.get('carol')![0]!;
    for (const expected of [200, 401]) {
      const c = new Browser(s.url);
      await c.session();
      const r = await c.request('POST', '/api/v1/auth/signin', { json: { username: 'carol', password: users.carol } });
      c.csrf = ((await r.json()) as { csrf_token: string }).csrf_token;
      const res = await c.request('POST', '/api/v1/auth/signin/2fa', { json: { recovery_code: rc.toUpperCase() } });
      expect(res.status).toBe(expected);
    }
    // no pending password: the second step alone does nothing
    const stray = new Browser(s.url);
    await stray.session();
    expect((await stray.request('POST', '/api/v1/auth/signin/2fa', { json: { code: code(secrets.get('carol')!) } })).status).toBe(401);
  });

  it('five wrong codes lock code entry for the account, even for the right code', async () => {
    const secret = secrets.get('dave')!;
    const right = code(secret, 1);
    const wrongCode = right === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) expect((await api('GET', '/api/v1/user', { auth: cred('dave'), otp: wrongCode })).status).toBe(401);
    const locked = await api<{ message: string }>('GET', '/api/v1/user', { auth: cred('dave'), otp: right });
    expect(locked.status).toBe(429);
    expect(locked.body.message).toMatch(/too many wrong two-factor codes/);
    // an administrator resets it: the password alone works again
    expect((await api('DELETE', '/api/v1/admin/users/dave/2fa', { auth: admin })).status).toBe(204);
    expect((await api('DELETE', '/api/v1/admin/users/dave/2fa', { auth: admin })).status).toBe(404);
    expect((await api('GET', '/api/v1/user', { auth: cred('dave') })).status).toBe(200);
    expect((await api('DELETE', '/api/v1/admin/users/carol/2fa', { token: await createToken(s, 'alice') })).status).toBe(403);
  });

  it('when the site requires 2FA, an account without it may only enrol until it has', async () => {
    expect((await api('PATCH', '/api/v1/admin/settings', { auth: admin, json: { 'security.require2fa': true } })).status).toBe(200);
    try {
      const b = new Browser(s.url);
      await b.session();
      const r = await b.request('POST', '/api/v1/auth/signin', { json: { username: 'erin', password: users.erin } });
      expect(r.status).toBe(200);
      b.csrf = ((await r.json()) as { csrf_token: string }).csrf_token;
      expect(await b.session()).toMatchObject({ user: { login: 'erin' }, two_factor_enrolment_required: true });
      const blocked = await b.request('GET', '/api/v1/user/repos');
      expect(blocked.status).toBe(403);
      expect(((await blocked.json()) as { message: string }).message).toMatch(/requires two-factor authentication/);
      const begin = (await (await b.request('POST', '/api/v1/user/2fa/totp')).json()) as { secret: string };
      expect((await b.request('POST', '/api/v1/user/2fa/totp/confirm', { json: { code: code(begin.secret) } })).status).toBe(200);
      expect(await b.session()).toMatchObject({ two_factor_enrolment_required: false });
      expect((await b.request('GET', '/api/v1/user/repos')).status).toBe(200);

      // an account that must also change its password can do that first
      const made = await api('POST', '/api/v1/admin/users', { auth: admin, json: { username: 'frank', password: 'frank-pass-123', email: 'frank@example.test', must_change_password: true } });
      expect(made.status).toBe(201);
      const f = new Browser(s.url);
      await f.session();
      const fr = await f.request('POST', '/api/v1/auth/signin', { json: { username: 'frank', password: 'frank-pass-123' } });
      f.csrf = ((await fr.json()) as { csrf_token: string }).csrf_token;
      expect((await f.request('POST', '/api/v1/user/password', { json: { old_password: 'frank-pass-123', new_password: 'frank-pass-456' } })).status).toBe(204);
      await f.session();
      expect((await f.request('GET', '/api/v1/user/repos')).status).toBe(403);
      expect((await f.request('POST', '/api/v1/user/2fa/totp')).status).toBe(200);
    } finally {
      await api('PATCH', '/api/v1/admin/settings', { auth: admin, json: { 'security.require2fa': false } });
    }
  });

  it('turning 2FA off needs a current code; bad input changes nothing', async () => {
    const token = await createToken(s, 'bob');
    expect((await api('POST', '/api/v1/user/2fa/disable', { token, json: { code: '000000' === code(secrets.get('bob')!) ? '111111' : '000000' } })).status).toBe(401);
    expect((await api('POST', '/api/v1/user/2fa/disable', { token, json: {} })).status).toBe(422);
    expect((await api('POST', '/api/v1/user/2fa/totp', { token })).status).toBe(409);
    expect((await api<{ enabled: boolean }>('GET', '/api/v1/user/2fa', { token })).body.enabled).toBe(true);
    expect((await api('POST', '/api/v1/user/2fa/disable', { token, json: { code: code(secrets.get('bob')!, 1) } })).status).toBe(204);
    expect((await api<{ enabled: boolean }>('GET', '/api/v1/user/2fa', { token })).body.enabled).toBe(false);
    expect((await api('GET', '/api/v1/user', { auth: cred('bob') })).status).toBe(200);
  });
});
