// receive-pack's report-status (gitprotocol-pack, "report-status" and "report-status-v2"), read
// on its way to the pusher: which refs git says it updated. The report, and anything after it,
// is held back until release(), so the server records the push before its client reads "ok":
// what a client was told landed is durable by then, and a server killed in between leaves a
// client that was told nothing (its connection breaks before the report).
//
// Without side-band the report is receive-pack's only output: pkt-lines `unpack ok`, then
// `ok <ref>` or `ng <ref> <reason>` per command (v2 adds `option …` lines), then a flush. With
// side-band-64k the same pkt-line stream travels in band 1, and progress and hook output in
// band 2 go ahead of it unheld. Over a connection that is not stateless (SSH), receive-pack
// starts with its ref advertisement, which ends at the first flush and passes on as it is.
import { Transform, type TransformCallback } from 'node:stream';
import { PktLineParser, scanPkts } from './pkt-line.js';

export class ReportStatusHold extends Transform {
  /** bytes of an outer packet not complete yet (neither passed nor held) */
  private pending: Buffer = Buffer.alloc(0);
  private held: Buffer[] = [];
  private holding = false;
  private released = false;
  private flushed: TransformCallback | null = null;
  /** null until the first packet says whether the output is multiplexed */
  private sideband: boolean | null = null;
  private readonly inner = new PktLineParser();
  private readonly ok = new Set<string>();
  private complete = false;
  /** output that is not pkt-lines, or a report we can't read: passed on as it is, nothing claimed */
  private unreadable = false;
  /** still in the ref advertisement (until its flush) */
  private advertising: boolean;

  /** `advertisement`: the output starts with the ref advertisement (receive-pack not --stateless-rpc). */
  constructor(opts: { advertisement?: boolean } = {}) {
    super();
    this.advertising = opts.advertisement === true;
  }

  /** The refs the report said `ok` for; null when no complete report went by. */
  okRefs(): Set<string> | null {
    return this.complete && !this.unreadable ? new Set(this.ok) : null;
  }

  /** Lets the held report (and whatever followed it) go on to the client. Safe to call twice. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const b of this.held) this.push(b);
    this.held = [];
    const cb = this.flushed;
    this.flushed = null;
    cb?.();
  }

  private forward(b: Buffer): void {
    if (!b.length) return;
    if (this.holding && !this.released) this.held.push(b);
    else this.push(b);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.unreadable) {
      this.forward(chunk);
      return cb();
    }
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const { pkts, end, malformed } = scanPkts(buf);
    let from = 0;
    for (const p of pkts) {
      if (this.advertising) {
        if (p.len === 0) this.advertising = false;
        continue;
      }
      if (!this.holding && p.len > 4 && this.startsReport(p.payload)) {
        this.forward(buf.subarray(from, p.at));
        from = p.at;
        this.holding = true;
      }
      if (this.holding && !this.complete) this.readPacket(p.len, p.payload);
    }
    if (malformed) this.unreadable = true;
    if (this.unreadable) {
      this.forward(buf.subarray(from));
      this.pending = Buffer.alloc(0);
      return cb();
    }
    this.forward(buf.subarray(from, end));
    this.pending = buf.subarray(end);
    cb();
  }

  override _flush(cb: TransformCallback): void {
    this.forward(this.pending);
    this.pending = Buffer.alloc(0);
    if (this.released || !this.holding) return cb();
    this.flushed = cb;
  }

  private startsReport(payload: Buffer): boolean {
    this.sideband ??= payload[0] === 1 || payload[0] === 2 || payload[0] === 3;
    return this.sideband ? payload[0] === 1 : true;
  }

  /** One outer packet of the report (or one that follows it). */
  private readPacket(len: number, payload: Buffer): void {
    if (!this.sideband) {
      if (len === 0) this.complete = true;
      else if (len > 4) this.line(payload);
      return;
    }
    if (len <= 5 || payload[0] !== 1) return;
    try {
      for (const p of this.inner.push(payload.subarray(1))) {
        if (p.type === 'flush') this.complete = true;
        else if (p.type === 'data') this.line(p.data);
        if (this.complete) break;
      }
    } catch {
      this.unreadable = true;
    }
  }

  private line(data: Buffer): void {
    const text = data.toString('utf8').replace(/\n$/, '');
    if (text.startsWith('ok ')) this.ok.add(text.slice(3));
  }
}
