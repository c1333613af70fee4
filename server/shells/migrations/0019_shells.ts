// Migration 0019_shells: dev shells (one row per shell, kept after it stops for its owner's list)
// and the operator's per-user and per-organization limits.
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from '../../db/migrations/index.js';

export default function migration({ id }: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      await id(db, 'shells')
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('repo_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('branch', 'varchar(255)', (c) => c.notNull())
        .addColumn('state', 'varchar(16)', (c) => c.notNull())
        .addColumn('backend', 'varchar(16)')
        .addColumn('image', 'varchar(255)')
        .addColumn('limits', 'text', (c) => c.notNull())
        .addColumn('reason', 'varchar(1024)')
        .addColumn('exit_code', 'integer')
        .addColumn('token_id', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'bigint')
        .addColumn('stopped_at', 'bigint')
        .execute();
      await db.schema.createIndex('shells_user').on('shells').columns(['user_id', 'id']).execute();
      await db.schema.createIndex('shells_state').on('shells').columns(['state']).execute();
      await db.schema
        .createTable('shell_overrides')
        .addColumn('subject_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('cpus', 'real')
        .addColumn('memory_mb', 'integer')
        .addColumn('disk_mb', 'integer')
        .addColumn('pids', 'integer')
        .addColumn('runtime_minutes', 'integer')
        .addColumn('idle_minutes', 'integer')
        .addColumn('network', 'varchar(8)')
        .addColumn('max_shells', 'integer')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('shell_overrides').execute();
      await db.schema.dropTable('shells').execute();
    },
  };
}
