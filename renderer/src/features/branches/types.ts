// Branches and tags as the API returns them (Gitea's Branch and Tag).
export interface BranchCommit {
  id: string;
  message: string;
  url: string;
  author: { name: string; email: string; username: string };
  committer: { name: string; email: string; username: string };
  timestamp: string;
}

export interface Branch {
  name: string;
  commit: BranchCommit;
  protected: boolean;
  user_can_push: boolean;
  effective_branch_protection_name: string;
}

export interface Tag {
  name: string;
  message: string;
  id: string;
  commit: { sha: string; created: string } | null;
  zipball_url: string;
  tarball_url: string;
}
