// One forge on two instances: two `gitssy serve` processes on one PostgreSQL database and one
// Redis (each with its own data directory here; sharing the repository store is the rest of the
// scale-out work). What a person does through one instance shows live to a browser connected to
// the other, a session made on one is good on the other, and a rate limit counts for the forge,
// not per instance.
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startPostgres, type PgCluster } from '../fixtures/postgres.js';
import { startRedis, type RedisServer } from '../fixtures/redis.js';
import { Browser, createUser, rawHttp, startServer, waitFor, type TestServer } from '../fixtures/rig.js';
import { itUnless } from '../fixtures/skip.js';

const ALICE: [string, string] = ['alice', 'alice-pass-1234'];
const BOB: [string, string] = ['bob', 'bob-pass-123456'];

describe('a forge on two instances (PostgreSQL and Redis)', () => {
  let pg: PgCluster | { skip: string };
  let redis: RedisServer | { skip: string };
  let a: TestServer;
  let b: TestServer;
  let skip = '';
  const sockets: Socket[] = [];

  beforeAll(async () => {
    [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    if ('skip' in pg || 'skip' in redis) {
      skip = 'skip' in pg ? pg.skip : (redis as { skip: string }).skip;
      return;
    }
    const env = { DATABASE_URL: await pg.createDatabase('cluster'), REDIS_URL: redis.url };
    a = await startServer({ env });
    b = await startServer({ env }); // after a: the schema is there
    await createUser(a, ...ALICE, { admin: true });
    await createUser(a, ...BOB, { via: ALICE });
  }, 90_000);

  afterAll(async () => {
    for (const so of sockets) so.close();
    await Promise.all([a?.stop(), b?.stop()]);
    if (redis && 'stop' in redis) await redis.stop();
    if (pg && 'stop' in pg) await pg.stop();
  });

  const test = itUnless(() => skip);

  test('answers /ping with each instance, and a session made on one is good on the other', async () => {
    const [pa, pb] = await Promise.all([a, b].map(async (s) => (await (await fetch(`${s.url}/ping`)).json()) as { ok: boolean; instance: string; ready: unknown }));
    expect(pa!.ok && pb!.ok).toBe(true);
    expect(pa!.instance).not.toBe(pb!.instance);
    expect(pa!.ready).toEqual({ database: true, redis: true });

    const browser = new Browser(a.url);
    await browser.session();
    expect((await browser.request('POST', '/api/v1/auth/signin', { json: { username: 'bob', password: BOB[1] } })).status).toBe(200);
    const onB = await fetch(`${b.url}/api/v1/user`, { headers: { Cookie: browser.cookieHeader() } });
    expect(onB.status).toBe(200);
    expect(((await onB.json()) as { login: string }).login).toBe('bob');
  });

  test('tells a browser connected to one instance, live, of a post written through the other', async () => {
    expect((await a.api('PUT', '/api/v1/user/following/alice', { auth: BOB })).status).toBe(204);
    const t = await b.api('POST', '/api/v1/users/bob/tokens', { auth: BOB, json: { name: 'cluster-socket', scopes: ['all'] } });
    expect(t.status).toBe(201);
    const sock = io(b.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: ((await t.json()) as { sha1: string }).sha1 } });
    sockets.push(sock);
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', () => resolve());
      sock.once('connect_error', reject);
    });
    const heard = new Promise<{ id: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no feed.item on the other instance within 10 s')), 10_000);
      sock.once('feed.item', (p: { id: number }) => {
        clearTimeout(timer);
        resolve(p);
      });
    });
    const post = await a.api('POST', '/api/v1/posts', { auth: ALICE, json: { body: 'written through instance a' } });
    expect(post.status).toBe(201);
    const item = await heard;
    const feed = (await (await b.api('GET', '/api/v1/feed', { auth: BOB })).json()) as { id: number; post: { body: string } | null }[];
    expect(feed[0]).toMatchObject({ id: item.id, post: { body: 'written through instance a' } });
  });

  test('applies a runtime setting changed through one instance on the other at once', async () => {
    const setting = async (s: TestServer) => ((await (await s.api('GET', '/api/v1/admin/settings', { auth: ALICE })).json()) as Record<string, unknown>)['limits.gitSessionsPerIp'];
    const before = await setting(b);
    const patched = await a.api('PATCH', '/api/v1/admin/settings', { auth: ALICE, json: { 'limits.gitSessionsPerIp': 7 } });
    expect(patched.status, await patched.clone().text()).toBe(200);
    expect(before).not.toBe(7);
    await waitFor(async () => (await setting(b)) === 7, 5_000, 20);
  });

  test('counts a rate limit across the instances', async () => {
    // ten posts a minute for a person, whichever instance takes them (one was written above)
    for (let i = 0; i < 9; i++) {
      const via = i % 2 === 0 ? b : a;
      const res = await via.api('POST', '/api/v1/posts', { auth: ALICE, json: { body: `post ${i}` } });
      expect(res.status, `post ${i}`).toBe(201);
    }
    for (const via of [a, b]) {
      const res = await via.api('POST', '/api/v1/posts', { auth: ALICE, json: { body: 'one too many' } });
      expect(res.status).toBe(429);
      expect(((await res.json()) as { message: string }).message).toMatch(/at most 10 a minute/);
    }
  });

  // last: it leaves failures counted against 127.0.0.1 for ten minutes
  test('counts failed sign-ins for the forge, not per instance', async () => {
    expect((await a.api('PATCH', '/api/v1/admin/settings', { auth: ALICE, json: { 'limits.authFailuresPerIp': 3 } })).status).toBe(200);
    await waitFor(async () => ((await (await b.api('GET', '/api/v1/admin/settings', { auth: ALICE })).json()) as Record<string, unknown>)['limits.authFailuresPerIp'] === 3, 5_000, 20);
    const wrong = (s: TestServer) => s.api('GET', '/api/v1/user', { auth: ['bob', 'not-his-password'] });
    expect((await wrong(a)).status).toBe(401);
    expect((await wrong(b)).status).toBe(401);
    expect((await wrong(a)).status).toBe(401);
    // three failures in all: each instance now refuses even the right password from this address
    for (const s of [b, a]) {
      const res = await s.api('GET', '/api/v1/user', { auth: BOB });
      expect(res.status).toBe(429);
      expect(((await res.json()) as { message: string }).message).toMatch(/^too many failed sign-ins from your address; try again in \d+ seconds$/);
    }
  });

  // last: it takes Redis away
  test('answers /ping with 503 and what is missing while Redis is gone, for the balancer to send requests elsewhere', async () => {
    await (redis as RedisServer).stop();
    // on a new connection (rawHttp's agent: false): fetch would reuse a kept-alive one that the
    // server may be closing just then, and fail with "other side closed"
    const res = await rawHttp(a, 'GET', '/ping');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body.toString('utf8'))).toMatchObject({ ok: false, ready: { database: true, redis: false } });
  });
});
