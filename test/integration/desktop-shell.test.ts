// The desktop shell's logic against the real server: the supervisor forks the built
// dist/server/gitssy.js, the server answers ready/status/shutdown over IPC, and the tray's
// actions (maintenance, back up now) go through the server's internal endpoint.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShellController } from '../../electron/src/controller.js';
import { trayMenu, trayStatus } from '../../electron/src/tray-model.js';
import { ServerSupervisor } from '../../electron/src/supervisor.js';
import { CLI, run, tempDir, waitFor } from '../fixtures/rig.js';

describe('desktop shell with the real server', () => {
  let dir: string;
  let data: string;
  let supervisor: ServerSupervisor;
  let shell: ShellController;
  const notes: { title: string; body: string }[] = [];
  let loginItem = false;

  beforeAll(async () => {
    dir = await tempDir('gitssy-desktop-');
    data = path.join(dir, 'data');
    supervisor = new ServerSupervisor({
      script: CLI,
      args: ['serve', '--data', data, '--host', '127.0.0.1', '--http-port', '0', '--ssh-port', '0'],
      execPath: process.execPath,
      env: { ...process.env, GITSSY_LOG_LEVEL: 'info' },
      log: (level, line) => appendFileSync(path.join(dir, 'server.log'), `${level} ${line}\n`),
      readyTimeoutMs: 60_000,
      stopTimeoutMs: 15_000,
    });
    shell = new ShellController({
      supervisor,
      version: 'test',
      dataDir: data,
      logFile: path.join(dir, 'server.log'),
      host: '127.0.0.1',
      lanAddresses: () => ['192.168.1.20'],
      loginItem: { get: () => loginItem, set: (v) => (loginItem = v) },
      notify: (title, body) => notes.push({ title, body }),
      log: () => {},
      statusPollMs: 60_000,
    });
  });

  afterAll(async () => {
    await shell?.shutdown();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts the server and gets its ports and the first-run setup token in the ready message', async () => {
    const ready = await shell.start();
    const ports = JSON.parse(readFileSync(path.join(data, 'run', 'ports.json'), 'utf8')) as { http: number; ssh: number; pid: number };
    expect(ready).toMatchObject({ http: ports.http, ssh: ports.ssh, pid: ports.pid, url: `http://127.0.0.1:${ports.http}/` });
    expect(ready.setupToken).toMatch(/^[A-Za-z0-9_-]+$/);
    const setup = await fetch(`${ready.url}setup?token=${ready.setupToken}`);
    expect(setup.status).toBe(200);
    expect((await fetch(`${ready.url}ping`)).status).toBe(200);
    // serving loopback only: nothing to copy for teammates
    expect(shell.state.lanUrl).toBeNull();
  });

  it('learns the maintenance state and the dev shell count from the server over IPC', async () => {
    expect(shell.state.setupPending).toBe(true);
    await shell.refreshStatus();
    expect(shell.state.maintenance).toEqual({ enabled: false, message: '' });
    expect(shell.state.setupPending).toBe(true);
    // the server counts its dev shells for the tray (none here)
    expect(shell.state.shellsRunning).toBe(0);
    expect(trayStatus(shell.state)).toBe('running');
  });

  it('learns when the first administrator exists, so it opens the console instead of the setup page', async () => {
    const r = await run(process.execPath, [CLI, 'admin', 'user', 'create', '--data', data, '--username', 'operator', '--password', 'operator-pass-123', '--email', 'op@example.test', '--admin'], {
      env: { ...process.env } as Record<string, string>,
    });
    expect(r.code, r.stderr).toBe(0);
    await shell.refreshStatus();
    expect(shell.state.setupPending).toBe(false);
  });

  it('switches maintenance mode from the tray through the internal endpoint', async () => {
    const change = await shell.setMaintenance(true);
    expect(change.enabled).toBe(true);
    expect(trayStatus(shell.state)).toBe('maintenance');
    expect(trayMenu(shell.state).find((i) => i.id === 'maintenance')?.checked).toBe(true);
    // the server itself agrees: API writes are refused
    const url = shell.state.server.url!;
    const res = await fetch(`${url}api/v1/user/repos`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name":"x"}' });
    expect(res.status).toBe(503);
    await shell.refreshStatus();
    expect(shell.state.maintenance?.enabled).toBe(true);
    await shell.setMaintenance(false);
    await shell.refreshStatus();
    expect(shell.state.maintenance?.enabled).toBe(false);
    expect(notes.map((n) => n.body)).toEqual([expect.stringMatching(/^Maintenance mode is on/), 'Maintenance mode is off. Changes are accepted again.']);
  });

  it('backs up now and notifies when done', async () => {
    notes.length = 0;
    const progress: string[] = [];
    const outcome = await shell.backup((l) => progress.push(l));
    expect(outcome.ok).toBe(true);
    expect(path.dirname(outcome.file!)).toBe(path.join(data, 'backups'));
    expect(path.basename(outcome.file!)).toMatch(/^gitssy-.*\.tar\.gz$/);
    expect(existsSync(outcome.file!)).toBe(true);
    expect(shell.state.backup).toMatchObject({ running: false, last: { ok: true, file: outcome.file } });
    expect(notes).toEqual([{ title: 'Gitssy backup done', body: expect.stringContaining(`Backup saved to ${outcome.file}`) }]);
  });

  it('stops the server cleanly on quit', async () => {
    const pid = supervisor.state.pid!;
    const result = await shell.shutdown();
    expect(result.graceful).toBe(true);
    expect(result.code).toBe(0);
    expect(existsSync(path.join(data, 'run', 'ports.json'))).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(trayStatus(shell.state)).toBe('stopped');
    expect(shell.state.maintenance).toBeNull();
  });

  it('a failed backup while stopped says why and changes nothing', async () => {
    notes.length = 0;
    const outcome = await shell.backup();
    expect(outcome).toEqual({ ok: false, file: null, message: 'Backup failed: the server is not running' });
    expect(notes).toEqual([{ title: 'Gitssy backup failed', body: 'Backup failed: the server is not running' }]);
    await expect(shell.setMaintenance(true)).rejects.toThrow(/not running; start it first/);
  });
});

describe('the server without its desktop shell', () => {
  it('stops by itself when the shell that forked it dies', async () => {
    const dir = await tempDir('gitssy-orphan-');
    try {
      // a parent that forks the server, reports its pid once ready, then dies without stopping it
      const parent = `
        const { fork } = require('node:child_process');
        const child = fork(${JSON.stringify(CLI)}, ['serve', '--data', ${JSON.stringify(path.join(dir, 'data'))}, '--host', '127.0.0.1', '--http-port', '0', '--ssh-port', '0'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
        child.on('message', (m) => { if (m && m.type === 'ready') { console.log(String(m.pid)); process.exit(0); } });
        setTimeout(() => process.exit(2), 60000);
      `;
      const r = await run(process.execPath, ['-e', parent], { env: { ...process.env } as Record<string, string>, timeoutMs: 90_000 });
      expect(r.code).toBe(0);
      const pid = Number(r.stdout.trim());
      expect(pid).toBeGreaterThan(0);
      const gone = await waitFor(async () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      }, 30_000).catch(() => false);
      if (!gone) process.kill(pid, 'SIGKILL');
      expect(gone).toBe(true);
      // it stopped cleanly: ports.json is removed on a clean stop
      expect(existsSync(path.join(dir, 'data', 'run', 'ports.json'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
