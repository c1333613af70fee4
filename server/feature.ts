// The shape every feature module has. A feature is one folder under server/ with its tables and
// migrations, its services, its routes, its event subscribers and its realtime events; it
// exports one `FeatureModule` from `<feature>/module.ts`, listed once in server/modules.ts. The
// composition root, the API index and the migrator loop over that list, so adding a feature
// touches no central file but the list.
import type { Router } from 'express';
import type { MigrationFactory } from './db/migrations/index.js';
import type { Subscriber } from './events/index.js';
import type { ApiRouter } from './http/api/route.js';
import type { Services } from './services.js';

/** Undoes what a module's start() did (listeners, timers). */
export type Stop = () => Promise<void> | void;

export interface FeatureModule {
  /** Folder name; also the prefix of its subscribers' names. */
  name: string;
  /** Its migration files, named with the global NNNN_ numbering. */
  migrations?: Record<string, MigrationFactory>;
  /** Adds the feature's services to the graph (runs after the base services, in list order). */
  services?(s: Services): void | Promise<void>;
  /** Durable event subscribers (delivered from the outbox, never inside the producer). */
  subscribers?(s: Services): Subscriber[];
  /** REST routes under /api/v1. */
  routes?(api: ApiRouter, s: Services): void;
  /** Routes outside the API (an image, a download), after sign-in is known and before the web app. */
  web?(router: Router, s: Services): void;
  /** Runs when the server starts serving; what it returns runs when the server stops. */
  start?(s: Services): Promise<Stop | void> | Stop | void;
}
