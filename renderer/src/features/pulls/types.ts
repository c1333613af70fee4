// Pull requests as the API returns them: Gitea's PullRequest, PullReview and PullReviewComment
// (with Gitssy's fields: sides and ranges of line comments, mergeability and its reason), the
// compare result, a pull request's changed files and the conversation's timeline.
import type { Commit, FileStatus } from '../history/types';
import type { Repo } from '../repos/types';
import type { User } from '../users/types';

export type MergeableState = 'checking' | 'mergeable' | 'conflict' | 'empty' | 'unsupported' | 'error' | 'merged';
export type MergeStyle = 'merge' | 'squash' | 'rebase' | 'fast-forward-only';

export interface PullBranch {
  label: string;
  ref: string;
  sha: string;
  repo_id: number;
  /** null when the head is in a repository the viewer can't read */
  repo: Repo | null;
}

export interface PullRequest {
  id: number;
  number: number;
  user: User | null;
  title: string;
  body: string;
  body_html: string;
  assignees: User[];
  requested_reviewers: User[];
  state: 'open' | 'closed';
  draft: boolean;
  comments: number;
  review_comments: number;
  html_url: string;
  diff_url: string;
  patch_url: string;
  /** null while it is being computed */
  mergeable: boolean | null;
  mergeable_state: MergeableState;
  mergeable_message: string;
  conflicted_files: string[];
  merged: boolean;
  merged_at: string | null;
  merge_commit_sha: string | null;
  merged_by: User | null;
  merge_style: string | null;
  base: PullBranch;
  head: PullBranch;
  merge_base: string;
  additions?: number;
  deletions?: number;
  changed_files?: number;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

export type ReviewState = 'PENDING' | 'COMMENT' | 'APPROVED' | 'REQUEST_CHANGES';
export type ReviewEvent = 'COMMENT' | 'APPROVED' | 'REQUEST_CHANGES';

export interface Review {
  id: number;
  user: User | null;
  state: ReviewState;
  body: string;
  body_html: string;
  commit_id: string;
  stale: boolean;
  official: boolean;
  dismissed: boolean;
  comments_count: number;
  submitted_at: string | null;
  updated_at: string | null;
}

export type Side = 'LEFT' | 'RIGHT';

export interface LineComment {
  id: number;
  body: string;
  body_html: string;
  user: User | null;
  resolver: User | null;
  pull_request_review_id: number | null;
  /** the thread's first comment, for a reply */
  in_reply_to_id: number | null;
  path: string;
  side: Side;
  line: number;
  start_line: number | null;
  commit_id: string;
  diff_hunk: string;
  outdated: boolean;
  resolved: boolean;
  created_at: string;
  updated_at: string;
}

/** An issue comment, or an entry the server added to the timeline (push, merge, close, …). */
export interface TimelineComment {
  id: number;
  type: 'comment' | 'push' | 'force_push' | 'merge' | 'close' | 'reopen' | 'title' | 'review' | 'review_request' | 'base' | 'draft' | 'ready';
  user: User | null;
  body: string;
  body_html: string;
  data: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface Timeline {
  entries: { kind: 'entry'; at: number; entry: TimelineComment }[];
  reviews: Review[];
  comments: LineComment[];
}

/** A changed file of a pull request or a comparison. */
export interface ChangedFile {
  filename: string;
  /** '' or null when not renamed */
  previous_filename: string | null;
  status: FileStatus;
  additions: number;
  deletions: number;
  changes: number;
  binary: boolean;
  sha: string;
  previous_sha: string;
  patch: string | null;
  patch_truncated: boolean;
  /** pull request files only: whether you marked it viewed (and it hasn't changed since) */
  viewed?: boolean;
}

export interface Comparison {
  base: { ref: string; sha: string };
  head: { ref: string; sha: string; repo: string };
  merge_base: string | null;
  total_commits: number;
  commits: Commit[];
  files: ChangedFile[];
  total_files: number;
  truncated: boolean;
  /** the open pull request for this base and head, if there is one */
  pull_request: number | null;
}

export interface OpenPullBody {
  head: string;
  base: string;
  title: string;
  body: string;
  draft?: boolean;
  reviewers?: string[];
  assignees?: string[];
}

export interface MergeBody {
  Do: MergeStyle;
  merge_message_field?: string;
  delete_branch_after_merge?: boolean;
  head_commit_id: string;
}

export interface NewLineComment {
  path: string;
  body: string;
  side: Side;
  line: number;
  start_line?: number;
  pending: boolean;
}
