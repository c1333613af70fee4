// Behind a reverse proxy: only the configured proxies are believed about the client address,
// so a client can't claim to be the operator's machine (or a trusted range) by writing
// X-Forwarded-For itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, rawHttp, startServer, type TestServer } from '../fixtures/rig.js';

describe('GITSSY_TRUST_PROXY with trusted IP ranges', () => {
  let s: TestServer;
  const admin: [string, string] = ['root', 'root-pass-123'];
  beforeAll(async () => {
    // `true`: the proxy runs on this machine (here: the test, on 127.0.0.1)
    s = await startServer({ env: { GITSSY_TRUST_PROXY: 'true' } });
    await createUser(s, ...admin, { admin: true });
    expect((await s.api('PATCH', '/api/v1/admin/settings', { auth: admin, json: { 'access.allowCidrs': ['10.0.0.0/8'] } })).status).toBe(200);
  });
  afterAll(() => s?.stop());

  const via = (xff: string) => rawHttp(s, 'GET', '/api/v1/version', { headers: { 'X-Forwarded-For': xff } });

  it('takes the address the proxy appended, not what the client wrote', async () => {
    // the proxy appends the real client (192.0.2.9) after whatever the client sent
    expect((await via('127.0.0.1, 192.0.2.9')).status).toBe(403);
    expect((await via('10.9.9.9, 192.0.2.9')).status).toBe(403);
    expect((await via('192.0.2.9')).status).toBe(403);
    // a client inside the trusted range, through the proxy
    expect((await via('10.1.2.3')).status).toBe(200);
    // the operator's own machine, without a proxy in between
    expect((await rawHttp(s, 'GET', '/api/v1/version')).status).toBe(200);
  });

  it('refuses a value that is neither a switch nor proxy addresses', async () => {
    const bad = await startServer({ env: { GITSSY_TRUST_PROXY: 'yes please' } }).catch((err: Error) => err);
    expect(bad).toBeInstanceOf(Error);
    expect(String((bad as Error).message)).toMatch(/GITSSY_TRUST_PROXY/);
  });
});
