// Migration 0007_notifications: each user's notification threads, and which of them mail them.
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from '../../db/migrations/index.js';

export default function migration({ id }: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      await id(db, 'notifications')
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('repo_id', 'integer', (c) => c.references('repositories.id').onDelete('cascade'))
        // what caused it: the outbox event id, so a redelivered event never makes a second thread
        .addColumn('event_id', 'integer', (c) => c.notNull())
        // what the thread is about, Gitea's names: Commit, Repository, Issue, Pull
        .addColumn('subject_type', 'varchar(32)', (c) => c.notNull())
        .addColumn('subject_title', 'varchar(512)', (c) => c.notNull())
        .addColumn('subject_url', 'varchar(1024)', (c) => c.notNull())
        .addColumn('subject_html_url', 'varchar(1024)', (c) => c.notNull())
        .addColumn('subject_state', 'varchar(32)')
        // for mail: which setting decides whether this kind mails (push, collaborator, ...)
        .addColumn('reason', 'varchar(32)', (c) => c.notNull())
        .addColumn('unread', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('pinned', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('notifications_user_event', ['user_id', 'event_id'])
        .execute();
      await db.schema.createIndex('notifications_user_unread').on('notifications').columns(['user_id', 'unread', 'updated_at']).execute();
      await db.schema.createIndex('notifications_repo_id').on('notifications').column('repo_id').execute();

      await db.schema
        .createTable('notification_settings')
        .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('mail', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('notification_settings').ifExists().execute();
      await db.schema.dropTable('notifications').ifExists().execute();
    },
  };
}
