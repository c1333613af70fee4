// Migration 0022_remember_tokens: "remember me" as a selector (looked up) and a validator (only its
// hash is stored, compared in constant time, replaced on every use), never a long-lived session id.
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from './context.js';

export default function migration({ id }: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      await id(db, 'remember_tokens')
        .addColumn('selector', 'varchar(32)', (c) => c.notNull().unique())
        .addColumn('validator_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .execute();
      await db.schema.createIndex('remember_tokens_user').on('remember_tokens').columns(['user_id']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('remember_tokens').execute();
    },
  };
}
