// The statuses feature's table, added to the db's `Database` by declaration merging.
import type { Generated, Selectable } from 'kysely';
import type { UserRow } from '../db/schema.js';

export interface CommitStatusTable {
  id: Generated<number>;
  repo_id: number;
  /** Full lowercase commit id (40 or 64 hex). */
  sha: string;
  context: string;
  /** pending | success | error | failure | warning */
  state: string;
  description: string;
  target_url: string;
  creator_id: number | null;
  created_at: number;
  updated_at: number;
}

export type CommitStatusRow = Selectable<CommitStatusTable>;

/** A status with the account that posted it (null: deleted, or posted by the forge itself). */
export type StatusRecord = CommitStatusRow & { creator: UserRow | null };

declare module '../db/schema.js' {
  interface Database {
    commit_statuses: CommitStatusTable;
  }
}
