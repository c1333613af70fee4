// Follows, blocks, profile fields and the contribution heatmap, through Gitea's API on a real
// server, with real pushes feeding the heatmap; on SQLite and on PostgreSQL (the follow counts
// are kept under row locks there, and the heatmap's day arithmetic must agree).
import path from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startPostgres, type PgCluster } from '../fixtures/postgres.js';
import { createRepo, createToken, createUser, gitOk, makeRepo, startServer, tempDir, type TestServer } from '../fixtures/rig.js';
import { itUnless } from '../fixtures/skip.js';

type Cred = [string, string];
const ALICE: Cred = ['alice', 'alice-pass-1234'];
const BOB: Cred = ['bob', 'bob-pass-12345'];
const CAROL: Cred = ['carol', 'carol-pass-1234'];
const DAVE: Cred = ['dave', 'dave-pass-12345'];
const ERIN: Cred = ['erin', 'erin-pass-12345'];
const FRANK: Cred = ['frank', 'frank-pass-1234'];

let pg: PgCluster | { skip: string };
beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  if (pg && 'stop' in pg) await pg.stop();
});

const dialects = [
  ['SQLite', async () => ({})],
  ['PostgreSQL', async () => ('url' in pg ? { DATABASE_URL: await pg.createDatabase('social') } : null)],
] as const;

describe.each(dialects)('social on %s', (_name, envOf) => {
  let s: TestServer;
  let skip = '';

  beforeAll(async () => {
    const env = await envOf();
    if (!env) {
      skip = (pg as { skip: string }).skip;
      return;
    }
    s = await startServer({ env });
    await createUser(s, ...ALICE, { admin: true });
    for (const u of [BOB, CAROL, DAVE, ERIN, FRANK]) await createUser(s, ...u, { via: ALICE });
    const org = await s.api('POST', '/api/v1/orgs', { auth: ALICE, json: { username: 'team' } });
    expect(org.status, await org.clone().text()).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await s?.stop();
  });

  /** A test that skips, with the reason, when this database can't run here. */
  const test = itUnless(() => skip);

  const call = (method: string, p: string, who?: Cred, json?: unknown) => s.api(method, `/api/v1${p}`, { auth: who, json });
  const status = async (method: string, p: string, who?: Cred) => (await call(method, p, who)).status;
  const names = async (p: string, who?: Cred) => ((await (await call('GET', p, who)).json()) as { login: string }[]).map((u) => u.login);
  const counts = async (name: string) => {
    const u = (await (await call('GET', `/users/${name}`)).json()) as { followers_count: number; following_count: number };
    return [u.followers_count, u.following_count];
  };
  const message = async (res: Response) => ((await res.json()) as { message: string }).message;

  describe('following', () => {
    test('follows and unfollows, once each, with the counts, the 204/404 checks and the lists newest first', async () => {
      expect(await status('PUT', '/user/following/alice', BOB)).toBe(204);
      expect(await status('PUT', '/user/following/alice', BOB)).toBe(204); // again: still one follow
      expect(await status('PUT', '/user/following/alice', CAROL)).toBe(204);
      expect(await status('PUT', '/user/following/carol', BOB)).toBe(204);

      expect(await counts('alice')).toEqual([2, 0]);
      expect(await counts('bob')).toEqual([0, 2]);
      expect(await status('GET', '/user/following/alice', BOB)).toBe(204);
      expect(await status('GET', '/user/following/bob', ALICE)).toBe(404);
      expect(await status('GET', '/users/bob/following/carol')).toBe(204);
      expect(await status('GET', '/users/carol/following/bob')).toBe(404);

      expect(await names('/users/alice/followers')).toEqual(['carol', 'bob']);
      expect(await names('/users/bob/following')).toEqual(['carol', 'alice']);
      expect(await names('/user/following', BOB)).toEqual(['carol', 'alice']);
      expect(await names('/user/followers', ALICE)).toEqual(['carol', 'bob']);
      const page = await call('GET', '/users/alice/followers?limit=1&page=2');
      expect(page.headers.get('x-total-count')).toBe('2');
      expect(((await page.json()) as { login: string }[]).map((u) => u.login)).toEqual(['bob']);

      expect(await status('DELETE', '/user/following/alice', BOB)).toBe(204);
      expect(await status('DELETE', '/user/following/alice', BOB)).toBe(204); // not following: nothing to end
      expect(await counts('alice')).toEqual([1, 0]);
      expect(await counts('bob')).toEqual([0, 1]);
      expect(await names('/users/alice/followers')).toEqual(['carol']);
    });

    test('refuses yourself, an organization, no one and anonymous callers, changing nothing', async () => {
      const before = await counts('dave');
      const self = await call('PUT', '/user/following/dave', DAVE);
      expect(self.status).toBe(422);
      expect(await message(self)).toMatch(/cannot follow yourself/);
      const org = await call('PUT', '/user/following/team', DAVE);
      expect(org.status).toBe(422);
      expect(await message(org)).toMatch(/organization/);
      expect(await status('PUT', '/user/following/nobody-here', DAVE)).toBe(404);
      expect(await status('PUT', '/user/following/alice')).toBe(401);
      expect(await status('GET', '/user/following')).toBe(401);
      expect(await status('GET', '/users/nobody-here/followers')).toBe(404);
      expect(await counts('dave')).toEqual(before);
    });

    test('takes a token only with the user scope for writing', async () => {
      const read = await createToken(s, 'dave', 'read:user');
      const res = await s.api('PUT', '/api/v1/user/following/alice', { token: read });
      expect(res.status).toBe(403);
      expect(await message(res)).toMatch(/write:user/);
      expect(await status('GET', '/users/dave/following/alice')).toBe(404);
      const write = await createToken(s, 'dave', 'write:user');
      expect((await s.api('PUT', '/api/v1/user/following/alice', { token: write })).status).toBe(204);
      expect(await status('GET', '/users/dave/following/alice')).toBe(204);
      expect((await s.api('DELETE', '/api/v1/user/following/alice', { token: write })).status).toBe(204);
    });
  });

  describe('blocking', () => {
    test('ends the follows both ways, and then neither side can follow, each told why', async () => {
      expect(await status('PUT', '/user/following/dave', CAROL)).toBe(204);
      expect(await status('PUT', '/user/following/carol', DAVE)).toBe(204);
      const [carolFollowers] = await counts('carol');

      expect(await status('PUT', '/user/blocks/carol', DAVE)).toBe(204);
      expect(await status('GET', '/users/carol/following/dave')).toBe(404);
      expect(await status('GET', '/users/dave/following/carol')).toBe(404);
      expect((await counts('carol'))[0]).toBe(carolFollowers! - 1);
      expect(await names('/user/blocks', DAVE)).toEqual(['carol']);
      expect(await names('/user/blocks', CAROL)).toEqual([]);

      const blocked = await call('PUT', '/user/following/dave', CAROL);
      expect(blocked.status).toBe(403);
      expect(await message(blocked)).toBe('dave has blocked you: you cannot follow them');
      const blocker = await call('PUT', '/user/following/carol', DAVE);
      expect(blocker.status).toBe(403);
      expect(await message(blocker)).toBe('you have blocked carol: unblock them to follow them');
      expect(await status('GET', '/users/carol/following/dave')).toBe(404);

      expect(await status('PUT', '/user/blocks/dave', DAVE)).toBe(422);
      expect(await status('PUT', '/user/blocks/team', DAVE)).toBe(422);

      expect(await status('DELETE', '/user/blocks/carol', DAVE)).toBe(204);
      expect(await names('/user/blocks', DAVE)).toEqual([]);
      expect(await status('PUT', '/user/following/dave', CAROL)).toBe(204);
      expect(await status('GET', '/users/carol/following/dave')).toBe(204);
    });
  });

  describe('profile fields', () => {
    test('saves location and pronouns with the settings and shows them on the profile; control characters are refused', async () => {
      const res = await call('PATCH', '/user/settings', BOB, { location: '  Lyon ', pronouns: 'he/him', description: 'Builds **things**' });
      expect(res.status, await res.clone().text()).toBe(200);
      expect(await res.json()).toMatchObject({ location: 'Lyon', pronouns: 'he/him', description: 'Builds **things**' });
      const bad = await call('PATCH', '/user/settings', BOB, { location: 'two\nlines' });
      expect(bad.status).toBe(422);
      expect(await message(bad)).toMatch(/location may not contain control characters/);
      expect(await call('PATCH', '/user/settings', BOB, { pronouns: 'x'.repeat(51) }).then((r) => r.status)).toBe(422);
      const profile = (await (await call('GET', '/users/bob')).json()) as Record<string, unknown>;
      expect(profile).toMatchObject({ login: 'bob', location: 'Lyon', pronouns: 'he/him', following_count: 1 });
    });
  });

  describe('the contribution heatmap', () => {
    test("counts a user's pushes per day, private repositories only for those who can read them", async () => {
      await createRepo(s, BOB, { name: 'open' });
      await createRepo(s, BOB, { name: 'secret', private: true });
      const src = path.join(await tempDir(), 'src');
      await makeRepo(src, 2);
      const push = async (repo: string, ref: string) => gitOk(['push', '-q', s.gitUrl(`bob/${repo}.git`, BOB), ref], { cwd: src });
      await push('open', 'main');
      await push('open', 'main:second');
      await push('secret', 'main');
      await push('secret', 'main:other');
      await push('secret', 'main:third');

      const day = Math.floor(Date.now() / 86_400_000) * 86_400;
      const heat = async (who?: Cred) => (await (await call('GET', '/users/bob/heatmap', who)).json()) as { timestamp: number; contributions: number }[];
      expect(await heat()).toEqual([{ timestamp: day, contributions: 2 }]);
      expect(await heat(CAROL)).toEqual([{ timestamp: day, contributions: 2 }]);
      expect(await heat(BOB)).toEqual([{ timestamp: day, contributions: 5 }]);
      expect(await heat(ALICE)).toEqual([{ timestamp: day, contributions: 5 }]); // a site admin reads everything

      // a collaborator reads the private repository, so its pushes count for them
      expect(await status('PUT', '/repos/bob/secret/collaborators/carol', BOB)).toBe(204);
      expect(await heat(CAROL)).toEqual([{ timestamp: day, contributions: 5 }]);
      expect(await heat(DAVE)).toEqual([{ timestamp: day, contributions: 2 }]);
      expect(await call('GET', '/users/dave/heatmap').then((r) => r.json())).toEqual([]);
      expect(await status('GET', '/users/nobody-here/heatmap')).toBe(404);
    });
  });

  describe('posts and reactions', () => {
    type Post = {
      id: number;
      body: string;
      body_html: string;
      parent_id: number | null;
      replies_count: number;
      user: { login: string };
      reactions: { content: string; count: number; reacted: boolean }[];
    };
    const post = async (who: Cred, body: unknown) => call('POST', '/posts', who, body);
    const get = async (id: number, who: Cred) => (await (await call('GET', `/posts/${id}`, who)).json()) as Post;

    test('writes a post with its markdown rendered through the sanitizer, and refuses empty, too long and anonymous ones', async () => {
      const res = await post(ERIN, { body: 'Hello **team** <script>alert(1)</script> [x](javascript:alert(1))' });
      expect(res.status, await res.clone().text()).toBe(201);
      const p = (await res.json()) as Post;
      expect(p).toMatchObject({ user: { login: 'erin' }, parent_id: null, replies_count: 0, reactions: [] });
      expect(p.body_html).toContain('<strong>team</strong>');
      expect(p.body_html).not.toMatch(/<script|javascript:/i);
      expect((await post(ERIN, { body: '   ' })).status).toBe(422);
      expect((await post(ERIN, { body: 'x'.repeat(10_001) })).status).toBe(422);
      expect((await call('POST', '/posts', undefined, { body: 'hi' })).status).toBe(401);
      expect((await call('GET', `/posts/${p.id}`)).status).toBe(401);
      expect((await call('GET', '/posts/999999', ERIN)).status).toBe(404);
    });

    test('takes replies one level deep, counts them, and deletes them with their post', async () => {
      const p = (await (await post(ERIN, { body: 'a thread' })).json()) as Post;
      const reply = await post(FRANK, { body: 'a reply', parent_id: p.id });
      expect(reply.status).toBe(201);
      const r = (await reply.json()) as Post;
      expect(r.parent_id).toBe(p.id);
      expect((await get(p.id, ERIN)).replies_count).toBe(1);
      const deeper = await post(ERIN, { body: 'deeper', parent_id: r.id });
      expect(deeper.status).toBe(422);
      expect(await message(deeper)).toMatch(/one level deep/);
      expect((await post(ERIN, { body: 'orphan', parent_id: 999999 })).status).toBe(422);
      expect(((await (await call('GET', `/posts/${p.id}/replies`, ERIN)).json()) as Post[]).map((x) => x.body)).toEqual(['a reply']);

      expect((await call('DELETE', `/posts/${p.id}`, FRANK)).status).toBe(403);
      expect((await call('DELETE', `/posts/${r.id}`, FRANK)).status).toBe(204);
      expect((await get(p.id, ERIN)).replies_count).toBe(0);
      expect((await call('DELETE', `/posts/${p.id}`, ERIN)).status).toBe(204);
      expect((await call('GET', `/posts/${p.id}`, ERIN)).status).toBe(404);
    });

    test('counts replies that race each other, written and deleted at once', async () => {
      const p = (await (await post(ERIN, { body: 'a busy thread' })).json()) as Post;
      const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => post(DAVE, { body: `reply ${i}`, parent_id: p.id })));
      expect(replies.map((r) => r.status)).toEqual(Array(10).fill(201));
      expect((await get(p.id, ERIN)).replies_count).toBe(10);
      const ids = await Promise.all(replies.map(async (r) => ((await r.json()) as Post).id));
      const gone = await Promise.all(ids.slice(0, 6).map((id) => call('DELETE', `/posts/${id}`, DAVE)));
      expect(gone.map((r) => r.status)).toEqual(Array(6).fill(204));
      expect((await get(p.id, ERIN)).replies_count).toBe(4);
    });

    test("reacts with Gitea's names and shortcodes, once each, and takes a reaction back", async () => {
      const p = (await (await post(ERIN, { body: 'react to me' })).json()) as Post;
      expect((await call('POST', `/posts/${p.id}/reactions`, FRANK, { content: '+1' })).status).toBe(201);
      expect((await call('POST', `/posts/${p.id}/reactions`, FRANK, { content: '+1' })).status).toBe(200);
      const tada = await call('POST', `/posts/${p.id}/reactions`, ERIN, { content: ':tada:' });
      expect(tada.status).toBe(201);
      expect(await tada.json()).toMatchObject({ content: 'hooray', user: { login: 'erin' } });
      expect((await call('POST', `/posts/${p.id}/reactions`, ERIN, { content: '+1' })).status).toBe(201);
      const nope = await call('POST', `/posts/${p.id}/reactions`, ERIN, { content: 'banana' });
      expect(nope.status).toBe(422);
      expect(await message(nope)).toMatch(/not a reaction/);
      expect((await get(p.id, ERIN)).reactions).toEqual([
        { content: '+1', count: 2, reacted: true },
        { content: 'hooray', count: 1, reacted: true },
      ]);
      expect((await get(p.id, FRANK)).reactions).toEqual([
        { content: '+1', count: 2, reacted: true },
        { content: 'hooray', count: 1, reacted: false },
      ]);
      expect((await call('DELETE', `/posts/${p.id}/reactions`, ERIN, { content: '+1' })).status).toBe(204);
      expect((await get(p.id, FRANK)).reactions).toEqual([
        { content: '+1', count: 1, reacted: true },
        { content: 'hooray', count: 1, reacted: false },
      ]);

      // a block stands between them: no reacting or replying either way
      expect(await status('PUT', '/user/blocks/frank', ERIN)).toBe(204);
      const blocked = await call('POST', `/posts/${p.id}/reactions`, FRANK, { content: 'heart' });
      expect(blocked.status).toBe(403);
      expect(await message(blocked)).toMatch(/blocked you/);
      expect((await post(FRANK, { body: 'let me in', parent_id: p.id })).status).toBe(403);
      expect(await status('DELETE', '/user/blocks/frank', ERIN)).toBe(204);
    });
  });

  describe('flooding', () => {
    test('stops a person at 10 posts a minute with a 429 that says when to come back, and writes nothing more', async () => {
      const NICK: Cred = ['nick', 'nick-pass-12345'];
      await createUser(s, ...NICK, { via: ALICE });
      for (let i = 0; i < 10; i++) expect((await call('POST', '/posts', NICK, { body: `post ${i}` })).status).toBe(201);
      const flood = await call('POST', '/posts', NICK, { body: 'one too many' });
      expect(flood.status).toBe(429);
      expect(await message(flood)).toMatch(/too many posts: at most 10 a minute; try again in \d+ s/);
      const mine = await call('GET', '/users/nick/posts?limit=50', NICK);
      expect(mine.headers.get('x-total-count')).toBe('10');
      // replies have their own allowance
      const first = ((await (await call('GET', '/users/nick/posts?limit=1', NICK)).json()) as { id: number }[])[0]!;
      expect((await call('POST', '/posts', NICK, { body: 'a reply', parent_id: first.id })).status).toBe(201);
    });
  });

  describe('the home feed', () => {
    type Item = { id: number; kind: string; actor: { login: string } | null; repo: { full_name: string } | null; post: { id: number; body: string } | null; payload: Record<string, unknown> };
    const feed = async (who: Cred, q = '') => (await (await call('GET', `/feed${q}`, who)).json()) as Item[];
    const sockets: Socket[] = [];
    afterAll(() => {
      for (const so of sockets) so.close();
    });
    const socketOf = async (who: Cred) => {
      const t = await s.api('POST', `/api/v1/users/${who[0]}/tokens`, { auth: who, json: { name: `feed-${Math.random().toString(36).slice(2)}`, scopes: ['all'] } });
      expect(t.status).toBe(201);
      const sock = io(s.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: ((await t.json()) as { sha1: string }).sha1 } });
      sockets.push(sock);
      await new Promise<void>((resolve, reject) => {
        sock.once('connect', () => resolve());
        sock.once('connect_error', reject);
      });
      return sock;
    };
    const heard = <T>(sock: Socket, event: string) =>
      new Promise<T>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no ${event} within 10 s`)), 10_000);
        sock.once(event, (p: T) => {
          clearTimeout(t);
          resolve(p);
        });
      });

    test('shows the posts and pushes of the people you follow and yourself, newest first, live; private work only to readers', async () => {
      // a fresh pair: grace follows henry
      const GRACE: Cred = ['grace', 'grace-pass-1234'];
      const HENRY: Cred = ['henry', 'henry-pass-1234'];
      for (const u of [GRACE, HENRY]) await createUser(s, ...u, { via: ALICE });
      expect(await status('PUT', '/user/following/henry', GRACE)).toBe(204);
      const sock = await socketOf(GRACE);

      const live = heard<{ id: number }>(sock, 'feed.item');
      const p = await call('POST', '/posts', HENRY, { body: 'first post' });
      expect(p.status).toBe(201);
      const first = await live;
      const top = await feed(GRACE);
      expect(top[0]).toMatchObject({ id: first.id, kind: 'post', actor: { login: 'henry' }, post: { body: 'first post' } });

      await createRepo(s, HENRY, { name: 'shown' });
      await createRepo(s, HENRY, { name: 'hidden', private: true });
      const src = path.join(await tempDir(), 'src');
      await makeRepo(src, 1);
      const pushed = heard<{ id: number }>(sock, 'feed.item');
      await gitOk(['push', '-q', s.gitUrl('henry/shown.git', HENRY), 'main'], { cwd: src });
      const pushItem = await pushed;
      await gitOk(['push', '-q', s.gitUrl('henry/hidden.git', HENRY), 'main'], { cwd: src });
      await call('POST', '/posts', GRACE, { body: 'my own' });
      // henry's feed has all of it (his own); grace's has what she can read
      await expect
        .poll(async () => (await feed(HENRY)).map((i) => `${i.kind}:${i.repo?.full_name ?? i.post?.body}`).slice(0, 3), { timeout: 10_000 })
        .toEqual(['push:henry/hidden', 'push:henry/shown', 'post:first post']);
      const mine = await feed(GRACE);
      expect(mine.map((i) => `${i.kind}:${i.repo?.full_name ?? i.post?.body}`).slice(0, 3)).toEqual(['post:my own', 'push:henry/shown', 'post:first post']);
      expect(mine[1]).toMatchObject({ id: pushItem.id, actor: { login: 'henry' }, payload: { total: 1, refs: [{ ref: 'refs/heads/main' }] } });
      // the next page starts after the last item you have
      expect((await feed(GRACE, `?limit=1&before=${mine[0]!.id}`)).map((i) => i.id)).toEqual([mine[1]!.id]);

      // reactions reach the author's followers live
      const counts = heard<{ id: number; reactions: { content: string; count: number }[] }>(sock, 'post.reactions');
      expect((await call('POST', `/posts/${top[0]!.post!.id}/reactions`, HENRY, { content: 'rocket' })).status).toBe(201);
      expect(await counts).toMatchObject({ reactions: [{ content: 'rocket', count: 1 }] });

      // blocking henry takes his items out of grace's feed
      expect(await status('PUT', '/user/blocks/henry', GRACE)).toBe(204);
      expect((await feed(GRACE)).map((i) => i.actor?.login)).toEqual(['grace']);
      expect(await status('DELETE', '/user/blocks/henry', GRACE)).toBe(204);
      expect((await feed(GRACE)).some((i) => i.actor?.login === 'henry')).toBe(false); // the block ended the follow
      expect((await call('GET', '/feed')).status).toBe(401);
    });

    test('shows what happens in the repositories you watch: an issue opened there', async () => {
      const IVY: Cred = ['ivy', 'ivy-pass-12345'];
      await createUser(s, ...IVY, { via: ALICE });
      await createRepo(s, ALICE, { name: 'watched' });
      expect((await call('PUT', '/repos/alice/watched/subscription', IVY)).status).toBe(200);
      const issue = await call('POST', '/repos/alice/watched/issues', ALICE, { title: 'Something to see' });
      expect(issue.status).toBe(201);
      await call('POST', '/repos/alice/watched/issues', ALICE, { title: 'Not for you', confidential: true });
      await expect.poll(async () => (await feed(IVY)).map((i) => `${i.kind}:${i.repo?.full_name}:${String(i.payload.title)}`), { timeout: 10_000 }).toEqual(['issue:alice/watched:Something to see']);

      // a token that may not read repositories sees none of their items
      const userOnly = await createToken(s, 'ivy', 'read:user');
      const viaToken = await s.api('GET', '/api/v1/feed', { token: userOnly });
      expect(viaToken.status).toBe(200);
      expect(await viaToken.json()).toEqual([]);
      const full = await createToken(s, 'ivy', 'read:user,read:repository');
      expect(((await (await s.api('GET', '/api/v1/feed', { token: full })).json()) as Item[]).map((i) => i.kind)).toEqual(['issue']);

      // made confidential afterwards, the issue leaves the feed
      const n = ((await issue.json()) as { number: number }).number;
      expect((await call('PATCH', `/repos/alice/watched/issues/${n}`, ALICE, { confidential: true })).status).toBe(201);
      expect(await feed(IVY)).toEqual([]);
    });
  });

  describe('messages', () => {
    const JUNE: Cred = ['june', 'june-pass-12345'];
    const KIM: Cred = ['kim', 'kim-pass-123456'];
    const LEO: Cred = ['leo', 'leo-pass-123456'];
    const MAX: Cred = ['max', 'max-pass-123456'];
    const sockets: Socket[] = [];
    afterAll(() => {
      for (const so of sockets) so.close();
    });
    const listen = async (who: Cred) => {
      const t = await s.api('POST', `/api/v1/users/${who[0]}/tokens`, { auth: who, json: { name: `msg-${Math.random().toString(36).slice(2)}`, scopes: ['all'] } });
      const sock = io(s.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: ((await t.json()) as { sha1: string }).sha1 } });
      sockets.push(sock);
      const got: { event: string; payload: Record<string, unknown> }[] = [];
      sock.onAny((event: string, payload: Record<string, unknown>) => got.push({ event, payload }));
      await new Promise<void>((resolve, reject) => {
        sock.once('connect', () => resolve());
        sock.once('connect_error', reject);
      });
      return got;
    };
    const of = (got: { event: string; payload: Record<string, unknown> }[], event: string) => got.filter((g) => g.event === event).map((g) => g.payload);
    const follow = async (a: Cred, b: Cred) => expect(await status('PUT', `/user/following/${b[0]}`, a)).toBe(204);

    beforeAll(async () => {
      if (skip) return;
      for (const u of [JUNE, KIM, LEO, MAX]) await createUser(s, ...u, { via: ALICE });
      // june and kim follow each other, june and leo too; max follows june, but not back
      for (const [a, b] of [
        [JUNE, KIM],
        [KIM, JUNE],
        [JUNE, LEO],
        [LEO, JUNE],
        [MAX, JUNE],
      ] as const)
        await follow(a, b);
    });

    test('opens threads only with mutual followers: one per pair, groups of mutuals; refusals say why and make nothing', async () => {
      const lone = await call('POST', '/messages/threads', JUNE, { participants: ['max'] });
      expect(lone.status).toBe(403);
      expect(await message(lone)).toBe('you can message max once you follow each other');
      expect((await call('POST', '/messages/threads', MAX, { participants: ['june'] })).status).toBe(403);
      expect((await call('POST', '/messages/threads', JUNE, { participants: ['june'] })).status).toBe(422);
      expect((await call('POST', '/messages/threads', JUNE, { participants: ['nobody-here'] })).status).toBe(404);
      expect((await call('POST', '/messages/threads', JUNE, { participants: ['kim', 'max'] })).status).toBe(403);
      expect(await (await call('GET', '/messages/threads', JUNE)).json()).toEqual([]);

      const first = await call('POST', '/messages/threads', JUNE, { participants: ['kim'] });
      expect(first.status).toBe(201);
      const t = (await first.json()) as { id: number; kind: string; members: { login: string }[] };
      expect(t).toMatchObject({ kind: 'direct', members: [{ login: 'june' }, { login: 'kim' }] });
      const again = await call('POST', '/messages/threads', KIM, { participants: ['JUNE'] });
      expect(again.status).toBe(200);
      expect(((await again.json()) as { id: number }).id).toBe(t.id);
      const group = await call('POST', '/messages/threads', JUNE, { participants: ['kim', 'leo'], title: 'Release' });
      expect(group.status).toBe(201);
      expect(await group.json()).toMatchObject({ kind: 'group', title: 'Release' });
      expect((await call('GET', `/messages/threads/${t.id}`, LEO)).status).toBe(404);
      expect((await call('GET', `/messages/threads/${t.id}/messages`, MAX)).status).toBe(404);
      expect((await call('POST', `/messages/threads/${t.id}/messages`, LEO, { body: 'let me in' })).status).toBe(404);
    });

    test('delivers a message live to both, counts it unread for the other, and shows read receipts unless turned off', async () => {
      const t = (await (await call('POST', '/messages/threads', JUNE, { participants: ['kim'] })).json()) as { id: number };
      const [june, kim] = [await listen(JUNE), await listen(KIM)];
      const sent = await call('POST', `/messages/threads/${t.id}/messages`, JUNE, { body: 'Lunch at **noon**?' });
      expect(sent.status).toBe(201);
      const m = (await sent.json()) as { id: number; body_html: string };
      expect(m.body_html).toContain('<strong>noon</strong>');
      await expect.poll(() => of(kim, 'message').map((p) => (p.message as { id: number }).id), { timeout: 10_000 }).toEqual([m.id]);
      await expect.poll(() => of(june, 'message').length, { timeout: 10_000 }).toBe(1); // the sender's other tabs
      await expect.poll(() => of(kim, 'message.unread').at(-1), { timeout: 10_000 }).toEqual({ count: 1 });
      expect(await (await call('GET', '/messages/unread', KIM)).json()).toEqual({ count: 1 });
      expect(await (await call('GET', '/messages/unread', JUNE)).json()).toEqual({ count: 0 });
      const list = (await (await call('GET', '/messages/threads', KIM)).json()) as { id: number; unread: number; last_message: { body: string } }[];
      expect(list.find((x) => x.id === t.id)).toMatchObject({ unread: 1, last_message: { body: 'Lunch at **noon**?' } });

      // typing reaches the other member, not yourself
      expect((await call('POST', `/messages/threads/${t.id}/typing`, KIM)).status).toBe(204);
      await expect.poll(() => of(june, 'message.typing'), { timeout: 10_000 }).toEqual([{ thread_id: t.id, user: 'kim' }]);
      expect(of(kim, 'message.typing')).toEqual([]);

      // kim reads it: her count goes, and june sees how far she read
      expect(await (await call('POST', `/messages/threads/${t.id}/read`, KIM, {})).json()).toEqual({ last_read_id: m.id });
      expect(await (await call('GET', '/messages/unread', KIM)).json()).toEqual({ count: 0 });
      await expect.poll(() => of(june, 'message.read'), { timeout: 10_000 }).toEqual([{ thread_id: t.id, user: 'kim', message_id: m.id }]);
      expect(((await (await call('GET', `/messages/threads/${t.id}`, JUNE)).json()) as { read: unknown[] }).read).toEqual([
        { user: 'june', last_read_id: m.id },
        { user: 'kim', last_read_id: m.id },
      ]);

      // with read receipts off, kim's reading is her own business
      expect(await (await call('PATCH', '/messages/settings', KIM, { read_receipts: false })).json()).toEqual({ read_receipts: false });
      const m2 = (await (await call('POST', `/messages/threads/${t.id}/messages`, JUNE, { body: 'second' })).json()) as { id: number };
      await call('POST', `/messages/threads/${t.id}/read`, KIM, {});
      await expect.poll(() => of(kim, 'message.unread').at(-1), { timeout: 10_000 }).toEqual({ count: 0 });
      expect(of(june, 'message.read')).toHaveLength(1);
      expect(((await (await call('GET', `/messages/threads/${t.id}`, JUNE)).json()) as { read: unknown[] }).read).toEqual([
        { user: 'june', last_read_id: m2.id },
        { user: 'kim', last_read_id: null },
      ]);
      expect(((await (await call('GET', `/messages/threads/${t.id}/messages`, KIM)).json()) as { body: string }[]).map((x) => x.body)).toEqual(['Lunch at **noon**?', 'second']);
    });

    test('finds messages in your own threads only, and stops a thread once a block or an unfollow stands', async () => {
      const t = (await (await call('POST', '/messages/threads', JUNE, { participants: ['leo'] })).json()) as { id: number };
      expect((await call('POST', `/messages/threads/${t.id}/messages`, LEO, { body: 'the PINEAPPLE plan' })).status).toBe(201);
      expect(((await (await call('GET', '/messages/search?q=pineapple', JUNE)).json()) as { body: string }[]).map((x) => x.body)).toEqual(['the PINEAPPLE plan']);
      expect(await (await call('GET', '/messages/search?q=pineapple', KIM)).json()).toEqual([]);
      expect((await call('GET', '/messages/search?q=p', JUNE)).status).toBe(422);

      expect(await status('PUT', '/user/blocks/june', LEO)).toBe(204);
      const blocked = await call('POST', `/messages/threads/${t.id}/messages`, JUNE, { body: 'hello?' });
      expect(blocked.status).toBe(403);
      expect(await message(blocked)).toBe('leo has blocked you: you cannot message them');
      expect((await call('POST', '/messages/threads', JUNE, { participants: ['leo'] })).status).toBe(403);
      expect(await status('DELETE', '/user/blocks/june', LEO)).toBe(204);
      // the block ended the follows: not mutual any more
      const after = await call('POST', `/messages/threads/${t.id}/messages`, JUNE, { body: 'hello?' });
      expect(after.status).toBe(403);
      expect(await message(after)).toMatch(/once you follow each other/);
      expect(((await (await call('GET', `/messages/threads/${t.id}/messages`, JUNE)).json()) as unknown[]).length).toBe(1);
    });

    test('in a group: reading never goes backwards, and a block either way stops writing and typing', async () => {
      const group = (await (await call('GET', '/messages/threads', JUNE)).json()) as { id: number; kind: string; title: string }[];
      const release = group.find((x) => x.kind === 'group' && x.title === 'Release')!;
      expect(release).toBeDefined();
      expect((await call('GET', `/messages/threads/${release.id}`, LEO)).status).toBe(200);
      const ids: number[] = [];
      for (const body of ['one', 'two']) ids.push(((await (await call('POST', `/messages/threads/${release.id}/messages`, KIM, { body })).json()) as { id: number }).id);
      const kim = await listen(KIM);
      expect(await (await call('POST', `/messages/threads/${release.id}/read`, JUNE, {})).json()).toEqual({ last_read_id: ids[1] });
      // asked to go back to the first: the answer, and what the others hear, is where june is
      expect(await (await call('POST', `/messages/threads/${release.id}/read`, JUNE, { message_id: ids[0] })).json()).toEqual({ last_read_id: ids[1] });
      await expect.poll(() => of(kim, 'message.read').map((p) => p.message_id), { timeout: 10_000 }).toEqual([ids[1], ids[1]]);

      const june = await listen(JUNE);
      expect(await status('PUT', '/user/blocks/kim', JUNE)).toBe(204);
      const mine = await call('POST', `/messages/threads/${release.id}/messages`, JUNE, { body: 'hi all' });
      expect(mine.status).toBe(403);
      expect(await message(mine)).toBe('you have blocked someone in this group: unblock them to write here');
      const theirs = await call('POST', `/messages/threads/${release.id}/messages`, KIM, { body: 'hi all' });
      expect(theirs.status).toBe(403);
      expect(await message(theirs)).toBe('someone in this group has blocked you: you cannot write here');
      expect((await call('POST', `/messages/threads/${release.id}/typing`, KIM)).status).toBe(204);
      expect((await call('POST', `/messages/threads/${release.id}/typing`, LEO)).status).toBe(204);
      await expect.poll(() => of(june, 'message.typing'), { timeout: 10_000 }).toEqual([{ thread_id: release.id, user: 'leo' }]);
      expect(((await (await call('GET', `/messages/threads/${release.id}/messages`, LEO)).json()) as unknown[]).length).toBe(2);
      expect(await status('DELETE', '/user/blocks/kim', JUNE)).toBe(204);
    });
  });

  describe('profiles and pictures', () => {
    const QUINN: Cred = ['quinn', 'quinn-pass-1234'];
    const RAY: Cred = ['ray', 'ray-pass-123456'];
    beforeAll(async () => {
      if (skip) return;
      for (const u of [QUINN, RAY]) await createUser(s, ...u, { via: ALICE });
    });
    /** A real PNG with EXIF-free pixels of one colour. */
    const png = (width: number, height: number) =>
      sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 90 } } })
        .png()
        .toBuffer();
    /** A PNG whose header claims 40,000×40,000 pixels: a few hundred bytes that would decode to 4.8 GB. */
    const bomb = async () => {
      const b = Buffer.from(await png(1, 1));
      b.writeUInt32BE(40_000, 16);
      b.writeUInt32BE(40_000, 20);
      b.writeUInt32BE(crc32(b.subarray(12, 29)), 29); // IHDR's CRC over its type and data
      return b;
    };
    const fetchBytes = async (p: string, who?: Cred, headers: Record<string, string> = {}) => {
      const res = await s.api('GET', p, { auth: who, headers });
      return { res, bytes: Buffer.from(await res.arrayBuffer()) };
    };

    test('takes an avatar only as an image it re-encodes, refuses a decompression bomb before decoding, and draws one otherwise', async () => {
      const drawn = await fetchBytes('/avatars/quinn');
      expect(drawn.res.status).toBe(200);
      expect(drawn.res.headers.get('content-type')).toBe('image/png');
      expect((await sharp(drawn.bytes).metadata()).width).toBe(256);
      expect((await fetchBytes('/avatars/Quinn')).bytes.equals(drawn.bytes)).toBe(true); // same name, same picture
      expect((await fetchBytes('/avatars/nobody-at-all')).res.status).toBe(200); // avatars don't tell who exists

      const upload = await png(600, 300);
      const set = await call('POST', '/user/avatar', QUINN, { image: upload.toString('base64') });
      expect(set.status, await set.clone().text()).toBe(204);
      const mine = await fetchBytes('/avatars/quinn');
      expect(mine.res.headers.get('content-type')).toBe('image/webp');
      expect(mine.bytes.equals(upload)).toBe(false);
      expect(await sharp(mine.bytes).metadata()).toMatchObject({ format: 'webp', width: 256, height: 256 });
      const etag = mine.res.headers.get('etag')!;
      // (a Cache-Control of our own: fetch adds `no-cache` to a request with If-None-Match, and that one must be answered in full)
      expect((await fetchBytes('/avatars/quinn', undefined, { 'If-None-Match': etag, 'Cache-Control': 'max-age=0' })).res.status).toBe(304);

      const notImage = await call('POST', '/user/avatar', QUINN, { image: Buffer.from('<svg onload="alert(1)"/>').toString('base64') });
      expect(notImage.status).toBe(422);
      expect(await message(notImage)).toMatch(/not an image|not a PNG/);
      const started = Date.now();
      const tooBig = await call('POST', '/user/avatar', QUINN, { image: (await bomb()).toString('base64') });
      expect(tooBig.status).toBe(422);
      expect(await message(tooBig)).toMatch(/40000×40000 is too many pixels/);
      expect(Date.now() - started).toBeLessThan(5_000); // refused from the header, not after decoding 4.8 GB
      expect((await call('POST', '/user/avatar', QUINN, { image: '!!not base64!!' })).status).toBe(422);
      expect((await call('POST', '/user/avatar', undefined, { image: upload.toString('base64') })).status).toBe(401);
      // none of the refusals touched the avatar
      expect((await fetchBytes('/avatars/quinn')).bytes.equals(mine.bytes)).toBe(true);

      expect((await call('DELETE', '/user/avatar', QUINN)).status).toBe(204);
      expect((await fetchBytes('/avatars/quinn')).bytes.equals(drawn.bytes)).toBe(true);
    });

    test('shows the bio rendered, http(s) links only, and pinned repositories to those who may read them', async () => {
      await createRepo(s, QUINN, { name: 'open-one' });
      await createRepo(s, QUINN, { name: 'secret-one', private: true });
      expect((await call('PATCH', '/user/settings', QUINN, { description: 'I build **things** <script>x</script>' })).status).toBe(200);
      const links = await call('PUT', '/user/profile/links', QUINN, { links: ['https://quinn.example/', 'http://blog.example/a'] });
      expect(await links.json()).toEqual({ links: ['https://quinn.example/', 'http://blog.example/a'] });
      for (const bad of ['javascript:alert(1)', 'data:text/html,hi', 'quinn.example', 'https://u:p@quinn.example/']) {
        const res = await call('PUT', '/user/profile/links', QUINN, { links: [bad] });
        expect(res.status, bad).toBe(422);
      }
      expect((await call('PUT', '/user/profile/links', QUINN, { links: Array.from({ length: 6 }, (_, i) => `https://e${i}.example/`) })).status).toBe(422);
      expect((await call('PUT', '/user/profile/pinned', QUINN, { repos: ['quinn/secret-one', 'quinn/open-one'] })).status).toBe(200);
      expect((await call('PUT', '/user/profile/pinned', QUINN, { repos: ['quinn/nope'] })).status).toBe(422);
      expect((await call('PUT', '/user/profile/pinned', RAY, { repos: ['quinn/secret-one'] })).status).toBe(422);
      expect((await call('PUT', '/user/profile/pinned', QUINN, { repos: Array.from({ length: 7 }, (_, i) => `quinn/r${i}`) })).status).toBe(422);

      type Profile = { bio_html: string; links: string[]; pinned: { full_name: string }[] };
      const own = (await (await call('GET', '/users/quinn/profile', QUINN)).json()) as Profile;
      expect(own.bio_html).toContain('<strong>things</strong>');
      expect(own.bio_html).not.toContain('<script');
      expect(own.links).toEqual(['https://quinn.example/', 'http://blog.example/a']); // the refusals changed nothing
      expect(own.pinned.map((r) => r.full_name)).toEqual(['quinn/secret-one', 'quinn/open-one']);
      const other = (await (await call('GET', '/users/quinn/profile', RAY)).json()) as Profile;
      expect(other.pinned.map((r) => r.full_name)).toEqual(['quinn/open-one']);
      expect((await call('GET', '/users/nobody-here/profile', RAY)).status).toBe(404);
    });

    test('posts up to four pictures, re-encoded, and links and notifies the people a post names', async () => {
      const big = await png(2400, 1200);
      const res = await call('POST', '/posts', RAY, { body: 'look @quinn, see quinn/open-one#1 and #5', images: [big.toString('base64'), (await png(40, 40)).toString('base64')] });
      expect(res.status, await res.clone().text()).toBe(201);
      const p = (await res.json()) as { id: number; body_html: string; images: { url: string; width: number; height: number }[] };
      expect(p.body_html).toContain('<a href="/quinn">@quinn</a>');
      expect(p.body_html).toContain('<a href="/quinn/open-one/issues/1">quinn/open-one#1</a>');
      expect(p.body_html).toContain(' and #5');
      expect(p.images.map((i) => [i.width, i.height])).toEqual([
        [1600, 800],
        [40, 40],
      ]);
      const first = await fetchBytes(new URL(p.images[0]!.url).pathname, QUINN);
      expect(first.res.headers.get('content-type')).toBe('image/webp');
      expect(await sharp(first.bytes).metadata()).toMatchObject({ format: 'webp', width: 1600, height: 800 });
      expect((await fetchBytes(`/api/v1/posts/${p.id}/images/2`, QUINN)).res.status).toBe(404);
      expect((await fetchBytes(`/api/v1/posts/${p.id}/images/0`)).res.status).toBe(401);

      // quinn hears of it; a person who blocked the author doesn't
      await expect
        .poll(async () => ((await (await call('GET', '/notifications?all=true', QUINN)).json()) as { subject: { type: string; title: string; html_url: string } }[]).map((n) => n.subject), {
          timeout: 10_000,
        })
        .toContainEqual(expect.objectContaining({ type: 'Post', title: 'ray mentioned you: look @quinn, see quinn/open-one#1 and #5', html_url: expect.stringContaining(`/-/posts/${p.id}`) }));
      expect(await status('PUT', '/user/blocks/ray', ALICE)).toBe(204);
      const named = (await (await call('POST', '/posts', RAY, { body: 'hey @alice and @quinn' })).json()) as { id: number };
      await expect
        .poll(async () => ((await (await call('GET', '/notifications?all=true', QUINN)).json()) as { subject: { url: string } }[]).filter((n) => n.subject.url.endsWith(`/posts/${named.id}`)).length, {
          timeout: 10_000,
        })
        .toBe(1);
      expect(((await (await call('GET', '/notifications?all=true', ALICE)).json()) as { subject: { url: string } }[]).some((n) => n.subject.url.endsWith(`/posts/${named.id}`))).toBe(false);
      expect(await status('DELETE', '/user/blocks/ray', ALICE)).toBe(204);

      // refusals: a fifth picture, something that isn't one; neither makes a post
      const before = ((await (await call('GET', '/users/ray/posts', RAY)).json()) as unknown[]).length;
      const five = await call('POST', '/posts', RAY, { body: 'many', images: Array(5).fill((await png(8, 8)).toString('base64')) });
      expect(five.status).toBe(422);
      const fake = await call('POST', '/posts', RAY, { body: 'fake', images: [Buffer.from('GIF89a but not really').toString('base64')] });
      expect(fake.status).toBe(422);
      expect(await message(fake)).toMatch(/^images\[0\]: /);
      expect(((await (await call('GET', '/users/ray/posts', RAY)).json()) as unknown[]).length).toBe(before);
    });
  });

  describe('reports and moderation', () => {
    const OWEN: Cred = ['owen', 'owen-pass-12345'];
    const PIA: Cred = ['pia', 'pia-pass-123456'];
    beforeAll(async () => {
      if (skip) return;
      for (const u of [OWEN, PIA]) await createUser(s, ...u, { via: ALICE });
    });
    type Report = {
      id: number;
      kind: string;
      state: string;
      reason: string;
      post: { body: string; hidden: boolean } | null;
      message: { body: string; hidden: boolean } | null;
      user: { login: string } | null;
      resolution: string | null;
    };

    test('reports a post once, and an administrator hides it from everyone but administrators', async () => {
      expect(await status('PUT', '/user/following/owen', PIA)).toBe(204);
      const post = (await (await call('POST', '/posts', OWEN, { body: 'buy cheap pills' })).json()) as { id: number };
      const first = await call('POST', '/reports', PIA, { kind: 'post', id: post.id, reason: 'spam' });
      expect(first.status).toBe(201);
      const r = (await first.json()) as Report;
      const again = await call('POST', '/reports', PIA, { kind: 'post', id: post.id, reason: 'still spam' });
      expect(again.status).toBe(200);
      expect(((await again.json()) as Report).id).toBe(r.id);
      expect((await call('POST', '/reports', PIA, { kind: 'post', id: post.id, reason: '  ' })).status).toBe(422);
      expect((await call('POST', '/reports', PIA, { kind: 'post', id: 999999, reason: 'x' })).status).toBe(404);
      expect((await call('POST', '/reports', PIA, { kind: 'user', username: 'pia', reason: 'me' })).status).toBe(422);
      expect((await call('GET', '/admin/reports', PIA)).status).toBe(403);
      expect((await call('PATCH', `/admin/reports/${r.id}`, PIA, { state: 'resolved', action: 'hide' })).status).toBe(403);

      const open = (await (await call('GET', '/admin/reports', ALICE)).json()) as Report[];
      expect(open.find((x) => x.id === r.id)).toMatchObject({ kind: 'post', state: 'open', reason: 'spam', post: { body: 'buy cheap pills', hidden: false }, user: { login: 'owen' } });
      expect((await call('PATCH', `/admin/reports/${r.id}`, ALICE, { state: 'dismissed', action: 'hide' })).status).toBe(422);
      const done = await call('PATCH', `/admin/reports/${r.id}`, ALICE, { state: 'resolved', action: 'hide' });
      expect(done.status).toBe(200);
      expect(await done.json()).toMatchObject({ state: 'resolved', resolution: 'hidden', post: { hidden: true } });
      expect((await call('PATCH', `/admin/reports/${r.id}`, ALICE, { state: 'dismissed' })).status).toBe(422);

      expect((await call('GET', `/posts/${post.id}`, PIA)).status).toBe(404);
      expect((await call('GET', `/posts/${post.id}`, OWEN)).status).toBe(404);
      expect(await (await call('GET', `/posts/${post.id}`, ALICE)).json()).toMatchObject({ hidden: true });
      expect((await call('POST', `/posts/${post.id}/reactions`, PIA, { content: 'eyes' })).status).toBe(404);
      expect((await call('POST', '/posts', PIA, { body: 'reply', parent_id: post.id })).status).toBe(422);
      expect(((await (await call('GET', '/feed', PIA)).json()) as { post: { id: number } | null }[]).some((i) => i.post?.id === post.id)).toBe(false);
      expect(((await (await call('GET', '/users/owen/posts', PIA)).json()) as unknown[]).length).toBe(0);
      expect(await (await call('GET', '/admin/reports', ALICE)).json()).not.toContainEqual(expect.objectContaining({ id: r.id }));
    });

    test('keeps one open report when the same report races in, and one administrator closes it', async () => {
      const post = (await (await call('POST', '/posts', OWEN, { body: 'twice reported' })).json()) as { id: number };
      const at = await Promise.all(Array.from({ length: 6 }, () => call('POST', '/reports', PIA, { kind: 'post', id: post.id, reason: 'spam' })));
      expect(at.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
      const ids = new Set(await Promise.all(at.map(async (r) => ((await r.json()) as Report).id)));
      expect(ids.size).toBe(1);
      const [id] = [...ids];
      const closing = await Promise.all([call('PATCH', `/admin/reports/${id}`, ALICE, { state: 'resolved', action: 'hide' }), call('PATCH', `/admin/reports/${id}`, ALICE, { state: 'dismissed' })]);
      expect(closing.map((r) => r.status).sort()).toEqual([200, 422]);
      const loser = closing.find((r) => r.status === 422)!;
      expect(await message(loser)).toMatch(/^report \d+ is already (resolved|dismissed)$/);
      const final = ((await (await call('GET', '/admin/reports?state=all', ALICE)).json()) as Report[]).find((x) => x.id === id)!;
      expect(['resolved', 'dismissed']).toContain(final.state);
      // once closed, a new report of the same post is a new one
      expect((await call('POST', '/reports', PIA, { kind: 'post', id: post.id, reason: 'again' })).status).toBe(final.state === 'dismissed' ? 201 : 404);
    });

    test('hides a reported message from both members, and disabling a reported person stops their sign-in', async () => {
      for (const [a, b] of [
        [OWEN, PIA],
        [PIA, OWEN],
      ] as const)
        await status('PUT', `/user/following/${b[0]}`, a);
      const t = (await (await call('POST', '/messages/threads', OWEN, { participants: ['pia'] })).json()) as { id: number };
      const m = (await (await call('POST', `/messages/threads/${t.id}/messages`, OWEN, { body: 'nasty words' })).json()) as { id: number };
      expect((await call('POST', '/reports', ERIN, { kind: 'message', id: m.id, reason: 'not mine' })).status).toBe(404);
      const r = (await (await call('POST', '/reports', PIA, { kind: 'message', id: m.id, reason: 'abusive' })).json()) as Report;
      expect((await call('PATCH', `/admin/reports/${r.id}`, ALICE, { state: 'resolved', action: 'hide' })).status).toBe(200);
      for (const who of [PIA, OWEN]) {
        const msgs = (await (await call('GET', `/messages/threads/${t.id}/messages`, who)).json()) as { id: number; body: string; hidden: boolean }[];
        expect(msgs.find((x) => x.id === m.id)).toMatchObject({ body: '', hidden: true });
      }
      expect(await (await call('GET', '/messages/search?q=nasty', PIA)).json()).toEqual([]);

      const person = (await (await call('POST', '/reports', PIA, { kind: 'user', username: 'owen', reason: 'keeps at it' })).json()) as Report;
      expect((await call('PATCH', `/admin/reports/${person.id}`, ALICE, { state: 'resolved', action: 'hide' })).status).toBe(422);
      expect((await call('PATCH', `/admin/reports/${person.id}`, ALICE, { state: 'resolved', action: 'disable' })).status).toBe(200);
      const refused = await call('GET', '/user', OWEN);
      expect(refused.status).toBe(403);
      expect(await message(refused)).toMatch(/disabled by an administrator/);
      expect(await (await call('GET', '/users/owen')).json()).toMatchObject({ prohibit_login: true });
    });
  });
});
