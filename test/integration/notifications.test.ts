// Notifications in Gitea's shapes (/api/v1/notifications…): who is told about a push (watchers who
// can still read the repository, never the pusher), being added as a collaborator, read and
// unread, scopes, and mail through a real SMTP conversation when the user's settings say so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpReceiver, type SmtpReceiver } from '../fixtures/lan-client.js';
import { createRepo, createUser, gitOk, makeRepo, rawHttp, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';
import { outboxIdle } from './outbox-probe.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
const bob: [string, string] = ['bob', 'bob-pass-123'];
const carol: [string, string] = ['carol', 'carol-pass-123'];
const dave: [string, string] = ['dave', 'dave-pass-123'];

interface Thread {
  id: number;
  repository: { id: number; name: string; full_name: string; owner: { login: string }; private: boolean; html_url: string } | null;
  subject: { title: string; url: string; html_url: string; latest_comment_url: string; latest_comment_html_url: string; type: string; state: string | null };
  unread: boolean;
  pinned: boolean;
  updated_at: string;
  url: string;
}

let s: TestServer;
let src: string;
beforeAll(async () => {
  s = await startServer();
  await createUser(s, 'alice', alice[1], { admin: true });
  for (const [name, pass] of [bob, carol, dave]) await createUser(s, name, pass, { via: alice });
  src = await tempDir();
  await makeRepo(src, 2);
});
afterAll(async () => s?.stop());

/** A personal access token made over the API (Gitea's POST /users/{u}/tokens, Basic auth). */
async function apiToken(who: [string, string], scopes: string[] = ['all']): Promise<string> {
  const res = await s.api('POST', `/api/v1/users/${who[0]}/tokens`, { auth: who, json: { name: `t-${scopes.join('-')}-${Math.random().toString(36).slice(2)}`, scopes } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { sha1: string }).sha1;
}

async function list(who: [string, string], query = ''): Promise<Thread[]> {
  const res = await s.api('GET', `/api/v1/notifications${query}`, { auth: who });
  expect(res.status).toBe(200);
  return (await res.json()) as Thread[];
}
const unread = async (who: [string, string]) => ((await (await s.api('GET', '/api/v1/notifications/new', { auth: who })).json()) as { new: number }).new;
const forRepo = async (who: [string, string], repo: string) => (await list(who, '?all=true&limit=50')).filter((t) => t.repository?.full_name === repo);

/**
 * A write answered 205 Reset Content, read over plain node:http: fetch (like a browser) treats
 * 205 as a null-body status and hides the JSON body Gitea's clients (and ours) send with it.
 */
async function reset<T>(method: string, p: string, who: [string, string]): Promise<{ status: number; type: string; body: T }> {
  const res = await rawHttp(s, method, p, { auth: who });
  return { status: res.status, type: String(res.headers['content-type']), body: JSON.parse(res.body.toString('utf8')) as T };
}

/** The text of a received mail, its quoted-printable body decoded. */
function mailText(data: string): string {
  const body = data.slice(data.indexOf('\r\n\r\n') + 4);
  if (!/^Content-Transfer-Encoding: quoted-printable$/im.test(data)) return body;
  const soft = body.replace(/=\r?\n/g, '');
  return Buffer.from(
    soft.replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8');
}

async function push(repo: string, message: string): Promise<string> {
  await gitOk(['commit', '-q', '--allow-empty', '-m', message], { cwd: src });
  await gitOk(['push', '-q', s.gitUrl(`${repo}.git`, alice), 'HEAD:main'], { cwd: src });
  return (await gitOk(['rev-parse', 'HEAD'], { cwd: src })).trim();
}

describe('the notifications API', () => {
  let thread: Thread;
  let head: string;
  beforeAll(async () => {
    await createRepo(s, alice, { name: 'watched' });
    expect((await s.api('PUT', '/api/v1/repos/alice/watched/subscription', { auth: bob })).status).toBe(200);
    head = await push('alice/watched', 'for bob');
    thread = await waitFor(async () => (await list(bob))[0]);
  });

  it("answers in Gitea's NotificationThread shape, titled with the pusher, the branch and the repository", async () => {
    const repo = (await (await s.api('GET', '/api/v1/repos/alice/watched', { auth: alice })).json()) as { id: number };
    expect(thread).toEqual({
      id: expect.any(Number),
      repository: {
        id: repo.id,
        name: 'watched',
        full_name: 'alice/watched',
        owner: expect.objectContaining({ login: 'alice' }),
        private: false,
        internal: false,
        html_url: `${s.url}/alice/watched`,
      },
      subject: {
        title: 'alice pushed to main in alice/watched',
        url: `${s.url}/api/v1/repos/alice/watched/git/commits/${head}`,
        html_url: `${s.url}/alice/watched/commit/${head}`,
        latest_comment_url: '',
        latest_comment_html_url: '',
        type: 'Commit',
        state: null,
      },
      unread: true,
      pinned: false,
      updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      url: `${s.url}/api/v1/notifications/threads/${thread.id}`,
    });
    expect(await unread(bob)).toBe(1);
    const one = await s.api('GET', `/api/v1/notifications/threads/${thread.id}`, { auth: bob });
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual(thread);
  });

  it('marks one thread read and unread, lists read ones only with all=true, and marks all read with 205', async () => {
    // 205 Reset Content with the changed thread in it, as Gitea answers
    const read = await reset<Thread>('PATCH', `/api/v1/notifications/threads/${thread.id}`, bob);
    expect(read.status).toBe(205);
    expect(read.type).toMatch(/^application\/json\b/);
    expect(read.body).toEqual({ ...thread, unread: false, updated_at: expect.any(String) });
    expect(await (await s.api('GET', `/api/v1/notifications/threads/${thread.id}`, { auth: bob })).json()).toEqual(read.body);
    expect(await unread(bob)).toBe(0);
    expect((await list(bob)).map((t) => t.id)).not.toContain(thread.id);
    expect((await list(bob, '?all=true')).find((t) => t.id === thread.id)).toMatchObject({ unread: false });
    expect((await list(bob, '?status-types=read')).map((t) => t.id)).toEqual([thread.id]);

    const back = await reset<Thread>('PATCH', `/api/v1/notifications/threads/${thread.id}?to-status=unread`, bob);
    expect(back.status).toBe(205);
    expect(back.type).toMatch(/^application\/json\b/);
    expect(back.body).toMatchObject({ id: thread.id, unread: true, pinned: false });
    expect(await (await s.api('GET', `/api/v1/notifications/threads/${thread.id}`, { auth: bob })).json()).toEqual(back.body);
    expect(await unread(bob)).toBe(1);
    expect((await list(bob)).map((t) => t.id)).toContain(thread.id);

    // PUT answers with the threads it changed: this one, now read
    const all = await reset<Thread[]>('PUT', '/api/v1/notifications', bob);
    expect(all.status).toBe(205);
    expect(all.type).toMatch(/^application\/json\b/);
    expect(all.body).toEqual([{ ...thread, unread: false, updated_at: expect.any(String) }]);
    expect(await unread(bob)).toBe(0);
    expect(await list(bob)).toEqual([]);
    expect((await list(bob, '?all=true')).map((t) => t.id)).toContain(thread.id);
    // nothing left unread: nothing changed, an empty list
    const again = await reset<Thread[]>('PUT', '/api/v1/notifications', bob);
    expect(again).toMatchObject({ status: 205, body: [] });
    expect(again.type).toMatch(/^application\/json\b/);
  });

  it("answers another user's thread exactly like a missing one (404)", async () => {
    const theirs = await s.api('PATCH', `/api/v1/notifications/threads/${thread.id}`, { auth: carol });
    const missing = await s.api('PATCH', '/api/v1/notifications/threads/987654', { auth: carol });
    expect(theirs.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(await theirs.json()).toEqual(await missing.json());
    expect((await s.api('GET', `/api/v1/notifications/threads/${thread.id}`, { auth: carol })).status).toBe(404);
    expect((await s.api('GET', '/api/v1/notifications/threads/abc', { auth: carol })).status).toBe(404);
    // and changed nothing for bob
    expect((await list(bob, '?all=true')).find((t) => t.id === thread.id)).toMatchObject({ unread: false });
  });

  it('refuses a token without the notification scope (403), and a read-only one for writes', async () => {
    const repoOnly = await apiToken(bob, ['read:repository']);
    const res = await s.api('GET', '/api/v1/notifications', { token: repoOnly });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toMatch(/read:notification/);
    expect((await s.api('GET', '/api/v1/notifications/new', { token: repoOnly })).status).toBe(403);
    const readOnly = await apiToken(bob, ['read:notification']);
    expect((await s.api('GET', '/api/v1/notifications', { token: readOnly })).status).toBe(200);
    expect((await s.api('PUT', '/api/v1/notifications', { token: readOnly })).status).toBe(403);
    expect((await s.api('PUT', '/api/v1/notifications', { token: await apiToken(bob, ['write:notification']) })).status).toBe(205);
    expect((await s.api('GET', '/api/v1/notifications')).status).toBe(401);
  });
});

describe('marking a repository read', () => {
  const erin: [string, string] = ['erin', 'erin-pass-123'];
  beforeAll(async () => {
    await createUser(s, erin[0], erin[1], { via: alice });
    await createRepo(s, alice, { name: 'many' });
    await createRepo(s, alice, { name: 'other' });
  });

  it('answers PUT /repos/{o}/{r}/notifications with the threads it changed, at most 50, and leaves other repositories alone', async () => {
    // 51 threads in alice/many (added as a collaborator 51 times) and one in alice/other
    for (let i = 0; i < 51; i++) {
      expect((await s.api('PUT', '/api/v1/repos/alice/many/collaborators/erin', { auth: alice, json: { permission: 'read' } })).status).toBe(204);
      expect((await s.api('DELETE', '/api/v1/repos/alice/many/collaborators/erin', { auth: alice })).status).toBe(204);
    }
    expect((await s.api('PUT', '/api/v1/repos/alice/other/collaborators/erin', { auth: alice, json: { permission: 'read' } })).status).toBe(204);
    await waitFor(async () => (await unread(erin)) === 52, 30_000);
    const before = await s.api('GET', '/api/v1/repos/alice/many/notifications', { auth: erin });
    expect(before.headers.get('x-total-count')).toBe('51');

    const marked = await reset<Thread[]>('PUT', '/api/v1/repos/alice/many/notifications', erin);
    expect(marked.status).toBe(205);
    expect(marked.type).toMatch(/^application\/json\b/);
    expect(marked.body).toHaveLength(50);
    expect(new Set(marked.body.map((t) => t.id)).size).toBe(50);
    for (const t of marked.body) expect(t).toMatchObject({ unread: false, repository: { full_name: 'alice/many' }, subject: { type: 'Repository' } });
    // all 51 were marked, though only 50 are in the answer; alice/other's thread is still unread
    expect(await unread(erin)).toBe(1);
    const rest = await list(erin);
    expect(rest.map((t) => t.repository?.full_name)).toEqual(['alice/other']);

    // the repository has nothing unread left: an empty list, still JSON
    const again = await reset<Thread[]>('PUT', '/api/v1/repos/alice/many/notifications', erin);
    expect(again).toMatchObject({ status: 205, body: [] });
    expect(again.type).toMatch(/^application\/json\b/);
    const other = await reset<Thread[]>('PUT', '/api/v1/repos/alice/other/notifications', erin);
    expect(other.body).toEqual([{ ...rest[0], unread: false, updated_at: expect.any(String) }]);
    // to-status=unread brings read ones (status-types=read picks them) back, and says which
    const back = await reset<Thread[]>('PUT', '/api/v1/repos/alice/other/notifications?status-types=read&to-status=unread', erin);
    expect(back.body).toEqual([{ ...rest[0], unread: true, updated_at: expect.any(String) }]);
    expect(await unread(erin)).toBe(1);
  });
});

describe('who is notified', () => {
  it('never notifies the pusher, even when they watch the repository', async () => {
    await createRepo(s, alice, { name: 'own' });
    expect((await s.api('PUT', '/api/v1/repos/alice/own/subscription', { auth: alice })).status).toBe(200);
    expect((await s.api('PUT', '/api/v1/repos/alice/own/subscription', { auth: bob })).status).toBe(200);
    await push('alice/own', 'own push');
    await waitFor(async () => (await forRepo(bob, 'alice/own')).length === 1);
    await outboxIdle(s.data);
    expect(await forRepo(alice, 'alice/own')).toEqual([]);
  });

  it('notifies a new collaborator, and no longer tells a watcher who lost read access about pushes', async () => {
    await createRepo(s, alice, { name: 'closed', private: true });
    for (const who of ['bob', 'carol']) {
      expect((await s.api('PUT', `/api/v1/repos/alice/closed/collaborators/${who}`, { auth: alice, json: { permission: 'read' } })).status).toBe(204);
    }
    const added = await waitFor(async () => (await forRepo(carol, 'alice/closed'))[0]);
    expect(added).toMatchObject({
      unread: true,
      repository: { full_name: 'alice/closed', private: true },
      subject: { type: 'Repository', title: 'alice added you as a collaborator (read) to alice/closed', html_url: `${s.url}/alice/closed` },
    });
    for (const who of [bob, carol]) expect((await s.api('PUT', '/api/v1/repos/alice/closed/subscription', { auth: who })).status).toBe(200);

    // carol loses access; bob keeps it and is the control that the push was announced at all
    expect((await s.api('DELETE', '/api/v1/repos/alice/closed/collaborators/carol', { auth: alice })).status).toBe(204);
    await push('alice/closed', 'after carol left');
    await waitFor(async () => (await forRepo(bob, 'alice/closed')).some((t) => t.subject.type === 'Commit'));
    await outboxIdle(s.data);
    expect((await forRepo(carol, 'alice/closed')).map((t) => t.subject.type)).toEqual(['Repository']);
    // a role change is not "being added" again
    expect((await s.api('PUT', '/api/v1/repos/alice/closed/collaborators/bob', { auth: alice, json: { permission: 'write' } })).status).toBe(204);
    await outboxIdle(s.data);
    expect((await forRepo(bob, 'alice/closed')).filter((t) => t.subject.type === 'Repository')).toHaveLength(1);
  });
});

describe('mail', () => {
  let smtp: SmtpReceiver;
  const settings = async (who: [string, string]) => (await (await s.api('GET', '/api/v1/notifications/settings', { auth: who })).json()) as { mail: Record<string, boolean>; smtp_configured: boolean };
  beforeAll(async () => {
    smtp = await smtpReceiver();
  });
  afterAll(async () => {
    await s.api('PATCH', '/api/v1/admin/settings', { auth: alice, json: { 'smtp.host': '' } });
    await smtp?.close();
  });

  it('with SMTP off, sends nothing and attempts nothing', async () => {
    expect(await settings(dave)).toEqual({ mail: { push: false, collaborator: true, mention: true, assign: true, review: true, comment: true, ci: true }, smtp_configured: false });
    await createRepo(s, alice, { name: 'unmailed' });
    expect((await s.api('PUT', '/api/v1/repos/alice/unmailed/collaborators/dave', { auth: alice, json: { permission: 'read' } })).status).toBe(204);
    await waitFor(async () => (await forRepo(dave, 'alice/unmailed')).length === 1);
    await outboxIdle(s.data);
    expect(smtp.messages).toEqual([]);
    // the mailer had its turn and let it go: nothing failed, nothing waits for a retry
    expect(s.log()).not.toMatch(/did not take the message|notifications\.mail/);
  });

  it('mails a new collaborator, and mails pushes only once the user turns push mail on', async () => {
    const on = await s.api('PATCH', '/api/v1/admin/settings', {
      auth: alice,
      json: { 'smtp.host': '127.0.0.1', 'smtp.port': smtp.port, 'smtp.secure': false, 'smtp.from': 'Gitssy <forge@example.test>' },
    });
    expect(on.status).toBe(200);
    expect((await settings(dave)).smtp_configured).toBe(true);

    await createRepo(s, alice, { name: 'mailed' });
    expect((await s.api('PUT', '/api/v1/repos/alice/mailed/collaborators/dave', { auth: alice, json: { permission: 'write' } })).status).toBe(204);
    await waitFor(async () => smtp.messages.length === 1);
    const invite = smtp.messages[0]!;
    expect(invite).toMatchObject({ from: 'forge@example.test', to: ['dave@example.test'] });
    expect(invite.data).toMatch(/^Subject: \[Gitssy\] alice added you as a collaborator \(write\) to alice\/mailed$/m);
    expect(mailText(invite.data)).toContain(`\r\n${s.url}/alice/mailed\r\n`);

    // push mail is off by default: the thread is made, no mail goes out
    expect((await s.api('PUT', '/api/v1/repos/alice/mailed/subscription', { auth: dave })).status).toBe(200);
    await push('alice/mailed', 'first');
    await waitFor(async () => (await forRepo(dave, 'alice/mailed')).some((t) => t.subject.type === 'Commit'));
    await outboxIdle(s.data);
    expect(smtp.messages).toHaveLength(1);

    const turned = await s.api('PUT', '/api/v1/notifications/settings', { auth: dave, json: { mail: { push: true } } });
    expect(turned.status).toBe(200);
    expect(((await turned.json()) as { mail: Record<string, boolean> }).mail).toMatchObject({ push: true, collaborator: true });
    expect((await s.api('PUT', '/api/v1/notifications/settings', { auth: dave, json: { mail: { sideways: true } } })).status).toBe(422);

    const head = await push('alice/mailed', 'second');
    await waitFor(async () => smtp.messages.length === 2);
    const pushed = smtp.messages[1]!;
    expect(pushed.to).toEqual(['dave@example.test']);
    expect(pushed.data).toMatch(/^Subject: \[Gitssy\] alice pushed to main in alice\/mailed$/m);
    expect(mailText(pushed.data)).toBe(
      `alice pushed to main in alice/mailed\r\n\r\n${s.url}/alice/mailed/commit/${head}\r\n\r\n— You get this mail because of your notification settings: ${s.url}/user/settings/notifications\r\n`,
    );
    await outboxIdle(s.data);
    expect(smtp.messages).toHaveLength(2);
  });
});
