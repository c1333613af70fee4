// The tray menu is a pure function of the shell's state.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ShellController } from '../../../electron/src/controller.js';
import { initialState, type ShellState } from '../../../electron/src/state.js';
import type { ServerSupervisor, SupervisorState } from '../../../electron/src/supervisor.js';
import { trayMenu, trayShellsLine, trayStatus, trayTooltip, type TrayItem } from '../../../electron/src/tray-model.js';

function state(patch: Partial<ShellState> = {}, server: Partial<ShellState['server']> = {}): ShellState {
  const s = initialState('2026.11.22-1', '/data', '/logs/server.log');
  return { ...s, ...patch, server: { ...s.server, ...server } };
}
const running = (patch: Partial<ShellState> = {}) =>
  state(
    { maintenance: { enabled: false, message: '' }, lanUrl: 'http://192.168.1.20:3000/', ...patch },
    { status: 'running', url: 'http://127.0.0.1:3000/', ports: { http: 3000, ssh: 2222, git: null } },
  );

const byId = (items: TrayItem[], id: string) => items.find((i) => i.id === id)!;

describe('tray model', () => {
  it('maps the server state to the four tray states (plus starting)', () => {
    expect(trayStatus(running())).toBe('running');
    expect(trayStatus(running({ maintenance: { enabled: true, message: 'upgrading' } }))).toBe('maintenance');
    expect(trayStatus(state({}, { status: 'starting' }))).toBe('starting');
    expect(trayStatus(state({}, { status: 'restarting' }))).toBe('starting');
    expect(trayStatus(state({}, { status: 'stopped' }))).toBe('stopped');
    expect(trayStatus(state({}, { status: 'stopping' }))).toBe('stopped');
    expect(trayStatus(state({}, { status: 'idle' }))).toBe('stopped');
    expect(trayStatus(state({}, { status: 'error', error: { message: 'x', logTail: [] } }))).toBe('error');
  });

  it('offers every action in order while running', () => {
    const items = trayMenu(running());
    expect(items.filter((i) => i.id).map((i) => i.id)).toEqual(['open-console', 'open-browser', 'copy-lan', 'maintenance', 'backup', 'start-at-login', 'quit']);
    expect(items[0]).toEqual({ type: 'normal', label: 'Gitssy: running on http://192.168.1.20:3000/', enabled: false });
    for (const id of ['open-console', 'open-browser', 'copy-lan', 'maintenance', 'backup', 'start-at-login', 'quit']) expect(byId(items, id).enabled).toBe(true);
    expect(byId(items, 'copy-lan').label).toBe('Copy LAN address (http://192.168.1.20:3000/)');
    expect(byId(items, 'maintenance')).toMatchObject({ type: 'checkbox', checked: false });
    expect(byId(items, 'backup').label).toBe('Back up now');
    expect(items.filter((i) => i.type === 'separator').length).toBeGreaterThanOrEqual(3);
  });

  it('checks the maintenance box and says so in the label while maintenance is on', () => {
    const items = trayMenu(running({ maintenance: { enabled: true, message: 'upgrading disks' } }));
    expect(byId(items, 'maintenance').checked).toBe(true);
    expect(items[0]!.label).toBe('Gitssy: maintenance mode on http://192.168.1.20:3000/');
  });

  it('disables the maintenance box while its state is unknown', () => {
    expect(byId(trayMenu(running({ maintenance: null })), 'maintenance')).toMatchObject({ enabled: false, checked: false });
  });

  it('disables Copy LAN address when serving loopback only', () => {
    const items = trayMenu(running({ lanUrl: null }));
    expect(byId(items, 'copy-lan')).toMatchObject({ label: 'Copy LAN address', enabled: false });
    expect(items[0]!.label).toBe('Gitssy: running on http://127.0.0.1:3000/');
  });

  it('shows a running backup and does not offer a second one', () => {
    expect(byId(trayMenu(running({ backup: { running: true, last: null } })), 'backup')).toMatchObject({ label: 'Backing up…', enabled: false });
  });

  it('reflects the start-at-login setting', () => {
    expect(byId(trayMenu(running({ openAtLogin: true })), 'start-at-login')).toMatchObject({ type: 'checkbox', checked: true, enabled: true });
    expect(byId(trayMenu(running({ openAtLogin: false })), 'start-at-login').checked).toBe(false);
  });

  it('in the error state offers the error and a restart, and nothing that needs the server', () => {
    const s = state({}, { status: 'error', error: { message: 'the server exited with code 1. It failed 5 times within 120s, so Gitssy stopped restarting it', logTail: ['EADDRINUSE'] } });
    const items = trayMenu(s);
    expect(items[0]!.label).toBe('Gitssy: error — the server exited with code 1');
    expect(byId(items, 'open-console')).toMatchObject({ label: 'Show the error…', enabled: true });
    expect(byId(items, 'restart')).toMatchObject({ label: 'Restart the server', enabled: true });
    for (const id of ['open-browser', 'copy-lan', 'maintenance', 'backup']) expect(byId(items, id).enabled).toBe(false);
    expect(byId(items, 'quit').enabled).toBe(true);
  });

  it('while starting, nothing that needs the server is enabled and there is no restart', () => {
    const items = trayMenu(state({}, { status: 'starting' }));
    expect(items[0]!.label).toBe('Gitssy: starting…');
    for (const id of ['open-console', 'open-browser', 'copy-lan', 'maintenance', 'backup']) expect(byId(items, id).enabled).toBe(false);
    expect(items.some((i) => i.id === 'restart')).toBe(false);
  });

  it('says when it is restarting after a crash', () => {
    expect(trayTooltip(state({}, { status: 'restarting', restarts: 2 }))).toBe('Gitssy: restarting after a crash (2)');
  });

  it('offers a restart when stopped', () => {
    const items = trayMenu(state({}, { status: 'stopped' }));
    expect(items[0]!.label).toBe('Gitssy: stopped');
    expect(byId(items, 'restart').enabled).toBe(true);
  });

  it('cuts a long error to one short line', () => {
    const label = trayTooltip(state({}, { status: 'error', error: { message: 'x'.repeat(300), logTail: [] } }));
    expect(label.length).toBeLessThanOrEqual('Gitssy: error — '.length + 90);
    expect(label.endsWith('…')).toBe(true);
  });

  it('says how many dev shells run, in the tooltip and as a line of the menu, only when there are some', () => {
    const two = running({ shellsRunning: 2 });
    expect(trayTooltip(two)).toBe('Gitssy: running on http://192.168.1.20:3000/ · 2 dev shells running');
    const items = trayMenu(two);
    expect(items[0]!.label).toBe('Gitssy: running on http://192.168.1.20:3000/');
    expect(items[1]).toEqual({ type: 'normal', label: '2 dev shells running', enabled: false });
    expect(items[2]!.type).toBe('separator');
    expect(trayShellsLine(running({ shellsRunning: 1 }))).toBe('1 dev shell running');
    expect(trayTooltip(running({ shellsRunning: 1, maintenance: { enabled: true, message: '' } }))).toBe('Gitssy: maintenance mode on http://192.168.1.20:3000/ · 1 dev shell running');

    // none running: the menu and tooltip are as before
    const none = trayMenu(running({ shellsRunning: 0 }));
    expect(none.map((i) => i.label)).toEqual(trayMenu(running()).map((i) => i.label));
    expect(none.some((i) => i.label?.includes('dev shell'))).toBe(false);
    expect(trayTooltip(running())).toBe('Gitssy: running on http://192.168.1.20:3000/');
    // a stale count never shows while the server is not serving
    expect(trayShellsLine(state({ shellsRunning: 3 }, { status: 'stopped' }))).toBeNull();
    expect(trayTooltip(state({ shellsRunning: 3 }, { status: 'starting' }))).toBe('Gitssy: starting…');
  });
});

describe('status polling: dev shells', () => {
  /** A supervisor that is running and answers status requests with `reply`. */
  function fakeSupervisor(reply: () => unknown) {
    const sup = new EventEmitter() as EventEmitter & { request: ServerSupervisor['request'] };
    sup.request = (async () => reply()) as ServerSupervisor['request'];
    return sup;
  }
  const RUNNING: SupervisorState = {
    status: 'running',
    pid: 42,
    ready: { http: 3000, ssh: null, git: null, pid: 42, url: 'http://127.0.0.1:3000/', setupToken: null },
    restarts: 0,
    lastExit: null,
    nextRestartInMs: null,
    error: null,
  };
  function controller(reply: () => unknown) {
    const sup = fakeSupervisor(reply);
    const c = new ShellController({
      supervisor: sup as unknown as ServerSupervisor,
      version: 'test',
      dataDir: '/data',
      logFile: '/log',
      host: '127.0.0.1',
      lanAddresses: () => [],
      loginItem: { get: () => false, set: () => {} },
      notify: () => {},
      log: () => {},
      statusPollMs: 3_600_000,
    });
    return { c, sup };
  }

  it("takes the running count from the server's status reply, and forgets it when the server stops", async () => {
    let running: unknown = 2;
    const { c, sup } = controller(() => ({ maintenance: { enabled: false, message: '' }, setupNeeded: false, shells: { running } }));
    sup.emit('state', RUNNING);
    await c.refreshStatus();
    expect(c.state.shellsRunning).toBe(2);
    expect(trayShellsLine(c.state)).toBe('2 dev shells running');
    running = 0;
    await c.refreshStatus();
    expect(c.state.shellsRunning).toBe(0);
    running = 3;
    await c.refreshStatus();
    sup.emit('state', { ...RUNNING, status: 'stopped', ready: null, pid: null });
    expect(c.state.shellsRunning).toBe(0);
  });

  it('reads a reply without shells (an older server) or with nonsense as none running', async () => {
    for (const shells of [undefined, null, { running: -1 }, { running: 'two' }, { running: 1.5 }]) {
      const { c, sup } = controller(() => ({ maintenance: { enabled: false, message: '' }, setupNeeded: false, shells }));
      sup.emit('state', RUNNING);
      await c.refreshStatus();
      expect(c.state.shellsRunning, JSON.stringify(shells)).toBe(0);
      sup.emit('state', { ...RUNNING, status: 'stopped', ready: null, pid: null });
    }
  });
});
