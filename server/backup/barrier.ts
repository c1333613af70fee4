// The write barrier a backup takes while it captures the database and every repository's refs:
// pre-receive checks wait behind it, so no ref moves between the two. It is held for
// milliseconds; how long it was held, and how long pushes actually waited behind it, is
// recorded so backups and the benchmark can report it.

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

  /** Takes the barrier (one holder at a time); returns the function that lifts it. */
  async hold(): Promise<() => void> {
    while (this.held) await this.held;
    this.held = new Promise((resolve) => (this.release = resolve));
    this.since = performance.now();
    this.holds++;
    return () => {
      const r = this.release;
      if (!r) return;
      this.longestMs = Math.max(this.longestMs, performance.now() - this.since);
      this.held = null;
      this.release = null;
      r();
    };
  }

  /** Resolves at once, or when the barrier is lifted. */
  async wait(): Promise<void> {
    if (!this.held) return;
    const started = performance.now();
    while (this.held) await this.held;
    this.waits++;
    this.longestWaitMs = Math.max(this.longestWaitMs, performance.now() - started);
  }

  stats(): BarrierStats {
    return { holds: this.holds, longest_hold_ms: round(this.longestMs), waits: this.waits, longest_wait_ms: round(this.longestWaitMs) };
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;
