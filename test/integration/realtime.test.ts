// socket.io at /socket.io with the real socket.io-client: who may connect (a token, or a session
// cookie from our own origin; nobody anonymous), live notifications, repository rooms joined only
// after an access check and left when access goes, sockets closed when the credentials they were
// made with stop being valid, and hostile messages that cost only the socket that sent them.
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RepoFacts } from '../../server/access/index.js';
import { Browser, createRepo, createUser, gitOk, makeRepo, tempDir, waitFor } from '../fixtures/rig.js';
import { startInProcess, type InProcessServer } from './in-process.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
const bob: [string, string] = ['bob', 'bob-pass-123'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Ack = { ok: boolean; message?: string; code?: string };

// in-process, so a test can look at the socket rooms and send through them the way features will
let s: InProcessServer;
let src: string;
let bobToken: string;
let aliceToken: string;
const open: Socket[] = [];

beforeAll(async () => {
  s = await startInProcess();
  await createUser(s, 'alice', alice[1], { admin: true });
  await createUser(s, 'bob', bob[1], { via: alice });
  bobToken = await apiToken(bob);
  aliceToken = await apiToken(alice);
  src = await tempDir();
  await makeRepo(src, 2);
  await createRepo(s, alice, { name: 'pub' });
  await createRepo(s, alice, { name: 'secret', private: true });
  await gitOk(['push', '-q', s.gitUrl('alice/pub.git', alice), 'main'], { cwd: src });
});
afterEach(() => {
  for (const sock of open.splice(0)) sock.disconnect();
});
afterAll(async () => s?.stop());

/** A personal access token made over the API (Gitea's POST /users/{u}/tokens, Basic auth). */
async function apiToken(who: [string, string], scopes: string[] = ['all']): Promise<string> {
  const res = await s.api('POST', `/api/v1/users/${who[0]}/tokens`, { auth: who, json: { name: `t-${scopes.join('-')}-${Math.random().toString(36).slice(2)}`, scopes } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { sha1: string }).sha1;
}

function socket(opts: { token?: string; headers?: Record<string, string> } = {}): Socket {
  const sock = io(s.url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: opts.token === undefined ? {} : { token: opts.token },
    extraHeaders: opts.headers,
  });
  open.push(sock);
  return sock;
}

/** Resolves once connected; rejects with the server's connect_error. */
function connected(sock: Socket): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (sock.connected) return resolve(sock);
    sock.once('connect', () => resolve(sock));
    sock.once('connect_error', reject);
  });
}

function refused(sock: Socket): Promise<Error & { data?: { code?: string } }> {
  return new Promise((resolve, reject) => {
    sock.once('connect', () => reject(new Error('the server let this socket in')));
    sock.once('connect_error', resolve);
  });
}

function next<T>(sock: Socket, event: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    sock.once(event, (payload: T) => {
      clearTimeout(t);
      resolve(payload);
    });
  });
}

const subscribe = (sock: Socket, msg: unknown) => sock.timeout(10_000).emitWithAck('repo:subscribe', msg) as Promise<Ack>;

async function facts(owner: string, name: string): Promise<RepoFacts> {
  const rec = (await s.app.services.repos.find(owner, name))!;
  return { id: rec.repo.id, ownerId: rec.repo.owner_id, visibility: rec.repo.visibility as RepoFacts['visibility'] };
}

/** Socket ids in a repository's room, as the server sees them. */
async function roomMembers(owner: string, name: string): Promise<string[]> {
  const rt = s.app.services.realtime.attached!;
  return (await rt.io.in(`repo:${(await facts(owner, name)).id}`).fetchSockets()).map((x) => x.id);
}

/** Sends a probe event through the repository's room the way a feature's fan-out does. */
async function probe(owner: string, name: string, n: number): Promise<void> {
  const send = s.app.services.realtime.toRepo.bind(s.app.services.realtime) as (repo: RepoFacts, event: string, payload: unknown) => Promise<void>;
  await send(await facts(owner, name), 'test.probe', { n });
}

/** Collects the probes a socket receives. */
function probes(sock: Socket): number[] {
  const got: number[] = [];
  sock.on('test.probe', (p: { n: number }) => got.push(p.n));
  return got;
}

describe('who may connect', () => {
  it('refuses an anonymous handshake, and a bad token', async () => {
    const anon = await refused(socket());
    expect(anon.message).toMatch(/sign in first, or pass auth: \{token\}/);
    expect(anon.data?.code).toBe('unauthorized');
    const bad = await refused(socket({ token: 'not-a-real-token' }));
    expect(bad.message).toMatch(/invalid access token/);
    expect(bad.data?.code).toBe('unauthorized');
    expect((await refused(socket({ token: 42 as unknown as string }))).message).toMatch(/auth\.token must be an access token/);
  });

  it('lets a session cookie in only from our own origin', async () => {
    const b = new Browser(s.url);
    await b.session();
    expect((await b.request('POST', '/api/v1/auth/signin', { json: { username: 'bob', password: bob[1] } })).status).toBe(200);
    const cookie = b.cookieHeader();
    expect(cookie).toMatch(/gitssy_session=/);

    // another site's page carrying bob's cookie never gets a handshake
    await refused(socket({ headers: { Cookie: cookie, Origin: 'http://evil.example' } }));
    await refused(socket({ headers: { Cookie: cookie, Origin: `http://127.0.0.1:${s.port + 1}` } }));
    // nor does a cookie with no Origin at all (not a browser on our page)
    expect((await refused(socket({ headers: { Cookie: cookie } }))).data?.code).toBe('unauthorized');
    // a foreign Origin is refused even with a valid token
    await refused(socket({ token: bobToken, headers: { Origin: 'http://evil.example' } }));

    // our own page: connected as bob, who is told when he is made a collaborator
    const sock = await connected(socket({ headers: { Cookie: cookie, Origin: s.url } }));
    const note = next<{ subject: { title: string } }>(sock, 'notification');
    await createRepo(s, alice, { name: 'cookie-check' });
    expect((await s.api('PUT', '/api/v1/repos/alice/cookie-check/collaborators/bob', { auth: alice, json: { permission: 'read' } })).status).toBe(204);
    expect((await note).subject.title).toBe('alice added you as a collaborator (read) to alice/cookie-check');
  });
});

describe('revoked credentials', () => {
  /** A browser signed in as `who`, its CSRF token current. */
  async function signedIn(who: [string, string]): Promise<Browser> {
    const b = new Browser(s.url);
    await b.session();
    const res = await b.request('POST', '/api/v1/auth/signin', { json: { username: who[0], password: who[1] } });
    expect(res.status).toBe(200);
    b.csrf = ((await res.json()) as { csrf_token: string }).csrf_token;
    return b;
  }
  /** A socket riding on a browser's session cookie, from our own page. */
  const cookieSocket = (cookie: string) => socket({ headers: { Cookie: cookie, Origin: s.url } });
  /** The reason a socket was disconnected, or null while it stays connected. */
  function watchGone(sock: Socket): { reason: string | null } {
    const seen = { reason: null as string | null };
    sock.on('disconnect', (reason) => (seen.reason = reason));
    return seen;
  }
  /** Still connected, and still answered by the server (not just a socket waiting to notice). */
  async function alive(sock: Socket): Promise<void> {
    expect(sock.connected).toBe(true);
    expect(await subscribe(sock, { repo: 'alice/pub' })).toEqual({ ok: true });
  }

  it('disconnects the socket of a session that signs out, and only that session', async () => {
    const carol: [string, string] = ['carol', 'carol-pass-123'];
    await createUser(s, carol[0], carol[1], { via: alice });
    const token = await apiToken(carol);
    const leaving = await signedIn(carol);
    const staying = await signedIn(carol);
    const oldCookie = leaving.cookieHeader();
    const a1 = await connected(cookieSocket(oldCookie));
    const a2 = await connected(cookieSocket(oldCookie));
    const b = await connected(cookieSocket(staying.cookieHeader()));
    const t = await connected(socket({ token }));
    const bGone = watchGone(b);
    const tGone = watchGone(t);
    const gone = [next<string>(a1, 'disconnect'), next<string>(a2, 'disconnect')];

    expect((await leaving.request('POST', '/api/v1/auth/signout')).status).toBe(204);
    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
    // the other session of the same user, and the token, keep their sockets
    await sleep(200);
    expect([bGone.reason, tGone.reason]).toEqual([null, null]);
    await alive(b);
    await alive(t);
    // and the signed-out cookie gets no new one
    expect((await refused(cookieSocket(oldCookie))).data?.code).toBe('unauthorized');
    await alive(await connected(cookieSocket(staying.cookieHeader())));
  });

  it("disconnects the user's cookie sockets when the password changes, and keeps token sockets", async () => {
    const dave: [string, string] = ['dave', 'dave-pass-123'];
    await createUser(s, dave[0], dave[1], { via: alice });
    const token = await apiToken(dave);
    const changer = await signedIn(dave);
    const other = await signedIn(dave);
    const changerCookie = changer.cookieHeader();
    const otherCookie = other.cookieHeader();
    const c1 = await connected(cookieSocket(changerCookie));
    const c2 = await connected(cookieSocket(otherCookie));
    const t = await connected(socket({ token }));
    // bob's socket: someone else's password change is nothing to him
    const bobs = await connected(socket({ token: bobToken }));
    const tGone = watchGone(t);
    const bobGone = watchGone(bobs);
    const gone = [next<string>(c1, 'disconnect'), next<string>(c2, 'disconnect')];

    const res = await changer.request('POST', '/api/v1/user/password', { json: { old_password: dave[1], new_password: 'dave-new-pass-1' } });
    expect(res.status).toBe(204);
    // every cookie socket goes, the one of the browser that made the change too (its session was replaced)
    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
    await sleep(200);
    expect([tGone.reason, bobGone.reason]).toEqual([null, null]);
    await alive(t);
    await alive(bobs);
    // the old cookies are refused; the changer's fresh session connects again
    for (const cookie of [changerCookie, otherCookie]) expect((await refused(cookieSocket(cookie))).data?.code).toBe('unauthorized');
    expect(changer.cookieHeader()).not.toBe(changerCookie);
    await alive(await connected(cookieSocket(changer.cookieHeader())));
  });

  it('disconnects every socket of a user an administrator disables, and refuses their token after', async () => {
    const erin: [string, string] = ['erin', 'erin-pass-123'];
    await createUser(s, erin[0], erin[1], { via: alice });
    const token = await apiToken(erin);
    const other = await apiToken(erin, ['read:repository']);
    const cookie = (await signedIn(erin)).cookieHeader();
    const socks = [await connected(cookieSocket(cookie)), await connected(socket({ token })), await connected(socket({ token: other }))];
    const bobs = await connected(socket({ token: bobToken }));
    const bobGone = watchGone(bobs);
    const gone = socks.map((x) => next<string>(x, 'disconnect'));

    const res = await s.api('PATCH', '/api/v1/admin/users/erin', { auth: alice, json: { prohibit_login: true } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { prohibit_login: boolean }).prohibit_login).toBe(true);
    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect', 'io server disconnect']);
    await sleep(200);
    expect(bobGone.reason).toBeNull();
    await alive(bobs);
    // the token still exists, but a disabled account gets no new socket with it, nor with the cookie
    const again = await refused(socket({ token }));
    expect(again.message).toBe('this account has been disabled by an administrator');
    expect(again.data?.code).toBe('forbidden');
    expect((await refused(cookieSocket(cookie))).data?.code).toBe('unauthorized');
    // enabled again: the token works again (it was never deleted)
    expect((await s.api('PATCH', '/api/v1/admin/users/erin', { auth: alice, json: { prohibit_login: false } })).status).toBe(200);
    await connected(socket({ token }));
  });

  it('disconnects the sockets made with a deleted token, and no others', async () => {
    const frank: [string, string] = ['frank', 'frank-pass-123'];
    await createUser(s, frank[0], frank[1], { via: alice });
    const made = async (name: string) => {
      const res = await s.api('POST', '/api/v1/users/frank/tokens', { auth: frank, json: { name, scopes: ['all'] } });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: number; name: string; sha1: string };
    };
    const doomed = await made('doomed');
    const byName = await made('by-name');
    const kept = await apiToken(frank);
    const d1 = await connected(socket({ token: doomed.sha1 }));
    const d2 = await connected(socket({ token: doomed.sha1 }));
    const n = await connected(socket({ token: byName.sha1 }));
    const k = await connected(socket({ token: kept }));
    const c = await connected(cookieSocket((await signedIn(frank)).cookieHeader()));
    const nGone = watchGone(n);
    const kGone = watchGone(k);
    const cGone = watchGone(c);
    const gone = [next<string>(d1, 'disconnect'), next<string>(d2, 'disconnect')];

    expect((await s.api('DELETE', `/api/v1/users/frank/tokens/${doomed.id}`, { auth: frank })).status).toBe(204);
    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
    await sleep(200);
    expect([nGone.reason, kGone.reason, cGone.reason]).toEqual([null, null, null]);
    await alive(n);
    expect((await refused(socket({ token: doomed.sha1 }))).message).toMatch(/invalid access token/);

    // deleted by name, the same
    const nGoing = next<string>(n, 'disconnect');
    expect((await s.api('DELETE', `/api/v1/users/frank/tokens/${byName.name}`, { auth: frank })).status).toBe(204);
    expect(await nGoing).toBe('io server disconnect');
    await sleep(200);
    expect([kGone.reason, cGone.reason]).toEqual([null, null]);
    await alive(k);
    await alive(c);
  });
});

describe('live notifications', () => {
  it('sends a token socket the notification when someone else pushes to a watched repository', async () => {
    expect((await s.api('PUT', '/api/v1/repos/alice/pub/subscription', { auth: bob })).status).toBe(200);
    const sock = await connected(socket({ token: bobToken }));
    const alices = await connected(socket({ token: aliceToken }));
    const alicesNotes: unknown[] = [];
    alices.on('notification', (n) => alicesNotes.push(n));
    const note = next<{ id: number; unread: boolean; repository: { full_name: string }; subject: { title: string; type: string } }>(sock, 'notification');

    await gitOk(['commit', '-q', '--allow-empty', '-m', 'live'], { cwd: src });
    await gitOk(['push', '-q', s.gitUrl('alice/pub.git', alice), 'main'], { cwd: src });
    const got = await note;
    expect(got).toMatchObject({ unread: true, repository: { full_name: 'alice/pub' }, subject: { title: 'alice pushed to main in alice/pub', type: 'Commit' } });
    const listed = (await (await s.api('GET', '/api/v1/notifications', { token: bobToken })).json()) as { id: number }[];
    expect(listed.map((t) => t.id)).toContain(got.id);
    // marking it read elsewhere updates the count on every socket of the user
    const count = next<{ new: number }>(sock, 'notification.count');
    expect((await s.api('PATCH', `/api/v1/notifications/threads/${got.id}`, { token: bobToken })).status).toBe(205);
    expect(await count).toEqual(await (await s.api('GET', '/api/v1/notifications/new', { token: bobToken })).json());
    expect(listed.length - 1).toBe(((await count) as { new: number }).new);
    // the pusher is not told about their own push
    await sleep(300);
    expect(alicesNotes).toEqual([]);
  });
});

describe('repository rooms', () => {
  it("refuses a private repository the user can't read like a missing one, and sends it nothing", async () => {
    const sock = await connected(socket({ token: bobToken }));
    const got = probes(sock);
    const error = next<{ message: string; code: string }>(sock, 'error');
    const ack = await subscribe(sock, { repo: 'alice/secret' });
    expect(ack).toEqual({ ok: false, message: 'repository alice/secret not found', code: 'not_found' });
    expect(await error).toEqual({ message: 'repository alice/secret not found', code: 'not_found' });
    expect(await subscribe(sock, { repo: 'alice/no-such-repo' })).toEqual({ ok: false, message: 'repository alice/no-such-repo not found', code: 'not_found' });
    expect(sock.connected).toBe(true);
    expect(await roomMembers('alice', 'secret')).not.toContain(sock.id);

    // alice (the owner) is in the room and gets what is sent there; bob gets nothing
    const owner = await connected(socket({ token: aliceToken }));
    const ownerGot = probes(owner);
    expect(await subscribe(owner, { repo: 'alice/secret' })).toEqual({ ok: true });
    await probe('alice', 'secret', 1);
    await waitFor(async () => ownerGot.length === 1);
    await sleep(200);
    expect(got).toEqual([]);
  });

  it('lets a new collaborator subscribe, and takes their socket out of the room when they are removed', async () => {
    const sock = await connected(socket({ token: bobToken }));
    const got = probes(sock);
    const owner = await connected(socket({ token: aliceToken }));
    const ownerGot = probes(owner);
    expect(await subscribe(owner, { repo: 'alice/secret' })).toEqual({ ok: true });

    expect((await s.api('PUT', '/api/v1/repos/alice/secret/collaborators/bob', { auth: alice, json: { permission: 'read' } })).status).toBe(204);
    expect(await subscribe(sock, { repo: 'alice/secret' })).toEqual({ ok: true });
    expect(await roomMembers('alice', 'secret')).toContain(sock.id);
    await probe('alice', 'secret', 1);
    await waitFor(async () => got.length === 1 && ownerGot.length === 1);

    // removed: the rooms subscriber takes the socket out, before anything is sent to the room
    expect((await s.api('DELETE', '/api/v1/repos/alice/secret/collaborators/bob', { auth: alice })).status).toBe(204);
    await waitFor(async () => !(await roomMembers('alice', 'secret')).includes(sock.id!));
    expect(await roomMembers('alice', 'secret')).toContain(owner.id);
    await probe('alice', 'secret', 2);
    await waitFor(async () => ownerGot.length === 2);
    await sleep(200);
    expect(got).toEqual([1]);
    expect(sock.connected).toBe(true);
    // and it can't come back in
    expect((await subscribe(sock, { repo: 'alice/secret' })).ok).toBe(false);
  });
});

describe('leaving a room', () => {
  it('takes the socket out on repo:unsubscribe, with or without the .git suffix it subscribed with', async () => {
    const sock = await connected(socket({ token: bobToken }));
    const unsubscribe = (msg: unknown) => sock.timeout(10_000).emitWithAck('repo:unsubscribe', msg) as Promise<Ack>;
    for (const [sub, unsub] of [
      ['alice/pub', 'alice/pub'],
      ['alice/pub.git', 'alice/pub.git'],
      ['alice/pub.git', 'alice/pub'],
    ]) {
      expect(await subscribe(sock, { repo: sub })).toEqual({ ok: true });
      expect(await roomMembers('alice', 'pub')).toContain(sock.id);
      expect(await unsubscribe({ repo: unsub })).toEqual({ ok: true });
      expect(await roomMembers('alice', 'pub'), `${sub} then ${unsub}`).not.toContain(sock.id);
    }
  });
});

describe('hostile messages', () => {
  for (const [name, msg] of [
    ['a bare string', 'alice/pub'],
    ['a number for the name', { repo: 42 }],
    ['an extra field', { repo: 'alice/pub', admin: true }],
    ['no owner', { repo: 'pub' }],
    ['null', null],
  ] as const) {
    it(`disconnects only the socket that sent a malformed repo:subscribe (${name})`, async () => {
      const bad = await connected(socket({ token: bobToken }));
      const good = await connected(socket({ token: bobToken }));
      const error = next<{ code: string }>(bad, 'error');
      const gone = next<string>(bad, 'disconnect');
      bad.emit('repo:subscribe', msg, () => {});
      expect((await error).code).toBe('invalid');
      expect(await gone).toBe('io server disconnect');
      // the same user's other socket is untouched
      expect(good.connected).toBe(true);
      expect(await subscribe(good, { repo: 'alice/pub' })).toEqual({ ok: true });
    });
  }

  it('disconnects only the socket that sent a message over 64 KiB', async () => {
    const big = await connected(socket({ token: bobToken }));
    const good = await connected(socket({ token: bobToken }));
    const gone = next<string>(big, 'disconnect');
    big.emit('repo:unsubscribe', { repo: `alice/${'x'.repeat(70 * 1024)}` });
    expect(await gone).toBe('transport close');
    expect(good.connected).toBe(true);
    expect(await subscribe(good, { repo: 'alice/pub' })).toEqual({ ok: true });
    // a message just under the limit is read (and answered: this one is malformed, too long a name)
    const under = await connected(socket({ token: bobToken }));
    const ack = await subscribe(under, { repo: `alice/${'x'.repeat(60 * 1024)}` });
    expect(ack).toMatchObject({ ok: false, code: 'invalid' });
  });
});
