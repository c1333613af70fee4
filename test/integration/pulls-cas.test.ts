// The base moving while a merge is computed: a push after mergeability was computed, the
// compare-and-swap write losing to a push and being retried (driven deterministically through
// the in-process RefWriter), giving up with 409 after three tries with every pushed commit kept,
// the push policy refusing the write (maintenance switched on meanwhile), and merges racing real
// concurrent pushes — a pushed commit is never lost, a merge lands on top or fails cleanly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefWrite } from '../../server/pushes/index.js';
import { createRepo, createUser, git, waitFor } from '../fixtures/rig.js';
import { startInProcess, type InProcessServer } from './in-process.js';
import { query } from './outbox-probe.js';
import { Lanes, mergeOk as merged, mergeRefused, Work, type Lane, type Who } from './pull-rig.js';

const alice: Who = ['alice', 'alice-pass-123'];
const bob: Who = ['bob', 'bob-pass-1234'];
const dave: Who = ['dave', 'dave-pass-123'];

// in-process, so a test can step into the window between computing a merge and writing it
let s: InProcessServer;
let lanes: Lanes;

beforeAll(async () => {
  s = await startInProcess();
  await createUser(s, 'alice', alice[1], { admin: true });
  for (const [name, pass] of [bob, dave]) await createUser(s, name, pass, { via: alice });
  await createRepo(s, alice, { name: 'race' });
  for (const w of ['bob', 'dave']) expect((await s.api('PUT', `/api/v1/repos/alice/race/collaborators/${w}`, { auth: alice, json: { permission: 'write' } })).status).toBe(204);
  const work = await Work.init(s, 'alice/race', alice);
  const seed = await work.commit({ 'README.md': '# Race\n' }, 'seed');
  await work.push('main');
  lanes = new Lanes(s, 'alice/race', work, seed);
});
afterAll(async () => s?.stop());

const api = () => lanes.api;
const pendingMerge = async (id: number) => (await query<{ pending_merge: string | null }>(s.data, 'SELECT pending_merge FROM pull_requests WHERE id = ?', id))[0]!.pending_merge;
const mergeOk = (l: Lane, n: number, body: Record<string, unknown>, who: Who = alice) => merged(l, n, body, who);
const refused = (l: Lane, n: number, body: Record<string, unknown>, status: number, who: Who = alice) => mergeRefused(l, n, body, status, who, alice);

describe('the base moving while a merge is computed', () => {
  /** Runs `before` ahead of each merge's ref write (the window between computing it and writing it). */
  function beforeMergeWrites(before: (w: RefWrite) => Promise<void>): () => void {
    const refs = s.app.services.refs;
    const original = refs.write;
    refs.write = async function (this: typeof refs, w: RefWrite) {
      if (w.message.startsWith('merge pull request')) await before(w);
      return original.call(this, w);
    };
    return () => {
      refs.write = original;
    };
  }

  it('lands on top of a base pushed to after mergeability was computed', async () => {
    const l = await lanes.lane();
    const head = await l.commit('feature', { 'f.txt': 'f\n' });
    await l.push();
    const pr = await l.open('feature', alice);
    expect(pr.base.sha).toBe(lanes.seed);
    const pushed = await l.commit(l.base, { 'other.txt': 'pushed meanwhile\n' });
    await l.push();
    const sha = await mergeOk(l, pr.number, { Do: 'merge' });
    expect(await lanes.parents(sha)).toEqual([pushed, head]);
  });

  it('retries when the base moves between computing the merge and writing it, keeping the pushed commit', async () => {
    const l = await lanes.lane();
    const head = await l.commit('feature', { 'f.txt': 'f\n' });
    await l.push();
    const pr = await l.open('feature', alice);
    const pushed: string[] = [];
    let writes = 0;
    const restore = beforeMergeWrites(async () => {
      if (writes++ > 0) return;
      pushed.push(await l.commit(l.base, { 'race.txt': 'pushed during the merge\n' }, 'pushed during the merge'));
      await l.push();
    });
    try {
      const sha = await mergeOk(l, pr.number, { Do: 'merge' });
      expect(writes).toBe(2);
      expect(await lanes.parents(sha)).toEqual([pushed[0], head]);
      expect(await lanes.show(sha, 'race.txt')).toBe('pushed during the merge\n');
    } finally {
      restore();
    }
    expect(await pendingMerge(pr.id)).toBeNull();
  });

  it('answers 409 when the base keeps moving through three tries: every pushed commit kept, nothing merged', async () => {
    const l = await lanes.lane();
    await l.commit('feature', { 'f.txt': 'f\n' });
    await l.push();
    const pr = await l.open('feature', alice);
    const pushed: string[] = [];
    const restore = beforeMergeWrites(async () => {
      pushed.push(await l.commit(l.base, { [`race${pushed.length}.txt`]: 'x\n' }, `push ${pushed.length}`));
      await l.push();
    });
    try {
      const res = await api().merge(pr.number, alice, { Do: 'squash' });
      expect(res.status).toBe(409);
      expect(((await res.json()) as { message: string }).message).toMatch(/kept moving/);
    } finally {
      restore();
    }
    expect(pushed).toHaveLength(3);
    expect(await l.tip()).toBe(pushed[2]);
    expect(await lanes.sv(['rev-list', `${lanes.seed}..${l.base}`])).toBe(`${[...pushed].reverse().join('\n')}\n`);
    expect((await api().get(pr.number, alice)).merged).toBe(false);
    expect(await pendingMerge(pr.id)).toBeNull();
    // once the base holds still, the merge goes through on top of all of them
    const sha = await mergeOk(l, pr.number, { Do: 'squash' });
    expect(await lanes.parents(sha)).toEqual([pushed[2]]);
  });

  it('is refused by the push policy like a push (maintenance switched on meanwhile): 503, nothing moves', async () => {
    const l = await lanes.lane();
    await l.commit('feature', { 'f.txt': 'f\n' });
    await l.push();
    const pr = await l.open('feature', alice);
    const restore = beforeMergeWrites(async () => {
      await s.app.services.maintenance.set(true, 'testing');
    });
    try {
      expect(await refused(l, pr.number, { Do: 'merge' }, 503, bob)).toMatch(/maintenance/);
    } finally {
      restore();
      await s.app.services.maintenance.set(false);
    }
    expect(await pendingMerge(pr.id)).toBeNull();
    await mergeOk(l, pr.number, { Do: 'merge' }, bob);
  });

  it('merges a pull request asked to merge twice at once exactly once', async () => {
    const l = await lanes.lane();
    await l.commit('feature', { 'f.txt': 'f\n' });
    await l.push();
    const pr = await l.open('feature', alice);
    const answers = await Promise.all([api().merge(pr.number, alice, { Do: 'merge' }), api().merge(pr.number, bob, { Do: 'squash' })]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 405]);
    const sha = ((await answers.find((r) => r.status === 200)!.json()) as { sha: string }).sha;
    expect(await l.tip()).toBe(sha);
    expect(await lanes.sv(['rev-list', '--count', `${lanes.seed}..${sha}`])).toMatch(/^(2|1)\n$/);
    expect((await api().entries(pr.number, alice)).filter((e) => e.type === 'merge')).toHaveLength(1);
  });

  it('finishes a merge whose ref moved even though what follows the write failed', async () => {
    const l = await lanes.lane();
    await l.commit('feature', { 'f.txt': 'f\n' });
    await l.push();
    const pr = await l.open('feature', alice);
    const refs = s.app.services.refs;
    const original = refs.write;
    refs.write = async function (this: typeof refs, w: RefWrite) {
      await original.call(this, w);
      throw new Error('the recorder failed after the ref moved');
    };
    try {
      const sha = await mergeOk(l, pr.number, { Do: 'merge' });
      expect(await api().get(pr.number, alice)).toMatchObject({ merged: true, merge_commit_sha: sha });
    } finally {
      refs.write = original;
    }
    expect(await pendingMerge(pr.id)).toBeNull();
  });

  it('lets the push event of a merge whose bookkeeping never ran mark it merged (as after a crash)', async () => {
    const l = await lanes.lane();
    await l.commit('feature', { 'f.txt': 'f\n' });
    await l.push();
    const pr = await l.open('feature', alice);
    const refs = s.app.services.refs;
    const original = refs.write;
    let markedMeanwhile = false;
    refs.write = async function (this: typeof refs, w: RefWrite) {
      const event = await original.call(this, w);
      // the merge request is stuck after its ref moved: the push subscriber finds the pending merge
      markedMeanwhile = await waitFor(async () => (await query<{ has_merged: number }>(s.data, 'SELECT has_merged FROM pull_requests WHERE id = ?', pr.id))[0]!.has_merged === 1);
      return event;
    };
    try {
      const sha = await mergeOk(l, pr.number, { Do: 'squash' });
      expect(markedMeanwhile).toBe(true);
      expect(await api().get(pr.number, alice)).toMatchObject({ merged: true, merge_commit_sha: sha, merge_style: 'squash', merged_by: { login: 'alice' } });
      expect((await api().entries(pr.number, alice)).filter((e) => e.type === 'merge')).toHaveLength(1);
    } finally {
      refs.write = original;
    }
  });

  it('never loses a commit pushed concurrently with merges', async () => {
    const l = await lanes.lane();
    const prs: number[] = [];
    for (const b of ['c1', 'c2', 'c3']) await l.commit(b, { [`${b}.txt`]: `${b}\n` });
    await l.push();
    for (const b of ['c1', 'c2', 'c3']) prs.push((await l.open(b, alice)).number);
    const pusher = await Work.clone(s, lanes.full, dave);
    await pusher.checkout(l.base, `origin/${l.base}`);
    const accepted: string[] = [];
    let stop = false;
    const pushing = (async () => {
      for (let i = 0; i < 4 && !stop; i++) {
        await pusher.commit({ [`p/${i}.txt`]: `${i}\n` }, `concurrent ${i}`);
        for (;;) {
          if ((await pusher.pushResult(`HEAD:${l.base}`)).code === 0) break;
          await pusher.fetch(l.base);
          await pusher.git(['rebase', '-q', `origin/${l.base}`]);
        }
        accepted.push(await pusher.rev('HEAD'));
      }
    })();
    // the merges at once too: they queue behind each other on the base, the pushes don't
    const results = await Promise.all(
      prs.map(async (n, i) => {
        const res = await api().merge(n, alice, { Do: i === 1 ? 'squash' : 'merge' });
        return { n, status: res.status, ...((await res.json()) as { sha?: string }) };
      }),
    );
    stop = true;
    await pushing;
    const tip = (await l.tip())!;
    for (const sha of accepted) expect((await git(['--git-dir', lanes.dir, 'merge-base', '--is-ancestor', sha, tip])).code, `pushed ${sha} lost`).toBe(0);
    for (const m of results) {
      expect([200, 409], JSON.stringify(m)).toContain(m.status);
      expect((await api().get(m.n, alice)).merged).toBe(m.status === 200);
      if (m.status === 200) expect((await git(['--git-dir', lanes.dir, 'merge-base', '--is-ancestor', m.sha!, tip])).code).toBe(0);
    }
  });
});
