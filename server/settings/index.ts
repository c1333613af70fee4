// The public surface of server/settings: what other features may import.
export * from './settings.js';

import type { SettingsService } from './settings.js';

declare module '../services.js' {
  interface Services {
    settings: SettingsService;
  }
}
