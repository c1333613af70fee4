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

declare module '../events/index.js' {
  interface EventMap {
    push: PushEvent;
  }
}
