// LAN discovery: advertises the forge with mDNS / DNS-SD (`_http._tcp` and `_ssh._tcp`, TXT
// records with the ports, the clone base URL and the version) while `lan.mdns` is on.
// Never while the server listens on loopback only (nobody on the LAN could reach it) unless an
// mDNS interface is configured explicitly: that is how tests run it, bound to 127.0.0.1 with
// multicast off and private ports, so nothing is ever sent to 224.0.0.251. bonjour-service
// loads when advertising starts, not with the server.
import dgram from 'node:dgram';
import net from 'node:net';
import type BonjourService from 'bonjour-service';
import type { Logger } from '../lib/log.js';

type Bonjour = InstanceType<typeof BonjourService>;

export interface MdnsTransport {
  /** Address to bind (GITSSY_MDNS_INTERFACE); null = all interfaces. */
  interface: string | null;
  /** Unicast test mode (GITSSY_MDNS_PORT): multicast off, bound to interface:port. */
  port: number | null;
  /** Where unicast packets go (GITSSY_MDNS_PEER_PORT, on the same interface); default: port. */
  peerPort?: number | null;
}

/**
 * multicast-dns options for the transport settings. In unicast mode the socket is bound here
 * first and handed over, so that this side listens on `port` and sends to `peerPort`: two
 * programs on one loopback address each get their own socket (with one shared port the kernel
 * hands every datagram to whichever socket bound last).
 */
export async function mdnsOptions(t: MdnsTransport): Promise<Record<string, unknown>> {
  if (t.port === null) return t.interface ? { interface: t.interface } : {};
  const addr = t.interface ?? '127.0.0.1';
  const socket = dgram.createSocket({ type: net.isIPv6(addr) ? 'udp6' : 'udp4', reuseAddr: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(t.port!, addr, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return { socket, bind: false, multicast: false, interface: addr, ip: addr, port: t.peerPort ?? t.port };
}

export interface Advertisement {
  name: string;
  httpPort: number;
  sshPort: number | null;
  /** Web and HTTP clone base, e.g. `http://192.168.1.5:3000/`. */
  cloneBase: string;
  sshBase: string | null;
  version: string;
}

export class LanAdvertiser {
  private bonjour: Bonjour | null = null;
  private current: Advertisement | null = null;

  constructor(
    private readonly transport: MdnsTransport,
    private readonly log: Logger,
  ) {}

  get active(): boolean {
    return this.bonjour !== null;
  }

  get advertised(): Advertisement | null {
    return this.current;
  }

  /** Whether advertising makes sense for a server bound to `host`. */
  static reachable(host: string, t: MdnsTransport): boolean {
    if (t.interface) return true;
    return !/^(127\.|::1$|localhost$)/.test(host);
  }

  async start(ad: Advertisement): Promise<void> {
    if (this.bonjour) await this.stop();
    const [{ default: BonjourClass }, options] = await Promise.all([import('bonjour-service'), mdnsOptions(this.transport)]);
    const bonjour = new BonjourClass(options, (err: Error) => this.log.warn({ err }, 'mDNS advertisement failed'));
    // multicast-dns reports socket trouble as events; without listeners an 'error' would crash us
    const mdns = (bonjour as unknown as { server: { mdns: NodeJS.EventEmitter } }).server.mdns;
    mdns.on('error', (err: Error) => this.log.warn({ err }, 'mDNS socket error; LAN discovery is unavailable'));
    mdns.on('warning', (err: Error) => this.log.debug({ err }, 'mDNS warning'));
    const common = { version: ad.version, clone: ad.cloneBase, http_port: String(ad.httpPort), ...(ad.sshPort !== null ? { ssh_port: String(ad.sshPort) } : {}) };
    const publish = (type: string, port: number, txt: Record<string, string>) => {
      const svc = bonjour.publish({ name: ad.name, type, port, txt });
      svc.on('error', (err: Error) => this.log.warn({ err, type }, 'mDNS service could not be published'));
    };
    publish('http', ad.httpPort, { path: '/', ...common });
    if (ad.sshPort !== null) publish('ssh', ad.sshPort, { user: 'git', ...(ad.sshBase ? { ssh: ad.sshBase } : {}), ...common });
    this.bonjour = bonjour;
    this.current = ad;
    this.log.info({ name: ad.name, http: ad.httpPort, ssh: ad.sshPort, interface: this.transport.interface ?? 'all' }, 'advertising on the LAN (mDNS)');
  }

  /** Sends goodbyes and closes the socket (bounded: a stuck socket doesn't hold up shutdown). */
  async stop(): Promise<void> {
    const bonjour = this.bonjour;
    this.bonjour = null;
    this.current = null;
    if (!bonjour) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2_000);
      t.unref();
      try {
        bonjour.unpublishAll(() => {
          bonjour.destroy(() => {
            clearTimeout(t);
            resolve();
          });
        });
      } catch {
        clearTimeout(t);
        resolve();
      }
    });
    this.log.info('stopped advertising on the LAN (mDNS)');
  }
}
