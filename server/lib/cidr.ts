// Trusted IP ranges: the allowlist the web, the API and git (HTTP, SSH, git://) consult before
// serving anyone. An empty list lets everyone in. The operator's own machine is always let in:
// 127.0.0.1, ::1 and the addresses of this machine's own network interfaces. Other 127.x
// addresses are deliberately NOT exempt, so the rule is "this machine", not "anything that
// says loopback" (and the tests can stand in for a LAN client by connecting from 127.0.0.2).
import net from 'node:net';
import os from 'node:os';

interface ParsedCidr {
  address: string;
  prefix: number;
  type: 'ipv4' | 'ipv6';
}

/** Parses `10.0.0.0/8`, `192.168.1.5` (a single address) or `fd00::/8`; null when it isn't one. */
export function parseCidr(text: string): ParsedCidr | null {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const address = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const family = net.isIP(address);
  if (family === 0) return null;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = trimmed.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return null;
    prefix = Number(p);
    if (prefix > max) return null;
  }
  return { address, prefix, type };
}

/** Why a string is no usable CIDR range, or null when it is one. */
export function cidrProblem(text: string): string | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > 64) return `"${String(text).slice(0, 64)}" is not an IP range: write it like 192.168.1.0/24 or fd00::/8`;
  return parseCidr(text) ? null : `"${text}" is not an IP range: write it like 192.168.1.0/24, 10.0.0.7 or fd00::/8`;
}

/** `::ffff:1.2.3.4` (IPv4 seen on a dual-stack socket) as `1.2.3.4`. */
export function normalizeIp(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1]! : ip;
}

const ALWAYS_LOCAL = new Set(['127.0.0.1', '::1']);

/** This machine's own interface addresses (cached briefly: interfaces come and go). */
function ownAddresses(): Set<string> {
  const out = new Set<string>(ALWAYS_LOCAL);
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal) out.add(normalizeIp(a.address.split('%')[0]!));
  }
  return out;
}

export class TrustedNetworks {
  private source: readonly string[] | null = null;
  private list: net.BlockList | null = null;
  private own: { at: number; set: Set<string> } | null = null;

  constructor(private readonly cidrs: () => readonly string[]) {}

  /** Whether the operator's own machine is the one connecting. */
  isOwnMachine(ip: string): boolean {
    const addr = normalizeIp(ip);
    if (ALWAYS_LOCAL.has(addr)) return true;
    const now = Date.now();
    if (!this.own || now - this.own.at > 30_000) this.own = { at: now, set: ownAddresses() };
    return this.own.set.has(addr);
  }

  /** Whether a client at `ip` may be served at all. */
  allows(ip: string | null | undefined): boolean {
    return this.check(this.cidrs(), ip);
  }

  /** Whether `ip` would still get in with this list instead (unparsable entries count as none). */
  wouldAllow(cidrs: readonly string[], ip: string | null | undefined): boolean {
    return this.check(cidrs, ip);
  }

  private check(cidrs: readonly string[], ip: string | null | undefined): boolean {
    if (cidrs.length === 0) return true;
    if (!ip) return false;
    const addr = normalizeIp(ip);
    if (this.isOwnMachine(addr)) return true;
    if (this.source !== cidrs) {
      const list = new net.BlockList();
      for (const c of cidrs) {
        const p = parseCidr(c);
        if (p) list.addSubnet(p.address, p.prefix, p.type);
      }
      this.list = list;
      this.source = cidrs;
    }
    const family = net.isIP(addr);
    if (family === 0) return false;
    return this.list!.check(addr, family === 4 ? 'ipv4' : 'ipv6');
  }

  /** What a refused client is told. */
  static refusal(ip: string | null | undefined): string {
    return `your address ${ip ? normalizeIp(ip) : '(unknown)'} is not in this server's trusted IP ranges; ask the administrator to add it (console: Settings, Trusted IP ranges)`;
  }
}
