// SQLite transactions begin IMMEDIATE: the write lock is taken at BEGIN, so another process (the
// CLI beside the running server) that writes meanwhile waits its turn instead of making this
// transaction's first write fail with "database is locked" after its reads.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type OpenedDb } from './index.js';
import { BASE_MIGRATIONS } from './migrations/index.js';

let dir: string;
let opened: OpenedDb;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gitssy-sqlite-trx-'));
  opened = await openDatabase({ dataDir: dir, databaseUrl: null });
  await migrate(opened, BASE_MIGRATIONS);
});
afterAll(async () => {
  await opened.close();
  await rm(dir, { recursive: true, force: true });
});

describe('SQLite transactions', () => {
  it('hold the write lock from BEGIN, so a write after reads never loses to another process', async () => {
    const other = new SQLite(path.join(dir, 'gitssy.db'));
    other.pragma('busy_timeout = 0');
    const write = (key: string) => other.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 0)').run(key, '"x"');
    try {
      await opened.db.transaction().execute(async (trx) => {
        await trx.selectFrom('settings').selectAll().execute();
        // another process's write must wait for this transaction (here: fails at once, no wait allowed)
        expect(() => write('other.during')).toThrow(/locked|busy/i);
        await trx.insertInto('settings').values({ key: 'ours', value: '"y"', updated_at: 0 }).execute();
      });
      write('other.after');
      const keys = (await opened.db.selectFrom('settings').select('key').where('key', 'in', ['ours', 'other.during', 'other.after']).orderBy('key').execute()).map((r) => r.key);
      expect(keys).toEqual(['other.after', 'ours']);
    } finally {
      other.close();
    }
  });
});
