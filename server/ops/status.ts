// The console dashboard: state, uptime, version, the URLs teammates use (with QR codes), the
// SSH host key and a ~/.ssh/config block, disk use, counts and live git sessions.
import { lstat, readdir, statfs } from 'node:fs/promises';
import path from 'node:path';
import { teammateUrls, mainUrl, sshConfigSnippet, type LanUrl } from '../lan/index.js';
import { VERSION } from '../lib/version.js';
import type { Services } from '../services.js';
import { USER_TYPE } from '../users/index.js';

export interface UrlWithQr extends LanUrl {
  /** QR code of the web/clone URL, as an SVG document. */
  http_qr_svg: string;
  ssh_qr_svg: string | null;
}

const qrCache = new Map<string, string>();

/** A QR code as a small SVG document (cached: the same few URLs come back every refresh). */
export async function qrSvg(text: string): Promise<string> {
  let svg = qrCache.get(text);
  if (!svg) {
    const { default: QRCode } = await import('qrcode'); // loaded when the dashboard first asks, not at start-up
    svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
    if (qrCache.size > 64) qrCache.clear();
    qrCache.set(text, svg);
  }
  return svg;
}

export interface DirUsage {
  bytes: number;
  files: number;
  /** false when the walk stopped at its bound (the numbers are a lower bound). */
  complete: boolean;
}

/** Bytes under a directory (apparent size), walked with a bound on entries and time. */
export async function dirUsage(root: string, opts: { maxEntries?: number; maxMs?: number } = {}): Promise<DirUsage> {
  const maxEntries = opts.maxEntries ?? 500_000;
  const deadline = Date.now() + (opts.maxMs ?? 3_000);
  let bytes = 0;
  let files = 0;
  let seen = 0;
  const stack = [root];
  while (stack.length) {
    if (seen > maxEntries || Date.now() > deadline) return { bytes, files, complete: false };
    const dir = stack.pop()!;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue; // vanished or unreadable: count what we can
    }
    for (const e of entries) {
      seen++;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) {
        try {
          bytes += (await lstat(p)).size;
          files++;
        } catch {
          // removed while we walked
        }
      }
    }
  }
  return { bytes, files, complete: true };
}

let usageCache: { root: string; at: number; value: DirUsage } | null = null;

async function cachedUsage(root: string): Promise<DirUsage & { measured_at: string }> {
  if (!usageCache || usageCache.root !== root || Date.now() - usageCache.at > 60_000) {
    usageCache = { root, at: Date.now(), value: await dirUsage(root) };
  }
  return { ...usageCache.value, measured_at: new Date(usageCache.at).toISOString() };
}

export async function dashboardStatus(s: Services) {
  const maintenance = await s.maintenance.state();
  const sshPort = s.sshPort();
  const src = { host: s.config.host, httpPort: s.httpPort(), sshPort, publicUrl: s.settings.get('instance.publicUrl'), baseUrl: s.config.baseUrl };
  const urls: UrlWithQr[] = [];
  for (const u of teammateUrls(src)) urls.push({ ...u, http_qr_svg: await qrSvg(u.http), ssh_qr_svg: u.ssh ? await qrSvg(u.ssh) : null });
  const main = mainUrl(src);
  const fs = await statfs(s.config.dataDir).catch(() => null);
  const repositories = Number(
    (
      await s.db
        .selectFrom('repositories')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  const countUsers = async (type: number) =>
    Number(
      (
        await s.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('type', '=', type)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const name = s.settings.get('instance.name');
  return {
    status: maintenance.enabled ? ('maintenance' as const) : ('running' as const),
    maintenance: { enabled: maintenance.enabled, message: maintenance.message },
    version: VERSION,
    instance_name: name,
    started_at: new Date(s.ops.startedAt).toISOString(),
    uptime_seconds: Math.floor((Date.now() - s.ops.startedAt) / 1000),
    main_url: main.http,
    urls,
    ports: { http: s.httpPort(), ssh: sshPort, git: s.ops.gitPort() },
    transports: {
      http: s.settings.get('transports.http'),
      ssh: s.settings.get('transports.ssh') && sshPort !== null,
      git: s.settings.get('transports.git') && s.ops.gitPort() !== null,
    },
    ssh:
      sshPort === null
        ? null
        : {
            host_key: s.hostKey.publicLine,
            host_key_fingerprint: s.hostKey.fingerprint,
            config_snippet: sshConfigSnippet(name, main.host, sshPort),
            known_hosts_line: `[${main.host}]:${sshPort} ${s.hostKey.publicLine.split(' ').slice(0, 2).join(' ')}`,
          },
    disk: {
      data_dir: s.config.dataDir,
      data: await cachedUsage(s.config.dataDir),
      free_bytes: fs ? fs.bavail * fs.bsize : null,
      total_bytes: fs ? fs.blocks * fs.bsize : null,
    },
    counts: {
      repositories,
      users: await countUsers(USER_TYPE.individual),
      organizations: await countUsers(USER_TYPE.organization),
    },
    git_sessions: {
      active: s.limits.ipSessions.total(),
      pushes_in_flight: s.pushTracker.inFlight,
      pack_processes: s.packLimiter.inUse,
      pack_queued: s.packLimiter.queued,
    },
    mdns: { enabled: s.settings.get('lan.mdns'), advertising: s.ops.mdns.active },
  };
}
