// Migration 0026_follows: who follows whom, and who blocked whom. A follow is a pair (the
// follower first); a block too (the blocker first). Both end with either account's row, though
// accounts are disabled rather than deleted. And the index a profile's heatmap reads by.
import type { Kysely, Migration } from 'kysely';

export default function migration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('follows')
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('follow_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('follows_pk', ['user_id', 'follow_id'])
        .execute();
      await db.schema.createIndex('follows_followed').on('follows').columns(['follow_id', 'created_at']).execute();
      await db.schema
        .createTable('user_blocks')
        .addColumn('blocker_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('blocked_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('user_blocks_pk', ['blocker_id', 'blocked_id'])
        .execute();
      await db.schema.createIndex('user_blocks_blocked').on('user_blocks').columns(['blocked_id']).execute();
      // a profile's contribution heatmap: one user's pushes over a year
      await db.schema.createIndex('push_events_pusher').on('push_events').columns(['pusher_id', 'created_at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('push_events_pusher').ifExists().execute();
      await db.schema.dropTable('user_blocks').ifExists().execute();
      await db.schema.dropTable('follows').ifExists().execute();
    },
  };
}
