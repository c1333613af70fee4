// The social feature: people follow people and block them, show a year of contributions on
// their profile (Gitea's follow, block and heatmap API), write posts with reactions and
// replies, read a home feed of posts and of what happened where they follow and watch, and
// message their mutual followers; what they report, administrators hide or act on.
import type { FeatureModule } from '../feature.js';
import '../issues/index.js';
import '../pulls/index.js';
import '../pushes/index.js';
import { FeedService, feedSubscribers } from './feed.js';
import m0026 from './migrations/0026_follows.js';
import m0027 from './migrations/0027_posts.js';
import m0028 from './migrations/0028_messages.js';
import m0029 from './migrations/0029_reports.js';
import m0030 from './migrations/0030_profile_media.js';
import { registerModerationRoutes } from './moderation-routes.js';
import { ModerationService } from './moderation.js';
import { registerMessageRoutes } from './message-routes.js';
import { MessageService } from './messages.js';
import { PostService } from './posts.js';
import { SocialRates } from './rates.js';
import { registerPostRoutes } from './post-routes.js';
import { ProfileService } from './profile.js';
import { registerAvatarRoute, registerProfileRoutes } from './profile-routes.js';
import { registerSocialRoutes } from './routes.js';
import { SocialService } from './service.js';

export const socialModule: FeatureModule = {
  name: 'social',
  migrations: { '0026_follows': m0026, '0027_posts': m0027, '0028_messages': m0028, '0029_reports': m0029, '0030_profile_media': m0030 },
  services: (s) => {
    s.social = new SocialService(s);
    const rates = new SocialRates((action) => s.shared.rateStore(`social:${action}`));
    s.posts = new PostService(s, s.social, rates);
    s.feed = new FeedService(s);
    s.messages = new MessageService(s, s.social, rates);
    s.moderation = new ModerationService(s);
    s.profiles = new ProfileService(s);
  },
  subscribers: (s) => feedSubscribers(s, s.feed),
  routes: (api, s) => {
    registerSocialRoutes(api, s, s.social);
    registerPostRoutes(api, s);
    registerMessageRoutes(api, s, s.messages);
    registerModerationRoutes(api, s, s.moderation);
    registerProfileRoutes(api, s, s.profiles);
  },
  web: (router, s) => registerAvatarRoute(router, s.profiles),
};
