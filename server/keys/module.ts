// SSH keys as a module: the service is built with the base graph (the SSH server needs it
// early); the module brings its routes (/user/keys, /users/{u}/keys, /admin/users/{u}/keys).
import type { FeatureModule } from '../feature.js';
import { registerKeyRoutes } from './routes.js';

export const keysModule: FeatureModule = {
  name: 'keys',
  routes: registerKeyRoutes,
};
