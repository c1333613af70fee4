// The event vocabulary: both maps start empty and grow by declaration merging in the features
// that produce events (see bus.ts).

export interface EventMap {}
export interface SignalMap {}

export type EventType = keyof EventMap & string;

/** An event as a subscriber receives it. */
export interface StoredEvent<K extends EventType = EventType> {
  /** Row id in `events`: stable across redeliveries, so handlers can be idempotent. */
  id: number;
  type: K;
  payload: EventMap[K];
  at: number;
}

/** A durable subscriber (Outline's processors, Gitea's notifiers): a name, the events it wants, a handler. */
export interface Subscriber {
  /** Stable name; deliveries are stored under it, so renaming one orphans its backlog. */
  name: string;
  events: readonly EventType[];
  handle(event: StoredEvent): Promise<void>;
  /** Deliveries of this subscriber in flight at once (default 4). */
  concurrency?: number;
  /** Attempts before a delivery is parked as dead (default 8). */
  maxAttempts?: number;
}
