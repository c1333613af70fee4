// Gitssy's desktop shell, Electron's main process: one instance per user; it starts the forge
// server under the supervisor (data in the app-data folder unless configured), lives in the
// tray, and opens the operator console in a hardened window. The logic lives in plain
// modules (supervisor, controller, tray-model, ipc, security, settings) tested in Node; this
// file only wires them to Electron.
import { app, BrowserWindow, clipboard, ipcMain, Menu, nativeImage, Notification, session, shell, Tray, type MenuItemConstructorOptions, type WebContents } from 'electron';
import log from 'electron-log/main';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ShellController } from './controller.js';
import { createIpcHandlers, IPC } from './ipc.js';
import { lanAddresses } from './lan.js';
import { navigationDecision, type TrustedPages } from './security.js';
import { parseShellSettings, resolveDataDir, serveArgs, SettingsError, type ShellSettings } from './settings.js';
import type { ShellState } from './state.js';
import { ServerSupervisor } from './supervisor.js';
import { trayMenu, trayStatus, trayTooltip, type TrayAction } from './tray-model.js';

const HERE = path.dirname(fileURLToPath(import.meta.url)); // <app>/electron/dist
const APP_ROOT = path.resolve(HERE, '../..'); // the forge: dist/server, dist/renderer, resources
const SERVER_SCRIPT = path.join(APP_ROOT, 'dist', 'server', 'gitssy.js');
// packaged: real files beside app.asar (extraResources), which trays and libnotify can read
const ICONS = app.isPackaged ? path.join(process.resourcesPath, 'icons') : path.join(APP_ROOT, 'resources', 'icons');
const PRELOAD = path.join(HERE, 'preload.cjs');
const ERROR_PAGE = path.join(HERE, '..', 'static', 'error.html');
const ERROR_PAGE_URL = pathToFileURL(ERROR_PAGE).href;
/** How long quitting waits for in-flight pushes before the server is killed. */
const STOP_BOUND_MS = 20_000;

app.setName('Gitssy');
if (process.env.GITSSY_USER_DATA) app.setPath('userData', path.resolve(process.env.GITSSY_USER_DATA));

if (!app.requestSingleInstanceLock()) {
  // another Gitssy runs for this user: it shows its window (second-instance below); we leave
  app.quit();
} else {
  void main();
}

function version(): string {
  try {
    return readFileSync(path.join(APP_ROOT, 'VERSION'), 'utf8').trim();
  } catch {
    return app.getVersion();
  }
}

function loadSettings(file: string): ShellSettings {
  return parseShellSettings(existsSync(file) ? readFileSync(file, 'utf8') : null, file);
}

async function main(): Promise<void> {
  const userData = app.getPath('userData');
  const logDir = path.join(userData, 'logs');
  const shellLog = log.create({ logId: 'shell' });
  shellLog.transports.file.resolvePathFn = () => path.join(logDir, 'shell.log');
  const serverLog = log.create({ logId: 'server' });
  serverLog.transports.file.resolvePathFn = () => path.join(logDir, 'server.log');
  // electron-log rotates at maxSize (the old file becomes server.old.log)
  serverLog.transports.file.maxSize = 10 * 1024 * 1024;
  serverLog.transports.file.format = '{text}';
  if (app.isPackaged) serverLog.transports.console.level = false;
  shellLog.errorHandler.startCatching();

  let settingsProblem: string | null = null;
  let settings: ShellSettings = parseShellSettings(null, 'defaults');
  const settingsFile = path.join(userData, 'settings.json');
  let dataDir: string;
  try {
    settings = loadSettings(settingsFile);
    dataDir = resolveDataDir(process.argv, settings, process.env, userData);
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    settingsProblem = err.message;
    dataDir = path.join(userData, 'data');
  }

  await app.whenReady();

  // dev: the machine's Node (native modules are built for it); packaged: Electron's own Node,
  // for which electron-builder rebuilt them
  const execPath = app.isPackaged ? process.execPath : (process.env.GITSSY_NODE ?? 'node');
  const env: NodeJS.ProcessEnv = { ...process.env, ...(app.isPackaged ? { ELECTRON_RUN_AS_NODE: '1' } : {}) };
  const supervisor = new ServerSupervisor({
    script: SERVER_SCRIPT,
    args: serveArgs(dataDir, settings),
    execPath,
    env,
    // not inside app.asar: git and the server's children need a real working directory
    cwd: app.isPackaged ? app.getPath('userData') : APP_ROOT,
    log: (level, line) => serverLog[level](line),
    stopTimeoutMs: STOP_BOUND_MS,
  });
  const controller = new ShellController({
    supervisor,
    version: version(),
    dataDir,
    logFile: path.join(logDir, 'server.log'),
    host: settings.host,
    lanAddresses: () => lanAddresses(os.networkInterfaces()),
    loginItem: {
      get: () => app.getLoginItemSettings().openAtLogin,
      set: (open) => app.setLoginItemSettings({ openAtLogin: open, args: open ? ['--hidden'] : [] }),
    },
    notify: (title, body) => {
      if (Notification.isSupported()) new Notification({ title, body, icon: iconPath('icon-256.png') }).show();
    },
    log: (level, message) => shellLog[level](message),
  });

  const pages = (): TrustedPages => {
    const url = controller.state.server.url;
    return { serverOrigin: url ? new URL(url).origin : null, errorPage: ERROR_PAGE_URL };
  };

  // no menu bar in the console window; macOS keeps its default app menu (Quit, Edit shortcuts)
  if (process.platform !== 'darwin') Menu.setApplicationMenu(null);

  let window: BrowserWindow | null = null;
  let tray: Tray | null = null;
  let quitting = false;

  const harden = (contents: WebContents) => {
    contents.setWindowOpenHandler(({ url }) => {
      // every window.open and target=_blank goes to the system browser (or nowhere)
      const decision = navigationDecision(url, pages());
      if (decision === 'external' || (decision === 'allow' && /^https?:/.test(url))) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event, url) => {
      const decision = navigationDecision(url, pages());
      if (decision === 'allow') return;
      event.preventDefault();
      if (decision === 'external') void shell.openExternal(url);
    });
    contents.on('will-redirect', (event, url) => {
      if (navigationDecision(url, pages()) !== 'allow') event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  };
  app.on('web-contents-created', (_e, contents) => harden(contents));
  // pages may write to the clipboard (copy buttons); no camera, location, notifications…
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(permission === 'clipboard-sanitized-write'));

  function iconPath(name: string): string {
    return path.join(ICONS, name);
  }

  const urlToShow = (): string => {
    const s = controller.state;
    if (settingsProblem || s.server.status === 'error' || !s.server.url) return ERROR_PAGE_URL;
    const token = supervisor.state.ready?.setupToken;
    // the one-time setup page while no administrator exists; the console after that
    return token && s.setupPending !== false ? `${s.server.url}setup?token=${encodeURIComponent(token)}` : `${s.server.url}console`;
  };

  function showWindow(): void {
    if (window && !window.isDestroyed()) {
      const want = urlToShow();
      if (window.webContents.getURL() === ERROR_PAGE_URL && want !== ERROR_PAGE_URL) void window.loadURL(want);
      if (window.isMinimized()) window.restore();
      window.show();
      window.focus();
      return;
    }
    window = new BrowserWindow({
      width: 1200,
      height: 820,
      minWidth: 720,
      minHeight: 520,
      show: false,
      title: 'Gitssy',
      icon: iconPath('icon-512.png'),
      backgroundColor: '#0f1222',
      webPreferences: {
        preload: PRELOAD,
        contextIsolation: true,
        nodeIntegration: false,
        sandbox: true,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        spellcheck: false,
      },
    });
    window.once('ready-to-show', () => window?.show());
    window.on('close', (event) => {
      // closing the window leaves Gitssy serving from the tray; Quit is in the tray menu
      if (!quitting && tray) {
        event.preventDefault();
        window?.hide();
      }
    });
    window.on('closed', () => (window = null));
    const url = urlToShow();
    void (url === ERROR_PAGE_URL ? window.loadFile(ERROR_PAGE) : window.loadURL(url));
  }

  async function quit(): Promise<void> {
    if (quitting) return;
    quitting = true;
    shellLog.info('quitting: stopping the server');
    tray?.setToolTip('Gitssy: stopping…');
    const result = await controller.shutdown().catch((err: Error) => {
      shellLog.error(`stopping the server failed: ${err.message}`);
      return null;
    });
    if (result && !result.graceful) shellLog.warn(`the server did not stop within ${STOP_BOUND_MS / 1000}s and was killed`);
    tray?.destroy();
    tray = null;
    app.exit(0);
  }

  const actions: Record<TrayAction, () => void> = {
    'open-console': () => showWindow(),
    'open-browser': () => {
      const url = controller.state.server.url;
      if (url) void shell.openExternal(`${url}console`);
    },
    'copy-lan': () => {
      const url = controller.state.lanUrl;
      if (url) clipboard.writeText(url);
    },
    maintenance: () => void controller.setMaintenance(!controller.state.maintenance?.enabled).catch((err: Error) => shellLog.warn(`maintenance: ${err.message}`)),
    backup: () => void controller.backup(),
    restart: () => void controller.restart().catch((err: Error) => shellLog.warn(`restart: ${err.message}`)),
    'start-at-login': () => controller.setOpenAtLogin(!controller.state.openAtLogin),
    quit: () => void quit(),
  };

  function render(state: ShellState): void {
    if (tray) {
      const status = trayStatus(state);
      tray.setImage(nativeImage.createFromPath(iconPath(`tray-${status}.png`)));
      tray.setToolTip(trayTooltip(state));
      const template: MenuItemConstructorOptions[] = trayMenu(state).map((item) => ({
        type: item.type,
        label: item.label,
        enabled: item.enabled,
        checked: item.checked,
        click: item.id ? actions[item.id] : undefined,
      }));
      tray.setContextMenu(Menu.buildFromTemplate(template));
    }
    for (const w of BrowserWindow.getAllWindows()) if (!w.isDestroyed()) w.webContents.send(IPC.state, state);
    if (window && !window.isDestroyed()) {
      const onErrorPage = window.webContents.getURL().startsWith(ERROR_PAGE_URL);
      // the error page gives way to the console once the server is back, and takes over
      // from a console whose server ended in a crash loop
      if (onErrorPage && state.server.status === 'running' && !settingsProblem) void window.loadURL(urlToShow());
      else if (!onErrorPage && state.server.status === 'error') {
        void window.loadFile(ERROR_PAGE);
        window.show();
      }
    }
  }

  for (const [channel, handler] of Object.entries(
    createIpcHandlers({
      getState: () => (settingsProblem ? { ...controller.state, server: { ...controller.state.server, status: 'error', error: { message: settingsProblem, logTail: [] } } } : controller.state),
      openExternal: (url) => shell.openExternal(url),
      restartServer: async () => {
        if (settingsProblem) {
          try {
            loadSettings(settingsFile);
          } catch (err) {
            settingsProblem = (err as Error).message;
            throw err;
          }
          app.relaunch();
          return void quit();
        }
        await controller.restart();
      },
      pages,
    }),
  ))
    ipcMain.handle(channel, handler);

  try {
    tray = new Tray(nativeImage.createFromPath(iconPath('tray-starting.png')));
    tray.on('click', () => showWindow());
  } catch (err) {
    // no system tray (some desktops, headless test runs): the window is the app, closing it quits
    shellLog.warn(`no system tray: ${(err as Error).message}`);
    tray = null;
  }
  controller.on('state', render);
  render(controller.state);

  app.on('second-instance', () => showWindow());
  app.on('activate', () => showWindow());
  app.on('window-all-closed', () => {
    // with a tray Gitssy keeps serving from there; without one, closing the window quits
    if (!tray) void quit();
  });
  app.on('before-quit', (event) => {
    if (!quitting) {
      event.preventDefault();
      void quit();
    }
  });

  const hidden = process.argv.includes('--hidden') || app.getLoginItemSettings().wasOpenedAtLogin;
  if (settingsProblem) {
    shellLog.error(settingsProblem);
    showWindow();
    return;
  }
  shellLog.info(`starting the server on ${dataDir}`);
  controller.start().then(
    () => {
      if (!hidden) showWindow();
    },
    (err: Error) => {
      shellLog.error(`the server could not be started: ${err.message}`);
      showWindow();
    },
  );
}
