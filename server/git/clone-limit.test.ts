import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CloneLimit } from './clone-limit.js';
import { encodePkt, FLUSH, PktLineParser } from './pkt-line.js';

const band = (n: number, data: Buffer | string) => encodePkt(Buffer.concat([Buffer.from([n]), Buffer.from(data)]));

async function through(limit: number, chunks: Buffer[]): Promise<{ out: Buffer; exceeded: number }> {
  let exceeded = 0;
  const t = new CloneLimit(limit, () => exceeded++);
  const parts: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    Readable.from(chunks)
      .pipe(t)
      .on('data', (c: Buffer) => parts.push(c))
      .on('end', resolve)
      .on('error', reject);
  });
  return { out: Buffer.concat(parts), exceeded };
}

describe('clone size limit', () => {
  const stream = Buffer.concat([encodePkt('NAK\n'), band(2, 'Counting objects\n'), band(1, Buffer.alloc(600, 7)), band(1, Buffer.alloc(600, 8)), FLUSH]);

  it('passes a stream under the limit through unchanged, however it is chunked', async () => {
    const pieces = [stream.subarray(0, 3), stream.subarray(3, 700), stream.subarray(700)];
    const r = await through(1200, pieces);
    expect(r.out.equals(stream)).toBe(true);
    expect(r.exceeded).toBe(0);
  });

  it('cuts at a packet boundary with an error packet git prints, counting pack bytes only', async () => {
    const r = await through(1000, [stream]);
    expect(r.exceeded).toBe(1);
    const pkts = new PktLineParser().push(r.out);
    expect(pkts.map((p) => (p.type === 'data' ? p.data[0] : p.type))).toEqual([0x4e, 2, 1, 3]);
    const last = pkts.at(-1)!;
    expect(last.type === 'data' && last.data.subarray(1).toString()).toMatch(/larger than this server's limit of 1000 bytes; ask the administrator/);
  });

  it('cuts a raw pack (no side band) once it passes the limit', async () => {
    const raw = Buffer.concat([encodePkt('NAK\n'), Buffer.from('PACK'), Buffer.alloc(5000, 1)]);
    const r = await through(1000, [raw.subarray(0, 2000), raw.subarray(2000)]);
    expect(r.exceeded).toBe(1);
    expect(r.out.length).toBeLessThanOrEqual(8 + 1000);
  });
});
