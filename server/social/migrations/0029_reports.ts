// Migration 0029_reports: what people report to the site administrators (a post, a message or a
// person, with a reason), and the mark an administrator puts on a post or a message to hide it.
import { sql, type Kysely, type Migration } from 'kysely';
import type { MigrationContext } from '../../db/migrations/index.js';

export default function migration({ id }: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      await id(db, 'reports')
        .addColumn('reporter_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('kind', 'varchar(8)', (c) => c.notNull())
        .addColumn('post_id', 'integer', (c) => c.references('posts.id').onDelete('set null'))
        .addColumn('message_id', 'integer', (c) => c.references('messages.id').onDelete('set null'))
        // the person reported, or the author of what was reported
        .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('target', 'varchar(40)', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('state', 'varchar(10)', (c) => c.notNull().defaultTo('open'))
        .addColumn('resolved_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('resolution', 'varchar(20)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('resolved_at', 'bigint')
        .execute();
      await db.schema.createIndex('reports_state').on('reports').columns(['state', 'id']).execute();
      // one open report per reporter and thing, however many requests race to make it
      await db.schema.createIndex('reports_open_once').unique().on('reports').columns(['reporter_id', 'target']).where(sql.ref('state'), '=', 'open').execute();
      await db.schema.alterTable('posts').addColumn('hidden_at', 'bigint').execute();
      await db.schema.alterTable('messages').addColumn('hidden_at', 'bigint').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('messages').dropColumn('hidden_at').execute();
      await db.schema.alterTable('posts').dropColumn('hidden_at').execute();
      await db.schema.dropTable('reports').ifExists().execute();
    },
  };
}
