// The pull requests feature: its tables, services, API routes and subscribers, as one module.
import type { FeatureModule } from '../feature.js';
import '../issues/index.js';
import '../notifications/index.js';
import '../pushes/index.js';
import '../statuses/index.js';
import m0011 from './migrations/0011_pulls.js';
import { ReviewService } from './reviews.js';
import { registerPullRoutes } from './routes.js';
import { PullService } from './service.js';
import { pullSubscribers } from './subscribers.js';

export const pullsModule: FeatureModule = {
  name: 'pulls',
  migrations: { '0011_pulls': m0011 },
  services: (s) => {
    s.pulls = new PullService(s);
    s.reviews = new ReviewService(s, s.pulls);
  },
  subscribers: (s) => pullSubscribers(s, s.pulls, s.reviews),
  routes: (api, s) => registerPullRoutes(api, s, s.pulls, s.reviews),
};
