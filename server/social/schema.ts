// The social feature's tables, added to the db's `Database` by declaration merging.
import type { Selectable } from 'kysely';

/** `user_id` follows `follow_id` (Gitea's column names). */
export interface FollowTable {
  user_id: number;
  follow_id: number;
  created_at: number;
}

/** `blocker_id` blocked `blocked_id`: no follows between them either way. */
export interface UserBlockTable {
  blocker_id: number;
  blocked_id: number;
  created_at: number;
}

export type FollowRow = Selectable<FollowTable>;

declare module '../db/schema.js' {
  interface Database {
    follows: FollowTable;
    user_blocks: UserBlockTable;
  }
}
