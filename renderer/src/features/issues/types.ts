// Issues as the API returns them: Gitea's Issue, Label, Milestone, IssueTemplate and Comment
// shapes, with Gitssy's fields (`body_html`, `confidential`, the timeline's reactions).
import type { User } from '../users/types';

export interface Label {
  id: number;
  name: string;
  /** six hex digits, no `#` (the API accepts either on the way in) */
  color: string;
  description: string;
  /** a scoped name `scope/value` whose scope allows one label per issue (`priority/high`) */
  exclusive: boolean;
  is_archived: boolean;
  url: string;
}

export interface Milestone {
  id: number;
  title: string;
  description: string;
  state: 'open' | 'closed';
  open_issues: number;
  closed_issues: number;
  created_at: string | null;
  updated_at: string | null;
  closed_at: string | null;
  due_on: string | null;
}

export interface Issue {
  id: number;
  number: number;
  html_url: string;
  user: User | null;
  title: string;
  body: string;
  /** one issue's answers carry it; list rows don't */
  body_html?: string;
  labels: Label[];
  milestone: Milestone | null;
  assignees: User[];
  state: 'open' | 'closed';
  is_locked: boolean;
  confidential: boolean;
  comments: number;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  /** set for pull requests (they share the number sequence and the list endpoint) */
  pull_request: { merged: boolean; merged_at: string | null; draft: boolean; html_url: string } | null;
  /** 0: not pinned; pinned issues sort by it */
  pin_order: number;
}

export { REACTIONS, type ReactionContent } from '../../components/Reactions';

/** Who reacted with what, by user name. */
export interface ReactionSummary {
  content: string;
  users: string[];
}

export type EntryType = 'comment' | 'close' | 'reopen' | 'title' | 'label' | 'milestone' | 'assignees' | 'ref' | 'commit_ref' | 'pin' | 'lock' | 'confidential';

/** A comment, or an entry the server added to the conversation (a close, a label change, a reference…). */
export interface TimelineEntry {
  id: number;
  /** pull request entry types can appear too (push, merge…): unknown ones are skipped */
  type: EntryType | (string & {});
  user: User | null;
  body: string;
  body_html: string;
  data: Record<string, unknown>;
  html_url: string;
  created_at: string;
  updated_at: string;
  reactions: ReactionSummary[];
}

export interface IssueTimeline {
  entries: TimelineEntry[];
  /** on the issue itself */
  reactions: ReactionSummary[];
  /** every label usable here (the repository's and its organization's), to name label entries */
  labels: Label[];
}

export interface IssueTemplate {
  name: string;
  about: string;
  title: string;
  labels: string[];
  assignees: string[];
  content: string;
  file_name: string;
}

export interface NewIssue {
  title: string;
  body: string;
  labels?: number[];
  milestone?: number;
  assignees?: string[];
  confidential?: boolean;
}

export interface IssueEdit {
  title?: string;
  body?: string;
  state?: 'open' | 'closed';
  assignees?: string[];
  /** 0 clears it */
  milestone?: number;
  confidential?: boolean;
}

export type IssueSort = 'newest' | 'oldest' | 'recentupdate' | 'mostcomment';

/** The list page's filters, as they appear in its URL. */
export interface IssueFilters {
  state?: 'closed' | 'all';
  labels?: string;
  milestone?: string;
  assignee?: string;
  author?: string;
  mentioned?: string;
  q?: string;
  sort?: IssueSort;
  page?: number;
}

export interface LabelBody {
  name: string;
  color: string;
  description: string;
  exclusive: boolean;
}

export interface MilestoneBody {
  title: string;
  description: string;
  /** YYYY-MM-DD, or null to clear */
  due_on: string | null;
  state?: 'open' | 'closed';
}
