// Migration 0009_must_change_password.
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from './context.js';

export default function migration(_ctx: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      // 1 after an administrator set the password: the user must choose a new one at the next web sign-in
      await db.schema
        .alterTable('users')
        .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('users').dropColumn('must_change_password').execute();
    },
  };
}
