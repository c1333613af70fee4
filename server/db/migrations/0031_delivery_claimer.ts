// Migration 0031_delivery_claimer: which instance claimed a running event delivery, so that
// instance's next start takes back what its crash cut off at once (see events/outbox.ts and
// scale/instance-id.ts), while another instance's deliveries wait for their lease.
import type { Kysely, Migration } from 'kysely';

export default function migration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('event_deliveries').addColumn('locked_by', 'varchar(64)').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('event_deliveries').dropColumn('locked_by').execute();
    },
  };
}
