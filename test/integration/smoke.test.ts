import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, gitOk, makeRepo, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

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
    const body = (await res.json()) as { ok: boolean; version: string };
    expect(body.ok).toBe(true);
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
