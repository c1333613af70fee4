// `gitssy admin migrate-db --to postgres://…`: moves an install's records from its SQLite file to
// an empty PostgreSQL database, so a forge that outgrew one desktop keeps everything when it moves
// onto real infrastructure.
//
// The target gets the schema from the same migrations a server would run (identity ids, bytea,
// the generated tsvector search columns), then every table is copied in one transaction, parents
// before children (the foreign keys, read from PostgreSQL's catalog), each in primary-key order.
// Before COMMIT each table's row count and checksum on both sides must match: the checksum is an
// order-free sum of one hash per row over the copied columns, so neither side's collation or row
// order matters. The identity sequences then continue after the copied ids. DATABASE_URL is
// written to <data>/.gitssy.env only after all of that succeeded; on any failure the target is
// emptied again (it was empty before) and the install stays on SQLite, unchanged.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { migrate, openDatabase } from '../db/index.js';
import { emptyDatabase } from '../db/pg-dump.js';
import type { MigrationFactory } from '../db/migrations/index.js';
import { envFilePath, setEnvValues } from '../ops/index.js';

export class MigrateDbError extends Error {}

export interface TableResult {
  table: string;
  rows: number;
  /** Row count and the order-free sum of the rows' hashes, the same on both sides. */
  checksum: string;
}

export interface MigrateDbResult {
  tables: TableResult[];
  rows: number;
  ms: number;
  envFile: string;
}

interface Column {
  name: string;
  type: string;
}

interface TableInfo {
  name: string;
  columns: Column[];
  key: string[];
}

/** Kysely's bookkeeping: the target's own migration run wrote it. */
const SKIP = new Set(['kysely_migration', 'kysely_migration_lock']);
/** Rows per INSERT, so one statement stays under PostgreSQL's 65,535 parameters. */
const MAX_PARAMS = 30_000;

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

const bigintAsNumber = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === 20 || oid === 1700 ? Number : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser,
};

/** A value as both databases hand it back, in one spelling (numbers, text, bytes, null). */
function norm(v: unknown): string {
  if (v === null || v === undefined) return 'N';
  if (typeof v === 'boolean') return v ? 'n1' : 'n0';
  if (typeof v === 'number' || typeof v === 'bigint') return `n${String(v)}`;
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `b${Buffer.from(v).toString('hex')}`;
  return `s${String(v)}`;
}

/** Row count and the sum (mod 2^64) of each row's hash: the same whatever order the rows come in. */
class Checksum {
  rows = 0;
  private sum = 0n;
  add(values: unknown[]): void {
    this.rows++;
    const h = createHash('sha256');
    for (const v of values) h.update(norm(v)).update('\x1f');
    this.sum = (this.sum + h.digest().readBigUInt64BE(0)) & 0xffffffffffffffffn;
  }
  toString(): string {
    return `${this.rows}:${this.sum.toString(16).padStart(16, '0')}`;
  }
}

/** `to` checked as a postgres:// URL that .gitssy.env can keep; `label` names it in messages (the CLI's flag, the API's field). */
function targetUrl(to: string, label = '--to'): string {
  let u: URL;
  try {
    u = new URL(to);
  } catch {
    throw new MigrateDbError(`${label}: give the target as a URL, postgres://user:password@host:5432/database`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new MigrateDbError(`${label}: a postgres:// URL is needed, not ${u.protocol}//`);
  if (u.pathname.length <= 1) throw new MigrateDbError(`${label}: the URL names no database (postgres://host/<database>)`);
  if (/[\r\n"\\]/.test(to)) throw new MigrateDbError(`${label}: the URL holds characters .gitssy.env cannot keep (quotes, backslashes, line breaks)`);
  return to;
}

/** The target URL without its password, for messages and job names. */
export const redactUrl = (to: string): string => {
  const u = new URL(to);
  if (u.password) u.password = '***';
  return u.href;
};

/** A connection to the target, which must be a reachable, empty PostgreSQL database (MigrateDbError when it isn't). */
async function openTarget(url: string, label?: string): Promise<pg.Client> {
  const to = targetUrl(url, label);
  const client = new pg.Client({ connectionString: to, types: bigintAsNumber, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new MigrateDbError(`cannot reach the PostgreSQL at ${redactUrl(to)}: ${(err as Error).message}`);
  }
  try {
    const existing = await client.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`);
    if (existing.rows.length)
      throw new MigrateDbError(
        `the target database is not empty (${existing.rows.length} table${existing.rows.length === 1 ? '' : 's'}, e.g. ${existing.rows[0]!.table_name}): migrate-db copies into an empty database only`,
      );
    return client;
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
}

/** Checks what migrateToPostgres checks before it copies (a postgres URL, reachable, empty), changing nothing. */
export async function checkTarget(to: string, label?: string): Promise<void> {
  await (await openTarget(to, label)).end().catch(() => {});
}

export async function migrateToPostgres(opts: { dataDir: string; to: string; migrations: Record<string, MigrationFactory>; progress: (line: string) => void }): Promise<MigrateDbResult> {
  const t0 = performance.now();
  const to = targetUrl(opts.to);
  const file = path.join(opts.dataDir, 'gitssy.db');
  if (!existsSync(file)) throw new MigrateDbError(`there is no SQLite database in ${opts.dataDir} (gitssy.db) to move`);

  const client = await openTarget(to);
  try {
    // the source at the schema this version writes (what a start would do)
    const source = await openDatabase({ dataDir: opts.dataDir, databaseUrl: null });
    try {
      await migrate(source, opts.migrations);
    } finally {
      await source.close();
    }
    opts.progress(`creating the schema in ${redactUrl(to)}`);
    try {
      const target = await openDatabase({ dataDir: opts.dataDir, databaseUrl: to });
      try {
        await migrate(target, opts.migrations);
      } finally {
        await target.close();
      }
      return await copyAll(client, file, opts.progress, t0, opts.dataDir, to);
    } catch (err) {
      // it was empty: make it empty again
      await emptyTarget(client, to).catch((cleanup: unknown) => opts.progress(`could not empty the target again: ${(cleanup as Error).message}`));
      throw err;
    }
  } finally {
    await client.end().catch(() => {});
  }
}

/** Back to empty (it was empty before): the copy's transaction rolled back, the schema dropped. */
async function emptyTarget(client: pg.Client, url: string): Promise<void> {
  await client.query('ROLLBACK').catch(() => {});
  await emptyDatabase(url);
}

async function copyAll(client: pg.Client, file: string, progress: (line: string) => void, t0: number, dataDir: string, to: string): Promise<MigrateDbResult> {
  const tables = await describeTarget(client);
  const sqlite = new SQLite(file, { readonly: true, fileMustExist: true });
  const results: TableResult[] = [];
  try {
    for (const t of tables) {
      const have = new Set((sqlite.prepare(`PRAGMA table_info(${q(t.name)})`).all() as { name: string }[]).map((c) => c.name));
      if (have.size === 0) throw new MigrateDbError(`the SQLite database has no table ${t.name}`);
      const missing = t.columns.filter((c) => !have.has(c.name)).map((c) => c.name);
      if (missing.length) throw new MigrateDbError(`the SQLite table ${t.name} lacks ${missing.join(', ')}`);
    }
    await client.query('BEGIN');
    let total = 0;
    for (const [i, t] of tables.entries()) {
      const cols = t.columns.map((c) => q(c.name)).join(', ');
      const order = t.key.length ? t.key.map(q).join(', ') : 'rowid';
      const read = sqlite.prepare(`SELECT ${cols} FROM ${q(t.name)} ORDER BY ${order}`).raw(true);
      const bytea = t.columns.map((c) => c.type === 'bytea');
      const bool = t.columns.map((c) => c.type === 'boolean');
      const per = Math.max(1, Math.floor(MAX_PARAMS / t.columns.length));
      const sum = new Checksum();
      let batch: unknown[][] = [];
      const flush = async () => {
        if (!batch.length) return;
        const params: unknown[] = [];
        const tuples = batch.map((row) => `(${row.map((v) => `$${params.push(v)}`).join(', ')})`);
        await client.query(`INSERT INTO ${q(t.name)} (${cols}) VALUES ${tuples.join(', ')}`, params);
        batch = [];
      };
      for (const raw of read.iterate() as Iterable<unknown[]>) {
        const row = raw.map((v, c) => (v === null ? null : bytea[c] ? (Buffer.isBuffer(v) ? v : Buffer.from(String(v))) : bool[c] ? Boolean(v) : v));
        sum.add(row);
        batch.push(row);
        if (batch.length >= per) await flush();
      }
      await flush();
      // what PostgreSQL now holds, read back the same way
      const back = new Checksum();
      await client.query(`DECLARE copied NO SCROLL CURSOR FOR SELECT ${cols} FROM ${q(t.name)}`);
      for (;;) {
        const { rows } = await client.query({ text: 'FETCH 5000 FROM copied', rowMode: 'array' });
        for (const r of rows as unknown[][]) back.add(r);
        if (rows.length < 5000) break;
      }
      await client.query('CLOSE copied');
      if (back.toString() !== sum.toString()) throw new MigrateDbError(`${t.name}: the copy does not match (SQLite ${sum.rows} rows, checksum ${sum}; PostgreSQL ${back.rows} rows, checksum ${back})`);
      // ids made after the move continue after the copied ones
      for (const c of t.columns.filter((c) => c.type === 'identity'))
        await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), max_id) FROM (SELECT max(${q(c.name)}) AS max_id FROM ${q(t.name)}) m WHERE max_id IS NOT NULL`, [q(t.name), c.name]);
      results.push({ table: t.name, rows: sum.rows, checksum: sum.toString() });
      total += sum.rows;
      progress(`[${i + 1}/${tables.length}] ${t.name}: ${sum.rows} row${sum.rows === 1 ? '' : 's'} copied, count and checksum match`);
    }
    await client.query('COMMIT');
    // only now does the install point at PostgreSQL
    await setEnvValues(dataDir, { DATABASE_URL: to });
    return { tables: results, rows: total, ms: performance.now() - t0, envFile: envFilePath(dataDir) };
  } finally {
    sqlite.close();
  }
}

/** The target's tables (parents before children), their copied columns (not generated ones) and primary keys. */
async function describeTarget(client: pg.Client): Promise<TableInfo[]> {
  const cols = await client.query<{ table_name: string; column_name: string; data_type: string; is_generated: string; is_identity: string; column_default: string | null }>(
    `SELECT table_name, column_name, data_type, is_generated, is_identity, column_default
       FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
  );
  const keys = await client.query<{ table_name: string; column_name: string }>(
    `SELECT tc.table_name, k.column_name
       FROM information_schema.table_constraints tc
       JOIN information_schema.key_column_usage k ON k.constraint_schema = tc.constraint_schema AND k.constraint_name = tc.constraint_name AND k.table_name = tc.table_name
      WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema()
      ORDER BY tc.table_name, k.ordinal_position`,
  );
  const fks = await client.query<{ child: string; parent: string }>(
    `SELECT ch.relname AS child, pa.relname AS parent
       FROM pg_constraint c JOIN pg_class ch ON ch.oid = c.conrelid JOIN pg_class pa ON pa.oid = c.confrelid JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE c.contype = 'f' AND n.nspname = current_schema()`,
  );
  const base = await client.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`);
  const tables = new Map<string, TableInfo>();
  for (const { table_name } of base.rows) if (!SKIP.has(table_name)) tables.set(table_name, { name: table_name, columns: [], key: [] });
  for (const c of cols.rows) {
    const t = tables.get(c.table_name);
    if (!t || c.is_generated === 'ALWAYS') continue;
    const identity = c.is_identity === 'YES' || (c.column_default ?? '').startsWith('nextval(');
    t.columns.push({ name: c.column_name, type: identity ? 'identity' : c.data_type });
  }
  for (const k of keys.rows) tables.get(k.table_name)?.key.push(k.column_name);
  // Kahn's order over the foreign keys; a table referring to itself is copied in key order
  const parents = new Map<string, Set<string>>([...tables.keys()].map((n) => [n, new Set<string>()]));
  for (const f of fks.rows) if (f.child !== f.parent && tables.has(f.child) && tables.has(f.parent)) parents.get(f.child)!.add(f.parent);
  const order: TableInfo[] = [];
  const done = new Set<string>();
  while (order.length < tables.size) {
    const ready = [...tables.keys()].filter((n) => !done.has(n) && [...parents.get(n)!].every((p) => done.has(p))).sort();
    if (!ready.length) {
      const left = [...tables.keys()].filter((n) => !done.has(n));
      throw new MigrateDbError(`the tables ${left.join(', ')} refer to each other in a cycle; they cannot be copied parents first`);
    }
    for (const n of ready) {
      done.add(n);
      order.push(tables.get(n)!);
    }
  }
  return order;
}
