// The public surface of server/shells: the service (billing plugs its hook in here) and the
// shapes the API and the socket send.
export { ShellService, type ShellBilling } from './service.js';
export { shellJson, type ShellJson } from './json.js';
export { SHELL_STATES, type ShellRow, type ShellState } from './schema.js';
export type { ShellLimits } from './limits.js';

import type { ShellJson } from './json.js';
import type { ShellService } from './service.js';
import './schema.js';

declare module '../services.js' {
  interface Services {
    shells: ShellService;
  }
}

declare module '../realtime/index.js' {
  interface RealtimeEvents {
    /** One of the user's dev shells changed state (also to administrators, for the console). */
    'shell.state': { shell: ShellJson };
  }
}
