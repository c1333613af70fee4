// Backups as a module: the manager is built with the base graph (the hooks' write barrier and
// the CLI need it); the module brings the console's backup routes (/admin/backups…) and the first-run wizard's
// restore (/setup/restore, guarded by the setup token).
import type { FeatureModule } from '../feature.js';
import { registerBackupRoutes } from './routes.js';
import { registerSetupRestoreRoutes } from './setup-restore.js';

export const backupModule: FeatureModule = {
  name: 'backup',
  routes: (api, s) => {
    registerBackupRoutes(api, s);
    registerSetupRestoreRoutes(api, s);
  },
};
