// Reads a test server's database directly (the server may be running, or dead): what the
// outbox still owes, so a test can wait until every subscriber has had its turn before it
// asserts that something did NOT happen. The same SQL on both databases: `<data>/gitssy.db`, or
// the PostgreSQL database the rig gave that data dir in the PostgreSQL pass (`?` placeholders
// become `$n`; bigint counts come back as numbers on both).
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { pgUrlFor, waitFor } from '../fixtures/rig.js';

const bigintAsNumber = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === 20 ? Number : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser,
};

/** One query against the database of the server on `data`. */
export async function query<T>(data: string, sql: string, ...params: unknown[]): Promise<T[]> {
  const url = pgUrlFor(data);
  if (url) {
    const client = new pg.Client({ connectionString: url, types: bigintAsNumber });
    await client.connect();
    try {
      let n = 0;
      return (
        await client.query(
          sql.replace(/\?/g, () => `$${++n}`),
          params,
        )
      ).rows as T[];
    } finally {
      await client.end();
    }
  }
  const db = new Database(path.join(data, 'gitssy.db'), { fileMustExist: true, timeout: 10_000 });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Waits until no delivery is waiting or running (dead ones stay, and are the caller's to check). */
export async function outboxIdle(data: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => (await query<{ n: number }>(data, "SELECT count(*) AS n FROM event_deliveries WHERE state IN ('pending', 'running')"))[0]!.n === 0, timeoutMs);
}
