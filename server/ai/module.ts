// Commit messages from a local model: a service and its API routes. No tables, no subscribers:
// the settings (ai.ollamaHost, ai.model, ai.timeoutSeconds) say whether and where it runs.
import type { FeatureModule } from '../feature.js';
import '../edits/index.js';
import '../pulls/index.js';
import '../settings/index.js';
import { registerAiRoutes } from './routes.js';
import { AiService } from './service.js';
import './index.js';

export const aiModule: FeatureModule = {
  name: 'ai',
  services: (s) => {
    s.ai = new AiService(s);
  },
  routes: (api, s) => registerAiRoutes(api, s, s.ai),
};
