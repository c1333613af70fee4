// Backups of an install on PostgreSQL: the records go into the archive as a pg_dump of a snapshot
// taken while writes were held (with the repositories' refs of the same moment), verify checks
// the dump is whole, and a restore loads it into an empty database for a new data dir, which then
// serves the same forge. An install is replaced in place (`restore --force`, the console) by
// loading the records into a new database beside its own and switching its .gitssy.env with the
// swap; a failed swap drops that database again and the previous one is left as it was. What is
// refused, changing nothing: a restore without a database to load into, into a database that
// isn't empty, and in place when DATABASE_URL comes from the environment (it would win over the switch).
import { copyFile, mkdir, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startPostgres, type PgCluster } from '../fixtures/postgres.js';
import { CLI, createRepo, createUser, gitOk, makeRepo, run, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';
import { fault } from './restore-state.js';
import { itUnless } from '../fixtures/skip.js';

const ALICE: [string, string] = ['alice', 'alice-pass-1234'];
const BOB: [string, string] = ['bob', 'bob-pass-123456'];

const restore = (archive: string, data: string, env: Record<string, string>, force = false) =>
  run(process.execPath, [CLI, 'backup', 'restore', archive, '--data', data, ...(force ? ['--force'] : [])], { env: { PATH: process.env.PATH!, ...env }, timeoutMs: 120_000 });

describe('backups of an install on PostgreSQL', () => {
  let cluster: PgCluster | { skip: string };
  let skip = '';
  let s: TestServer;
  let live: string;
  let archive: string;
  let head: string;
  let issue: number;

  beforeAll(async () => {
    cluster = await startPostgres();
    if ('skip' in cluster) {
      skip = cluster.skip;
      return;
    }
    live = await cluster.createDatabase('live');
    s = await startServer({ env: { DATABASE_URL: live } });
    await createUser(s, ...ALICE, { admin: true });
    await createUser(s, ...BOB, { via: ALICE });
    await createRepo(s, ALICE, { name: 'tools' });
    const src = await tempDir();
    await makeRepo(src, 3);
    await gitOk(['push', '-q', s.gitUrl('alice/tools.git', ALICE), 'main'], { cwd: src });
    head = (await gitOk(['rev-parse', 'HEAD'], { cwd: src })).trim();
    const res = await s.api('POST', '/api/v1/repos/alice/tools/issues', { auth: BOB, json: { title: 'Quokka parser crash', body: 'it fails' } });
    issue = ((await res.json()) as { number: number }).number;
    await s.api('POST', `/api/v1/repos/alice/tools/issues/${issue}/comments`, { auth: ALICE, json: { body: 'seen it' } });
  }, 120_000);

  afterAll(async () => {
    await s?.stop().catch(() => {});
    if (cluster && 'stop' in cluster) await cluster.stop();
  });

  const test = itUnless(() => skip);

  test('takes a backup through the running server with the records as a pg_dump, and verifies it', async () => {
    const made = await s.cli(['backup', 'create']);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stderr).toContain('dumping the PostgreSQL database at that moment (pg_dump)');
    // beside the test, not in the data dir (the rig removes that with the server)
    archive = path.join(await tempDir(), path.basename(/^backup: (\S+),/m.exec(made.stdout)![1]!));
    await copyFile(/^backup: (\S+),/m.exec(made.stdout)![1]!, archive);
    const entries = (await run('tar', ['-tzf', archive])).stdout.split('\n');
    expect(entries).toContain('gitssy.pgdump');
    expect(entries).not.toContain('gitssy.db');
    const manifest = JSON.parse((await run('tar', ['-xzOf', archive, 'manifest.json'])).stdout) as { database: string };
    expect(manifest.database).toBe('postgres');
    const verified = await s.cli(['backup', 'verify', archive]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stderr + verified.stdout).toMatch(/PostgreSQL dump readable: \d+ tables/);
  });

  test('refuses a restore with no database to load into, and one into a database that is not empty', async () => {
    const fresh = path.join(await tempDir(), 'data');
    const none = await restore(archive, fresh, {});
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('this is a backup of a PostgreSQL install: set DATABASE_URL to an empty PostgreSQL database to restore its records into');
    const taken = await restore(archive, fresh, { DATABASE_URL: live });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('the database at DATABASE_URL is not empty');
    expect((await run('ls', ['-A', path.dirname(fresh)])).stdout.trim()).toBe('');
  });

  test('restores into a new data dir and an empty database, which then serves the same forge', async () => {
    const moved = await (cluster as PgCluster).createDatabase('restored');
    const fresh = path.join(await tempDir(), 'data');
    const r = await restore(archive, fresh, { DATABASE_URL: moved });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('loading the records into PostgreSQL (pg_restore)');
    expect(await readFile(path.join(fresh, '.gitssy.env'), 'utf8')).toContain(`DATABASE_URL=${moved}\n`);
    // the restored install reads its database from its .gitssy.env
    const t = await startServer({ data: fresh, sqlite: true });
    try {
      expect((await t.api('GET', '/api/v1/user', { auth: BOB })).status).toBe(200);
      expect((await gitOk(['ls-remote', t.gitUrl('alice/tools.git', ALICE), 'refs/heads/main'])).split('\t')[0]).toBe(head);
      const comments = (await (await t.api('GET', `/api/v1/repos/alice/tools/issues/${issue}/comments`, { auth: BOB })).json()) as { body: string }[];
      expect(comments.map((c) => c.body)).toEqual(['seen it']);
      const next = await t.api('POST', '/api/v1/repos/alice/tools/issues', { auth: BOB, json: { title: 'After the restore' } });
      expect(next.status, await next.clone().text()).toBe(201);
      expect(((await next.json()) as { number: number }).number).toBe(issue + 1);
    } finally {
      await t.stop();
    }
  });
  /** The databases on the cluster whose name starts with `prefix`. */
  const databases = async (prefix: string) => {
    const client = new pg.Client({ connectionString: (cluster as PgCluster).url });
    await client.connect();
    try {
      return (await client.query<{ d: string }>(`SELECT datname AS d FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1`, [prefix])).rows.map((r) => r.d);
    } finally {
      await client.end();
    }
  };
  const titles = async (t: TestServer) =>
    ((await (await t.api('GET', '/api/v1/repos/alice/tools/issues?state=all&type=issues', { auth: BOB })).json()) as { title: string }[]).map((i) => i.title).sort();
  const envFile = (data: string) => readFile(path.join(data, '.gitssy.env'), 'utf8');
  /** An install restored from the archive whose .gitssy.env names `db`, with an issue filed after the backup. */
  const installOn = async (db: string) => {
    const url = await (cluster as PgCluster).createDatabase(db);
    const data = path.join(await tempDir(), 'data');
    const r = await restore(archive, data, { DATABASE_URL: url });
    expect(r.code, r.stderr).toBe(0);
    // DATABASE_URL from the .gitssy.env, not the environment
    const t = await startServer({ data, sqlite: true });
    const later = await t.api('POST', '/api/v1/repos/alice/tools/issues', { auth: BOB, json: { title: 'Filed after the backup' } });
    expect(later.status).toBe(201);
    return { url, data, t };
  };

  test('replaces a PostgreSQL install in place from the CLI: the records go into a new database, the previous one is left as it was', async () => {
    const { url, data, t } = await installOn('inplace');
    await t.stop();
    // DATABASE_URL from the environment would override the switch: refused, nothing changes
    const fromEnv = await restore(archive, data, { DATABASE_URL: url }, true);
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toMatch(/^gitssy: restore refused: this install's DATABASE_URL comes from the environment, and a restore in place switches it to a new database in \S+\.gitssy\.env/);
    // a swap that fails puts the data back and drops the database it had loaded
    const failed = await restore(archive, data, fault('move-new'), true);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('the previous data is still in place, unchanged');
    expect(failed.stderr).toMatch(/loading the records into a new database, inplace_r[0-9a-f]{8} \(pg_restore\)/);
    expect(await databases('inplace_r')).toEqual([]);
    expect(await envFile(data)).toContain(`DATABASE_URL=${url}\n`);

    const r = await restore(archive, data, {}, true);
    expect(r.code, r.stderr).toBe(0);
    const made = await databases('inplace_r');
    expect(made).toHaveLength(1);
    expect(r.stdout).toContain(`restore: the records are in the new database ${made[0]} (DATABASE_URL in ${path.join(data, '.gitssy.env')}); the previous ones stay in inplace until you drop it\n`);
    expect(await envFile(data)).toContain(`DATABASE_URL=${url.replace(/inplace$/, made[0]!)}\n`);
    const after = await startServer({ data, sqlite: true });
    try {
      expect(await titles(after)).toEqual(['Quokka parser crash']);
      expect((await gitOk(['ls-remote', after.gitUrl('alice/tools.git', ALICE), 'refs/heads/main'])).split('\t')[0]).toBe(head);
      const next = await after.api('POST', '/api/v1/repos/alice/tools/issues', { auth: BOB, json: { title: 'After the restore' } });
      expect(((await next.json()) as { number: number }).number).toBe(issue + 1);
    } finally {
      await after.stop();
    }
    // the previous records, untouched (the safety backup holds them too)
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      expect((await client.query<{ title: string }>('SELECT title FROM issues ORDER BY "index"')).rows.map((x) => x.title)).toEqual(['Quokka parser crash', 'Filed after the backup']);
    } finally {
      await client.end();
    }
    expect((await readdir(path.join(data, 'backups'))).filter((f) => f.startsWith('gitssy-safety-'))).toHaveLength(2);
  });

  test('replaces a PostgreSQL install in place from the console, switching databases with the restart', async () => {
    // a server whose DATABASE_URL is in its environment can't switch: refused before anything is done
    const refused = await s.api('POST', `/api/v1/admin/backups/${path.basename(archive)}/restore`, { auth: ALICE });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { message: string }).message).toMatch(/DATABASE_URL comes from the environment/);

    const { data, t } = await installOn('console');
    try {
      const name = 'gitssy-2026-01-01T00-00-00Z.tar.gz';
      await mkdir(path.join(data, 'backups'), { recursive: true });
      await copyFile(archive, path.join(data, 'backups', name));
      const res = await t.api('POST', `/api/v1/admin/backups/${name}/restore`, { auth: ALICE });
      expect(res.status, await res.clone().text()).toBe(202);
      const { id } = (await res.json()) as { id: string };
      const job = await waitFor(
        async () => {
          const r = await t.api('GET', `/api/v1/admin/backups/jobs/${id}`, { auth: ALICE }).catch(() => null);
          if (!r || r.status !== 200) return null;
          const j = (await r.json()) as { state: string; error: string | null; result: Record<string, unknown> | null };
          return j.state === 'done' || j.state === 'failed' ? j : null;
        },
        120_000,
        50,
      );
      expect(job.error).toBeNull();
      expect(job.result).toMatchObject({ database: expect.stringMatching(/^console_r[0-9a-f]{8}$/), previous_database: 'console', safety_backup: expect.stringMatching(/^gitssy-safety-/) });
      expect(await databases('console_r')).toEqual([job.result!.database]);
      // the same server, on the restored records
      expect(await titles(t)).toEqual(['Quokka parser crash']);
      const next = await t.api('POST', '/api/v1/repos/alice/tools/issues', { auth: BOB, json: { title: 'After the restore' } });
      expect(((await next.json()) as { number: number }).number).toBe(issue + 1);
      expect(await envFile(data)).toContain(`/${String(job.result!.database)}\n`);
    } finally {
      await t.stop();
    }
  });
});
