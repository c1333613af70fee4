// Billing as a module: the ledger and plans, Stripe Checkout and its webhook, and the hooks that
// make dev shells and CI minutes cost credits (they read the setting on every call, so turning
// billing on or off needs no restart).
import type { FeatureModule } from '../feature.js';
import { subscriber } from '../events/index.js';
import '../ci/index.js';
import '../settings/index.js';
import '../shells/index.js';
import './index.js';
import m0023 from './migrations/0023_billing.js';
import { registerBillingRoutes } from './routes.js';
import { BillingService } from './service.js';

const FINISHED = new Set(['success', 'failure', 'error', 'timed_out', 'cancelled']);

export const billingModule: FeatureModule = {
  name: 'billing',
  migrations: { '0023_billing': m0023 },
  services: (s) => {
    s.billing = new BillingService(s, s.log.child({ component: 'billing' }));
  },
  subscribers: (s) => [
    subscriber({
      name: 'billing.ci',
      events: ['ci.job'],
      handle: async ({ payload }) => {
        if (!FINISHED.has(payload.state) || payload.pusherId === null || !s.billing.enabled) return;
        const job = await s.ci.byId(payload.jobId);
        if (!job?.started_at || !job.finished_at) return;
        const minutes = Math.max(1, Math.ceil((job.finished_at - job.started_at) / 60_000));
        await s.billing.charge(payload.pusherId, 'ci', `ci:${job.id}`, minutes);
      },
    }),
  ],
  routes: (api, s) => registerBillingRoutes(api, s, s.billing),
  start: (s) => {
    s.shells.setBilling({
      mayStart: (userId) => s.billing.mayStartShell(userId),
      charge: (userId, shellId, minutes) => s.billing.charge(userId, 'shell', `shell:${shellId}`, minutes),
    });
    return () => s.shells.setBilling(null);
  },
};
