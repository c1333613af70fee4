import { it } from 'vitest';
import { createCipheriv } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRepo, createUser, gitOk, git, makeRepo, startServer, tempDir } from '../fixtures/rig.js';

it('probe', async () => {
  const s = await startServer();
  try {
    await createUser(s, 'alice', 'alice-pass-123', { admin: true });
    await createRepo(s, ['alice', 'alice-pass-123'], { name: 'big' });
    const src = await tempDir();
    await makeRepo(src, 1);
    const c = createCipheriv('aes-256-ctr', Buffer.alloc(32, 7), Buffer.alloc(16, 0));
    let t = Date.now();
    for (let i = 0; i < 5; i++) await writeFile(path.join(src, `blob${i}.bin`), c.update(Buffer.alloc(10 * 1024 * 1024)));
    await gitOk(['add', '-A'], { cwd: src });
    await gitOk(['commit', '-q', '-m', 'big'], { cwd: src });
    console.log('gen', Date.now() - t); t = Date.now();
    const r = await git(['push', s.gitUrl('alice/big.git', ['alice', 'alice-pass-123']), 'main'], { cwd: src, env: { GIT_TRACE_PERFORMANCE: '1' } });
    console.log('push', r.code, Date.now() - t, r.stderr.slice(-3000)); t = Date.now();
  } finally {
    await s.stop();
  }
});
