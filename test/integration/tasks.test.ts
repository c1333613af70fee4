// The task board API (/api/v1/repos/{o}/{r}/tasks…) against a real server: the board made on
// first use, cards created, moved by state, column and position, deleted; columns added,
// renamed, moved and deleted; bad input answered 422 with nothing written; who may read and
// write; mentions and assignments told through notifications (never to someone who can't
// read the repository, once per card); and the live `task.updated` event in the repository's room.
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, gitOk, makeRepo, tempDir, waitFor } from '../fixtures/rig.js';
import { startInProcess, type InProcessServer } from './in-process.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
const bob: [string, string] = ['bob', 'bob-pass-123']; // writes to alice/proj
const carol: [string, string] = ['carol', 'carol-pass-123']; // reads alice/proj
const dave: [string, string] = ['dave', 'dave-pass-123']; // nothing to do with it
const R = '/api/v1/repos/alice/proj/tasks';

interface Column {
  id: number;
  name: string;
  state: string;
  position: number;
  tasks_count: number;
}
interface Task {
  id: number;
  title: string;
  body: string;
  body_html?: string;
  state: string;
  column: number;
  position: number;
  assignee: { login: string } | null;
  due_date: string | null;
  checklist: { text: string; done: boolean }[];
  links: { number: number; title: string; state: string; is_pull: boolean; html_url: string }[];
}
interface Thread {
  subject: { title: string; url: string; html_url: string; type: string };
}

// in-process: the server from the sources, so this file needs no build
let s: InProcessServer;
beforeAll(async () => {
  s = await startInProcess();
  // the first administrator through the service graph (the CLI would need a build of this tree)
  await s.app.services.users.create({ username: alice[0], password: alice[1], email: 'alice@example.test', isAdmin: true });
  for (const u of [bob, carol, dave]) await createUser(s, ...u, { via: alice });
  await createRepo(s, alice, { name: 'proj', private: true });
  for (const [who, permission] of [
    ['bob', 'write'],
    ['carol', 'read'],
  ]) {
    expect((await s.api('PUT', `/api/v1/repos/alice/proj/collaborators/${who}`, { auth: alice, json: { permission } })).status).toBe(204);
  }
});
afterAll(async () => s?.stop());

/**
 * Waits until the outbox has delivered everything it owes, so a test can assert that someone was
 * NOT told. Through the server's own db handle, so it works on SQLite and PostgreSQL alike.
 */
async function outboxIdle(): Promise<void> {
  const db = s.app.services.db;
  await waitFor(async () => {
    const r = await db
      .selectFrom('event_deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', 'in', ['pending', 'running'])
      .executeTakeFirstOrThrow();
    return Number(r.n) === 0;
  }, 20_000);
}

async function call<T>(method: string, path: string, who: [string, string] | null, json?: unknown): Promise<{ status: number; body: T }> {
  const res = await s.api(method, path, { auth: who ?? undefined, json });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}
const columns = async () => (await call<Column[]>('GET', `${R}/columns`, alice)).body;
const tasks = async (query = '') => (await call<Task[]>('GET', `${R}${query}`, alice)).body;
const create = async (json: Record<string, unknown>, who = alice) => {
  const r = await call<Task>('POST', R, who, json);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
};
const patch = (id: number, json: Record<string, unknown>, who = alice) => call<Task & { message?: string }>('PATCH', `${R}/${id}`, who, json);
/** The titles of a column's cards in order, checking positions are 0..n-1. */
async function order(columnId: number): Promise<string[]> {
  const list = (await tasks()).filter((t) => t.column === columnId);
  expect(list.map((t) => t.position)).toEqual(list.map((_, i) => i));
  return list.map((t) => t.title);
}

describe('the board and its cards', () => {
  let todo: Column;
  let doing: Column;
  let done: Column;

  it('makes the board on first use with To do, Doing and Done', async () => {
    const cols = await columns();
    expect(cols.map((c) => [c.name, c.state, c.position, c.tasks_count])).toEqual([
      ['To do', 'todo', 0, 0],
      ['Doing', 'doing', 1, 0],
      ['Done', 'done', 2, 0],
    ]);
    [todo, doing, done] = cols as [Column, Column, Column];
    expect(await tasks()).toEqual([]);
  });

  it('creates cards at the end of the first column of their state, with markdown rendered', async () => {
    const a = await create({ title: 'Write docs', state: 'todo', body: 'Some **bold** words\n\n<script>alert(1)</script>' });
    expect(a).toMatchObject({ title: 'Write docs', state: 'todo', column: todo.id, position: 0, assignee: null, due_date: null, checklist: [], links: [] });
    expect(a.body_html).toContain('<strong>bold</strong>');
    expect(a.body_html).not.toContain('<script');
    const b = await create({
      title: 'Fix login',
      due_date: '2026-12-24',
      checklist: [
        { text: 'reproduce', done: true },
        { text: ' write the test ', done: false },
      ],
    });
    expect(b).toMatchObject({
      state: 'todo',
      column: todo.id,
      position: 1,
      due_date: '2026-12-24',
      checklist: [
        { text: 'reproduce', done: true },
        { text: 'write the test', done: false },
      ],
    });
    const c = await create({ title: 'Ship it', column: done.id });
    expect(c).toMatchObject({ state: 'done', column: done.id, position: 0 });
    const d = await create({ title: 'First of all', state: 'todo', position: 0 });
    expect(d.position).toBe(0);
    expect(await order(todo.id)).toEqual(['First of all', 'Write docs', 'Fix login']);
    const one = await call<Task>('GET', `${R}/${a.id}`, alice);
    expect(one.status).toBe(200);
    expect(one.body.body_html).toContain('<strong>bold</strong>');
    // the list leaves body_html out (cards are fetched one by one to be shown)
    expect((await tasks())[0]).not.toHaveProperty('body_html');
  });

  it('moves a card by state alone to the end of the first column of that state, and answers 200 with it', async () => {
    const [first] = await tasks('?state=todo');
    const r = await patch(first!.id, { state: 'done' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: first!.id, state: 'done', column: done.id, position: 1 });
    expect(await order(todo.id)).toEqual(['Write docs', 'Fix login']);
    expect(await order(done.id)).toEqual(['Ship it', 'First of all']);
    // already in that state: it stays where it is
    const again = await patch(first!.id, { state: 'done' });
    expect(again.body).toMatchObject({ column: done.id, position: 1 });
  });

  it('moves a card to a column (its state follows) and places it by position', async () => {
    const fix = (await tasks()).find((t) => t.title === 'Fix login')!;
    const r = await patch(fix.id, { column: doing.id });
    expect(r.body).toMatchObject({ state: 'doing', column: doing.id, position: 0 });
    const ship = (await tasks()).find((t) => t.title === 'Ship it')!;
    expect((await patch(ship.id, { column: doing.id, position: 0 })).body).toMatchObject({ state: 'doing', position: 0 });
    expect(await order(doing.id)).toEqual(['Ship it', 'Fix login']);
    expect(await order(done.id)).toEqual(['First of all']);
    // within a column
    expect((await patch(ship.id, { position: 5 })).body.position).toBe(1);
    expect(await order(doing.id)).toEqual(['Fix login', 'Ship it']);
    // state and position together: that state's first column, at that place
    expect((await patch(ship.id, { state: 'todo', position: 0 })).body).toMatchObject({ column: todo.id, position: 0 });
    expect(await order(todo.id)).toEqual(['Ship it', 'Write docs']);
  });

  it('edits the other fields and clears them with null', async () => {
    const docs = (await tasks()).find((t) => t.title === 'Write docs')!;
    const r = await patch(docs.id, { title: 'Write the docs', body: 'now', assignee: 'carol', due_date: '2027-01-31', checklist: [{ text: 'outline', done: false }] });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ title: 'Write the docs', body: 'now', assignee: { login: 'carol' }, due_date: '2027-01-31', checklist: [{ text: 'outline', done: false }], column: todo.id });
    const cleared = await patch(docs.id, { assignee: null, due_date: null, checklist: [] });
    expect(cleared.body).toMatchObject({ assignee: null, due_date: null, checklist: [] });
  });

  it('keeps positions dense when many moves land at once', async () => {
    const made = [];
    for (let i = 0; i < 8; i++) made.push(await create({ title: `race ${i}`, column: doing.id }));
    const results = await Promise.all(made.map((t, i) => patch(t.id, { column: i % 2 ? todo.id : doing.id, position: (i * 3) % 5 })));
    expect(results.map((r) => r.status)).toEqual(made.map(() => 200));
    for (const col of [todo, doing, done]) await order(col.id); // asserts 0..n-1 in each
    const all = await tasks();
    expect(new Set(all.map((t) => `${t.column}:${t.position}`)).size).toBe(all.length);
  });

  it('deletes a card and closes the gap', async () => {
    const ship = (await tasks()).find((t) => t.title === 'Ship it')!;
    expect((await call('DELETE', `${R}/${ship.id}`, alice)).status).toBe(204);
    expect((await call('GET', `${R}/${ship.id}`, alice)).status).toBe(404);
    expect((await call('DELETE', `${R}/${ship.id}`, alice)).status).toBe(404);
    await order(todo.id);
  });
});

describe('bad input: 422 and nothing written', () => {
  let card: Task;
  beforeAll(async () => {
    card = await create({ title: 'Stable card', body: 'unchanged' });
  });

  const badCreates: [string, Record<string, unknown>, RegExp][] = [
    ['an empty title', { title: '   ' }, /title: must not be empty/],
    ['a 10,000-character title', { title: 'x'.repeat(10_000) }, /title: at most 255/],
    ['no title', { state: 'todo' }, /title/],
    ['a date that is not a date', { title: 't', due_date: 'tomorrow' }, /due_date/],
    ['a date that does not exist', { title: 't', due_date: '2026-02-30' }, /due_date/],
    ['an unknown state', { title: 't', state: 'later' }, /state/],
    ['an unknown column', { title: 't', column: 999_999 }, /column: no column 999999/],
    ['a state its column is not in', { title: 't', column: 1, state: 'done' }, /state: column/],
    ['an assignee who cannot read the repository', { title: 't', assignee: 'dave' }, /assignee: dave cannot read/],
    ['an assignee who does not exist', { title: 't', assignee: 'nobody-here' }, /assignee: no user/],
    ['an empty checklist item', { title: 't', checklist: [{ text: ' ', done: false }] }, /checklist\.0\.text/],
    ['a link to an issue that does not exist', { title: 't', links: [99] }, /#99/],
    ['an unknown field', { title: 't', colour: 'red' }, /unknown field "colour"/],
    ['a body with NUL', { title: 't', body: 'a\0b' }, /NUL/],
  ];
  it.each(badCreates)('refuses a card with %s', async (_what, json, message) => {
    const before = (await tasks()).length;
    const r = await call<{ message: string }>('POST', R, alice, json);
    expect(r.status).toBe(422);
    expect(r.body.message).toMatch(message);
    expect((await tasks()).length).toBe(before);
  });

  it('refuses bad edits and leaves the card as it was', async () => {
    const snapshot = (await call<Task>('GET', `${R}/${card.id}`, alice)).body;
    for (const json of [
      { title: '' },
      { title: 'y'.repeat(10_000) },
      { due_date: '2026-13-01' },
      { state: 'someday' },
      { column: 424242 },
      { title: 'changed', assignee: 'dave' }, // one bad field spoils the whole write
      { title: 'changed', state: 'todo', column: (await columns())[2]!.id },
      { position: -1 },
    ]) {
      const r = await patch(card.id, json);
      expect(r.status, JSON.stringify(json)).toBe(422);
      expect(r.body.message).toBeTruthy();
    }
    expect((await call<Task>('GET', `${R}/${card.id}`, alice)).body).toEqual(snapshot);
  });

  it('answers 404 for a card id that is not a number or not on this board', async () => {
    expect((await call('GET', `${R}/abc`, alice)).status).toBe(404);
    await createRepo(s, alice, { name: 'other' });
    const elsewhere = (await call<Task>('POST', '/api/v1/repos/alice/other/tasks', alice, { title: 'elsewhere' })).body;
    expect((await call('GET', `${R}/${elsewhere.id}`, alice)).status).toBe(404);
    expect((await patch(elsewhere.id, { state: 'done' })).status).toBe(404);
    // deleting a repository takes its board along
    expect((await call('DELETE', '/api/v1/repos/alice/other', alice)).status).toBe(204);
    expect(await s.app.services.db.selectFrom('tasks').select('id').where('id', '=', elsewhere.id).executeTakeFirst()).toBeUndefined();
  });
});

describe('columns', () => {
  it('adds, renames, moves and deletes columns; every state keeps one', async () => {
    const add = await call<Column>('POST', `${R}/columns`, alice, { name: 'Review', state: 'doing', position: 2 });
    expect(add.status).toBe(201);
    expect(add.body).toMatchObject({ name: 'Review', state: 'doing', position: 2, tasks_count: 0 });
    expect((await columns()).map((c) => c.name)).toEqual(['To do', 'Doing', 'Review', 'Done']);

    const renamed = await call<Column>('PATCH', `${R}/columns/${add.body.id}`, alice, { name: '  In  review ', position: 0 });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'In review', position: 0 });
    expect((await columns()).map((c) => [c.name, c.position])).toEqual([
      ['In review', 0],
      ['To do', 1],
      ['Doing', 2],
      ['Done', 3],
    ]);

    // a card in it takes its state, and follows it when the column's state changes
    const card = await create({ title: 'Needs eyes', column: add.body.id });
    expect(card.state).toBe('doing');
    expect((await call('PATCH', `${R}/columns/${add.body.id}`, alice, { state: 'done' })).status).toBe(200);
    expect((await call<Task>('GET', `${R}/${card.id}`, alice)).body.state).toBe('done');

    // not while it holds cards
    const full = await call<{ message: string }>('DELETE', `${R}/columns/${add.body.id}`, alice);
    expect(full.status).toBe(409);
    expect(full.body.message).toMatch(/still holds 1 card/);
    expect((await call('DELETE', `${R}/${card.id}`, alice)).status).toBe(204);
    expect((await call('DELETE', `${R}/columns/${add.body.id}`, alice)).status).toBe(204);
    expect((await columns()).map((c) => c.name)).toEqual(['To do', 'Doing', 'Done']);

    // the last column of a state neither goes nor changes state
    const done = (await columns()).find((c) => c.state === 'done')!;
    for (const t of await tasks(`?column=${done.id}`)) expect((await call('DELETE', `${R}/${t.id}`, alice)).status).toBe(204);
    const last = await call<{ message: string }>('DELETE', `${R}/columns/${done.id}`, alice);
    expect(last.status).toBe(422);
    expect(last.body.message).toMatch(/last column in state done/);
    expect((await call('PATCH', `${R}/columns/${done.id}`, alice, { state: 'todo' })).status).toBe(422);
  });

  it('refuses bad column input', async () => {
    const before = await columns();
    expect((await call('POST', `${R}/columns`, alice, { name: '', state: 'todo' })).status).toBe(422);
    expect((await call('POST', `${R}/columns`, alice, { name: 'x'.repeat(101), state: 'todo' })).status).toBe(422);
    expect((await call('POST', `${R}/columns`, alice, { name: 'Later', state: 'someday' })).status).toBe(422);
    expect((await call('PATCH', `${R}/columns/${before[0]!.id}`, alice, { name: '   ' })).status).toBe(422);
    expect((await call('PATCH', `${R}/columns/999999`, alice, { name: 'x' })).status).toBe(404);
    expect(await columns()).toEqual(before);
  });
});

describe('who may read and write', () => {
  it('hides a private board from non-members and anonymous callers (404), and refuses a reader writing (403)', async () => {
    const card = (await tasks())[0]!;
    for (const [method, path, json] of [
      ['GET', R, undefined],
      ['GET', `${R}/${card.id}`, undefined],
      ['GET', `${R}/columns`, undefined],
      ['POST', R, { title: 'sneaky' }],
      ['PATCH', `${R}/${card.id}`, { state: 'done' }],
      ['DELETE', `${R}/${card.id}`, undefined],
      ['POST', `${R}/columns`, { name: 'x', state: 'todo' }],
    ] as const) {
      expect((await call(method, path, dave, json)).status, `${method} ${path} as dave`).toBe(404);
    }
    expect((await call('GET', R, null)).status).toBe(404);
    expect((await call('POST', R, null, { title: 'anon' })).status).toBe(401);

    expect((await call('GET', R, carol)).status).toBe(200);
    expect((await call('GET', `${R}/${card.id}`, carol)).status).toBe(200);
    expect((await call('POST', R, carol, { title: 'reader' })).status).toBe(403);
    expect((await call('PATCH', `${R}/${card.id}`, carol, { state: 'done' })).status).toBe(403);
    expect((await call('DELETE', `${R}/${card.id}`, carol)).status).toBe(403);
    expect((await call('DELETE', `${R}/columns/${card.column}`, carol)).status).toBe(403);
    expect((await call<Task>('GET', `${R}/${card.id}`, alice)).body).toMatchObject({ state: card.state, position: card.position });

    // a collaborator with write access writes
    const bobs = await create({ title: 'From bob' }, bob);
    expect((await patch(bobs.id, { state: 'doing' }, bob)).status).toBe(200);
  });

  it('needs the issue scope on a token', async () => {
    const readOnly = (await (await s.api('POST', '/api/v1/users/bob/tokens', { auth: bob, json: { name: 'ro', scopes: ['read:issue', 'read:repository'] } })).json()) as { sha1: string };
    expect((await s.api('GET', R, { token: readOnly.sha1 })).status).toBe(200);
    expect((await s.api('POST', R, { token: readOnly.sha1, json: { title: 'scoped' } })).status).toBe(403);
  });
});

describe('the OpenAPI document', () => {
  it('describes the task routes', async () => {
    const doc = (await call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/api/v1/openapi.json', null)).body;
    expect(Object.keys(doc.paths['/repos/{owner}/{repo}/tasks']!).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/repos/{owner}/{repo}/tasks/{id}']!).sort()).toEqual(['delete', 'get', 'patch']);
    expect(Object.keys(doc.paths['/repos/{owner}/{repo}/tasks/columns/{id}']!).sort()).toEqual(['delete', 'patch']);
  });
});

describe('links to issues and pull requests', () => {
  it('links a pull request by number and refuses one the repository does not have', async () => {
    const src = await tempDir();
    await makeRepo(src, 1);
    await gitOk(['push', '-q', s.gitUrl('alice/proj.git', alice), 'main'], { cwd: src });
    await gitOk(['checkout', '-q', '-b', 'feature'], { cwd: src });
    await gitOk(['commit', '-q', '--allow-empty', '-m', 'feature work'], { cwd: src });
    await gitOk(['push', '-q', s.gitUrl('alice/proj.git', alice), 'feature'], { cwd: src });
    const pr = await call<{ number: number }>('POST', '/api/v1/repos/alice/proj/pulls', alice, { head: 'feature', base: 'main', title: 'Feature work' });
    expect(pr.status).toBe(201);
    const card = await create({ title: 'Review the feature', links: [pr.body.number] });
    expect(card.links).toEqual([{ number: pr.body.number, title: 'Feature work', state: 'open', is_pull: true, html_url: `${s.url}/alice/proj/pulls/${pr.body.number}` }]);
    expect((await patch(card.id, { links: [pr.body.number, pr.body.number + 40] })).status).toBe(422);
    expect((await patch(card.id, { links: [] })).body.links).toEqual([]);
  });

  it("links issues, and shows a confidential issue's title only to those who may see it", async () => {
    const open = await call<{ number: number }>('POST', '/api/v1/repos/alice/proj/issues', alice, { title: 'Crash on start' });
    const secret = await call<{ number: number }>('POST', '/api/v1/repos/alice/proj/issues', alice, { title: 'Security hole', confidential: true });
    expect([open.status, secret.status]).toEqual([201, 201]);
    const card = await create({ title: 'Triage', links: [secret.body.number, open.body.number] });
    expect(card.links.map((l) => [l.number, l.title, l.is_pull])).toEqual([
      [open.body.number, 'Crash on start', false],
      [secret.body.number, 'Security hole', false],
    ]);
    expect(card.links[0]!.html_url).toBe(`${s.url}/alice/proj/issues/${open.body.number}`);
    // carol reads the repository but is not on the confidential issue
    const seen = (await call<Task>('GET', `${R}/${card.id}`, carol)).body.links;
    expect(seen.map((l) => [l.number, l.title])).toEqual([
      [open.body.number, 'Crash on start'],
      [secret.body.number, ''],
    ]);
  });
});

describe('mentions and assignments', () => {
  const threads = async (who: [string, string]) => (await call<Thread[]>('GET', '/api/v1/notifications?all=true&limit=50', who)).body;
  const about = async (who: [string, string], id: number) => (await threads(who)).filter((t) => t.subject.url.endsWith(`/tasks/${id}`));

  it('tells a mentioned reader once per card, never the actor or someone who cannot read the repository', async () => {
    const card = await create({ title: 'Ask @carol', body: 'and @dave, @alice and `@bob` in code' });
    await outboxIdle();
    const told = await about(carol, card.id);
    expect(told).toHaveLength(1);
    expect(told[0]!.subject.title).toBe('alice mentioned you on a task in alice/proj: Ask @carol');
    expect(told[0]!.subject.html_url).toBe(`${s.url}/alice/proj/tasks?task=${card.id}`);
    expect(await about(dave, card.id)).toEqual([]); // can't read the private repository
    expect(await about(alice, card.id)).toEqual([]); // the actor
    expect(await about(bob, card.id)).toEqual([]); // inside code

    // an edit that still mentions carol, and one that adds bob: carol is not told twice
    expect((await patch(card.id, { body: 'still @carol, now @bob too' })).status).toBe(200);
    expect((await patch(card.id, { title: 'Ask @carol again' })).status).toBe(200);
    await outboxIdle();
    expect(await about(carol, card.id)).toHaveLength(1);
    expect(await about(bob, card.id)).toHaveLength(1);
  });

  it('tells the assignee, but not someone who assigns themselves', async () => {
    const card = await create({ title: 'Assigned work', assignee: 'bob' });
    const self = await create({ title: 'Mine', assignee: 'alice' });
    await outboxIdle();
    const told = await about(bob, card.id);
    expect(told).toHaveLength(1);
    expect(told[0]!.subject.title).toBe('alice assigned you a task in alice/proj: Assigned work');
    expect(await about(alice, self.id)).toEqual([]);
    // reassigning to carol tells carol
    expect((await patch(card.id, { assignee: 'carol' })).body.assignee?.login).toBe('carol');
    await outboxIdle();
    expect(await about(carol, card.id)).toHaveLength(1);
  });
});

describe('live updates', () => {
  const open: Socket[] = [];
  afterAll(() => open.forEach((x) => x.disconnect()));

  async function socketFor(who: [string, string]): Promise<Socket> {
    const t = (await (await s.api('POST', `/api/v1/users/${who[0]}/tokens`, { auth: who, json: { name: `rt-${Math.random().toString(36).slice(2)}`, scopes: ['all'] } })).json()) as { sha1: string };
    const sock = io(s.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: t.sha1 } });
    open.push(sock);
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', () => resolve());
      sock.once('connect_error', reject);
    });
    return sock;
  }
  const join = (sock: Socket) => sock.timeout(10_000).emitWithAck('repo:subscribe', { repo: 'alice/proj' }) as Promise<{ ok: boolean }>;

  it('sends task.updated to the repository room on every change, and only to those who may read it', async () => {
    const watcher = await socketFor(carol);
    const outsider = await socketFor(dave);
    expect((await join(watcher)).ok).toBe(true);
    expect((await join(outsider)).ok).toBe(false);
    const seen: { repo: string; id: number | null; what: string; version: number }[] = [];
    const leaked: unknown[] = [];
    watcher.on('task.updated', (e: (typeof seen)[number]) => seen.push(e));
    outsider.on('task.updated', (e: unknown) => leaked.push(e));

    const card = await create({ title: 'Live card' });
    const doing = (await columns()).find((c) => c.state === 'doing')!;
    await patch(card.id, { column: doing.id });
    await patch(card.id, { title: 'Live card, renamed' });
    await call('POST', `${R}/columns`, alice, { name: 'Later', state: 'todo' });
    await call('DELETE', `${R}/${card.id}`, alice);
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(5);
    expect(seen.map((e) => [e.repo, e.id, e.what])).toEqual([
      ['alice/proj', card.id, 'created'],
      ['alice/proj', card.id, 'moved'],
      ['alice/proj', card.id, 'edited'],
      ['alice/proj', null, 'columns'],
      ['alice/proj', card.id, 'deleted'],
    ]);
    // the board's version only grows
    expect(seen.map((e) => e.version)).toEqual([...seen.map((e) => e.version)].sort((a, b) => a - b));
    expect(leaked).toEqual([]);
  });
});
