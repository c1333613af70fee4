// With GITSSY_TEST_DB=postgres (npm run test:integration:pg), one PostgreSQL cluster for the
// whole run: every server the integration tests start gets a fresh database on it instead of
// SQLite (test/fixtures/rig.ts reads GITSSY_TEST_PG_URL). Without the switch it does nothing.
import { startPostgres } from './fixtures/postgres.js';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.GITSSY_TEST_DB !== 'postgres') return undefined;
  const pg = await startPostgres();
  if ('skip' in pg) throw new Error(`GITSSY_TEST_DB=postgres, but ${pg.skip}`);
  process.env.GITSSY_TEST_PG_URL = pg.url;
  return () => pg.stop();
}
