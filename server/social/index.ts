// The public surface of server/social: follows, blocks, the contribution heatmap, posts with
// their reactions, and the home feed; the events and live messages the feature produces.
export { SocialService, type HeatmapDay } from './service.js';
export { PostService, POST_MAX, reactionOf, type Reaction, type ReactionSummary } from './posts.js';
export { FeedService } from './feed.js';
export type { FeedItemRow, FeedKind, FollowRow, PostRow } from './schema.js';

import type { FeedService } from './feed.js';
import type { PostService } from './posts.js';
import type { SocialService } from './service.js';
import './schema.js';

declare module '../services.js' {
  interface Services {
    social: SocialService;
    posts: PostService;
    feed: FeedService;
  }
}

declare module '../events/index.js' {
  interface EventMap {
    /** A post was written (`parentId`: the post it replies to, or null). */
    'post.created': { postId: number; authorId: number; parentId: number | null };
  }
}

declare module '../realtime/index.js' {
  interface RealtimeEvents {
    /** Something new at the top of your home feed: item `id` (fetch the feed from it). */
    'feed.item': { id: number };
    /** A post's reaction counts changed (to its author and the author's followers). */
    'post.reactions': { id: number; parent_id: number | null; reactions: { content: string; count: number }[] };
  }
}
