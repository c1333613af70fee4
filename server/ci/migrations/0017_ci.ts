// Migration 0017_ci: CI jobs (one per pushed commit, and one per re-run), the secrets a
// repository's jobs get as environment variables, and the operator's per-repository image.
import { sql, type Kysely, type Migration } from 'kysely';
import type { MigrationContext } from '../../db/migrations/index.js';

export default function migration({ id }: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      await id(db, 'ci_jobs')
        .addColumn('repo_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('sha', 'varchar(64)', (c) => c.notNull())
        .addColumn('ref', 'varchar(255)', (c) => c.notNull())
        .addColumn('state', 'varchar(16)', (c) => c.notNull())
        .addColumn('rerun_of', 'integer')
        .addColumn('pusher_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('backend', 'varchar(16)')
        .addColumn('image', 'varchar(255)')
        .addColumn('exit_code', 'integer')
        .addColumn('reason', 'varchar(1024)')
        .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('cancelled_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
        /** Which server process runs it (several may share a PostgreSQL database). */
        .addColumn('runner', 'varchar(64)')
        .addColumn('heartbeat_at', 'bigint')
        .addColumn('log_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'bigint')
        .addColumn('finished_at', 'bigint')
        .execute();
      // a pushed commit is queued once, whatever the redeliveries and re-pushes; re-runs are new rows
      await db.schema.createIndex('ci_jobs_once').on('ci_jobs').columns(['repo_id', 'sha']).unique().where(sql.ref('rerun_of'), 'is', null).execute();
      await db.schema.createIndex('ci_jobs_repo').on('ci_jobs').columns(['repo_id', 'id']).execute();
      await db.schema.createIndex('ci_jobs_state').on('ci_jobs').columns(['state', 'id']).execute();
      await db.schema
        .createTable('ci_secrets')
        .addColumn('repo_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('name', 'varchar(100)', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('description', 'varchar(1024)', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('ci_secrets_pk', ['repo_id', 'name'])
        .execute();
      await db.schema
        .createTable('ci_repo_settings')
        .addColumn('repo_id', 'integer', (c) => c.primaryKey().references('repositories.id').onDelete('cascade'))
        .addColumn('image', 'varchar(255)')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['ci_repo_settings', 'ci_secrets', 'ci_jobs']) await db.schema.dropTable(t).ifExists().execute();
    },
  };
}
