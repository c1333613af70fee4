// The public surface of server/audit: what other features may import.
export * from './audit.js';

import type { AuditLog } from './audit.js';

declare module '../services.js' {
  interface Services {
    audit: AuditLog;
  }
}
