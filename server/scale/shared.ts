// What the instances of one forge share when it runs on more than one (REDIS_URL set): the
// socket.io adapter, so an event raised on one instance reaches the browsers connected to any
// other, and the counters of the rate limits, so a limit holds for the forge and not per
// instance. Without REDIS_URL both stay in this process, as on the desktop. The Redis client
// libraries load only when a Redis is named.
import { randomBytes } from 'node:crypto';
import { MemoryStore, type Store } from 'express-rate-limit';
import type { ServerOptions } from 'socket.io';
import type { FailureStore } from '../auth/index.js';
import type { Logger } from '../lib/log.js';

/** The Redis keys of this forge start with this (one Redis may serve other things too). */
export const REDIS_PREFIX = 'gitssy:';

export interface SharedState {
  /** Where this state lives: `memory` (this process) or `redis`. */
  readonly kind: 'memory' | 'redis';
  /** This server among the forge's instances (reported by /ping; the same after a restart, see instance-id.ts). */
  readonly instance: string;
  /** socket.io's adapter: undefined for its in-memory one. */
  readonly adapter: ServerOptions['adapter'] | undefined;
  /** A store for express-rate-limit counters called `name` (each limiter its own). */
  rateStore(name: string): Store;
  /** Failed authentications counted for every instance (null: count them in this process). */
  readonly failures: FailureStore | null;
  /** Tells the other instances something happened on `channel`, with `message` (nothing to tell without Redis: one instance). */
  announce(channel: string, message?: string): void;
  /** Calls `fn` with the message when another instance announces on `channel` (never for this instance's own). */
  onAnnounce(channel: string, fn: (message: string) => void): Promise<void>;
  /** Whether Redis answers now (null: no Redis, nothing to ask); for /ping's readiness. */
  healthy(): Promise<boolean | null>;
  close(): Promise<void>;
}

export function memoryShared(instance: string): SharedState {
  return {
    kind: 'memory',
    instance,
    adapter: undefined,
    rateStore: () => new MemoryStore(),
    failures: null,
    announce: () => {},
    onAnnounce: async () => {},
    healthy: async () => null,
    close: async () => {},
  };
}

/** Connects to the Redis at `url` (two connections: commands and publishing, and subscriptions). */
export async function openShared(url: string | null, instance: string, log: Logger): Promise<SharedState> {
  if (!url) return memoryShared(instance);
  const [{ createClient }, { createAdapter }, { RedisStore }] = await Promise.all([import('redis'), import('@socket.io/redis-adapter'), import('rate-limit-redis')]);
  const client = createClient({ url, socket: { connectTimeout: 10_000, reconnectStrategy: (retries) => Math.min(retries * 200, 5_000) } });
  // a dropped connection is retried; it is logged, never thrown at the process
  client.on('error', (err: unknown) => log.warn({ err }, 'redis connection problem'));
  try {
    await client.connect();
  } catch (err) {
    await client.destroy();
    throw new Error(`cannot reach the Redis at REDIS_URL: ${(err as Error).message}`);
  }
  const sub = client.duplicate();
  sub.on('error', (err: unknown) => log.warn({ err }, 'redis subscriber connection problem'));
  await sub.connect();
  log.info({ redis: redactUrl(url) }, 'sharing realtime events and rate limits through Redis');
  return {
    kind: 'redis',
    instance,
    adapter: createAdapter(client, sub, { key: `${REDIS_PREFIX}io` }),
    rateStore: (name) => new RedisStore({ sendCommand: (...args: string[]) => client.sendCommand(args), prefix: `${REDIS_PREFIX}rl:${name}:` }),
    failures: redisFailures((args) => client.sendCommand(args)),
    announce(channel, message = '') {
      client.publish(`${REDIS_PREFIX}announce:${channel}`, JSON.stringify({ from: instance, message })).catch((err: unknown) => log.warn({ err, channel }, 'could not tell the other instances'));
    },
    async onAnnounce(channel, fn) {
      await sub.subscribe(`${REDIS_PREFIX}announce:${channel}`, (raw) => {
        let m: { from?: unknown; message?: unknown };
        try {
          m = JSON.parse(raw) as typeof m;
        } catch {
          return;
        }
        if (m.from !== instance) fn(typeof m.message === 'string' ? m.message : '');
      });
    },
    async healthy() {
      // a dropped connection queues commands until it is back: answer within a second or not at all
      const pong = client.ping().then(
        (r) => r === 'PONG',
        () => false,
      );
      return Promise.race([pong, new Promise<boolean>((r) => setTimeout(() => r(false), 1_000).unref())]);
    },
    async close() {
      await Promise.allSettled([sub.close(), client.close()]);
    },
  };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.href;
  } catch {
    return 'redis';
  }
}

// A sliding window per key in a sorted set (score = when): one round trip each, by script.
const COUNT = `redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {redis.call('ZCARD', KEYS[1]), first[2] or '0'}`;
const RECORD = `redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

function redisFailures(send: (args: string[]) => Promise<unknown>): FailureStore {
  const key = (k: string) => `${REDIS_PREFIX}fail:${k}`;
  return {
    async count(k, windowMs) {
      const now = Date.now();
      const [n, oldest] = (await send(['EVAL', COUNT, '1', key(k), String(now - windowMs)])) as [number, string];
      return { n: Number(n), retryAfterMs: Number(n) ? Math.max(0, Number(oldest) + windowMs - now) : 0 };
    },
    async record(k, windowMs) {
      const now = Date.now();
      await send(['EVAL', RECORD, '1', key(k), String(now), `${now}:${randomBytes(4).toString('hex')}`, String(windowMs)]);
    },
  };
}
