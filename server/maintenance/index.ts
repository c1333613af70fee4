// The public surface of server/maintenance: what other features may import.
export * from './maintenance.js';

import type { MaintenanceService, PushTracker } from './maintenance.js';

declare module '../services.js' {
  interface Services {
    pushTracker: PushTracker;
    maintenance: MaintenanceService;
  }
}
