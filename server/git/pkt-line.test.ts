import { describe, expect, it } from 'vitest';
import { encodePkt, errPkt, FLUSH, PktLineParser, scanPkts } from './pkt-line.js';

describe('pkt-line', () => {
  it('encodes the length including the four length bytes', () => {
    expect(encodePkt('# service=git-upload-pack\n').toString()).toBe('001e# service=git-upload-pack\n');
    expect(FLUSH.toString()).toBe('0000');
    expect(errPkt('no\nway').toString()).toBe('000fERR no way\n');
  });

  it('parses packets split across chunks, and flush/delim packets', () => {
    const p = new PktLineParser();
    const all = Buffer.concat([encodePkt('hello\n'), Buffer.from('0001'), encodePkt('world'), FLUSH]);
    const out = [...p.push(all.subarray(0, 5)), ...p.push(all.subarray(5, 13)), ...p.push(all.subarray(13))];
    expect(out.map((x) => (x.type === 'data' ? x.data.toString() : x.type))).toEqual(['hello\n', 'delim', 'world', 'flush']);
    expect(p.pending).toBe(0);
  });

  it('leaves a truncated packet pending and rejects a malformed length', () => {
    const p = new PktLineParser();
    expect(p.push(Buffer.from('0032want 1234'))).toEqual([]);
    expect(p.pending).toBe(13);
    expect(() => new PktLineParser().push(Buffer.from('zz12abc'))).toThrow(/bad pkt-line length/);
    expect(() => new PktLineParser().push(Buffer.from('0003'))).toThrow(/bad pkt-line length/);
  });

  it('refuses payloads larger than a packet can carry', () => {
    expect(() => encodePkt(Buffer.alloc(65517))).toThrow(RangeError);
  });

  it('scanPkts finds whole packets with their offsets, stops before a partial one, and flags a bad length', () => {
    const buf = Buffer.concat([encodePkt('ab'), FLUSH, encodePkt('cdef').subarray(0, 5)]);
    const r = scanPkts(buf);
    expect(r.malformed).toBe(false);
    expect(r.end).toBe(10);
    expect(r.pkts.map((p) => [p.at, p.len, p.end, p.payload.toString()])).toEqual([
      [0, 6, 6, 'ab'],
      [6, 0, 10, ''],
    ]);
    const bad = scanPkts(Buffer.concat([encodePkt('ab'), Buffer.from('zz12')]));
    expect(bad).toMatchObject({ end: 6, malformed: true });
    expect(bad.pkts).toHaveLength(1);
  });
});
