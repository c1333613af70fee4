// The web-editing feature: a service and its API routes. It has no tables and no subscribers:
// each edit is a commit landed through the RefWriter, whose push event tells everyone else.
import type { FeatureModule } from '../feature.js';
import '../pushes/index.js';
import { registerEditRoutes } from './routes.js';
import { EditService } from './service.js';
import './index.js';

export const editsModule: FeatureModule = {
  name: 'edits',
  services: (s) => {
    s.edits = new EditService(s);
  },
  routes: (api, s) => registerEditRoutes(api, s, s.edits),
};
