// CI job logs in backups, against a real server whose jobs run on the host sandbox: every backup
// lists the logs in its manifest (count, bytes, which jobs) but carries their bytes only when the
// operator asks (API and CLI); verify and restore check the archive holds exactly the listed
// logs, and a restore puts them back where the job pages find them.
// These servers run on SQLite even under GITSSY_TEST_DB=postgres, so the PostgreSQL pass leaves
// this file out: it checks the data dir a restore leaves, gitssy.db among it (a PostgreSQL
// install's backups and in-place restore: backup-postgres.test.ts).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, createRepo, createUser, gitOk, run, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';
import { BWRAP } from '../fixtures/skip.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
const MARKER = 'ci-log-marker-7f3a';

interface Job {
  id: string;
  state: string;
  error: string | null;
  name: string | null;
  result: Record<string, unknown> | null;
}
interface CiLogs {
  included: boolean;
  count: number;
  bytes: number;
}
interface ManifestLogs extends CiLogs {
  jobs: { path: string; repo_id: number; job_id: number; repository: string | null; bytes: number }[];
}
interface Manifest {
  files: Record<string, { size: number; sha256: string }>;
  ci_logs?: ManifestLogs;
}

/** `gitssy <args>` without a server's --data (restore and verify name their own). */
const cli = (args: string[]) => run(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH! } });
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function json<T>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function entries(file: string): Promise<string[]> {
  const out: string[] = [];
  await tar.list({ file, onReadEntry: (e) => void out.push(e.path) });
  return out;
}

async function unpack(file: string): Promise<{ dir: string; manifest: Manifest }> {
  const dir = path.join(await tempDir(), 'x');
  await mkdir(dir);
  await tar.extract({ file, cwd: dir });
  return { dir, manifest: JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as Manifest };
}

async function repack(dir: string, manifest: Manifest, file: string): Promise<void> {
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  const top = (await readdir(dir)).filter((n) => n !== 'manifest.json');
  await tar.create({ gzip: true, cwd: dir, file, portable: true }, ['manifest.json', ...top]);
}

describe.skipIf(!BWRAP)(`CI logs in backups${BWRAP ? '' : ' (skipped: the jobs need the host sandbox and bubblewrap is not installed here; apt-get install bubblewrap)'}`, () => {
  let s: TestServer;
  let repoId: number;
  /** ci/<repo-id>/<job-id>.log → its bytes on the server. */
  const logs = new Map<string, Buffer>();
  let metaOnly: string;
  let withLogs: string;

  const backup = async (body: Record<string, unknown>): Promise<Job> => {
    const started = await json<Job>(await s.api('POST', '/api/v1/admin/backups', { auth: alice, json: body }), 202);
    return waitFor(
      async () => {
        const j = await json<Job>(await s.api('GET', `/api/v1/admin/backups/jobs/${started.id}`, { auth: alice }), 200);
        return j.state === 'done' || j.state === 'failed' ? j : null;
      },
      120_000,
      50,
    );
  };

  beforeAll(async () => {
    s = await startServer({ sqlite: true, env: { GITSSY_CI_BACKEND: 'sandbox' } });
    await createUser(s, 'alice', alice[1], { admin: true });
    repoId = (await createRepo(s, alice, { name: 'proj' })).id as number;
    const work = await tempDir('gitssy-ci-work-');
    await gitOk(['init', '-q', '-b', 'main', work]);
    await mkdir(path.join(work, '.ci'));
    // two commits, two jobs, two logs of different sizes
    for (const n of [1, 2]) {
      await writeFile(path.join(work, '.ci', 'run.sh'), `#!/bin/sh\necho "${MARKER} job ${n}"\nseq 1 ${n * 50}\n`);
      await chmod(path.join(work, '.ci', 'run.sh'), 0o755);
      await gitOk(['add', '-A'], { cwd: work });
      await gitOk(['commit', '-q', '-m', `commit ${n}`], { cwd: work });
      await gitOk(['push', '-q', s.gitUrl('alice/proj.git', alice), 'HEAD:refs/heads/main'], { cwd: work });
    }
    const jobs = await waitFor(
      async () => {
        const list = await json<{ id: number; state: string }[]>(await s.api('GET', '/api/v1/repos/alice/proj/ci/jobs', { auth: alice }), 200);
        return list.length === 2 && list.every((j) => j.state === 'success') ? list : null;
      },
      120_000,
      200,
    );
    for (const j of jobs) logs.set(`ci/${repoId}/${j.id}.log`, await readFile(path.join(s.data, 'ci', String(repoId), `${j.id}.log`)));
    expect([...logs.values()].every((b) => b.toString().includes(MARKER))).toBe(true);
  }, 180_000);
  afterAll(async () => s?.stop());

  it('lists the logs in the manifest without their bytes by default, and verifies and restores such a backup', async () => {
    const job = await backup({});
    expect(job.state, job.error ?? '').toBe('done');
    const total = [...logs.values()].reduce((n, b) => n + b.length, 0);
    expect(job.result).toMatchObject({ ci_logs: { included: false, count: 2, bytes: total } });
    metaOnly = path.join(s.data, 'backups', job.name!);
    expect((await entries(metaOnly)).filter((e) => e.startsWith('ci'))).toEqual([]);

    const { manifest } = await unpack(metaOnly);
    expect(manifest.ci_logs).toMatchObject({ included: false, count: 2, bytes: total });
    expect(manifest.ci_logs!.jobs.map((j) => [j.path, j.repo_id, j.repository, j.bytes]).sort()).toEqual([...logs].map(([p, b]) => [p, repoId, 'alice/proj', b.length]).sort());
    for (const j of manifest.ci_logs!.jobs) expect(j.path).toBe(`ci/${j.repo_id}/${j.job_id}.log`);

    const listed = await json<{ name: string; ci_logs: CiLogs | null }[]>(await s.api('GET', '/api/v1/admin/backups', { auth: alice }), 200);
    expect(listed.find((b) => b.name === job.name)!.ci_logs).toEqual({ included: false, count: 2, bytes: total });

    const v = await cli(['backup', 'verify', metaOnly]);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(await readFile(`${metaOnly}.verify.json`, 'utf8'))).toMatchObject({ ok: true, ci_logs: { included: false, count: 2 } });

    const target = path.join(await tempDir(), 'restored');
    const r = await cli(['backup', 'restore', metaOnly, '--data', target]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/2 CI logs .* listed; the backup was taken without their bytes/);
    expect(existsSync(path.join(target, 'ci'))).toBe(false);
  });

  it('carries the logs when asked (API and CLI), and a restore puts them back where the job pages read them', async () => {
    const job = await backup({ include_ci_logs: true });
    expect(job.state, job.error ?? '').toBe('done');
    expect(job.result).toMatchObject({ ci_logs: { included: true, count: 2 } });
    const viaApi = path.join(s.data, 'backups', job.name!);
    expect((await entries(viaApi)).filter((e) => /^ci\/.+\.log$/.test(e)).sort()).toEqual([...logs.keys()].sort());
    const { dir, manifest } = await unpack(viaApi);
    for (const [p, b] of logs) {
      expect(sha256(await readFile(path.join(dir, p)))).toBe(sha256(b));
      expect(manifest.files[p]).toEqual({ size: b.length, sha256: sha256(b) });
    }
    const listed = await json<{ name: string; ci_logs: CiLogs | null }[]>(await s.api('GET', '/api/v1/admin/backups', { auth: alice }), 200);
    expect(listed.find((b) => b.name === job.name)!.ci_logs).toMatchObject({ included: true, count: 2 });

    // the CLI, through the running server
    withLogs = path.join(await tempDir(), 'with-logs.tar.gz');
    const c = await s.cli(['backup', 'create', '--out', withLogs, '--include-ci-logs']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toMatch(/2 CI logs \(\d+\.\d MiB\) included/);
    expect((await entries(withLogs)).filter((e) => /^ci\/.+\.log$/.test(e)).sort()).toEqual([...logs.keys()].sort());
    const plain = path.join(await tempDir(), 'plain.tar.gz');
    const p = await s.cli(['backup', 'create', '--out', plain]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stderr).toMatch(/2 CI logs .* listed, not included/);

    const v = await cli(['backup', 'verify', withLogs]);
    expect(v.code, v.stderr).toBe(0);
    const target = path.join(await tempDir(), 'restored');
    const r = await cli(['backup', 'restore', withLogs, '--data', target]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/2 CI logs .* in the archive, as listed/);
    for (const [rel, b] of logs) expect(sha256(await readFile(path.join(target, rel)))).toBe(sha256(b));
    const b = await startServer({ sqlite: true, data: target, env: { GITSSY_CI_BACKEND: 'off' } });
    try {
      const jobs = await json<{ id: number }[]>(await b.api('GET', '/api/v1/repos/alice/proj/ci/jobs', { auth: alice }), 200);
      expect(jobs.length).toBe(2);
      for (const j of jobs) {
        const log = await b.api('GET', `/api/v1/repos/alice/proj/ci/jobs/${j.id}/log`, { auth: alice });
        expect(log.status).toBe(200);
        expect(Buffer.from(await log.arrayBuffer()).equals(logs.get(`ci/${repoId}/${j.id}.log`)!)).toBe(true);
      }
    } finally {
      await b.stop();
    }
  });

  it("refuses archives whose CI logs don't match the manifest's list, restoring nothing", async () => {
    const dir = await tempDir();
    const [first] = [...logs.keys()].sort();

    // included, but one listed log taken out (its checksum entry too, so only the list can tell)
    const a = await unpack(withLogs);
    await rm(path.join(a.dir, first!));
    delete a.manifest.files[first!];
    await repack(a.dir, a.manifest, path.join(dir, 'missing.tar.gz'));
    const r1 = await cli(['backup', 'verify', path.join(dir, 'missing.tar.gz')]);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain(`verify failed: the archive is missing the CI log ${first}`);

    // listed only, but a log slipped in (with a matching checksum entry)
    const b = await unpack(metaOnly);
    const bytes = logs.get(first!)!;
    await mkdir(path.dirname(path.join(b.dir, first!)), { recursive: true });
    await writeFile(path.join(b.dir, first!), bytes);
    b.manifest.files[first!] = { size: bytes.length, sha256: sha256(bytes) };
    await repack(b.dir, b.manifest, path.join(dir, 'extra.tar.gz'));
    const r2 = await cli(['backup', 'restore', path.join(dir, 'extra.tar.gz'), '--data', path.join(dir, 't2')]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/restore refused: the archive holds CI logs .* though its manifest says they were left out; nothing was restored/);
    expect(existsSync(path.join(dir, 't2'))).toBe(false);

    // a list that doesn't add up
    const c = await unpack(withLogs);
    c.manifest.ci_logs!.bytes += 1;
    await repack(c.dir, c.manifest, path.join(dir, 'sum.tar.gz'));
    const r3 = await cli(['backup', 'verify', path.join(dir, 'sum.tar.gz')]);
    expect(r3.code).toBe(1);
    expect(r3.stderr).toMatch(/the manifest's list of CI logs is damaged/);
  });

  it('refuses an include_ci_logs that is not a boolean', async () => {
    const r = await s.api('POST', '/api/v1/admin/backups', { auth: alice, json: { include_ci_logs: 'yes' } });
    expect(r.status).toBe(422);
    expect(((await r.json()) as { message: string }).message).toMatch(/include_ci_logs/);
  });
});
