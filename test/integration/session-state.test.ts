// What /api/v1/auth/session (and the boot data in index.html) tells the UI about maintenance:
// enabled for everyone, read_only per viewer (site admins may be exempt).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createUser, startServer, type TestServer } from '../fixtures/rig.js';

describe('session state during maintenance', () => {
  let s: TestServer;
  const admin: [string, string] = ['root', 'root-pass-123'];
  beforeAll(async () => {
    s = await startServer();
    await createUser(s, ...admin, { admin: true });
    await createUser(s, 'bob', 'bob-pass-1234');
  });
  afterAll(() => s?.stop());

  const stateOf = async (who: [string, string] | null) => {
    const b = new Browser(s.url);
    if (who) {
      await b.session();
      expect((await b.request('POST', '/api/v1/auth/signin', { json: { username: who[0], password: who[1] } })).status).toBe(200);
    }
    return (await b.session()) as unknown as { maintenance: { enabled: boolean; message: string; read_only: boolean } };
  };

  it('read_only follows maintenance and the admins-exempt setting', async () => {
    expect((await stateOf(null)).maintenance).toEqual({ enabled: false, message: '', read_only: false });
    expect((await s.api('PUT', '/api/v1/admin/maintenance', { auth: admin, json: { enabled: true, message: 'upgrading' } })).status).toBe(200);
    expect((await stateOf(null)).maintenance).toEqual({ enabled: true, message: 'upgrading', read_only: true });
    expect((await stateOf(['bob', 'bob-pass-1234'])).maintenance.read_only).toBe(true);
    expect((await stateOf(admin)).maintenance.read_only).toBe(true);
    expect((await s.api('PATCH', '/api/v1/admin/settings', { auth: admin, json: { 'maintenance.adminsExempt': true } })).status).toBe(200);
    expect((await stateOf(admin)).maintenance.read_only).toBe(false);
    expect((await stateOf(['bob', 'bob-pass-1234'])).maintenance.read_only).toBe(true);
    expect((await s.api('PUT', '/api/v1/admin/maintenance', { auth: admin, json: { enabled: false } })).status).toBe(200);
    expect((await stateOf(['bob', 'bob-pass-1234'])).maintenance.read_only).toBe(false);
  });
});
