// Migration 0004_last_commits.
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from './context.js';

export default function migration(_ctx: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      // the tree view's last-commit column, per (commit listed, entry path); a pure cache
      await db.schema
        .createTable('last_commits')
        .addColumn('repo_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('commit_sha', 'varchar(64)', (c) => c.notNull())
        .addColumn('path', 'varchar(1024)', (c) => c.notNull())
        .addColumn('last_sha', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('last_commits_pk', ['repo_id', 'commit_sha', 'path'])
        .execute();
      await db.schema.createIndex('last_commits_created_at').on('last_commits').column('created_at').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('last_commits').ifExists().execute();
    },
  };
}
