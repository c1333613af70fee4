// The security feature's tables, added to the db's `Database` by declaration merging.
import type { Generated, Selectable } from 'kysely';

export const FINDING_STATES = ['open', 'suppressed'] as const;
export type FindingState = (typeof FINDING_STATES)[number];

export const SCAN_KINDS = ['full', 'push'] as const;
export type ScanKind = (typeof SCAN_KINDS)[number];

export const SCAN_STATES = ['queued', 'running', 'done', 'failed'] as const;
export type ScanState = (typeof SCAN_STATES)[number];

export interface SecurityFindingTable {
  id: Generated<number>;
  repo_id: number;
  rule_id: string;
  /** sha256 of rule, path and secret: one finding per secret per file, however many versions held it. */
  fingerprint: string;
  path: string;
  /** 1-based line in the file at commit_sha; 0 for a finding about the file itself (a .env, a key store). */
  line: number;
  /** The earliest commit that brought the secret in at this path. */
  commit_sha: string;
  author_name: string;
  author_email: string;
  committed_at: number;
  blob_sha: string;
  /** The first four characters and asterisks; null for file findings. */
  secret_preview: string | null;
  state: FindingState;
  suppressed_by: number | null;
  suppress_reason: string | null;
  suppressed_at: number | null;
  /** The scan that found it first. */
  scan_id: number | null;
  created_at: number;
  updated_at: number;
}

export interface SecurityScanTable {
  id: Generated<number>;
  repo_id: number;
  kind: ScanKind;
  state: ScanState;
  /** The push event a `push` scan came from (one scan per event, whatever the redeliveries). */
  event_id: number | null;
  requested_by: number | null;
  /** history (walking commits) | blobs (reading and matching files) | saving */
  phase: string;
  commits: Generated<number>;
  blobs_total: Generated<number>;
  blobs_done: Generated<number>;
  bytes_scanned: Generated<number>;
  findings_new: Generated<number>;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
}

export interface SecurityRepoSettingsTable {
  repo_id: number;
  /** Refuse pushes (and web writes) that add a private key. */
  refuse_private_keys: number;
  /** JSON array of commits whose whole history has been scanned: a push scan reads only what they don't reach. */
  scanned_tips: string;
  updated_at: number;
}

export type SecurityFindingRow = Selectable<SecurityFindingTable>;
export type SecurityScanRow = Selectable<SecurityScanTable>;
export type SecurityRepoSettingsRow = Selectable<SecurityRepoSettingsTable>;

declare module '../db/schema.js' {
  interface Database {
    security_findings: SecurityFindingTable;
    security_scans: SecurityScanTable;
    security_repo_settings: SecurityRepoSettingsTable;
  }
}
