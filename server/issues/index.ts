// The public surface of server/issues: the number sequence and timeline that issues and pull
// requests share, and the events they produce.
export { IssueService, cleanTitle, checkBody, TITLE_MAX, BODY_MAX, type NewIssue } from './service.js';
export { commentJson, renderBody } from './json.js';
export { blankCode, findMentions } from './mentions.js';
export type { CommentRow, CommentType, IssueRow } from './schema.js';

import type { IssueService } from './service.js';
import './schema.js';

export interface CommentCreatedEvent {
  repoId: number;
  issueId: number;
  index: number;
  isPull: boolean;
  commentId: number;
  posterId: number;
}

declare module '../services.js' {
  interface Services {
    issues: IssueService;
  }
}

declare module '../events/index.js' {
  interface EventMap {
    'comment.created': CommentCreatedEvent;
  }
}
