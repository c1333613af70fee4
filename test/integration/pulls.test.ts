// Pull requests against the real server, git and SQLite: opening one (Gitea's shape, bad input
// refused), the number sequence shared with issues, refs/pull/<n>/head fetchable and following
// every push to the head, the .diff/.patch, commits, files and compare endpoints, a head in a
// repository the viewer can't read (404, and a private fork's name and other refs never shown to
// a reader of the base), the comment API with its sanitized body_html, and the timeline's push,
// force-push, close, reopen and title entries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, git, gitOk, startServer, waitFor, type TestServer } from '../fixtures/rig.js';
import { outboxIdle, query } from './outbox-probe.js';
import { PullsApi, remoteRef, remoteRefs, Work, type PullJson, type TimelineEntry, type Who } from './pull-rig.js';

const alice: Who = ['alice', 'alice-pass-123'];
const bob: Who = ['bob', 'bob-pass-1234'];
const carol: Who = ['carol', 'carol-pass-123'];
const dave: Who = ['dave', 'dave-pass-123'];

let s: TestServer;
let api: PullsApi;
let work: Work;
let mainSha: string;

beforeAll(async () => {
  s = await startServer();
  await createUser(s, 'alice', alice[1], { admin: true });
  for (const [name, pass] of [bob, carol, dave]) await createUser(s, name, pass, { via: alice });
  await createRepo(s, alice, { name: 'proj' });
  work = await Work.init(s, 'alice/proj', alice);
  await work.commit({ 'README.md': '# Proj\n\nHello.\n', 'src/index.ts': 'export const a = 1;\nexport const b = 2;\nexport const c = 3;\n' }, 'initial');
  mainSha = await work.commit({ 'docs/guide.md': 'Guide\n' }, 'docs');
  await work.push('main');
  // feature: two commits, one adding a file and one editing another
  await work.checkout('feature', 'main');
  await work.commit({ 'feature.txt': 'feature\n' }, 'add feature');
  await work.commit({ 'src/index.ts': 'export const a = 1;\nexport const b = 20;\nexport const c = 3;\n' }, 'change b');
  await work.push('feature');
  await work.checkout('main');
  api = new PullsApi(s, 'alice/proj');
});
afterAll(async () => s?.stop());

const kinds = (entries: TimelineEntry[]) => entries.map((e) => e.type);

/** Waits until refs/pull/<n>/head and the pull request's head.sha are both `sha`. */
async function headAt(n: number, sha: string, who: Who = alice): Promise<void> {
  await waitFor(async () => (await remoteRef(s, 'alice/proj', `refs/pull/${n}/head`, who)) === sha && (await api.get(n, who)).head.sha === sha);
}

describe('opening a pull request', () => {
  let pr: PullJson;

  it("answers 201 with Gitea's PullRequest and computes mergeability", async () => {
    const featureSha = await work.rev('feature');
    pr = await api.open(alice, { head: 'feature', base: 'main', title: '  Add the feature  ', body: 'please **review**' });
    expect(pr.number).toBeGreaterThanOrEqual(1);
    expect(pr).toMatchObject({
      state: 'open',
      title: 'Add the feature',
      body: 'please **review**',
      draft: false,
      merged: false,
      merge_commit_sha: null,
      user: { login: 'alice' },
      head: { ref: 'feature', label: 'feature', sha: featureSha, repo: { full_name: 'alice/proj' } },
      base: { ref: 'main', label: 'main', repo: { full_name: 'alice/proj' } },
      merge_base: mainSha,
      additions: 2,
      deletions: 1,
      changed_files: 2,
    });
    expect(pr.body_html).toContain('<strong>review</strong>');
    expect(pr.html_url).toBe(`${s.url}/alice/proj/pulls/${pr.number}`);
    // diff_url and patch_url serve what they name, to a script as to a browser
    const diff = await fetch(pr.diff_url);
    expect(diff.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await diff.text()).toMatch(/^diff --git a\/feature\.txt b\/feature\.txt$/m);
    expect(await (await fetch(pr.patch_url)).text()).toMatch(/^Subject: \[PATCH 1\/2\] add feature$/m);
    const settled = await api.settled(pr.number, alice);
    expect(settled).toMatchObject({ mergeable: true, mergeable_state: 'mergeable', conflicted_files: [], base: { sha: mainSha } });
  });

  it('lists it among the open pull requests, and not among the closed ones', async () => {
    const res = await api.call('GET', '/pulls', undefined);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-total-count')).toBe('1');
    expect(((await res.json()) as PullJson[]).map((p) => p.number)).toEqual([pr.number]);
    expect(await api.expect<PullJson[]>(200, 'GET', '/pulls?state=closed', carol)).toEqual([]);
    expect((await api.get(pr.number, undefined)).number).toBe(pr.number);
    // and counts it in the repository's JSON, apart from issues
    expect(await (await s.api('GET', '/api/v1/repos/alice/proj')).json()).toMatchObject({ open_pr_counter: 1, open_issues_count: 0 });
  });

  it('refuses a second open pull request for the same head and base with 409', async () => {
    const res = await api.call('POST', '/pulls', alice, { head: 'feature', base: 'main', title: 'again' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { message: string }).message).toContain(`#${pr.number}`);
  });

  it('refuses bad input with nothing stored', async () => {
    const before = (await query<{ n: number }>(s.data, 'SELECT count(*) AS n FROM pull_requests'))[0]!.n;
    const cases: [number, Record<string, unknown>, Who | undefined][] = [
      [422, { head: 'main', base: 'main', title: 'same branch' }, alice],
      [422, { head: 'feature', base: 'main', title: '   ' }, alice],
      [422, { head: '--upload-pack=x', base: 'main', title: 'option as a branch' }, alice],
      [422, { head: 'feature', base: 'a..b', title: 'bad base name' }, alice],
      [404, { head: 'no-such-branch', base: 'main', title: 'missing head' }, alice],
      [404, { head: 'feature', base: 'no-such-base', title: 'missing base' }, alice],
      [422, { head: 'feature', base: 'main', title: 'x', labels: [1] }, alice],
      [422, { head: 'feature', base: 'main', title: 'x', reviewers: ['nobody-here'] }, alice],
      [422, { head: 'feature', base: 'main', title: 'x', reviewers: ['alice'] }, alice],
      [422, { head: 'feature', base: 'main', title: 'x', unknown_field: 1 }, alice],
      [401, { head: 'feature', base: 'main', title: 'anonymous' }, undefined],
    ];
    for (const [status, body, who] of cases) {
      const res = await api.call('POST', '/pulls', who, body);
      expect(res.status, `${JSON.stringify(body)}: ${await res.text()}`).toBe(status);
    }
    // a head whose commits are all in the base already
    await work.checkout('old', 'main~1');
    await work.push('old');
    const res = await api.call('POST', '/pulls', alice, { head: 'old', base: 'main', title: 'nothing new' });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { message: string }).message).toMatch(/no changes/);
    await work.checkout('main');
    expect((await query<{ n: number }>(s.data, 'SELECT count(*) AS n FROM pull_requests'))[0]!.n).toBe(before);
    expect((await query<{ n: number }>(s.data, 'SELECT count(*) AS n FROM issues'))[0]!.n).toBe(before);
  });

  it('takes its number from the sequence it shares with issues, per repository', async () => {
    const row = (await query<{ index: number; is_pull: number }>(s.data, 'SELECT i."index", i.is_pull FROM issues i JOIN pull_requests p ON p.issue_id = i.id WHERE p.id = ?', pr.id))[0]!;
    expect(row).toEqual({ index: pr.number, is_pull: 1 });
    // an issue takes the next number
    expect((await api.expect<{ number: number }>(201, 'POST', '/issues', alice, { title: 'an issue' })).number).toBe(pr.number + 1);
    await work.checkout('second', 'main');
    await work.commit({ 'second.txt': '2\n' }, 'second');
    await work.push('second');
    await work.checkout('main');
    const second = await api.open(alice, { head: 'second', base: 'main', title: 'Second' });
    expect(second.number).toBe(pr.number + 2);
    // its conversation is reachable by the same number through the issue comment API
    await api.expect(201, 'POST', `/issues/${second.number}/comments`, carol, { body: 'same number' });
    await api.expect(404, 'GET', `/pulls/${pr.number + 1}`, alice);
    // another repository counts from 1
    await createRepo(s, bob, { name: 'other' });
    const other = await Work.init(s, 'bob/other', bob);
    await other.commit({ 'a.txt': 'a\n' }, 'a');
    await other.push('main');
    await other.checkout('b', 'main');
    await other.commit({ 'b.txt': 'b\n' }, 'b');
    await other.push('b');
    expect((await new PullsApi(s, 'bob/other').open(bob, { head: 'b', base: 'main', title: 'first there' })).number).toBe(1);
  });
});

describe('opening the same pull request twice at once (a double click)', () => {
  it('opens one and answers 409 to the other, leaving no gap in the numbers', async () => {
    await work.checkout('twice', 'main');
    await work.commit({ 'twice.txt': '2\n' }, 'twice');
    await work.push('twice');
    await work.checkout('main');
    const before = (await query<{ n: number }>(s.data, 'SELECT max("index") AS n FROM issues WHERE repo_id = (SELECT id FROM repositories WHERE lower_name = ?)', 'proj'))[0]!.n;
    const both = await Promise.all([0, 1, 2].map(() => api.call('POST', '/pulls', alice, { head: 'twice', base: 'main', title: 'Twice' })));
    expect(both.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const opened = (await both.find((r) => r.status === 201)!.json()) as PullJson;
    expect(opened.number).toBe(before + 1);
    await api.expect(201, 'PATCH', `/pulls/${opened.number}`, alice, { state: 'closed' });
  });
});

describe('refs/pull/<n>/head', () => {
  let n: number;
  let reader: Work;
  beforeAll(async () => {
    n = (await api.expect<PullJson[]>(200, 'GET', '/pulls?sort=oldest', alice))[0]!.number;
    reader = await Work.clone(s, 'alice/proj', carol);
  });

  it('is advertised and fetchable with `git fetch origin pull/<n>/head`', async () => {
    const tip = await work.rev('feature');
    expect(await remoteRef(s, 'alice/proj', `refs/pull/${n}/head`)).toBe(tip);
    await reader.fetch(`pull/${n}/head`);
    expect(await reader.rev('FETCH_HEAD')).toBe(tip);
  });

  it('follows every push to the head, and the timeline records each push', async () => {
    await work.checkout('feature');
    const one = await work.commit({ 'feature.txt': 'feature\nmore\n' }, 'more feature');
    await work.push('feature');
    await headAt(n, one);
    const two = await work.commit({ 'feature.txt': 'feature\nmore\nand more\n' }, 'and more');
    await work.push('feature');
    await headAt(n, two);
    await reader.fetch(`pull/${n}/head`);
    expect(await reader.rev('FETCH_HEAD')).toBe(two);
    const pr = await api.get(n, carol);
    expect(pr.head.sha).toBe(two);
    const pushes = (await api.entries(n, carol)).filter((e) => e.type === 'push');
    expect(pushes.map((e) => (e.data.commits as { sha: string }[]).map((c) => c.sha))).toEqual([[one], [two]]);
    expect(pushes[0]!.user?.login).toBe('alice');
    expect(pushes[1]!.data).toMatchObject({ old: one, new: two });
  });

  it('records a force-push as one, and the ref follows it', async () => {
    const before = await work.rev('feature');
    await work.git(['reset', '-q', '--hard', 'HEAD~1']);
    const forced = await work.commit({ 'feature.txt': 'feature\nrewritten\n' }, 'rewritten');
    await work.push('+feature');
    await headAt(n, forced);
    const last = (await api.entries(n, alice)).at(-1)!;
    expect(last).toMatchObject({ type: 'force_push', data: { old: before, new: forced } });
    await work.checkout('main');
  });

  it('is refused to a client that pushes it', async () => {
    const r = await work.pushResult(`main:refs/pull/${n}/head`);
    expect(r.code).not.toBe(0);
    expect(await remoteRef(s, 'alice/proj', `refs/pull/${n}/head`)).toBe(await work.rev('feature'));
  });
});

describe('diff, patch, commits, files and compare', () => {
  let n: number;
  let commits: string[];
  beforeAll(async () => {
    n = (await api.expect<PullJson[]>(200, 'GET', '/pulls?sort=oldest', alice))[0]!.number;
    commits = (await work.git(['rev-list', '--reverse', 'main..feature'])).trim().split('\n');
    // main moves on after the pull request was opened: none of this is the pull request's change
    await work.checkout('main');
    mainSha = await work.commit({ 'docs/guide.md': 'Guide\nmoved on\n' }, 'main moves on');
    await work.push('main');
    await api.settled(n, alice, { base: mainSha });
  });

  it('serves the changes from the merge base as a unified diff', async () => {
    const res = await s.api('GET', `/api/v1/repos/alice/proj/pulls/${n}.diff`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const diff = await res.text();
    const mb = (await work.git(['merge-base', 'main', 'feature'])).trim();
    expect(diff).toBe(await work.git(['diff-tree', '-r', '-p', '-M', '--no-commit-id', '--no-color', mb, 'feature']));
    expect(diff).toMatch(/^diff --git a\/feature\.txt b\/feature\.txt$/m);
    expect(diff).toMatch(/^\+export const b = 20;$/m);
    expect(diff).not.toContain('moved on');
  });

  it('serves the commits as email patches', async () => {
    const patch = await (await s.api('GET', `/api/v1/repos/alice/proj/pulls/${n}.patch`)).text();
    for (const c of commits) expect(patch).toContain(`From ${c} `);
    expect(patch).toMatch(new RegExp(`^Subject: \\[PATCH 1/${commits.length}\\] add feature$`, 'm'));
  });

  it('lists the commits oldest first, with the paging headers', async () => {
    const res = await api.call('GET', `/pulls/${n}/commits`, carol);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-total-count')).toBe(String(commits.length));
    expect(((await res.json()) as { sha: string }[]).map((c) => c.sha)).toEqual(commits);
    const page = await api.expect<{ sha: string }[]>(200, 'GET', `/pulls/${n}/commits?limit=1&page=2`, carol);
    expect(page.map((c) => c.sha)).toEqual([commits[1]]);
  });

  it('lists the changed files with their patches', async () => {
    const files = await api.expect<{ filename: string; status: string; additions: number; deletions: number; patch: string; viewed: boolean; raw_url: string; contents_url: string }[]>(
      200,
      'GET',
      `/pulls/${n}/files`,
      carol,
    );
    expect(files.map((f) => [f.filename, f.status]).sort()).toEqual([
      ['feature.txt', 'added'],
      ['src/index.ts', 'modified'],
    ]);
    const idx = files.find((f) => f.filename === 'src/index.ts')!;
    expect(await (await fetch(idx.raw_url)).text()).toBe('export const a = 1;\nexport const b = 20;\nexport const c = 3;\n');
    expect(((await (await fetch(idx.contents_url)).json()) as { path: string; sha: string }).path).toBe('src/index.ts');
    expect(idx).toMatchObject({ additions: 1, deletions: 1, viewed: false });
    expect(idx.patch).toContain('-export const b = 2;');
    expect(idx.patch).toContain('+export const b = 20;');
  });

  it('compares base...head with the commits, the files and the open pull request', async () => {
    const cmp = await api.expect<{
      base: { sha: string };
      head: { sha: string; repo: string };
      total_commits: number;
      commits: { sha: string }[];
      files: { filename: string }[];
      pull_request: number | null;
    }>(200, 'GET', '/compare/main...feature', carol);
    expect(cmp.base.sha).toBe(mainSha);
    expect(cmp.head).toMatchObject({ sha: commits.at(-1), repo: 'alice/proj' });
    expect(cmp.total_commits).toBe(commits.length);
    expect(cmp.commits.map((c) => c.sha)).toEqual(commits);
    expect(cmp.files.map((f) => f.filename).sort()).toEqual(['feature.txt', 'src/index.ts']);
    expect(cmp.pull_request).toBe(n);
    expect((await api.call('GET', '/compare/main...no-such', carol)).status).toBe(404);
    expect((await api.call('GET', '/compare/main', carol)).status).toBe(422);
  });

  it('answers 404 for a pull request that does not exist, or a number that is not one', async () => {
    for (const p of ['/pulls/999', '/pulls/0', '/pulls/-1', '/pulls/abc', '/pulls/999.diff', '/pulls/999/commits', '/pulls/999/files']) {
      expect((await api.call('GET', p, alice)).status, p).toBe(404);
    }
  });
});

describe('a head in a repository the viewer cannot read', () => {
  let n: number;
  let fork: Work;
  let secretSha: string;
  beforeAll(async () => {
    await api.expect(202, 'POST', '/forks', bob, { name: 'hidden-fork' });
    fork = await Work.clone(s, 'bob/hidden-fork', bob);
    await fork.checkout('fix', 'origin/main');
    await fork.commit({ 'fix.txt': 'a fix\n' }, 'fix from the fork');
    await fork.checkout('secret-plans', 'origin/main');
    secretSha = await fork.commit({ 'plans.txt': 'world domination\n' }, 'secret plans');
    await fork.push('fix', 'secret-plans');
    await s.api('PATCH', '/api/v1/repos/bob/hidden-fork', { auth: bob, json: { private: true } }).then((r) => expect(r.status).toBe(200));
    n = (await api.open(bob, { head: 'bob:fix', base: 'main', title: 'Fix from a private fork' })).number;
    await api.settled(n, bob);
  });

  it('shows the fork to those who can read it', async () => {
    const pr = await api.get(n, bob);
    expect(pr.head).toMatchObject({ label: 'bob:fix', ref: 'fix', repo: { full_name: 'bob/hidden-fork' } });
  });

  it("never names the fork or its branch to a reader of the base who can't read it", async () => {
    const pr = await api.get(n, carol);
    expect(pr.head).toMatchObject({ label: 'unknown repository', repo: null, repo_id: 0, sha: await fork.rev('fix') });
    const everything = JSON.stringify([
      pr,
      await api.expect(200, 'GET', '/pulls', carol),
      await api.timeline(n, carol),
      await api.expect(200, 'GET', `/pulls/${n}/commits`, carol),
      await api.expect(200, 'GET', `/pulls/${n}/files`, carol),
    ]);
    expect(everything).not.toContain('hidden-fork');
    expect(everything).not.toContain('bob:fix');
    expect(JSON.stringify(await api.get(n, undefined))).not.toContain('hidden-fork');
  });

  it("advertises refs/pull/<n>/head in the base and none of the fork's other refs", async () => {
    const refs = await remoteRefs(s, 'alice/proj', carol);
    expect(refs.get(`refs/pull/${n}/head`)).toBe(await fork.rev('fix'));
    expect([...refs.keys()].filter((r) => !/^(HEAD|refs\/heads\/[\w-]+|refs\/pull\/\d+\/head)$/.test(r))).toEqual([]);
    expect([...refs.keys()].some((r) => r.includes('secret') || r.includes('fix'))).toBe(false);
    expect([...refs.values()]).not.toContain(secretSha);
    // nor can a reader of the base fetch the fork's other commits by id
    const reader = await Work.clone(s, 'alice/proj', carol);
    const r = await git(['fetch', '-q', 'origin', secretSha], { cwd: reader.dir });
    expect(r.code).not.toBe(0);
  });

  it('answers 404 to compare and to opening with a head the viewer cannot read, as for one that does not exist', async () => {
    for (const head of ['bob:fix', 'bob/hidden-fork:fix']) {
      const cmp = await api.call('GET', `/compare/main...${head}`, carol);
      expect(cmp.status, head).toBe(404);
      const open = await api.call('POST', '/pulls', carol, { head, base: 'main', title: 'sneaky' });
      expect(open.status, head).toBe(404);
      const missing = await api.call('POST', '/pulls', carol, { head: head.replace('bob', 'nobody'), base: 'main', title: 'sneaky' });
      expect(missing.status).toBe(404);
      expect(((await open.json()) as { message: string }).message.replace(/bob/g, 'nobody')).toBe(((await missing.json()) as { message: string }).message);
    }
    expect((await api.call('GET', '/compare/main...bob:fix', bob)).status).toBe(200);
  });

  it('follows pushes to the fork into refs/pull/<n>/head', async () => {
    await fork.checkout('fix');
    const next = await fork.commit({ 'fix.txt': 'a better fix\n' }, 'better fix');
    await fork.push('fix');
    await headAt(n, next, carol);
  });

  it('keeps the pull request whole when the fork is deleted: its ref, diff and commits stay in the base', async () => {
    const tip = await fork.rev('fix');
    expect((await s.api('DELETE', '/api/v1/repos/bob/hidden-fork', { auth: bob })).status).toBe(204);
    for (const who of [bob, carol]) {
      expect((await api.get(n, who)).head).toMatchObject({ label: 'unknown repository', repo: null, sha: tip });
    }
    expect(await remoteRef(s, 'alice/proj', `refs/pull/${n}/head`, carol)).toBe(tip);
    expect(await (await s.api('GET', `/api/v1/repos/alice/proj/pulls/${n}.diff`)).text()).toContain('+++ b/fix.txt');
    expect((await api.expect<{ sha: string }[]>(200, 'GET', `/pulls/${n}/commits`, carol)).at(-1)!.sha).toBe(tip);
    expect((await api.settled(n, carol)).mergeable).toBe(true);
  });
});

describe('the conversation', () => {
  let n: number;
  beforeAll(async () => {
    n = (await api.expect<PullJson[]>(200, 'GET', '/pulls?sort=oldest', alice))[0]!.number;
  });

  it('renders comment bodies through the sanitizer: no script, no javascript: links, no handlers', async () => {
    const body = 'Looks **good**\n\n<script>alert(1)</script>\n\n[click](javascript:alert(2)) <a href="javascript:alert(3)">x</a> <img src=x onerror="alert(4)">';
    const c = await api.expect<TimelineEntry>(201, 'POST', `/issues/${n}/comments`, carol, { body });
    expect(c.body).toBe(body);
    expect(c.user?.login).toBe('carol');
    for (const html of [
      c.body_html,
      (await api.expect<TimelineEntry[]>(200, 'GET', `/issues/${n}/comments`, undefined)).find((x) => x.id === c.id)!.body_html,
      (await api.entries(n, alice)).find((x) => x.id === c.id)!.body_html,
    ]) {
      expect(html).toContain('<strong>good</strong>');
      expect(html.toLowerCase()).not.toContain('<script');
      expect(html.toLowerCase()).not.toContain('javascript:');
      expect(html.toLowerCase()).not.toContain('onerror');
    }
    expect((await api.get(n, alice)).comments).toBeGreaterThanOrEqual(1);
  });

  it('lets the author edit and delete a comment, and nobody else but a writer', async () => {
    const c = await api.expect<TimelineEntry>(201, 'POST', `/issues/${n}/comments`, carol, { body: 'first draft' });
    await api.expect(403, 'PATCH', `/issues/comments/${c.id}`, dave, { body: 'hijacked' });
    expect((await api.expect<TimelineEntry>(200, 'PATCH', `/issues/comments/${c.id}`, carol, { body: 'second <script>x</script>draft' })).body_html).not.toContain('<script');
    await api.expect(403, 'DELETE', `/issues/comments/${c.id}`, dave);
    await api.expect(204, 'DELETE', `/issues/comments/${c.id}`, alice);
    await api.expect(404, 'GET', `/issues/comments/${c.id}`, alice);
  });

  it('refuses an empty comment, an anonymous one, and one on a missing pull request', async () => {
    await api.expect(422, 'POST', `/issues/${n}/comments`, carol, { body: '  ' });
    await api.expect(401, 'POST', `/issues/${n}/comments`, undefined, { body: 'anon' });
    await api.expect(404, 'POST', '/issues/999/comments', carol, { body: 'nowhere' });
    await api.expect(422, 'POST', `/issues/${n}/comments`, carol, { body: ['an', 'array'] });
  });
});

describe('editing, closing and reopening', () => {
  let n: number;
  beforeAll(async () => {
    await work.checkout('edit-me', 'main');
    await work.commit({ 'edit.txt': '1\n' }, 'edit 1');
    await work.push('edit-me');
    await work.checkout('main');
    n = (await api.open(alice, { head: 'edit-me', base: 'main', title: 'Edit me' })).number;
  });

  it('changes the title and body, recording the title change', async () => {
    const pr = await api.expect<PullJson>(201, 'PATCH', `/pulls/${n}`, alice, { title: 'Edited', body: 'new *body*' });
    expect(pr).toMatchObject({ title: 'Edited', body: 'new *body*' });
    expect(pr.body_html).toContain('<em>body</em>');
    expect((await api.entries(n, alice)).at(-1)).toMatchObject({ type: 'title', data: { from: 'Edit me', to: 'Edited' } });
  });

  it('refuses an edit by someone who is neither the author nor a writer, and changes nothing', async () => {
    await api.expect(403, 'PATCH', `/pulls/${n}`, carol, { title: 'Mine now' });
    await api.expect(403, 'PATCH', `/pulls/${n}`, carol, { state: 'closed' });
    expect(await api.get(n, carol)).toMatchObject({ title: 'Edited', state: 'open' });
    await api.expect(404, 'PATCH', `/pulls/${n}`, alice, { base: 'no-such-branch' });
    await api.expect(422, 'PATCH', `/pulls/${n}`, alice, { state: 'merged' });
  });

  it('closes: the head no longer moves its ref; reopening catches up and records it all', async () => {
    const closed = await api.expect<PullJson>(201, 'PATCH', `/pulls/${n}`, alice, { state: 'closed' });
    expect(closed.state).toBe('closed');
    expect((await api.expect<PullJson[]>(200, 'GET', '/pulls?state=closed', alice)).map((p) => p.number)).toContain(n);
    expect((await api.expect<PullJson[]>(200, 'GET', '/pulls', alice)).map((p) => p.number)).not.toContain(n);
    const atClose = await work.rev('edit-me');
    await work.checkout('edit-me');
    const later = await work.commit({ 'edit.txt': '2\n' }, 'edit 2');
    await work.push('edit-me');
    await work.checkout('main');
    await outboxIdle(s.data);
    expect(await remoteRef(s, 'alice/proj', `refs/pull/${n}/head`)).toBe(atClose);

    const reopened = await api.expect<PullJson>(201, 'PATCH', `/pulls/${n}`, alice, { state: 'open' });
    expect(reopened).toMatchObject({ state: 'open', head: { sha: later } });
    expect(await remoteRef(s, 'alice/proj', `refs/pull/${n}/head`)).toBe(later);
    expect(kinds(await api.entries(n, alice)).slice(-3)).toEqual(['close', 'reopen', 'push']);
    const [proj] = await query<{ id: number }>(s.data, "SELECT id FROM repositories WHERE lower_name = 'proj'");
    const events = (await query<{ type: string; payload: string }>(s.data, "SELECT type, payload FROM events WHERE type LIKE 'pull.%' ORDER BY id")).filter((e) => {
      const p = JSON.parse(e.payload) as { index: number; repoId: number };
      return p.index === n && p.repoId === proj!.id;
    });
    expect(events.map((e) => e.type)).toEqual(['pull.opened', 'pull.closed', 'pull.reopened', 'pull.synchronized']);
    expect((await api.settled(n, alice)).mergeable).toBe(true);
  });

  it('refuses to reopen while another open pull request has the same head and base, and a base equal to the head', async () => {
    await api.expect(422, 'PATCH', `/pulls/${n}`, alice, { base: 'edit-me' });
    await api.expect(201, 'PATCH', `/pulls/${n}`, alice, { state: 'closed' });
    const other = await api.open(alice, { head: 'edit-me', base: 'main', title: 'Edit me again' });
    expect((await api.expect<{ message: string }>(409, 'PATCH', `/pulls/${n}`, alice, { state: 'open' })).message).toContain(`#${other.number}`);
    expect((await api.get(n, alice)).state).toBe('closed');
    await api.expect(201, 'PATCH', `/pulls/${other.number}`, alice, { state: 'closed' });
    expect((await api.expect<PullJson>(201, 'PATCH', `/pulls/${n}`, alice, { state: 'open' })).state).toBe('open');
  });

  it('moves to another base, recording it and computing mergeability against it', async () => {
    await work.checkout('older', 'main~1');
    const older = await work.rev('HEAD');
    await work.push('older');
    await work.checkout('main');
    const pr = await api.expect<PullJson>(201, 'PATCH', `/pulls/${n}`, alice, { base: 'older' });
    expect(pr.base.ref).toBe('older');
    expect((await api.entries(n, alice)).at(-1)).toMatchObject({ type: 'base', data: { from: 'main', to: 'older' } });
    expect(await api.settled(n, alice, { base: older })).toMatchObject({ mergeable: true, merge_base: older });
    expect(await (await s.api('GET', `/api/v1/repos/alice/proj/pulls/${n}.diff`)).text()).toContain('+++ b/edit.txt');
    await api.expect(201, 'PATCH', `/pulls/${n}`, alice, { base: 'main' });
  });

  it('assigns people who can read the repository, and nobody else', async () => {
    expect((await api.expect<PullJson>(201, 'PATCH', `/pulls/${n}`, alice, { assignees: ['carol', 'bob'] })).assignees.map((u) => u.login).sort()).toEqual(['bob', 'carol']);
    await api.expect(422, 'PATCH', `/pulls/${n}`, alice, { assignees: ['nobody-here'] });
    await api.expect(403, 'PATCH', `/pulls/${n}`, carol, { assignees: ['carol'] });
  });

  it('marks a draft and back', async () => {
    expect((await api.expect<PullJson>(201, 'PATCH', `/pulls/${n}`, alice, { draft: true })).draft).toBe(true);
    expect((await api.expect<PullJson>(201, 'PATCH', `/pulls/${n}`, alice, { draft: false })).draft).toBe(false);
    expect(kinds(await api.entries(n, alice)).slice(-2)).toEqual(['draft', 'ready']);
  });
});

describe('a private base repository', () => {
  it('answers 404 for its pull requests to someone who cannot read it', async () => {
    await createRepo(s, alice, { name: 'secret', private: true });
    const w = await Work.init(s, 'alice/secret', alice);
    await w.commit({ 'a.txt': 'a\n' }, 'a');
    await w.push('main');
    await w.checkout('x', 'main');
    await w.commit({ 'b.txt': 'b\n' }, 'b');
    await w.push('x');
    const secret = new PullsApi(s, 'alice/secret');
    const n = (await secret.open(alice, { head: 'x', base: 'main', title: 'secret' })).number;
    for (const p of [`/pulls/${n}`, '/pulls', `/pulls/${n}.diff`, `/pulls/${n}/commits`, `/pulls/${n}/files`, `/pulls/${n}/timeline`, '/compare/main...x']) {
      expect((await secret.call('GET', p, dave)).status, p).toBe(404);
    }
    expect((await secret.call('POST', `/issues/${n}/comments`, dave, { body: 'hi' })).status).toBe(404);
    const r = await git(['ls-remote', s.gitUrl('alice/secret.git', dave)]);
    expect(r.code).not.toBe(0);
    await gitOk(['ls-remote', s.gitUrl('alice/secret.git', alice)]);
  });
});
