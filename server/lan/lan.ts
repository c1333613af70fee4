// Joining over the LAN at start-up: the mDNS advertisement (started with the server when
// `lan.mdns` is on, restarted when the name or address changes, stopped on toggle and at
// shutdown) and the terminal QR code of the main URL in the start-up output.
import type { Services } from '../services.js';
import { VERSION } from '../lib/version.js';
import { LanAdvertiser } from './mdns.js';
import { mainUrl, type UrlSources } from './urls.js';

function sources(s: Services): UrlSources {
  return { host: s.config.host, httpPort: s.httpPort(), sshPort: s.sshPort(), publicUrl: s.settings.get('instance.publicUrl'), baseUrl: s.config.baseUrl };
}

/** Brings the advertisement in line with the settings (on, off, or re-announced). */
async function syncMdns(s: Services): Promise<void> {
  const mdns = s.ops.mdns;
  const want = s.settings.get('lan.mdns') && LanAdvertiser.reachable(s.config.host, { interface: s.config.mdnsInterface, port: s.config.mdnsPort, peerPort: s.config.mdnsPeerPort });
  if (!want) {
    await mdns.stop();
    return;
  }
  const main = mainUrl(sources(s));
  const sshPort = s.settings.get('transports.ssh') ? s.sshPort() : null;
  const ad = { name: s.settings.get('instance.name'), httpPort: s.httpPort(), sshPort, cloneBase: main.http, sshBase: sshPort === null ? null : main.ssh, version: VERSION };
  const cur = mdns.advertised;
  if (cur && JSON.stringify(cur) === JSON.stringify(ad)) return;
  await mdns.start(ad);
}

const WATCHED = ['lan.mdns', 'instance.name', 'instance.publicUrl', 'transports.ssh'];

/** Starts LAN discovery with the server and follows later setting changes; returns a re-sync for listener changes. */
export async function startLanFeatures(s: Services): Promise<() => Promise<void>> {
  let chain: Promise<void> = Promise.resolve();
  const log = s.log.child({ component: 'mdns' });
  const resync = () => {
    chain = chain.then(() => syncMdns(s)).catch((err) => log.warn({ err }, 'mDNS advertisement could not be updated'));
    return chain;
  };
  s.settings.onChange((changed) => {
    if (Object.keys(changed).some((k) => WATCHED.includes(k))) void resync();
  });
  await resync();
  return resync;
}

/** The main URL and, on a terminal, its QR code (small), for the start-up output. */
export async function lanBanner(s: Services, tty: boolean): Promise<string> {
  const main = mainUrl(sources(s));
  const lines = [`Teammates open ${main.http}${main.ssh ? ` and clone over SSH from ${main.ssh}` : ''}`];
  if (tty) {
    const { default: QRCode } = await import('qrcode'); // only on a terminal: a service's log has no QR code
    lines.push(await QRCode.toString(main.http, { type: 'terminal', small: true, errorCorrectionLevel: 'L' }));
  }
  return lines.join('\n') + '\n';
}

export async function printLanBanner(s: Services): Promise<void> {
  try {
    process.stdout.write(await lanBanner(s, process.stdout.isTTY === true));
  } catch (err) {
    s.log.warn({ err }, 'could not print the LAN banner');
  }
}
