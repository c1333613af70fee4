// Migration 0002_push_events.
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from './context.js';

export default function migration({ id }: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      // what the server last saw of each repository's refs, to recover pushes that landed
      // while it could not hear the post-receive hook
      await db.schema
        .createTable('repo_refs')
        .addColumn('repo_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('ref', 'varchar(1024)', (c) => c.notNull())
        .addColumn('sha', 'varchar(64)', (c) => c.notNull())
        .addPrimaryKeyConstraint('repo_refs_pk', ['repo_id', 'ref'])
        .execute();
      await db.schema
        .alterTable('repositories')
        .addColumn('refs_synced', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();

      await id(db, 'push_events')
        .addColumn('repo_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('pusher_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('transport', 'varchar(16)', (c) => c.notNull())
        .addColumn('updates', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('push_events_repo_id').on('push_events').columns(['repo_id', 'id']).execute();

      await id(db, 'branch_protections')
        .addColumn('repo_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('rule_name', 'varchar(255)', (c) => c.notNull())
        .addColumn('enable_force_push', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('enable_deletion', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('branch_protections_repo_rule', ['repo_id', 'rule_name'])
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('branch_protections').ifExists().execute();
      await db.schema.dropTable('push_events').ifExists().execute();
      await db.schema.alterTable('repositories').dropColumn('refs_synced').execute();
      await db.schema.dropTable('repo_refs').ifExists().execute();
    },
  };
}
