// The clone and fetch size limit (git.maxCloneBytes) on upload-pack's output, the same for
// HTTP, SSH and git://. Pack data travels in side-band pkt-lines (band 1); once more pack
// bytes than the limit went out, the stream is cut at a packet boundary with a band-3 error
// packet, which git prints as "remote error: …", and git is stopped. A client that asked for
// no side band gets a raw pack; that stream can only be cut.
import { Transform, type TransformCallback } from 'node:stream';
import { encodePkt, scanPkts } from './pkt-line.js';

export function cloneLimitMessage(limit: number): string {
  const mib = limit / 1048576;
  const size = mib >= 1 ? `${mib.toFixed(mib >= 10 ? 0 : 1)} MiB` : `${limit} bytes`;
  return `this clone or fetch is larger than this server's limit of ${size}; ask the administrator to raise it, or fetch less (for example git clone --depth 1)`;
}

export class CloneLimit extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  private packBytes = 0;
  private raw = false;
  private cut = false;

  constructor(
    private readonly limit: number,
    private readonly onExceeded: () => void,
  ) {
    super();
  }

  private exceed(withMessage: boolean): void {
    this.cut = true;
    if (withMessage) this.push(encodePkt(Buffer.concat([Buffer.from([3]), Buffer.from(`${cloneLimitMessage(this.limit)}\n`)])));
    this.onExceeded();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.cut) return cb();
    if (this.raw) {
      this.packBytes += chunk.length;
      if (this.packBytes > this.limit) this.exceed(false);
      else this.push(chunk);
      return cb();
    }
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const { pkts, end, malformed } = scanPkts(buf);
    for (const p of pkts) {
      if (p.len > 4 && p.payload[0] === 1) {
        this.packBytes += p.len - 5;
        if (this.packBytes > this.limit) {
          if (p.at > 0) this.push(buf.subarray(0, p.at));
          this.exceed(true);
          return cb();
        }
      }
    }
    if (malformed) {
      // no pkt-line framing from here on: a raw pack (no side band)
      if (end > 0) this.push(buf.subarray(0, end));
      this.raw = true;
      this.pending = Buffer.alloc(0);
      return this._transform(buf.subarray(end), _enc, cb);
    }
    if (end > 0) this.push(buf.subarray(0, end));
    this.pending = buf.subarray(end);
    cb();
  }

  override _flush(cb: TransformCallback): void {
    if (!this.cut && this.pending.length) this.push(this.pending);
    cb();
  }
}
