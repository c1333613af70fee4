// The public surface of server/orgs: what other features may import.
export * from './orgs.js';

import type { OrgService } from './orgs.js';

declare module '../services.js' {
  interface Services {
    orgs: OrgService;
  }
}
