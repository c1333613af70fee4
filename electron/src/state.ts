// What the shell knows and shows: one plain object, computed in the main process, sent to
// the tray model and (through the preload bridge) to the console and the error window.
// Plain types only (no Node imports), so the renderer may import them too.

export type SupervisorStatus = 'idle' | 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped' | 'error';

export interface SupervisorError {
  message: string;
  /** The last lines the server wrote, readable. */
  logTail: string[];
}

export interface ShellState {
  version: string;
  server: {
    status: SupervisorStatus;
    /** Loopback URL of the web UI (ends in `/`) while the server runs. */
    url: string | null;
    ports: { http: number; ssh: number | null; git: number | null } | null;
    restarts: number;
    error: SupervisorError | null;
  };
  /** null while unknown (the server is not running or has not answered yet). */
  maintenance: { enabled: boolean; message: string } | null;
  /** The address teammates use, e.g. http://192.168.1.20:3000/ (null when serving loopback only). */
  lanUrl: string | null;
  /** Whether the instance still waits for its first administrator (null while unknown). */
  setupPending: boolean | null;
  /** Dev shells running in the server now (0 while unknown or stopped). */
  shellsRunning: number;
  openAtLogin: boolean;
  backup: {
    running: boolean;
    last: { ok: boolean; at: number; message: string; file: string | null } | null;
  };
  dataDir: string;
  logFile: string;
}

export function initialState(version: string, dataDir: string, logFile: string): ShellState {
  return {
    version,
    server: { status: 'idle', url: null, ports: null, restarts: 0, error: null },
    maintenance: null,
    lanUrl: null,
    setupPending: null,
    shellsRunning: 0,
    openAtLogin: false,
    backup: { running: false, last: null },
    dataDir,
    logFile,
  };
}
