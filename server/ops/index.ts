// The public surface of server/ops: what other features may import.
export * from '../lib/cidr.js';
export * from './env-file.js';
export * from './logs.js';
export * from './setup-wizard.js';
export * from './status.js';

import type { TrustedNetworks } from '../lib/cidr.js';
import type { MailService } from './mail.js';
import type { OpsRuntime } from './runtime.js';

declare module '../services.js' {
  interface Services {
    /** Trusted IP ranges (access.allowCidrs) every transport checks before serving. */
    trusted: TrustedNetworks;
    /** Outgoing mail with the smtp.* settings. */
    mail: MailService;
    /** Process facts for the operator console: start time, log dir, listeners, LAN advertiser. */
    ops: OpsRuntime;
  }
}
