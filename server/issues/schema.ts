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
}

/** `comment` is what people write; the other types are timeline entries the server adds. */
export type CommentType = 'comment' | 'push' | 'force_push' | 'merge' | 'close' | 'reopen' | 'title' | 'review' | 'review_request' | 'base' | 'draft' | 'ready';

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

export type IssueRow = Selectable<IssueTable>;
export type CommentRow = Selectable<IssueCommentTable>;

declare module '../db/schema.js' {
  interface Database {
    issue_index: IssueIndexTable;
    issues: IssueTable;
    issue_comments: IssueCommentTable;
    issue_assignees: IssueAssigneeTable;
  }
}
