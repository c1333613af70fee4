// LAN discovery: the server advertises _http._tcp and _ssh._tcp with TXT records, and stops
// when lan.mdns is switched off. mDNS runs bound to 127.0.0.1 with multicast off on private
// ports (GITSSY_MDNS_INTERFACE / GITSSY_MDNS_PORT / GITSSY_MDNS_PEER_PORT): the server listens on
// one port and sends to the test's browser on another, and nothing goes to 224.0.0.251.
import dgram from 'node:dgram';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, startServer, waitFor, type TestServer } from '../fixtures/rig.js';
import { readPorts } from '../fixtures/ssh.js';

const require = createRequire(import.meta.url);
// the same library the server uses, as a second instance on the same loopback setup
const Bonjour = require('bonjour-service') as typeof import('bonjour-service');

interface Found {
  name: string;
  type: string;
  port: number;
  txt: Record<string, string>;
}

async function freeUdpPort(): Promise<number> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  const { port } = sock.address();
  await new Promise<void>((resolve) => sock.close(() => resolve()));
  return port;
}

const admin: [string, string] = ['root', 'root-pass-123'];
let s: TestServer;
let mdnsPort: number;
let browserPort: number;
let version: string;

beforeAll(async () => {
  mdnsPort = await freeUdpPort();
  browserPort = await freeUdpPort();
  s = await startServer({ env: { GITSSY_MDNS_INTERFACE: '127.0.0.1', GITSSY_MDNS_PORT: String(mdnsPort), GITSSY_MDNS_PEER_PORT: String(browserPort) } });
  await createUser(s, 'root', admin[1], { admin: true });
  version = ((await (await s.api('GET', '/api/v1/version')).json()) as { version: string }).version;
});
afterAll(async () => s?.stop());

/** Browses for one service type until `want` holds for what was found, or the time runs out. */
async function browse(type: string, want: (found: Found[]) => boolean, ms = 8_000): Promise<Found[]> {
  // our own socket on the browser's port; queries go to the server's port
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((resolve) => socket.bind(browserPort, '127.0.0.1', resolve));
  const b = new Bonjour({ socket, bind: false, multicast: false, interface: '127.0.0.1', ip: '127.0.0.1', port: mdnsPort } as never);
  const found: Found[] = [];
  try {
    const browser = b.find({ type }, (svc) => found.push({ name: svc.name, type: svc.type, port: svc.port, txt: svc.txt as Record<string, string> }));
    const deadline = Date.now() + ms;
    while (!want(found) && Date.now() < deadline) {
      browser.update(); // ask again
      await new Promise((r) => setTimeout(r, 300));
    }
    browser.stop();
    return found;
  } finally {
    await new Promise<void>((resolve) => b.destroy(() => resolve()));
  }
}

describe('mDNS / DNS-SD', () => {
  it('advertises the web and SSH services with ports, clone base URL and version', async () => {
    const ports = await readPorts(s);
    const http = await browse('http', (f) => f.some((x) => x.port === s.port));
    const web = http.find((x) => x.port === s.port);
    expect(web).toMatchObject({ name: 'Gitssy', type: 'http', txt: { path: '/', version, clone: `http://127.0.0.1:${s.port}/`, http_port: String(s.port), ssh_port: String(ports.ssh) } });
    const sshFound = await browse('ssh', (f) => f.some((x) => x.port === ports.ssh));
    expect(sshFound.find((x) => x.port === ports.ssh)).toMatchObject({
      name: 'Gitssy',
      type: 'ssh',
      txt: { user: 'git', ssh: `ssh://git@127.0.0.1:${ports.ssh}/`, clone: `http://127.0.0.1:${s.port}/`, version },
    });
    const st = (await (await s.api('GET', '/api/v1/admin/status', { auth: admin })).json()) as { mdns: unknown };
    expect(st.mdns).toEqual({ enabled: true, advertising: true });
  });

  it('re-announces under a new instance name, and stops when switched off', async () => {
    expect((await s.api('PATCH', '/api/v1/admin/settings', { auth: admin, json: { 'instance.name': 'Team Forge' } })).status).toBe(200);
    const renamed = await browse('http', (f) => f.some((x) => x.name === 'Team Forge'));
    expect(renamed.find((x) => x.name === 'Team Forge')?.port).toBe(s.port);

    expect((await s.api('PATCH', '/api/v1/admin/settings', { auth: admin, json: { 'lan.mdns': false } })).status).toBe(200);
    await waitFor(async () => ((await (await s.api('GET', '/api/v1/admin/status', { auth: admin })).json()) as { mdns: { advertising: boolean } }).mdns.advertising === false);
    const none = await browse('http', (f) => f.length > 0, 2_000);
    expect(none).toEqual([]);

    expect((await s.api('PATCH', '/api/v1/admin/settings', { auth: admin, json: { 'lan.mdns': true } })).status).toBe(200);
    const back = await browse('http', (f) => f.some((x) => x.port === s.port));
    expect(back.some((x) => x.name === 'Team Forge')).toBe(true);
    expect(s.log()).toMatch(/stopped advertising on the LAN/);
  });
});
