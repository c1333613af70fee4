// Migration 0003_limits_and_namespaces.
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from './context.js';

export default function migration(_ctx: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      // failed sign-ins count within a window that a success does not reset
      await db.schema.alterTable('users').addColumn('failed_window_start', 'bigint').execute();
      // organizations whose non-private repositories every signed-in user may write to
      await db.schema
        .alterTable('users')
        .addColumn('public_writable', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('users').dropColumn('public_writable').execute();
      await db.schema.alterTable('users').dropColumn('failed_window_start').execute();
    },
  };
}
