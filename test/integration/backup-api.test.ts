// The backup API (/api/v1/admin/backups) and the CLI around it, against a real server:
// create with progress → list → verify recorded → download matches; restore over the running
// data (a safety backup first, a restart on the same port); bad archives change nothing;
// the schedule takes a backup and prunes to keep N; only site admins get in.
// These servers run on SQLite even under GITSSY_TEST_DB=postgres, so the PostgreSQL pass leaves
// this file out: it checks the data dir a restore leaves, gitssy.db among it (a PostgreSQL
// install's backups and in-place restore: backup-postgres.test.ts).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, createRepo, createUser, git, gitOk, makeRepo, run, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';
import { damaged } from './restore-state.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
const bob: [string, string] = ['bob', 'bob-pass-1234'];

interface Job {
  id: string;
  type: string;
  state: string;
  phase: string;
  done: number;
  total: number;
  bytes: number;
  error: string | null;
  name: string | null;
  result: Record<string, unknown> | null;
}
interface Entry {
  name: string;
  size: number;
  kind: string;
  app_version: string | null;
  schema_version: string | null;
  repositories: number | null;
  verify: { ok: boolean; error: string | null } | null;
}

async function json<T>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Polls a job until it is done or failed, through restarts (a refused connection is retried). */
async function finished(s: TestServer, id: string, timeoutMs = 120_000): Promise<{ job: Job; seen: Job[] }> {
  const seen: Job[] = [];
  const job = await waitFor(
    async () => {
      const res = await s.api('GET', `/api/v1/admin/backups/jobs/${id}`, { auth: alice }).catch(() => null);
      if (!res || res.status !== 200) return null;
      const j = (await res.json()) as Job;
      seen.push(j);
      return j.state === 'done' || j.state === 'failed' ? j : null;
    },
    timeoutMs,
    50,
  );
  return { job, seen };
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const list = async (s: TestServer) => json<Entry[]>(await s.api('GET', '/api/v1/admin/backups', { auth: alice }), 200);
const refsOf = async (url: string) => (await gitOk(['ls-remote', url])).split('\n').filter(Boolean).sort();

let s: TestServer;
let src: string;

beforeAll(async () => {
  s = await startServer({ sqlite: true, env: { GITSSY_BACKUP_TICK_MS: '200' } });
  await createUser(s, 'alice', alice[1], { admin: true });
  await createUser(s, 'bob', bob[1], { via: alice });
  src = await tempDir();
  await makeRepo(src, 4);
  await createRepo(s, alice, { name: 'pub' });
  await createRepo(s, alice, { name: 'sec', private: true });
  for (const r of ['pub', 'sec']) await gitOk(['push', '-q', s.gitUrl(`alice/${r}.git`, alice), 'main', 'main:dev'], { cwd: src });
});
afterAll(async () => s?.stop());

describe('backup API', () => {
  let name: string;

  it('creates a backup as a job with progress, lists it, verifies it and records the result, and downloads the same bytes', async () => {
    const started = await json<Job>(await s.api('POST', '/api/v1/admin/backups', { auth: alice, json: {} }), 202);
    expect(started).toMatchObject({ type: 'create', state: 'running', error: null });
    // one job at a time
    const second = await s.api('POST', '/api/v1/admin/backups', { auth: alice, json: {} });
    if (second.status === 409) expect(((await second.json()) as { message: string }).message).toMatch(/already running/);
    else await finished(s, ((await second.json()) as Job).id);
    const { job, seen } = await finished(s, started.id);
    expect(job.state).toBe('done');
    expect(job.phase).toBe('done');
    expect(seen.length).toBeGreaterThan(0);
    expect(job.total).toBeGreaterThan(0);
    expect(job.done).toBe(job.total);
    name = job.name!;
    expect(name).toMatch(/^gitssy-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ(-\d+)?\.tar\.gz$/);
    const onDisk = await readFile(path.join(s.data, 'backups', name));
    expect(job.bytes).toBe(onDisk.length);
    expect(job.result).toMatchObject({ repositories: 2, barrier: { holds: expect.any(Number), longest_hold_ms: expect.any(Number) } });

    const entry = (await list(s)).find((b) => b.name === name)!;
    expect(entry).toMatchObject({ name, size: onDisk.length, kind: 'manual', repositories: 2, verify: null });
    expect(entry.app_version).toMatch(/\S/);
    expect(entry.schema_version).toMatch(/^\d{4}_/);

    const v = await json<Job>(await s.api('POST', `/api/v1/admin/backups/${name}/verify`, { auth: alice }), 202);
    const verified = (await finished(s, v.id)).job;
    expect(verified).toMatchObject({ state: 'done', result: { ok: true, repositories: 2 } });
    expect(existsSync(path.join(s.data, 'backups', `${name}.verify.json`))).toBe(true);
    expect((await list(s)).find((b) => b.name === name)!.verify).toMatchObject({ ok: true, error: null });

    const dl = await s.api('GET', `/api/v1/admin/backups/${name}/download`, { auth: alice });
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-disposition')).toBe(`attachment; filename="${name}"`);
    expect(dl.headers.get('content-type')).toBe('application/gzip');
    expect(sha256(new Uint8Array(await dl.arrayBuffer()))).toBe(sha256(onDisk));
  });

  it('records a failed verify of a truncated upload, and refuses what is not an archive', async () => {
    const whole = await readFile(path.join(s.data, 'backups', name));
    const up = await json<Entry>(
      await s.api('POST', '/api/v1/admin/backups/upload', { auth: alice, headers: { 'Content-Type': 'application/gzip' }, body: whole.subarray(0, Math.floor(whole.length * 0.6)) }),
      201,
    );
    expect(up.name).toMatch(/^gitssy-uploaded-/);
    const v = await json<Job>(await s.api('POST', `/api/v1/admin/backups/${up.name}/verify`, { auth: alice }), 202);
    const { job } = await finished(s, v.id);
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/damaged or truncated/);
    expect((await list(s)).find((b) => b.name === up.name)!.verify).toMatchObject({ ok: false, error: expect.stringMatching(/truncated/) });

    const notGzip = await s.api('POST', '/api/v1/admin/backups/upload', { auth: alice, headers: { 'Content-Type': 'application/gzip' }, body: 'hello, not an archive' });
    expect(notGzip.status).toBe(422);
    expect(((await notGzip.json()) as { message: string }).message).toMatch(/not a gzip archive/);
    const asJson = await s.api('POST', '/api/v1/admin/backups/upload', { auth: alice, json: { file: 'x' } });
    expect(asJson.status).toBe(415);
    expect((await readdir(path.join(s.data, 'backups'))).filter((f) => f.endsWith('.partial'))).toEqual([]);

    expect((await s.api('DELETE', `/api/v1/admin/backups/${up.name}`, { auth: alice })).status).toBe(204);
    expect(existsSync(path.join(s.data, 'backups', up.name))).toBe(false);
    expect(existsSync(path.join(s.data, 'backups', `${up.name}.verify.json`))).toBe(false);
    expect((await s.api('DELETE', `/api/v1/admin/backups/${up.name}`, { auth: alice })).status).toBe(404);
    expect((await s.api('GET', '/api/v1/admin/backups/..%2Fgitssy.db/download', { auth: alice })).status).toBe(404);
  });

  it('lets only site administrators in', async () => {
    for (const [method, p] of [
      ['GET', '/api/v1/admin/backups'],
      ['POST', '/api/v1/admin/backups'],
      ['GET', `/api/v1/admin/backups/${name}/download`],
      ['POST', `/api/v1/admin/backups/${name}/verify`],
      ['POST', `/api/v1/admin/backups/${name}/restore`],
      ['DELETE', `/api/v1/admin/backups/${name}`],
      ['PUT', '/api/v1/admin/backups/schedule'],
    ] as const) {
      const asBob = await s.api(method, p, { auth: bob, json: method === 'PUT' ? { schedule: 'daily' } : undefined });
      expect([403, 404], `${method} ${p} as a user`).toContain(asBob.status);
      const anon = await s.api(method, p);
      expect([401, 403, 404], `${method} ${p} anonymously`).toContain(anon.status);
    }
    expect(existsSync(path.join(s.data, 'backups', name))).toBe(true);
    expect((await json<{ schedule: string }>(await s.api('GET', '/api/v1/admin/backups/schedule', { auth: alice }), 200)).schedule).toBe('off');
  });
});

describe('restore over the running data', () => {
  it('refuses a damaged archive and changes nothing, then restores a good one after a safety backup and serves it on the same port', async () => {
    const before = await refsOf(s.gitUrl('alice/pub.git', alice));
    const job = await json<Job>(await s.api('POST', '/api/v1/admin/backups', { auth: alice, json: {} }), 202);
    const snapshot = (await finished(s, job.id)).job.name!;

    // changes after the backup: a branch and a repository the restore will take away
    await gitOk(['push', '-q', s.gitUrl('alice/pub.git', alice), 'main:after-backup'], { cwd: src });
    await createRepo(s, alice, { name: 'later' });
    const afterChanges = await refsOf(s.gitUrl('alice/pub.git', alice));
    expect(afterChanges.length).toBe(before.length + 1);

    // a damaged archive (one byte flipped mid-stream) is refused; the data and the server are untouched
    const bytes = await readFile(path.join(s.data, 'backups', snapshot));
    const bad = damaged(bytes, Math.floor(bytes.length / 2));
    const refused = await json<Job>(await s.api('POST', '/api/v1/admin/backups/restore', { auth: alice, headers: { 'Content-Type': 'application/gzip' }, body: bad }), 202);
    const r1 = (await finished(s, refused.id)).job;
    expect(r1.state).toBe('failed');
    expect(r1.error).toMatch(/nothing was restored/);
    expect(await refsOf(s.gitUrl('alice/pub.git', alice))).toEqual(afterChanges);
    expect((await s.api('GET', '/api/v1/repos/alice/later', { auth: alice })).status).toBe(200);
    expect((await readdir(path.dirname(s.data))).filter((f) => f.startsWith(`${path.basename(s.data)}.`))).toEqual([]);
    expect((await list(s)).some((b) => b.kind === 'safety')).toBe(false);

    // the real restore
    const started = await json<Job>(await s.api('POST', `/api/v1/admin/backups/${snapshot}/restore`, { auth: alice }), 202);
    expect(started.type).toBe('restore');
    const { job: done } = await finished(s, started.id);
    expect(done.error).toBeNull();
    expect(done.state).toBe('done');
    const safety = (done.result as { safety_backup: string }).safety_backup;
    expect(safety).toMatch(/^gitssy-safety-/);

    // same port, the backed-up refs, the later repository gone, pushes land through the new hooks
    expect(await refsOf(s.gitUrl('alice/pub.git', alice))).toEqual(before);
    expect((await s.api('GET', '/api/v1/repos/alice/later', { auth: alice })).status).toBe(404);
    await gitOk(['push', '-q', s.gitUrl('alice/pub.git', alice), 'main:after-restore'], { cwd: src });
    const backups = await list(s);
    expect(backups.find((b) => b.name === safety)?.kind).toBe('safety');
    expect(backups.some((b) => b.name === snapshot)).toBe(true);

    // the safety backup holds what the restore replaced
    const elsewhere = path.join(await tempDir(), 'safety');
    const rr = await run(process.execPath, [CLI, 'backup', 'restore', path.join(s.data, 'backups', safety), '--data', elsewhere], { env: { PATH: process.env.PATH! } });
    expect(rr.code).toBe(0);
    const refs = await gitOk(['--git-dir', path.join(elsewhere, 'repos', 'alice', 'pub.git'), 'for-each-ref', '--format=%(refname)']);
    expect(refs).toContain('refs/heads/after-backup');
    expect(existsSync(path.join(elsewhere, 'repos', 'alice', 'later.git'))).toBe(true);
  });
});

describe('scheduled backups', () => {
  it('takes a backup when one is due and prunes scheduled backups to keep N, never the others', async () => {
    const dir = path.join(s.data, 'backups');
    const any = (await list(s)).find((b) => b.kind === 'manual')!;
    const old = ['2026-01-01T03-00-00Z', '2026-01-02T03-00-00Z', '2026-01-03T03-00-00Z'].map((t) => `gitssy-scheduled-${t}.tar.gz`);
    for (const n of old) await copyFile(path.join(dir, any.name), path.join(dir, n));
    const others = (await list(s))
      .filter((b) => b.kind !== 'scheduled')
      .map((b) => b.name)
      .sort();

    const bad = await s.api('PUT', '/api/v1/admin/backups/schedule', { auth: alice, json: { schedule: 'daily', time: '25:00', keep: 2 } });
    expect(bad.status).toBe(422);
    expect((await json<{ schedule: string }>(await s.api('GET', '/api/v1/admin/backups/schedule', { auth: alice }), 200)).schedule).toBe('off');

    // 00:00 local has always passed today, and no scheduled backup is newer: due at the next tick (200 ms here)
    const set = await json<{ schedule: string; next_run_at: string }>(await s.api('PUT', '/api/v1/admin/backups/schedule', { auth: alice, json: { schedule: 'daily', time: '00:00', keep: 2 } }), 200);
    expect(set.schedule).toBe('daily');
    expect(new Date(set.next_run_at).getTime()).toBeGreaterThan(Date.now());
    const state = await waitFor(async () => {
      const st = await json<{ last_run: { ok: boolean; name: string; pruned: string[] } | null }>(await s.api('GET', '/api/v1/admin/backups/schedule', { auth: alice }), 200);
      return st.last_run;
    }, 60_000);
    expect(state.ok).toBe(true);
    expect(state.name).toMatch(/^gitssy-scheduled-/);
    expect(state.pruned.sort()).toEqual(old.slice(0, 2));
    const scheduled = (await list(s)).filter((b) => b.kind === 'scheduled').map((b) => b.name);
    expect(scheduled.sort()).toEqual([old[2]!, state.name].sort());
    expect(
      (await list(s))
        .filter((b) => b.kind !== 'scheduled')
        .map((b) => b.name)
        .sort(),
    ).toEqual(others);

    // once per slot: a few more ticks take no further backup
    await new Promise((r) => setTimeout(r, 1000));
    expect((await list(s)).filter((b) => b.kind === 'scheduled').length).toBe(2);
    await s.api('PUT', '/api/v1/admin/backups/schedule', { auth: alice, json: { schedule: 'off' } });
  });
});

describe('backup CLI', () => {
  it('lists and verifies backups, and refuses to restore over a running server', async () => {
    const l = await s.cli(['backup', 'list']);
    expect(l.code).toBe(0);
    expect(l.stdout).toMatch(/^NAME\s+SIZE\s+CREATED\s+KIND/);
    expect(l.stdout).toMatch(/gitssy-safety-\S+\.tar\.gz .* safety /);
    const entries = JSON.parse((await s.cli(['backup', 'list', '--json'])).stdout) as Entry[];
    const manual = entries.find((e) => e.kind === 'manual')!;
    const file = path.join(s.data, 'backups', manual.name);

    const v = await run(process.execPath, [CLI, 'backup', 'verify', file], { env: { PATH: process.env.PATH! } });
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^verify: ok — 2 repositories/);
    expect(v.stderr).toMatch(/checking repositories/);
    // like every command it takes --data (the README says so), though the archive is all it reads
    const vd = await s.cli(['backup', 'verify', file]);
    expect(vd.code, vd.stderr).toBe(0);
    expect(vd.stdout).toMatch(/^verify: ok — 2 repositories/);

    const damaged = path.join(await tempDir(), 'damaged.tar.gz');
    const bytes = await readFile(file);
    await writeFile(damaged, bytes.subarray(0, bytes.length - 100));
    const vb = await run(process.execPath, [CLI, 'backup', 'verify', damaged], { env: { PATH: process.env.PATH! } });
    expect(vb.code).toBe(1);
    expect(vb.stderr).toMatch(/verify failed: .*(damaged|truncated)/);
    expect(JSON.parse(await readFile(`${damaged}.verify.json`, 'utf8'))).toMatchObject({ ok: false });

    const r = await s.cli(['backup', 'restore', file, '--force']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/restore refused: a Gitssy server \(pid \d+\) is running/);
  });

  it('restores over a stopped instance with --force after a safety backup, and a damaged archive changes nothing', async () => {
    const data = path.join(await tempDir(), 'd');
    const b = await startServer({ sqlite: true, data });
    let stopped = false;
    try {
      await createUser(b, 'alice', alice[1], { admin: true });
      await createRepo(b, alice, { name: 'one' });
      await gitOk(['push', '-q', b.gitUrl('alice/one.git', alice), 'main'], { cwd: src });
      const made = await b.cli(['backup', 'create']);
      expect(made.code).toBe(0);
      const archive = made.stdout.match(/^backup: (\S+),/m)![1]!;
      await gitOk(['push', '-q', b.gitUrl('alice/one.git', alice), 'main:later'], { cwd: src });
      await b.stop();
      stopped = true;

      const cli = (args: string[]) => run(process.execPath, [CLI, ...args, '--data', data], { env: { PATH: process.env.PATH! } });
      const heads = () => gitOk(['--git-dir', path.join(data, 'repos', 'alice', 'one.git'), 'for-each-ref', '--format=%(refname)']);
      const withLater = await heads();
      expect(withLater).toContain('refs/heads/later');

      const noForce = await cli(['backup', 'restore', archive]);
      expect(noForce.code).toBe(1);
      expect(noForce.stderr).toMatch(/is not empty; .*--force/);

      const damagedFile = path.join(await tempDir(), 'bad.tar.gz');
      const bytes = await readFile(archive);
      await writeFile(damagedFile, damaged(bytes, Math.floor(bytes.length / 3)));
      const refused = await cli(['backup', 'restore', damagedFile, '--force']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/restore refused: /);
      expect(await heads()).toBe(withLater);
      expect((await readdir(path.join(data, 'backups'))).some((f) => f.includes('safety'))).toBe(false);
      expect((await readdir(path.dirname(data))).filter((f) => f.startsWith(`${path.basename(data)}.`))).toEqual([]);

      const ok = await cli(['backup', 'restore', archive, '--force']);
      expect(ok.stderr).not.toMatch(/refused/);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/replaced .*; the previous data is in .*gitssy-safety-/);
      expect(await heads()).not.toContain('refs/heads/later');
      expect((await git(['--git-dir', path.join(data, 'repos', 'alice', 'one.git'), 'fsck', '--no-dangling'])).code).toBe(0);
      const safety = (await readdir(path.join(data, 'backups'))).filter((f) => f.startsWith('gitssy-safety-'));
      expect(safety.length).toBe(1);
      expect(existsSync(archive)).toBe(true); // the backups folder came across
    } finally {
      if (!stopped) await b.stop();
    }
  });
});

describe('uploads and restores that must not be trusted or raced', () => {
  it('stores 8 parallel uploads as 8 distinct files, each byte-identical to its body', async () => {
    const { gzipSync } = await import('node:zlib');
    const { randomBytes } = await import('node:crypto');
    const bodies = Array.from({ length: 8 }, () => gzipSync(randomBytes(200_000)));
    const answers = await Promise.all(bodies.map((body) => s.api('POST', '/api/v1/admin/backups/upload', { auth: alice, headers: { 'Content-Type': 'application/gzip' }, body })));
    const texts = await Promise.all(answers.map((r) => r.text()));
    expect(
      answers.map((r) => r.status),
      texts.join('\n'),
    ).toEqual(Array(8).fill(201));
    const names = texts.map((t) => (JSON.parse(t) as Entry).name);
    expect(new Set(names).size).toBe(8);
    for (const [i, n] of names.entries()) expect(sha256(await readFile(path.join(s.data, 'backups', n)))).toBe(sha256(bodies[i]!));
    expect((await readdir(path.join(s.data, 'backups'))).filter((f) => f.endsWith('.partial'))).toEqual([]);
    for (const n of names) expect((await s.api('DELETE', `/api/v1/admin/backups/${n}`, { auth: alice })).status).toBe(204);
  });

  it('refuses a restore upload while another job runs before reading the body, and keeps no file', async () => {
    const { gzipSync } = await import('node:zlib');
    const auth = `Basic ${Buffer.from(alice.join(':')).toString('base64')}`;
    const before = (await readdir(path.join(s.data, 'backups')).catch(() => [] as string[])).sort();
    let status = 0;
    // a backup job must still be running when the restore arrives: try a few times
    for (let attempt = 0; attempt < 5 && status !== 409; attempt++) {
      const job = await json<Job>(await s.api('POST', '/api/v1/admin/backups', { auth: alice, json: {} }), 202);
      // a body that never ends: only an answer given before reading it can come back
      const body = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(gzipSync(Buffer.from('partial'))) });
      const ctl = new AbortController();
      const timer = setTimeout(() => ctl.abort(), 3000);
      const res = await fetch(`${s.url}/api/v1/admin/backups/restore`, {
        method: 'POST',
        headers: { Authorization: auth, 'Content-Type': 'application/gzip' },
        body,
        duplex: 'half',
        signal: ctl.signal,
      } as RequestInit).catch(() => null);
      clearTimeout(timer);
      status = res?.status ?? 0;
      if (res) expect(((await res.json()) as { message: string }).message).toMatch(/already running/);
      await finished(s, job.id);
    }
    expect(status).toBe(409);
    await new Promise((r) => setTimeout(r, 200));
    const after = (await readdir(path.join(s.data, 'backups'))).filter((f) => !f.startsWith('gitssy-2') && !before.includes(f));
    expect(after).toEqual([]);
  });

  it("restores an archive whose repository config runs commands without running them, and keeps this machine's .gitssy.env", async () => {
    const data = path.join(await tempDir(), 'd');
    const { mkdir, stat } = await import('node:fs/promises');
    await mkdir(data, { recursive: true });
    const ours = '# this machine\nGITSSY_LOG_LEVEL=info\n';
    await writeFile(path.join(data, '.gitssy.env'), ours);
    const b = await startServer({ sqlite: true, data });
    try {
      await createUser(b, 'alice', alice[1], { admin: true });
      await createRepo(b, alice, { name: 'one' });
      await createRepo(b, alice, { name: 'two' });
      await gitOk(['push', '-q', b.gitUrl('alice/one.git', alice), 'main'], { cwd: src });
      const made = (await finished(b, (await json<Job>(await b.api('POST', '/api/v1/admin/backups', { auth: alice, json: {} }), 202)).id)).job;
      expect(made.state).toBe('done');

      // unpack, plant the traps, fix the manifest's checksums, pack again
      const work = await tempDir();
      const tree = path.join(work, 'tree');
      await mkdir(tree);
      expect((await run('tar', ['-xzf', path.join(data, 'backups', made.name!), '-C', tree])).code).toBe(0);
      const marker = path.join(work, 'pwned');
      const evilInclude = path.join(work, 'evil.gitconfig');
      await writeFile(evilInclude, `[core]\n\tfsmonitor = touch ${marker}.fsmonitor\n`);
      const repo = 'repos/alice/one.git';
      const cfg = path.join(tree, repo, 'config');
      await writeFile(cfg, (await readFile(cfg, 'utf8')) + `[core]\n\talternateRefsCommand = touch ${marker}\n[include]\n\tpath = ${evilInclude}\n[includeIf "gitdir:/"]\n\tpath = ${evilInclude}\n`);
      await mkdir(path.join(tree, repo, 'objects', 'info'), { recursive: true });
      await writeFile(path.join(tree, repo, 'objects', 'info', 'alternates'), path.join(tree, 'repos', 'alice', 'two.git', 'objects') + '\n');
      const theirs = '# the machine the backup came from\nGITSSY_HOST=203.0.113.9\n';
      await writeFile(path.join(tree, '.gitssy.env'), theirs);
      const manifest = JSON.parse(await readFile(path.join(tree, 'manifest.json'), 'utf8')) as { files: Record<string, { size: number; sha256: string }> };
      for (const rel of [`${repo}/config`, `${repo}/objects/info/alternates`, '.gitssy.env']) {
        const b2 = await readFile(path.join(tree, rel));
        manifest.files[rel] = { size: b2.length, sha256: sha256(b2) };
      }
      await writeFile(path.join(tree, 'manifest.json'), JSON.stringify(manifest));
      const crafted = path.join(work, 'crafted.tar.gz');
      const top = (await readdir(tree)).filter((n) => n !== 'manifest.json');
      expect((await run('tar', ['-czf', crafted, '-C', tree, 'manifest.json', ...top])).code).toBe(0);

      const started = await json<Job>(await b.api('POST', '/api/v1/admin/backups/restore', { auth: alice, headers: { 'Content-Type': 'application/gzip' }, body: await readFile(crafted) }), 202);
      const { job } = await finished(b, started.id);
      expect(job.error).toBeNull();
      expect(job.state).toBe('done');
      expect(job.result).toMatchObject({ env_restored_as: '.gitssy.env.restored' });
      expect(await readFile(path.join(data, '.gitssy.env'), 'utf8')).toBe(ours);
      expect(await readFile(path.join(data, '.gitssy.env.restored'), 'utf8')).toBe(theirs);

      const dir = path.join(data, repo);
      expect(existsSync(path.join(dir, 'objects', 'info', 'alternates'))).toBe(false);
      const keys = (await gitOk(['config', '--file', path.join(dir, 'config'), '--list'])).toLowerCase();
      expect(keys).not.toMatch(/alternaterefscommand|fsmonitor|include/);
      expect(keys).toContain(`core.hookspath=${path.join(data, 'hooks')}`.toLowerCase());
      // a push still works (through our hooks) and runs nothing from the archive
      await gitOk(['push', '-q', b.gitUrl('alice/one.git', alice), 'main:after-restore'], { cwd: src });
      expect(await refsOf(b.gitUrl('alice/one.git', alice))).toEqual(expect.arrayContaining([expect.stringMatching(/refs\/heads\/after-restore$/)]));
      await gitOk(['clone', '-q', '--bare', b.gitUrl('alice/one.git', alice), path.join(work, 'clone.git')]);
      expect(
        await stat(marker).then(
          () => true,
          () => false,
        ),
      ).toBe(false);
      expect(
        await stat(`${marker}.fsmonitor`).then(
          () => true,
          () => false,
        ),
      ).toBe(false);
    } finally {
      await b.stop();
    }
  });
});
