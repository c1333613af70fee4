// The undo calls as the API returns them (the web-editing contract of issue 12): Gitea's
// FileCommitResponse for the commit a revert or restore wrote, and reset backups.
export interface CommitPerson {
  name: string;
  email: string;
  date: string;
}

export interface FileCommitResponse {
  sha: string;
  url: string;
  html_url: string;
  message: string;
  author: CommitPerson;
  committer: CommitPerson;
  parents: { sha: string; url: string }[];
  tree: { sha: string; url: string };
}

export interface RestoreBody {
  path: string;
  commit: string;
  branch?: string;
  message?: string;
  new_branch?: string;
  last_commit_id?: string;
}

export interface RestoreResult {
  commit: FileCommitResponse;
  branch: string;
}

export interface RevertBody {
  commit: string;
  branch?: string;
  message?: string;
}

export interface RevertResult {
  commit: FileCommitResponse;
  branch: string;
  /** Set when the branch is protected: the revert went to a new branch and this pull request. */
  pull: { number: number; html_url: string } | null;
}

export interface ResetBody {
  branch: string;
  sha: string;
  /** The branch name typed again. */
  confirm: string;
}

/** An old tip kept under refs/gitssy/backup/<branch>/<unix ms>. */
export interface ResetBackup {
  ref: string;
  branch: string;
  commit: string;
  created_at: string;
  by?: string | null;
}

export interface ResetResult {
  branch: string;
  old_commit: string;
  new_commit: string;
  backup: ResetBackup;
}

export interface UndoResetResult {
  branch: string;
  old_commit: string;
  new_commit: string;
}

/** A commit of a branch, as GET /commits lists it (only what the reset picker shows). */
export interface RecentCommit {
  sha: string;
  commit: { message: string; author: CommitPerson; committer: CommitPerson };
}
