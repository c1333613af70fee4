import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, sharedFilesDir } from './config.js';

describe('config', () => {
  it('uses the documented defaults', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cfg-'));
    const c = loadConfig({ dataDir: dir }, {});
    expect(c).toMatchObject({ host: '0.0.0.0', httpPort: 3000, sshPort: 2222, gitPort: null, databaseUrl: null });
  });

  it('takes flags over environment over <data>/.gitssy.env', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cfg-'));
    await writeFile(path.join(dir, '.gitssy.env'), 'GITSSY_HTTP_PORT=4000\nGITSSY_SSH_PORT=4022\nGITSSY_HOST=127.0.0.2\n');
    const c = loadConfig({ dataDir: dir, httpPort: '5000' }, { GITSSY_SSH_PORT: '5022' });
    expect(c.httpPort).toBe(5000);
    expect(c.sshPort).toBe(5022);
    expect(c.host).toBe('127.0.0.2');
  });

  it('names the setting and its source when a value is bad', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cfg-'));
    expect(() => loadConfig({ dataDir: dir, httpPort: 'eighty' }, {})).toThrow(/--http-port \/ GITSSY_HTTP_PORT.*"eighty".*--http-port flag/);
    expect(() => loadConfig({ dataDir: dir }, { GITSSY_SSH_PORT: '70000' })).toThrow(/GITSSY_SSH_PORT.*environment variable/);
    expect(() => loadConfig({ dataDir: dir }, { DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
  });

  it('accepts port 0 (pick a free port)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cfg-'));
    expect(loadConfig({ dataDir: dir, httpPort: '0', sshPort: '0' }, {}).httpPort).toBe(0);
  });

  it('keeps the shared files (CI logs) in the data dir, or beside a repository store outside it', () => {
    expect(sharedFilesDir({ dataDir: '/srv/a', reposDir: null })).toBe('/srv/a');
    expect(sharedFilesDir({ dataDir: '/srv/a', reposDir: '/srv/a/repos/' })).toBe('/srv/a');
    expect(sharedFilesDir({ dataDir: '/srv/a', reposDir: '/mnt/store' })).toBe('/mnt/store/.gitssy');
  });
});
