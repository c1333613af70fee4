// The CI feature: jobs queued by pushes, the worker pool that runs them on the active backend
// (Docker, Podman or the host sandbox), their logs (stored and live), commit statuses, the
// "CI failed" notification, secrets, and the API, as one module.
import path from 'node:path';
import { sharedFilesDir } from '../config.js';
import type { FeatureModule } from '../feature.js';
import { subscriber } from '../events/index.js';
import '../notifications/index.js';
import '../pushes/index.js';
import '../repos/index.js';
import { DockerRuntime, Workspaces } from '../runtime/index.js';
import '../settings/index.js';
import '../statuses/index.js';
import './index.js';
import { LiveLogs } from './live.js';
import { LogStore } from './log-store.js';
import m0017 from './migrations/0017_ci.js';
import { registerCiRoutes } from './routes.js';
import { CiRunner } from './runner.js';
import { SecretService } from './secrets.js';
import { CiService } from './service.js';

export const ciModule: FeatureModule = {
  name: 'ci',
  migrations: { '0017_ci': m0017 },
  services: (s) => {
    // in the data dir, or beside a repository store that several instances share (every instance reads the logs)
    s.ci = new CiService(s, new LogStore(path.join(sharedFilesDir(s.config), 'ci')), new SecretService(s.db), s.runtime.selector);
  },
  subscribers: (s) => [
    subscriber({
      name: 'ci.queue',
      events: ['push'],
      handle: async ({ payload }) => {
        await s.ci.queuePush(payload);
      },
    }),
    subscriber({
      name: 'ci.status',
      events: ['ci.job'],
      // one at a time, and each posts the job's state now: a late delivery can't post an older state
      concurrency: 1,
      handle: async ({ payload }) => s.ci.postStatus(payload.jobId),
    }),
    subscriber({
      name: 'ci.notify',
      events: ['ci.job'],
      handle: async ({ id, payload }) => s.ci.notifyFailure(id, payload),
    }),
    subscriber({
      name: 'ci.cleanup',
      events: ['repo.deleted'],
      handle: async ({ payload }) => s.ci.logs.removeRepo(payload.repoId),
    }),
  ],
  routes: (api, s) => registerCiRoutes(api, s, s.ci),
  start: async (s) => {
    const log = s.log.child({ component: 'ci' });
    const live = new LiveLogs(s, s.ci, log);
    const detach = live.attach();
    const runner = new CiRunner(s, s.ci, new Workspaces(s.config.dataDir), live, log, {
      runnerId: s.shared.instance,
      exclusive: s.dialect === 'sqlite',
    });
    s.settings.onChange((changed) => {
      if (changed['ci.workers'] !== undefined || changed['ci.backend'] !== undefined) runner.kick();
    });
    await runner.start();
    // the console's first look and the first push find the backend probed already
    void s.ci
      .backend()
      .then(async (c) => {
        log.info({ backend: c.active?.name ?? null, reason: c.reason }, 'ci backend');
        if (c.active instanceof DockerRuntime) await c.active.removeLeftovers('ci');
      })
      .catch((err: unknown) => log.warn({ err }, 'ci: could not probe the backends'));
    return async () => {
      await runner.stop();
      detach();
    };
  },
};
