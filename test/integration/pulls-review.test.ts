// Code review against the real server: reviews (approve, request changes, comment) and who may
// give them, a pending review whose comments nobody else sees until it is submitted, line
// comments on the new and the old side and over ranges, positions outside the diff refused with
// nothing stored, threads with replies that can be resolved, "viewed" marks undone when the file
// changes, comments made outdated by a push keeping their line and diff_hunk, review requests
// notified live over socket.io, the pull request's room told about pushes, comments and
// reviews; and what a protected base branch asks before a merge — approvals from people who may
// write (a reader's don't count), stale approvals dismissed by a new push, a standing change
// request, commit statuses posted through the statuses API, who may merge.
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, startServer, waitFor, type TestServer } from '../fixtures/rig.js';
import { outboxIdle, query } from './outbox-probe.js';
import { collect, Lanes, mergeOk as merged, mergeRefused, nextMatching, PullsApi, socketFor, subscribe, Work, type Lane, type PullJson, type Who } from './pull-rig.js';

const alice: Who = ['alice', 'alice-pass-123'];
const bob: Who = ['bob', 'bob-pass-1234'];
const carol: Who = ['carol', 'carol-pass-123'];
const dave: Who = ['dave', 'dave-pass-123'];
const erin: Who = ['erin', 'erin-pass-1234'];

interface Review {
  id: number;
  user: { login: string } | null;
  state: string;
  body: string;
  body_html: string;
  commit_id: string;
  official: boolean;
  stale: boolean;
  comments_count: number;
}
interface LineComment {
  id: number;
  body: string;
  body_html: string;
  user: { login: string } | null;
  resolver: { login: string } | null;
  pull_request_review_id: number | null;
  in_reply_to_id: number | null;
  path: string;
  side: 'LEFT' | 'RIGHT';
  line: number;
  start_line: number | null;
  commit_id: string;
  diff_hunk: string;
  outdated: boolean;
  resolved: boolean;
}
interface FileJson {
  filename: string;
  viewed: boolean;
}

const APP = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`);
const text = (lines: string[]) => `${lines.join('\n')}\n`;
/** The pull request's version: line 5 changed, line 20 deleted, a line added after line 30. */
const CHANGED = APP.map((l, i) => (i === 4 ? 'line 5 changed' : l))
  .filter((_, i) => i !== 19)
  .flatMap((l) => (l === 'line 30' ? [l, 'new after 30'] : [l]));

let s: TestServer;
let api: PullsApi;
let work: Work;
let n: number;
let lanes: Lanes;
const sockets: Socket[] = [];

beforeAll(async () => {
  s = await startServer();
  await createUser(s, 'alice', alice[1], { admin: true });
  for (const [name, pass] of [bob, carol, dave, erin]) await createUser(s, name, pass, { via: alice });
  await createRepo(s, alice, { name: 'rev' });
  // bob and dave may write; carol reads (a public repository); erin too, and owns the pull request
  for (const w of ['bob', 'dave']) expect((await s.api('PUT', `/api/v1/repos/alice/rev/collaborators/${w}`, { auth: alice, json: { permission: 'write' } })).status).toBe(204);
  work = await Work.init(s, 'alice/rev', alice);
  const seed = await work.commit({ 'src/app.ts': text(APP), 'README.md': '# Rev\n' }, 'seed');
  await work.checkout('change', 'main');
  await work.commit({ 'src/app.ts': text(CHANGED), 'docs/new.md': 'one\ntwo\nthree\n' }, 'the change');
  await work.push('main', 'change');
  api = new PullsApi(s, 'alice/rev');
  n = (await api.open(erin, { head: 'change', base: 'main', title: 'Review me', reviewers: ['bob'] })).number;
  await api.settled(n, erin);
  lanes = new Lanes(s, 'alice/rev', work, seed);
});
afterEach(() => {
  for (const sock of sockets.splice(0)) sock.disconnect();
});
afterAll(async () => s?.stop());

const reviews = (who: Who | undefined = alice) => api.expect<Review[]>(200, 'GET', `/pulls/${n}/reviews`, who);
const comments = (who: Who | undefined = alice) => api.expect<LineComment[]>(200, 'GET', `/pulls/${n}/comments`, who);
const lineComment = (who: Who, body: Record<string, unknown>, status = 201) => api.expect<LineComment>(status, 'POST', `/pulls/${n}/comments`, who, body);
const storedComments = async () => (await query<{ n: number }>(s.data, 'SELECT count(*) AS n FROM pull_line_comments'))[0]!.n;
const storedReviews = async () => (await query<{ n: number }>(s.data, 'SELECT count(*) AS n FROM pull_reviews'))[0]!.n;

describe('reviews', () => {
  it('takes APPROVED, REQUEST_CHANGES and COMMENT; a writer’s review is official, a reader’s is not', async () => {
    const head = (await api.get(n, alice)).head.sha;
    const approve = await api.expect<Review>(200, 'POST', `/pulls/${n}/reviews`, bob, { event: 'APPROVED', body: 'Looks **good**' });
    expect(approve).toMatchObject({ state: 'APPROVED', user: { login: 'bob' }, official: true, stale: false, commit_id: head });
    expect(approve.body_html).toContain('<strong>good</strong>');
    const change = await api.expect<Review>(200, 'POST', `/pulls/${n}/reviews`, carol, { event: 'REQUEST_CHANGES', body: 'Please rename' });
    expect(change).toMatchObject({ state: 'REQUEST_CHANGES', official: false });
    // Gitea's clients also send APPROVE
    expect((await api.expect<Review>(200, 'POST', `/pulls/${n}/reviews`, dave, { event: 'APPROVE', body: '' })).state).toBe('APPROVED');
    const comment = await api.expect<Review>(200, 'POST', `/pulls/${n}/reviews`, erin, { event: 'COMMENT', body: 'Thanks <script>alert(1)</script>' });
    expect(comment.body_html).not.toContain('<script');
    expect((await reviews(undefined)).map((r) => [r.user?.login, r.state])).toEqual([
      ['bob', 'APPROVED'],
      ['carol', 'REQUEST_CHANGES'],
      ['dave', 'APPROVED'],
      ['erin', 'COMMENT'],
    ]);
    const timeline = (await api.entries(n, alice)).filter((e) => e.type === 'review');
    expect(timeline.map((e) => e.data.state)).toEqual(['APPROVED', 'REQUEST_CHANGES', 'APPROVED', 'COMMENT']);
    // a submitted review answers the review request: bob is no longer asked
    expect((await api.get(n, alice)).requested_reviewers).toEqual([]);
    // bob was asked when erin opened it
    const asked = `erin opened alice/rev#${n} and asked you to look at it: Review me`;
    await waitFor(async () => ((await (await s.api('GET', '/api/v1/notifications?all=true', { auth: bob })).json()) as { subject: { title: string } }[]).some((x) => x.subject.title === asked));
  });

  it('refuses the author’s own approval or change request with 422, and empty reviews', async () => {
    const before = await storedReviews();
    expect((await api.expect<{ message: string }>(422, 'POST', `/pulls/${n}/reviews`, erin, { event: 'APPROVED', body: 'mine is great' })).message).toMatch(/your own/);
    await api.expect(422, 'POST', `/pulls/${n}/reviews`, erin, { event: 'REQUEST_CHANGES', body: 'hmm' });
    await api.expect(422, 'POST', `/pulls/${n}/reviews`, bob, { event: 'COMMENT', body: '  ' });
    await api.expect(422, 'POST', `/pulls/${n}/reviews`, bob, { event: 'REQUEST_CHANGES', body: '' });
    await api.expect(422, 'POST', `/pulls/${n}/reviews`, bob, { event: 'MERGE_IT', body: 'x' });
    await api.expect(401, 'POST', `/pulls/${n}/reviews`, undefined, { event: 'COMMENT', body: 'anonymous' });
    await api.expect(422, 'POST', `/pulls/${n}/reviews`, bob, { event: 'COMMENT', body: 'x', commit_id: '0'.repeat(40) });
    expect(await storedReviews()).toBe(before);
  });
});

describe('line comments', () => {
  it('comments on the new side and the old side, and over a range of lines', async () => {
    const added = await lineComment(bob, { path: 'src/app.ts', side: 'RIGHT', line: 5, body: 'why change this?' });
    expect(added).toMatchObject({ path: 'src/app.ts', side: 'RIGHT', line: 5, start_line: null, outdated: false, resolved: false, pull_request_review_id: null });
    expect(added.diff_hunk).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@/);
    expect(added.diff_hunk.split('\n').at(-1)).toBe('+line 5 changed');
    const removed = await lineComment(bob, { path: 'src/app.ts', side: 'LEFT', line: 20, body: 'keep this line' });
    expect(removed).toMatchObject({ side: 'LEFT', line: 20 });
    expect(removed.diff_hunk.split('\n').at(-1)).toBe('-line 20');
    const range = await lineComment(carol, { path: 'src/app.ts', side: 'RIGHT', start_line: 3, line: 5, body: 'these three' });
    expect(range).toMatchObject({ start_line: 3, line: 5 });
    const newFile = await lineComment(carol, { path: 'docs/new.md', line: 2, body: 'typo?' });
    expect(newFile).toMatchObject({ side: 'RIGHT', line: 2 });
    expect(newFile.diff_hunk.split('\n').at(-1)).toBe('+two');
    // and through Gitea's review form: new_position and old_position
    const r = await api.expect<Review>(200, 'POST', `/pulls/${n}/reviews`, dave, {
      event: 'COMMENT',
      body: 'two notes',
      comments: [
        { path: 'src/app.ts', body: 'new side', new_position: 31 },
        { path: 'src/app.ts', body: 'old side', old_position: 20 },
      ],
    });
    expect(r.comments_count).toBe(2);
    const mine = (await api.expect<LineComment[]>(200, 'GET', `/pulls/${n}/reviews/${r.id}/comments`, carol)).map((c) => [c.side, c.line]);
    expect(mine).toEqual([
      ['RIGHT', 31],
      ['LEFT', 20],
    ]);
    expect((await api.get(n, carol)).review_comments).toBe(6);
  });

  it('refuses positions outside the diff with 422 and stores nothing', async () => {
    const before = [await storedComments(), await storedReviews()];
    const bad: Record<string, unknown>[] = [
      { path: 'src/app.ts', side: 'RIGHT', line: 13, body: 'between hunks' },
      { path: 'src/app.ts', side: 'LEFT', line: 999, body: 'past the end' },
      { path: 'src/app.ts', side: 'LEFT', line: 5, body: 'old line 5 is in the hunk', start_line: 6 },
      { path: 'src/app.ts', side: 'RIGHT', line: 19, start_line: 5, body: 'across hunks' },
      { path: 'README.md', side: 'RIGHT', line: 1, body: 'not in the pull request' },
      { path: 'no/such/file', side: 'RIGHT', line: 1, body: 'nowhere' },
      { path: 'src/app.ts', side: 'RIGHT', line: 5, body: '   ' },
      { path: 'src/app.ts', side: 'MIDDLE', line: 5, body: 'no such side' },
      { path: 'src/app.ts', side: 'RIGHT', line: 0, body: 'line zero' },
    ];
    for (const b of bad) expect((await api.call('POST', `/pulls/${n}/comments`, bob, b)).status, JSON.stringify(b)).toBe(422);
    // a review with one good and one bad comment stores neither, nor the review
    const res = await api.call('POST', `/pulls/${n}/reviews`, bob, {
      event: 'COMMENT',
      body: 'mixed',
      comments: [
        { path: 'src/app.ts', body: 'fine', new_position: 5 },
        { path: 'src/app.ts', body: 'outside', new_position: 13 },
      ],
    });
    expect(res.status).toBe(422);
    expect((await api.call('POST', `/pulls/${n}/reviews`, bob, { event: 'PENDING', comments: [{ path: 'src/app.ts', body: 'both', new_position: 5, old_position: 5 }] })).status).toBe(422);
    expect((await api.call('POST', `/pulls/${n}/reviews`, bob, { event: 'PENDING', comments: [{ path: 'src/app.ts', body: 'neither' }] })).status).toBe(422);
    expect([await storedComments(), await storedReviews()]).toEqual(before);
  });

  it('keeps a pending review’s comments to their author until it is submitted', async () => {
    const pending = await api.expect<Review>(200, 'POST', `/pulls/${n}/reviews`, dave, { comments: [{ path: 'src/app.ts', body: 'draft note', new_position: 5 }] });
    expect(pending.state).toBe('PENDING');
    const more = await lineComment(dave, { path: 'docs/new.md', line: 3, body: 'another draft note', pending: true });
    expect(more.pull_request_review_id).toBe(pending.id);
    const count = (await api.get(n, carol)).review_comments;
    for (const who of [carol, bob, undefined]) {
      expect((await reviews(who)).map((r) => r.id)).not.toContain(pending.id);
      expect((await comments(who)).map((c) => c.body)).not.toContain('draft note');
      const tl = await api.timeline(n, who ?? carol);
      expect(JSON.stringify(tl)).not.toContain('draft note');
    }
    expect((await api.call('GET', `/pulls/${n}/reviews/${pending.id}`, carol)).status).toBe(404);
    // nobody else may reply to it, or submit it
    expect((await api.call('POST', `/pulls/${n}/comments`, carol, { in_reply_to: more.id, body: 'peek' })).status).toBe(404);
    expect((await api.call('POST', `/pulls/${n}/reviews/${pending.id}`, bob, { event: 'COMMENT', body: 'not mine' })).status).toBe(404);
    // its author sees it whole
    expect((await reviews(dave)).find((r) => r.id === pending.id)).toMatchObject({ state: 'PENDING', comments_count: 2 });
    expect((await comments(dave)).filter((c) => c.pull_request_review_id === pending.id)).toHaveLength(2);

    const submitted = await api.expect<Review>(200, 'POST', `/pulls/${n}/reviews/${pending.id}`, dave, { event: 'REQUEST_CHANGES', body: 'see the notes' });
    expect(submitted).toMatchObject({ id: pending.id, state: 'REQUEST_CHANGES', comments_count: 2 });
    expect((await comments(carol)).map((c) => c.body)).toEqual(expect.arrayContaining(['draft note', 'another draft note']));
    expect((await api.get(n, carol)).review_comments).toBe(count + 2);
    await api.expect(422, 'POST', `/pulls/${n}/reviews/${pending.id}`, dave, { event: 'COMMENT', body: 'twice' });
  });

  it('deletes a pending review with its comments', async () => {
    const pending = await api.expect<Review>(200, 'POST', `/pulls/${n}/reviews`, carol, { event: 'PENDING', comments: [{ path: 'docs/new.md', body: 'throwaway', new_position: 1 }] });
    await api.expect(204, 'DELETE', `/pulls/${n}/reviews/${pending.id}`, carol);
    expect((await comments(carol)).map((c) => c.body)).not.toContain('throwaway');
    expect(await query(s.data, 'SELECT id FROM pull_line_comments WHERE review_id = ?', pending.id)).toEqual([]);
  });
});

describe('threads', () => {
  let root: LineComment;
  beforeAll(async () => {
    root = await lineComment(bob, { path: 'docs/new.md', line: 1, body: 'Is this the right word?' });
  });

  it('replies in the thread of the comment answered, at its place', async () => {
    const reply = await lineComment(erin, { in_reply_to: root.id, body: 'Yes, <b>it is</b> [x](javascript:alert(1))' });
    expect(reply).toMatchObject({ in_reply_to_id: root.id, path: 'docs/new.md', side: 'RIGHT', line: 1, diff_hunk: root.diff_hunk });
    expect(reply.body_html.toLowerCase()).not.toContain('javascript:');
    // a reply to a reply joins the same thread
    const again = await lineComment(bob, { in_reply_to: reply.id, body: 'OK' });
    expect(again.in_reply_to_id).toBe(root.id);
    await lineComment(bob, { in_reply_to: 999_999, body: 'to nothing' }, 404);
  });

  it('is resolved and reopened by its author, the pull request’s author or a writer; not by a reader', async () => {
    await api.expect(403, 'PUT', `/pulls/${n}/comments/${root.id}/resolve`, carol);
    expect((await comments()).find((c) => c.id === root.id)!.resolved).toBe(false);
    await api.expect(204, 'PUT', `/pulls/${n}/comments/${root.id}/resolve`, erin);
    expect((await comments(carol)).find((c) => c.id === root.id)).toMatchObject({ resolved: true, resolver: { login: 'erin' } });
    await api.expect(204, 'DELETE', `/pulls/${n}/comments/${root.id}/resolve`, bob);
    expect((await comments(carol)).find((c) => c.id === root.id)).toMatchObject({ resolved: false, resolver: null });
    // resolving through a reply resolves the thread
    const reply = (await comments()).find((c) => c.in_reply_to_id === root.id)!;
    await api.expect(204, 'PUT', `/pulls/${n}/comments/${reply.id}/resolve`, dave);
    expect((await comments()).find((c) => c.id === root.id)).toMatchObject({ resolved: true, resolver: { login: 'dave' } });
  });

  it('lets the author edit a comment and a writer delete it with its replies', async () => {
    const c = await lineComment(carol, { path: 'docs/new.md', line: 3, body: 'frist' });
    await lineComment(bob, { in_reply_to: c.id, body: 'first?' });
    await api.expect(403, 'PATCH', `/pulls/${n}/comments/${c.id}`, erin, { body: 'not yours' });
    expect((await api.expect<LineComment>(200, 'PATCH', `/pulls/${n}/comments/${c.id}`, carol, { body: 'first' })).body).toBe('first');
    await api.expect(403, 'DELETE', `/pulls/${n}/comments/${c.id}`, erin);
    await api.expect(204, 'DELETE', `/pulls/${n}/comments/${c.id}`, dave);
    expect((await comments()).filter((x) => x.id === c.id || x.in_reply_to_id === c.id)).toEqual([]);
  });
});

describe('live: review requests and the pull request’s room', () => {
  it('notifies a requested reviewer over socket.io as it happens, and lists the request', async () => {
    const sock = await socketFor(s, dave, sockets);
    const note = nextMatching<{ subject: { title: string; type: string; html_url: string }; repository: { full_name: string } }>(sock, 'notification', (x) =>
      /requested your review/.test(x.subject.title),
    );
    const res = await api.expect<{ user: { login: string }; state: string }[]>(201, 'POST', `/pulls/${n}/requested_reviewers`, erin, { reviewers: ['dave'] });
    expect(res).toMatchObject([{ user: { login: 'dave' }, state: 'REQUEST_REVIEW' }]);
    const got = await note;
    expect(got.subject).toMatchObject({ type: 'Pull', title: `erin requested your review on alice/rev#${n}: Review me` });
    expect(got.repository.full_name).toBe('alice/rev');
    expect((await api.get(n, carol)).requested_reviewers.map((u) => u.login)).toEqual(['dave']);
    expect((await api.entries(n, alice)).at(-1)).toMatchObject({ type: 'review_request', user: { login: 'erin' } });
  });

  it('refuses review requests for nobody, for the author, or by someone who may not ask', async () => {
    await api.expect(422, 'POST', `/pulls/${n}/requested_reviewers`, erin, { reviewers: ['nobody-here'] });
    await api.expect(422, 'POST', `/pulls/${n}/requested_reviewers`, bob, { reviewers: ['erin'] });
    await api.expect(403, 'POST', `/pulls/${n}/requested_reviewers`, carol, { reviewers: ['bob'] });
    // someone who cannot read a private repository cannot be asked to review there
    await createRepo(s, alice, { name: 'hidden', private: true });
    const w = await Work.init(s, 'alice/hidden', alice);
    await w.commit({ 'a.txt': 'a\n' }, 'a');
    await w.checkout('x', 'main');
    await w.commit({ 'b.txt': 'b\n' }, 'b');
    await w.push('main', 'x');
    const hidden = new PullsApi(s, 'alice/hidden');
    const pr = await hidden.open(alice, { head: 'x', base: 'main', title: 'hidden' });
    await hidden.expect(422, 'POST', `/pulls/${pr.number}/requested_reviewers`, alice, { reviewers: ['carol'] });
    await hidden.expect(422, 'POST', '/pulls', alice, { head: 'x', base: 'main', title: 'again', reviewers: ['carol'] });
  });

  it('tells the room about comments, reviews and line comments', async () => {
    const sock = await socketFor(s, carol, sockets);
    await subscribe(sock, 'alice/rev');
    const is = (what: string) => (p: { repo: string; number: number; what: string }) => p.repo === 'alice/rev' && p.number === n && p.what === what;
    let next = nextMatching(sock, 'pull.updated', is('comment'));
    await api.expect(201, 'POST', `/issues/${n}/comments`, bob, { body: 'a conversation comment' });
    await next;
    next = nextMatching(sock, 'pull.updated', is('review'));
    await api.expect(200, 'POST', `/pulls/${n}/reviews`, bob, { event: 'COMMENT', body: 'a review' });
    await next;
    next = nextMatching(sock, 'pull.updated', is('comment'));
    await lineComment(bob, { path: 'docs/new.md', line: 2, body: 'a line comment' });
    await next;
  });

  it('tells participants about a comment with a notification, never the commenter', async () => {
    await outboxIdle(s.data);
    const erinSock = await socketFor(s, erin, sockets);
    const bobSock = await socketFor(s, bob, sockets);
    const bobNotes = collect<{ subject: { title: string } }>(bobSock, 'notification');
    const note = nextMatching<{ subject: { title: string } }>(erinSock, 'notification', (x) => x.subject.title.includes('commented on'));
    await api.expect(201, 'POST', `/issues/${n}/comments`, bob, { body: 'ping the author' });
    expect((await note).subject.title).toBe(`bob commented on alice/rev#${n}: Review me`);
    await outboxIdle(s.data);
    expect(bobNotes.filter((x) => x.subject.title.includes('ping') || x.subject.title.startsWith('bob commented'))).toEqual([]);
  });
});

describe('a push to the head', () => {
  let current: LineComment;
  let changed: LineComment;
  let before: PullJson;
  beforeAll(async () => {
    before = await api.get(n, alice);
    changed = await lineComment(bob, { path: 'src/app.ts', side: 'RIGHT', line: 30, body: 'this added line' });
    current = await lineComment(bob, { path: 'docs/new.md', side: 'RIGHT', line: 3, body: 'this stays' });
    await api.expect(204, 'PUT', `/pulls/${n}/files/viewed`, bob, { path: 'src/app.ts' });
    await api.expect(204, 'PUT', `/pulls/${n}/files/viewed`, bob, { path: 'docs/new.md' });
  });

  it('marks files viewed per person, and refuses a file the pull request does not change', async () => {
    const files = await api.expect<FileJson[]>(200, 'GET', `/pulls/${n}/files`, bob);
    expect(files.map((f) => [f.filename, f.viewed]).sort()).toEqual([
      ['docs/new.md', true],
      ['src/app.ts', true],
    ]);
    expect((await api.expect<FileJson[]>(200, 'GET', `/pulls/${n}/files`, carol)).every((f) => !f.viewed)).toBe(true);
    await api.expect(422, 'PUT', `/pulls/${n}/files/viewed`, bob, { path: 'README.md' });
  });

  it('tells the room, makes comments on changed lines outdated where they were, and un-views the changed file', async () => {
    const sock = await socketFor(s, carol, sockets);
    await subscribe(sock, 'alice/rev');
    const pushed = nextMatching<{ number: number; what: string }>(sock, 'pull.updated', (p) => p.number === n && p.what === 'push');
    await work.checkout('change');
    const tip = await work.commit({ 'src/app.ts': text(CHANGED.map((l) => (l === 'new after 30' ? 'new after 30, reworded' : l))) }, 'reword');
    await work.push('change');
    await pushed;
    await api.settled(n, alice, { head: tip });
    await outboxIdle(s.data);

    const all = await comments(carol);
    const c = all.find((x) => x.id === changed.id)!;
    expect(c).toMatchObject({ outdated: true, line: 30, side: 'RIGHT', commit_id: before.head.sha, diff_hunk: changed.diff_hunk });
    expect(c.diff_hunk.split('\n').at(-1)).toBe('+new after 30');
    expect(all.find((x) => x.id === current.id)).toMatchObject({ outdated: false, line: 3 });
    // older comments on lines the push did not touch stay current too
    expect(all.find((x) => x.body === 'why change this?')).toMatchObject({ outdated: false });

    const files = await api.expect<FileJson[]>(200, 'GET', `/pulls/${n}/files`, bob);
    expect(files.map((f) => [f.filename, f.viewed]).sort()).toEqual([
      ['docs/new.md', true],
      ['src/app.ts', false],
    ]);
    // what happened is on the bus
    const events = new Set(
      (await query<{ type: string; payload: string }>(s.data, "SELECT type, payload FROM events WHERE type LIKE 'pull.%'"))
        .filter((e) => (JSON.parse(e.payload) as { pullId: number }).pullId === before.id)
        .map((e) => e.type),
    );
    expect([...events].sort()).toEqual(['pull.commented', 'pull.opened', 'pull.review_requested', 'pull.reviewed', 'pull.synchronized']);
    // approvals made before the push are stale now (no rule dismisses them: they still show)
    expect((await reviews()).find((r) => r.user?.login === 'bob' && r.state === 'APPROVED')).toMatchObject({ stale: true });
  });

  it('lets a reply join an outdated thread, which stays outdated', async () => {
    const reply = await lineComment(erin, { in_reply_to: changed.id, body: 'reworded it' });
    expect(reply).toMatchObject({ outdated: true, in_reply_to_id: changed.id, line: 30 });
  });
});

// ---- protected-branch rules, each on a lane of its own (a base branch other than main)

const mergeOk = (l: Lane, num: number, body: Record<string, unknown>, who: Who = alice) => merged(l, num, body, who);
const refused = (l: Lane, num: number, body: Record<string, unknown>, status: number, who: Who = alice) => mergeRefused(l, num, body, status, who, alice);

/** A lane whose base is protected by `rule`, with one pull request (opened by alice) into it. */
async function protectedLane(rule: Record<string, unknown>): Promise<{ l: Lane; n: number; head: string }> {
  const l = await lanes.lane();
  // a message of its own: lanes made in the same second would otherwise share the head commit (and its statuses)
  const head = await l.commit('feature', { 'f.txt': 'f\n' }, `feature of ${l.base}`);
  await l.push();
  await api.expect(201, 'POST', '/branch_protections', alice, { rule_name: l.base, ...rule });
  return { l, n: (await l.open('feature', alice)).number, head };
}

const review = (num: number, who: Who, event: string, body = 'review') => api.expect(200, 'POST', `/pulls/${num}/reviews`, who, { event, body });

describe('protected-branch rules', () => {
  it("requires approvals: a writer's approval counts, a reader's does not", async () => {
    const { l, n } = await protectedLane({ required_approvals: 1 });
    expect(await refused(l, n, { Do: 'merge' }, 405)).toMatch(/needs 1 approving review.*it has 0/);
    await review(n, carol, 'APPROVED');
    expect(await refused(l, n, { Do: 'merge' }, 405)).toMatch(/it has 0/);
    await review(n, bob, 'APPROVED');
    await mergeOk(l, n, { Do: 'merge' });
  });

  it('dismisses stale approvals when the head moves, and counts a fresh one', async () => {
    const { l, n } = await protectedLane({ required_approvals: 1, dismiss_stale_approvals: true });
    await review(n, bob, 'APPROVED');
    const next = await l.commit('feature', { 'f.txt': 'f2\n' }, 'after the approval');
    await l.push();
    await api.settled(n, alice, { head: next });
    expect(await refused(l, n, { Do: 'merge' }, 405)).toMatch(/it has 0/);
    expect(await api.expect(200, 'GET', `/pulls/${n}/reviews`, alice)).toMatchObject([{ state: 'APPROVED', stale: true }]);
    await review(n, bob, 'APPROVED');
    await mergeOk(l, n, { Do: 'merge', head_commit_id: next });
  });

  it('keeps an approval across a push when stale approvals are not dismissed, until the rule says so', async () => {
    const { l, n } = await protectedLane({ required_approvals: 1 });
    await review(n, bob, 'APPROVED');
    const next = await l.commit('feature', { 'f.txt': 'f2\n' }, 'after the approval');
    await l.push();
    await api.settled(n, alice, { head: next });
    // switched on after the push: the approval was for an older head, so it no longer counts
    await api.expect(200, 'PATCH', `/branch_protections/${l.base}`, alice, { dismiss_stale_approvals: true });
    expect(await refused(l, n, { Do: 'merge' }, 405)).toMatch(/it has 0/);
    await api.expect(200, 'PATCH', `/branch_protections/${l.base}`, alice, { dismiss_stale_approvals: false });
    await mergeOk(l, n, { Do: 'merge' });
  });

  it("blocks the merge while a writer's change request stands (a reader's doesn't count)", async () => {
    const { l, n } = await protectedLane({ block_on_rejected_reviews: true });
    await review(n, dave, 'REQUEST_CHANGES', 'please fix');
    expect(await refused(l, n, { Do: 'merge' }, 405)).toMatch(/requested changes/);
    await review(n, dave, 'APPROVED', 'fixed');
    await review(n, carol, 'REQUEST_CHANGES', 'I object');
    await mergeOk(l, n, { Do: 'merge' });
  });

  it('blocks the merge on the named commit status until it passes', async () => {
    const { l, n, head } = await protectedLane({ enable_status_check: true, status_check_contexts: ['ci/build'] });
    expect(await refused(l, n, { Do: 'merge' }, 405)).toMatch(/ci\/build.*not reported/);
    await api.expect(201, 'POST', `/statuses/${head}`, bob, { state: 'pending', context: 'ci/build' });
    expect(await refused(l, n, { Do: 'merge' }, 405)).toMatch(/ci\/build.*pending/);
    await api.expect(201, 'POST', `/statuses/${head}`, bob, { state: 'failure', context: 'ci/build' });
    expect(await refused(l, n, { Do: 'merge' }, 405)).toMatch(/ci\/build.*failure/);
    // another context passing doesn't help; the one named must
    await api.expect(201, 'POST', `/statuses/${head}`, bob, { state: 'success', context: 'lint' });
    await refused(l, n, { Do: 'merge' }, 405);
    await api.expect(201, 'POST', `/statuses/${head}`, bob, { state: 'success', context: 'ci/build' });
    await mergeOk(l, n, { Do: 'merge' });
  });

  it('with no contexts named, requires every status of the head to pass', async () => {
    const { l, n, head } = await protectedLane({ enable_status_check: true });
    expect(await refused(l, n, { Do: 'merge' }, 405)).toMatch(/statuses/);
    await api.expect(201, 'POST', `/statuses/${head}`, bob, { state: 'success', context: 'a' });
    await api.expect(201, 'POST', `/statuses/${head}`, bob, { state: 'error', context: 'b' });
    expect(await refused(l, n, { Do: 'merge' }, 405)).toMatch(/"b" is error/);
    await api.expect(201, 'POST', `/statuses/${head}`, bob, { state: 'success', context: 'b' });
    await mergeOk(l, n, { Do: 'merge' });
  });

  it('lets only the listed users merge: 403 for everyone else, the owner too', async () => {
    const { l, n } = await protectedLane({ enable_merge_whitelist: true, merge_whitelist_usernames: ['dave'] });
    expect(await refused(l, n, { Do: 'merge' }, 403, alice)).toMatch(/only dave/);
    await refused(l, n, { Do: 'merge' }, 403, bob);
    await refused(l, n, { Do: 'merge' }, 403, carol);
    await mergeOk(l, n, { Do: 'merge' }, dave);
  });
});
