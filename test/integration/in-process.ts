// An in-process server for the integration tests that need a hand inside the process: extra
// feature modules (a subscriber that throws, one that sleeps), or the service graph itself (the
// RefWriter, the socket rooms). Everything else is the real thing: createApp() from the server
// sources on a temp data dir, listening on free ports, driven with the real git CLI, HTTP and
// socket.io-client. It has the TestServer shape, so the rig's helpers (createUser, createRepo,
// createToken) work with it.
import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { createApp, type App } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import type { FeatureModule } from '../../server/feature.js';
import { createLogger } from '../../server/lib/log.js';
import { MODULES } from '../../server/modules.js';
import { apiClient, CLI, gitUrlFor, run, tempDir, type TestServer } from '../fixtures/rig.js';

export interface InProcessServer extends TestServer {
  app: App;
}

export async function startInProcess(opts: { modules?: FeatureModule[]; env?: Record<string, string> } = {}): Promise<InProcessServer> {
  const data = await tempDir('gitssy-data-');
  let output = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      output += chunk;
      done();
    },
  });
  const config = loadConfig({ dataDir: data, host: '127.0.0.1', httpPort: '0', sshPort: '0', logLevel: 'info' }, opts.env ?? {});
  const app = await createApp(config, { modules: [...MODULES, ...(opts.modules ?? [])], log: createLogger({ level: 'info', destination: sink }), quiet: true });
  const ports = await app.start();
  const url = `http://127.0.0.1:${ports.http}`;
  let stopped = false;
  return {
    app,
    url,
    host: '127.0.0.1',
    port: ports.http,
    data,
    pid: process.pid, // this very process: a test that kills servers uses startServer() instead
    log: () => output,
    cli: (args) => run(process.execPath, [CLI, ...args, '--data', data], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } }),
    api: apiClient(url),
    gitUrl: gitUrlFor(ports.http),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await app.stop();
      await rm(data, { recursive: true, force: true });
    },
  };
}
