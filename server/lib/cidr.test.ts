import { describe, expect, it } from 'vitest';
import { cidrProblem, normalizeIp, parseCidr, TrustedNetworks } from './cidr.js';

describe('trusted IP ranges', () => {
  it('parses ranges and single addresses, IPv4 and IPv6', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, type: 'ipv4' });
    expect(parseCidr('192.168.1.5')).toEqual({ address: '192.168.1.5', prefix: 32, type: 'ipv4' });
    expect(parseCidr('fd00::/8')).toEqual({ address: 'fd00::', prefix: 8, type: 'ipv6' });
  });

  it('rejects what is no range, saying how to write one', () => {
    for (const bad of ['', '10.0.0.0/33', '10.0.0/8', 'example.com', '10.0.0.0/-1', '10.0.0.0/8/8', '::/129', '1.2.3.4/ 8']) {
      expect(cidrProblem(bad), bad).toMatch(/is not an IP range/);
    }
    expect(cidrProblem('10.1.2.0/24')).toBeNull();
  });

  it('lets everyone in while the list is empty', () => {
    const t = new TrustedNetworks(() => []);
    expect(t.allows('203.0.113.9')).toBe(true);
  });

  it('checks addresses against the list, IPv4-mapped IPv6 included', () => {
    const list = ['10.0.0.0/8', '2001:db8::/32'];
    const t = new TrustedNetworks(() => list);
    expect(t.allows('10.1.2.3')).toBe(true);
    expect(t.allows('::ffff:10.1.2.3')).toBe(true);
    expect(t.allows('11.0.0.1')).toBe(false);
    expect(t.allows('2001:db8::1')).toBe(true);
    expect(t.allows('2001:db9::1')).toBe(false);
    expect(t.allows(null)).toBe(false);
  });

  it("always lets in the operator's own machine (127.0.0.1, ::1) but not other 127.x addresses", () => {
    const t = new TrustedNetworks(() => ['10.0.0.0/8']);
    expect(t.allows('127.0.0.1')).toBe(true);
    expect(t.allows('::ffff:127.0.0.1')).toBe(true);
    expect(t.allows('::1')).toBe(true);
    expect(t.allows('127.0.0.2')).toBe(false);
  });

  it('tells whether an address would still get in with another list', () => {
    const t = new TrustedNetworks(() => []);
    expect(t.wouldAllow(['10.0.0.0/8'], '192.168.1.9')).toBe(false);
    expect(t.wouldAllow(['10.0.0.0/8', '192.168.1.0/24'], '::ffff:192.168.1.9')).toBe(true);
    expect(t.wouldAllow(['10.0.0.0/8'], '127.0.0.1')).toBe(true);
    expect(t.allows('192.168.1.9')).toBe(true); // the live list is still empty
  });

  it('follows changes to the list', () => {
    let list = ['10.0.0.0/8'];
    const t = new TrustedNetworks(() => list);
    expect(t.allows('192.168.1.9')).toBe(false);
    list = ['192.168.1.0/24'];
    expect(t.allows('192.168.1.9')).toBe(true);
    expect(normalizeIp('::ffff:1.2.3.4')).toBe('1.2.3.4');
  });
});
