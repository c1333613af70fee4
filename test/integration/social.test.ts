// Follows, blocks, profile fields and the contribution heatmap, through Gitea's API on a real
// server, with real pushes feeding the heatmap; on SQLite and on PostgreSQL (the follow counts
// are kept under row locks there, and the heatmap's day arithmetic must agree).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgCluster } from '../fixtures/postgres.js';
import { createRepo, createToken, createUser, gitOk, makeRepo, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

type Cred = [string, string];
const ALICE: Cred = ['alice', 'alice-pass-1234'];
const BOB: Cred = ['bob', 'bob-pass-12345'];
const CAROL: Cred = ['carol', 'carol-pass-1234'];
const DAVE: Cred = ['dave', 'dave-pass-12345'];

let pg: PgCluster | { skip: string };
beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  if ('stop' in pg) await pg.stop();
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
    for (const u of [BOB, CAROL, DAVE]) await createUser(s, ...u, { via: ALICE });
    const org = await s.api('POST', '/api/v1/orgs', { auth: ALICE, json: { username: 'team' } });
    expect(org.status, await org.clone().text()).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await s?.stop();
  });

  /** A test that skips, with the reason, when this database can't run here. */
  const test = (name: string, fn: () => Promise<void>) =>
    it(name, async (ctx) => {
      if (skip) return ctx.skip(skip);
      await fn();
    });

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
});
