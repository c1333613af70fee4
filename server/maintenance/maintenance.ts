// Maintenance mode: one persisted switch. While it is on every write is refused on every
// transport (pushes by the pre-receive policy, API writes with 503) and reads keep working.
// Turning it on waits, within a bound, for pushes already running to finish.
import type { SettingsService } from '../settings/index.js';

/** Counts pushes in flight (receive-pack on any transport) so maintenance can wait for them. */
export class PushTracker {
  private running = 0;
  private waiters: (() => void)[] = [];

  get inFlight(): number {
    return this.running;
  }

  /** Marks a push as started; call the returned function when it ends. */
  start(): () => void {
    this.running++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.running--;
      if (this.running === 0) for (const w of this.waiters.splice(0)) w();
    };
  }

  /** Resolves when no push is running or the bound passes. */
  waitIdle(timeoutMs: number): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      }, timeoutMs);
      const done = () => {
        clearTimeout(t);
        resolve();
      };
      this.waiters.push(done);
    });
  }
}

export interface MaintenanceState {
  enabled: boolean;
  message: string;
  admins_exempt: boolean;
  /** Pushes running right now. */
  pushes_in_flight: number;
}

export interface MaintenanceChange extends MaintenanceState {
  /** When switching on: how many running pushes it waited for, and how many outlasted the wait. */
  waited_for: number;
  still_running: number;
}

export class MaintenanceService {
  constructor(
    private readonly settings: SettingsService,
    private readonly pushes: PushTracker,
    private readonly waitMs = 30_000,
  ) {}

  /** The switch as stored now (other processes, such as the CLI, may have flipped it). */
  async state(): Promise<MaintenanceState> {
    await this.settings.load();
    return {
      enabled: this.settings.get('maintenance.enabled'),
      message: this.settings.get('maintenance.message'),
      admins_exempt: this.settings.get('maintenance.adminsExempt'),
      pushes_in_flight: this.pushes.inFlight,
    };
  }

  async set(enabled: boolean, message?: string): Promise<MaintenanceChange> {
    await this.settings.update({ 'maintenance.enabled': enabled, ...(message !== undefined ? { 'maintenance.message': message } : {}) });
    const before = this.pushes.inFlight;
    if (enabled && before > 0) await this.pushes.waitIdle(this.waitMs);
    const still = this.pushes.inFlight;
    return { ...(await this.state()), waited_for: enabled ? before - Math.min(before, still) : 0, still_running: enabled ? still : 0 };
  }
}
