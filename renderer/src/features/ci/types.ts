// CI as the API returns it (the contract of server/ci): jobs, the console's view of the queue
// and the runtime backends, and the commit statuses the icons show.

export const JOB_STATES = ['queued', 'running', 'success', 'failure', 'error', 'timed_out', 'cancelled', 'skipped'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface CiJob {
  id: number;
  /** "owner/name" */
  repo: string;
  sha: string;
  /** refs/heads/x */
  ref: string;
  branch: string;
  state: JobState;
  backend: 'docker' | 'podman' | 'sandbox' | null;
  image: string | null;
  exit_code: number | null;
  /** Why it ended as it did (no backend, timed out, cancelled by …), when the server says. */
  reason: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  pusher: { login: string; avatar_url: string } | null;
  rerun_of: number | null;
  html_url: string;
  log_url: string;
}

export interface BackendCandidate {
  name: string;
  ok: boolean;
  detail?: string;
  reason?: string;
}

export interface AdminCi {
  backend: { setting: string; active: string | null; reason: string; candidates: BackendCandidate[] };
  workers: number;
  limits: Record<string, unknown>;
  default_image: string;
  queued: CiJob[];
  running: CiJob[];
}

/** Gitea's combined state: '' when the commit has no statuses. */
export type CombinedState = '' | 'pending' | 'success' | 'failure' | 'error';

/** One commit's combined state, as the batch endpoint answers it. */
export interface StatusSummary {
  state: CombinedState;
  total_count: number;
}

/** Gitea's CommitStatus (the fields the icons show). */
export interface CommitStatus {
  id: number;
  state: 'pending' | 'success' | 'error' | 'failure' | 'warning';
  target_url: string;
  description: string;
  context: string;
  created_at: string;
  updated_at: string;
}

/** Gitea's CombinedStatus (the fields the icons show). */
export interface CombinedStatus {
  state: CombinedState;
  sha: string;
  total_count: number;
  statuses: CommitStatus[];
}

/** A repository's CI settings (`GET …/ci/settings`): its own image, the console's default, what runs. */
export interface CiSettings {
  /** The operator's image for this repository (null: the console's default). */
  image: string | null;
  default_image: string | null;
  /** The image its jobs run in now (null on the host sandbox, which has none). */
  effective_image: string | null;
  backend: 'docker' | 'podman' | 'sandbox' | null;
}

/** A repository's CI secret: its name only (values are write-only). */
export interface CiSecret {
  name: string;
  description: string;
  created_at: string;
}
