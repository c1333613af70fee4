// The public surface of server/security: the service (findings, scans, the private-key check),
// the ruleset and the JSON shapes, and the events the feature adds.
export { SecurityService, SUPPRESS_REASON_MAX, type FindingQuery, type SecuritySettings } from './service.js';
export { RULES, CONTENT_RULES, FILE_RULES, PRIVATE_KEY_RULES, shannon, redact, type Rule, type ContentRule, type FileRule } from './rules.js';
export { scanText, scanPath } from './scanner.js';
export { scanRevs, walkHistory, type RawFinding } from './history.js';
export { findingJson, scanJson, type FindingJson, type ScanJson } from './json.js';
export { FINDING_STATES, SCAN_KINDS, SCAN_STATES, type FindingState, type ScanKind, type ScanState, type SecurityFindingRow, type SecurityScanRow } from './schema.js';

import type { ScanJson } from './json.js';
import type { SecurityService } from './service.js';
import './schema.js';

declare module '../services.js' {
  interface Services {
    security: SecurityService;
  }
}

declare module '../events/index.js' {
  interface EventMap {
    /** A full rescan an administrator asked for (its row in security_scans). */
    'security.scan': { scanId: number; repoId: number };
  }
}

declare module '../realtime/index.js' {
  interface RealtimeEvents {
    /** A scan of this repository moved (queued, progress, done, failed); to its administrators only. */
    'security.scan': { repo: string; scan: ScanJson };
  }
}
