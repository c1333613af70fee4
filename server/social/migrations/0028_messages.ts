// Migration 0028_messages: direct messages. A thread is a pair (one per pair: `pair_key` is
// "<smaller id>:<larger id>") or a small group; members carry how far they have read; a message
// belongs to one thread. And each person's messenger preferences (read receipts).
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from '../../db/migrations/index.js';

export default function migration({ id }: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      await id(db, 'message_threads')
        .addColumn('kind', 'varchar(8)', (c) => c.notNull())
        .addColumn('pair_key', 'varchar(40)', (c) => c.unique())
        .addColumn('title', 'varchar(100)', (c) => c.notNull().defaultTo(''))
        .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('message_thread_members')
        .addColumn('thread_id', 'integer', (c) => c.notNull().references('message_threads.id').onDelete('cascade'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('last_read_id', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('joined_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('message_thread_members_pk', ['thread_id', 'user_id'])
        .execute();
      await db.schema.createIndex('message_thread_members_user').on('message_thread_members').columns(['user_id']).execute();
      await id(db, 'messages')
        .addColumn('thread_id', 'integer', (c) => c.notNull().references('message_threads.id').onDelete('cascade'))
        .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('messages_thread').on('messages').columns(['thread_id', 'id']).execute();
      await db.schema
        .createTable('messenger_prefs')
        .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('read_receipts', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['messenger_prefs', 'messages', 'message_thread_members', 'message_threads']) await db.schema.dropTable(t).ifExists().execute();
    },
  };
}
