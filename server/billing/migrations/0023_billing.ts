// Migration 0023_billing: the append-only credits ledger, plans and their prices per currency, and
// the Stripe events already handled.
import { sql, type Kysely, type Migration } from 'kysely';
import type { MigrationContext } from '../../db/migrations/index.js';

export default function migration({ id }: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      await id(db, 'credit_ledger')
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('amount', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('reference', 'varchar(255)')
        .addColumn('description', 'varchar(1024)', (c) => c.notNull())
        .addColumn('money_amount', 'bigint')
        .addColumn('currency', 'varchar(3)')
        .addColumn('receipt_url', 'varchar(2048)')
        .addColumn('actor_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('credit_ledger_user').on('credit_ledger').columns(['user_id', 'id']).execute();
      await db.schema.createIndex('credit_ledger_once').on('credit_ledger').columns(['kind', 'reference']).unique().where(sql.ref('reference'), 'is not', null).execute();
      await id(db, 'billing_plans')
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('credits', 'bigint', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('billing_prices')
        .addColumn('plan_id', 'integer', (c) => c.notNull().references('billing_plans.id').onDelete('cascade'))
        .addColumn('currency', 'varchar(3)', (c) => c.notNull())
        .addColumn('unit_amount', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('billing_prices_pk', ['plan_id', 'currency'])
        .execute();
      await db.schema
        .createTable('stripe_events')
        .addColumn('id', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('type', 'varchar(255)', (c) => c.notNull())
        .addColumn('processed_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('stripe_events').execute();
      await db.schema.dropTable('billing_prices').execute();
      await db.schema.dropTable('billing_plans').execute();
      await db.schema.dropTable('credit_ledger').execute();
    },
  };
}
