// A shell as the API shows it.
import type { Usage } from '../runtime/index.js';
import type { ShellLimits } from './limits.js';
import type { ShellRow, ShellState } from './schema.js';

export interface ShellJson {
  id: number;
  state: ShellState;
  /** owner/name */
  repo: string;
  branch: string;
  backend: string | null;
  limits: ShellLimits;
  /** Why it stopped or failed. */
  reason: string | null;
  exit_code: number | null;
  user: { id: number; login: string };
  created_at: string;
  started_at: string | null;
  stopped_at: string | null;
  /** When the run-time limit stops it. */
  expires_at: string | null;
  /** When it stops if nobody types before then. */
  idle_stops_at: string | null;
  usage?: { cpu_percent: number | null; memory_bytes: number | null };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function shellJson(row: ShellRow, names: { repo: string; login: string }, idleStopsAt: number | null, usage?: Usage): ShellJson {
  const limits = JSON.parse(row.limits) as ShellLimits;
  const live = row.state === 'running' || row.state === 'starting';
  return {
    id: row.id,
    state: row.state,
    repo: names.repo,
    branch: row.branch,
    backend: row.backend,
    limits,
    reason: row.reason,
    exit_code: row.exit_code,
    user: { id: row.user_id, login: names.login },
    created_at: iso(row.created_at)!,
    started_at: iso(row.started_at),
    stopped_at: iso(row.stopped_at),
    expires_at: live && row.started_at !== null ? iso(row.started_at + limits.runtime_minutes * 60_000) : null,
    idle_stops_at: iso(idleStopsAt),
    ...(usage ? { usage: { cpu_percent: usage.cpuPercent, memory_bytes: usage.memoryBytes } } : {}),
  };
}
