import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ReportStatusHold } from './report-status.js';
import { encodePkt, FLUSH } from './pkt-line.js';

const band = (n: number, data: Buffer | string) => encodePkt(Buffer.concat([Buffer.from([n]), Buffer.from(data)]));

/** Every chunking of a stream: one byte at a time, and at many single cuts. */
function chunkings(b: Buffer): Buffer[][] {
  const out: Buffer[][] = [[b], [...b].map((x) => Buffer.from([x]))];
  for (let i = 1; i < b.length; i += 5) out.push([b.subarray(0, i), b.subarray(i)]);
  return out;
}

/** Feeds the chunks, returns what came out before release() and what came out in all. */
async function run(chunks: Buffer[]): Promise<{ before: Buffer; after: Buffer; hold: ReportStatusHold; endedBeforeRelease: boolean }> {
  const hold = new ReportStatusHold();
  const parts: Buffer[] = [];
  let ended = false;
  hold.on('data', (c: Buffer) => parts.push(c));
  const end = new Promise<void>((resolve) =>
    hold.on('end', () => {
      ended = true;
      resolve();
    }),
  );
  Readable.from(chunks).pipe(hold);
  await new Promise((r) => setTimeout(r, 20));
  const before = Buffer.concat(parts);
  const endedBeforeRelease = ended;
  hold.release();
  await end;
  return { before, after: Buffer.concat(parts), hold, endedBeforeRelease };
}

describe("receive-pack's report held until the push is recorded", () => {
  const progress = band(2, 'Resolving deltas: 100% (3/3), done.\n');
  const reportLines = Buffer.concat([encodePkt('unpack ok\n'), encodePkt('ok refs/heads/main\n'), encodePkt('ng refs/heads/locked failed to lock\n'), encodePkt('ok refs/tags/v1\n'), FLUSH]);

  it('with side-band: passes progress on at once, holds the report and the rest, and reads which refs landed, however it is chunked', async () => {
    // the report split over two band-1 packets, as git may send it
    const stream = Buffer.concat([progress, band(1, reportLines.subarray(0, 20)), band(1, reportLines.subarray(20)), FLUSH]);
    for (const chunks of chunkings(stream)) {
      const r = await run(chunks);
      expect(r.before.equals(progress)).toBe(true);
      expect(r.endedBeforeRelease).toBe(false);
      expect(r.after.equals(stream)).toBe(true);
      expect([...r.hold.okRefs()!].sort()).toEqual(['refs/heads/main', 'refs/tags/v1']);
    }
  });

  it('without side-band: the report is the whole output, all of it held', async () => {
    const stream = reportLines;
    for (const chunks of chunkings(stream)) {
      const r = await run(chunks);
      expect(r.before.length).toBe(0);
      expect(r.after.equals(stream)).toBe(true);
      expect([...r.hold.okRefs()!].sort()).toEqual(['refs/heads/main', 'refs/tags/v1']);
    }
  });

  it('report-status-v2 option lines and a failed unpack', async () => {
    const v2 = band(1, Buffer.concat([encodePkt('unpack ok\n'), encodePkt('ok refs/heads/a\n'), encodePkt('option refname refs/heads/a\n'), FLUSH]));
    expect([...(await run([v2, FLUSH])).hold.okRefs()!]).toEqual(['refs/heads/a']);
    const failed = band(1, Buffer.concat([encodePkt('unpack index-pack abnormal exit\n'), encodePkt('ng refs/heads/a unpacker error\n'), FLUSH]));
    expect([...(await run([failed, FLUSH])).hold.okRefs()!]).toEqual([]);
  });

  it('no report (a client that asked for none, a truncated one, output that is not pkt-lines): claims nothing and passes everything on', async () => {
    const none = await run([progress, FLUSH]);
    expect(none.hold.okRefs()).toBeNull();
    expect(none.before.equals(Buffer.concat([progress, FLUSH]))).toBe(true);
    const cut = await run([band(1, encodePkt('unpack ok\n'))]);
    expect(cut.hold.okRefs()).toBeNull();
    const garbage = Buffer.from('fatal: not a git repository\n');
    const raw = await run([garbage]);
    expect(raw.hold.okRefs()).toBeNull();
    expect(raw.after.equals(garbage)).toBe(true);
  });
});

describe('the report after a ref advertisement (receive-pack over SSH)', () => {
  it('passes the advertisement on at once, then holds the report', async () => {
    const advert = Buffer.concat([encodePkt('version 1\n'), encodePkt(`${'a'.repeat(40)} refs/heads/main\0report-status side-band-64k\n`), FLUSH]);
    const report = band(1, Buffer.concat([encodePkt('unpack ok\n'), encodePkt('ok refs/heads/main\n'), FLUSH]));
    const stream = Buffer.concat([advert, band(2, 'remote: hello\n'), report, FLUSH]);
    for (const chunks of chunkings(stream)) {
      const hold = new ReportStatusHold({ advertisement: true });
      const parts: Buffer[] = [];
      hold.on('data', (c: Buffer) => parts.push(c));
      const end = new Promise((r) => hold.on('end', r));
      Readable.from(chunks).pipe(hold);
      await new Promise((r) => setTimeout(r, 5));
      expect(Buffer.concat(parts).equals(Buffer.concat([advert, band(2, 'remote: hello\n')]))).toBe(true);
      hold.release();
      await end;
      expect(Buffer.concat(parts).equals(stream)).toBe(true);
      expect([...hold.okRefs()!]).toEqual(['refs/heads/main']);
    }
  });
});
