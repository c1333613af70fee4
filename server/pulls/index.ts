// The public surface of server/pulls: the pull request and review services, and the events and
// realtime messages the feature produces.
export { PullService, MergeRefused, type MergeOptions, type OpenPull, type PullView } from './service.js';
export { ReviewService, parsePatchLines, type ReviewEvent } from './reviews.js';
export type { PullRow, ReviewRow, LineCommentRow, MergeStatus, ReviewState } from './schema.js';
export { lineCommentJson, pullJson } from './json.js';

import type { PullService } from './service.js';
import type { ReviewService } from './reviews.js';
import type { ReviewState } from './schema.js';
import './schema.js';

interface PullEventBase {
  pullId: number;
  repoId: number;
  /** The number people see (#3). */
  index: number;
  actorId: number | null;
}

declare module '../services.js' {
  interface Services {
    pulls: PullService;
    reviews: ReviewService;
  }
}

declare module '../events/index.js' {
  interface EventMap {
    'pull.opened': PullEventBase;
    'pull.synchronized': PullEventBase & { oldHead: string; newHead: string; forced: boolean };
    'pull.reviewed': PullEventBase & { reviewId: number; state: Exclude<ReviewState, 'PENDING'> };
    'pull.review_requested': PullEventBase & { userId: number };
    'pull.commented': PullEventBase & { commentId: number };
    'pull.merged': PullEventBase & { sha: string; style: string };
    'pull.closed': PullEventBase;
    'pull.reopened': PullEventBase;
  }
}

declare module '../realtime/index.js' {
  interface RealtimeEvents {
    /** Something on a pull request changed (to the repository's room): refetch what `what` names. */
    'pull.updated': { repo: string; number: number; what: string };
  }
}
