// Composition root: builds the service graph on a data directory, and the app that serves it.
// No module keeps global state; tests build as many apps as they like side by side.
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Config } from './config.js';
import { AccessService } from './access/access.js';
import { AuditLog } from './audit/audit.js';
import { SetupService } from './auth/setup.js';
import { migrate, openDatabase } from './db/index.js';
import { allMigrations } from './db/migrations/index.js';
import { MODULES, featureMigrations } from './modules.js';
import type { FeatureModule, Stop } from './feature.js';
import { RealtimeHub, Realtime } from './realtime/index.js';
import { gitBaseEnv } from './git/command.js';
import { RepoPaths } from './git/paths.js';
import { RepoStore } from './git/repo-store.js';
import { createHttpApp } from './http/server.js';
import { randomHex } from './lib/crypto.js';
import { createLogger, type Logger } from './lib/log.js';
import { VERSION } from './lib/version.js';
import { lanAddresses } from './lib/net.js';
import { Semaphore } from './lib/semaphore.js';
import { AbuseLimits } from './auth/limits.js';
import { MaintenanceService, PushTracker } from './maintenance/maintenance.js';
import { BackupManager } from './backup/manager.js';
import os from 'node:os';
import { OrgService } from './orgs/orgs.js';
import { RepoService } from './repos/repos.js';
import type { Services } from './services.js';
import { SettingsService } from './settings/settings.js';
import { AppearanceService } from './appearance/appearance.js';
import { UserService } from './users/users.js';
import { EventBus } from './events/index.js';
import { PushPolicy, PushRecorder, RefWriter } from './pushes/index.js';
import { HookServer } from './hooks/internal-server.js';
import { installHooks } from './hooks/scripts.js';
import { KeyService } from './keys/keys.js';
import { loadOrCreateHostKey, shareHostKey } from './ssh/host-key.js';
import { SshServer } from './ssh/server.js';
import { GitDaemon } from './daemon/git-daemon.js';
import { BrowseService } from './git/browse-service.js';
import { MarkupService } from './markup/markup-service.js';
import { BranchService } from './branches/index.js';
import { CatFilePool } from './git/cat-file-pool.js';
import { DbLastCommitCache } from './git/last-commit-cache.js';
import { TrustedNetworks } from './lib/cidr.js';
import { MailService } from './ops/mail.js';
import { logDir, RotatingLogFile } from './ops/log-file.js';
import { LanAdvertiser } from './lan/mdns.js';
import { startLanFeatures, printLanBanner } from './lan/lan.js';
import { instanceIdOf } from './scale/instance-id.js';
import { openShared, type SharedState } from './scale/shared.js';
import { localLocks, pgClusterBarrier, pgLocks } from './scale/index.js';

export interface DataLayout {
  root: string;
  repos: string;
  run: string;
  hooks: string;
  ssh: string;
  backups: string;
  gitHome: string;
}

/** Where things live in a data dir; `reposDir` moves the repositories out (a store several instances share). */
export function dataLayout(dataDir: string, reposDir: string | null = null): DataLayout {
  return {
    root: dataDir,
    repos: reposDir ?? path.join(dataDir, 'repos'),
    run: path.join(dataDir, 'run'),
    hooks: path.join(dataDir, 'hooks'),
    ssh: path.join(dataDir, 'ssh'),
    backups: path.join(dataDir, 'backups'),
    gitHome: path.join(dataDir, 'run', 'git-home'),
  };
}

export interface ServiceGraph {
  services: Services;
  layout: DataLayout;
  close(): Promise<void>;
}

/** Opens the data dir (creating what is missing), migrates the db, wires the services. */
export async function buildServices(config: Config, log: Logger, modules: readonly FeatureModule[] = MODULES): Promise<ServiceGraph> {
  const layout = dataLayout(config.dataDir, config.reposDir);
  for (const dir of [layout.root, layout.repos, layout.run, layout.hooks, layout.gitHome]) await mkdir(dir, { recursive: true });
  await chmod(layout.root, 0o700).catch(() => {});
  // git's "global" config for server-side operations lives in the data dir, never in $HOME.
  await writeFile(path.join(layout.gitHome, '.gitconfig'), '[user]\n\tname = Gitssy\n\temail = gitssy@localhost\n[core]\n\tfsync = committed\n');

  const opened = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const migrations = allMigrations(featureMigrations(modules));
  try {
    await migrate(opened, migrations);
  } catch (err) {
    await opened.close();
    throw err;
  }
  const db = opened.db;
  let shared: SharedState;
  try {
    shared = await openShared(config.redisUrl, await instanceIdOf(layout.run), log.child({ component: 'shared' }));
  } catch (err) {
    await opened.close();
    throw err;
  }
  const settings = new SettingsService(db);
  await settings.load();
  // runtime settings changed through one instance reach the others (with REDIS_URL; alone, there are none)
  settings.onLocalUpdate(() => shared.announce('settings'));
  await shared.onAnnounce('settings', () => void settings.reload().catch((err: unknown) => log.warn({ err }, 'could not reload the settings another instance changed')));
  const git = gitBaseEnv(layout.gitHome);
  await installHooks(layout.hooks);
  const store = new RepoStore(new RepoPaths(layout.repos), git, layout.hooks);
  // one server per SQLite data dir: a delivery still marked running at start was cut off by a
  // crash; on PostgreSQL that holds for the deliveries this instance claimed (see instance-id.ts)
  const events = new EventBus(db, log.child({ component: 'events' }), {
    exclusive: opened.dialect === 'sqlite',
    instance: shared.instance,
    skipLocked: opened.dialect === 'postgres',
    pollMs: Number(process.env.GITSSY_OUTBOX_POLL_MS) || undefined,
  });
  const audit = new AuditLog(db);
  const access = new AccessService(db);
  const users = new UserService(db, settings, audit, (r) => events.emit('credentials.revoked', r));
  const orgs = new OrgService(db, audit, events);
  // emptiness and HEAD are settled before a push is acknowledged; everything else follows from the outbox
  // work one at a time per key: in this process, or across the instances that share the store
  const locks = config.reposDir && config.databaseUrl ? pgLocks(config.databaseUrl) : localLocks();
  const pushes: PushRecorder = new PushRecorder(db, store, git, events, log.child({ component: 'pushes' }), (repoId, refs): Promise<void> => repos.syncAfterPush(repoId, refs), locks);
  const repos = new RepoService(db, store, git, access, orgs, audit, pushes, events, log.child({ component: 'repos' }), () => refs);
  const setup = new SetupService(settings, users);
  const keys = new KeyService(db, audit);
  // several instances on one PostgreSQL database answer SSH as one host
  const ownHostKey = await loadOrCreateHostKey(layout.ssh);
  const hostKey = opened.dialect === 'postgres' ? await shareHostKey(db, layout.ssh, ownHostKey, log.child({ component: 'ssh' })) : ownHostKey;
  // beyond a couple of pack-objects per core, more only fight over CPU and memory
  const pushTracker = new PushTracker();
  const packLimiter = new Semaphore(config.gitConcurrency ?? Math.max(4, 2 * os.availableParallelism()));
  // reads for the web UI and the contents API: pooled cat-file processes, last-commit cache in the db
  const browse = new BrowseService(git, new CatFilePool(git), new DbLastCommitCache(db), packLimiter);
  const policy = new PushPolicy(db, settings, git);
  // the one path for ref changes the server makes itself: the push policy, compare-and-swap, one push event
  const refs = new RefWriter({ git, policy, recorder: pushes, barrier: { wait: () => services.backups.barrier.wait() }, tracker: pushTracker });
  const branches = new BranchService(db, browse, refs);
  // markdown and highlighting render in worker threads; a document over its time budget falls back
  const markupLog = log.child({ component: 'markup' });
  const markup = new MarkupService(browse.ctx, { onFallback: (e) => markupLog.warn(e, `${e.kind} render fell back (${e.reason})`) });
  // the base graph; each feature module's services() adds its own below, before anything runs
  const services = {
    config,
    db,
    dialect: opened.dialect,
    log,
    git,
    store,
    settings,
    audit,
    access,
    users,
    orgs,
    repos,
    setup,
    events,
    shared,
    migrations,
    pushes,
    refs,
    policy,
    realtime: new RealtimeHub(),
    keys,
    hostKey,
    packLimiter,
    browse,
    branches,
    markup,
    limits: new AbuseLimits(settings, shared.failures ?? undefined),
    pushTracker,
    maintenance: new MaintenanceService(settings, pushTracker),
    dbCapture: (stage) => opened.capture(stage),
    locks,
    backups: new BackupManager(() => services, { dataDir: config.dataDir, log: log.child({ component: 'backups' }), tickMs: Number(process.env.GITSSY_BACKUP_TICK_MS) || undefined }),
    sshPort: () => null,
    httpPort: () => config.httpPort,
    hookEnv: () => ({}),
    trusted: new TrustedNetworks(() => settings.get('access.allowCidrs')),
    mail: new MailService(settings),
    appearance: new AppearanceService(db, () => settings.get('ui.defaultAppearance')),
    ops: {
      startedAt: Date.now(),
      logDir: logDir(config.dataDir),
      gitPort: () => null,
      mdns: new LanAdvertiser({ interface: config.mdnsInterface, port: config.mdnsPort, peerPort: config.mdnsPeerPort }, log.child({ component: 'mdns' })),
    },
  } satisfies Partial<Services> as Services;
  // instances sharing a repository store: a backup on any of them holds the pushes through all
  if (config.reposDir && config.databaseUrl) services.backups.barrier.joinCluster(pgClusterBarrier(config.databaseUrl, db));

  // the feature modules add their services, then every module's durable subscribers (what a push,
  // a new repository or a notification sets in motion) join the bus
  for (const m of modules) await m.services?.(services);
  for (const m of modules) for (const sub of m.subscribers?.(services) ?? []) events.subscribe(sub);
  return {
    services,
    layout,
    close: async () => {
      await events.outbox.stop();
      await browse.close();
      await markup.close();
      await locks.close();
      await shared.close();
      await opened.close();
    },
  };
}

export interface Ports {
  http: number;
  ssh: number | null;
  git: number | null;
  pid: number;
}

export interface App {
  services: Services;
  layout: DataLayout;
  start(): Promise<Ports>;
  stop(): Promise<void>;
  /** Set once start() has finished: the one-time setup link's token, if setup is pending. */
  setupToken: string | null;
}

export interface AppOptions {
  log?: Logger;
  quiet?: boolean;
  /** The feature modules (default: all of server/modules.ts); benchmarks and tests may add their own. */
  modules?: readonly FeatureModule[];
}

export async function createApp(config: Config, opts: AppOptions = {}): Promise<App> {
  // a served instance also logs to <data>/logs/gitssy.log, which the console's log view reads
  const logFile = opts.log ? null : new RotatingLogFile(logDir(config.dataDir));
  const log = opts.log ?? createLogger({ level: config.logLevel, file: logFile ?? undefined });
  const modules = opts.modules ?? MODULES;
  const graph = await buildServices(config, log, modules);
  const s = graph.services;
  let secret = await s.settings.getInternal('session.secret');
  if (!secret) {
    secret = randomHex(32);
    await s.settings.setInternal('session.secret', secret);
  }
  const barrier = s.backups.barrier;
  const hooks = new HookServer({
    repos: s.repos,
    users: s.users,
    store: s.store,
    git: s.git,
    recorder: s.pushes,
    tracker: s.pushTracker,
    maintenance: s.maintenance,
    barrier,
    backup: (out, progress, onProgress, opts) => s.backups.createNow(out, progress, onProgress, opts),
    runDir: graph.layout.run,
    policy: s.policy,
    log: log.child({ component: 'hooks' }),
  });
  // this instance's hooks whichever instance made the repository (core.hooksPath in its config
  // names that one's data dir, which another machine sharing the store doesn't have); and, for a
  // code repository, no `gc --auto` inside receive-pack: the push's client would wait for it, and
  // it would ignore a backup's hold on maintenance. The push's event runs it right after
  // (RepoService.maintainAfterPush); nothing does that for a wiki, whose receive-pack still does.
  s.hookEnv = (opts = {}) => {
    const env = hooks.env();
    if (!Object.keys(env).length) return env;
    const config: [string, string][] = [['core.hooksPath', graph.layout.hooks]];
    if (!opts.wiki) config.push(['receive.autoGc', 'false']);
    const out: Record<string, string> = { ...env, GIT_CONFIG_COUNT: String(config.length) };
    config.forEach(([key, value], i) => {
      out[`GIT_CONFIG_KEY_${i}`] = key;
      out[`GIT_CONFIG_VALUE_${i}`] = value;
    });
    return out;
  };
  s.completePush = (pushId, landed) => hooks.completePush(pushId, landed);
  const ssh = new SshServer(s, log.child({ component: 'ssh' }));
  s.sshPort = () => ssh.port;
  const daemon = new GitDaemon(s, log.child({ component: 'git-daemon' }));
  const http = createHttpApp(s, { sessionSecret: secret, modules });
  let server: Server | null = null;
  let realtime: Realtime | null = null;
  const stops: Stop[] = [];
  const portsFile = path.join(graph.layout.run, 'ports.json');

  const app: App = {
    services: s,
    layout: graph.layout,
    setupToken: null,
    async start() {
      await hooks.start();
      s.backups.start();
      const { recovered } = await s.pushes.reconcile();
      if (recovered) log.warn({ recovered }, 'recorded pushes that landed while the server could not hear them');
      server = createServer(http.app);
      server.requestTimeout = 0; // git transfers may be long; per-request git timeouts apply instead
      server.headersTimeout = 60_000;
      server.keepAliveTimeout = 65_000;
      // socket.io on the same port, at /socket.io, authenticated by the session cookie or a token
      realtime = new Realtime(s, server, http.session as never, log.child({ component: 'realtime' }), { allowedHosts: () => publicHosts(s), adapter: s.shared.adapter });
      s.realtime.attach(realtime);
      for (const m of modules) {
        const stop = await m.start?.(s);
        if (stop) stops.push(stop);
      }
      await s.events.outbox.start();
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(config.httpPort, config.host, () => {
          server!.off('error', reject);
          resolve();
        });
      });
      // a transport switched off in the console is not started (switching it off live refuses sessions)
      const sshPort = s.settings.get('transports.ssh') ? await ssh.start(config.sshPort, config.host) : null;
      const gitPort = config.gitPort === null || !s.settings.get('transports.git') ? null : await daemon.start(config.gitPort, config.host);
      const ports: Ports = { http: (server.address() as AddressInfo).port, ssh: sshPort, git: gitPort, pid: process.pid };
      s.httpPort = () => ports.http;
      s.ops.gitPort = () => ports.git;
      // SSH or git:// switched on in the console after a start without them: listen now (one at a time)
      let lateStart = Promise.resolve();
      let lanResync = async () => {};
      s.settings.onChange((changed) => {
        if (changed['transports.ssh'] !== true && changed['transports.git'] !== true) return;
        lateStart = lateStart
          .then(async () => {
            const wantSsh = s.settings.get('transports.ssh') && ports.ssh === null;
            const wantGit = s.settings.get('transports.git') && ports.git === null && config.gitPort !== null;
            if (!server || (!wantSsh && !wantGit)) return;
            if (wantSsh) ports.ssh = await ssh.start(config.sshPort, config.host);
            if (wantGit) ports.git = await daemon.start(config.gitPort!, config.host);
            const tmp = `${portsFile}.${process.pid}.tmp`;
            await writeFile(tmp, JSON.stringify(ports) + '\n');
            await rename(tmp, portsFile);
            log.info({ ports }, 'listening on a transport switched on in the console');
            await lanResync(); // the SSH service joins the mDNS advertisement
          })
          .catch((err) => log.error({ err }, 'could not start a transport switched on in the console'));
      });
      app.setupToken = await s.setup.issueToken();
      if (!opts.quiet) printBanner(config, ports, app.setupToken, s.hostKey.fingerprint);
      if (!opts.quiet) await printLanBanner(s);
      lanResync = await startLanFeatures(s);
      log.info({ ports, version: VERSION, data: config.dataDir }, 'gitssy is serving');
      // ports.json last: whoever waits for it finds everything above already done
      const tmp = `${portsFile}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(ports) + '\n');
      await rename(tmp, portsFile);
      return ports;
    },
    async stop() {
      for (const stop of stops.splice(0).reverse()) await stop();
      s.realtime.attach(null);
      await realtime?.close();
      realtime = null;
      if (server) {
        const srv = server;
        server = null;
        await new Promise<void>((resolve) => {
          srv.close(() => resolve());
          srv.closeIdleConnections();
          // give in-flight transfers a moment, then cut what is left
          setTimeout(() => srv.closeAllConnections(), 5_000).unref();
        });
        await rm(portsFile, { force: true });
      }
      await s.ops.mdns.stop();
      await ssh.stop();
      await daemon.stop();
      await s.backups.stop();
      await hooks.stop();
      http.close();
      await graph.close();
      logFile?.close();
    },
  };
  return app;
}

/** Hosts (with port) a browser may open the forge as, besides the Host it asked for. */
function publicHosts(s: Services): string[] {
  const out: string[] = [];
  for (const u of [s.settings.get('instance.publicUrl'), s.config.baseUrl]) {
    if (!u) continue;
    try {
      out.push(new URL(u).host);
    } catch {
      // a malformed URL is refused where it is set; nothing to allow here
    }
  }
  return out;
}

function printBanner(config: Config, ports: Ports, setupToken: string | null, hostKeyFingerprint: string): void {
  const hostFor = (h: string) => (h.includes(':') ? `[${h}]` : h);
  const local = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const lines = [`Gitssy ${VERSION} is serving ${config.dataDir}`, `  local:  http://${hostFor(local)}:${ports.http}/`];
  for (const addr of lanAddresses(config.host).filter((a) => a !== local)) lines.push(`  LAN:    http://${hostFor(addr)}:${ports.http}/`);
  if (config.baseUrl) lines.push(`  public: ${config.baseUrl}/`);
  if (ports.ssh !== null) lines.push(`  SSH:    port ${ports.ssh}, host key ${hostKeyFingerprint}`);
  if (ports.git !== null) lines.push(`  git://  port ${ports.git} (read-only, public repositories)`);
  if (setupToken) {
    lines.push('', 'First run: create the administrator account with this one-time link (keep it private):', `  http://${hostFor(local)}:${ports.http}/setup?token=${setupToken}`, '');
  }
  process.stdout.write(lines.join('\n') + '\n');
}
