// Migration 0006_events: the durable outbox. Every event other features care about is a row in
// `events`, written in the same transaction as the change it describes, with one row per
// interested subscriber in `event_deliveries`. A delivery is claimed with a conditional UPDATE,
// retried with backoff, deleted when done and parked as `dead` after its last attempt.
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from './context.js';

export default function migration({ id }: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      await id(db, 'events')
        .addColumn('type', 'varchar(64)', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('events_created_at').on('events').column('created_at').execute();

      await db.schema
        .createTable('event_deliveries')
        .addColumn('event_id', 'integer', (c) => c.notNull().references('events.id').onDelete('cascade'))
        .addColumn('subscriber', 'varchar(64)', (c) => c.notNull())
        // pending | running | dead
        .addColumn('state', 'varchar(16)', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('run_at', 'bigint', (c) => c.notNull())
        .addColumn('locked_until', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('event_deliveries_pk', ['event_id', 'subscriber'])
        .execute();
      await db.schema.createIndex('event_deliveries_due').on('event_deliveries').columns(['subscriber', 'state', 'run_at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('event_deliveries').ifExists().execute();
      await db.schema.dropTable('events').ifExists().execute();
    },
  };
}
