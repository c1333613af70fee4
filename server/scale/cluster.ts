// What several instances on one PostgreSQL database and one repository store coordinate through
// the database itself:
//
// - the backup's write barrier, cluster-wide: the instance taking a backup holds an advisory
//   lock (exclusively, on a connection of its own, so a crash releases it) while it captures the
//   records and every ref, and each instance's pushes take the same lock shared for one statement
//   before they move a ref — they wait while a backup on any instance captures, and cost one
//   round trip otherwise;
// - once-only work (a scheduled backup's slot): the first instance to claim a slot in
//   cluster_leases does it; the claim moves only forward, so the others see it taken;
// - work one at a time per key across instances (KeyedLocks: recording a repository's pushes,
//   a user's shell seats, a repository's scans): in this process a queue per key, and with
//   other instances also an advisory lock per key, held on a connection of its own for as long
//   as the work runs (a crash releases it with the connection, where a lock with a time-out in
//   Redis could run out under a long piece of work and let a second holder in).
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { KeyedQueue } from '../lib/keyed-queue.js';
import type { Database } from '../db/schema.js';

/** The advisory lock key of the backup barrier ('gits' 'back'): the same on every instance. */
export const BACKUP_BARRIER_LOCK = 0x67697473_6261636bn;

export interface ClusterBarrier {
  /** Holds the lock until the returned function is called; resolves once it is held. */
  hold(): Promise<() => Promise<void>>;
  /** Resolves at once, or when no instance holds the lock any more. */
  wait(): Promise<void>;
}

export function pgClusterBarrier(url: string, db: Kysely<Database>): ClusterBarrier {
  const key = BACKUP_BARRIER_LOCK.toString();
  return {
    async hold() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1::bigint)', [key]);
      } catch (err) {
        await client.end().catch(() => {});
        throw err;
      }
      return async () => {
        // ending the session releases it too; unlocking first makes it prompt
        await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => {});
        await client.end().catch(() => {});
      };
    },
    async wait() {
      // granted at once unless a backup holds it exclusively; released when the statement ends
      await sql`SELECT pg_advisory_xact_lock_shared(${key}::bigint)`.execute(db);
    },
  };
}

/**
 * Claims `slot` (an ISO time) of the once-only work `name` for `holder`: true for the first
 * instance to claim that slot or a later one than the last claimed, false when it is taken.
 */
export async function claimSlot(db: Kysely<Database>, name: string, slot: string, holder: string): Promise<boolean> {
  const r = await db
    .insertInto('cluster_leases')
    .values({ name, slot, holder, taken_at: Date.now() })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet((eb) => ({ slot: eb.ref('excluded.slot'), holder: eb.ref('excluded.holder'), taken_at: eb.ref('excluded.taken_at') }))
        .where('cluster_leases.slot', '<', slot),
    )
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Work one at a time per key, for the whole forge. */
export interface KeyedLocks {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** One instance: a queue per key in this process. */
export function localLocks(): KeyedLocks {
  const queue = new KeyedQueue<string>();
  return { run: (key, fn) => queue.run(key, fn), close: async () => {} };
}

/** The advisory lock key of `key`: 64 bits of its sha-256, as PostgreSQL's signed bigint. */
export function lockKeyOf(key: string): string {
  return createHash('sha256').update(`gitssy:${key}`).digest().readBigInt64BE(0).toString();
}

/**
 * Several instances on the PostgreSQL at `url`: the queue in this process first (so this
 * instance holds one connection per key at most), then the advisory lock of the key on a
 * connection of a small pool of its own. Only innermost work takes these locks (none runs
 * another's), so a waiting holder never waits for a connection another holder keeps.
 */
export function pgLocks(url: string): KeyedLocks {
  const queue = new KeyedQueue<string>();
  const pool = new pg.Pool({ connectionString: url, max: 8, idleTimeoutMillis: 30_000 });
  pool.on('error', () => {}); // an idle connection that drops is replaced at the next checkout
  return {
    run: (key, fn) =>
      queue.run(key, async () => {
        const client = await pool.connect();
        const k = lockKeyOf(key);
        let broken = false;
        try {
          await client.query('SELECT pg_advisory_lock($1::bigint)', [k]);
          try {
            return await fn();
          } finally {
            await client.query('SELECT pg_advisory_unlock($1::bigint)', [k]).catch(() => (broken = true));
          }
        } finally {
          // a connection whose unlock failed may still hold the lock: it is closed, not reused
          client.release(broken);
        }
      }),
    close: () => pool.end(),
  };
}
