import { it } from 'vitest';
import { createCipheriv } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRepo, createUser, gitOk, git, makeRepo, startServer, tempDir, strayGitProcesses } from '../fixtures/rig.js';

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
    const r = await git(['push', s.gitUrl('alice/big.git', ['alice', 'alice-pass-123']), 'main'], { cwd: src });
    console.log('push', r.code, Date.now() - t, r.stderr.slice(-300)); t = Date.now();
    const dst = await tempDir();
    await gitOk(['clone', '-q', s.gitUrl('alice/big.git'), dst + '/c']);
    console.log('clone', Date.now() - t); t = Date.now();
    const p = await s.api('PATCH', '/api/v1/admin/settings', { auth: ['alice', 'alice-pass-123'], json: { 'git.maxPushBytes': 1048576 } });
    console.log('patch', p.status, await p.text());
    await writeFile(path.join(src, 'more.bin'), c.update(Buffer.alloc(3 * 1024 * 1024)));
    await gitOk(['add', '-A'], { cwd: src });
    await gitOk(['commit', '-q', '-m', 'more'], { cwd: src });
    const r2 = await git(['push', s.gitUrl('alice/big.git', ['alice', 'alice-pass-123']), 'main'], { cwd: src });
    console.log('capped push', r2.code, Date.now() - t, r2.stderr); t = Date.now();
    await writeFile(path.join(src, 'more2.bin'), c.update(Buffer.alloc(20 * 1024 * 1024)));
    await gitOk(['add', '-A'], { cwd: src });
    await gitOk(['commit', '-q', '-m', 'more2'], { cwd: src });
    const r3 = await git(['push', s.gitUrl('alice/big.git', ['alice', 'alice-pass-123']), 'main'], { cwd: src });
    console.log('capped push 23MB', r3.code, Date.now() - t, r3.stderr); t = Date.now();
    console.log('stray', await strayGitProcesses(s.data));
    const clones = await Promise.all(Array.from({ length: 20 }, async (_, i) => { const d = await tempDir(); return git(['clone', '-q', '--no-checkout', s.gitUrl('alice/big.git'), d + '/c']); }));
    console.log('20 clones of big', clones.map((x) => x.code).join(','), Date.now() - t);
  } finally {
    await s.stop();
  }
});
