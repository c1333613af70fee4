// The issues feature's tables, added to the Database type.
import type { Generated, Selectable } from 'kysely';

type Id = Generated<number>;

export interface IssueIndexTable {
  repo_id: number;
  max_index: number;
}

export interface IssueTable {
  id: Id;
  repo_id: number;
  /** The number people see (#3), shared by issues and pull requests of a repository. */
  index: number;
  poster_id: number | null;
  title: string;
  body: string;
  is_pull: number;
  is_closed: number;
  num_comments: Generated<number>;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
  milestone_id: Generated<number | null>;
  is_confidential: Generated<number>;
  is_locked: Generated<number>;
  /** 0 when not pinned; pinned issues sort by it. */
  pin_order: Generated<number>;
}

/** `comment` is what people write; the other types are timeline entries the server adds. */
export type CommentType =
  | 'comment'
  | 'push'
  | 'force_push'
  | 'merge'
  | 'close'
  | 'reopen'
  | 'title'
  | 'review'
  | 'review_request'
  | 'base'
  | 'draft'
  | 'ready'
  | 'label'
  | 'milestone'
  | 'assignees'
  | 'ref'
  | 'commit_ref'
  | 'pin'
  | 'lock'
  | 'confidential';

export interface IssueCommentTable {
  id: Id;
  issue_id: number;
  poster_id: number | null;
  type: CommentType;
  body: string;
  data: Generated<string>;
  created_at: number;
  updated_at: number;
}

export interface IssueAssigneeTable {
  issue_id: number;
  user_id: number;
}

export interface LabelTable {
  id: Id;
  repo_id: number | null;
  org_id: number | null;
  name: string;
  lower_name: string;
  /** Six lower-case hex digits, no '#'. */
  color: string;
  description: Generated<string>;
  exclusive: Generated<number>;
  archived_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface IssueLabelTable {
  issue_id: number;
  label_id: number;
}

export interface MilestoneTable {
  id: Id;
  repo_id: number;
  title: string;
  description: Generated<string>;
  is_closed: Generated<number>;
  due_on: number | null;
  closed_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface ReactionTable {
  id: Id;
  issue_id: number;
  /** 0 for a reaction on the issue itself. */
  comment_id: Generated<number>;
  user_id: number;
  content: string;
  created_at: number;
}

export interface IssueMentionTable {
  issue_id: number;
  user_id: number;
}

export interface IssueCommitRefTable {
  issue_id: number;
  sha: string;
  closes: number;
  created_at: number;
}

export type IssueRow = Selectable<IssueTable>;
export type LabelRow = Selectable<LabelTable>;
export type MilestoneRow = Selectable<MilestoneTable>;
export type ReactionRow = Selectable<ReactionTable>;
export type CommentRow = Selectable<IssueCommentTable>;

declare module '../db/schema.js' {
  interface Database {
    issue_index: IssueIndexTable;
    issues: IssueTable;
    issue_comments: IssueCommentTable;
    issue_assignees: IssueAssigneeTable;
    labels: LabelTable;
    issue_labels: IssueLabelTable;
    milestones: MilestoneTable;
    reactions: ReactionTable;
    issue_mentions: IssueMentionTable;
    issue_commit_refs: IssueCommitRefTable;
  }
}
