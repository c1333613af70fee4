// Migration 0021_two_factor: TOTP enrolments and their single-use recovery codes (hashed).
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from '../../db/migrations/index.js';

export default function migration({ id }: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('two_factor')
        .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('secret', 'varchar(64)', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_step', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('confirmed_at', 'bigint')
        .execute();
      await id(db, 'two_factor_recovery')
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('code_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .execute();
      await db.schema.createIndex('two_factor_recovery_user').on('two_factor_recovery').columns(['user_id']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('two_factor_recovery').execute();
      await db.schema.dropTable('two_factor').execute();
    },
  };
}
