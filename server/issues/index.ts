// The public surface of server/issues: the number sequence and timeline that issues and pull
// requests share, and the events they produce.
export { IssueService, cleanTitle, checkBody, TITLE_MAX, BODY_MAX, type NewIssue } from './service.js';
export { commentJson, issueJson, labelJson, milestoneJson, renderBody } from './json.js';
export { blankCode, findMentions } from './mentions.js';
export { findReferences, type IssueRef } from './references.js';
export { LabelService, cleanColor, parseDate, LABELS_PER_ISSUE_MAX } from './labels.js';
export { IssueTracker, REACTIONS, type Viewer } from './tracker.js';
export type { CommentRow, CommentType, IssueRow, LabelRow, MilestoneRow, ReactionRow } from './schema.js';

import type { LabelService } from './labels.js';
import type { IssueService } from './service.js';
import type { IssueTracker } from './tracker.js';
import './schema.js';

export interface CommentCreatedEvent {
  repoId: number;
  issueId: number;
  index: number;
  isPull: boolean;
  commentId: number;
  posterId: number;
}

export interface IssueOpenedEvent {
  repoId: number;
  issueId: number;
  index: number;
  actorId: number;
}

export interface IssueChangedEvent {
  repoId: number;
  issueId: number;
  index: number;
  actorId: number | null;
  change: 'edited' | 'closed' | 'reopened' | 'assigned';
  /** Newly assigned users (change 'assigned'). */
  assigned?: number[];
  /** The commit that closed it (change 'closed' by a push). */
  commit?: string;
}

declare module '../services.js' {
  interface Services {
    issues: IssueService;
    labels: LabelService;
    tracker: IssueTracker;
  }
}

declare module '../events/index.js' {
  interface EventMap {
    'comment.created': CommentCreatedEvent;
    'issue.opened': IssueOpenedEvent;
    'issue.changed': IssueChangedEvent;
  }
}

declare module '../realtime/index.js' {
  interface RealtimeEvents {
    /** Something on an issue's page changed (comment, state, labels…): re-read it. */
    'issue.updated': { repo: string; number: number; what: string };
  }
}
