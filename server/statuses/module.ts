// The commit statuses feature: its table, service and routes, as one module. Pull requests read
// the combined state through `s.statuses`; CI posts through it.
import type { FeatureModule } from '../feature.js';
import '../repos/index.js';
import '../settings/index.js';
import m0012 from './migrations/0012_commit_statuses.js';
import { registerStatusRoutes } from './routes.js';
import { StatusService } from './service.js';

export const statusesModule: FeatureModule = {
  name: 'statuses',
  migrations: { '0012_commit_statuses': m0012 },
  services: (s) => {
    s.statuses = new StatusService(s.db, s.events, s.realtime, () => (s.settings.get('instance.publicUrl') || s.config.baseUrl || '').replace(/\/+$/, ''));
  },
  routes: (api, s) => registerStatusRoutes(api, s, s.statuses),
};
