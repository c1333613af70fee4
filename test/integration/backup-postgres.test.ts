// Backups of an install on PostgreSQL: the records go into the archive as a pg_dump of a snapshot
// taken while writes were held (with the repositories' refs of the same moment), verify checks
// the dump is whole, and a restore loads it into an empty database for a new data dir, which then
// serves the same forge. What is refused, changing nothing: a restore without a database to load
// into, into a database that isn't empty, and in place over a running or stopped PostgreSQL install.
import { copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgCluster } from '../fixtures/postgres.js';
import { CLI, createRepo, createUser, gitOk, makeRepo, run, startServer, tempDir, type TestServer } from '../fixtures/rig.js';

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

  const test = (name: string, fn: () => Promise<void>) =>
    it(name, async (ctx) => {
      if (skip) return ctx.skip(skip);
      await fn();
    });

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

  test('refuses to replace a PostgreSQL install in place, from the CLI and from the console', async () => {
    const busy = await s.api('POST', `/api/v1/admin/backups/${path.basename(archive)}/restore`, { auth: ALICE });
    // (the archive is still in the data dir's backups folder, where the console finds it)
    expect(busy.status).toBe(503);
    expect(((await busy.json()) as { message: string }).message).toMatch(/not replaced in place yet: restore the backup into a new data dir and an empty database/);
    // while it runs, and stopped: the data dir is kept (a data dir the test names is not removed with its server)
    const data = path.join(await tempDir(), 'data');
    await s.stop();
    s = await startServer({ data, env: { DATABASE_URL: live } });
    await s.stop();
    const forced = await restore(archive, data, { DATABASE_URL: live }, true);
    expect(forced.code).toBe(1);
    expect(forced.stderr).toMatch(/is an install on PostgreSQL, which is not replaced in place yet/);
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
});
