import { AppError } from '../lib/errors.js';

// Abuse limits shared by every transport (gitmouth's list): failed authentications per
// address in a sliding window, and concurrent git sessions per user and per address.
// The failures are counted for the whole forge when its instances share a Redis (a
// FailureStore from scale/shared.ts), else in this process; the session caps protect this
// process either way, and reset when it restarts.

/** Sliding-window counter of failures per key; a success does not reset it. */
export class FailureWindow {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly max: () => number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.hits.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length) this.hits.set(key, list);
    else this.hits.delete(key);
    return list;
  }

  blocked(key: string): boolean {
    return this.recent(key).length >= this.max();
  }

  count(key: string): number {
    return this.recent(key).length;
  }

  record(key: string): void {
    const list = this.recent(key);
    list.push(this.now());
    this.hits.set(key, list);
    if (this.hits.size > 100_000) this.hits.delete(this.hits.keys().next().value!);
  }

  /** Seconds until the oldest failure leaves the window. */
  retryAfter(key: string): number {
    const list = this.recent(key);
    return list.length ? Math.max(1, Math.ceil((list[0]! + this.windowMs - this.now()) / 1000)) : 0;
  }
}

/** Counts open git sessions per key and refuses past a cap. */
export class SessionCounter {
  private readonly open = new Map<string, number>();

  constructor(readonly cap: () => number) {}

  /** Takes a slot for every key, or none: returns a release function, or null when full. */
  enter(keys: string[]): (() => void) | null {
    const cap = this.cap();
    if (cap > 0 && keys.some((k) => (this.open.get(k) ?? 0) >= cap)) return null;
    for (const k of keys) this.open.set(k, (this.open.get(k) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const k of keys) {
        const n = (this.open.get(k) ?? 1) - 1;
        if (n > 0) this.open.set(k, n);
        else this.open.delete(k);
      }
    };
  }

  count(key: string): number {
    return this.open.get(key) ?? 0;
  }

  /** Open sessions across every key. */
  total(): number {
    let n = 0;
    for (const v of this.open.values()) n += v;
    return n;
  }
}

/** Where failures are counted: in this process, or for every instance of the forge. */
export interface FailureStore {
  /** Failures of `key` in the last `windowMs`, and the ms until the oldest of them leaves it. */
  count(key: string, windowMs: number): Promise<{ n: number; retryAfterMs: number }>;
  record(key: string, windowMs: number): Promise<void>;
}

/** A FailureStore in this process. */
export class MemoryFailures implements FailureStore {
  private readonly windows = new Map<number, FailureWindow>();
  constructor(private readonly now: () => number = Date.now) {}
  private window(windowMs: number): FailureWindow {
    let w = this.windows.get(windowMs);
    if (!w) this.windows.set(windowMs, (w = new FailureWindow(() => Infinity, windowMs, this.now)));
    return w;
  }
  async count(key: string, windowMs: number): Promise<{ n: number; retryAfterMs: number }> {
    const w = this.window(windowMs);
    return { n: w.count(key), retryAfterMs: w.retryAfter(key) * 1000 };
  }
  async record(key: string, windowMs: number): Promise<void> {
    this.window(windowMs).record(key);
  }
}

/** How long a failed authentication counts against its address. */
const AUTH_FAILURE_WINDOW_MS = 10 * 60_000;

/** The limits the transports consult, built on the runtime settings. */
export class AbuseLimits {
  readonly userSessions: SessionCounter;
  readonly ipSessions: SessionCounter;

  constructor(
    private readonly settings: { get(key: 'limits.authFailuresPerIp' | 'limits.gitSessionsPerUser' | 'limits.gitSessionsPerIp'): number },
    private readonly failures: FailureStore = new MemoryFailures(),
  ) {
    this.userSessions = new SessionCounter(() => settings.get('limits.gitSessionsPerUser'));
    this.ipSessions = new SessionCounter(() => settings.get('limits.gitSessionsPerIp'));
  }

  /** Throws 429 when this address has failed to authenticate too often (on any instance). */
  async assertMayAuthenticate(ip: string | null | undefined): Promise<void> {
    const { n, retryAfterMs } = await this.failures.count(`ip:${ip ?? '?'}`, AUTH_FAILURE_WINDOW_MS);
    if (n >= this.settings.get('limits.authFailuresPerIp')) {
      throw new AppError('too_many_requests', `too many failed sign-ins from your address; try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} seconds`);
    }
  }

  async authFailed(ip: string | null | undefined): Promise<void> {
    await this.failures.record(`ip:${ip ?? '?'}`, AUTH_FAILURE_WINDOW_MS);
  }

  /** A slot for one git session, or null when the user or the address is at its cap. */
  enterGitSession(ip: string | null | undefined, userId: number | null): (() => void) | null {
    const releaseIp = this.ipSessions.enter([`ip:${ip ?? '?'}`]);
    if (!releaseIp) return null;
    if (userId === null) return releaseIp;
    const releaseUser = this.userSessions.enter([`user:${userId}`]);
    if (!releaseUser) {
      releaseIp();
      return null;
    }
    return () => {
      releaseIp();
      releaseUser();
    };
  }
}
