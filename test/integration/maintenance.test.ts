// Maintenance mode: one switch (API, CLI against the running server, CLI with no server);
// pushes on every transport and API writes are refused with the operator's message, reads work.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, git, gitOk, makeRepo, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
const bob: [string, string] = ['bob', 'bob-pass-123'];
let s: TestServer;
let src: string;
beforeAll(async () => {
  s = await startServer();
  await createUser(s, 'alice', alice[1], { admin: true });
  await createUser(s, 'bob', bob[1], { via: alice });
  src = await tempDir();
  await makeRepo(src, 3);
  await createRepo(s, alice, { name: 'pub' });
  await gitOk(['push', '-q', s.gitUrl('alice/pub.git', alice), 'main'], { cwd: src });
});
afterAll(async () => s?.stop());

const state = async () => (await (await s.api('GET', '/api/v1/admin/maintenance', { auth: alice })).json()) as { enabled: boolean; message: string; pushes_in_flight: number };

describe('maintenance mode', () => {
  it('refuses pushes and API writes with the message while reads keep working (API switch)', async () => {
    const on = await s.api('PUT', '/api/v1/admin/maintenance', { auth: alice, json: { enabled: true, message: 'Back at noon' } });
    expect(on.status).toBe(200);
    expect(await on.json()).toMatchObject({ enabled: true, message: 'Back at noon', waited_for: 0 });
    try {
      const push = await git(['push', s.gitUrl('alice/pub.git', alice), 'main:refs/heads/m'], { cwd: src });
      expect(push.code).not.toBe(0);
      expect(push.stderr).toMatch(/remote: Gitssy: .*Back at noon/);
      const write = await s.api('POST', '/api/v1/user/repos', { auth: bob, json: { name: 'x' } });
      expect(write.status).toBe(503);
      expect(write.headers.get('retry-after')).toBe('300');
      expect(((await write.json()) as { message: string }).message).toMatch(/Back at noon/);
      expect((await s.api('GET', '/api/v1/repos/bob/x', { auth: bob })).status).toBe(404);
      // reads
      const dst = await tempDir();
      await gitOk(['clone', '-q', s.gitUrl('alice/pub.git'), `${dst}/c`]);
      expect((await s.api('GET', '/api/v1/repos/alice/pub')).status).toBe(200);
      expect((await state()).enabled).toBe(true);
      // only admins switch it
      expect((await s.api('PUT', '/api/v1/admin/maintenance', { auth: bob, json: { enabled: false } })).status).toBe(403);
    } finally {
      expect((await s.api('PUT', '/api/v1/admin/maintenance', { auth: alice, json: { enabled: false } })).status).toBe(200);
    }
    await gitOk(['push', '-q', s.gitUrl('alice/pub.git', alice), 'main:refs/heads/after'], { cwd: src });
  });

  it('logs a refused write as a routine refusal at info, with the reason and no stack trace', async () => {
    expect((await s.api('PUT', '/api/v1/admin/maintenance', { auth: alice, json: { enabled: true, message: 'log check' } })).status).toBe(200);
    try {
      expect((await s.api('POST', '/api/v1/user/repos', { auth: bob, json: { name: 'logged' } })).status).toBe(503);
      const line = await waitFor(async () =>
        s
          .log()
          .split('\n')
          // the newest such line: an earlier test of this file was refused on the same path
          .findLast((l) => l.includes('"statusCode":503') && l.includes('"url":"/api/v1/user/repos"') && l.includes('log check')),
      );
      const entry = JSON.parse(line) as { level: number; msg: string; reason?: string; err?: unknown };
      expect(entry.level).toBe(30); // info
      expect(entry.msg).toBe('POST /api/v1/user/repos 503 refused');
      expect(entry.reason, line).toMatch(/log check/);
      expect(entry.err).toBeUndefined();
      expect(line).not.toMatch(/"stack"/);
    } finally {
      expect((await s.api('PUT', '/api/v1/admin/maintenance', { auth: alice, json: { enabled: false } })).status).toBe(200);
    }
  });

  it('is switched by the CLI in the running server, which sees it at once', async () => {
    const on = await s.cli(['admin', 'maintenance', 'on', '--message', 'disk swap']);
    expect(on.code).toBe(0);
    expect(on.stdout).toMatch(/maintenance mode is ON \(running server\): disk swap/);
    const push = await git(['push', s.gitUrl('alice/pub.git', alice), 'main:refs/heads/cli'], { cwd: src });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toMatch(/disk swap/);
    const off = await s.cli(['admin', 'maintenance', 'off']);
    expect(off.stdout).toMatch(/maintenance mode is off/);
    await gitOk(['push', '-q', s.gitUrl('alice/pub.git', alice), 'main:refs/heads/cli'], { cwd: src });
    expect((await s.cli(['admin', 'maintenance', 'sideways'])).code).toBe(2);
  });

  it('waits for a push that is already running when switched on, and says so', async () => {
    await createRepo(s, alice, { name: 'slow' });
    // a receive-pack whose body is still arriving counts as a push in flight
    const held = http.request(`${s.url}/alice/slow.git/git-receive-pack`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-git-receive-pack-request', Authorization: `Basic ${Buffer.from('alice:alice-pass-123').toString('base64')}`, 'Transfer-Encoding': 'chunked' },
    });
    held.on('error', () => {});
    held.write('0094'); // the start of a command packet: receive-pack waits for the rest
    await new Promise((r) => setTimeout(r, 300));
    expect((await state()).pushes_in_flight).toBe(1);
    setTimeout(() => held.end(), 700);
    const on = await s.api('PUT', '/api/v1/admin/maintenance', { auth: alice, json: { enabled: true } });
    const body = (await on.json()) as { waited_for: number; still_running: number };
    try {
      expect(body).toMatchObject({ waited_for: 1, still_running: 0 });
    } finally {
      await s.api('PUT', '/api/v1/admin/maintenance', { auth: alice, json: { enabled: false } });
    }
  });

  it('is stored by the CLI when no server runs, and the next start honours it', async () => {
    const data = await tempDir('gitssy-maint-');
    let srv = await startServer({ data });
    await createUser(srv, 'alice', alice[1], { admin: true });
    await createRepo(srv, alice, { name: 'r' });
    await srv.stop();
    const r = await srv.cli(['admin', 'maintenance', 'on', '--message', 'offline']);
    expect(r.stdout).toMatch(/no server running/);
    srv = await startServer({ data });
    try {
      const push = await git(['push', srv.gitUrl('alice/r.git', alice), 'main'], { cwd: src });
      expect(push.code).not.toBe(0);
      expect(push.stderr).toMatch(/offline/);
    } finally {
      await srv.stop();
    }
  });
});
