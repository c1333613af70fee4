// The write barrier a backup takes while it captures the database and every repository's refs:
// pre-receive checks wait behind it, so no ref moves between the two. It is held for
// milliseconds; how long is measured and reported.

export class WriteBarrier {
  private held: Promise<void> | null = null;
  private release: (() => void) | null = null;
  private since = 0;
  longestMs = 0;

  /** Takes the barrier (one holder at a time); returns the function that lifts it. */
  async hold(): Promise<() => void> {
    while (this.held) await this.held;
    this.held = new Promise((resolve) => (this.release = resolve));
    this.since = performance.now();
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
    while (this.held) await this.held;
  }
}
