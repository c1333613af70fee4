// Migration 0018_token_bounds: access tokens that work for one repository only and expire (a
// dev shell's git credentials). Tokens people make themselves have neither.
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from './context.js';

export default function migration(_ctx: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .alterTable('access_tokens')
        .addColumn('repo_id', 'integer', (c) => c.references('repositories.id').onDelete('cascade'))
        .execute();
      await db.schema.alterTable('access_tokens').addColumn('expires_at', 'bigint').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('access_tokens').dropColumn('expires_at').execute();
      await db.schema.alterTable('access_tokens').dropColumn('repo_id').execute();
    },
  };
}
