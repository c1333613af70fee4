// The public surface of server/ci: the service other features read jobs through, the job shape,
// the events it produces (the backends jobs run on are server/runtime's, shared with dev shells).
export { CI_CONTEXT, CiService, statusFor, type CiJobEvent } from './service.js';
export { jobJson, type CiJobJson } from './json.js';
export { JOB_STATES, type CiJobRow, type JobState } from './schema.js';

import type { CiJobJson } from './json.js';
import type { CiJobEvent, CiService } from './service.js';
import type { LogChunk } from './live.js';
import './schema.js';

declare module '../services.js' {
  interface Services {
    ci: CiService;
  }
}

declare module '../events/index.js' {
  interface EventMap {
    /** A CI job was queued, skipped, started or finished (recorded with the change). */
    'ci.job': CiJobEvent;
  }
}

declare module '../realtime/index.js' {
  interface RealtimeEvents {
    /** A CI job of this repository changed state. */
    'ci.job': { repo: string; job: CiJobJson };
    /** Output of a CI job the socket watches (`ci.watch`), from byte `offset` of its log. */
    'ci.log': LogChunk;
  }
}
