// The feature modules, in the order their services are built and their routes registered.
// This list is the one place a new feature is added (see server/feature.ts).
import type { FeatureModule } from './feature.js';
import { aiModule } from './ai/module.js';
import { auditModule } from './audit/module.js';
import { backupModule } from './backup/module.js';
import { billingModule } from './billing/module.js';
import { ciModule } from './ci/module.js';
import { eventsModule } from './events/module.js';
import { issuesModule } from './issues/module.js';
import { editsModule } from './edits/module.js';
import { wikiModule } from './wiki/module.js';
import { keysModule } from './keys/module.js';
import { notificationsModule } from './notifications/module.js';
import { pullsModule } from './pulls/module.js';
import { realtimeModule } from './realtime/module.js';
import { reposModule } from './repos/module.js';
import { runtimeModule } from './runtime/module.js';
import { securityModule } from './security/module.js';
import { shellsModule } from './shells/module.js';
import { socialModule } from './social/module.js';
import { statusesModule } from './statuses/module.js';
import { tasksModule } from './tasks/module.js';
import { twoFactorModule } from './twofactor/module.js';
import { webhooksModule } from './webhooks/module.js';
import type { MigrationFactory } from './db/migrations/index.js';

export const MODULES: readonly FeatureModule[] = [
  eventsModule,
  reposModule,
  keysModule,
  backupModule,
  auditModule,
  twoFactorModule,
  realtimeModule,
  notificationsModule,
  statusesModule,
  issuesModule,
  pullsModule,
  tasksModule,
  wikiModule,
  editsModule,
  runtimeModule,
  ciModule,
  shellsModule,
  billingModule,
  webhooksModule,
  securityModule,
  aiModule,
  socialModule,
];

/** Every feature module's migrations, for the migrator (the base ones are in db/migrations). */
export function featureMigrations(modules: readonly FeatureModule[] = MODULES): Record<string, MigrationFactory> {
  const all: Record<string, MigrationFactory> = {};
  for (const m of modules) {
    for (const [name, f] of Object.entries(m.migrations ?? {})) {
      if (all[name]) throw new Error(`two feature modules have a migration named ${name}`);
      all[name] = f;
    }
  }
  return all;
}
