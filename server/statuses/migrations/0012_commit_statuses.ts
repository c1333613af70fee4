// Migration 0012_commit_statuses: every commit status ever posted (Gitea keeps the history; the
// newest per context is the current one).
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from '../../db/migrations/index.js';

export default function migration({ id }: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      await id(db, 'commit_statuses')
        .addColumn('repo_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('sha', 'varchar(64)', (c) => c.notNull())
        .addColumn('context', 'varchar(255)', (c) => c.notNull())
        .addColumn('state', 'varchar(16)', (c) => c.notNull())
        .addColumn('description', 'varchar(1024)', (c) => c.notNull().defaultTo(''))
        .addColumn('target_url', 'varchar(2048)', (c) => c.notNull().defaultTo(''))
        .addColumn('creator_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // the history of one commit, and the newest row per context (max(id) grouped by context)
      await db.schema.createIndex('commit_statuses_repo_sha_context').on('commit_statuses').columns(['repo_id', 'sha', 'context', 'id']).execute();
      // users deleted: their statuses keep, creator set null
      await db.schema.createIndex('commit_statuses_creator_id').on('commit_statuses').column('creator_id').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('commit_statuses').ifExists().execute();
    },
  };
}
