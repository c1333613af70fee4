// Row types of the base tables, as Kysely sees them (feature modules add theirs to `Database`
// by declaration merging, beside their migrations). Booleans are 0/1 integers, times epoch-ms
// integers and JSON is text, so the same schema runs on SQLite and PostgreSQL.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Id = Generated<number>;

export interface UserTable {
  id: Id;
  name: string;
  lower_name: string;
  full_name: string;
  email: string;
  /** 0 = individual, 1 = organization */
  type: number;
  password_hash: string | null;
  is_admin: number;
  /** 0 while waiting for an administrator's approval */
  is_active: number;
  /** 1 = disabled by an administrator: may not sign in or use tokens */
  prohibit_login: number;
  failed_logins: number;
  /** start of the window in which failed_logins are counted */
  failed_window_start: Generated<number | null>;
  locked_until: number | null;
  description: string;
  website: string;
  location: Generated<string>;
  pronouns: Generated<string>;
  /** how many follow this user, and how many this user follows (kept by the social feature) */
  num_followers: Generated<number>;
  num_following: Generated<number>;
  /** organizations only: public | limited | private (Gitea's names) */
  visibility: string;
  /** organizations only: every signed-in user may write to its non-private repositories */
  public_writable: Generated<number>;
  /** 1 = an administrator set the password: the user must choose a new one before using the account */
  must_change_password: Generated<number>;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
}

export interface EmailTable {
  id: Id;
  user_id: number;
  email: string;
  lower_email: string;
  is_primary: number;
  is_activated: number;
}

export interface SessionTable {
  sid: string;
  user_id: number | null;
  data: string;
  expires_at: number;
}

export interface RememberTokenTable {
  id: Id;
  selector: string;
  validator_hash: string;
  user_id: number;
  created_at: number;
  expires_at: number;
  last_used_at: number | null;
}

export interface AccessTokenTable {
  id: Id;
  user_id: number;
  name: string;
  token_hash: string;
  token_last_eight: string;
  scopes: string;
  created_at: number;
  last_used_at: number | null;
  /** Set: the token works for git over HTTP on this repository only (a dev shell's credentials). */
  repo_id: number | null;
  /** Set: the token stops working at this time (ms). */
  expires_at: number | null;
}

export interface SshKeyTable {
  id: Id;
  user_id: number;
  name: string;
  fingerprint: string;
  content: string;
  key_type: string;
  created_at: number;
  last_used_at: number | null;
}

export interface OrgMemberTable {
  org_id: number;
  user_id: number;
  /** owner | member */
  role: string;
  created_at: number;
}

export interface RepositoryTable {
  id: Id;
  owner_id: number;
  name: string;
  lower_name: string;
  description: string;
  website: string;
  /** public | internal | private */
  visibility: string;
  default_branch: string;
  is_empty: number;
  fork_id: number | null;
  num_forks: number;
  num_stars: number;
  num_watches: number;
  size: number;
  created_at: number;
  updated_at: number;
  /** 1 once repo_refs holds a snapshot of the refs (see the push recorder) */
  refs_synced: Generated<number>;
}

export interface RepoRefTable {
  repo_id: number;
  ref: string;
  sha: string;
}

export interface PushEventTable {
  id: Id;
  repo_id: number;
  pusher_id: number | null;
  transport: string;
  /** JSON: [{ref, oldSha, newSha}] */
  updates: string;
  created_at: number;
}

export interface BranchProtectionTable {
  id: Id;
  repo_id: number;
  /** a branch name or a glob (`release/*`) */
  rule_name: string;
  enable_force_push: number;
  enable_deletion: number;
  /** Approvals (from users who may write) a pull request needs before it may be merged. */
  required_approvals: Generated<number>;
  /** A push to the head makes earlier approvals stale (they no longer count). */
  dismiss_stale_approvals: Generated<number>;
  /** A standing "changes requested" review blocks the merge. */
  block_on_rejected_reviews: Generated<number>;
  /** The head's commit statuses must be success. */
  enable_status_check: Generated<number>;
  /** JSON array of the status contexts required; `[]`: every context posted. */
  status_check_contexts: Generated<string>;
  /** Only the listed users may merge. */
  enable_merge_whitelist: Generated<number>;
  /** JSON array of user names. */
  merge_whitelist_usernames: Generated<string>;
  created_at: number;
  updated_at: number;
}

export interface CollaborationTable {
  repo_id: number;
  user_id: number;
  /** read | write | admin */
  role: string;
  created_at: number;
}

export interface StarTable {
  user_id: number;
  repo_id: number;
  created_at: number;
}

export interface WatchTable {
  user_id: number;
  repo_id: number;
  created_at: number;
}

export interface SettingTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface AuditLogTable {
  id: Id;
  actor_id: number | null;
  action: string;
  target_type: string;
  target_id: number | null;
  detail: string;
  ip: string | null;
  /** Set when the entry was written from an outbox event (unique). */
  event_id: Generated<number | null>;
  created_at: ColumnType<number, number, never>;
}

/** Cache of the tree view's last-commit column (see server/git/last-commit.ts). */
export interface LastCommitTable {
  repo_id: number;
  /** The commit whose tree was listed. */
  commit_sha: string;
  /** Entry path from the repository root (the directory itself for its own last commit). */
  path: string;
  /** Newest commit reachable from commit_sha that changed path. */
  last_sha: string;
  created_at: number;
}

export interface Database {
  users: UserTable;
  emails: EmailTable;
  sessions: SessionTable;
  access_tokens: AccessTokenTable;
  remember_tokens: RememberTokenTable;
  ssh_keys: SshKeyTable;
  org_members: OrgMemberTable;
  repositories: RepositoryTable;
  collaborations: CollaborationTable;
  stars: StarTable;
  watches: WatchTable;
  settings: SettingTable;
  audit_log: AuditLogTable;
  repo_refs: RepoRefTable;
  push_events: PushEventTable;
  branch_protections: BranchProtectionTable;
  last_commits: LastCommitTable;
  user_appearance: UserAppearanceTable;
  events: EventTable;
  event_deliveries: EventDeliveryTable;
  cluster_secrets: ClusterSecretTable;
  cluster_leases: ClusterLeaseTable;
}

/** The durable outbox (server/events): one row per event, JSON payload. */
export interface EventTable {
  id: Id;
  type: string;
  payload: string;
  created_at: number;
}

/** One subscriber's delivery of one event: pending, running (claimed until locked_until) or dead. */
export interface EventDeliveryTable {
  event_id: number;
  subscriber: string;
  state: string;
  attempts: Generated<number>;
  run_at: number;
  locked_until: number | null;
  /** The instance that claimed it while running (scale/instance-id.ts); null otherwise. */
  locked_by: string | null;
  last_error: string | null;
  updated_at: number;
}

/** What every instance on one database must hold alike (the SSH host key), made by the first to start. */
export interface ClusterSecretTable {
  name: string;
  value: string;
  created_at: number;
}

/** Work done once for the whole forge: who claimed which slot (a scheduled backup's, say). */
export interface ClusterLeaseTable {
  name: string;
  /** The slot claimed, as an ISO time (later slots sort after earlier ones). */
  slot: string;
  holder: string;
  taken_at: number;
}

export interface UserAppearanceTable {
  user_id: number;
  preset: string;
  background: string;
  cursor: string;
  font: string;
  updated_at: number;
}

export type UserRow = Selectable<UserTable>;
export type NewUser = Insertable<UserTable>;
export type UserUpdate = Updateable<UserTable>;
export type RepoRow = Selectable<RepositoryTable>;
export type NewRepo = Insertable<RepositoryTable>;
export type AccessTokenRow = Selectable<AccessTokenTable>;
