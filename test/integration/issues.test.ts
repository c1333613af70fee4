// Issues against the real server, git and SQLite: Gitea's issue, label, milestone and reaction
// API with its bad input refused (nothing written), the one number sequence with pull requests,
// filters and FTS5 search, confidential issues invisible to non-members in lists, search,
// comments and mentions, exclusive label scopes, pins and locks, issue templates from the default
// branch, `#N` references, and pushed `fixes #N` commits closing an issue once on the default
// branch only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, waitFor } from '../fixtures/rig.js';
import { startInProcess, type InProcessServer } from './in-process.js';
import { outboxIdle, query } from './outbox-probe.js';
import { PullsApi, Work, type Who } from './pull-rig.js';

const alice: Who = ['alice', 'alice-pass-123'];
const bob: Who = ['bob', 'bob-pass-1234'];
const carol: Who = ['carol', 'carol-pass-123'];
const dave: Who = ['dave', 'dave-pass-123'];

interface IssueJson {
  id: number;
  number: number;
  title: string;
  body: string;
  body_html: string;
  state: string;
  labels: { id: number; name: string }[];
  milestone: { id: number; title: string; open_issues: number; closed_issues: number } | null;
  assignees: { login: string }[];
  confidential: boolean;
  is_locked: boolean;
  pin_order: number;
  pull_request: unknown;
}

let s: InProcessServer;
let api: PullsApi;
let work: Work;

const titles = (list: IssueJson[]) => list.map((i) => i.title).sort();
const notificationsOf = async (who: Who) => (await (await s.api('GET', '/api/v1/notifications?all=true', { auth: who })).json()) as { subject: { title: string }; reason?: string }[];
const countRows = async (table: string) => (await query<{ n: number }>(s.data, `SELECT count(*) AS n FROM ${table}`))[0]!.n;

beforeAll(async () => {
  s = await startInProcess();
  await createUser(s, 'alice', alice[1], { admin: true });
  for (const [name, pass] of [bob, carol, dave]) await createUser(s, name, pass, { via: alice });
  await createRepo(s, alice, { name: 'proj' });
  // bob writes, carol reads (collaborators); dave is a stranger to the private repository
  await createRepo(s, alice, { name: 'secret', private: true });
  api = new PullsApi(s, 'alice/proj');
  for (const [repo, user, permission] of [
    ['proj', 'bob', 'write'],
    ['secret', 'bob', 'write'],
    ['secret', 'carol', 'read'],
  ] as const) {
    const r = await s.api('PUT', `/api/v1/repos/alice/${repo}/collaborators/${user}`, { auth: alice, json: { permission } });
    expect(r.status, await r.text()).toBe(204);
  }
  work = await Work.init(s, 'alice/proj', alice);
  await work.commit({ 'README.md': '# Proj\n', '.gitea/ISSUE_TEMPLATE/bug.md': '---\nname: Bug report\nabout: Something is broken\ntitle: "[bug] "\nlabels: [bug]\n---\n## Steps\n' }, 'initial');
  await work.push('main');
}, 60_000);
afterAll(async () => s?.stop());

describe('issues, labels and milestones', () => {
  let bug: number;
  let high: number;
  let low: number;

  it('creates labels and refuses bad colors and names, writing nothing', async () => {
    bug = (await api.expect<{ id: number; color: string }>(201, 'POST', '/labels', alice, { name: 'bug', color: '#EE0701' })).id;
    const got = await api.expect<{ color: string }>(200, 'GET', `/labels/${bug}`, undefined);
    expect(got.color).toBe('ee0701');
    high = (await api.expect<{ id: number }>(201, 'POST', '/labels', alice, { name: 'priority/high', color: 'f00', exclusive: true })).id;
    low = (await api.expect<{ id: number }>(201, 'POST', '/labels', alice, { name: 'priority/low', color: '#00ff00', exclusive: true })).id;
    const before = await countRows('labels');
    await api.expect(422, 'POST', '/labels', alice, { name: 'x', color: 'red' });
    await api.expect(422, 'POST', '/labels', alice, { name: 'x', color: '#12345g' });
    await api.expect(422, 'POST', '/labels', alice, { name: '  ', color: '#123456' });
    await api.expect(409, 'POST', '/labels', alice, { name: 'BUG', color: '#123456' });
    await api.expect(403, 'POST', '/labels', carol, { name: 'x', color: '#123456' });
    expect(await countRows('labels')).toBe(before);
  });

  it('opens an issue with labels, a milestone and an assignee; refuses bad input without writing', async () => {
    const ms = await api.expect<{ id: number; due_on: string }>(201, 'POST', '/milestones', alice, { title: 'v1', due_on: '2027-01-31' });
    expect(ms.due_on).toBe('2027-01-31T00:00:00.000Z');
    const before = { issues: await countRows('issues'), ms: await countRows('milestones') };
    await api.expect(422, 'POST', '/milestones', alice, { title: 'v2', due_on: 'next tuesday' });
    await api.expect(422, 'POST', '/milestones', alice, { title: 'v2', due_on: '2027-02-30x' });
    await api.expect(422, 'POST', '/issues', alice, { title: 'a'.repeat(10_000) });
    await api.expect(422, 'POST', '/issues', alice, { title: '   ' });
    await api.expect(422, 'POST', '/issues', alice, { title: 'ok', labels: Array.from({ length: 500 }, (_, i) => i + 1) });
    await api.expect(422, 'POST', '/issues', alice, { title: 'ok', labels: [99999] });
    await api.expect(422, 'POST', '/issues', alice, { title: 'ok', assignees: ['nobody-here'] });
    await api.expect(422, 'POST', '/issues', alice, { title: 'ok', milestone: 99999 });
    expect({ issues: await countRows('issues'), ms: await countRows('milestones') }).toEqual(before);
  });

  it('shares one number sequence with pull requests and filters by type, label, milestone, assignee and text', async () => {
    const ms = (await api.expect<{ id: number }[]>(200, 'GET', '/milestones', undefined))[0]!;
    const a = await api.expect<IssueJson>(201, 'POST', '/issues', alice, {
      title: 'Crash on start',
      body: 'The **parser** explodes',
      labels: [bug, 'priority/high'],
      milestone: ms.id,
      assignees: ['bob'],
    });
    expect(a.labels.map((l) => l.name).sort()).toEqual(['bug', 'priority/high']);
    expect(a.milestone?.title).toBe('v1');
    expect(a.assignees.map((u) => u.login)).toEqual(['bob']);
    expect(a.body_html).toContain('<strong>parser</strong>');
    await work.checkout('side', 'main');
    await work.commit({ 'side.txt': 'x\n' }, 'side');
    await work.push('side');
    await work.checkout('main');
    // a pull request takes labels and a milestone too (Gitea's CreatePullRequestOption)
    const pr = (await api.open(alice, { title: 'Side work', head: 'side', base: 'main', labels: [bug], milestone: ms.id })) as unknown as IssueJson;
    expect(pr.number).toBe(a.number + 1);
    expect(pr.labels.map((l) => l.name)).toEqual(['bug']);
    expect(pr.milestone?.title).toBe('v1');
    const b = await api.expect<IssueJson>(201, 'POST', '/issues', carol, { title: 'Docs are thin', body: 'more words about tokenizers please', labels: [bug], assignees: ['bob'] });
    expect(b.number).toBe(pr.number + 1);
    // a reader's labels and assignees are left out, as in Gitea
    expect(b.labels).toEqual([]);
    expect(b.assignees).toEqual([]);

    expect(titles(await api.expect<IssueJson[]>(200, 'GET', '/issues?type=issues', undefined))).toEqual(['Crash on start', 'Docs are thin']);
    expect(titles(await api.expect<IssueJson[]>(200, 'GET', '/issues?type=pulls', undefined))).toEqual(['Side work']);
    expect(titles(await api.expect<IssueJson[]>(200, 'GET', '/issues?type=issues&labels=bug', undefined))).toEqual(['Crash on start']);
    expect(titles(await api.expect<IssueJson[]>(200, 'GET', '/issues?milestones=v1', undefined))).toEqual(['Crash on start', 'Side work']);
    expect(titles(await api.expect<IssueJson[]>(200, 'GET', '/issues?milestones=v1&type=issues', undefined))).toEqual(['Crash on start']);
    expect(titles(await api.expect<IssueJson[]>(200, 'GET', '/issues?assigned_by=bob', undefined))).toEqual(['Crash on start']);
    expect(titles(await api.expect<IssueJson[]>(200, 'GET', '/issues?created_by=carol', undefined))).toEqual(['Docs are thin']);
    // free text: title, body (prefixes), and comments
    expect(titles(await api.expect<IssueJson[]>(200, 'GET', '/issues?q=pars', undefined))).toEqual(['Crash on start']);
    expect(titles(await api.expect<IssueJson[]>(200, 'GET', '/issues?q=tokenizer', undefined))).toEqual(['Docs are thin']);
    await api.expect(201, 'POST', `/issues/${a.number}/comments`, bob, { body: 'It is the frobnicator again' });
    expect(titles(await api.expect<IssueJson[]>(200, 'GET', '/issues?q=frobnicator', undefined))).toEqual(['Crash on start']);
    expect(titles(await api.expect<IssueJson[]>(200, 'GET', `/issues?q=%23${b.number}`, undefined))).toEqual(['Docs are thin']);
    expect(await api.expect<IssueJson[]>(200, 'GET', '/issues?q=%22%20OR%20*', undefined)).toEqual([]);

    const counted = await api.expect<{ open_issues: number; closed_issues: number }>(200, 'GET', `/milestones/${ms.id}`, undefined);
    expect(counted).toMatchObject({ open_issues: 2, closed_issues: 0 });
  });

  it("an organization's labels serve all its repositories; only its members change them", async () => {
    expect((await s.api('POST', '/api/v1/orgs', { auth: alice, json: { username: 'acme' } })).status).toBe(201);
    await createRepo(s, alice, { name: 'tool' }, 'acme');
    const org = await s.api('POST', '/api/v1/orgs/acme/labels', { auth: alice, json: { name: 'team/backend', color: '#123abc', exclusive: true } });
    expect(org.status).toBe(201);
    const label = (await org.json()) as { id: number };
    expect((await s.api('POST', '/api/v1/orgs/acme/labels', { auth: carol, json: { name: 'x', color: '#123abc' } })).status).toBe(403);
    const tool = new PullsApi(s, 'acme/tool');
    const i = await tool.expect<IssueJson>(201, 'POST', '/issues', alice, { title: 'Org labelled', labels: [label.id] });
    expect(i.labels.map((l) => l.name)).toEqual(['team/backend']);
    expect(titles(await tool.expect<IssueJson[]>(200, 'GET', '/issues?labels=team/backend', undefined))).toEqual(['Org labelled']);
    // another owner's repository can't use it
    await api.expect(422, 'POST', '/issues', alice, { title: 'Not here', labels: [label.id] });
  });

  it('lists the users who can be assigned', async () => {
    const people = await api.expect<{ login: string }[]>(200, 'GET', '/assignees', carol);
    expect(people.map((u) => u.login)).toEqual(['alice', 'bob']);
  });

  it('keeps one label per exclusive scope', async () => {
    const i = await api.expect<IssueJson>(201, 'POST', '/issues', alice, { title: 'Scoped', labels: [high] });
    const labels = await api.expect<{ name: string }[]>(200, 'POST', `/issues/${i.number}/labels`, alice, { labels: [low, bug] });
    expect(labels.map((l) => l.name).sort()).toEqual(['bug', 'priority/low']);
    await api.expect(422, 'POST', `/issues/${i.number}/labels`, alice, { labels: Array.from({ length: 500 }, () => bug + 1000) });
    await api.expect(403, 'POST', `/issues/${i.number}/labels`, carol, { labels: [bug] });
  });

  it('edits, closes and reopens, with timeline entries; the author may edit, a reader may not edit others', async () => {
    const i = await api.expect<IssueJson>(201, 'POST', '/issues', carol, { title: 'Typo', body: 'teh' });
    await api.expect(201, 'PATCH', `/issues/${i.number}`, carol, { body: 'the' });
    await api.expect(403, 'PATCH', `/issues/${i.number}`, carol, { assignees: ['bob'] });
    await api.expect(403, 'PATCH', `/issues/${i.number}`, dave, { title: 'mine now' });
    await api.expect(422, 'PATCH', `/issues/${i.number}`, carol, { title: 'x'.repeat(10_000) });
    const closed = await api.expect<IssueJson>(201, 'PATCH', `/issues/${i.number}`, carol, { state: 'closed', title: 'Fix a typo' });
    expect(closed).toMatchObject({ state: 'closed', title: 'Fix a typo', body: 'the' });
    await api.expect(201, 'PATCH', `/issues/${i.number}`, bob, { state: 'open' });
    const tl = await api.expect<{ entries: { type: string }[] }>(200, 'GET', `/issues/${i.number}/timeline`, carol);
    expect(tl.entries.map((e) => e.type)).toEqual(['title', 'close', 'reopen']);
  });

  it('reactions: the allowed set only, once per user and content', async () => {
    const i = await api.expect<IssueJson>(201, 'POST', '/issues', alice, { title: 'React to me' });
    await api.expect(201, 'POST', `/issues/${i.number}/reactions`, bob, { content: '+1' });
    await api.expect(200, 'POST', `/issues/${i.number}/reactions`, bob, { content: '+1' });
    await api.expect(201, 'POST', `/issues/${i.number}/reactions`, carol, { content: 'heart' });
    const before = await countRows('reactions');
    await api.expect(422, 'POST', `/issues/${i.number}/reactions`, bob, { content: 'poop' });
    expect(await countRows('reactions')).toBe(before);
    const list = await api.expect<{ content: string; user: { login: string } }[]>(200, 'GET', `/issues/${i.number}/reactions`, undefined);
    expect(list.map((r) => `${r.user.login}:${r.content}`)).toEqual(['bob:+1', 'carol:heart']);
    await api.expect(200, 'DELETE', `/issues/${i.number}/reactions`, bob, { content: '+1' });
    expect((await api.expect<unknown[]>(200, 'GET', `/issues/${i.number}/reactions`, undefined)).length).toBe(1);
    const c = await api.expect<{ id: number }>(201, 'POST', `/issues/${i.number}/comments`, alice, { body: 'a comment' });
    await api.expect(201, 'POST', `/issues/comments/${c.id}/reactions`, bob, { content: 'rocket' });
    expect(await api.expect<{ content: string }[]>(200, 'GET', `/issues/comments/${c.id}/reactions`, undefined)).toMatchObject([{ content: 'rocket' }]);
  });

  it('pins and locks: writers only; a locked conversation takes comments from writers only', async () => {
    const i = await api.expect<IssueJson>(201, 'POST', '/issues', carol, { title: 'Pin me' });
    await api.expect(403, 'POST', `/issues/${i.number}/pin`, carol);
    await api.expect(204, 'POST', `/issues/${i.number}/pin`, bob);
    expect(titles(await api.expect<IssueJson[]>(200, 'GET', '/issues/pinned', undefined))).toEqual(['Pin me']);
    await api.expect(204, 'DELETE', `/issues/${i.number}/pin`, bob);
    expect(await api.expect<IssueJson[]>(200, 'GET', '/issues/pinned', undefined)).toEqual([]);
    await api.expect(204, 'PUT', `/issues/${i.number}/lock`, bob, { lock_reason: 'heated' });
    expect((await api.expect<IssueJson>(200, 'GET', `/issues/${i.number}`, undefined)).is_locked).toBe(true);
    await api.expect(403, 'POST', `/issues/${i.number}/comments`, carol, { body: 'me too' });
    await api.expect(201, 'POST', `/issues/${i.number}/comments`, bob, { body: 'calm down' });
    await api.expect(204, 'DELETE', `/issues/${i.number}/lock`, bob);
    await api.expect(201, 'POST', `/issues/${i.number}/comments`, carol, { body: 'thanks' });
  });

  it('serves issue templates from the default branch', async () => {
    const t = await api.expect<{ name: string; title: string; about: string; labels: string[]; content: string; file_name: string }[]>(200, 'GET', '/issue_templates', undefined);
    expect(t).toEqual([{ name: 'Bug report', title: '[bug] ', about: 'Something is broken', labels: ['bug'], assignees: [], ref: '', content: '## Steps\n', file_name: 'bug.md' }]);
  });
});

describe('confidential issues', () => {
  const secret = () => new PullsApi(s, 'alice/secret');
  let conf: IssueJson;

  it('are seen by their author, assignees and writers only — in lists, search, comments and mentions', async () => {
    const p = secret();
    await p.expect(201, 'POST', '/issues', carol, { title: 'Open for all members', body: 'plain' });
    // carol (a reader) opens a confidential issue; bob writes; dave cannot read the repo at all
    conf = await p.expect<IssueJson>(201, 'POST', '/issues', carol, { title: 'Password in logs', body: 'hush hush', confidential: true });
    expect(conf.confidential).toBe(true);
    const other = await p.expect<IssueJson>(201, 'POST', '/issues', alice, { title: 'Another secret', body: 'hush', confidential: true });
    // carol sees hers, not alice's; bob sees both; dave sees nothing
    expect(titles(await p.expect<IssueJson[]>(200, 'GET', '/issues', carol))).toEqual(['Open for all members', 'Password in logs']);
    expect(titles(await p.expect<IssueJson[]>(200, 'GET', '/issues', bob))).toEqual(['Another secret', 'Open for all members', 'Password in logs']);
    await p.expect(404, 'GET', '/issues', dave);
    await p.expect(404, 'GET', `/issues/${other.number}`, carol);
    await p.expect(404, 'GET', `/issues/${other.number}/comments`, carol);
    await p.expect(404, 'POST', `/issues/${other.number}/comments`, carol, { body: 'peek' });
    await p.expect(404, 'POST', `/issues/${other.number}/reactions`, carol, { content: '+1' });
    // the global search
    const search = async (who: Who, q: string) => titles((await (await s.api('GET', `/api/v1/repos/issues/search?q=${q}&state=all`, { auth: who })).json()) as IssueJson[]);
    expect(await search(carol, 'hush')).toEqual(['Password in logs']);
    expect(await search(bob, 'hush')).toEqual(['Another secret', 'Password in logs']);
    expect(await search(dave, 'hush')).toEqual([]);
    // a reader assigned to alice's confidential issue sees it from then on
    await p.expect(201, 'PATCH', `/issues/${other.number}`, alice, { assignees: ['carol'] });
    expect((await p.expect<IssueJson>(200, 'GET', `/issues/${other.number}`, carol)).title).toBe('Another secret');
  });

  it("count in the repository's open_issues_count only for those who see them all", async () => {
    const count = async (who: Who) => (await (await s.api('GET', '/api/v1/repos/alice/secret', { auth: who })).json()) as { open_issues_count: number; open_pr_counter: number };
    expect(await count(bob)).toMatchObject({ open_issues_count: 3, open_pr_counter: 0 });
    expect(await count(carol)).toMatchObject({ open_issues_count: 1, open_pr_counter: 0 });
  });

  it('a mention never leaks a confidential issue', async () => {
    const p = secret();
    // eve reads the repository but is neither author, assignee nor writer
    await createUser(s, 'eve', 'eve-pass-1234', { via: alice });
    const eve: Who = ['eve', 'eve-pass-1234'];
    await s.api('PUT', '/api/v1/repos/alice/secret/collaborators/eve', { auth: alice, json: { permission: 'read' } });
    await p.expect(201, 'POST', `/issues/${conf.number}/comments`, bob, { body: '@eve @dave @carol have a look' });
    await waitFor(async () => (await notificationsOf(carol)).some((n) => n.subject.title.includes('mentioned you')));
    await outboxIdle(s.data);
    expect((await notificationsOf(eve)).filter((n) => n.subject.title.includes('Password'))).toEqual([]);
    expect((await notificationsOf(dave)).filter((n) => n.subject.title.includes('Password'))).toEqual([]);
    expect(await (await s.api('GET', `/api/v1/repos/issues/search?q=Password`, { auth: eve })).json()).toEqual([]);
  });
});

describe('references, mentions and closing keywords', () => {
  it('#N in a comment adds a "referenced" entry on the target; @user notifies', async () => {
    const target = await api.expect<IssueJson>(201, 'POST', '/issues', alice, { title: 'Target' });
    const source = await api.expect<IssueJson>(201, 'POST', '/issues', bob, { title: 'Source' });
    const c = await api.expect<{ body_html: string }>(201, 'POST', `/issues/${source.number}/comments`, bob, { body: `Related to #${target.number}, cc @carol` });
    expect(c.body_html).toBe(`<p>Related to <a href="/alice/proj/issues/${target.number}">#${target.number}</a>, cc <a href="/carol">@carol</a></p>`);
    const refs = await waitFor(async () => {
      const tl = await api.expect<{ entries: { type: string; data: { index?: number } }[] }>(200, 'GET', `/issues/${target.number}/timeline`, alice);
      const r = tl.entries.filter((e) => e.type === 'ref');
      return r.length ? r : null;
    });
    expect(refs[0]!.data.index).toBe(source.number);
    await waitFor(async () => (await notificationsOf(carol)).some((n) => n.subject.title === `bob mentioned you in alice/proj#${source.number}: Source`));
    // "mentioning me" filter
    expect(titles(await api.expect<IssueJson[]>(200, 'GET', '/issues?mentioned_by=carol', undefined))).toContain('Source');
  });

  it('a pushed "fixes #N" closes the issue once it lands on the default branch, exactly once', async () => {
    const i = await api.expect<IssueJson>(201, 'POST', '/issues', bob, { title: 'Closed by a commit' });
    await work.checkout('topic', 'main');
    const sha = await work.commit({ 'fix.txt': 'fixed\n' }, `Handle it, fixes #${i.number}`);
    await work.push('topic');
    await outboxIdle(s.data);
    // a side branch only references it
    const onTopic = await api.expect<IssueJson>(200, 'GET', `/issues/${i.number}`, undefined);
    expect(onTopic.state).toBe('open');
    await work.checkout('main');
    await work.push(`${sha}:refs/heads/main`);
    await waitFor(async () => (await api.expect<IssueJson>(200, 'GET', `/issues/${i.number}`, undefined)).state === 'closed');
    // pushing the same commit again (another branch) never closes or references it twice
    await api.expect(201, 'PATCH', `/issues/${i.number}`, bob, { state: 'open' });
    await work.push(`${sha}:refs/heads/again`);
    await outboxIdle(s.data);
    const tl = await api.expect<{ entries: { type: string; data: { sha?: string; commit?: string } }[] }>(200, 'GET', `/issues/${i.number}/timeline`, bob);
    expect(tl.entries.map((e) => e.type)).toEqual(['commit_ref', 'close', 'reopen']);
    expect(tl.entries[1]!.data.commit).toBe(sha);
    expect((await api.expect<IssueJson>(200, 'GET', `/issues/${i.number}`, undefined)).state).toBe('open');
    // its author hears who closed it and with what
    expect((await notificationsOf(bob)).map((n) => n.subject.title)).toContain(`alice closed (with commit ${sha.slice(0, 10)}) alice/proj#${i.number}: Closed by a commit`);
  });

  it('the API answers 404 for issues of a private repository to non-members', async () => {
    const p = new PullsApi(s, 'alice/secret');
    await p.expect(404, 'GET', '/issues/1', dave);
    await p.expect(404, 'GET', '/labels', dave);
    await p.expect(404, 'GET', '/milestones', dave);
  });
});
