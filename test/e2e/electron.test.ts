// The desktop app itself, driven by Playwright's _electron: it starts the real server on a
// fresh data dir, opens the first-run setup page in a hardened window, exposes only the
// preload bridge, denies window.open, and stops the server when it quits. Electron's binary
// is downloaded on first use, which this machine cannot do: without it the suite is skipped.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, run, tempDir, waitFor } from '../fixtures/rig.js';

const ELECTRON_PKG = path.join(ROOT, 'electron', 'node_modules', 'electron');

/** The Electron binary that `npm run desktop` would use, or null when it was never downloaded. */
function electronBinary(): string | null {
  if (process.env.GITSSY_ELECTRON && existsSync(process.env.GITSSY_ELECTRON)) return process.env.GITSSY_ELECTRON;
  const pathTxt = path.join(ELECTRON_PKG, 'path.txt');
  const rel = existsSync(pathTxt)
    ? readFileSync(pathTxt, 'utf8').trim()
    : process.platform === 'win32'
      ? 'electron.exe'
      : process.platform === 'darwin'
        ? 'Electron.app/Contents/MacOS/Electron'
        : 'electron';
  const bin = path.join(ELECTRON_PKG, 'dist', rel);
  return existsSync(bin) ? bin : null;
}

const BIN = electronBinary();
const NO_ELECTRON = 'no Electron binary: this machine cannot download it; run `npm run desktop` on a machine that can';
if (!BIN) console.warn(`electron.test.ts skipped: ${NO_ELECTRON} (looked in ${path.join(ELECTRON_PKG, 'dist')})`);

describe.skipIf(!BIN)(BIN ? 'desktop app (Electron)' : `desktop app (Electron) — skipped: ${NO_ELECTRON}`, () => {
  let dir: string;
  let data: string;
  let app: ElectronApplication;
  let page: Page;

  beforeAll(async () => {
    // the shell runs the built server and its own build
    for (const [cmd, args, cwd] of [
      ['npm', ['run', 'build'], ROOT],
      ['npm', ['run', 'build'], path.join(ROOT, 'electron')],
    ] as const) {
      const r = await run(cmd, [...args], { cwd, env: { ...process.env } as Record<string, string>, timeoutMs: 300_000 });
      if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} in ${cwd} failed: ${r.stderr || r.stdout}`);
    }
    dir = await tempDir('gitssy-electron-');
    data = path.join(dir, 'data');
    const userData = path.join(dir, 'user-data');
    await mkdir(userData, { recursive: true });
    // loopback and free ports, so the test never collides with a real instance
    await writeFile(path.join(userData, 'settings.json'), JSON.stringify({ host: '127.0.0.1', httpPort: 0, sshPort: 0 }));
    const args = [path.join(ROOT, 'electron'), '--data', data];
    if (process.getuid?.() === 0) args.unshift('--no-sandbox'); // Chromium refuses its sandbox as root
    if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) args.unshift('--ozone-platform=headless');
    app = await _electron.launch({ executablePath: BIN!, args, env: { ...process.env, GITSSY_USER_DATA: userData } as Record<string, string>, timeout: 120_000 });
    page = await app.firstWindow({ timeout: 120_000 });
  });

  afterAll(async () => {
    await app?.close().catch(() => {});
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts the server on the data dir and opens the first-run setup page', async () => {
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/setup\?token=/, { timeout: 120_000 });
    const ports = JSON.parse(readFileSync(path.join(data, 'run', 'ports.json'), 'utf8')) as { http: number };
    expect(new URL(page.url()).port).toBe(String(ports.http));
  });

  it('hardens the window: context isolation, sandbox, no node integration', async () => {
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const w = BrowserWindow.getAllWindows()[0]!;
      const p = w.webContents.getLastWebPreferences()!;
      return { contextIsolation: p.contextIsolation, nodeIntegration: p.nodeIntegration, sandbox: p.sandbox };
    });
    expect(prefs).toEqual({ contextIsolation: true, nodeIntegration: false, sandbox: true });
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
  });

  it('exposes only the typed bridge, which reports the running server', async () => {
    const keys = await page.evaluate(() => Object.keys((globalThis as unknown as { gitssy: object }).gitssy).sort());
    expect(keys).toEqual(['getState', 'onState', 'openExternal', 'restartServer']);
    const state = await page.evaluate(() => (globalThis as unknown as { gitssy: { getState(): Promise<{ server: { status: string }; dataDir: string }> } }).gitssy.getState());
    expect(state.server.status).toBe('running');
    expect(state.dataDir).toBe(data);
    await expect(page.evaluate(() => (globalThis as unknown as { gitssy: { openExternal(u: string): Promise<void> } }).gitssy.openExternal('file:///etc/passwd'))).rejects.toThrow(
      /http\(s\) or mailto URL/,
    );
  });

  it('denies window.open and navigation away from the app', async () => {
    expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
    const before = page.url();
    await page.evaluate(() => {
      location.href = 'file:///etc/passwd';
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(page.url()).toBe(before);
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  });

  it('stops the server when the app quits', async () => {
    const ports = JSON.parse(readFileSync(path.join(data, 'run', 'ports.json'), 'utf8')) as { pid: number };
    await app.close();
    await waitFor(async () => {
      try {
        process.kill(ports.pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 30_000);
    expect(existsSync(path.join(data, 'run', 'ports.json'))).toBe(false);
  });
});
