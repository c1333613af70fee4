// The tray menu as a pure function of the shell's state: main.ts turns the items into an
// Electron Menu (click handlers looked up by id) whenever the state changes.
import type { ShellState } from './state.js';

export type TrayStatus = 'starting' | 'running' | 'maintenance' | 'stopped' | 'error';

export type TrayAction = 'open-console' | 'open-browser' | 'copy-lan' | 'maintenance' | 'backup' | 'restart' | 'start-at-login' | 'quit';

export interface TrayItem {
  /** The action a click runs; absent on labels and separators. */
  id?: TrayAction;
  type: 'normal' | 'checkbox' | 'separator';
  label?: string;
  enabled?: boolean;
  checked?: boolean;
}

export function trayStatus(s: ShellState): TrayStatus {
  switch (s.server.status) {
    case 'running':
      return s.maintenance?.enabled ? 'maintenance' : 'running';
    case 'starting':
    case 'restarting':
      return 'starting';
    case 'error':
      return 'error';
    default:
      return 'stopped';
  }
}

const STATUS_TEXT: Record<TrayStatus, string> = {
  starting: 'starting…',
  running: 'running',
  maintenance: 'maintenance mode',
  stopped: 'stopped',
  error: 'error',
};

/** The tooltip: the status line, and the dev shells running when there are any. */
export function trayTooltip(s: ShellState): string {
  const shells = trayShellsLine(s);
  return shells ? `${trayStatusLine(s)} · ${shells}` : trayStatusLine(s);
}

/** "2 dev shells running" while the server runs some, else null. */
export function trayShellsLine(s: ShellState): string | null {
  const status = trayStatus(s);
  const n = s.shellsRunning;
  if ((status !== 'running' && status !== 'maintenance') || !(n > 0)) return null;
  return `${n} dev ${n === 1 ? 'shell' : 'shells'} running`;
}

/** One line for the menu's first (disabled) item. */
export function trayStatusLine(s: ShellState): string {
  const status = trayStatus(s);
  if (status === 'error') return `Gitssy: error — ${firstSentence(s.server.error?.message ?? 'the server stopped')}`;
  if (status === 'starting' && s.server.status === 'restarting') return `Gitssy: restarting after a crash (${s.server.restarts})`;
  const where = (status === 'running' || status === 'maintenance') && (s.lanUrl ?? s.server.url) ? ` on ${s.lanUrl ?? s.server.url}` : '';
  return `Gitssy: ${STATUS_TEXT[status]}${where}`;
}

function firstSentence(text: string): string {
  const cut = text.split(/\.\s/)[0] ?? text;
  return cut.length > 90 ? `${cut.slice(0, 89)}…` : cut;
}

export function trayMenu(s: ShellState): TrayItem[] {
  const status = trayStatus(s);
  const serving = status === 'running' || status === 'maintenance';
  const shells = trayShellsLine(s);
  const items: TrayItem[] = [
    { type: 'normal', label: trayStatusLine(s), enabled: false },
    ...(shells ? [{ type: 'normal' as const, label: shells, enabled: false }] : []),
    { type: 'separator' },
    { id: 'open-console', type: 'normal', label: status === 'error' ? 'Show the error…' : 'Open console', enabled: serving || status === 'error' },
    { id: 'open-browser', type: 'normal', label: 'Open in browser', enabled: serving },
    { id: 'copy-lan', type: 'normal', label: s.lanUrl ? `Copy LAN address (${s.lanUrl})` : 'Copy LAN address', enabled: serving && s.lanUrl !== null },
    { type: 'separator' },
    { id: 'maintenance', type: 'checkbox', label: 'Maintenance mode', checked: s.maintenance?.enabled === true, enabled: serving && s.maintenance !== null },
    { id: 'backup', type: 'normal', label: s.backup.running ? 'Backing up…' : 'Back up now', enabled: serving && !s.backup.running },
  ];
  if (status === 'error' || status === 'stopped') items.push({ id: 'restart', type: 'normal', label: 'Restart the server', enabled: s.server.status !== 'stopping' });
  items.push(
    { type: 'separator' },
    { id: 'start-at-login', type: 'checkbox', label: 'Start at login', checked: s.openAtLogin, enabled: true },
    { type: 'separator' },
    { id: 'quit', type: 'normal', label: 'Quit Gitssy', enabled: true },
  );
  return items;
}
