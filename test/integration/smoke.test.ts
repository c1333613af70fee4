import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, gitOk, makeRepo, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';

describe('smoke: a teammate creates a repo, pushes and clones over HTTP', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
    await createUser(s, 'alice', 'alice-pass-123', { admin: true });
  });
  afterAll(async () => s?.stop());

  it('answers /ping with the version', async () => {
    const res = await s.api('GET', '/ping');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; version: string; ready: unknown };
    expect(body.ok).toBe(true);
    // ready: the database answers; no Redis to ask on one instance
    expect(body.ready).toEqual({ database: true, redis: null });
    expect(body.version).toMatch(/^\d{4}\.\d{2}\.\d{2}/);
  });

  it('pushes with a password and clones anonymously', async () => {
    await createRepo(s, ['alice', 'alice-pass-123'], { name: 'demo' });
    const src = await tempDir();
    const head = await makeRepo(src, 3);
    await gitOk(['push', '-q', s.gitUrl('alice/demo.git', ['alice', 'alice-pass-123']), 'main'], { cwd: src });
    const dst = await tempDir();
    await gitOk(['clone', '-q', s.gitUrl('alice/demo.git'), dst + '/c']);
    expect((await gitOk(['rev-parse', 'HEAD'], { cwd: dst + '/c' })).trim()).toBe(head);
  });
});

describe('operations', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ env: { GITSSY_SLOW_REQUEST_MS: '1' } });
  });
  afterAll(async () => s?.stop());

  it('logs each request as JSON with its request id, duration and a slow flag', async () => {
    // a password check (argon2) always takes longer than the 1 ms threshold
    const res = await s.api('GET', '/api/v1/user', { auth: ['nobody', 'some-password'] });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = await waitFor(async () =>
      s
        .log()
        .split('\n')
        .find((l) => l.includes(id!)),
    );
    const entry = JSON.parse(line) as { req: { id: string }; responseTime: number; level: number; msg: string };
    expect(entry.req.id).toBe(id);
    expect(typeof entry.responseTime).toBe('number');
    expect(entry.level).toBe(40);
    expect(entry.msg).toMatch(/ 401 \d+ms \(slow\)$/);
  });

  it('never logs credentials', async () => {
    await s.api('GET', '/api/v1/user', { auth: ['someone', 'hunter2-secret'] });
    await new Promise((r) => setTimeout(r, 200));
    expect(s.log()).not.toContain('hunter2-secret');
    expect(s.log()).not.toContain(Buffer.from('someone:hunter2-secret').toString('base64'));
  });
});
