// Maintenance mode: one persisted switch. While it is on every write is refused on every
// transport (pushes by the pre-receive policy, API writes with 503, the SSH shell's commands
// with the same notice) and reads keep working.
// Turning it on waits, within a bound, for pushes already running to finish.
import { Unavailable } from '../lib/errors.js';
import type { SettingsService } from '../settings/index.js';

/** What a refused write is told while maintenance is on, on every transport (the API's 503, the SSH shell). */
export function maintenanceNotice(message: string): string {
  return `Gitssy is in maintenance mode; changes are paused${message ? `: ${message}` : '. Try again later.'}`;
}

/**
 * Counts pushes in flight (receive-pack on any transport) so maintenance can wait for them, and
 * holds what must wait until one push has answered its client (see afterPush).
 */
export class PushTracker {
  private running = 0;
  private waiters: (() => void)[] = [];
  /** pushes started with an id -> what runs when they end */
  private readonly ends = new Map<string, (() => void)[]>();

  get inFlight(): number {
    return this.running;
  }

  /** Marks a push as started; call the returned function when it ends. */
  start(id?: string): () => void {
    this.running++;
    if (id) this.ends.set(id, []);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.running--;
      if (id) {
        const fns = this.ends.get(id) ?? [];
        this.ends.delete(id);
        for (const fn of fns) fn();
      }
      if (this.running === 0) for (const w of this.waiters.splice(0)) w();
    };
  }

  /**
   * Runs `fn` once the push `id` has ended: at once when it has, or is not known here. What a
   * push sets in motion (the subscribers of its event) then doesn't compete with the push itself
   * for the event loop and the cores before its client has the answer.
   */
  afterPush(id: string | undefined, fn: () => void): void {
    const fns = id ? this.ends.get(id) : undefined;
    if (fns) fns.push(fn);
    else fn();
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

  /**
   * Why `user` may not change anything right now, or null when it may: maintenance is off, or
   * it exempts site administrators (`maintenance.adminsExempt`) and this is one.
   */
  async refusal(user: { is_admin: number | boolean } | null | undefined): Promise<string | null> {
    const state = await this.state();
    if (!state.enabled || (state.admins_exempt && Boolean(user?.is_admin))) return null;
    return maintenanceNotice(state.message);
  }

  /** Throws Unavailable (503) with the notice while maintenance refuses `user`'s writes. */
  async assertWritable(user: { is_admin: number | boolean } | null | undefined): Promise<void> {
    const refused = await this.refusal(user);
    if (refused) throw Unavailable(refused);
  }

  async set(enabled: boolean, message?: string): Promise<MaintenanceChange> {
    await this.settings.update({ 'maintenance.enabled': enabled, ...(message !== undefined ? { 'maintenance.message': message } : {}) });
    const before = this.pushes.inFlight;
    if (enabled && before > 0) await this.pushes.waitIdle(this.waitMs);
    const still = this.pushes.inFlight;
    return { ...(await this.state()), waited_for: enabled ? before - Math.min(before, still) : 0, still_running: enabled ? still : 0 };
  }
}
