// One forge on two instances sharing everything it keeps: PostgreSQL, Redis and one repository
// store (GITSSY_REPOS_DIR), behind nginx with the sample configuration from build/nginx. What is
// pushed through one instance is served by the other at once; a merge through one while a push
// lands through the other keeps whatever each was told; killing an instance in the middle of a
// push loses nothing acknowledged, and the client's retry through nginx lands on the other one;
// a browser's websocket goes through nginx; SSH answers with one host key on both. A backup on
// either instance holds the pushes through both while it captures, carries the shared store, and
// a scheduled one is taken once for the whole forge. A CI job's log is read through either. A
// browser session stays on one instance, so a dev shell's terminal reaches the one running it.
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pgClient from 'pg';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startNginx, type Nginx } from '../fixtures/nginx.js';
import { startPostgres, type PgCluster } from '../fixtures/postgres.js';
import { startRedis, type RedisServer } from '../fixtures/redis.js';
import { BACKUP_BARRIER_LOCK, lockKeyOf } from '../../server/scale/index.js';
import { Browser, createRepo, createUser, git, gitOk, killHard, makeRepo, noise, run, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';
import { BWRAP, NO_BWRAP, itUnless } from '../fixtures/skip.js';

const ALICE: [string, string] = ['alice', 'alice-pass-1234'];
const BOB: [string, string] = ['bob', 'bob-pass-123456'];

describe('a forge on two instances sharing one repository store, behind nginx', () => {
  let pg: PgCluster | { skip: string };
  let redis: RedisServer | { skip: string };
  let nginx: Nginx | { skip: string } | undefined;
  let a: TestServer;
  let b: TestServer;
  let skip = '';
  let aKilled = false;
  let store: string;
  let dbUrl: string;
  let env: Record<string, string>;
  const later: TestServer[] = [];
  let work: string;
  const sockets: Socket[] = [];
  const viaNginx = (repo: string, auth: [string, string]) => `http://${encodeURIComponent(auth[0])}:${encodeURIComponent(auth[1])}@127.0.0.1:${(nginx as Nginx).port}/${repo}`;

  beforeAll(async () => {
    [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    if ('skip' in pg || 'skip' in redis) {
      skip = 'skip' in pg ? pg.skip : (redis as { skip: string }).skip;
      return;
    }
    store = path.join(await tempDir('gitssy-store-'), 'repos');
    dbUrl = await pg.createDatabase('store');
    // the backup scheduler looks at the clock every 200 ms instead of every minute
    env = { DATABASE_URL: dbUrl, REDIS_URL: redis.url, GITSSY_REPOS_DIR: store, GITSSY_BACKUP_TICK_MS: '200', GITSSY_CI_BACKEND: 'sandbox' };
    a = await startServer({ env });
    b = await startServer({ env });
    nginx = await startNginx([`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`]);
    if ('skip' in nginx) {
      skip = nginx.skip;
      return;
    }
    await createUser(a, ...ALICE, { admin: true });
    await createUser(a, ...BOB, { via: ALICE });
    await createRepo(a, ALICE, { name: 'shared' });
    work = await tempDir();
    await makeRepo(work, 3);
  }, 120_000);

  afterAll(async () => {
    for (const so of sockets) so.close();
    if (nginx && 'stop' in nginx) await nginx.stop();
    await Promise.all([aKilled ? null : a?.stop().catch(() => {}), b?.stop().catch(() => {}), ...later.map((s) => s.stop().catch(() => {}))]);
    if (redis && 'stop' in redis) await redis.stop();
    if (pg && 'stop' in pg) await pg.stop();
  });

  const test = itUnless(() => skip);
  // CI jobs and dev shells run on the host sandbox
  const withSandbox = itUnless(() => skip || (BWRAP ? null : NO_BWRAP));

  const pushesRecorded = async () =>
    ((await (await b.api('GET', '/api/v1/repos/alice/shared/activities/feeds?limit=50', { auth: ALICE })).json()) as { op_type: string }[]).filter((x) => x.op_type === 'commit_repo').length;
  const tip = async (s: TestServer, ref: string) => (await gitOk(['ls-remote', s.gitUrl('alice/shared.git', ALICE), ref])).split('\t')[0]!;

  test('serves through one instance what was pushed through the other, at once, and through nginx', async () => {
    await gitOk(['push', '-q', a.gitUrl('alice/shared.git', ALICE), 'main'], { cwd: work });
    const head = (await gitOk(['rev-parse', 'HEAD'], { cwd: work })).trim();
    expect(await tip(b, 'refs/heads/main')).toBe(head);
    // the repository lives once, in the shared store
    expect((await gitOk(['--git-dir', path.join(store, 'alice', 'shared.git'), 'rev-parse', 'main'])).trim()).toBe(head);
    const clone = path.join(await tempDir(), 'c');
    await gitOk(['clone', '-q', viaNginx('alice/shared.git', ALICE), clone]);
    expect((await gitOk(['rev-parse', 'HEAD'], { cwd: clone })).trim()).toBe(head);
    // the push through a was recorded once, whichever instance delivered its events
    const activity = (await (await b.api('GET', '/api/v1/repos/alice/shared/activities/feeds', { auth: ALICE })).json()) as { op_type: string }[];
    expect(activity.filter((x) => x.op_type === 'commit_repo')).toHaveLength(1);
  });

  test('keeps the websocket of a browser that comes through nginx, and tells it of a push through either instance', async () => {
    expect((await a.api('PUT', '/api/v1/repos/alice/shared/subscription', { auth: BOB })).status).toBeLessThan(300);
    const t = await a.api('POST', '/api/v1/users/bob/tokens', { auth: BOB, json: { name: 'nginx-socket', scopes: ['all'] } });
    const sock = io((nginx as Nginx).url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: ((await t.json()) as { sha1: string }).sha1 } });
    sockets.push(sock);
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', () => resolve());
      sock.once('connect_error', reject);
    });
    const heard = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no notification through nginx within 10 s')), 10_000);
      sock.once('notification', (p: unknown) => {
        clearTimeout(timer);
        resolve(p);
      });
    });
    await gitOk(['commit', '-q', '--allow-empty', '-m', 'for the watcher'], { cwd: work });
    await gitOk(['push', '-q', b.gitUrl('alice/shared.git', ALICE), 'main'], { cwd: work });
    expect(await heard).toBeTruthy();
  });

  test('keeps both a merge through one instance and a push to the base through the other, as each was told', async () => {
    await gitOk(['checkout', '-q', '-b', 'topic'], { cwd: work });
    await gitOk(['commit', '-q', '--allow-empty', '-m', 'topic work'], { cwd: work });
    await gitOk(['push', '-q', a.gitUrl('alice/shared.git', ALICE), 'topic'], { cwd: work });
    await gitOk(['checkout', '-q', 'main'], { cwd: work });
    const pr = await b.api('POST', '/api/v1/repos/alice/shared/pulls', { auth: ALICE, json: { head: 'topic', base: 'main', title: 'Topic' } });
    expect(pr.status, await pr.clone().text()).toBe(201);
    const n = ((await pr.json()) as { number: number }).number;
    await waitFor(async () => ((await (await b.api('GET', `/api/v1/repos/alice/shared/pulls/${n}`, { auth: ALICE })).json()) as { mergeable: boolean | null }).mergeable === true, 20_000);
    await gitOk(['commit', '-q', '--allow-empty', '-m', 'pushed meanwhile'], { cwd: work });
    const pushed = (await gitOk(['rev-parse', 'HEAD'], { cwd: work })).trim();
    const [merge, push] = await Promise.all([
      b.api('POST', `/api/v1/repos/alice/shared/pulls/${n}/merge`, { auth: ALICE, json: { Do: 'merge' } }),
      git(['push', '-q', a.gitUrl('alice/shared.git', ALICE), 'main'], { cwd: work }),
    ]);
    const main = await tip(a, 'refs/heads/main');
    const contains = async (sha: string) => (await git(['--git-dir', path.join(store, 'alice', 'shared.git'), 'merge-base', '--is-ancestor', sha, main])).code === 0;
    // the merge is retried on a base that moved, so it lands either way
    expect(merge.status, await merge.clone().text()).toBe(200);
    const merged = ((await (await b.api('GET', `/api/v1/repos/alice/shared/pulls/${n}`, { auth: ALICE })).json()) as { merge_commit_sha: string }).merge_commit_sha;
    expect(await contains(merged)).toBe(true);
    // the push landed first (and is kept under the merge), or found main moved and was refused
    if (push.code === 0) expect(await contains(pushed)).toBe(true);
    else expect(push.stderr).toMatch(/rejected|non-fast-forward|fetch first/);
  });

  test('holds the pushes through every instance while a backup on any of them captures', async () => {
    // what a backup's capture holds on whichever instance takes it: the cluster-wide advisory lock
    const holder = new pgClient.Client({ connectionString: dbUrl });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [BACKUP_BARRIER_LOCK.toString()]);
      await gitOk(['commit', '-q', '--allow-empty', '-m', 'pushed while a backup captured'], { cwd: work });
      let finished = false;
      const push = git(['push', '-q', b.gitUrl('alice/shared.git', ALICE), 'HEAD:refs/heads/held'], { cwd: work }).finally(() => (finished = true));
      await new Promise((r) => setTimeout(r, 1500));
      expect(finished).toBe(false);
      await holder.query('SELECT pg_advisory_unlock($1::bigint)', [BACKUP_BARRIER_LOCK.toString()]);
      const r = await push;
      expect(r.code, r.stderr).toBe(0);
    } finally {
      await holder.end();
    }
    expect(await tip(a, 'refs/heads/held')).toBe((await gitOk(['rev-parse', 'HEAD'], { cwd: work })).trim());
  });

  test("records a repository's pushes one at a time across the instances", async () => {
    // what recording a push on one instance holds: the repository's lock, for the whole forge
    const repoId = ((await (await a.api('GET', '/api/v1/repos/alice/shared', { auth: ALICE })).json()) as { id: number }).id;
    const holder = new pgClient.Client({ connectionString: dbUrl });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [lockKeyOf(`repo:${repoId}`)]);
      await gitOk(['commit', '-q', '--allow-empty', '-m', 'recorded after the lock'], { cwd: work });
      let finished = false;
      const push = git(['push', '-q', b.gitUrl('alice/shared.git', ALICE), 'HEAD:refs/heads/locked'], { cwd: work }).finally(() => (finished = true));
      await new Promise((r) => setTimeout(r, 1500));
      // the ref is in (git moved it), its record waits for the lock, and so does the client
      expect(finished).toBe(false);
      await holder.query('SELECT pg_advisory_unlock($1::bigint)', [lockKeyOf(`repo:${repoId}`)]);
      const r = await push;
      expect(r.code, r.stderr).toBe(0);
    } finally {
      await holder.end();
    }
    const feed = (await (await a.api('GET', '/api/v1/repos/alice/shared/activities/feeds?limit=50', { auth: ALICE })).json()) as { op_type: string; ref_name: string }[];
    expect(feed.filter((x) => x.op_type === 'commit_repo' && x.ref_name.endsWith('locked'))).toHaveLength(1);
  });

  test('backs up the forge with the shared store in the archive, from either instance, and verifies it', async () => {
    const made = await b.cli(['backup', 'create']);
    expect(made.code, made.stderr).toBe(0);
    const archive = /^backup: (\S+),/m.exec(made.stdout)![1]!;
    expect(path.dirname(archive)).toBe(path.join(b.data, 'backups'));
    const manifest = JSON.parse((await run('tar', ['-xzOf', archive, 'manifest.json'])).stdout) as { database: string; repositories: { path: string; refs: Record<string, string> }[] };
    expect(manifest.database).toBe('postgres');
    const shared = manifest.repositories.find((r) => r.path === 'repos/alice/shared.git');
    expect(shared?.refs['refs/heads/main']).toBe(await tip(a, 'refs/heads/main'));
    expect((await run('tar', ['-tzf', archive])).stdout).toMatch(/^repos\/alice\/shared\.git\/objects\//m);
    const verified = await b.cli(['backup', 'verify', archive]);
    expect(verified.code, verified.stderr).toBe(0);
    // a restore over an instance of the cluster would leave the store behind: refused, saying how
    const over = await a.api('POST', `/api/v1/admin/backups/${path.basename(archive)}/restore`, { auth: ALICE });
    expect(over.status).toBe(404); // the archive is in b's data dir, not a's
    const refused = await b.api('POST', `/api/v1/admin/backups/${path.basename(archive)}/restore`, { auth: ALICE });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { message: string }).message).toContain(`this instance keeps its repositories in GITSSY_REPOS_DIR (${store})`);
  });

  test('takes a scheduled backup once for the whole forge, on whichever instance claims the slot', async () => {
    const scheduled = async () => {
      const n: number[] = [];
      for (const s of [a, b]) n.push((await readdir(path.join(s.data, 'backups')).catch(() => [] as string[])).filter((f) => /^gitssy-scheduled-.+\.tar\.gz$/.test(f)).length);
      return n;
    };
    // today's slot has passed (midnight), so it is due on both at their next look (every 200 ms)
    const put = await a.api('PUT', '/api/v1/admin/backups/schedule', { auth: ALICE, json: { schedule: 'daily', time: '00:00', keep: 3 } });
    expect(put.status, await put.clone().text()).toBe(200);
    try {
      await waitFor(async () => (await scheduled()).reduce((x, y) => x + y) === 1, 60_000);
      // both have looked at the slot since: still one
      await new Promise((r) => setTimeout(r, 1500));
      expect((await scheduled()).reduce((x, y) => x + y)).toBe(1);
    } finally {
      await a.api('PUT', '/api/v1/admin/backups/schedule', { auth: ALICE, json: { schedule: 'off' } });
    }
  });

  withSandbox(`shows a CI job's log through either instance, whichever ran the job`, async () => {
    await createRepo(a, ALICE, { name: 'built' });
    const dir = await tempDir();
    await makeRepo(dir, 1);
    await mkdir(path.join(dir, '.ci'));
    await writeFile(path.join(dir, '.ci', 'run.sh'), '#!/bin/sh\necho built-by-ci\n', { mode: 0o755 });
    await gitOk(['add', '-A'], { cwd: dir });
    await gitOk(['commit', '-q', '-m', 'ci'], { cwd: dir });
    const sha = (await gitOk(['rev-parse', 'HEAD'], { cwd: dir })).trim();
    await gitOk(['push', '-q', viaNginx('alice/built.git', ALICE), 'main'], { cwd: dir });
    const job = await waitFor(
      async () => {
        const list = (await (await a.api('GET', '/api/v1/repos/alice/built/ci/jobs?limit=50', { auth: ALICE })).json()) as { id: number; sha: string; state: string }[];
        const j = list.find((x) => x.sha === sha);
        return j && ['success', 'failure', 'error'].includes(j.state) ? j : null;
      },
      60_000,
      100,
    );
    expect(job.state).toBe('success');
    // one instance ran it; both read its log, kept beside the shared store
    for (const s of [a, b]) {
      const res = await s.api('GET', `/api/v1/repos/alice/built/ci/jobs/${job.id}/log`, { auth: ALICE });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('built-by-ci');
    }
    const repoId = ((await (await a.api('GET', '/api/v1/repos/alice/built', { auth: ALICE })).json()) as { id: number }).id;
    expect(existsSync(path.join(store, '.gitssy', 'ci', String(repoId), `${job.id}.log`))).toBe(true);
  });

  withSandbox(`keeps a browser session on one instance, spreads sessions over both, and a dev shell's terminal reaches its instance through nginx`, async () => {
    const base = (nginx as Nginx).url;
    const answeredBy = async (tab: Browser) => ((await (await tab.request('GET', '/ping')).json()) as { instance: string }).instance;
    // 16 sessions (a visitor's session cookie comes with the first page): each stays where it
    // is, signed in or not, and both instances get some (all on one: 2 in 65,536)
    const seen = new Set<string>();
    const tabs: Browser[] = [];
    for (let i = 0; i < 16; i++) {
      const t = new Browser(base);
      await t.session();
      expect(t.cookie('gitssy_session')).toBeTruthy();
      const where = new Set([await answeredBy(t), await answeredBy(t), await answeredBy(t)]);
      expect(where.size).toBe(1);
      seen.add([...where][0]!);
      tabs.push(t);
    }
    expect(seen.size).toBe(2);
    const tab = tabs[0]!;
    expect((await tab.request('POST', '/api/v1/auth/signin', { json: { username: ALICE[0], password: ALICE[1] } })).status).toBe(200);
    await tab.session();
    // signing in gives the session a new cookie: it may move once, then stays
    const after = new Set([await answeredBy(tab), await answeredBy(tab), await answeredBy(tab)]);
    expect(after.size).toBe(1);

    // a shell started through nginx, and its terminal over a websocket through nginx, typed into
    const started = await tab.request('POST', '/api/v1/user/shells', { json: { repo: 'alice/shared' } });
    expect(started.status, await started.clone().text()).toBe(201);
    const shell = (await started.json()) as { id: number };
    try {
      await waitFor(async () => ((await (await tab.request('GET', `/api/v1/user/shells/${shell.id}`)).json()) as { state: string }).state === 'running', 60_000, 200);
      const sock = io(base, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { Cookie: tab.cookieHeader(), Origin: base } });
      sockets.push(sock);
      let out = '';
      sock.on('shell:output', (m: { id: number; data: string }) => {
        if (m.id === shell.id) out += m.data;
      });
      const ack = (await sock.timeout(10_000).emitWithAck('shell:attach', { id: shell.id })) as { ok: boolean; message?: string };
      expect(ack.ok, ack.message).toBe(true);
      sock.emit('shell:input', { id: shell.id, data: 'echo "answer=$((6 * 7))"\r' });
      await waitFor(async () => out.includes('answer=42'), 20_000, 50);
    } finally {
      await tab.request('DELETE', `/api/v1/user/shells/${shell.id}`);
    }
  });

  test('answers SSH with one host key on both instances', async () => {
    const sshPort = async (s: TestServer) => (JSON.parse(await readFile(path.join(s.data, 'run', 'ports.json'), 'utf8')) as { ssh: number }).ssh;
    const scan = async (s: TestServer) => {
      const r = await run('ssh-keyscan', ['-t', 'ed25519', '-p', String(await sshPort(s)), '127.0.0.1']);
      return r.stdout.trim().split(' ').slice(1).join(' ');
    };
    const [ka, kb] = await Promise.all([scan(a), scan(b)]);
    expect(ka).toMatch(/^ssh-ed25519 AAAA/);
    expect(kb).toBe(ka);
  });

  test('loses nothing acknowledged when an instance is killed mid-push, and the retry through nginx lands on the other', async () => {
    // acknowledged through a, just before
    await gitOk(['fetch', '-q', a.gitUrl('alice/shared.git', ALICE), 'main'], { cwd: work });
    await gitOk(['reset', '-q', '--hard', 'FETCH_HEAD'], { cwd: work });
    await gitOk(['commit', '-q', '--allow-empty', '-m', 'acknowledged before the kill'], { cwd: work });
    const acked = (await gitOk(['rev-parse', 'HEAD'], { cwd: work })).trim();
    await gitOk(['push', '-q', a.gitUrl('alice/shared.git', ALICE), 'main'], { cwd: work });
    // a large push through a, cut off by kill -9
    await writeFile(path.join(work, 'big.bin'), noise(24 * 1024 * 1024, 'cluster'));
    await gitOk(['add', 'big.bin'], { cwd: work });
    await gitOk(['commit', '-q', '-m', 'big'], { cwd: work });
    const big = (await gitOk(['rev-parse', 'HEAD'], { cwd: work })).trim();
    const cut = git(['push', '-q', a.gitUrl('alice/shared.git', ALICE), 'main'], { cwd: work });
    await new Promise((r) => setTimeout(r, 150));
    await killHard(a);
    aKilled = true;
    // a's data dir is on a's machine: another machine has no such hooks folder, whatever the
    // repository's config says (core.hooksPath names the dir of the instance that made it)
    await rm(path.join(a.data, 'hooks'), { recursive: true, force: true });
    const pushesBefore = await pushesRecorded();
    const first = await cut;
    // either it was cut off (and told so), or it had finished before the kill
    if (first.code !== 0) expect(await tip(b, 'refs/heads/main')).toBe(acked);
    // the client's retry through nginx: a refuses connections now, nginx takes it to b
    await gitOk(['push', '-q', viaNginx('alice/shared.git', ALICE), 'main'], { cwd: work });
    expect(await tip(b, 'refs/heads/main')).toBe(big);
    // b ran its own hooks: the push went through its policy and was recorded
    await waitFor(async () => (await pushesRecorded()) === pushesBefore + 1, 10_000);
    expect((await git(['--git-dir', path.join(store, 'alice', 'shared.git'), 'merge-base', '--is-ancestor', acked, big])).code).toBe(0);
    const fsck = await git(['--git-dir', path.join(store, 'alice', 'shared.git'), 'fsck', '--connectivity-only', '--no-progress']);
    expect(fsck.code, fsck.stderr).toBe(0);
  });

  // after the kill above: a starts again while a shell runs on b
  withSandbox(`keeps a shell running on its instance while another starts again, and stops it when asked through the other`, async () => {
    const started = await b.api('POST', '/api/v1/user/shells', { auth: ALICE, json: { repo: 'alice/shared' } });
    expect(started.status, await started.clone().text()).toBe(201);
    const { id } = (await started.json()) as { id: number };
    const state = async (s: TestServer) => ((await (await s.api('GET', `/api/v1/user/shells/${id}`, { auth: ALICE })).json()) as { state: string }).state;
    await waitFor(async () => (await state(b)) === 'running', 60_000, 200);
    // a, killed above, starts again on its data dir: it marks its own shells of before stopped, not b's
    const again = await startServer({ data: a.data, env });
    later.push(again);
    expect(await state(again)).toBe('running');
    const token = ((await (await b.api('POST', '/api/v1/users/alice/tokens', { auth: ALICE, json: { name: 'shell-term', scopes: ['all'] } })).json()) as { sha1: string }).sha1;
    const sock = io(b.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
    sockets.push(sock);
    let out = '';
    let exited = false;
    sock.on('shell:output', (m: { id: number; data: string }) => {
      if (m.id === id) out += m.data;
    });
    sock.on('shell:exit', (m: { id: number }) => {
      if (m.id === id) exited = true;
    });
    const ack = (await sock.timeout(10_000).emitWithAck('shell:attach', { id })) as { ok: boolean; message?: string };
    expect(ack.ok, ack.message).toBe(true);
    sock.emit('shell:input', { id, data: 'echo "still=$((6 * 7))"\r' });
    await waitFor(async () => out.includes('still=42'), 20_000, 50);
    // an administrator's stop through the other instance reaches the one with the terminal
    expect((await again.api('DELETE', `/api/v1/admin/shells/${id}`, { auth: ALICE })).status).toBe(204);
    await waitFor(async () => exited && (await state(again)) === 'stopped', 30_000, 100);
  });
});
