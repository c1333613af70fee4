// A job as the API and live events show it. URLs are made absolute with `base` ('' makes them
// site-relative, as in live events when no public URL is configured).
import type { UserRow } from '../db/schema.js';
import type { CiJobRow } from './schema.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function jobJson(job: CiJobRow, repo: { owner: string; name: string }, pusher: UserRow | null, base: string) {
  const full = `${repo.owner}/${repo.name}`;
  return {
    id: job.id,
    repo: full,
    sha: job.sha,
    ref: job.ref,
    branch: job.ref.startsWith('refs/heads/') ? job.ref.slice('refs/heads/'.length) : job.ref,
    state: job.state,
    backend: job.backend,
    image: job.image,
    exit_code: job.exit_code,
    reason: job.reason,
    created_at: iso(job.created_at),
    started_at: iso(job.started_at),
    finished_at: iso(job.finished_at),
    duration_ms: job.started_at !== null && job.finished_at !== null ? job.finished_at - job.started_at : null,
    pusher: pusher ? { login: pusher.name, avatar_url: `${base}/avatars/${encodeURIComponent(pusher.lower_name)}` } : null,
    rerun_of: job.rerun_of,
    html_url: `${base}/${full}/ci/${job.id}`,
    log_url: `${base}/api/v1/repos/${full}/ci/jobs/${job.id}/log`,
  };
}

export type CiJobJson = ReturnType<typeof jobJson>;
