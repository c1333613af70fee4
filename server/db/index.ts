// Opens the database (SQLite file in the data dir by default, PostgreSQL when DATABASE_URL is
// set), runs migrations, and translates driver errors into our error family.
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, Migrator, PostgresDialect, SqliteDialect, SqliteDriver, sql, type DatabaseConnection, type Driver, type SqliteDatabase, type SqliteDialectConfig } from 'kysely';
import { exportSnapshot } from './pg-dump.js';
import type { Database } from './schema.js';
import { StaticMigrationProvider, type Dialect, type MigrationFactory } from './migrations/index.js';

export type Db = Kysely<Database>;
export type { Database };

export interface OpenedDb {
  db: Db;
  dialect: Dialect;
  close(): Promise<void>;
  /**
   * Takes the database for a backup at this moment (called while writes are held): SQLite's
   * online backup into `<stage>/gitssy.db` at once, or a PostgreSQL snapshot that `finish`
   * (called after the writes are let go) dumps into `<stage>/gitssy.pgdump` with pg_dump.
   */
  capture(stage: string): Promise<DbCapture>;
}

export interface DbCapture {
  /** The file in the stage the database ends up in. */
  file: string;
  /** Writes it (PostgreSQL) and lets the snapshot go; call once, on success or failure. */
  finish(ok: boolean): Promise<void>;
}

export async function openDatabase(opts: { dataDir: string; databaseUrl: string | null }): Promise<OpenedDb> {
  if (opts.databaseUrl) {
    const pg = await import('pg');
    // bigint columns (epoch-ms times, sizes) fit in a double; return numbers, not strings.
    pg.default.types.setTypeParser(20, (v: string) => Number(v));
    const pool = new pg.default.Pool({ connectionString: opts.databaseUrl, max: 10 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      dialect: 'postgres',
      close: () => db.destroy(),
      capture: async (stage) => {
        const snap = await exportSnapshot(opts.databaseUrl!);
        const file = path.join(stage, 'gitssy.pgdump');
        return {
          file,
          async finish(ok) {
            try {
              if (ok) await snap.dumpTo(file);
            } finally {
              await snap.release();
            }
          },
        };
      },
    };
  }
  const file = path.join(opts.dataDir, 'gitssy.db');
  const sqlite = new SQLite(file, { timeout: 10_000 });
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 10000');
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    dialect: 'sqlite',
    close: () => db.destroy(),
    capture: async (stage) => {
      const file = path.join(stage, 'gitssy.db');
      await sqlite.backup(file);
      return { file, finish: async () => {} };
    },
  };
}

/**
 * SQLite transactions take the write lock when they begin (BEGIN IMMEDIATE). A deferred one that
 * reads and then writes fails at once with "database is locked" when another process (the CLI
 * beside the running server) committed in between; an immediate one waits its turn
 * (busy_timeout) instead. In this process there is one connection, so nothing changes here.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings);
  }
}

/** How many prepared statements stay compiled (the distinct queries the server issues are fewer). */
const STATEMENT_CACHE = 1000;

/**
 * better-sqlite3 as Kysely sees it, but preparing each distinct SQL text once: Kysely asks for a
 * fresh statement per query, and compiling it costs more than running a lookup by key. Reuse is
 * safe because every call runs to completion synchronously (all/run; nothing iterates), and
 * SQLite re-prepares a statement by itself when the schema changed under it.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => {
      cache.clear();
      sqlite.close();
    },
    prepare(text: string) {
      let stmt = cache.get(text);
      if (stmt) {
        cache.delete(text);
      } else {
        stmt = sqlite.prepare(text);
        if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value as string);
      }
      cache.set(text, stmt);
      return stmt;
    },
  };
}

/** Runs a complete set of migrations (the base ones and the feature modules', see allMigrations) in name order. */
export async function migrate(opened: OpenedDb, migrations: Record<string, MigrationFactory>): Promise<void> {
  const migrator = new Migrator({ db: opened.db, provider: new StaticMigrationProvider(opened.dialect, migrations) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const what = failed ? `migration ${failed.migrationName} failed` : 'migration failed';
    throw new Error(`${what}: ${(error as Error | undefined)?.message ?? 'unknown error'}`, { cause: error });
  }
}

/** Integrity check used by `gitssy doctor`: a list of problems, empty when healthy. */
export async function checkIntegrity(opened: OpenedDb): Promise<string[]> {
  if (opened.dialect === 'sqlite') {
    const rows = await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(opened.db);
    const problems = rows.rows.map((r) => r.integrity_check).filter((v) => v !== 'ok');
    const fk = await sql<Record<string, unknown>>`PRAGMA foreign_key_check`.execute(opened.db);
    for (const row of fk.rows) problems.push(`foreign key violation: ${JSON.stringify(row)}`);
    return problems;
  }
  await sql`SELECT 1`.execute(opened.db);
  return [];
}

/** True when a driver error is a unique-constraint violation (SQLite or PostgreSQL). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string } | null;
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === '23505';
}

export function now(): number {
  return Date.now();
}
