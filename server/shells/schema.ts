// The dev shells' tables, added to the db's `Database` by declaration merging.
import type { Generated, Selectable } from 'kysely';

export const SHELL_STATES = ['starting', 'running', 'stopping', 'stopped', 'failed'] as const;
export type ShellState = (typeof SHELL_STATES)[number];
/** States that hold a seat (count against the per-user and total limits). */
export const LIVE_STATES: readonly ShellState[] = ['starting', 'running', 'stopping'];

export interface ShellTable {
  id: Generated<number>;
  user_id: number;
  repo_id: number;
  branch: string;
  state: ShellState;
  backend: string | null;
  image: string | null;
  /** The limits it started with (JSON of ShellLimits): later changes of the settings don't move them. */
  limits: string;
  /** Why it stopped or failed, as a sentence for its owner. */
  reason: string | null;
  exit_code: number | null;
  /** Its git credentials (an access token bound to the repository), deleted when it stops. */
  token_id: number | null;
  created_at: number;
  started_at: number | null;
  stopped_at: number | null;
  /** The instance running it (run/instance-id); null from before there could be several. */
  instance: string | null;
}

/** The operator's limits for one user or organization (null: inherit). */
export interface ShellOverrideTable {
  subject_id: number;
  cpus: number | null;
  memory_mb: number | null;
  disk_mb: number | null;
  pids: number | null;
  runtime_minutes: number | null;
  idle_minutes: number | null;
  network: string | null;
  max_shells: number | null;
  updated_at: number;
}

export type ShellRow = Selectable<ShellTable>;
export type ShellOverrideRow = Selectable<ShellOverrideTable>;

declare module '../db/schema.js' {
  interface Database {
    shells: ShellTable;
    shell_overrides: ShellOverrideTable;
  }
}
