// The public surface of server/branches: branch and tag listings, web branch writes.
export * from './branch-service.js';

import type { BranchService } from './branch-service.js';

declare module '../services.js' {
  interface Services {
    /** Branch and tag listing; branch creation and deletion from the web (through the RefWriter). */
    branches: BranchService;
  }
}
