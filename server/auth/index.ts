// The public surface of server/auth: what other features may import.
export * from './session-store.js';
export type { FailureStore } from './limits.js';

import type { SetupService } from './setup.js';
import type { AbuseLimits } from './limits.js';

declare module '../services.js' {
  interface Services {
    /** The first-run claim: the one-time setup token. */
    setup: SetupService;
    /** Failed sign-ins and concurrent git sessions, per account and per address. */
    limits: AbuseLimits;
  }
}
