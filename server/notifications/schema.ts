// The notifications feature's tables, added to the db's `Database` by declaration merging.
import type { Generated, Selectable } from 'kysely';

export interface NotificationTable {
  id: Generated<number>;
  user_id: number;
  repo_id: number | null;
  event_id: number;
  subject_type: string;
  subject_title: string;
  subject_url: string;
  subject_html_url: string;
  subject_state: string | null;
  reason: string;
  unread: Generated<number>;
  pinned: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface NotificationSettingsTable {
  user_id: number;
  /** JSON: {"push": false, "collaborator": true, ...} */
  mail: string;
  updated_at: number;
}

export type NotificationRow = Selectable<NotificationTable>;

declare module '../db/schema.js' {
  interface Database {
    notifications: NotificationTable;
    notification_settings: NotificationSettingsTable;
  }
}
