// The CI feature's tables, added to the db's `Database` by declaration merging.
import type { Generated, Selectable } from 'kysely';

export const JOB_STATES = ['queued', 'running', 'success', 'failure', 'error', 'timed_out', 'cancelled', 'skipped'] as const;
export type JobState = (typeof JOB_STATES)[number];
/** States a job never leaves. */
export const FINISHED_STATES: readonly JobState[] = ['success', 'failure', 'error', 'timed_out', 'cancelled', 'skipped'];

export interface CiJobTable {
  id: Generated<number>;
  repo_id: number;
  /** Full lowercase commit id. */
  sha: string;
  /** refs/heads/<branch> the commit was pushed to. */
  ref: string;
  state: JobState;
  /** The job this one re-runs (null: queued by a push). */
  rerun_of: number | null;
  /** Who pushed (or asked for the re-run); told when it fails. */
  pusher_id: number | null;
  backend: string | null;
  image: string | null;
  exit_code: number | null;
  /** A sentence on why it ended as it did (errors, limits, who cancelled it). */
  reason: string | null;
  cancel_requested: Generated<number>;
  cancelled_by: number | null;
  runner: string | null;
  heartbeat_at: number | null;
  /** Size of the stored log once the job has finished. */
  log_bytes: Generated<number>;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface CiSecretTable {
  repo_id: number;
  name: string;
  value: string;
  description: Generated<string>;
  created_at: number;
  updated_at: number;
}

export interface CiRepoSettingsTable {
  repo_id: number;
  /** The operator's image for this repository's jobs (null: the console's default). */
  image: string | null;
  updated_at: number;
}

export type CiJobRow = Selectable<CiJobTable>;

declare module '../db/schema.js' {
  interface Database {
    ci_jobs: CiJobTable;
    ci_secrets: CiSecretTable;
    ci_repo_settings: CiRepoSettingsTable;
  }
}
