// The event bus. Two kinds of traffic, kept apart on purpose:
//
// - Events (`EventMap`) are durable: `record()` writes the event and one delivery per interested
//   subscriber in the caller's transaction, so the change and its announcement commit together.
//   Subscribers run later, from the outbox (outbox.ts), never inside the producer: a push returns
//   as soon as its transaction commits, and a killed server delivers what it owed after restart.
//   Delivery is at least once, so subscribers are idempotent (they key their writes on the event id).
// - Signals (`SignalMap`) are ephemeral, in-process notes such as a backup job's progress: `emit()`
//   calls the listeners at once and forgets; nothing is stored.
//
// Both maps start empty and grow by declaration merging in the features that produce them, so
// this file imports no feature:
//
//   declare module '../events/index.js' { interface EventMap { 'issue.opened': IssueEvent } }
import type { Db } from '../db/index.js';
import type { Logger } from '../lib/log.js';
import { Outbox, type OutboxOptions } from './outbox.js';
import type { EventMap, EventType, SignalMap, StoredEvent, Subscriber } from './types.js';

export type { EventMap, EventType, SignalMap, StoredEvent, Subscriber } from './types.js';

/** Narrows a subscriber's handler to the events it named. */
export function subscriber<const K extends EventType>(s: {
  name: string;
  events: readonly K[];
  handle(event: { [T in K]: StoredEvent<T> }[K]): Promise<void>;
  concurrency?: number;
  maxAttempts?: number;
}): Subscriber {
  return s as unknown as Subscriber;
}

type SignalHandler<T> = (payload: T) => void;

/** A transaction or the db itself: `record()` works inside the caller's transaction. */
export type DbExecutor = Pick<Db, 'insertInto'>;

export class EventBus {
  private readonly subscribers = new Map<string, Subscriber>();
  private readonly listeners = new Map<string, SignalHandler<never>[]>();
  readonly outbox: Outbox;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    opts: OutboxOptions = {},
  ) {
    this.outbox = new Outbox(db, this.subscribers, log, opts);
  }

  // ---- durable events --------------------------------------------------------------------

  /** Adds a durable subscriber; only events recorded after this reach it. */
  subscribe(s: Subscriber): void {
    if (this.subscribers.has(s.name)) throw new Error(`two event subscribers are named ${s.name}`);
    this.subscribers.set(s.name, s);
  }

  /**
   * Writes the event and its deliveries with `trx` (the caller's transaction, so the change and
   * the event commit together). Call `kick()` after the commit to deliver without waiting for
   * the next poll.
   */
  async record<K extends EventType>(trx: DbExecutor, type: K, payload: EventMap[K]): Promise<number> {
    const at = Date.now();
    const row = await trx
      .insertInto('events')
      .values({ type, payload: JSON.stringify(payload), created_at: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    const deliveries = [...this.subscribers.values()]
      .filter((s) => s.events.includes(type))
      .map((s) => ({ event_id: row.id, subscriber: s.name, state: 'pending', attempts: 0, run_at: at, locked_until: null, locked_by: null, last_error: null, updated_at: at }));
    if (deliveries.length) await trx.insertInto('event_deliveries').values(deliveries).execute();
    return row.id;
  }

  /** The subscribers on the bus, in the order they subscribed. */
  subscriberList(): readonly Subscriber[] {
    return [...this.subscribers.values()];
  }

  /** Records an event in its own transaction and starts delivering it. */
  async publish<K extends EventType>(type: K, payload: EventMap[K]): Promise<number> {
    const id = await this.db.transaction().execute((trx) => this.record(trx, type, payload));
    this.kick();
    return id;
  }

  /** Delivers what is due now rather than at the next poll. */
  kick(): void {
    this.outbox.kick();
  }

  // ---- ephemeral signals -----------------------------------------------------------------

  on<K extends keyof SignalMap & string>(type: K, handler: SignalHandler<SignalMap[K]>): () => void {
    const list = (this.listeners.get(type) ?? []) as SignalHandler<SignalMap[K]>[];
    list.push(handler);
    this.listeners.set(type, list as SignalHandler<never>[]);
    return () => {
      const i = list.indexOf(handler);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Calls every listener now; a throwing listener is logged and the others still run. */
  emit<K extends keyof SignalMap & string>(type: K, payload: SignalMap[K]): void {
    for (const h of [...((this.listeners.get(type) ?? []) as SignalHandler<SignalMap[K]>[])]) {
      try {
        h(payload);
      } catch (err) {
        this.log.error({ err, signal: type }, 'signal listener failed');
      }
    }
  }
}
