// The public surface of server/social: follows, blocks and the contribution heatmap.
export { SocialService, type HeatmapDay } from './service.js';
export type { FollowRow } from './schema.js';

import type { SocialService } from './service.js';
import './schema.js';

declare module '../services.js' {
  interface Services {
    social: SocialService;
  }
}
