// The public surface of server/orgs: what other features may import.
export * from './orgs.js';

import type { OrgService } from './orgs.js';

declare module '../services.js' {
  interface Services {
    orgs: OrgService;
  }
}

declare module '../events/index.js' {
  interface EventMap {
    /** Someone joined or left an organization (role null), or changed role: who may read its repositories changed. */
    'org.members': { orgId: number; userId: number; role: string | null };
  }
}
