// Follows a job's log by byte offset from two sources that overlap: the stored log over HTTP
// (`…/log?offset=N`) and live chunks over the socket (`ci.log {offset, text}`, offset = where the
// chunk starts in the stored log). Every byte is shown once and in order: a chunk that starts
// past what we have waits while the gap is fetched, what we already have is cut off, and bytes
// are decoded as one stream so a character split between two reads stays whole.

const encoder = new TextEncoder();

export class LogFollower {
  /** Bytes of the log shown so far. */
  have = 0;
  private readonly decoder = new TextDecoder('utf-8');
  /** Live chunks that start past `have`, waiting for the gap to be fetched. */
  private waiting: Array<{ offset: number; bytes: Uint8Array }> = [];
  private syncing: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private gapRetries = 0;

  constructor(
    /** Reads the stored log from `offset` on. */
    private readonly fetchFrom: (offset: number) => Promise<Uint8Array>,
    /** New text, in order. */
    private readonly onText: (text: string) => void,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** A live chunk. */
  receive(offset: number, text: string): void {
    if (this.closed) return;
    const bytes = encoder.encode(text);
    if (this.syncing || offset > this.have) {
      this.waiting.push({ offset, bytes });
      if (!this.syncing) void this.sync();
      return;
    }
    this.apply(offset, bytes);
  }

  /** Reads what the stored log has past `have` (again, if a read is under way). */
  sync(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    const run = async () => {
      try {
        do {
          this.again = false;
          const before = this.have;
          const bytes = await this.fetchFrom(this.have);
          if (this.closed) return;
          this.apply(before, bytes);
          const queued = this.waiting.sort((a, b) => a.offset - b.offset);
          this.waiting = [];
          for (const c of queued) {
            if (c.offset > this.have) this.waiting.push(c);
            else this.apply(c.offset, c.bytes);
          }
          if (this.waiting.length > 0 && this.have === before) {
            // a gap the stored log can't fill yet (the server announces output a moment before
            // it is on disk): read again shortly, less often the longer it lasts
            this.retryLater();
            break;
          }
          this.gapRetries = 0;
          if (this.waiting.length > 0) this.again = true;
        } while (this.again && !this.closed);
      } catch (err) {
        if (!this.closed) this.onError(err);
      } finally {
        this.syncing = null;
      }
    };
    this.syncing = run();
    return this.syncing;
  }

  /** Stops: nothing more is read or shown. */
  close(): void {
    this.closed = true;
    this.waiting = [];
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
  }

  private retryLater(): void {
    if (this.retryTimer !== null) return;
    const delay = Math.min(5_000, 200 * 2 ** this.gapRetries++);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.sync();
    }, delay);
  }

  private apply(offset: number, bytes: Uint8Array): void {
    const skip = this.have - offset;
    if (skip >= bytes.length) return;
    const fresh = skip > 0 ? bytes.subarray(skip) : bytes;
    this.have += fresh.length;
    const text = this.decoder.decode(fresh, { stream: true });
    if (text) this.onText(text);
  }
}
