// What several instances on one PostgreSQL database and one repository store coordinate through
// the database itself:
//
// - the backup's write barrier, cluster-wide: the instance taking a backup holds an advisory
//   lock (exclusively, on a connection of its own, so a crash releases it) while it captures the
//   records and every ref, and each instance's pushes take the same lock shared for one statement
//   before they move a ref — they wait while a backup on any instance captures, and cost one
//   round trip otherwise;
// - once-only work (a scheduled backup's slot): the first instance to claim a slot in
//   cluster_leases does it; the claim moves only forward, so the others see it taken.
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
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
