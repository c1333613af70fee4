// The social feature: people follow people, block them, and show a year of contributions on
// their profile (Gitea's follow, block and heatmap API).
import type { FeatureModule } from '../feature.js';
import m0026 from './migrations/0026_follows.js';
import { registerSocialRoutes } from './routes.js';
import { SocialService } from './service.js';

export const socialModule: FeatureModule = {
  name: 'social',
  migrations: { '0026_follows': m0026 },
  services: (s) => {
    s.social = new SocialService(s);
  },
  routes: (api, s) => registerSocialRoutes(api, s, s.social),
};
