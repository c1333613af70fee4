// The event outbox of several instances on one PostgreSQL database: two buses (two pools, as two
// servers have) claim from one queue with FOR UPDATE SKIP LOCKED and deliver each event to each
// subscriber once; an instance that restarts after a crash takes back at once what it was running,
// and leaves another instance's running deliveries to their lease.
import os from 'node:os';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { migrate, openDatabase, type OpenedDb } from '../../server/db/index.js';
import { allMigrations } from '../../server/db/migrations/index.js';
import { EventBus } from '../../server/events/bus.js';
import type { StoredEvent } from '../../server/events/types.js';
import { createLogger } from '../../server/lib/log.js';
import { featureMigrations } from '../../server/modules.js';
import { startPostgres, type PgCluster } from '../fixtures/postgres.js';
import { waitFor } from '../fixtures/rig.js';
import { itUnless } from '../fixtures/skip.js';

const log = createLogger({ level: 'silent' });

describe('the outbox of two instances on one PostgreSQL database', () => {
  let cluster: PgCluster | { skip: string };
  let skip = '';
  let url: string;
  const opened: OpenedDb[] = [];
  const buses: EventBus[] = [];

  beforeAll(async () => {
    cluster = await startPostgres();
    if ('skip' in cluster) {
      skip = cluster.skip;
      return;
    }
    url = await cluster.createDatabase('outbox');
    const first = await openDatabase({ dataDir: os.tmpdir(), databaseUrl: url });
    opened.push(first);
    await migrate(first, allMigrations(featureMigrations()));
  }, 60_000);

  afterAll(async () => {
    for (const b of buses) await b.outbox.stop(100);
    for (const o of opened) await o.close().catch(() => {});
    if (cluster && 'stop' in cluster) await cluster.stop();
  });

  const test = itUnless(() => skip);

  /** A bus on its own pool, as another server would have, with one subscriber named `name`. */
  async function instance(id: string, name: string, handle: (e: StoredEvent) => Promise<void>, leaseMs = 60_000): Promise<EventBus> {
    const o = await openDatabase({ dataDir: os.tmpdir(), databaseUrl: url });
    opened.push(o);
    const bus = new EventBus(o.db, log, { instance: id, skipLocked: true, pollMs: 20, leaseMs });
    bus.subscribe({ name, events: ['repo.deleted'], handle, concurrency: 4 });
    buses.push(bus);
    return bus;
  }

  const pendingOf = async (name: string) =>
    Number(
      (
        await opened[0]!.db
          .selectFrom('event_deliveries')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('subscriber', '=', name)
          .executeTakeFirstOrThrow()
      ).n,
    );

  test('delivers each of 300 events once, split between the two instances', async () => {
    const seen: { by: string; id: number }[] = [];
    const handler = (by: string) => async (e: StoredEvent) => {
      seen.push({ by, id: e.id });
      await new Promise((r) => setTimeout(r, 3));
    };
    const a = await instance('inst-a', 'count', handler('a'));
    const b = await instance('inst-b', 'count', handler('b'));
    // recorded first, so both start on a full queue
    const ids: number[] = [];
    for (let i = 0; i < 300; i++) ids.push(await a.publish('repo.deleted', { repoId: i } as never));
    await Promise.all([a.outbox.start(), b.outbox.start()]);
    await waitFor(async () => (await pendingOf('count')) === 0, 30_000, 50);
    expect(seen.map((s) => s.id).sort((x, y) => x - y)).toEqual(ids);
    expect(seen.filter((s) => s.by === 'a').length).toBeGreaterThan(0);
    expect(seen.filter((s) => s.by === 'b').length).toBeGreaterThan(0);
  });

  test('takes back at its restart what its crash cut off, and leaves another instance’s running delivery to the lease', async () => {
    // instance c claims two deliveries and "dies" mid-run: its handler never returns
    const never = new Promise<void>(() => {});
    const c = await instance('inst-c', 'crashy', () => never);
    const ids = [await c.publish('repo.deleted', { repoId: 1 } as never), await c.publish('repo.deleted', { repoId: 2 } as never)];
    await c.outbox.start();
    const running = () =>
      opened[0]!.db.selectFrom('event_deliveries').select(['event_id', 'locked_by']).where('subscriber', '=', 'crashy').where('state', '=', 'running').orderBy('event_id').execute();
    await waitFor(async () => (await running()).length === 2, 10_000, 20);
    expect((await running()).map((r) => r.locked_by)).toEqual(['inst-c', 'inst-c']);
    await c.outbox.stop(0);

    // another instance starting now must not take them: c may still be running them
    const otherSeen: number[] = [];
    const d = await instance('inst-d', 'crashy', async (e) => void otherSeen.push(e.id));
    await d.outbox.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(otherSeen).toEqual([]);
    expect((await running()).length).toBe(2);
    await d.outbox.stop(0);

    // c itself, started again under the same name, knows they were cut off and runs them at once
    const again: number[] = [];
    const c2 = await instance('inst-c', 'crashy', async (e) => void again.push(e.id));
    await c2.outbox.start();
    await waitFor(async () => (await pendingOf('crashy')) === 0, 10_000, 20);
    expect(again.sort((x, y) => x - y)).toEqual(ids);
  });
});
