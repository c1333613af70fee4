// The first-run wizard's API: GET /setup/info (guarded by the one-time token) and the extended
// POST /setup that creates the administrator and applies the wizard's choices all or nothing.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, pgUrlFor, startServer, waitFor, type TestServer } from '../fixtures/rig.js';

/** What the wizard wrote to <data>/.gitssy.env: null when nothing (the PostgreSQL pass's own DATABASE_URL line aside). */
async function wizardEnv(data: string): Promise<string | null> {
  const text = await readFile(path.join(data, '.gitssy.env'), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  const own = pgUrlFor(data) ? text.replace(/^DATABASE_URL=.*\n/m, '') : text;
  return own === '' ? null : own;
}

let s: TestServer;
let token: string;
beforeAll(async () => {
  s = await startServer();
  token = await waitFor(async () => /setup\?token=([0-9a-f]+)/.exec(s.log())?.[1]);
});
afterAll(async () => s?.stop());

const admin = { username: 'owner', email: 'owner@example.test', password: 'owner-pass-123' };

/** POST /api/v1/setup as the wizard page does: a browser session with its CSRF token. */
async function postSetup(server: TestServer, json: Record<string, unknown>): Promise<Response> {
  const b = new Browser(server.url);
  await b.session();
  return b.request('POST', '/api/v1/setup', { json });
}

describe('setup wizard API', () => {
  it('prints the LAN URLs and the main URL on start (plain, since the output is no terminal)', () => {
    expect(s.log()).toMatch(new RegExp(`Teammates open http://127\\.0\\.0\\.1:${s.port}/ and clone over SSH from ssh://git@127\\.0\\.0\\.1:\\d+/`));
    expect(s.log()).not.toMatch(/[▀▄█]/);
  });

  it('shows detected addresses and defaults only with the setup token', async () => {
    expect((await s.api('GET', '/api/v1/setup/info')).status).toBe(422);
    const bad = await s.api('GET', '/api/v1/setup/info?token=0000');
    expect(bad.status).toBe(403);
    expect(((await bad.json()) as { message: string }).message).toMatch(/setup link is invalid/);
    const res = await s.api('GET', `/api/v1/setup/info?token=${token}`);
    expect(res.status).toBe(200);
    const info = (await res.json()) as Record<string, any>;
    expect(info.setup_required).toBe(true);
    // bound to 127.0.0.1: that is the one address
    expect(info.addresses).toEqual([{ address: '127.0.0.1', interface: 'lo', url: `http://127.0.0.1:${s.port}` }]);
    expect(info.listening).toMatchObject({ host: '127.0.0.1', http: s.port });
    expect(info.defaults).toMatchObject({ instance_name: 'Gitssy', registration: 'open', transports: { http: true, ssh: true, git: true }, mdns: true, ports: { git: null } });
  });

  it('needs the session cookie and its X-CSRF-Token, and the OpenAPI document says so', async () => {
    const bare = await s.api('POST', '/api/v1/setup', { json: { token, ...admin } });
    expect(bare.status).toBe(403);
    expect(await bare.json()).toMatchObject({ code: 'csrf' });
    const doc = (await (await s.api('GET', '/api/v1/openapi.json')).json()) as { paths: Record<string, Record<string, { description?: string; responses: Record<string, unknown> }>> };
    expect(doc.paths['/setup']!.post!.description).toMatch(/session cookie .*GET \/api\/v1\/auth\/session.*X-CSRF-Token/);
    expect(doc.paths['/setup']!.post!.responses['403']).toEqual({ description: 'bad setup token, or a missing or invalid CSRF token' });
    expect(((await (await s.api('GET', '/api/v1/auth/session')).json()) as { setup_required: boolean }).setup_required).toBe(true);
  });

  it('refuses a bad wizard submission and changes nothing', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ports: { http: 8080, ssh: 8080 } }, /different port numbers/],
      [{ ports: { http: 70000 } }, /ports\.http/],
      [{ public_url: 'not a url' }, /public_url/],
      [{ registration: 'sometimes' }, /registration/],
      [{ transports: { ftp: true } }, /unknown field "ftp"/],
    ];
    for (const [extra, message] of cases) {
      const res = await postSetup(s, { token, ...admin, ...extra });
      expect(res.status, JSON.stringify(extra)).toBe(422);
      expect(((await res.json()) as { message: string }).message).toMatch(message);
    }
    // still not set up, nothing stored
    expect(((await (await s.api('GET', '/api/v1/auth/session')).json()) as { setup_required: boolean }).setup_required).toBe(true);
    expect(await wizardEnv(s.data)).toBeNull();
    expect((await s.api('GET', `/api/v1/setup/info?token=${token}`)).status).toBe(200);
  });

  it('creates the administrator and applies every choice in one call', async () => {
    const res = await postSetup(s, {
      token,
      ...admin,
      instance_name: 'Team Forge',
      public_url: 'http://192.168.1.50:8080',
      registration: 'approval',
      transports: { http: true, ssh: true, git: false },
      ports: { http: 8080, ssh: 2200, git: null },
      mdns: false,
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { user: { login: string; is_admin: boolean }; restart_required: boolean };
    expect(body.user).toMatchObject({ login: 'owner', is_admin: true });
    expect(body.restart_required).toBe(true);
    const settings = (await (await s.api('GET', '/api/v1/admin/settings', { auth: [admin.username, admin.password] })).json()) as Record<string, unknown>;
    expect(settings).toMatchObject({ 'instance.name': 'Team Forge', 'instance.publicUrl': 'http://192.168.1.50:8080', 'registration.mode': 'approval', 'transports.git': false, 'lan.mdns': false });
    expect(await wizardEnv(s.data)).toBe('GITSSY_HTTP_PORT=8080\nGITSSY_SSH_PORT=2200\n');
    // the token is spent and the info endpoint says so without details
    expect(await (await s.api('GET', `/api/v1/setup/info?token=${token}`)).json()).toEqual({ setup_required: false });
    expect((await postSetup(s, { token, ...admin, username: 'second', email: 'second@example.test' })).status).toBe(409);
  });
});

describe('setup with only the administrator (older clients)', () => {
  it('still works and stores nothing else', async () => {
    const t = await startServer();
    try {
      const tk = await waitFor(async () => /setup\?token=([0-9a-f]+)/.exec(t.log())?.[1]);
      const res = await postSetup(t, { token: tk, ...admin });
      expect(res.status).toBe(201);
      expect(((await res.json()) as { restart_required: boolean }).restart_required).toBe(false);
      const settings = (await (await t.api('GET', '/api/v1/admin/settings', { auth: [admin.username, admin.password] })).json()) as Record<string, unknown>;
      expect(settings).toMatchObject({ 'instance.name': 'Gitssy', 'registration.mode': 'open' });
      expect(await wizardEnv(t.data)).toBeNull();
    } finally {
      await t.stop();
    }
  });
});
