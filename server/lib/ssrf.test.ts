import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressProblem, embeddedIpv4, pinnedRequest, specialRange, TargetRefused, urlProblem, type EgressPolicy } from './ssrf.js';

const policy = (allowCidrs: string[] = [], ownPorts: number[] = []): EgressPolicy => ({ allowCidrs, ownPorts, allowHint: 'listed' });

describe('the egress policy', () => {
  it('names loopback, link-local (metadata), private, shared and reserved addresses', () => {
    for (const ip of ['127.0.0.1', '127.5.5.5', '0.0.0.0', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.10', '169.254.169.254', '100.64.0.1', '224.0.0.1', '255.255.255.255'])
      expect(specialRange(ip), ip).not.toBeNull();
    for (const ip of ['::1', '::', 'fe80::1', 'fd00::1', 'fc00::5', 'ff02::1']) expect(specialRange(ip), ip).not.toBeNull();
    expect(specialRange('169.254.169.254')).toMatch(/link-local/);
    expect(specialRange('8.8.8.8')).toBeNull();
    expect(specialRange('172.32.0.1')).toBeNull();
    expect(specialRange('2606:4700::1111')).toBeNull();
  });

  it('sees IPv4 inside IPv6 (mapped, NAT64, 6to4)', () => {
    expect(embeddedIpv4('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(embeddedIpv4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(embeddedIpv4('64:ff9b::a9fe:a9fe')).toBe('169.254.169.254');
    expect(embeddedIpv4('2002:c0a8:0101::1')).toBe('192.168.1.1');
    for (const ip of ['::ffff:127.0.0.1', '::ffff:10.0.0.1', '64:ff9b::a9fe:a9fe', '2002:c0a8:101::1']) expect(addressProblem(ip, 80, policy()), ip).not.toBeNull();
  });

  it('lets an address through when the operator lists its range, but never this forge’s own port', () => {
    expect(addressProblem('192.168.1.10', 80, policy())).toMatch(/private .* refused unless listed/);
    expect(addressProblem('192.168.1.10', 80, policy(['192.168.1.0/24']))).toBeNull();
    expect(addressProblem('192.168.2.10', 80, policy(['192.168.1.0/24']))).not.toBeNull();
    expect(addressProblem('::ffff:192.168.1.10', 80, policy(['192.168.1.0/24']))).toBeNull();
    expect(addressProblem('127.0.0.1', 3000, policy(['127.0.0.0/8'], [3000]))).toMatch(/own port/);
    expect(addressProblem('127.0.0.1', 3001, policy(['127.0.0.0/8'], [3000]))).toBeNull();
    expect(addressProblem('0.0.0.0', 3000, policy(['0.0.0.0/0'], [3000]))).toMatch(/own port/);
    expect(addressProblem('8.8.8.8', 443, policy())).toBeNull();
  });

  it('takes only http(s) URLs without credentials', () => {
    expect(urlProblem('http://example.com/hook')).toBeNull();
    expect(urlProblem('ftp://example.com/')).toMatch(/http/);
    expect(urlProblem('file:///etc/passwd')).toMatch(/http/);
    expect(urlProblem('http://user:pw@example.com/')).toMatch(/user name/);
    expect(urlProblem('not a url')).toMatch(/not a URL/);
  });
});

describe('the pinned request', () => {
  let server: http.Server;
  let port: number;
  const seen: { host: string | undefined; body: string }[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ host: req.headers.host, body });
        res.writeHead(302, { Location: 'http://169.254.169.254/' }).end('moved');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const send = (host: string, recheck: () => string | null) =>
    pinnedRequest({
      target: { url: new URL(`http://${host}:${port}/x?y=1`), address: '127.0.0.1', port },
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: Buffer.from('hello'),
      timeoutMs: 5_000,
      maxResponseBytes: 1024,
      recheck,
    });

  it('connects to the checked address, never resolving the name again, and returns a redirect unfollowed', async () => {
    const res = await send('rebinding.invalid', () => null);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('http://169.254.169.254/');
    expect(res.body.toString()).toBe('moved');
    expect(seen.at(-1)).toEqual({ host: `rebinding.invalid:${port}`, body: 'hello' });
  });

  it('sends nothing when the connected peer fails the check', async () => {
    const before = seen.length;
    await expect(send('127.0.0.1', () => 'no longer allowed')).rejects.toBeInstanceOf(TargetRefused);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.length).toBe(before);
  });
});
