// The public surface of server/statuses: the service pull requests and CI read and post commit
// statuses through, the shapes, and the events it produces.
export {
  combineStates,
  contextMatcher,
  DEFAULT_CONTEXT,
  newStatusSchema,
  STATUS_LIMITS,
  STATUS_SORTS,
  STATUS_STATES,
  StatusService,
  type CombinedState,
  type CombinedStatus,
  type NewStatus,
  type NewStatusInput,
  type StatusCreatedEvent,
  type StatusCreatedLive,
  type StatusSort,
  type StatusState,
} from './service.js';
export { creatorJson, statusJson, type CommitStatusJson, type StatusRepo } from './json.js';
export type { CommitStatusRow, StatusRecord } from './schema.js';

import type { StatusCreatedEvent, StatusCreatedLive, StatusService } from './service.js';
import './schema.js';

declare module '../services.js' {
  interface Services {
    statuses: StatusService;
  }
}

declare module '../events/index.js' {
  interface EventMap {
    'status.created': StatusCreatedEvent;
  }
}

declare module '../realtime/index.js' {
  interface RealtimeEvents {
    /** A commit status was posted in this repository (Gitea's CommitStatus, and the commit's combined state now). */
    'status.created': StatusCreatedLive;
  }
}
