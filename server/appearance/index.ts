// The public surface of server/appearance: what other features may import.
export * from './appearance.js';

import type { AppearanceService } from './appearance.js';

declare module '../services.js' {
  interface Services {
    appearance: AppearanceService;
  }
}
