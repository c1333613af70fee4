// The service graph the composition root builds and the transports receive. This file names
// only the base every feature stands on; each feature adds its own services to `Services` by
// declaration merging in its index.ts, so a new feature never edits this file:
//
//   declare module '../services.js' { interface Services { issues: IssueService } }
import type { Config } from './config.js';
import type { Db, DbCapture } from './db/index.js';
import type { Dialect, MigrationFactory } from './db/migrations/index.js';
import type { EventBus } from './events/index.js';
import type { GitEnv } from './git/command.js';
import type { BrowseService } from './git/browse-service.js';
import type { RepoStore } from './git/repo-store.js';
import type { Logger } from './lib/log.js';
import type { SharedState } from './scale/shared.js';
import type { KeyedLocks } from './scale/cluster.js';
import type { Semaphore } from './lib/semaphore.js';

export interface Services {
  config: Config;
  db: Db;
  /** Which database `db` talks to, for the few queries that differ (full-text search). */
  dialect: Dialect;
  log: Logger;
  git: GitEnv;
  store: RepoStore;
  /** Durable events (the outbox) and in-process signals. */
  events: EventBus;
  /** What the forge's instances share (Redis when REDIS_URL is set, else this process): socket.io's adapter, rate-limit counters, the instance id. */
  shared: SharedState;
  /** Work one at a time per key (a repository's push records, a user's shell seats), across the instances that share the store. */
  locks: KeyedLocks;
  /** Every migration this build knows: the base ones and the feature modules'. */
  migrations: Record<string, MigrationFactory>;
  /** Caps concurrent pack-producing git processes (clones and fetches on every transport). */
  packLimiter: Semaphore;
  /** Reads repository contents and history for the UI and the API (pooled cat-file). */
  browse: BrowseService;
  /** Takes the database for a backup at this moment (see OpenedDb.capture). */
  dbCapture(stage: string): Promise<DbCapture>;
  /** The HTTP port once it listens (the configured one until then). */
  httpPort(): number;
  /**
   * Open issues and pull requests of a repository, for its JSON (`open_issues_count`,
   * `open_pr_counter`); set by the issues feature, absent without it (the counts are 0 then).
   */
  repoCounts?: (repoId: number, opts: { confidential: boolean }) => Promise<{ issues: number; pulls: number }>;
}
