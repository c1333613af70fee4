// The security view as the API returns it (the contract of server/security/json.ts).

export const FINDING_STATES = ['open', 'suppressed'] as const;
export type FindingState = (typeof FINDING_STATES)[number];

export interface Finding {
  id: number;
  rule_id: string;
  /** The rule's description ("GitHub token (personal, OAuth, app, refresh)"). */
  rule: string;
  /** content: a secret in a file; file: the file itself (a .env, a key store). */
  kind: 'content' | 'file';
  severity: 'high' | 'medium' | 'low';
  path: string;
  /** null for a finding about the file itself */
  line: number | null;
  /** The earliest commit that brought it in. */
  commit_sha: string;
  author: { name: string; email: string };
  committed_at: string;
  blob_sha: string;
  /** The first four characters and asterisks. */
  secret_preview: string | null;
  state: FindingState;
  suppressed_by: string | null;
  suppress_reason: string | null;
  suppressed_at: string | null;
  created_at: string;
  html_url: string;
  commit_url: string;
}

export type ScanState = 'queued' | 'running' | 'done' | 'failed';

export interface Scan {
  id: number;
  kind: 'full' | 'push';
  state: ScanState;
  /** history (walking commits) | blobs (reading files) | '' */
  phase: string;
  commits: number;
  blobs_total: number;
  blobs_done: number;
  bytes_scanned: number;
  findings_new: number;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

export interface ScanSummary {
  scan: Scan | null;
  open: number;
  suppressed: number;
}

export interface SecuritySettings {
  refuse_private_keys: boolean;
}
