// The social feature's tables, added to the db's `Database` by declaration merging.
import type { Generated, Selectable } from 'kysely';

/** `user_id` follows `follow_id` (Gitea's column names). */
export interface FollowTable {
  user_id: number;
  follow_id: number;
  created_at: number;
}

/** `blocker_id` blocked `blocked_id`: no follows between them either way. */
export interface UserBlockTable {
  blocker_id: number;
  blocked_id: number;
  created_at: number;
}

export interface PostTable {
  id: Generated<number>;
  author_id: number;
  /** The post this one replies to (itself never a reply); null for a post. */
  parent_id: number | null;
  body: string;
  num_replies: Generated<number>;
  created_at: number;
  updated_at: number;
  /** Set when an administrator hid it (after a report): nobody but administrators sees it. */
  hidden_at: number | null;
}

export interface PostReactionTable {
  post_id: number;
  user_id: number;
  /** One of Gitea's reaction names (`+1`, `heart`, …). */
  content: string;
  created_at: number;
}

/** A user's avatar: the server's re-encoding (WebP, 256×256) of what they uploaded. */
export interface UserAvatarTable {
  user_id: number;
  image: Buffer;
  updated_at: number;
}

/** A link on a profile (http or https), in its owner's order. */
export interface ProfileLinkTable {
  user_id: number;
  position: number;
  url: string;
}

/** A repository pinned to a profile (up to six), in its owner's order. */
export interface PinnedRepoTable {
  user_id: number;
  repo_id: number;
  position: number;
}

/** An image of a post (up to four): the server's re-encoding (WebP) of what was uploaded. */
export interface PostImageTable {
  post_id: number;
  position: number;
  image: Buffer;
  width: number;
  height: number;
}

/** What a home feed can show: `post`, `push`, `issue`, `pull` (opened) or `merge`. */
export type FeedKind = 'post' | 'push' | 'issue' | 'pull' | 'merge';

export interface FeedItemTable {
  id: Generated<number>;
  kind: FeedKind;
  actor_id: number | null;
  repo_id: number | null;
  post_id: number | null;
  /** An issue, pull request or merge item's number in its repository. */
  issue_index: number | null;
  event_id: number | null;
  /** JSON: what the item shows besides its actor and repository (refs, numbers, titles). */
  payload: Generated<string>;
  created_at: number;
}

export interface MessageThreadTable {
  id: Generated<number>;
  kind: 'direct' | 'group';
  /** Direct threads: "<smaller user id>:<larger user id>", so a pair has one thread. */
  pair_key: string | null;
  title: Generated<string>;
  created_by: number | null;
  created_at: number;
  /** When its last message was written (threads list newest first). */
  updated_at: number;
}

export interface MessageThreadMemberTable {
  thread_id: number;
  user_id: number;
  /** The newest message this member has read (0: none). */
  last_read_id: Generated<number>;
  joined_at: number;
}

export interface MessageTable {
  id: Generated<number>;
  thread_id: number;
  author_id: number | null;
  body: string;
  created_at: number;
  /** Set when an administrator hid it: its text is withheld from everyone. */
  hidden_at: number | null;
}

export interface MessengerPrefsTable {
  user_id: number;
  /** 1: the others in a thread see how far you have read. */
  read_receipts: Generated<number>;
}

export type ReportKind = 'post' | 'message' | 'user';
export type ReportState = 'open' | 'resolved' | 'dismissed';

export interface ReportTable {
  id: Generated<number>;
  reporter_id: number | null;
  kind: ReportKind;
  post_id: number | null;
  message_id: number | null;
  /** The person reported, or the author of the post or message. */
  user_id: number | null;
  /** What was reported, as one key (`post:12`, `message:3`, `user:5`): one open report per reporter and key. */
  target: string;
  reason: string;
  state: Generated<ReportState>;
  resolved_by: number | null;
  /** What the administrator did: `hidden`, `disabled`, or `none`. */
  resolution: string | null;
  created_at: number;
  resolved_at: number | null;
}

export type FollowRow = Selectable<FollowTable>;
export type ReportRow = Selectable<ReportTable>;
export type MessageThreadRow = Selectable<MessageThreadTable>;
export type MessageRow = Selectable<MessageTable>;
export type PostRow = Selectable<PostTable>;
export type FeedItemRow = Selectable<FeedItemTable>;

declare module '../db/schema.js' {
  interface Database {
    follows: FollowTable;
    user_blocks: UserBlockTable;
    posts: PostTable;
    post_reactions: PostReactionTable;
    feed_items: FeedItemTable;
    message_threads: MessageThreadTable;
    message_thread_members: MessageThreadMemberTable;
    messages: MessageTable;
    messenger_prefs: MessengerPrefsTable;
    reports: ReportTable;
    user_avatars: UserAvatarTable;
    profile_links: ProfileLinkTable;
    pinned_repos: PinnedRepoTable;
    post_images: PostImageTable;
  }
}
