// Migration 0005_user_appearance.
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from './context.js';

export default function migration(_ctx: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      // each user's look (color preset, background, cursor, UI font), applied before first paint
      await db.schema
        .createTable('user_appearance')
        .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('preset', 'varchar(32)', (c) => c.notNull())
        .addColumn('background', 'varchar(32)', (c) => c.notNull())
        .addColumn('cursor', 'varchar(32)', (c) => c.notNull())
        .addColumn('font', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('user_appearance').ifExists().execute();
    },
  };
}
