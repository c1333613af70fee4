import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { setEnvValues } from './env-file.js';

describe('.gitssy.env edits', () => {
  it('replaces and appends keys, keeps other lines, drops repeats and removed keys', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitssy-env-'));
    await writeFile(path.join(dir, '.gitssy.env'), '# my settings\nGITSSY_HTTP_PORT=3000\nREDIS_URL=redis://x\nGITSSY_HTTP_PORT=3001\nGITSSY_GIT_PORT=9418\n');
    await setEnvValues(dir, { GITSSY_HTTP_PORT: '8080', GITSSY_SSH_PORT: '2200', GITSSY_GIT_PORT: null });
    expect(await readFile(path.join(dir, '.gitssy.env'), 'utf8')).toBe('# my settings\nGITSSY_HTTP_PORT=8080\nREDIS_URL=redis://x\nGITSSY_SSH_PORT=2200\n');
  });

  it('creates the file when there is none, and refuses values that would break it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitssy-env-'));
    await setEnvValues(dir, { GITSSY_SSH_PORT: '22' });
    expect(await readFile(path.join(dir, '.gitssy.env'), 'utf8')).toBe('GITSSY_SSH_PORT=22\n');
    await expect(setEnvValues(dir, { GITSSY_SSH_PORT: '22\nEVIL=1' })).rejects.toThrow(/bad value/);
    expect(await readFile(path.join(dir, '.gitssy.env'), 'utf8')).toBe('GITSSY_SSH_PORT=22\n');
  });
});
