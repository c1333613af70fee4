// The security feature: secret scanning of each repository's history (a full rescan on request,
// an incremental scan of every push from the outbox), findings its administrators review and
// suppress, and the optional pre-receive refusal of private keys, as one module.
import type { FeatureModule } from '../feature.js';
import { subscriber } from '../events/index.js';
import '../access/index.js';
import '../audit/index.js';
import '../pushes/index.js';
import '../realtime/index.js';
import '../repos/index.js';
import './index.js';
import m0020 from './migrations/0020_security.js';
import { registerSecurityRoutes } from './routes.js';
import { SecurityService } from './service.js';

export const securityModule: FeatureModule = {
  name: 'security',
  migrations: { '0020_security': m0020 },
  services: (s) => {
    s.security = new SecurityService(s, s.log.child({ component: 'security' }));
    s.policy.addCheck((ctx) => s.security.checkPush(ctx));
  },
  subscribers: (s) => [
    subscriber({
      name: 'security.push',
      events: ['push'],
      // scans are CPU work: two at a time at most (one per repository, see the service's queue)
      concurrency: 2,
      handle: async ({ id, payload }) => s.security.scanPush(id, payload),
    }),
    subscriber({
      name: 'security.rescan',
      events: ['security.scan'],
      concurrency: 1,
      handle: async ({ payload }) => s.security.runFullScan(payload.scanId),
    }),
  ],
  routes: (api, s) => registerSecurityRoutes(api, s, s.security),
};
