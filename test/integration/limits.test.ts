// Abuse limits shared by the transports: failed authentications per address and per account
// (a success in between does not reset them), and concurrent git sessions per user.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, git, gitOk, makeRepo, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
let s: TestServer;
beforeAll(async () => {
  s = await startServer();
  await createUser(s, 'alice', alice[1], { admin: true });
});
afterAll(async () => s?.stop());

describe('failed authentication limits', () => {
  it('locks an account after repeated failures even when a success comes in between', async () => {
    await createUser(s, 'mia', 'mia-pass-1234', { via: alice });
    await s.api('PATCH', '/api/v1/admin/settings', { auth: alice, json: { 'auth.maxFailedLogins': 4 } });
    try {
      for (const pass of ['bad-1-pass', 'bad-2-pass', 'mia-pass-1234', 'bad-3-pass', 'mia-pass-1234', 'bad-4-pass']) {
        await s.api('GET', '/api/v1/user', { auth: ['mia', pass] });
      }
      const res = await s.api('GET', '/api/v1/user', { auth: ['mia', 'mia-pass-1234'] });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { message: string }).message).toMatch(/locked/);
    } finally {
      await s.api('PATCH', '/api/v1/admin/settings', { auth: alice, json: { 'auth.maxFailedLogins': 10 } });
    }
  });

  it('refuses every credential from an address after too many failures, on the API and on git', async () => {
    const srv = await startServer();
    try {
      await createUser(srv, 'root', 'root-pass-123', { admin: true });
      await srv.api('PATCH', '/api/v1/admin/settings', { auth: ['root', 'root-pass-123'], json: { 'limits.authFailuresPerIp': 5 } });
      for (let i = 0; i < 5; i++) expect((await srv.api('GET', '/api/v1/user', { auth: [`ghost${i}`, 'nope-nope-1'] })).status).toBe(401);
      // now even the right password is turned away from this address
      const res = await srv.api('GET', '/api/v1/user', { auth: ['root', 'root-pass-123'] });
      expect(res.status).toBe(429);
      expect(((await res.json()) as { message: string }).message).toMatch(/too many failed sign-ins from your address; try again in \d+ seconds/);
      const info = await fetch(`${srv.url}/root/x.git/info/refs?service=git-upload-pack`, { headers: { Authorization: `Basic ${Buffer.from('root:root-pass-123').toString('base64')}` } });
      expect(info.status).toBe(429);
      // anonymous reads need no credentials and still work
      expect((await srv.api('GET', '/api/v1/version')).status).toBe(200);
    } finally {
      await srv.stop();
    }
  });
});

describe('concurrent git sessions', () => {
  it('refuses a user past their cap with 429 and lets them in again when a session ends', async () => {
    // private, so git sends alice's credentials (it only does after a 401)
    await createRepo(s, alice, { name: 'busy', private: true });
    await createRepo(s, alice, { name: 'open' });
    const src = await tempDir();
    await makeRepo(src, 2);
    await gitOk(['push', '-q', s.gitUrl('alice/busy.git', alice), 'main'], { cwd: src });
    await gitOk(['push', '-q', s.gitUrl('alice/open.git', alice), 'main'], { cwd: src });
    expect((await s.api('PATCH', '/api/v1/admin/settings', { auth: alice, json: { 'limits.gitSessionsPerUser': 1 } })).status).toBe(200);
    // hold one session open: an upload-pack request whose body never ends
    const held = http.request(`${s.url}/alice/busy.git/git-upload-pack`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-git-upload-pack-request', Authorization: `Basic ${Buffer.from('alice:alice-pass-123').toString('base64')}`, 'Transfer-Encoding': 'chunked' },
    });
    held.on('error', () => {});
    held.write('0032want ');
    try {
      await new Promise((r) => setTimeout(r, 300));
      const dst = await tempDir();
      const refused = await git(['clone', s.gitUrl('alice/busy.git', alice), `${dst}/c`]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/429|too many git operations/);
      // anonymous clones count against the address, not alice
      expect((await git(['clone', '-q', s.gitUrl('alice/open.git'), `${dst}/anon`])).code).toBe(0);
    } finally {
      held.destroy();
    }
    await new Promise((r) => setTimeout(r, 300));
    const dst2 = await tempDir();
    expect((await git(['clone', '-q', s.gitUrl('alice/busy.git', alice), `${dst2}/c`])).code).toBe(0);
    await s.api('PATCH', '/api/v1/admin/settings', { auth: alice, json: { 'limits.gitSessionsPerUser': 32 } });
  });
});
