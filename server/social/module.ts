// The social feature: people follow people and block them, show a year of contributions on
// their profile (Gitea's follow, block and heatmap API), write posts with reactions and
// replies, and read a home feed of posts and of what happened where they follow and watch.
import type { FeatureModule } from '../feature.js';
import '../issues/index.js';
import '../pulls/index.js';
import '../pushes/index.js';
import { FeedService, feedSubscribers } from './feed.js';
import m0026 from './migrations/0026_follows.js';
import m0027 from './migrations/0027_posts.js';
import { PostService } from './posts.js';
import { registerPostRoutes } from './post-routes.js';
import { registerSocialRoutes } from './routes.js';
import { SocialService } from './service.js';

export const socialModule: FeatureModule = {
  name: 'social',
  migrations: { '0026_follows': m0026, '0027_posts': m0027 },
  services: (s) => {
    s.social = new SocialService(s);
    s.posts = new PostService(s, s.social);
    s.feed = new FeedService(s);
  },
  subscribers: (s) => feedSubscribers(s, s.feed),
  routes: (api, s) => {
    registerSocialRoutes(api, s, s.social);
    registerPostRoutes(api, s);
  },
};
