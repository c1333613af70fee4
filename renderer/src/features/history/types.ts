// History as the API returns it: Gitea's Commit, Gitssy's commit diff and contributors.
import type { User } from '../users/types';

export interface CommitUser {
  name: string;
  email: string;
  date: string;
}

export interface Commit {
  sha: string;
  created: string;
  html_url: string;
  commit: { author: CommitUser; committer: CommitUser; message: string; tree: { sha: string } };
  /** The accounts the author and committer emails belong to, when they do. */
  author: User | null;
  committer: User | null;
  parents: { sha: string }[];
}

export type FileStatus = 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unmerged' | 'unknown';

export interface FileDiff {
  filename: string;
  previous_filename: string | null;
  status: FileStatus;
  similarity: number | null;
  additions: number;
  deletions: number;
  changes: number;
  binary: boolean;
  old_mode: string;
  new_mode: string;
  sha: string;
  previous_sha: string;
  /** The unified patch (git headers included); null past the server's file cap. */
  patch: string | null;
  patch_truncated: boolean;
}

export interface CommitDiff {
  commit: Commit;
  files: FileDiff[];
  total_files: number;
  stats: { total: number; additions: number; deletions: number };
  truncated: boolean;
}

export interface ResolvedRefPath {
  ref: { name: string; kind: 'branch' | 'tag' | 'commit'; commit: string };
  path: string;
}

export interface Contributor {
  name: string;
  email: string;
  commits: number;
  /** The account the email belongs to, or null. */
  login: string | null;
}
