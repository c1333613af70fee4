// The public surface of server/keys: what other features may import.
export * from './keys.js';

import type { KeyService } from './keys.js';

declare module '../services.js' {
  interface Services {
    keys: KeyService;
  }
}
