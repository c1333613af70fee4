// The once-only claim on SQLite (the PostgreSQL side runs in test/integration/cluster-store.test.ts):
// a slot goes to the first claimant, never twice, and the claim moves only to later slots.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type OpenedDb } from '../db/index.js';
import { BASE_MIGRATIONS } from '../db/migrations/index.js';
import { claimSlot } from './cluster.js';

let dir: string;
let opened: OpenedDb;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gitssy-claims-'));
  opened = await openDatabase({ dataDir: dir, databaseUrl: null });
  await migrate(opened, BASE_MIGRATIONS);
});
afterAll(async () => {
  await opened.close();
  await rm(dir, { recursive: true, force: true });
});

describe('claiming a slot of once-only work', () => {
  it('gives each slot to its first claimant only, and moves forward only', async () => {
    const monday = '2026-12-07T03:00:00.000Z';
    const tuesday = '2026-12-08T03:00:00.000Z';
    expect(await claimSlot(opened.db, 'backup.schedule', monday, 'a')).toBe(true);
    expect(await claimSlot(opened.db, 'backup.schedule', monday, 'b')).toBe(false);
    expect(await claimSlot(opened.db, 'backup.schedule', tuesday, 'b')).toBe(true);
    expect(await claimSlot(opened.db, 'backup.schedule', tuesday, 'a')).toBe(false);
    // an instance whose clock lags can't take back a slot that is over
    expect(await claimSlot(opened.db, 'backup.schedule', monday, 'c')).toBe(false);
    // another kind of work has slots of its own
    expect(await claimSlot(opened.db, 'other', monday, 'c')).toBe(true);
    const rows = await opened.db.selectFrom('cluster_leases').select(['name', 'slot', 'holder']).orderBy('name').execute();
    expect(rows).toEqual([
      { name: 'backup.schedule', slot: tuesday, holder: 'b' },
      { name: 'other', slot: monday, holder: 'c' },
    ]);
  });
});
