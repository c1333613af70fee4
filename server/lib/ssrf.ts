// Outgoing requests to addresses users choose (webhooks): which addresses they may reach, and a
// request that goes only to the address that was checked. Loopback, link-local (cloud metadata
// at 169.254.169.254), private, shared and reserved ranges are refused unless the operator lists
// them; this forge's own ports on this machine are refused whatever the list says (a request
// from the forge to itself would pass as the operator's own machine). The host name is resolved
// here and the socket opened to the checked address itself, so DNS rebinding can't switch it,
// the peer address is checked again once connected, and redirects are never followed.
import dns from 'node:dns/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import { normalizeIp, parseCidr } from './cidr.js';

/** What a target is checked against. */
export interface EgressPolicy {
  /** CIDR ranges the operator lets through although they are special (the office LAN). */
  allowCidrs: readonly string[];
  /** This forge's listening ports: refused on this machine's own addresses. */
  ownPorts: readonly number[];
  /** Where the operator changes allowCidrs, for the refusal message. */
  allowHint: string;
}

/** A target the policy refuses (or that can't be reached at all): the message says why. */
export class TargetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefused';
  }
}

// ---- addresses -----------------------------------------------------------------------------

/** The 16 bytes of an IPv6 address (embedded IPv4 tails included), or null. */
export function ipv6Bytes(ip: string): number[] | null {
  let text = ip.split('%')[0]!;
  if (net.isIPv6(text) === false) return null;
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const o = v4[2]!.split('.').map(Number);
    text = `${v4[1]}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  const part = (s: string) => (s === '' ? [] : s.split(':').map((h) => parseInt(h, 16)));
  const head = part(halves[0]!);
  const tail = halves.length > 1 ? part(halves[1]!) : [];
  const groups = [...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  if (groups.length !== 8) return null;
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/** The IPv4 address an IPv6 one carries (mapped, compatible, NAT64, 6to4), or null. */
export function embeddedIpv4(ip: string): string | null {
  const b = ipv6Bytes(ip);
  if (!b) return null;
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const quad = (i: number) => b.slice(i, i + 4).join('.');
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return quad(12); // ::ffff:a.b.c.d
  if (zero(0, 12) && !zero(12, 16)) return quad(12); // ::a.b.c.d (deprecated)
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(4, 12)) return quad(12); // 64:ff9b::/96
  if (b[0] === 0x20 && b[1] === 0x02) return quad(2); // 2002::/16 (6to4)
  return null;
}

const V4_RANGES: [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified ("this network")'],
  ['127.0.0.0', 8, 'loopback'],
  ['10.0.0.0', 8, 'private (10.0.0.0/8)'],
  ['172.16.0.0', 12, 'private (172.16.0.0/12)'],
  ['192.168.0.0', 16, 'private (192.168.0.0/16)'],
  ['169.254.0.0', 16, 'link-local (169.254.0.0/16, where cloud metadata lives)'],
  ['100.64.0.0', 10, 'shared (carrier-grade NAT)'],
  ['192.0.0.0', 24, 'reserved (IETF protocol assignments)'],
  ['192.0.2.0', 24, 'documentation'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];
const V6_RANGES: [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fe80::', 10, 'link-local (fe80::/10)'],
  ['fec0::', 10, 'site-local (fec0::/10)'],
  ['fc00::', 7, 'private (unique local, fc00::/7)'],
  ['ff00::', 8, 'multicast'],
  ['2001:db8::', 32, 'documentation'],
  ['100::', 64, 'discard-only'],
];

function blockList(cidrs: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const c of cidrs) {
    const p = parseCidr(c);
    if (p) list.addSubnet(p.address, p.prefix, p.type);
  }
  return list;
}

const SPECIAL = V4_RANGES.concat(V6_RANGES).map(([address, prefix, what]) => {
  const list = new net.BlockList();
  list.addSubnet(address, prefix, net.isIPv4(address) ? 'ipv4' : 'ipv6');
  return { list, what };
});

function check(list: net.BlockList, ip: string): boolean {
  const family = net.isIP(ip);
  return family !== 0 && list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** What kind of special address this is ('loopback', 'private (10.0.0.0/8)', …), or null for an ordinary one. */
export function specialRange(ip: string): string | null {
  const addr = normalizeIp(ip.split('%')[0]!);
  for (const s of SPECIAL) if (check(s.list, addr)) return s.what;
  const inner = net.isIPv6(addr) ? embeddedIpv4(addr) : null;
  if (inner) {
    const what = specialRange(inner);
    if (what) return `${what}, inside an IPv6 address`;
  }
  return null;
}

/** This machine's own addresses: loopback, the unspecified ones (they reach it too) and every interface's. */
export function isOwnAddress(ip: string): boolean {
  const addr = normalizeIp(ip.split('%')[0]!);
  const inner = net.isIPv6(addr) ? embeddedIpv4(addr) : null;
  if (inner && isOwnAddress(inner)) return true;
  if (addr === '::1' || addr === '::' || addr === '0.0.0.0' || addr.startsWith('127.') || addr.startsWith('0.')) return true;
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (normalizeIp(a.address.split('%')[0]!) === addr) return true;
  }
  return false;
}

/** Why the policy refuses connecting to ip:port, or null when it may. */
export function addressProblem(ip: string, port: number, policy: EgressPolicy): string | null {
  const addr = normalizeIp(ip.split('%')[0]!);
  if (net.isIP(addr) === 0) return `"${ip}" is not an IP address`;
  if (policy.ownPorts.includes(port) && isOwnAddress(addr)) return `${addr} port ${port} is this forge's own port; it never sends requests to itself`;
  const what = specialRange(addr);
  if (!what) return null;
  const allowed = blockList(policy.allowCidrs);
  const inner = net.isIPv6(addr) ? embeddedIpv4(addr) : null;
  if (check(allowed, addr) || (inner !== null && check(allowed, inner))) return null;
  return `${addr} is a ${what} address; such targets are refused unless ${policy.allowHint}`;
}

// ---- targets -------------------------------------------------------------------------------

/** A URL users may give: http or https, a host, no credentials; the reason otherwise. */
export function urlProblem(raw: string): string | null {
  if (raw.length > 2048) return 'must be at most 2048 characters';
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return `"${raw.slice(0, 100)}" is not a URL`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (!u.hostname) return 'must name a host';
  if (u.username || u.password) return 'must not contain a user name or password (use authorization_header)';
  return null;
}

export function portOf(u: URL): number {
  return Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
}

/** The bare host of a URL (IPv6 without brackets). */
function hostOf(u: URL): string {
  return u.hostname.replace(/^\[|\]$/g, '');
}

export interface CheckedTarget {
  url: URL;
  /** The address to connect to (every address the name resolved to passed the policy). */
  address: string;
  port: number;
}

/**
 * Resolves the URL's host and checks every address it has: one refused address refuses the
 * target (a name that answers with both a public and a private address is not trusted).
 */
export async function checkTarget(raw: string, policy: EgressPolicy, timeoutMs = 5_000): Promise<CheckedTarget> {
  const problem = urlProblem(raw);
  if (problem) throw new TargetRefused(`url ${problem}`);
  const url = new URL(raw);
  const host = hostOf(url);
  const port = portOf(url);
  let addresses: string[];
  if (net.isIP(host)) addresses = [host];
  else {
    let timer: NodeJS.Timeout | undefined;
    try {
      const found = await Promise.race([dns.lookup(host, { all: true, verbatim: true }), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), timeoutMs)))]);
      addresses = found.map((a) => a.address);
    } catch (err) {
      throw new TargetRefused(`the host ${host} could not be resolved (${err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err)})`);
    } finally {
      clearTimeout(timer);
    }
    if (addresses.length === 0) throw new TargetRefused(`the host ${host} has no address`);
  }
  for (const a of addresses) {
    const why = addressProblem(a, port, policy);
    if (why) throw new TargetRefused(net.isIP(host) ? why : `${host} resolves to ${why}`);
  }
  return { url, address: normalizeIp(addresses[0]!), port };
}

// ---- the request ---------------------------------------------------------------------------

export interface PinnedRequest {
  target: CheckedTarget;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body: Buffer;
  timeoutMs: number;
  /** Response bytes kept; the rest is not read. */
  maxResponseBytes: number;
  /** Checks the peer once connected (the policy again); a reason refuses it before anything is sent. */
  recheck(address: string, port: number): string | null;
}

export interface PinnedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  truncated: boolean;
}

/**
 * One request to exactly the checked address: the socket is opened to the IP itself (TLS still
 * verifies the certificate against the host name), the peer is checked before a byte is written,
 * and a redirect is returned as the response it is, never followed.
 */
export function pinnedRequest(req: PinnedRequest): Promise<PinnedResponse> {
  const { url, address, port } = req.target;
  const host = hostOf(url);
  return new Promise<PinnedResponse>((resolve, reject) => {
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (err: Error | null, res?: PinnedResponse) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(res!);
    };
    const createConnection = (): net.Socket => {
      const socket =
        url.protocol === 'https:' ? tls.connect({ host: address, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'] }) : net.connect({ host: address, port });
      // registered before the request writes anything: nothing leaves until the peer is checked
      socket.once('connect', () => {
        const remote = normalizeIp(socket.remoteAddress ?? '');
        const problem = remote !== address ? `connected to ${remote || 'an unknown address'}, not the checked ${address}` : req.recheck(remote, socket.remotePort ?? port);
        if (problem) socket.destroy(new TargetRefused(problem));
      });
      return socket;
    };
    const out = http.request({
      host,
      port,
      path: `${url.pathname}${url.search}`,
      method: req.method,
      headers: { ...req.headers, Host: url.host, 'Content-Length': String(req.body.length) },
      createConnection,
    });
    timer = setTimeout(() => out.destroy(new Error(`no answer within ${Math.round(req.timeoutMs / 1000)} s`)), req.timeoutMs);
    out.on('error', (err) => finish(err));
    out.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const complete = () => finish(null, { status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks), truncated });
      res.on('data', (chunk: Buffer) => {
        if (size < req.maxResponseBytes) chunks.push(chunk.subarray(0, req.maxResponseBytes - size));
        size += chunk.length;
        if (size > req.maxResponseBytes) {
          truncated = true;
          complete();
          res.destroy();
        }
      });
      res.on('end', complete);
      res.on('error', (err) => (chunks.length ? complete() : finish(err)));
      res.on('close', complete);
    });
    out.end(req.body);
  });
}
