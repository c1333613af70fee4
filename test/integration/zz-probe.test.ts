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
    await gitOk(['push', '-q', s.gitUrl('alice/big.git', ['alice', 'alice-pass-123']), 'main'], { cwd: src });
    const c = createCipheriv('aes-256-ctr', Buffer.alloc(32, 7), Buffer.alloc(16, 0));
    const p = await s.api('PATCH', '/api/v1/admin/settings', { auth: ['alice', 'alice-pass-123'], json: { 'git.maxPushBytes': 1048576 } });
    for (const mb of [3, 23, 60]) {
      await writeFile(path.join(src, `more${mb}.bin`), c.update(Buffer.alloc(mb * 1024 * 1024)));
      await gitOk(['add', '-A'], { cwd: src });
      await gitOk(['commit', '-q', '-m', 'more'], { cwd: src });
      let t = Date.now();
      const r2 = await git(['-c', 'core.bigFileThreshold=1m', 'push', s.gitUrl('alice/big.git', ['alice', 'alice-pass-123']), 'main'], { cwd: src, env: { GIT_TRACE_PERFORMANCE: '1' } });
      console.log('capped push', mb, r2.code, Date.now() - t, r2.stderr); t = Date.now();
      console.log('stray', await strayGitProcesses(s.data), await git(['ls-remote', s.gitUrl('alice/big.git')]));
      await gitOk(['reset', '-q', '--hard', 'HEAD~1'], { cwd: src });
    }
    console.log(s.log().split('\n').filter((l) => /git-receive-pack|refused|failed/.test(l)).join('\n'));
  } finally {
    await s.stop();
  }
});
