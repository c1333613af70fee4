// The shell's logic between the supervisor and the Electron surfaces: it keeps ShellState,
// polls the server's status (maintenance) while it runs, and carries out the tray's actions
// (maintenance on/off, back up now, start at login, quit). Electron parts come in as
// plain functions, so this runs in Node under vitest against a real server.
import { EventEmitter } from 'node:events';
import { backupNow, readInternalInfo, setMaintenance, type BackupOutcome, type MaintenanceChange } from './server-client.js';
import { lanUrl } from './lan.js';
import { initialState, type ShellState } from './state.js';
import type { ReadyInfo, ServerSupervisor, StopResult, SupervisorState } from './supervisor.js';

export interface ControllerDeps {
  supervisor: ServerSupervisor;
  version: string;
  dataDir: string;
  logFile: string;
  /** The host the server listens on (null = its default, every interface). */
  host: string | null;
  lanAddresses(): string[];
  loginItem: { get(): boolean; set(open: boolean): void };
  notify(title: string, body: string): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** How often to ask the server for its status while it runs. */
  statusPollMs?: number;
  /** Overridable for tests; default: the server's internal endpoint. */
  internal?: {
    setMaintenance(enabled: boolean): Promise<MaintenanceChange>;
    backupNow(onProgress: (line: string) => void): Promise<BackupOutcome>;
  };
}

interface StatusReply {
  maintenance?: { enabled?: unknown; message?: unknown };
  setupNeeded?: unknown;
  /** Absent from servers without dev shells. */
  shells?: { running?: unknown };
}

export class ShellController extends EventEmitter {
  private st: ShellState;
  private poll: NodeJS.Timeout | null = null;
  private readonly internal: NonNullable<ControllerDeps['internal']>;

  constructor(private readonly deps: ControllerDeps) {
    super();
    this.st = { ...initialState(deps.version, deps.dataDir, deps.logFile), openAtLogin: safe(() => deps.loginItem.get(), false) };
    this.internal = deps.internal ?? {
      setMaintenance: async (enabled) => setMaintenance(await readInternalInfo(deps.dataDir), enabled),
      backupNow: async (onProgress) => {
        try {
          return await backupNow(await readInternalInfo(deps.dataDir), onProgress);
        } catch (err) {
          return { ok: false, file: null, message: `Backup failed: ${(err as Error).message}` };
        }
      },
    };
    deps.supervisor.on('state', (s: SupervisorState) => this.onSupervisor(s));
  }

  get state(): ShellState {
    return structuredClone(this.st);
  }

  /** Starts the server; resolves with its ports, rejects when it ends in a crash loop. */
  start(): Promise<ReadyInfo> {
    return this.deps.supervisor.start();
  }

  async restart(): Promise<void> {
    await this.deps.supervisor.restart();
  }

  /** Asks the server for its status now (also done every statusPollMs while it runs). */
  async refreshStatus(): Promise<void> {
    if (this.st.server.status !== 'running') return;
    try {
      const reply = await this.deps.supervisor.request<StatusReply>('status', {}, 10_000);
      const m = reply?.maintenance;
      const maintenance = m && typeof m.enabled === 'boolean' ? { enabled: m.enabled, message: typeof m.message === 'string' ? m.message : '' } : null;
      const shells = reply?.shells?.running;
      this.update({
        maintenance,
        setupPending: typeof reply?.setupNeeded === 'boolean' ? reply.setupNeeded : this.st.setupPending,
        shellsRunning: typeof shells === 'number' && Number.isSafeInteger(shells) && shells >= 0 ? shells : 0,
      });
    } catch (err) {
      if (this.st.server.status === 'running') this.deps.log('warn', `status request failed: ${(err as Error).message}`);
    }
  }

  /** Switches maintenance mode through the server (waiting for running pushes when switching on). */
  async setMaintenance(enabled: boolean): Promise<MaintenanceChange> {
    if (typeof enabled !== 'boolean') throw new TypeError('enabled must be a boolean');
    if (this.st.server.status !== 'running') throw new Error('the server is not running; start it first');
    try {
      const change = await this.internal.setMaintenance(enabled);
      this.update({ maintenance: { enabled: change.enabled, message: change.message } });
      const waited = change.enabled && change.waited_for ? ` after waiting for ${change.waited_for} running push${change.waited_for === 1 ? '' : 'es'}` : '';
      const still = change.enabled && change.still_running ? `; ${change.still_running} still running` : '';
      this.deps.notify('Gitssy', change.enabled ? `Maintenance mode is on${waited}${still}. Reads keep working; changes are paused.` : 'Maintenance mode is off. Changes are accepted again.');
      return change;
    } catch (err) {
      this.deps.notify('Gitssy', `Could not switch maintenance mode: ${(err as Error).message}`);
      throw err;
    }
  }

  /** Runs a backup in the server and notifies when it is done or failed. One at a time. */
  async backup(onProgress: (line: string) => void = () => {}): Promise<BackupOutcome> {
    if (this.st.backup.running) return { ok: false, file: null, message: 'A backup is already running' };
    if (this.st.server.status !== 'running') {
      const outcome = { ok: false, file: null, message: 'Backup failed: the server is not running' };
      this.deps.notify('Gitssy backup failed', outcome.message);
      return outcome;
    }
    this.update({ backup: { ...this.st.backup, running: true } });
    const outcome = await this.internal.backupNow(onProgress);
    this.update({ backup: { running: false, last: { ok: outcome.ok, at: Date.now(), message: outcome.message, file: outcome.file } } });
    this.deps.log(outcome.ok ? 'info' : 'error', outcome.message);
    this.deps.notify(outcome.ok ? 'Gitssy backup done' : 'Gitssy backup failed', outcome.message);
    return outcome;
  }

  setOpenAtLogin(open: boolean): void {
    if (typeof open !== 'boolean') throw new TypeError('open must be a boolean');
    this.deps.loginItem.set(open);
    this.update({ openAtLogin: safe(() => this.deps.loginItem.get(), open) });
  }

  /** Stops polling and the server (the supervisor bounds the wait for in-flight pushes). */
  async shutdown(): Promise<StopResult> {
    this.stopPolling();
    return this.deps.supervisor.stop();
  }

  private onSupervisor(s: SupervisorState): void {
    const running = s.status === 'running' && s.ready !== null;
    this.update({
      server: {
        status: s.status,
        url: running ? s.ready!.url : null,
        ports: running ? { http: s.ready!.http, ssh: s.ready!.ssh, git: s.ready!.git } : null,
        restarts: s.restarts,
        error: s.error,
      },
      maintenance: running ? this.st.maintenance : null,
      setupPending: running ? (this.st.setupPending ?? (s.ready!.setupToken ? true : null)) : null,
      shellsRunning: running ? this.st.shellsRunning : 0,
      lanUrl: running
        ? lanUrl(
            this.deps.host,
            s.ready!.http,
            safe(() => this.deps.lanAddresses(), []),
          )
        : null,
    });
    if (running) {
      if (!this.poll) {
        this.poll = setInterval(() => void this.refreshStatus(), this.deps.statusPollMs ?? 5_000);
        this.poll.unref();
      }
      void this.refreshStatus();
    } else {
      this.stopPolling();
    }
  }

  private stopPolling(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
  }

  private update(patch: Partial<ShellState>): void {
    const next = { ...this.st, ...patch };
    if (JSON.stringify(next) === JSON.stringify(this.st)) return;
    this.st = next;
    this.emit('state', this.state);
  }
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
