// Merging pull requests, every result checked with real git on the server's repository: a merge
// commit of two parents, conflicts listed by file (text and binary) with nothing moved,
// mergeability following pushes to either side, a rename on one side merged with an edit on the
// other, a 50-commit rebase landing linear with its authors kept, squash, fast-forward-only,
// merging twice, head_commit_id, who may merge, drafts, deleting the head branch, a private
// fork's branch, a merge done by hand; and a server killed with SIGKILL right after a push to a
// pull request's head. (The base moving during a merge: pulls-rules.test.ts.)
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepo, createUser, git, killHard, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';
import { outboxIdle, query } from './outbox-probe.js';
import { Lanes, mergeOk as merged, mergeRefused, Work, type Lane, type Who } from './pull-rig.js';

const alice: Who = ['alice', 'alice-pass-123'];
const bob: Who = ['bob', 'bob-pass-1234'];
const carol: Who = ['carol', 'carol-pass-123'];
const dave: Who = ['dave', 'dave-pass-123'];

const APP = ['export function app() {', '  const a = 1;', '  const b = 2;', '  const c = 3;', '  return a + b + c;', '}', ''].join('\n');
const SEED = { 'README.md': '# Repo\n\nThe first line.\n', 'src/app.ts': APP, 'logo.bin': Buffer.from([0, 1, 2, 3, 0, 255, 254, 0, 9]) };

let s: TestServer;
let data: string;
let lanes: Lanes;

beforeAll(async () => {
  data = await tempDir('gitssy-data-');
  s = await startServer({ data });
  await createUser(s, 'alice', alice[1], { admin: true });
  for (const [name, pass] of [bob, carol, dave]) await createUser(s, name, pass, { via: alice });
  await createRepo(s, alice, { name: 'merges' });
  for (const w of ['bob', 'dave']) expect((await s.api('PUT', `/api/v1/repos/alice/merges/collaborators/${w}`, { auth: alice, json: { permission: 'write' } })).status).toBe(204);
  const work = await Work.init(s, 'alice/merges', alice);
  const seed = await work.commit(SEED, 'seed');
  await work.push('main');
  lanes = new Lanes(s, 'alice/merges', work, seed);
});
afterAll(async () => {
  await s?.stop();
  await rm(data, { recursive: true, force: true });
});

const api = () => lanes.api;
const mergeOk = (l: Lane, n: number, body: Record<string, unknown>, who: Who = alice) => merged(l, n, body, who);
const refused = (l: Lane, n: number, body: Record<string, unknown>, status: number, who: Who = alice) => mergeRefused(l, n, body, status, who, alice);

describe('merge styles', () => {
  it('merges with a commit of two parents whose tree has both sides, and the default message', async () => {
    const l = await lanes.lane();
    const head = await l.commit('feature', { 'feature.txt': 'feature\n' }, 'add feature');
    const base = await l.commit(l.base, { 'main.txt': 'main\n' });
    await l.push();
    const pr = await l.open('feature', bob, { body: 'The body.' });
    expect(pr.mergeable).toBe(true);
    const sha = await mergeOk(l, pr.number, { Do: 'merge' });
    expect(await lanes.parents(sha)).toEqual([base, head]);
    expect(await lanes.show(sha, 'feature.txt')).toBe('feature\n');
    expect(await lanes.show(sha, 'main.txt')).toBe('main\n');
    expect(await lanes.sv(['log', '-1', '--format=%an|%cn|%B', sha])).toBe(`alice|alice|Merge pull request 'Merge feature' (#${pr.number}) from ${l.name('feature')} into ${l.base}\n\nThe body.\n\n`);
    const after = await api().get(pr.number, carol);
    expect(after).toMatchObject({ merged: true, state: 'closed', merge_commit_sha: sha, merged_by: { login: 'alice' }, merge_style: 'merge', mergeable: false });
    expect((await api().call('GET', `/pulls/${pr.number}/merge`, carol)).status).toBe(204);
    expect((await api().entries(pr.number, alice)).at(-1)).toMatchObject({ type: 'merge', data: { sha, style: 'merge', base: l.base } });
    const fsck = await git(['--git-dir', lanes.dir, 'fsck', '--no-progress', '--strict']);
    expect(fsck.code, fsck.stderr).toBe(0);
    // on the bus, and the author hears about it
    const events = (await query<{ type: string; payload: string }>(s.data, "SELECT type, payload FROM events WHERE type LIKE 'pull.%' ORDER BY id"))
      .filter((e) => (JSON.parse(e.payload) as { pullId: number }).pullId === pr.id)
      .map((e) => e.type);
    expect(events).toEqual(['pull.opened', 'pull.merged']);
    const notes = await waitFor(async () => {
      const list = (await (await s.api('GET', '/api/v1/notifications?all=true', { auth: bob })).json()) as { subject: { title: string; state: string } }[];
      return list.find((x) => x.subject.title.startsWith('alice merged')) ?? null;
    });
    expect(notes.subject).toMatchObject({ title: `alice merged alice/merges#${pr.number}: Merge feature`, state: 'merged' });
  });

  it('uses the merge message given, and answers 405 the second time with nothing moved', async () => {
    const l = await lanes.lane();
    await l.commit('feature', { 'feature.txt': 'x\n' });
    await l.push();
    const pr = await l.open('feature', alice);
    expect((await api().call('GET', `/pulls/${pr.number}/merge`, alice)).status).toBe(404);
    const sha = await mergeOk(l, pr.number, { Do: 'merge', merge_message_field: 'My own message\n\nwith a body' });
    expect(await lanes.sv(['log', '-1', '--format=%B', sha])).toBe('My own message\n\nwith a body\n\n');
    expect(await refused(l, pr.number, { Do: 'merge' }, 405)).toMatch(/already merged/);
    expect(await refused(l, pr.number, { Do: 'squash' }, 405)).toMatch(/already merged/);
    // someone who may not write hears 403 whatever the state
    await refused(l, pr.number, { Do: 'merge' }, 403, carol);
  });

  it('lists conflicts by file (text and binary), answers 405 naming them for every style, and moves nothing', async () => {
    const l = await lanes.lane();
    await l.commit('conflict', { 'README.md': '# Repo\n\nThe branch line.\n', 'clean.txt': 'clean\n' });
    await l.commit('bin', { 'logo.bin': Buffer.from([0, 9, 9, 9, 0, 1]) });
    await l.commit(l.base, { 'README.md': '# Repo\n\nThe main line.\n', 'logo.bin': Buffer.from([0, 7, 7, 7, 0, 2]) });
    await l.push();
    const pr = await l.open('conflict', alice);
    expect(pr).toMatchObject({ mergeable: false, mergeable_state: 'conflict', conflicted_files: ['README.md'] });
    for (const Do of ['merge', 'squash', 'rebase']) {
      const message = await refused(l, pr.number, { Do }, 405);
      expect(message).toMatch(/README\.md/);
      expect(message).not.toMatch(/clean\.txt/);
    }
    const bin = await l.open('bin', alice);
    expect(bin).toMatchObject({ mergeable: false, conflicted_files: ['logo.bin'] });
    expect(await refused(l, bin.number, { Do: 'merge' }, 405)).toMatch(/logo\.bin/);
  });

  it('follows pushes to either side: conflicting when the base moves into a conflict, mergeable again when the head resolves it', async () => {
    const l = await lanes.lane();
    await l.commit('side', { 'README.md': '# Repo\n\nThe side line.\n' });
    await l.push();
    const pr = await l.open('side', alice);
    expect(pr.mergeable).toBe(true);
    const base = await l.commit(l.base, { 'README.md': '# Repo\n\nThe base line.\n' });
    await l.push();
    expect(await api().settled(pr.number, alice, { base })).toMatchObject({ mergeable: false, conflicted_files: ['README.md'] });
    await lanes.work.checkout(l.name('side'));
    await lanes.work.git(['merge', '-q', '-X', 'theirs', '-m', 'take the base line', l.base]);
    const resolved = await lanes.work.rev('HEAD');
    await lanes.work.push(l.name('side'));
    expect(await api().settled(pr.number, alice, { head: resolved })).toMatchObject({ mergeable: true, conflicted_files: [] });
    await mergeOk(l, pr.number, { Do: 'merge' });
  });

  it('computes mergeability itself when asked to merge before it is known', async () => {
    const l = await lanes.lane();
    const head = await l.commit('quick', { 'q.txt': 'q\n' });
    await l.push();
    const pr = await api().open(alice, { head: l.name('quick'), base: l.base, title: 'Quick' });
    const sha = await mergeOk(l, pr.number, { Do: 'merge' });
    expect(await lanes.parents(sha)).toEqual([lanes.seed, head]);
  });

  it('merges a rename on one side with an edit on the other', async () => {
    const l = await lanes.lane();
    await l.commit('rename', { 'src/app.ts': null, 'src/main.ts': APP }, 'rename app.ts');
    await l.commit(l.base, { 'src/app.ts': APP.replace('const b = 2', 'const b = 200') }, 'edit app.ts');
    await l.push();
    const pr = await l.open('rename', alice);
    expect(pr.mergeable).toBe(true);
    const sha = await mergeOk(l, pr.number, { Do: 'merge' });
    expect(await lanes.show(sha, 'src/main.ts')).toBe(APP.replace('const b = 2', 'const b = 200'));
    expect((await git(['--git-dir', lanes.dir, 'cat-file', '-e', `${sha}:src/app.ts`])).code).not.toBe(0);
  });

  it('rebases 50 commits into 50 linear commits on the moved base, authors, dates and messages kept', async () => {
    const l = await lanes.lane();
    // 50 commits by five authors in five time zones, written with one fast-import
    let stream = '';
    for (let i = 1; i <= 50; i++) {
      const msg = `commit ${i} of 50\n\nbody ${i}\n`;
      const content = `line ${i}\n`;
      stream += `commit refs/heads/${l.name('fifty')}\nauthor Author ${i % 5} <author${i % 5}@example.test> ${1_700_000_000 + i} +0${i % 5}00\n`;
      stream += `committer Test <test@example.test> ${1_700_000_000 + i} +0000\ndata ${Buffer.byteLength(msg)}\n${msg}`;
      if (i === 1) stream += `from ${lanes.seed}\n`;
      stream += `M 100644 inline fifty/${i % 7}.txt\ndata ${Buffer.byteLength(content)}\n${content}\n`;
    }
    const fi = await git(['fast-import', '--quiet'], { cwd: lanes.work.dir, input: stream });
    expect(fi.code, fi.stderr).toBe(0);
    const moved = await l.commit(l.base, { 'main.txt': 'moved\n' });
    l.track('fifty');
    await l.push();
    const pr = await l.open('fifty', bob);
    const tip = await mergeOk(l, pr.number, { Do: 'rebase' });
    const chain = (await lanes.sv(['rev-list', '--parents', `${moved}..${tip}`])).trim().split('\n');
    expect(chain).toHaveLength(50);
    for (const line of chain) expect(line.split(' ')).toHaveLength(2);
    expect((await lanes.sv(['rev-parse', `${tip}~50`])).trim()).toBe(moved);
    const fmt = '--format=%an|%ae|%ad|%B';
    expect(await lanes.sv(['log', fmt, '--date=raw', `${moved}..${tip}`])).toBe(await lanes.sv(['log', fmt, '--date=raw', `${lanes.seed}..${l.name('fifty')}`]));
    expect(new Set((await lanes.sv(['log', '--format=%cn', `${moved}..${tip}`])).trim().split('\n'))).toEqual(new Set(['alice']));
    expect(await lanes.sv(['diff', l.name('fifty'), tip, '--', 'fifty'])).toBe('');
    expect(await lanes.show(tip, 'main.txt')).toBe('moved\n');
    expect(await api().get(pr.number, alice)).toMatchObject({ merged: true, merge_style: 'rebase', merge_commit_sha: tip });
  });

  it("squashes into one commit on the base with the message given, or a default one, and the pull request's author", async () => {
    const l = await lanes.lane();
    for (const i of [1, 2, 3]) await l.commit('sq', { 'sq.txt': `s${i}\n` }, `sq ${i}`);
    for (const i of [1, 2]) await l.commit('sq2', { 'sq2.txt': `t${i}\n` }, `sq2 ${i}`);
    await l.push();
    const pr = await l.open('sq', bob);
    const pr2 = await l.open('sq2', alice);
    const sha = await mergeOk(l, pr.number, { Do: 'squash', merge_message_field: 'Squashed: three in one\n\n* sq 1\n* sq 2\n* sq 3' });
    expect(await lanes.parents(sha)).toEqual([lanes.seed]);
    expect(await lanes.sv(['log', '-1', '--format=%an|%ae|%cn|%B', sha])).toBe('bob|bob@example.test|alice|Squashed: three in one\n\n* sq 1\n* sq 2\n* sq 3\n\n');
    expect(await lanes.sv(['diff', l.name('sq'), sha])).toBe('');
    const sha2 = await mergeOk(l, pr2.number, { Do: 'squash' });
    expect(await lanes.parents(sha2)).toEqual([sha]);
    expect(await lanes.sv(['log', '-1', '--format=%B', sha2])).toBe(`Merge sq2 (#${pr2.number})\n\n* sq2 1\n* sq2 2\n\n`);
  });

  it('fast-forwards when the base is an ancestor of the head, and answers 405 when it is not', async () => {
    const l = await lanes.lane();
    const head = await l.commit('ff', { 'ff.txt': 'ff\n' });
    await l.commit('not-ff', { 'nf.txt': 'nf\n' });
    await l.push();
    const ff = await l.open('ff', alice);
    const nf = await l.open('not-ff', alice);
    expect(await mergeOk(l, ff.number, { Do: 'fast-forward-only' })).toBe(head);
    expect(await api().get(ff.number, alice)).toMatchObject({ merged: true, merge_commit_sha: head, merge_style: 'fast-forward-only' });
    expect(await refused(l, nf.number, { Do: 'fast-forward-only' }, 405)).toMatch(/fast-forward/);
    // the other styles still merge it; Gitea's clients send the message as a title and a body
    const sha = await mergeOk(l, nf.number, { Do: 'merge', MergeTitleField: 'Gitea title', MergeMessageField: 'Gitea body' });
    expect(await lanes.sv(['log', '-1', '--format=%B', sha])).toBe('Gitea title\n\nGitea body\n\n');
  });

  it('answers 409 when head_commit_id is not the head (even before the push subscriber ran), and merges when it is', async () => {
    const l = await lanes.lane();
    const first = await l.commit('moving', { 'm.txt': '1\n' });
    await l.push();
    const pr = await l.open('moving', alice);
    const second = await l.commit('moving', { 'm.txt': '2\n' }, 'second');
    await l.push();
    expect(await refused(l, pr.number, { Do: 'merge', head_commit_id: first }, 409)).toContain(second);
    await refused(l, pr.number, { Do: 'merge', head_commit_id: 'not-a-sha' }, 422);
    const sha = await mergeOk(l, pr.number, { Do: 'merge', head_commit_id: second });
    expect(await lanes.parents(sha)).toEqual([lanes.seed, second]);
  });

  it('refuses a reader (403) and an anonymous caller (401) and moves nothing; a writer merges', async () => {
    const l = await lanes.lane();
    await l.commit('feature', { 'f.txt': 'f\n' });
    await l.push();
    const pr = await l.open('feature', carol);
    expect(await refused(l, pr.number, { Do: 'merge' }, 403, carol)).toMatch(/write/);
    const before = await l.tip();
    expect((await s.api('POST', `/api/v1/repos/alice/merges/pulls/${pr.number}/merge`, { json: { Do: 'merge' } })).status).toBe(401);
    expect(await l.tip()).toBe(before);
    await mergeOk(l, pr.number, { Do: 'merge' }, bob);
  });

  it('refuses a draft and a closed pull request with 405', async () => {
    const l = await lanes.lane();
    await l.commit('draft', { 'd.txt': 'd\n' });
    await l.commit('closed', { 'c.txt': 'c\n' });
    await l.push();
    const draft = await l.open('draft', alice, { draft: true });
    const closed = await l.open('closed', alice);
    expect(await refused(l, draft.number, { Do: 'merge' }, 405)).toMatch(/draft/);
    await api().expect(201, 'PATCH', `/pulls/${closed.number}`, alice, { state: 'closed' });
    expect(await refused(l, closed.number, { Do: 'merge' }, 405)).toMatch(/closed/);
    await api().expect(201, 'PATCH', `/pulls/${draft.number}`, alice, { draft: false });
    await mergeOk(l, draft.number, { Do: 'merge' });
  });

  it('deletes a merged branch of the same repository when asked, but never a protected one', async () => {
    const l = await lanes.lane();
    await l.commit('topic', { 't.txt': 't\n' });
    await l.commit('rel/1', { 'r.txt': 'r\n' });
    await l.push();
    await api().expect(201, 'POST', '/branch_protections', alice, { rule_name: `${l.base}-rel/*` });
    const topic = await l.open('topic', alice);
    const release = await l.open('rel/1', alice);
    const a = await api().merge(topic.number, alice, { Do: 'merge', delete_branch_after_merge: true });
    expect(await a.json()).toMatchObject({ merged: true, branch_deleted: true });
    expect(await l.tip('topic')).toBeNull();
    const b = await api().merge(release.number, alice, { Do: 'merge', delete_branch_after_merge: true });
    expect(await b.json()).toMatchObject({ merged: true, branch_deleted: false });
    expect(await l.tip('rel/1')).not.toBeNull();
    // the merged pull request keeps its ref
    expect(await lanes.sv(['rev-parse', `refs/pull/${topic.number}/head`])).toBeTruthy();
  });

  it("merges a private fork's branch without naming the fork in the base's history, and leaves the fork's branch alone", async () => {
    const l = await lanes.lane();
    await l.push();
    await api().expect(202, 'POST', '/forks', bob, { name: 'bobs-private-fork' });
    const fork = await Work.clone(s, 'bob/bobs-private-fork', bob);
    await fork.checkout('from-fork', `origin/${l.base}`);
    const head = await fork.commit({ 'fork.txt': 'from the fork\n' }, 'work in the fork');
    await fork.push('from-fork');
    expect((await s.api('PATCH', '/api/v1/repos/bob/bobs-private-fork', { auth: bob, json: { private: true } })).status).toBe(200);
    const pr = await l.open('bob:from-fork', bob);
    expect(pr.mergeable).toBe(true);
    const res = await api().merge(pr.number, alice, { Do: 'merge', delete_branch_after_merge: true });
    const json = (await res.json()) as { sha: string };
    expect(json).toMatchObject({ merged: true, branch_deleted: false });
    expect(await lanes.parents(json.sha)).toEqual([lanes.seed, head]);
    expect(await lanes.show(json.sha, 'fork.txt')).toBe('from the fork\n');
    expect(await lanes.sv(['log', '-1', '--format=%B', json.sha])).not.toContain('bobs-private-fork');
    expect((await git(['--git-dir', `${s.data}/repos/bob/bobs-private-fork.git`, 'rev-parse', 'refs/heads/from-fork'])).stdout.trim()).toBe(head);
  });

  it('counts a pull request merged when its head is pushed into the base by hand', async () => {
    const l = await lanes.lane();
    await l.commit('by-hand', { 'h.txt': 'h\n' });
    await l.push();
    const pr = await l.open('by-hand', alice);
    await lanes.work.checkout(l.base);
    await lanes.work.git(['merge', '-q', '--no-ff', '-m', 'merged by hand', l.name('by-hand')]);
    const merged = await lanes.work.rev('HEAD');
    await lanes.work.push(l.base);
    const after = await waitFor(async () => {
      const p = await api().get(pr.number, alice);
      return p.merged ? p : null;
    });
    expect(after).toMatchObject({ state: 'closed', merge_commit_sha: merged, merge_style: 'manual', merged_by: { login: 'alice' } });
  });
});

describe('a server killed with SIGKILL right after a push to the head', () => {
  it('catches refs/pull/<n>/head, the timeline and mergeability up after the restart, once', async () => {
    const l = await lanes.lane();
    await l.commit('feature', { 'k.txt': '1\n' }, 'one');
    await l.push();
    const pr = await l.open('feature', alice);
    await outboxIdle(data);

    const pushed = await l.commit('feature', { 'k.txt': '2\n' }, 'two');
    await l.push();
    await killHard(s);

    s = await startServer({ data });
    await lanes.restarted(s, alice);
    await waitFor(async () => (await lanes.sv(['rev-parse', `refs/pull/${pr.number}/head`])).trim() === pushed && (await api().get(pr.number, alice)).head.sha === pushed);
    expect((await api().settled(pr.number, alice, { head: pushed })).mergeable).toBe(true);
    await outboxIdle(data);
    const pushes = (await api().entries(pr.number, alice)).filter((e) => e.type === 'push' && e.data.new === pushed);
    expect(pushes).toHaveLength(1);
    // and it still merges on the restarted server
    const sha = await mergeOk(l, pr.number, { Do: 'merge' });
    expect(await lanes.parents(sha)).toContain(pushed);
  });
});
