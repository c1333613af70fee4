// `gitssy admin migrate-db --to postgres://…`: an install made on SQLite (users, a pushed
// repository, an issue with a comment, a pull request, an avatar's bytes) moves to an empty
// PostgreSQL database with progress and a verified copy, and the next start serves the same forge
// from PostgreSQL: sign-in, search, the avatar, and new records whose ids and numbers continue.
// What must not happen: a copy into a database that isn't empty, a copy while the server runs, a
// half copy (a value PostgreSQL can't hold leaves the target empty and the install on SQLite).
// The console does the same through POST /api/v1/admin/database/move: the target checked while
// the forge serves (bad ones refused with nothing changed), then a job that stops the server,
// moves the records and starts it again on the same ports, on PostgreSQL — or on SQLite, unchanged.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startPostgres, type PgCluster } from '../fixtures/postgres.js';
import { freePort } from '../fixtures/ports.js';
import { Browser, CLI, createRepo, createUser, gitOk, makeRepo, run, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';
import { itUnless } from '../fixtures/skip.js';

const ALICE: [string, string] = ['alice', 'alice-pass-1234'];
const BOB: [string, string] = ['bob', 'bob-pass-123456'];

const migrateDb = (data: string, to: string) => run(process.execPath, [CLI, 'admin', 'migrate-db', '--data', data, '--to', to], { env: { PATH: process.env.PATH! }, timeoutMs: 120_000 });

async function tablesIn(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query(`SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()`)).rows[0].n);
  } finally {
    await c.end();
  }
}

describe('moving an install from SQLite to PostgreSQL', () => {
  let cluster: PgCluster | { skip: string };
  let skip = '';
  let data: string;
  let src: string;
  let s: TestServer | undefined;
  let avatar: Buffer;
  let issueNumber: number;

  beforeAll(async () => {
    cluster = await startPostgres();
    if ('skip' in cluster) {
      skip = cluster.skip;
      return;
    }
    data = path.join(await tempDir('gitssy-migrate-'), 'data');
    s = await startServer({ data, sqlite: true });
    await createUser(s, ...ALICE, { admin: true });
    await createUser(s, ...BOB, { via: ALICE });
    await createRepo(s, ALICE, { name: 'tools' });
    src = await tempDir();
    await makeRepo(src, 3);
    await gitOk(['push', '-q', s.gitUrl('alice/tools.git', ALICE), 'main'], { cwd: src });
    const api = async (method: string, p: string, auth: [string, string], json?: unknown) => {
      const r = await s!.api(method, p, { auth, json });
      expect(r.status, `${method} ${p}: ${await r.clone().text()}`).toBeLessThan(300);
      return r.status === 204 ? null : ((await r.json()) as Record<string, unknown>);
    };
    const issue = (await api('POST', '/api/v1/repos/alice/tools/issues', BOB, { title: 'Frobnicator crashes', body: 'the quokka parser fails' }))!;
    issueNumber = issue.number as number;
    await api('POST', `/api/v1/repos/alice/tools/issues/${issueNumber}/comments`, ALICE, { body: 'seen it with wombats too' });
    // a branch behind main has nothing to merge: open the pull request the other way round
    await gitOk(['push', '-q', s.gitUrl('alice/tools.git', ALICE), 'main:topic'], { cwd: src });
    await gitOk(['commit', '-q', '--allow-empty', '-m', 'topic work'], { cwd: src });
    await gitOk(['push', '-q', s.gitUrl('alice/tools.git', ALICE), 'HEAD:topic'], { cwd: src });
    await api('POST', '/api/v1/repos/alice/tools/pulls', ALICE, { head: 'topic', base: 'main', title: 'Topic' });
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 10, g: 120, b: 200 } } })
      .png()
      .toBuffer();
    await api('POST', '/api/v1/user/avatar', BOB, { image: png.toString('base64') });
    avatar = Buffer.from(await (await s.api('GET', '/avatars/bob')).arrayBuffer());
    await s.stop();
  }, 120_000);

  afterAll(async () => {
    await s?.stop().catch(() => {});
    if (cluster && 'stop' in cluster) await cluster.stop();
  });

  const test = itUnless(() => skip);

  test('refuses what is not a postgres URL, and a database it cannot reach, changing nothing', async () => {
    const notPg = await migrateDb(data, 'mysql://localhost/gitssy');
    expect(notPg.code).toBe(1);
    expect(notPg.stderr).toMatch(/^gitssy: migrate-db: --to: a postgres:\/\/ URL is needed, not mysql:\/\/; nothing was changed\n$/);
    const nowhere = await migrateDb(data, 'postgres://postgres@127.0.0.1:1/gitssy');
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toMatch(/^gitssy: migrate-db: cannot reach the PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/gitssy: .+; nothing was changed\n$/);
    expect(await readFile(path.join(data, '.gitssy.env'), 'utf8').catch(() => '')).not.toMatch(/DATABASE_URL/);
  });

  test('leaves the target empty and the install on SQLite when a value cannot be copied', async () => {
    const url = await (cluster as PgCluster).createDatabase('halfway');
    // a NUL character: SQLite keeps it in text, PostgreSQL text cannot hold it
    const db = new Database(path.join(data, 'gitssy.db'));
    const before = (db.prepare('SELECT description FROM repositories WHERE lower_name = ?').get('tools') as { description: string }).description;
    db.prepare('UPDATE repositories SET description = ? WHERE lower_name = ?').run('nul \u0000 here', 'tools');
    try {
      const r = await migrateDb(data, url);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^gitssy: migrate-db failed: .+; the target was emptied again and this install stays on SQLite\n$/);
      expect(await tablesIn(url)).toBe(0);
      expect(await readFile(path.join(data, '.gitssy.env'), 'utf8').catch(() => '')).not.toMatch(/DATABASE_URL/);
    } finally {
      db.prepare('UPDATE repositories SET description = ? WHERE lower_name = ?').run(before, 'tools');
      db.close();
    }
  });

  test('copies every table with progress, verifies it, and the next start serves the same forge from PostgreSQL', async () => {
    const url = await (cluster as PgCluster).createDatabase('moved');
    const r = await migrateDb(data, url);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^creating the schema in postgres:\/\//);
    const progress = lines.filter((l) => /^\[\d+\/\d+\] /.test(l));
    expect(progress.length).toBeGreaterThan(30);
    expect(progress).toContainEqual(expect.stringMatching(/\] users: 2 rows copied, count and checksum match$/));
    expect(progress).toContainEqual(expect.stringMatching(/\] pull_requests: 1 row copied, count and checksum match$/));
    // parents before children
    const at = (t: string) => progress.findIndex((l) => l.includes(`] ${t}: `));
    expect(at('users')).toBeLessThan(at('repositories'));
    expect(at('repositories')).toBeLessThan(at('issues'));
    expect(at('issues')).toBeLessThan(at('issue_comments'));
    expect(lines.at(-1)).toMatch(/^migrate-db: \d+ tables, \d+ rows copied and verified \(row counts and checksums match\) in [\d.]+ s; DATABASE_URL is set in \S+\.gitssy\.env/);
    expect(await readFile(path.join(data, '.gitssy.env'), 'utf8')).toContain(`DATABASE_URL=${url}\n`);

    // the server reads DATABASE_URL from .gitssy.env
    s = await startServer({ data, sqlite: true });
    expect((await s.api('GET', '/api/v1/user', { auth: BOB })).status).toBe(200);
    const found = (await (await s.api('GET', '/api/v1/repos/alice/tools/issues?q=quokka', { auth: BOB })).json()) as { number: number }[];
    expect(found.map((i) => i.number)).toEqual([issueNumber]);
    const comments = (await (await s.api('GET', `/api/v1/repos/alice/tools/issues/${issueNumber}/comments`, { auth: BOB })).json()) as { body: string }[];
    expect(comments.map((c) => c.body)).toEqual(['seen it with wombats too']);
    expect(Buffer.from(await (await s.api('GET', '/avatars/bob')).arrayBuffer()).equals(avatar)).toBe(true);
    expect(await gitOk(['ls-remote', s.gitUrl('alice/tools.git', ALICE)])).toMatch(/refs\/pull\/\d+\/head/);
    // new rows continue after the copied ids and numbers
    const next = await s.api('POST', '/api/v1/repos/alice/tools/issues', { auth: BOB, json: { title: 'After the move' } });
    expect(next.status, await next.clone().text()).toBe(201);
    expect(((await next.json()) as { number: number }).number).toBe(issueNumber + 2);
    await createUser(s, 'carol', 'carol-pass-12345', { via: ALICE });

    // the install has moved: a second move is refused
    await s.stop();
    const again = await migrateDb(data, url);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('gitssy: this install already uses PostgreSQL (DATABASE_URL is set); migrate-db moves an install off SQLite\n');
  });

  test('refuses while the server runs, and a target that is not empty', async () => {
    const url = await (cluster as PgCluster).createDatabase('taken');
    const fresh = path.join(await tempDir('gitssy-migrate-'), 'data');
    const running = await startServer({ data: fresh, sqlite: true });
    const busy = await migrateDb(fresh, url);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(new RegExp(`^gitssy: a Gitssy server \\(pid ${running.pid}\\) is running on .+; stop it first: the database must not change while it is copied\n$`));
    expect(await tablesIn(url)).toBe(0);
    await running.stop();

    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query('CREATE TABLE someone_elses (id integer)');
    await c.end();
    const r = await migrateDb(fresh, url);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^gitssy: migrate-db: the target database is not empty \(1 table, e\.g\. someone_elses\): migrate-db copies into an empty database only; nothing was changed\n$/);
    expect(await tablesIn(url)).toBe(1);
  });
});

describe('moving an install to PostgreSQL from the console', () => {
  let cluster: PgCluster | { skip: string };
  let skip = '';
  let s: TestServer;
  let issueNumber: number;

  beforeAll(async () => {
    cluster = await startPostgres();
    if ('skip' in cluster) {
      skip = cluster.skip;
      return;
    }
    s = await startServer({ sqlite: true });
    await createUser(s, ...ALICE, { admin: true });
    await createUser(s, ...BOB, { via: ALICE });
    await createRepo(s, ALICE, { name: 'tools' });
    const src = await tempDir();
    await makeRepo(src, 3);
    await gitOk(['push', '-q', s.gitUrl('alice/tools.git', ALICE), 'main'], { cwd: src });
    const res = await s.api('POST', '/api/v1/repos/alice/tools/issues', { auth: BOB, json: { title: 'Frobnicator crashes' } });
    issueNumber = ((await res.json()) as { number: number }).number;
  }, 120_000);

  afterAll(async () => {
    await s?.stop().catch(() => {});
    if (cluster && 'stop' in cluster) await cluster.stop();
  });

  const test = itUnless(() => skip);

  const move = (to: unknown, auth: [string, string] = ALICE) => s.api('POST', '/api/v1/admin/database/move', { auth, json: to === undefined ? {} : { to } });
  const database = async () => (await (await s.api('GET', '/api/v1/admin/database', { auth: ALICE })).json()) as { kind: string; location: string };
  const envFile = () => readFile(path.join(s.data, '.gitssy.env'), 'utf8').catch(() => '');
  /** The job's outcome, asked through the restart (a moment without answers). */
  const outcome = (id: string) =>
    waitFor(
      async () => {
        const r = await s.api('GET', `/api/v1/admin/backups/jobs/${id}`, { auth: ALICE }).catch(() => null);
        if (!r || r.status !== 200) return null;
        const j = (await r.json()) as { state: string; error: string | null; result: Record<string, unknown> | null };
        return j.state === 'done' || j.state === 'failed' ? j : null;
      },
      120_000,
      50,
    );

  test('refuses a target it cannot move to, and anyone but a site administrator, changing nothing', async () => {
    expect((await move('postgres://127.0.0.1/x', BOB)).status).toBe(403);
    expect((await move(undefined)).status).toBe(422);
    const notPg = await move('mysql://127.0.0.1/gitssy');
    expect(notPg.status).toBe(422);
    expect(((await notPg.json()) as { message: string }).message).toBe('to: a postgres:// URL is needed, not mysql://; nothing was changed');
    const nobody = await move(`postgres://gitssy:secret@127.0.0.1:${await freePort()}/gitssy`);
    expect(nobody.status).toBe(422);
    const unreachable = ((await nobody.json()) as { message: string }).message;
    expect(unreachable).toMatch(/^cannot reach the PostgreSQL at postgres:\/\/gitssy:\*\*\*@127\.0\.0\.1:\d+\/gitssy: .+; nothing was changed$/);
    const taken = await (cluster as PgCluster).createDatabase('console_taken');
    const c = new pg.Client({ connectionString: taken });
    await c.connect();
    await c.query('CREATE TABLE someone_elses (id integer)');
    await c.end();
    const notEmpty = await move(taken);
    expect(notEmpty.status).toBe(422);
    expect(((await notEmpty.json()) as { message: string }).message).toMatch(/^the target database is not empty \(1 table, e\.g\. someone_elses\)/);
    expect(await database()).toEqual({ kind: 'sqlite', location: path.join(s.data, 'gitssy.db') });
    expect(await envFile()).not.toMatch(/DATABASE_URL/);
  });

  test('a move that fails half-way empties the target and starts the forge again on SQLite, unchanged', async () => {
    const url = await (cluster as PgCluster).createDatabase('console_halfway');
    // a NUL character: SQLite keeps it in text, PostgreSQL text cannot hold it
    const db = new Database(path.join(s.data, 'gitssy.db'));
    const before = (db.prepare('SELECT description FROM repositories WHERE lower_name = ?').get('tools') as { description: string }).description;
    db.prepare('UPDATE repositories SET description = ? WHERE lower_name = ?').run('nul \u0000 here', 'tools');
    db.close();
    try {
      const res = await move(url);
      expect(res.status, await res.clone().text()).toBe(202);
      const job = await outcome(((await res.json()) as { id: string }).id);
      expect(job.state).toBe('failed');
      expect(job.error).toMatch(/^the records could not be moved \(.+\); this install stays on SQLite, unchanged$/);
      expect(await tablesIn(url)).toBe(0);
      expect((await database()).kind).toBe('sqlite');
      expect(await envFile()).not.toMatch(/DATABASE_URL/);
      expect((await s.api('GET', `/api/v1/repos/alice/tools/issues/${issueNumber}`, { auth: BOB })).status).toBe(200);
    } finally {
      const again = new Database(path.join(s.data, 'gitssy.db'));
      again.prepare('UPDATE repositories SET description = ? WHERE lower_name = ?').run(before, 'tools');
      again.close();
    }
  });

  test('moves the records and starts again on the same ports on PostgreSQL, signed-in sessions and all', async () => {
    const url = await (cluster as PgCluster).createDatabase('console_moved');
    // as the console does it: a signed-in session with its CSRF token
    const tab = new Browser(s.url);
    await tab.session();
    expect((await tab.request('POST', '/api/v1/auth/signin', { json: { username: ALICE[0], password: ALICE[1] } })).status).toBe(200);
    await tab.session();
    const res = await tab.request('POST', '/api/v1/admin/database/move', { json: { to: url } });
    expect(res.status, await res.clone().text()).toBe(202);
    const started = (await res.json()) as { id: string; type: string; state: string; name: string };
    expect(started).toMatchObject({ type: 'move-db', state: 'restarting', name: url });
    const job = await outcome(started.id);
    expect(job.error).toBeNull();
    expect(job.state).toBe('done');
    expect(job.result).toMatchObject({ database: url, tables: expect.any(Number), rows: expect.any(Number) });
    expect(job.result!.tables as number).toBeGreaterThan(30);
    expect(await database()).toEqual({ kind: 'postgres', location: url });
    expect(await envFile()).toContain(`DATABASE_URL=${url}\n`);
    expect(await tablesIn(url)).toBeGreaterThan(30);
    // the session moved with the records
    expect(((await (await tab.request('GET', '/api/v1/user')).json()) as { login: string }).login).toBe('alice');
    // the same forge: the issue, the repository, and numbers that continue
    expect(((await (await s.api('GET', `/api/v1/repos/alice/tools/issues/${issueNumber}`, { auth: BOB })).json()) as { title: string }).title).toBe('Frobnicator crashes');
    expect(await gitOk(['ls-remote', s.gitUrl('alice/tools.git', ALICE)])).toMatch(/refs\/heads\/main/);
    const next = await s.api('POST', '/api/v1/repos/alice/tools/issues', { auth: BOB, json: { title: 'After the move' } });
    expect(((await next.json()) as { number: number }).number).toBe(issueNumber + 1);
    // moved: a second move is refused
    const again = await move(await (cluster as PgCluster).createDatabase('console_again'));
    expect(again.status).toBe(409);
    expect(((await again.json()) as { message: string }).message).toBe('this install already keeps its records in PostgreSQL; the move is from SQLite');
  });
});
