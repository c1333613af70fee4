// Migration 0032_cluster_secrets: what the instances on one database must hold alike, made by
// the first to start (the SSH host key, so clients see one host; ssh/host-key.ts).
import type { Kysely, Migration } from 'kysely';

export default function migration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('cluster_secrets')
        .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('cluster_secrets').execute();
    },
  };
}
