// Reads a test server's SQLite file directly (the server may be running, or dead): what the
// outbox still owes, so a test can wait until every subscriber has had its turn before it
// asserts that something did NOT happen.
import path from 'node:path';
import Database from 'better-sqlite3';
import { waitFor } from '../fixtures/rig.js';

/** One query against `<data>/gitssy.db`. */
export function query<T>(data: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(path.join(data, 'gitssy.db'), { fileMustExist: true, timeout: 10_000 });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Waits until no delivery is waiting or running (dead ones stay, and are the caller's to check). */
export async function outboxIdle(data: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => query<{ n: number }>(data, "SELECT count(*) AS n FROM event_deliveries WHERE state IN ('pending', 'running')")[0]!.n === 0, timeoutMs);
}
