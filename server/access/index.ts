// The public surface of server/access: what other features may import.
export * from './access.js';
export * from './scopes.js';

import type { AccessService } from './access.js';

declare module '../services.js' {
  interface Services {
    access: AccessService;
  }
}
