// The push event: one per push (any transport, web writes included), recorded durably with the
// refs snapshot and delivered from the outbox to whoever subscribes (audit, repository
// metadata, notifications, later the feed, pull requests and CI).
import type { RefUpdate } from '../git/ref-update.js';

export type PushTransport = 'http' | 'ssh' | 'web' | 'recovered';

export interface PushEvent {
  /** Row id in push_events. */
  id: number;
  repoId: number;
  pusherId: number | null;
  transport: PushTransport;
  updates: RefUpdate[];
  at: number;
}

/**
 * A push to a repository's wiki (`<name>.wiki.git`, over git or a web edit). Its own event, not a
 * `push`: pull requests, CI, the feed and closing keywords follow the code repository's
 * branches, and would misread the wiki's branch as one of them.
 */
export interface WikiPushEvent {
  /** The code repository the wiki belongs to. */
  repoId: number;
  pusherId: number | null;
  transport: PushTransport;
  updates: RefUpdate[];
  at: number;
}

declare module '../events/index.js' {
  interface EventMap {
    push: PushEvent;
    'wiki.push': WikiPushEvent;
  }
}
