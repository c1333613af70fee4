// Migration 0016_webhooks: webhooks of repositories and organizations, and the log of their
// deliveries (what was sent, what came back), kept per hook.
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from '../../db/migrations/index.js';

export default function migration({ id }: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      await id(db, 'webhooks')
        .addColumn('repo_id', 'integer', (c) => c.references('repositories.id').onDelete('cascade'))
        .addColumn('owner_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('type', 'varchar(16)', (c) => c.notNull())
        .addColumn('url', 'varchar(2048)', (c) => c.notNull())
        .addColumn('content_type', 'varchar(16)', (c) => c.notNull())
        .addColumn('http_method', 'varchar(8)', (c) => c.notNull())
        .addColumn('secret', 'varchar(512)', (c) => c.notNull().defaultTo(''))
        .addColumn('authorization_header', 'varchar(1024)', (c) => c.notNull().defaultTo(''))
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('branch_filter', 'varchar(1024)', (c) => c.notNull().defaultTo(''))
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('creator_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhooks_repo_id').on('webhooks').column('repo_id').execute();
      await db.schema.createIndex('webhooks_owner_id').on('webhooks').column('owner_id').execute();
      await db.schema.createIndex('webhooks_creator_id').on('webhooks').column('creator_id').execute();

      await id(db, 'webhook_deliveries')
        .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
        .addColumn('hook_id', 'integer', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
        .addColumn('event_id', 'integer')
        .addColumn('event_type', 'varchar(64)', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('state', 'varchar(16)', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('is_test', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('redelivery_of', 'integer')
        .addColumn('request_url', 'varchar(2048)', (c) => c.notNull().defaultTo(''))
        .addColumn('request_headers', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('response_status', 'integer')
        .addColumn('response_headers', 'text')
        .addColumn('response_body', 'text')
        .addColumn('error', 'text')
        .addColumn('duration_ms', 'integer')
        .addColumn('delivered_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        // one row per hook, source event and event type: a redelivered outbox event adds none
        .addUniqueConstraint('webhook_deliveries_source', ['hook_id', 'event_id', 'event_type'])
        .execute();
      await db.schema.createIndex('webhook_deliveries_hook').on('webhook_deliveries').columns(['hook_id', 'id']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('webhook_deliveries').ifExists().execute();
      await db.schema.dropTable('webhooks').ifExists().execute();
    },
  };
}
