import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PushLimitNotice, pushLimitMessage } from './push-limit.js';
import { encodePkt, FLUSH } from './pkt-line.js';

const band = (n: number, data: Buffer | string) => encodePkt(Buffer.concat([Buffer.from([n]), Buffer.from(data)]));

async function through(t: PushLimitNotice, chunks: Buffer[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    Readable.from(chunks)
      .pipe(t)
      .on('data', (c: Buffer) => parts.push(c))
      .on('end', resolve)
      .on('error', reject);
  });
  return Buffer.concat(parts);
}

/** Every chunking of a stream: one byte at a time, and at every single cut. */
function chunkings(b: Buffer): Buffer[][] {
  const out: Buffer[][] = [[b], [...b].map((x) => Buffer.from([x]))];
  for (let i = 1; i < b.length; i += 7) out.push([b.subarray(0, i), b.subarray(i)]);
  return out;
}

describe('push size cap notice', () => {
  const report = band(1, Buffer.concat([encodePkt('unpack unpack-objects abnormal exit\n'), encodePkt('ng refs/heads/main unpacker error\n'), FLUSH]));

  it("swaps git's size refusal for a Gitssy line naming the limit and the setting, however it is chunked", async () => {
    const stream = Buffer.concat([band(2, 'fatal: pack exceeds maximum allowed size (1.00 MiB)\n'), report, FLUSH]);
    const want = Buffer.concat([band(2, `Gitssy: ${pushLimitMessage(1024 * 1024, null)}\n`), report, FLUSH]);
    for (const chunks of chunkings(stream)) {
      const t = new PushLimitNotice(1024 * 1024);
      expect((await through(t, chunks)).equals(want)).toBe(true);
      expect(t.refused).toBe(true);
    }
  });

  it('names the size when the transport knew it up front, and uses units a person reads', () => {
    expect(pushLimitMessage(1024 * 1024, 3 * 1024 * 1024 + 200 * 1024)).toBe(
      'this push is 3.2 MiB, more than the limit of 1 MiB (git.maxPushBytes); push fewer commits at a time, or ask an administrator to raise the limit',
    );
    expect(pushLimitMessage(100 * 1024, null)).toMatch(/^this push is larger than the limit of 100 KiB \(git\.maxPushBytes\)/);
  });

  it('passes every other stream through unchanged', async () => {
    const stream = Buffer.concat([band(2, 'remote: Resolving deltas\n'), band(1, Buffer.concat([encodePkt('unpack ok\n'), encodePkt('ok refs/heads/main\n'), FLUSH])), FLUSH]);
    for (const chunks of chunkings(stream)) {
      const t = new PushLimitNotice(10);
      expect((await through(t, chunks)).equals(stream)).toBe(true);
      expect(t.refused).toBe(false);
    }
    const raw = Buffer.from('not pkt-lines at all');
    expect((await through(new PushLimitNotice(10), [raw])).equals(raw)).toBe(true);
  });
});
