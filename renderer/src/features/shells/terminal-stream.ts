// One terminal's line to a shell over the tab's socket: attach (again after a reconnect, asking
// only for what came after the last output seen), show every character of output once and in
// order, and pass keystrokes and the size on. Output is counted in characters: each
// `shell:output` carries `end`, the shell's total so far, so a chunk that repeats what is shown
// (a replay overlapping the live stream) is cut to its new part. Kept apart from React and xterm
// so its order rules can be tested on their own.
/** The server's answer to `shell:attach`. (Here, not in types.ts: this file imports nothing, so its unit test loads it as it is.) */
export type AttachReply = { ok: true; end: number; replay: 'full' | 'tail' } | { ok: false; message: string; code: string };

/** The most characters one `shell:input` may carry (the server refuses more). */
export const MAX_INPUT_CHARS = 32 * 1024;

/** What the stream writes to (an xterm Terminal). */
export interface TerminalSink {
  write(data: string): void;
  /** Clears screen and scrollback; must take effect in order with the writes before and after it. */
  reset(): void;
}

/** The socket as the stream needs it (the tab's RealtimeClient). */
export interface ShellLink {
  request<T>(event: string, payload: unknown, timeoutMs?: number): Promise<T>;
  send(event: string, payload: unknown): boolean;
}

export class TerminalStream {
  /** The shell's `end` after the last output shown (-1: nothing shown yet). */
  end = -1;
  /** Whether this socket is attached now (keystrokes go out). */
  attached = false;
  /** Output that arrived while an attach awaited its answer: the answer decides what it is. */
  private held: Array<{ data: string; end: number }> | null = null;
  /** Bumped by every attach and detach, so an answer for a superseded attach changes nothing. */
  private generation = 0;

  constructor(
    readonly id: number,
    private readonly link: ShellLink,
    private readonly sink: TerminalSink,
  ) {}

  /**
   * Attaches this socket to the shell. The first time (nothing shown) the server replays all it
   * keeps; after a reconnect `since` asks for the rest only. A `full` replay means the server
   * could not (or was not asked to) continue from `since`: the terminal starts over.
   */
  async attach(): Promise<AttachReply> {
    const generation = ++this.generation;
    this.attached = false;
    this.held = [];
    let reply: AttachReply;
    try {
      reply = await this.link.request<AttachReply>('shell:attach', this.end >= 0 ? { id: this.id, since: this.end } : { id: this.id });
    } catch (err) {
      if (generation === this.generation) this.held = null;
      throw err;
    }
    if (generation !== this.generation) return reply;
    const held = this.held ?? [];
    this.held = null;
    if (!reply?.ok) return reply ?? { ok: false, message: 'no answer', code: 'internal' };
    this.attached = true;
    if (reply.replay === 'full') {
      // what arrived before the answer is part of the replay that follows it
      this.sink.reset();
      this.end = -1;
    } else {
      for (const c of held) this.show(c.data, c.end);
    }
    return reply;
  }

  /** A `shell:output` chunk for this shell. */
  receive(data: string, end: number): void {
    if (typeof data !== 'string' || typeof end !== 'number') return;
    if (this.held) {
      this.held.push({ data, end });
      return;
    }
    this.show(data, end);
  }

  /** Keystrokes (xterm's onData, passed on as they are; a long paste in pieces the server takes). */
  input(data: string): boolean {
    if (!this.attached) return false;
    for (let i = 0; i < data.length;) {
      let cut = Math.min(data.length, i + MAX_INPUT_CHARS);
      // never between the two halves of a surrogate pair
      if (cut < data.length && /[\uD800-\uDBFF]/.test(data[cut - 1]!)) cut--;
      if (!this.link.send('shell:input', { id: this.id, data: data.slice(i, cut) })) return false;
      i = cut;
    }
    return true;
  }

  resize(cols: number, rows: number): boolean {
    return this.attached && this.link.send('shell:resize', { id: this.id, cols, rows });
  }

  /** Leaves the shell running; this socket stops receiving its output. */
  detach(): void {
    this.generation++;
    this.held = null;
    if (this.attached) this.link.send('shell:detach', { id: this.id });
    this.attached = false;
  }

  /** The socket went away: a reconnect attaches again from `end`. */
  disconnected(): void {
    this.generation++;
    this.held = null;
    this.attached = false;
  }

  private show(data: string, end: number): void {
    if (end <= this.end) return;
    const start = end - data.length;
    const fresh = start < this.end ? data.slice(this.end - start) : data;
    this.end = end;
    if (fresh) this.sink.write(fresh);
  }
}
