// The gitssy command line as DESIGN.md fixes it: --help everywhere, unknown flags refused,
// config errors that name the setting, ports.json, admin commands, and doctor.
import { readFile, writeFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, createRepo, createUser, gitOk, makeRepo, run, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

const gitssy = (args: string[], env: Record<string, string> = {}) => run(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH!, ...env } });

describe('gitssy CLI', () => {
  it('prints the VERSION file with --version', async () => {
    const version = (await readFile(path.join(ROOT, 'VERSION'), 'utf8')).trim();
    const r = await gitssy(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it.each([[['--help']], [['serve', '--help']], [['admin', '--help']], [['admin', 'user', 'create', '--help']], [['admin', 'token', 'create', '--help']], [['doctor', '--help']]])(
    'has --help for %j',
    async (args) => {
      const r = await gitssy(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: gitssy/);
    },
  );

  it('refuses unknown flags and commands', async () => {
    const r = await gitssy(['serve', '--no-such-flag']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown option '--no-such-flag'/);
    const c = await gitssy(['frobnicate']);
    expect(c.code).not.toBe(0);
    expect(c.stderr).toMatch(/unknown command/);
  });

  it('stops with a message naming the setting when a value is bad', async () => {
    const data = await tempDir();
    const r = await gitssy(['serve', '--data', data, '--http-port', 'eighty']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/invalid setting --http-port \/ GITSSY_HTTP_PORT/);
    const e = await gitssy(['serve', '--data', data], { GITSSY_SSH_PORT: '99999' });
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/GITSSY_SSH_PORT.*environment variable/);
    await writeFile(path.join(data, '.gitssy.env'), 'GITSSY_LOG_LEVEL=chatty\n');
    const f = await gitssy(['serve', '--data', data]);
    expect(f.code).toBe(1);
    expect(f.stderr).toMatch(/GITSSY_LOG_LEVEL in .*\.gitssy\.env/);
  });

  it('refuses a bad user on admin user create, with a clear message and exit 1', async () => {
    const data = await tempDir();
    const ok = await gitssy(['admin', 'user', 'create', '--data', data, '--username', 'zed', '--password', 'zed-pass-123', '--email', 'zed@example.test']);
    expect(ok.code).toBe(0);
    const dup = await gitssy(['admin', 'user', 'create', '--data', data, '--username', 'ZED', '--password', 'zed-pass-123', '--email', 'z2@example.test']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/already taken/);
    const missing = await gitssy(['admin', 'user', 'create', '--data', data, '--username', 'amy']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/required option/);
    const tok = await gitssy(['admin', 'token', 'create', '--data', data, '--user', 'nobody']);
    expect(tok.code).toBe(1);
    expect(tok.stderr).toMatch(/does not exist/);
    const scope = await gitssy(['admin', 'token', 'create', '--data', data, '--user', 'zed', '--scopes', 'read:repository,sudo']);
    expect(scope.code).toBe(1);
    expect(scope.stderr).toMatch(/unknown scope "sudo"/);
  });
});

describe('gitssy serve and doctor', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
    await createUser(s, 'alice', 'alice-pass-123', { admin: true });
  });
  afterAll(async () => s?.stop());

  it('writes run/ports.json with the chosen ports and its pid', async () => {
    const ports = JSON.parse(await readFile(path.join(s.data, 'run', 'ports.json'), 'utf8'));
    expect(ports).toMatchObject({ http: s.port, pid: s.pid });
    expect(ports).toHaveProperty('ssh');
    expect(ports).toHaveProperty('git', null);
    expect(s.log()).toMatch(new RegExp(`http://127\\.0\\.0\\.1:${s.port}/`));
  });

  it('creates a token whose last printed line works against the API', async () => {
    const r = await s.cli(['admin', 'token', 'create', '--user', 'alice', '--name', 'cli', '--scopes', 'read:user']);
    expect(r.code).toBe(0);
    const token = r.stdout.trim().split('\n').pop()!;
    expect(token).toMatch(/^[0-9a-f]{40}$/);
    expect((await s.api('GET', '/api/v1/user', { token })).status).toBe(200);
  });

  it('doctor passes on a healthy instance and fails, naming the repo, on a corrupt one', async () => {
    await createRepo(s, ['alice', 'alice-pass-123'], { name: 'healthy' });
    await createRepo(s, ['alice', 'alice-pass-123'], { name: 'broken' });
    const src = await tempDir();
    await makeRepo(src, 5);
    for (const r of ['healthy', 'broken']) await gitOk(['push', '-q', s.gitUrl(`alice/${r}.git`, ['alice', 'alice-pass-123']), 'main'], { cwd: src });

    const good = await s.cli(['doctor']);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/2 repositories checked, 0 problems/);

    const objects = path.join(s.data, 'repos', 'alice', 'broken.git', 'objects');
    for (const d of await readdir(objects)) {
      if (!/^[0-9a-f]{2}$/.test(d)) continue;
      for (const f of await readdir(path.join(objects, d))) await writeFile(path.join(objects, d, f), '');
    }
    const bad = await s.cli(['doctor']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/problem: alice\/broken:/);
    expect(bad.stdout).not.toMatch(/problem: alice\/healthy/);
    expect(bad.stdout).toMatch(/[1-9]\d* problems?/);
  });
});
