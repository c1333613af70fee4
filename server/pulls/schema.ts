// The pulls feature's tables, added to the Database type.
import type { Generated, Selectable } from 'kysely';

type Id = Generated<number>;

export type MergeStatus = 'checking' | 'mergeable' | 'conflict' | 'empty' | 'unsupported' | 'error';
export type ReviewState = 'PENDING' | 'COMMENT' | 'APPROVED' | 'REQUEST_CHANGES';

export interface PullRequestTable {
  id: Id;
  issue_id: number;
  repo_id: number;
  index: number;
  head_repo_id: number | null;
  head_branch: string;
  head_sha: string;
  base_branch: string;
  merge_base: string;
  status: MergeStatus;
  status_message: Generated<string>;
  conflicted_files: Generated<string>;
  checked_base_sha: string | null;
  checked_head_sha: string | null;
  is_draft: Generated<number>;
  has_merged: Generated<number>;
  merged_at: number | null;
  merged_by: number | null;
  merge_commit_sha: string | null;
  merge_style: string | null;
  pending_merge: string | null;
  created_at: number;
  updated_at: number;
}

export interface PullReviewTable {
  id: Id;
  pull_id: number;
  reviewer_id: number | null;
  state: ReviewState;
  body: string;
  commit_id: string;
  official: Generated<number>;
  stale: Generated<number>;
  dismissed: Generated<number>;
  submitted_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface PullReviewRequestTable {
  pull_id: number;
  user_id: number;
  requested_by: number | null;
  created_at: number;
}

export interface PullLineCommentTable {
  id: Id;
  pull_id: number;
  review_id: number | null;
  poster_id: number | null;
  path: string;
  side: 'LEFT' | 'RIGHT';
  line: number;
  start_line: number | null;
  commit_id: string;
  base_commit_id: string;
  line_text: string;
  diff_hunk: string;
  body: string;
  reply_to: number | null;
  outdated: Generated<number>;
  resolved_by: number | null;
  resolved_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface PullViewedFileTable {
  pull_id: number;
  user_id: number;
  path: string;
  blob_sha: string;
}

export type PullRow = Selectable<PullRequestTable>;
export type ReviewRow = Selectable<PullReviewTable>;
export type LineCommentRow = Selectable<PullLineCommentTable>;

declare module '../db/schema.js' {
  interface Database {
    pull_requests: PullRequestTable;
    pull_reviews: PullReviewTable;
    pull_review_requests: PullReviewRequestTable;
    pull_line_comments: PullLineCommentTable;
    pull_viewed_files: PullViewedFileTable;
  }
}
