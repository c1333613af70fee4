// pkt-line framing (gitprotocol-common): a 4-hex-digit length that counts itself, then data;
// "0000" is a flush packet. Hand-written because it is tiny and no library does it well.

export const FLUSH = Buffer.from('0000');
export const MAX_PKT_PAYLOAD = 65516;

export function encodePkt(data: string | Buffer): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (payload.length > MAX_PKT_PAYLOAD) throw new RangeError(`pkt-line payload of ${payload.length} bytes exceeds ${MAX_PKT_PAYLOAD}`);
  const len = (payload.length + 4).toString(16).padStart(4, '0');
  return Buffer.concat([Buffer.from(len, 'ascii'), payload]);
}

/** The `ERR <message>` packet git clients print as "remote error: <message>". */
export function errPkt(message: string): Buffer {
  return encodePkt(`ERR ${message.replace(/[\r\n]+/g, ' ')}\n`);
}

/** A whole packet inside a buffer: its offset, its length field (0 flush, 1 delim, 2 end) and where it stops. */
export interface PktAt {
  at: number;
  len: number;
  end: number;
  payload: Buffer;
}

/**
 * The whole packets at the start of `buf`, with their offsets, for transforms that pass a
 * stream's bytes on as they are and act on some packets. `end` is where the whole packets stop
 * (the rest waits for more bytes); `malformed`: a length there is not four hex digits.
 */
export function scanPkts(buf: Buffer): { pkts: PktAt[]; end: number; malformed: boolean } {
  const pkts: PktAt[] = [];
  let pos = 0;
  while (buf.length - pos >= 4) {
    const head = buf.subarray(pos, pos + 4).toString('latin1');
    if (!/^[0-9a-f]{4}$/i.test(head)) return { pkts, end: pos, malformed: true };
    const len = parseInt(head, 16);
    const end = pos + (len < 4 ? 4 : len);
    if (end > buf.length) break;
    pkts.push({ at: pos, len, end, payload: buf.subarray(pos + 4, end) });
    pos = end;
  }
  return { pkts, end: pos, malformed: false };
}

export type Pkt = { type: 'flush' } | { type: 'delim' } | { type: 'response-end' } | { type: 'data'; data: Buffer };

/**
 * Incremental parser: feed chunks, take complete packets. Throws on a malformed length so a
 * caller can answer with an error instead of waiting for bytes that will never come.
 */
export class PktLineParser {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Pkt[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Pkt[] = [];
    while (this.buf.length >= 4) {
      const head = this.buf.subarray(0, 4).toString('ascii');
      if (!/^[0-9a-f]{4}$/i.test(head)) throw new Error(`bad pkt-line length ${JSON.stringify(head)}`);
      const len = parseInt(head, 16);
      if (len === 0) out.push({ type: 'flush' });
      else if (len === 1) out.push({ type: 'delim' });
      else if (len === 2) out.push({ type: 'response-end' });
      else if (len < 4) throw new Error(`bad pkt-line length ${len}`);
      if (len < 4) {
        this.buf = this.buf.subarray(4);
        continue;
      }
      if (this.buf.length < len) break;
      out.push({ type: 'data', data: this.buf.subarray(4, len) });
      this.buf = this.buf.subarray(len);
    }
    return out;
  }

  /** Bytes received but not yet a whole packet (a truncated stream leaves some behind). */
  get pending(): number {
    return this.buf.length;
  }
}
