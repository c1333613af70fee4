import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ParallelGzip } from './parallel-gzip.js';

const squeeze = async (input: Buffer, chunk: number) => {
  const parts: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunk) parts.push(input.subarray(i, i + chunk));
  return buffer(Readable.from(parts).pipe(new ParallelGzip({ level: 1, blockBytes: 64 * 1024, parallel: 3 })));
};

describe('ParallelGzip', () => {
  it('writes consecutive gzip members that gunzip back to the input, in order', async () => {
    const input = Buffer.concat([randomBytes(300_000), Buffer.alloc(200_000, 'a'), randomBytes(12_345)]);
    for (const chunk of [1000, 64 * 1024, 1_000_000]) {
      const out = await squeeze(input, chunk);
      expect(gunzipSync(out).equals(input)).toBe(true);
    }
  });

  it('writes a valid empty gzip stream for no input', async () => {
    const out = await squeeze(Buffer.alloc(0), 10);
    expect(out.length).toBeGreaterThan(0);
    expect(gunzipSync(out).length).toBe(0);
  });

  it('fails the stream once when blocks fail, leaving no unhandled rejection behind', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => void unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      // an out-of-range level makes every block's gzip reject; several are in flight at once
      const gz = new ParallelGzip({ level: 99, blockBytes: 1024, parallel: 4 });
      const err = await buffer(Readable.from([randomBytes(16 * 1024)]).pipe(gz)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Error);
      await new Promise((r) => setTimeout(r, 100));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
