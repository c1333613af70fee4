// The push size cap (git.maxPushBytes) as the pusher reads it. git enforces the cap itself
// (receive.maxInputSize makes index-pack / unpack-objects stop reading), but its refusal is
// a bare "fatal: pack exceeds maximum allowed size" on side band 2. This transform sits on
// receive-pack's output, on every transport, and swaps that packet for a `Gitssy: …` line
// naming the limit and the setting; everything else passes through untouched.
import { Transform, type TransformCallback } from 'node:stream';
import { byteSize } from '../lib/bytes.js';
import { encodePkt, scanPkts } from './pkt-line.js';

const GIT_MESSAGE = /pack exceeds maximum allowed size/;

/** What the pusher reads; `size` is the push's size when the transport knows it up front. */
export function pushLimitMessage(limit: number, size: number | null): string {
  const what = size !== null && size > limit ? `this push is ${byteSize(size)}, more than` : 'this push is larger than';
  return `${what} the limit of ${byteSize(limit)} (git.maxPushBytes); push fewer commits at a time, or ask an administrator to raise the limit`;
}

export class PushLimitNotice extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  private raw = false;
  /** Whether git refused the push for its size (the packet was rewritten). */
  refused = false;

  constructor(
    private readonly limit: number,
    private readonly size: number | null = null,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.raw) return cb(null, chunk);
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const { pkts, end, malformed } = scanPkts(buf);
    let from = 0;
    for (const p of pkts) {
      if (p.len > 5 && p.payload[0] === 2 && GIT_MESSAGE.test(p.payload.subarray(1).toString('latin1'))) {
        if (p.at > from) this.push(buf.subarray(from, p.at));
        this.push(encodePkt(Buffer.concat([Buffer.from([2]), Buffer.from(`Gitssy: ${pushLimitMessage(this.limit, this.size)}\n`)])));
        this.refused = true;
        from = p.end;
      }
    }
    if (malformed) {
      // not pkt-lines (never seen from receive-pack): pass the rest through as it is
      this.raw = true;
      this.pending = Buffer.alloc(0);
      return cb(null, buf.subarray(from));
    }
    if (end > from) this.push(buf.subarray(from, end));
    this.pending = buf.subarray(end);
    cb();
  }

  override _flush(cb: TransformCallback): void {
    if (this.pending.length) this.push(this.pending);
    cb();
  }
}
