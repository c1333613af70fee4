// Migration 0008_audit_events: audit entries written from outbox events carry the event id, so
// a redelivered event never writes a second entry.
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from '../../db/migrations/index.js';

export default function migration(_ctx: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('audit_log').addColumn('event_id', 'integer').execute();
      await db.schema.createIndex('audit_log_event_id').on('audit_log').column('event_id').unique().execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('audit_log_event_id').execute();
      await db.schema.alterTable('audit_log').dropColumn('event_id').execute();
    },
  };
}
