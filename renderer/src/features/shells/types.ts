// Dev shells as the API returns them (the contract of server/shells): a shell, the limits it
// runs with, what a new one would get, and the console's per-user and per-organization overrides.

export const SHELL_STATES = ['starting', 'running', 'stopping', 'stopped', 'failed'] as const;
export type ShellState = (typeof SHELL_STATES)[number];

export const NETWORKS = ['none', 'lan', 'open'] as const;
export type ShellNetwork = (typeof NETWORKS)[number];

export interface ShellLimits {
  cpus: number;
  memory_mb: number;
  disk_mb: number;
  pids: number;
  runtime_minutes: number;
  idle_minutes: number;
  network: ShellNetwork;
}

export interface ShellUsage {
  cpu_percent: number | null;
  memory_bytes: number | null;
}

export interface Shell {
  id: number;
  state: ShellState;
  /** "owner/name" */
  repo: string;
  branch: string;
  backend: 'docker' | 'podman' | 'sandbox' | null;
  limits: ShellLimits;
  /** Why it stopped or failed ("stopped after 30 idle minutes", "ran out of memory (limit 512 MiB)"). */
  reason: string | null;
  /** The shell's exit code once it has ended (null while it runs, or when it was killed). */
  exit_code?: number | null;
  user: { id: number; login: string };
  created_at: string;
  started_at: string | null;
  stopped_at: string | null;
  /** When the run-time limit stops it. */
  expires_at: string | null;
  /** When it stops for being idle, unless someone types. */
  idle_stops_at: string | null;
  /** The console's list only. */
  usage?: ShellUsage;
}

/** What a new shell for a repository would get, asked before starting one. */
export interface ShellOffer {
  limits: ShellLimits;
  /** The backend it would run in; null when none can (then `reason` says why). */
  backend: string | null;
  reason: string;
  /** The viewer's shells running now, and how many they may have. */
  running: number;
  max_per_user: number;
  /** Shells running on the whole machine, and how many may. */
  max_total: number;
  running_total: number;
}

/** Limits an override sets; absent or null inherits the default. */
export type OverrideLimits = Partial<{ [K in keyof ShellLimits]: ShellLimits[K] | null } & { max_shells: number | null }>;

export interface ShellOverride {
  subject: { login: string; type: 'user' | 'organization' };
  limits: OverrideLimits;
}

/** The answer to `shell:attach`. */
export type { AttachReply } from './terminal-stream';

export const isLive = (state: ShellState) => state === 'starting' || state === 'running';
