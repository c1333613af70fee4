// Delivers recorded events to their subscribers: claims a due delivery with a conditional
// UPDATE (so two claimers never run the same one; on PostgreSQL over FOR UPDATE SKIP LOCKED, so
// instances claiming at once don't wait on each other's rows), runs the handler outside any transaction,
// deletes the delivery when it succeeds, and otherwise retries it with exponential backoff until
// its last attempt parks it as `dead` (listed for administrators, retried on request).
//
// Each subscriber has its own slots, so a slow or failing one never holds up the others, and
// nothing here runs inside the producer's request. A delivery left `running` by a killed process
// is claimed again once its lease runs out; start() releases at once those this instance claimed
// (all of them with SQLite: one server per data dir).
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import type { Logger } from '../lib/log.js';
import type { EventType, StoredEvent, Subscriber } from './types.js';

export interface OutboxOptions {
  /** How often due retries and expired leases are looked for (ms). */
  pollMs?: number;
  /** How long a claimed delivery may run before another claimer may take it (ms). */
  leaseMs?: number;
  /** First retry delay (ms); doubles per attempt up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Release every running delivery at start (true when this process is the only claimer). */
  exclusive?: boolean;
  /**
   * This instance's name, kept with each delivery it claims: the ones still running under it at
   * start were cut off by this instance's crash and are due again at once (others' wait for their lease).
   */
  instance?: string;
  /** Claim with `FOR UPDATE SKIP LOCKED` (PostgreSQL): instances claiming at once skip each other's rows instead of waiting. */
  skipLocked?: boolean;
  /** Events older than this with nothing left to deliver are deleted (ms; default 30 days). */
  retentionMs?: number;
}

export interface DeadDelivery {
  event_id: number;
  type: string;
  subscriber: string;
  attempts: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export class Outbox {
  private readonly inFlight = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private scheduled = false;
  private pumping = false;
  private again = false;
  private started = false;
  private lastPrune = 0;
  private housekeeping = true;
  /** Finished deliveries waiting for their one DELETE (see delivered()). */
  private finished: { rows: Map<string, number[]>; done: Promise<void> } | null = null;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    private readonly db: Db,
    private readonly subscribers: ReadonlyMap<string, Subscriber>,
    private readonly log: Logger,
    private readonly opts: OutboxOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 500;
    this.leaseMs = opts.leaseMs ?? 5 * 60_000;
    this.backoffMs = opts.backoffMs ?? 1_000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10 * 60_000;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.opts.exclusive || this.opts.instance) {
      // a delivery still marked running (by this instance, when there may be others) was cut off by a crash: it is due again now
      let cutOff = this.db.updateTable('event_deliveries').set({ state: 'pending', locked_until: null, locked_by: null, run_at: Date.now() }).where('state', '=', 'running');
      if (!this.opts.exclusive) cutOff = cutOff.where('locked_by', '=', this.opts.instance!);
      await cutOff.execute();
    }
    // the poll: retries that came due, leases that ran out, old events; new events are kicked
    this.timer = setInterval(() => {
      this.housekeeping = true;
      this.kick();
    }, this.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Stops claiming; waits up to `graceMs` for handlers in flight (the rest are redelivered later). */
  async stop(graceMs = 5_000): Promise<void> {
    this.started = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => (timeout = setTimeout(r, graceMs)))]);
    clearTimeout(timeout);
  }

  kick(): void {
    if (!this.started || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.pump();
    });
  }

  /** Deliveries waiting, running and dead, per subscriber (for the console and tests). */
  async stats(): Promise<{ subscriber: string; state: string; count: number }[]> {
    const rows = await this.db
      .selectFrom('event_deliveries')
      .select(['subscriber', 'state', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy(['subscriber', 'state'])
      .execute();
    return rows.map((r) => ({ subscriber: r.subscriber, state: r.state, count: Number(r.count) }));
  }

  async dead(limit = 100): Promise<DeadDelivery[]> {
    return this.db
      .selectFrom('event_deliveries as d')
      .innerJoin('events as e', 'e.id', 'd.event_id')
      .select(['d.event_id', 'e.type', 'd.subscriber', 'd.attempts', 'd.last_error', 'e.created_at', 'd.updated_at'])
      .where('d.state', '=', 'dead')
      .orderBy('d.event_id', 'desc')
      .limit(limit)
      .execute();
  }

  /** Puts dead deliveries back in the queue (all of them, or one event's for one subscriber). */
  async retryDead(which?: { eventId: number; subscriber: string }): Promise<number> {
    let q = this.db.updateTable('event_deliveries').set({ state: 'pending', attempts: 0, run_at: Date.now(), updated_at: Date.now() }).where('state', '=', 'dead');
    if (which) q = q.where('event_id', '=', which.eventId).where('subscriber', '=', which.subscriber);
    const r = await q.executeTakeFirst();
    this.kick();
    return Number(r.numUpdatedRows);
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        const now = Date.now();
        if (this.housekeeping) {
          // on the poll only, so a kick after each event costs reads, not writes
          this.housekeeping = false;
          // leases that ran out: the claimer died or hung; the delivery is due again
          await this.db.updateTable('event_deliveries').set({ state: 'pending', locked_until: null, locked_by: null }).where('state', '=', 'running').where('locked_until', '<', now).execute();
          if (now - this.lastPrune > 10 * 60_000) {
            this.lastPrune = now;
            await this.prune(now);
          }
        }
        // one query for every subscriber with a free slot, oldest events first
        const free = new Map<string, number>();
        for (const sub of this.subscribers.values()) {
          const n = (sub.concurrency ?? 4) - (this.inFlight.get(sub.name) ?? 0);
          if (n > 0) free.set(sub.name, n);
        }
        if (free.size === 0) continue;
        const batch = Math.min(200, [...free.values()].reduce((a, b) => a + b, 0) * 4);
        const due = await this.db
          .selectFrom('event_deliveries as d')
          .innerJoin('events as e', 'e.id', 'd.event_id')
          .select(['d.event_id', 'd.subscriber', 'd.attempts', 'e.type', 'e.payload', 'e.created_at'])
          .where('d.subscriber', 'in', [...free.keys()])
          .where('d.state', '=', 'pending')
          .where('d.run_at', '<=', now)
          .orderBy('d.event_id')
          .limit(batch)
          .execute();
        // what this round may take, within each subscriber's free slots
        const take: typeof due = [];
        const left = new Map(free);
        for (const d of due) {
          const n = left.get(d.subscriber) ?? 0;
          if (n <= 0 || !this.subscribers.has(d.subscriber)) continue;
          left.set(d.subscriber, n - 1);
          take.push(d);
        }
        if (take.length === 0 || !this.started) continue;
        // one conditional UPDATE is the claim for all of them: a row another claimer took first
        // is no longer pending, so it is not among the rows this one returns
        const bySub = new Map<string, number[]>();
        for (const d of take) bySub.set(d.subscriber, [...(bySub.get(d.subscriber) ?? []), d.event_id]);
        const claimed = await this.db
          .updateTable('event_deliveries')
          .set({ state: 'running', attempts: sql`attempts + 1`, locked_until: now + this.leaseMs, locked_by: this.opts.instance ?? null, updated_at: now })
          .where('state', '=', 'pending')
          .where((eb) => {
            const chosen = eb.or([...bySub].map(([name, ids]) => eb.and([eb('subscriber', '=', name), eb('event_id', 'in', ids)])));
            if (!this.opts.skipLocked) return chosen;
            // rows another instance is claiming right now are skipped, not waited for
            return eb.and([
              chosen,
              eb(
                eb.refTuple('event_id', 'subscriber'),
                'in',
                eb
                  .selectFrom('event_deliveries as l')
                  .select(['l.event_id', 'l.subscriber'])
                  .where('l.state', '=', 'pending')
                  .where((lb) => lb.or([...bySub].map(([name, ids]) => lb.and([lb('l.subscriber', '=', name), lb('l.event_id', 'in', ids)]))))
                  .forUpdate()
                  .skipLocked()
                  .$asTuple('event_id', 'subscriber'),
              ),
            ]);
          })
          .returning(['event_id', 'subscriber'])
          .execute();
        const won = new Set(claimed.map((c) => `${c.event_id} ${c.subscriber}`));
        for (const d of take) {
          if (!won.has(`${d.event_id} ${d.subscriber}`)) continue;
          const sub = this.subscribers.get(d.subscriber)!;
          free.set(sub.name, (free.get(sub.name) ?? 0) - 1);
          const event: StoredEvent = { id: d.event_id, type: d.type as EventType, payload: JSON.parse(d.payload) as never, at: d.created_at };
          this.run(sub, event, d.attempts + 1);
        }
        // more were due than the batch held: go round again
        if (due.length === batch && [...free.values()].some((n) => n > 0)) this.again = true;
      } while (this.again && this.started);
    } catch (err) {
      this.log.error({ err }, 'event outbox: could not claim deliveries');
    } finally {
      this.pumping = false;
    }
  }

  /**
   * Deletes a finished delivery. Deliveries that finish in the same turn of the event loop go
   * in one statement (ten subscribers of one push are one write, not ten); the promise settles
   * when it is written. A crash before that leaves it `running`: delivered again, at least once.
   */
  private delivered(subscriber: string, eventId: number): Promise<void> {
    if (!this.finished) {
      const batch = { rows: new Map<string, number[]>(), done: null as unknown as Promise<void> };
      batch.done = new Promise<void>((resolve, reject) =>
        setImmediate(() => {
          this.finished = null;
          this.db
            .deleteFrom('event_deliveries')
            .where((eb) => eb.or([...batch.rows].map(([name, ids]) => eb.and([eb('subscriber', '=', name), eb('event_id', 'in', ids)]))))
            .execute()
            .then(() => resolve(), reject);
        }),
      );
      this.finished = batch;
    }
    const rows = this.finished.rows;
    rows.set(subscriber, [...(rows.get(subscriber) ?? []), eventId]);
    return this.finished.done;
  }

  /** Deletes events past their retention that no subscriber still owes (dead ones are kept). */
  async prune(now = Date.now()): Promise<number> {
    const r = await this.db
      .deleteFrom('events')
      .where('created_at', '<', now - (this.opts.retentionMs ?? 30 * 24 * 3600_000))
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('event_deliveries as d').select('d.event_id').whereRef('d.event_id', '=', 'events.id'))))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  private run(sub: Subscriber, event: StoredEvent, attempt: number): void {
    this.inFlight.set(sub.name, (this.inFlight.get(sub.name) ?? 0) + 1);
    const task = (async () => {
      try {
        await sub.handle(event);
        await this.delivered(sub.name, event.id);
      } catch (err) {
        const max = sub.maxAttempts ?? 8;
        const message = err instanceof Error ? err.message : String(err);
        const dead = attempt >= max;
        const delay = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempt - 1));
        (dead ? this.log.error : this.log.warn).call(
          this.log,
          { err, subscriber: sub.name, event: event.id, type: event.type, attempt },
          dead ? 'event subscriber failed for the last time; the delivery is dead' : 'event subscriber failed; will retry',
        );
        await this.db
          .updateTable('event_deliveries')
          .set({ state: dead ? 'dead' : 'pending', run_at: Date.now() + delay, locked_until: null, locked_by: null, last_error: message.slice(0, 2000), updated_at: Date.now() })
          .where('event_id', '=', event.id)
          .where('subscriber', '=', sub.name)
          .execute()
          .catch((e: unknown) => this.log.error({ err: e }, 'event outbox: could not record a failed delivery'));
      } finally {
        this.inFlight.set(sub.name, (this.inFlight.get(sub.name) ?? 1) - 1);
        this.kick();
      }
    })();
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }
}
