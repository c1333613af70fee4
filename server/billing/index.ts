// The public surface of server/billing: the service (credits, what things cost) and its shapes.
export { BillingService, entryJson, type EntryJson, type PlanJson } from './service.js';
export { currencyForLocale } from './currency.js';

import type { BillingService } from './service.js';
import './schema.js';

declare module '../services.js' {
  interface Services {
    billing: BillingService;
  }
}
