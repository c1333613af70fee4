// CI on the host sandbox (bubblewrap + prlimit), end to end: a real server, real pushes, real
// jobs running .ci/run.sh. Success, failure and skipped commits; statuses (context gitssy/ci);
// exactly once across re-pushes, redeliveries and a SIGKILL; re-run, cancel and timeout; the API's
// shapes and permissions; secrets masked in logs; the "CI failed" notification and mail; the live
// log over socket.io; and the isolation cases: a fork bomb, a disk filler, a memory hog, the
// engine socket, the forge's environment and data dir, and its internal hook endpoint.
import { readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpReceiver, type SmtpReceiver } from '../fixtures/lan-client.js';
import { createRepo, createToken, createUser, gitOk, killHard, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';
import { outboxIdle, query } from './outbox-probe.js';
import { BWRAP } from '../fixtures/skip.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
const bob: [string, string] = ['bob', 'bob-pass-1234'];
const carol: [string, string] = ['carol', 'carol-pass-123'];

const FINISHED = ['success', 'failure', 'error', 'timed_out', 'cancelled', 'skipped'];

interface Job {
  id: number;
  repo: string;
  sha: string;
  ref: string;
  branch: string;
  state: string;
  backend: string | null;
  image: string | null;
  exit_code: number | null;
  reason: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  pusher: { login: string; avatar_url: string } | null;
  rerun_of: number | null;
  html_url: string;
  log_url: string;
}
interface Status {
  state: string;
  context: string;
  description: string;
  target_url: string;
}

/** A clone to commit and push from. */
class Work {
  constructor(
    readonly dir: string,
    private url: string,
  ) {}

  /** Pushes go to this server from now on (the same data dir, restarted on another port). */
  to(s: TestServer, repo: string): this {
    this.url = s.gitUrl(`${repo}.git`, alice);
    return this;
  }

  static async create(s: TestServer, repo: string): Promise<Work> {
    const dir = await tempDir('gitssy-ci-work-');
    await gitOk(['init', '-q', '-b', 'main', dir]);
    await writeFile(path.join(dir, 'README.md'), '# ci\n');
    await gitOk(['add', '-A'], { cwd: dir });
    await gitOk(['commit', '-q', '-m', 'first'], { cwd: dir });
    return new Work(dir, s.gitUrl(`${repo}.git`, alice));
  }

  /** Commits `.ci/run.sh` (executable; null removes it) and returns the commit id. */
  async commit(script: string | null, message = 'change'): Promise<string> {
    const f = path.join(this.dir, '.ci', 'run.sh');
    if (script === null) await rm(path.join(this.dir, '.ci'), { recursive: true, force: true });
    else {
      await mkdir(path.dirname(f), { recursive: true });
      await writeFile(f, `#!/bin/sh\n${script}\n`);
      await chmod(f, 0o755);
    }
    await writeFile(path.join(this.dir, 'nonce.txt'), randomBytes(8).toString('hex'));
    await gitOk(['add', '-A'], { cwd: this.dir });
    await gitOk(['commit', '-q', '-m', message], { cwd: this.dir });
    return (await gitOk(['rev-parse', 'HEAD'], { cwd: this.dir })).trim();
  }

  async push(ref = 'main'): Promise<void> {
    await gitOk(['push', '-q', this.url, `HEAD:refs/heads/${ref}`], { cwd: this.dir });
  }

  async pushScript(script: string | null, ref = 'main'): Promise<string> {
    const sha = await this.commit(script);
    await this.push(ref);
    return sha;
  }
}

/**
 * The processes of one commit's jobs still alive: as root the sandbox runs each job as its own
 * host uid from 1100000 on, and every process of a job carries its GIT_SHA. Other test files
 * run jobs at the same time, so the commit, not the uid range, says whose a process is.
 */
function jobProcesses(sha: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const st = readFileSync(`/proc/${pid}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(st)?.[1]);
      if (uid < 1_100_000 || uid >= 1_900_000) continue;
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (environ.includes(`GIT_SHA=${sha}`)) out.push(`${pid} ${/^Name:\s+(.*)$/m.exec(st)?.[1]}`);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function client(s: TestServer) {
  const api = async <T>(method: string, p: string, who: [string, string] | null = alice, json?: unknown): Promise<{ status: number; body: T; headers: Headers }> => {
    const res = await s.api(method, p, { ...(who ? { auth: who } : {}), ...(json !== undefined ? { json } : {}) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // text/plain (logs) stays text
    }
    return { status: res.status, body: body as T, headers: res.headers };
  };
  const jobs = async (repo: string, q = ''): Promise<Job[]> => {
    const r = await api<Job[]>('GET', `/api/v1/repos/${repo}/ci/jobs?limit=50${q}`);
    expect(r.status).toBe(200);
    return r.body;
  };
  const jobsFor = async (repo: string, sha: string) => (await jobs(repo)).filter((j) => j.sha === sha);
  /** The newest job for a commit once it is in one of `states` (a finished state by default). */
  const settled = async (repo: string, sha: string, states = FINISHED, timeoutMs = 60_000): Promise<Job> =>
    waitFor(
      async () => {
        const [j] = await jobsFor(repo, sha);
        return j && states.includes(j.state) ? j : null;
      },
      timeoutMs,
      100,
    );
  const log = async (repo: string, id: number, offset = 0): Promise<string> => {
    const r = await api<string>('GET', `/api/v1/repos/${repo}/ci/jobs/${id}/log?offset=${offset}`);
    expect(r.status).toBe(200);
    return String(r.body);
  };
  const statuses = async (repo: string, sha: string): Promise<Status[]> => (await api<Status[]>('GET', `/api/v1/repos/${repo}/commits/${sha}/statuses?limit=50`)).body;
  const settings = async (patch: Record<string, unknown>) => {
    const r = await api('PATCH', '/api/v1/admin/settings', alice, patch);
    expect(r.status).toBe(200);
  };
  return { api, jobs, jobsFor, settled, log, statuses, settings };
}

describe.skipIf(!BWRAP)(`CI on the host sandbox${BWRAP ? '' : ' (skipped: bubblewrap is not installed here; apt-get install bubblewrap)'}`, () => {
  const CANARY = `forge-canary-${randomBytes(6).toString('hex')}`;
  let s: TestServer;
  let c: ReturnType<typeof client>;
  let w: Work;
  let smtp: SmtpReceiver;
  const repo = 'alice/proj';

  beforeAll(async () => {
    smtp = await smtpReceiver();
    // the canary is in the forge's environment: no job may ever see it
    s = await startServer({ env: { GITSSY_CI_BACKEND: 'sandbox', GITSSY_TEST_CANARY: CANARY } });
    c = client(s);
    await createUser(s, 'alice', alice[1], { admin: true });
    await createUser(s, 'bob', bob[1], { via: alice });
    await createUser(s, 'carol', carol[1], { via: alice });
    await createRepo(s, alice, { name: 'proj', private: true });
    expect((await s.api('PUT', `/api/v1/repos/${repo}/collaborators/bob`, { auth: alice, json: { permission: 'read' } })).status).toBe(204);
    await c.settings({ 'smtp.host': '127.0.0.1', 'smtp.port': smtp.port, 'smtp.secure': false, 'smtp.from': 'Gitssy <forge@example.test>' });
    w = await Work.create(s, repo);
  });
  afterAll(async () => {
    await s?.stop();
    await smtp?.close();
    if (w) await rm(w.dir, { recursive: true, force: true });
  });

  it('runs .ci/run.sh for a pushed commit with CI, GIT_REPO, GIT_SHA and GIT_REF, and posts pending then success as gitssy/ci', async () => {
    const sha = await w.pushScript('echo "hello-ci CI=$CI repo=$GIT_REPO sha=$GIT_SHA ref=$GIT_REF"; echo "on stderr" >&2; id -u; pwd');
    const job = await c.settled(repo, sha);
    expect(job).toMatchObject({ repo, sha, ref: 'refs/heads/main', branch: 'main', state: 'success', backend: 'sandbox', image: null, exit_code: 0, reason: null, rerun_of: null });
    expect(job.pusher).toEqual({ login: 'alice', avatar_url: `${s.url}/avatars/alice` });
    expect(job.html_url).toBe(`${s.url}/${repo}/ci/${job.id}`);
    expect(job.log_url).toBe(`${s.url}/api/v1/repos/${repo}/ci/jobs/${job.id}/log`);
    expect(Date.parse(job.created_at)).toBeLessThanOrEqual(Date.parse(job.started_at!));
    expect(job.duration_ms).toBe(Date.parse(job.finished_at!) - Date.parse(job.started_at!));

    const log = await c.log(repo, job.id);
    expect(log).toContain(`hello-ci CI=true repo=${repo} sha=${sha} ref=refs/heads/main`);
    expect(log).toContain('on stderr');
    // an unprivileged user inside, in the checkout
    expect(log).toMatch(/^1000$/m);
    expect(log).toMatch(/^\/workspace$/m);

    // pending when queued (and while running), then success; newest first
    await outboxIdle(s.data);
    const st = (await c.statuses(repo, sha)).filter((x) => x.context === 'gitssy/ci');
    expect(st[0]).toMatchObject({ state: 'success', target_url: job.html_url });
    expect(st.length).toBeGreaterThanOrEqual(2);
    expect(st.slice(1).every((x) => x.state === 'pending')).toBe(true);
    const combined = await c.api<{ state: string }>('GET', `/api/v1/repos/${repo}/commits/${sha}/status`);
    expect(combined.body.state).toBe('success');

    // the stored log: <data>/ci/<repo-id>/<job-id>.log, read from an offset with its size in a header
    const files = await readdir(path.join(s.data, 'ci'));
    expect(files).toContain('1');
    const part = await c.api<string>('GET', `/api/v1/repos/${repo}/ci/jobs/${job.id}/log?offset=10`);
    expect(part.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(Number(part.headers.get('x-log-size'))).toBe(Buffer.byteLength(log));
    expect(String(part.body)).toBe(Buffer.from(log).subarray(10).toString());
  });

  it('records a failing script as failure with its exit code, posts failure, and tells the pusher in-app and by mail', async () => {
    const sha = await w.pushScript('echo broken; exit 3');
    const job = await c.settled(repo, sha);
    expect(job).toMatchObject({ state: 'failure', exit_code: 3, reason: '.ci/run.sh exited with 3' });
    await outboxIdle(s.data);
    expect((await c.statuses(repo, sha))[0]).toMatchObject({ state: 'failure', context: 'gitssy/ci' });
    const threads = (await c.api<{ subject: { title: string; html_url: string } }[]>('GET', '/api/v1/notifications?all=true')).body;
    const t = threads.find((x) => x.subject.html_url.endsWith(`/${repo}/ci/${job.id}`));
    expect(t?.subject.title).toMatch(/^CI failed on main in alice\/proj/);
    await waitFor(async () => smtp.messages.some((m) => m.data.includes(`/${repo}/ci/${job.id}`)), 15_000);
  });

  it('records a commit without .ci/run.sh as skipped at once, with no commit status', async () => {
    const sha = await w.pushScript(null);
    const job = await c.settled(repo, sha);
    expect(job).toMatchObject({ state: 'skipped', started_at: null, reason: 'this commit has no .ci/run.sh' });
    await outboxIdle(s.data);
    expect(await c.statuses(repo, sha)).toEqual([]);
    expect((await c.log(repo, job.id)).length).toBe(0);
  });

  it('queues a commit once: pushing the same commit to another branch, or again, queues nothing', async () => {
    const sha = await w.pushScript('echo once');
    await c.settled(repo, sha);
    await w.push('feature/same');
    await w.push('another');
    await outboxIdle(s.data);
    expect(await c.jobsFor(repo, sha)).toHaveLength(1);
    // a push of several branch heads queues one job per new commit, tags queue none
    const a = await w.commit('echo a');
    await w.push('multi-a');
    const b = await w.commit('echo b');
    await gitOk(['tag', 'v-ci'], { cwd: w.dir });
    await gitOk(['push', '-q', s.gitUrl(`${repo}.git`, alice), `${a}:refs/heads/multi-a2`, `${b}:refs/heads/multi-b`, 'refs/tags/v-ci'], { cwd: w.dir });
    await c.settled(repo, b);
    await outboxIdle(s.data);
    expect(await c.jobsFor(repo, a)).toHaveLength(1);
    expect(await c.jobsFor(repo, b)).toHaveLength(1);
  });

  it('re-runs a job as a new job (201, rerun_of, the re-runner as pusher) and posts its result', async () => {
    const sha = await w.pushScript('echo "run $CI_JOB_ID"');
    const first = await c.settled(repo, sha);
    const r = await c.api<Job>('POST', `/api/v1/repos/${repo}/ci/jobs/${first.id}/rerun`);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ sha, ref: first.ref, rerun_of: first.id, pusher: { login: 'alice' } });
    expect(['queued', 'running', 'success']).toContain(r.body.state);
    const second = await waitFor(async () => {
      const j = (await c.api<Job>('GET', `/api/v1/repos/${repo}/ci/jobs/${r.body.id}`)).body;
      return j.state === 'success' ? j : null;
    });
    expect(await c.log(repo, second.id)).toContain(`run ${second.id}`);
    expect(await c.jobsFor(repo, sha)).toHaveLength(2);
    await outboxIdle(s.data);
    expect((await c.statuses(repo, sha))[0]!.target_url).toMatch(new RegExp(`/ci/${second.id}$`));
  });

  it('answers the API as documented: list filters and X-Total-Count, 404s, and who may do what', async () => {
    const all = await c.api<Job[]>('GET', `/api/v1/repos/${repo}/ci/jobs?limit=2`);
    expect(all.status).toBe(200);
    expect(all.body).toHaveLength(2);
    expect(Number(all.headers.get('x-total-count'))).toBeGreaterThan(2);
    expect(all.body[0]!.id).toBeGreaterThan(all.body[1]!.id);
    const failed = await c.api<Job[]>('GET', `/api/v1/repos/${repo}/ci/jobs?state=failure`);
    expect(failed.body.length).toBeGreaterThan(0);
    expect(failed.body.every((j) => j.state === 'failure')).toBe(true);
    const branch = await c.api<Job[]>('GET', `/api/v1/repos/${repo}/ci/jobs?branch=multi-b`);
    expect(branch.body.map((j) => j.branch)).toEqual(['multi-b']);
    expect((await c.api('GET', `/api/v1/repos/${repo}/ci/jobs?state=bogus`)).status).toBe(422);
    const id = all.body[0]!.id;

    // a reader reads jobs and logs, and may not re-run or cancel
    expect((await c.api('GET', `/api/v1/repos/${repo}/ci/jobs/${id}`, bob)).status).toBe(200);
    expect((await c.api('GET', `/api/v1/repos/${repo}/ci/jobs/${id}/log`, bob)).status).toBe(200);
    expect((await c.api('POST', `/api/v1/repos/${repo}/ci/jobs/${id}/rerun`, bob)).status).toBe(403);
    expect((await c.api('POST', `/api/v1/repos/${repo}/ci/jobs/${id}/cancel`, bob)).status).toBe(403);
    // someone who can't read the private repository, and nobody at all, learn nothing
    for (const who of [carol, null]) {
      expect((await c.api('GET', `/api/v1/repos/${repo}/ci/jobs`, who)).status).toBe(404);
      expect((await c.api('GET', `/api/v1/repos/${repo}/ci/jobs/${id}/log`, who)).status).toBe(404);
    }
    expect((await c.api('POST', `/api/v1/repos/${repo}/ci/jobs/${id}/rerun`, carol)).status).toBe(404);
    expect((await c.api('POST', `/api/v1/repos/${repo}/ci/jobs/${id}/rerun`, null)).status).toBe(401);
    // unknown and malformed ids, and a job of another repository
    await createRepo(s, alice, { name: 'other' });
    for (const bad of ['999999', '0', 'abc', '1e3', '-1']) expect((await c.api('GET', `/api/v1/repos/${repo}/ci/jobs/${bad}`)).status).toBe(404);
    expect((await c.api('GET', `/api/v1/repos/alice/other/ci/jobs/${id}`)).status).toBe(404);
    // a finished job can't be cancelled
    expect((await c.api('POST', `/api/v1/repos/${repo}/ci/jobs/${id}/cancel`)).status).toBe(409);
    // a token without the repository scope is refused
    const tok = await createToken(s, 'alice', 'read:user');
    expect((await s.api('GET', `/api/v1/repos/${repo}/ci/jobs`, { token: tok })).status).toBe(403);

    // the console's view: the active backend and why, the candidates, workers and limits
    const admin = await c.api<{
      backend: { setting: string; source: string; active: string; reason: string; candidates: { name: string; ok: boolean }[] };
      workers: number;
      limits: Record<string, unknown>;
    }>('GET', '/api/v1/admin/ci');
    expect(admin.status).toBe(200);
    expect(admin.body.backend).toMatchObject({ setting: 'sandbox', source: 'env', active: 'sandbox' });
    expect(admin.body.backend.reason).toMatch(/GITSSY_CI_BACKEND=sandbox.*bubblewrap/);
    expect(admin.body.backend.candidates.find((x) => x.name === 'sandbox')).toMatchObject({ ok: true });
    expect(admin.body.workers).toBe(1);
    expect(admin.body.limits).toMatchObject({ cpus: 2, memory_mb: 2048, pids: 512, network: 'none', timeout_seconds: 600 });
    expect((await c.api('GET', '/api/v1/admin/ci', bob)).status).toBe(403);
  });

  it('cancels a running job (its sandbox is killed) and a queued one, and posts failure for them', async () => {
    const sha = await w.pushScript('echo started; sleep 120; echo never');
    const running = await c.settled(repo, sha, ['running']);
    await waitFor(async () => (await c.log(repo, running.id)).includes('started'));
    // a second commit waits behind it (one worker)
    const sha2 = await w.pushScript('echo queued-one');
    const queued = await c.settled(repo, sha2, ['queued']);
    // a job that will run posts pending as soon as it is queued
    await outboxIdle(s.data);
    expect((await c.statuses(repo, sha2))[0]).toMatchObject({ state: 'pending', description: 'Queued', context: 'gitssy/ci' });
    const q = await c.api<Job>('POST', `/api/v1/repos/${repo}/ci/jobs/${queued.id}/cancel`);
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({ state: 'cancelled', reason: 'Cancelled by alice', started_at: null });

    const t0 = Date.now();
    const r = await c.api<Job>('POST', `/api/v1/repos/${repo}/ci/jobs/${running.id}/cancel`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ state: 'cancelled', reason: 'Cancelled by alice' });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await c.log(repo, running.id)).not.toContain('never');
    // its processes are gone (the last ones may take a moment to be reaped)
    if (process.getuid?.() === 0) await waitFor(async () => jobProcesses(sha).length === 0, 10_000);
    await outboxIdle(s.data);
    expect((await c.statuses(repo, sha))[0]).toMatchObject({ state: 'failure', description: 'Cancelled by alice' });
    expect((await c.statuses(repo, sha2))[0]).toMatchObject({ state: 'failure', description: 'Cancelled by alice' });
    // nobody is told their job "failed" when someone cancelled it
    const threads = (await c.api<{ subject: { html_url: string } }[]>('GET', '/api/v1/notifications?all=true')).body;
    expect(threads.some((x) => x.subject.html_url.endsWith(`/ci/${running.id}`))).toBe(false);
  });

  it('stops a job at its timeout and records timed_out', async () => {
    await c.settings({ 'ci.timeoutSeconds': 5 });
    try {
      const sha = await w.pushScript('echo sleeping; sleep 60');
      const job = await c.settled(repo, sha, FINISHED, 30_000);
      expect(job).toMatchObject({ state: 'timed_out', reason: 'Timed out after 5 s', exit_code: null });
      expect(job.duration_ms!).toBeGreaterThanOrEqual(5_000);
      expect(job.duration_ms!).toBeLessThan(15_000);
      await outboxIdle(s.data);
      expect((await c.statuses(repo, sha))[0]).toMatchObject({ state: 'failure', description: 'Timed out after 5 s' });
    } finally {
      await c.settings({ 'ci.timeoutSeconds': 600 });
    }
  });

  it('masks the secrets registered for the repository in the log, and passes them as environment variables', async () => {
    const value = `s3cr3t-${randomBytes(6).toString('hex')}`;
    const put = await c.api('PUT', `/api/v1/repos/${repo}/actions/secrets/deploy_token`, alice, { data: value });
    expect(put.status).toBe(201);
    expect((await c.api('PUT', `/api/v1/repos/${repo}/ci/secrets/DEPLOY_TOKEN`, alice, { data: value })).status).toBe(204);
    expect((await c.api('PUT', `/api/v1/repos/${repo}/ci/secrets/OTHER`, alice, { data: 'multi\nline-secret-value\n' })).status).toBe(201);
    // values are write-only; names follow Gitea's rules; only repository admins manage them
    const list = await c.api<{ name: string }[]>('GET', `/api/v1/repos/${repo}/ci/secrets`);
    expect(list.body.map((x) => x.name)).toEqual(['DEPLOY_TOKEN', 'OTHER']);
    expect(JSON.stringify(list.body)).not.toContain(value);
    for (const bad of ['1ABC', 'GITEA_X', 'GITSSY_TOKEN', 'CI', 'bad-name']) expect((await c.api('PUT', `/api/v1/repos/${repo}/ci/secrets/${bad}`, alice, { data: 'x' })).status).toBe(422);
    expect((await c.api('PUT', `/api/v1/repos/${repo}/ci/secrets/EMPTY`, alice, { data: '' })).status).toBe(422);
    expect((await c.api('GET', `/api/v1/repos/${repo}/ci/secrets`, bob)).status).toBe(403);
    expect((await c.api('PUT', `/api/v1/repos/${repo}/ci/secrets/X`, bob, { data: 'x' })).status).toBe(403);

    // printed whole, in two writes, inside other text, and line by line
    const half = Math.floor(value.length / 2);
    const sha = await w.pushScript(
      [
        'echo "token=$DEPLOY_TOKEN"',
        `printf '%s' "${value.slice(0, half)}"; printf '%s\\n' "${value.slice(half)}"`,
        'echo "x${DEPLOY_TOKEN}y"',
        'printf "%s" "$OTHER"',
        'test "$DEPLOY_TOKEN" = "' + value + '" && echo env-ok',
      ].join('\n'),
    );
    const job = await c.settled(repo, sha);
    expect(job.state).toBe('success');
    const log = await c.log(repo, job.id);
    expect(log).not.toContain(value);
    expect(log).not.toContain(value.slice(half));
    expect(log).not.toContain('line-secret-value');
    expect(log).toContain('token=***');
    expect(log).toContain('x***y');
    expect(log).toContain('env-ok');
    expect((await c.api('DELETE', `/api/v1/repos/${repo}/ci/secrets/OTHER`)).status).toBe(204);
    expect((await c.api('DELETE', `/api/v1/repos/${repo}/ci/secrets/OTHER`)).status).toBe(404);
  });

  it('streams the log live to a watcher over socket.io (ci.watch, ci.log) and announces state changes (ci.job)', async () => {
    const token = await createToken(s, 'bob');
    const sock: Socket = io(s.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
    try {
      await new Promise<void>((resolve, reject) => {
        sock.once('connect', () => resolve());
        sock.once('connect_error', reject);
      });
      expect(await sock.emitWithAck('repo:subscribe', { repo })).toEqual({ ok: true });
      const states: string[] = [];
      sock.on('ci.job', (e: { repo: string; job: Job }) => states.push(`${e.job.id}:${e.job.state}`));
      const chunks: { offset: number; text: string }[] = [];
      sock.on('ci.log', (e: { repo: string; id: number; offset: number; text: string }) => chunks.push(e));
      const sha = await w.pushScript('echo first-line; sleep 2; echo second-line; sleep 1');
      const running = await c.settled(repo, sha, ['running']);
      const ack = (await sock.emitWithAck('ci.watch', { repo, id: running.id })) as { ok: boolean; offset: number };
      expect(ack.ok).toBe(true);
      // what a page does: the stored log up to the offset, then the chunks from there on
      const prefix = Buffer.from(await c.log(repo, running.id)).subarray(0, ack.offset);
      const assembled = () => {
        let out = prefix.toString();
        let at = ack.offset;
        for (const ch of chunks) {
          if (ch.offset < at) continue;
          expect(ch.offset).toBe(at);
          out += ch.text;
          at += Buffer.byteLength(ch.text);
        }
        return out;
      };
      const done = await c.settled(repo, sha);
      await waitFor(async () => assembled().includes('Passed'), 5_000);
      const text = assembled();
      expect(text).toBe(await c.log(repo, done.id));
      expect(text).toContain('second-line');
      await waitFor(async () => states.includes(`${done.id}:success`), 5_000);
      expect(states).toContain(`${done.id}:running`);
      // a job of a repository the socket can't read is refused like a missing one
      const carolTok = await createToken(s, 'carol');
      const other: Socket = io(s.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: carolTok } });
      try {
        await new Promise<void>((resolve) => other.once('connect', () => resolve()));
        expect(await other.emitWithAck('ci.watch', { repo, id: done.id })).toMatchObject({ ok: false, code: 'not_found' });
      } finally {
        other.close();
      }
    } finally {
      sock.close();
    }
  });

  describe('isolation', () => {
    it('contains a fork bomb: forks fail past ci.pids, the job ends, and nothing of it is left running', async () => {
      await c.settings({ 'ci.pids': 64 });
      try {
        const sha = await w.pushScript('bomb() { bomb | bomb & }; bomb; sleep 3; echo after-bomb; exit 0');
        const job = await c.settled(repo, sha, FINISHED, 60_000);
        expect(['success', 'failure']).toContain(job.state);
        const log = await c.log(repo, job.id);
        expect(log).toMatch(/fork|Resource temporarily unavailable/i);
        if (process.getuid?.() === 0) await waitFor(async () => jobProcesses(sha).length === 0, 10_000);
        // the host still forks, and the server still answers
        expect((await c.api('GET', '/api/v1/version')).status).toBe(200);
      } finally {
        await c.settings({ 'ci.pids': 512 });
      }
    });

    it('stops a job that fills the disk past ci.diskMb (one big file, or many small ones)', async () => {
      await c.settings({ 'ci.diskMb': 32 });
      try {
        const big = await w.pushScript('head -c 100000000 /dev/zero > big.bin; echo "big rc=$?"; ls -l big.bin');
        const j1 = await c.settled(repo, big);
        const l1 = await c.log(repo, j1.id);
        expect(l1).toMatch(/big rc=(?!0)/);
        expect(l1).toMatch(/ 33554432 /);
        const many = await w.pushScript('i=0; while true; do i=$((i+1)); head -c 1000000 /dev/zero > f$i || exit 9; done');
        const j2 = await c.settled(repo, many, FINISHED, 60_000);
        expect(j2.state).toBe('failure');
        expect(j2.reason).toMatch(/disk limit \(32 MiB\)/);
        // /tmp is a tmpfs of the same size
        const tmp = await w.pushScript('head -c 100000000 /dev/zero > /tmp/fill; echo "tmp rc=$?"; du -k /tmp/fill');
        const l3 = await c.log(repo, (await c.settled(repo, tmp)).id);
        expect(l3).toMatch(/tmp rc=(?!0)/);
      } finally {
        await c.settings({ 'ci.diskMb': 2048 });
      }
    });

    it('refuses memory past ci.memoryMb', async () => {
      await c.settings({ 'ci.memoryMb': 128 });
      try {
        const sha = await w.pushScript('python3 -c "x = bytearray(512 * 1024 * 1024); print(\'allocated\')"');
        const job = await c.settled(repo, sha);
        expect(job.state).toBe('failure');
        const log = await c.log(repo, job.id);
        expect(log).toContain('MemoryError');
        expect(log).not.toContain('allocated');
      } finally {
        await c.settings({ 'ci.memoryMb': 2048 });
      }
    });

    it("can't open the container engine's socket: /run and /var/run are not there", async () => {
      // the host's /run has sockets (this test could fail if the sandbox mounted it)
      expect((await readdir('/run')).length).toBeGreaterThan(0);
      const sha = await w.pushScript(
        [
          'for p in /run/docker.sock /var/run/docker.sock /run/podman/podman.sock /run/user; do',
          '  if [ -e "$p" ]; then echo "visible: $p"; exit 1; fi',
          'done',
          'if [ -e /run ] && [ -n "$(ls -A /run)" ]; then echo "/run has things"; exit 1; fi',
          'python3 -c "import socket; s = socket.socket(socket.AF_UNIX); s.connect(\'/var/run/docker.sock\')" 2>&1 | tail -1',
          'echo no-engine',
        ].join('\n'),
      );
      const job = await c.settled(repo, sha);
      const log = await c.log(repo, job.id);
      expect(log).toContain('No such file or directory');
      expect(log).toContain('no-engine');
      expect(job.state).toBe('success');
    });

    it("sees neither the forge's environment (/proc/1/environ, any process's) nor its data dir", async () => {
      const sha = await w.pushScript(
        [
          'echo "pid1=$(tr "\\0" " " < /proc/1/environ)"',
          'echo "procs=$(ls /proc | grep -c "^[0-9]")"',
          `cat /proc/*/environ 2>/dev/null | tr "\\0" "\\n" | grep -c "${CANARY.slice(0, 12)}" || true`,
          `ls -d "${s.data}" 2>&1 || true`,
          `cat "${path.join(s.data, 'run', 'internal.json')}" 2>&1 || true`,
          'ls / | tr "\\n" " "',
        ].join('\n'),
      );
      const job = await c.settled(repo, sha);
      const log = await c.log(repo, job.id);
      expect(job.state).toBe('success');
      expect(log).not.toContain(CANARY);
      expect(log).not.toMatch(/GITSSY_|SESSION|SECRET/);
      expect(log).toMatch(/^pid1=PATH=\/usr\/bin:\/bin $/m);
      // bwrap's init, the script and what it runs: not the host's processes
      expect(Number(/procs=(\d+)/.exec(log)?.[1])).toBeLessThan(10);
      expect(log).toContain(`ls: cannot access '${s.data}': No such file or directory`);
      expect(log).toMatch(/internal\.json: No such file or directory/);
      expect(log).not.toContain('"secret"');
    });

    it("can't reach the forge's internal hook endpoint or its HTTP port with network none", async () => {
      const internal = JSON.parse(await readFile(path.join(s.data, 'run', 'internal.json'), 'utf8')) as { port: number };
      // reachable from the host, so the test would notice if the sandbox shared the network
      const probe = await fetch(`http://127.0.0.1:${internal.port}/`).catch(() => null);
      expect(probe).not.toBeNull();
      const sha = await w.pushScript(
        [
          `for port in ${internal.port} ${s.port}; do`,
          '  if python3 -c "import socket,sys; socket.create_connection((\'127.0.0.1\', int(sys.argv[1])), timeout=3)" "$port" 2>/dev/null; then echo "reached $port"; exit 1; fi',
          '  echo "unreachable $port"',
          'done',
        ].join('\n'),
      );
      const job = await c.settled(repo, sha);
      const log = await c.log(repo, job.id);
      expect(log).toContain(`unreachable ${internal.port}`);
      expect(log).toContain(`unreachable ${s.port}`);
      expect(job.state).toBe('success');
    });
  });
});

describe.skipIf(!BWRAP)(`CI across a SIGKILL${BWRAP ? '' : ' (skipped: bubblewrap is not installed here)'}`, () => {
  let data: string;
  let s: TestServer | null = null;
  let w: Work;
  const repo = 'alice/crash';
  const env = { GITSSY_CI_BACKEND: 'sandbox' };
  beforeAll(async () => {
    data = await tempDir('gitssy-data-');
  });
  afterAll(async () => {
    await s?.stop();
    await rm(data, { recursive: true, force: true });
    if (w) await rm(w.dir, { recursive: true, force: true });
  });

  it('runs an acknowledged push exactly once when the server is killed between the push and the job', async () => {
    s = await startServer({ data, env });
    await createUser(s, 'alice', alice[1], { admin: true });
    await createRepo(s, alice, { name: 'crash' });
    w = await Work.create(s, repo);
    const sha = await w.pushScript('echo ran-once');
    await killHard(s);
    // the push is on disk; its job may or may not have been queued yet, never run twice
    s = await startServer({ data, env });
    let c = client(s);
    const job = await c.settled(repo, sha);
    expect(job.state).toBe('success');
    await outboxIdle(data);
    // once more, with the job done: a restart redelivers nothing that queues it again
    await killHard(s);
    s = await startServer({ data, env });
    c = client(s);
    await outboxIdle(data);
    expect(await c.jobsFor(repo, sha)).toHaveLength(1);
    expect((await c.log(repo, job.id)).match(/ran-once/g)).toHaveLength(1);
    const st = (await c.statuses(repo, sha)).filter((x) => x.context === 'gitssy/ci');
    expect(st.filter((x) => x.state === 'success')).toHaveLength(1);
    expect((await query<{ n: number }>(data, 'SELECT count(*) AS n FROM ci_jobs'))[0]!.n).toBe(1);
  });

  it('records a job that was running when the server died as an error (not run again) and lets it be re-run', async () => {
    let c = client(s!);
    const sha = await w.to(s!, repo).pushScript('echo long; sleep 120');
    const running = await c.settled(repo, sha, ['running']);
    await killHard(s!);
    // the sandbox dies with the server (--die-with-parent): nothing of the job survives it
    if (process.getuid?.() === 0) await waitFor(async () => jobProcesses(sha).length === 0, 10_000);
    s = await startServer({ data, env });
    c = client(s);
    const job = await c.settled(repo, sha);
    expect(job).toMatchObject({ id: running.id, state: 'error', reason: 'The server stopped while this job ran; re-run it' });
    await outboxIdle(data);
    expect((await c.statuses(repo, sha))[0]).toMatchObject({ state: 'error', context: 'gitssy/ci' });
    await c.settings({ 'ci.timeoutSeconds': 5 });
    const again = await c.api<Job>('POST', `/api/v1/repos/${repo}/ci/jobs/${running.id}/rerun`);
    expect(again.status).toBe(201);
    const rerun = await waitFor(async () => {
      const j = (await c.api<Job>('GET', `/api/v1/repos/${repo}/ci/jobs/${again.body.id}`)).body;
      return FINISHED.includes(j.state) ? j : null;
    }, 30_000);
    expect(rerun.state).toBe('timed_out');
  });
});
