// The in-process event bus: producers emit one typed event per change; the feed, notifications,
// CI, webhooks and socket.io subscribe. Producers never know who listens, and a failing
// subscriber is logged without disturbing the producer or the other subscribers.
import type { Logger } from '../lib/log.js';
import type { BackupJob } from '../backup/manager.js';

export const ZERO_SHA = '0'.repeat(40);

export interface RefUpdate {
  ref: string;
  oldSha: string;
  newSha: string;
}

export type PushTransport = 'http' | 'ssh' | 'web' | 'recovered';

export interface PushEvent {
  /** Row id in push_events: the event's identity, so consumers can be idempotent. */
  id: number;
  repoId: number;
  pusherId: number | null;
  transport: PushTransport;
  updates: RefUpdate[];
  at: number;
}

export interface RepoEvent {
  repoId: number;
  actorId: number | null;
}

export interface EventMap {
  push: PushEvent;
  'repo.created': RepoEvent;
  'repo.deleted': RepoEvent & { fullName: string };
  /** A backup job (create, verify, restore) changed phase or made progress. */
  'backup.job': BackupJob;
}

type Handler<T> = (payload: T) => void | Promise<void>;

export class EventBus {
  private readonly handlers = new Map<keyof EventMap, Handler<never>[]>();
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly log: Logger) {}

  on<K extends keyof EventMap>(type: K, handler: Handler<EventMap[K]>): () => void {
    const list = (this.handlers.get(type) ?? []) as Handler<EventMap[K]>[];
    list.push(handler);
    this.handlers.set(type, list as Handler<never>[]);
    return () => {
      const i = list.indexOf(handler);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Delivers to every subscriber; returns when all have finished (errors are logged). */
  emit<K extends keyof EventMap>(type: K, payload: EventMap[K]): Promise<void> {
    const list = (this.handlers.get(type) ?? []) as Handler<EventMap[K]>[];
    const run = Promise.all(
      list.map(async (h) => {
        try {
          await h(payload);
        } catch (err) {
          this.log.error({ err, event: type }, 'event subscriber failed');
        }
      }),
    ).then(() => undefined);
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
    return run;
  }

  /** Waits for deliveries in flight (used at shutdown). */
  async drain(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
