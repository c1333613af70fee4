// Scale-out: what other modules use of it — moving an install's records from SQLite to
// PostgreSQL (the CLI's `admin migrate-db` and the console's database move).
export { MigrateDbError, checkTarget, migrateToPostgres, redactUrl, type MigrateDbResult } from './migrate-db.js';
