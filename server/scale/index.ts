// Scale-out: what other modules use of it — moving an install's records from SQLite to
// PostgreSQL (the CLI's `admin migrate-db` and the console's database move), and what the
// instances of one forge coordinate through the database (cluster.ts).
export { MigrateDbError, checkTarget, migrateToPostgres, redactUrl, type MigrateDbResult } from './migrate-db.js';
export { BACKUP_BARRIER_LOCK, claimSlot, localLocks, lockKeyOf, pgClusterBarrier, pgLocks, type ClusterBarrier, type KeyedLocks } from './cluster.js';
