// The wiki as the API returns it (Gitea's WikiPage, WikiPageMetaData and WikiCommitList shapes,
// plus the fields Gitssy adds for the UI: the page name, its blob sha and rendered HTML).

export interface WikiCommitUser {
  name: string;
  email: string;
  date: string;
}

export interface WikiCommit {
  sha: string;
  author: WikiCommitUser;
  committer: WikiCommitUser;
  message: string;
}

export interface WikiPageMeta {
  title: string;
  html_url: string;
  /** The page name as it goes in URLs (percent-encoded). */
  sub_url: string;
  last_commit: WikiCommit | null;
}

export interface WikiPage extends WikiPageMeta {
  content_base64: string;
  commit_count: number;
  sidebar: string;
  footer: string;
  /** The page name (file name without `.md`). */
  name: string;
  /** The page's blob id: an edit sends it back so a concurrent change is a 409, not lost. */
  sha: string;
  commit_id: string;
  content_html?: string;
  sidebar_html?: string;
  footer_html?: string;
}

export interface WikiCommitList {
  commits: WikiCommit[];
  count: number;
}

export interface WikiSearchHit {
  title: string;
  sub_url: string;
  html_url: string;
  matches: { line: number; text: string }[];
}
