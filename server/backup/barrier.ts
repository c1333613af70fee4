// The write barrier a backup takes while it captures the database and every repository's refs:
// pre-receive checks wait behind it, so no ref moves between the two. It is held for
// milliseconds; how long it was held, and how long pushes actually waited behind it, is
// recorded so backups and the benchmark can report it. When several instances share the
// repository store, it is taken cluster-wide as well (joinCluster: an advisory lock in
// PostgreSQL, server/scale), so pushes through any instance wait.
import type { ClusterBarrier } from '../scale/index.js';

export interface BarrierStats {
  /** Times the barrier was taken. */
  holds: number;
  /** Longest time it was held, in ms. */
  longest_hold_ms: number;
  /** Pushes that found it held and waited. */
  waits: number;
  /** Longest time one push waited behind it, in ms. */
  longest_wait_ms: number;
}

export class WriteBarrier {
  private held: Promise<void> | null = null;
  private release: (() => void) | null = null;
  private since = 0;
  longestMs = 0;
  private holds = 0;
  private waits = 0;
  private longestWaitMs = 0;
  private cluster: ClusterBarrier | null = null;

  /** Makes the barrier cluster-wide: held on every instance that shares the repository store. */
  joinCluster(cluster: ClusterBarrier): void {
    this.cluster = cluster;
  }

  /** Takes the barrier (one holder at a time); returns the function that lifts it. */
  async hold(): Promise<() => Promise<void>> {
    while (this.held) await this.held;
    this.held = new Promise((resolve) => (this.release = resolve));
    let releaseCluster: (() => Promise<void>) | null = null;
    try {
      releaseCluster = (await this.cluster?.hold()) ?? null;
    } catch (err) {
      this.lift();
      throw err;
    }
    this.since = performance.now();
    this.holds++;
    let lifted = false;
    return async () => {
      if (lifted) return;
      lifted = true;
      this.longestMs = Math.max(this.longestMs, performance.now() - this.since);
      this.lift();
      await releaseCluster?.();
    };
  }

  private lift(): void {
    const r = this.release;
    this.held = null;
    this.release = null;
    r?.();
  }

  /** Resolves at once, or when the barrier is lifted (on every instance, when it is cluster-wide). */
  async wait(): Promise<void> {
    const started = performance.now();
    let waited = false;
    while (this.held) {
      waited = true;
      await this.held;
    }
    if (this.cluster) {
      const t = performance.now();
      await this.cluster.wait();
      // a round trip is not a wait; a backup's capture on another instance is
      if (performance.now() - t > 20) waited = true;
    }
    if (!waited) return;
    this.waits++;
    this.longestWaitMs = Math.max(this.longestWaitMs, performance.now() - started);
  }

  stats(): BarrierStats {
    return { holds: this.holds, longest_hold_ms: round(this.longestMs), waits: this.waits, longest_wait_ms: round(this.longestWaitMs) };
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;
