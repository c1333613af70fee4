// The public surface of server/social: follows, blocks, the contribution heatmap, posts with
// their reactions, and the home feed; the events and live messages the feature produces.
export { SocialService, type HeatmapDay } from './service.js';
export { PostService, POST_MAX, reactionOf, type Reaction, type ReactionSummary } from './posts.js';
export { FeedService } from './feed.js';
export { MessageService, MESSAGE_MAX, GROUP_MAX, type ThreadView } from './messages.js';
export { ModerationService, REASON_MAX, type ReportAction } from './moderation.js';
export { ProfileService, AVATAR_SIZE, LINKS_MAX, PINS_MAX } from './profile.js';
export type { FeedItemRow, FeedKind, FollowRow, PostRow } from './schema.js';

import type { FeedService } from './feed.js';
import type { MessageService } from './messages.js';
import type { ModerationService } from './moderation.js';
import type { PostService } from './posts.js';
import type { ProfileService } from './profile.js';
import type { SocialService } from './service.js';
import './schema.js';

declare module '../services.js' {
  interface Services {
    social: SocialService;
    posts: PostService;
    feed: FeedService;
    messages: MessageService;
    moderation: ModerationService;
    profiles: ProfileService;
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
    /** A new message in one of your threads (yours too, for your other tabs). */
    message: {
      thread_id: number;
      message: { id: number; thread_id: number; user: { id: number; login: string; full_name: string } | null; body: string; body_html: string; hidden: boolean; created_at: string };
    };
    /** How many messages you haven't read, now. */
    'message.unread': { count: number };
    /** Someone in the thread read up to `message_id` (only those who share their read receipts). */
    'message.read': { thread_id: number; user: string; message_id: number };
    /** Someone reported a post, a message or a person (to the site administrators). */
    'report.created': { id: number };
    /** Someone in the thread is typing (sent while they type, at most every few seconds). */
    'message.typing': { thread_id: number; user: string };
  }
}
