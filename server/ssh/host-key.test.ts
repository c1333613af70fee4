import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateHostKey } from './host-key.js';

describe('SSH host key', () => {
  it('is made once and then read back unchanged', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hk-'));
    const first = await loadOrCreateHostKey(dir);
    expect(first.publicLine).toMatch(/^ssh-ed25519 AAAA/);
    expect(first.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const again = await loadOrCreateHostKey(dir);
    expect(again.fingerprint).toBe(first.fingerprint);
    expect((await readFile(path.join(dir, 'ssh_host_ed25519_key.pub'), 'utf8')).startsWith(first.publicLine)).toBe(true);
  });

  it('is always usable (ssh2 sometimes generates keys it cannot parse; those are discarded)', async () => {
    for (let i = 0; i < 60; i++) {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'hk-'));
      await expect(loadOrCreateHostKey(dir)).resolves.toBeTruthy();
    }
  });

  it('refuses to start with an unreadable key instead of silently replacing it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hk-'));
    await writeFile(path.join(dir, 'ssh_host_ed25519_key'), 'not a key');
    await expect(loadOrCreateHostKey(dir)).rejects.toThrow(/cannot be read.*restore it from a backup/);
    expect(await readFile(path.join(dir, 'ssh_host_ed25519_key'), 'utf8')).toBe('not a key');
  });
});
