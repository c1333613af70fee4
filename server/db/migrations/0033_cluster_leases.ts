// Migration 0033_cluster_leases: work that must happen once for the whole forge however many
// instances serve it — a scheduled backup's slot is claimed here by the first instance to reach
// it (a conditional upsert: the claim moves only to a later slot), and the others skip that slot.
import type { Kysely, Migration } from 'kysely';

export default function migration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('cluster_leases')
        .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('slot', 'varchar(40)', (c) => c.notNull())
        .addColumn('holder', 'varchar(64)', (c) => c.notNull())
        .addColumn('taken_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('cluster_leases').execute();
    },
  };
}
