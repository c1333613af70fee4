// The one ordered list of schema migrations, run by Kysely's Migrator from a static map (no
// file globbing, so a bundled or packaged build migrates the same way). The base tables are
// here, one file each; a feature module brings its own migration files in its folder and the
// composition root passes them in (see server/modules.ts). Names are globally numbered, so the
// order is the same on every install.
import type { Migration, MigrationProvider } from 'kysely';
import { migrationContext, type Dialect, type MigrationContext } from './context.js';
import m0001 from './0001_core.js';
import m0002 from './0002_push_events.js';
import m0003 from './0003_limits_and_namespaces.js';
import m0004 from './0004_last_commits.js';
import m0005 from './0005_user_appearance.js';
import m0006 from './0006_events.js';
import m0009 from './0009_must_change_password.js';
import m0013 from './0013_protection_review_rules.js';
import m0018 from './0018_token_bounds.js';
import m0022 from './0022_remember_tokens.js';
import m0025 from './0025_user_profile.js';
import m0031 from './0031_delivery_claimer.js';
import m0032 from './0032_cluster_secrets.js';
import m0033 from './0033_cluster_leases.js';

export type { Dialect, MigrationContext };

/** A migration file's default export: the migration, given the dialect's helpers. */
export type MigrationFactory = (ctx: MigrationContext) => Migration;

export const BASE_MIGRATIONS: Record<string, MigrationFactory> = {
  '0001_core': m0001,
  '0002_push_events': m0002,
  '0003_limits_and_namespaces': m0003,
  '0004_last_commits': m0004,
  '0005_user_appearance': m0005,
  '0006_events': m0006,
  '0009_must_change_password': m0009,
  '0013_protection_review_rules': m0013,
  '0018_token_bounds': m0018,
  '0022_remember_tokens': m0022,
  '0025_user_profile': m0025,
  '0031_delivery_claimer': m0031,
  '0032_cluster_secrets': m0032,
  '0033_cluster_leases': m0033,
};

/** The base migrations and the feature modules' (`extra`), refusing a name used twice. */
export function allMigrations(extra: Record<string, MigrationFactory>): Record<string, MigrationFactory> {
  const all = { ...BASE_MIGRATIONS };
  for (const [name, factory] of Object.entries(extra)) {
    if (all[name]) throw new Error(`two migrations are named ${name}`);
    all[name] = factory;
  }
  return all;
}

/** Kysely's provider over a complete, static set of migrations (see allMigrations). */
export class StaticMigrationProvider implements MigrationProvider {
  constructor(
    private readonly dialect: Dialect,
    private readonly migrations: Record<string, MigrationFactory>,
  ) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const ctx = migrationContext(this.dialect);
    return Object.fromEntries(Object.entries(this.migrations).map(([name, f]) => [name, f(ctx)]));
  }
}

/** The newest migration of a complete set: a backup's schema version. */
export function latestMigration(migrations: Record<string, MigrationFactory>): string {
  return Object.keys(migrations).sort().at(-1)!;
}
