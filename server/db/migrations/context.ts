// What a migration file gets besides the db handle: the few helpers whose DDL differs between
// SQLite and PostgreSQL. Everything else in a migration is portable Kysely schema building.
import type { CreateTableBuilder, Kysely } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

export interface MigrationContext {
  dialect: Dialect;
  /** `CREATE TABLE <table>` with an integer `id` primary key (SQLite autoincrement, PostgreSQL identity). */
  id(db: Kysely<any>, table: string): CreateTableBuilder<string, 'id'>;
}

export function migrationContext(dialect: Dialect): MigrationContext {
  return {
    dialect,
    id: (db, table) =>
      dialect === 'postgres'
        ? db.schema.createTable(table).addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
        : db.schema.createTable(table).addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()),
  };
}
