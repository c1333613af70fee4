import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type OpenedDb } from '../db/index.js';
import { BASE_MIGRATIONS } from '../db/migrations/index.js';
import { EventBus } from '../events/index.js';
import { createLogger } from '../lib/log.js';
import { RealtimeHub } from '../realtime/index.js';
import m0012 from './migrations/0012_commit_statuses.js';
import { combineStates, contextMatcher, STATUS_LIMITS, StatusService } from './service.js';

// Real SQLite file and migrations; the hub is not attached to a socket server (events go nowhere).
let dir: string;
let opened: OpenedDb;
let statuses: StatusService;
let repoId: number;
let userId: number;
const sha = (c: string) => c.repeat(40);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'statuses-'));
  opened = await openDatabase({ dataDir: dir, databaseUrl: null });
  await migrate(opened, { ...BASE_MIGRATIONS, '0012_commit_statuses': m0012 });
  const now = Date.now();
  userId = (
    await opened.db
      .insertInto('users')
      .values({
        name: 'alice',
        lower_name: 'alice',
        full_name: '',
        email: 'a@x.test',
        type: 0,
        password_hash: null,
        is_admin: 0,
        is_active: 1,
        prohibit_login: 0,
        failed_logins: 0,
        locked_until: null,
        description: '',
        website: '',
        visibility: 'public',
        created_at: now,
        updated_at: now,
        last_login_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  repoId = (
    await opened.db
      .insertInto('repositories')
      .values({
        owner_id: userId,
        name: 'r',
        lower_name: 'r',
        description: '',
        website: '',
        visibility: 'public',
        default_branch: 'main',
        is_empty: 0,
        fork_id: null,
        num_forks: 0,
        num_stars: 0,
        num_watches: 0,
        size: 0,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  const events = new EventBus(opened.db, createLogger({ level: 'silent' }));
  statuses = new StatusService(opened.db, events, new RealtimeHub(), () => '');
});
afterAll(async () => {
  await opened?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('combineStates', () => {
  it.each([
    [[], ''],
    [['pending'], 'pending'],
    [['success'], 'success'],
    [['warning'], 'success'],
    [['success', 'warning'], 'success'],
    [['success', 'pending'], 'pending'],
    [['pending', 'error'], 'failure'],
    [['success', 'failure'], 'failure'],
    [['warning', 'error', 'pending'], 'failure'],
  ])('combines %j as %j', (states, want) => {
    expect(combineStates(states)).toBe(want);
  });
});

describe('contextMatcher', () => {
  it('reads * and ? as globs and everything else literally', () => {
    expect(contextMatcher('gitssy/ci')('gitssy/ci')).toBe(true);
    expect(contextMatcher('gitssy/ci')('gitssy/ci2')).toBe(false);
    expect(contextMatcher('ci/*')('ci/build (push)')).toBe(true);
    expect(contextMatcher('ci/?')('ci/a')).toBe(true);
    expect(contextMatcher('ci/?')('ci/ab')).toBe(false);
    expect(contextMatcher('a.b')('axb')).toBe(false);
    expect(contextMatcher('(x)+')('(x)+')).toBe(true);
  });
});

describe('StatusService', () => {
  it('keeps every post and answers the newest per context', async () => {
    const c = sha('1');
    await statuses.create(repoId, c, { state: 'pending', context: 'build' }, userId);
    await statuses.create(repoId, c, { state: 'success', context: 'build' }, userId);
    await statuses.create(repoId, c, { state: 'failure', context: 'lint' }, null);
    const latest = await statuses.latestByContext(repoId, c);
    expect(latest.map((r) => [r.context, r.state])).toEqual([
      ['lint', 'failure'],
      ['build', 'success'],
    ]);
    expect(latest[1]!.creator?.name).toBe('alice');
    expect(latest[0]!.creator).toBeNull();
    expect((await statuses.list(repoId, c, { page: 1, limit: 10 })).total).toBe(3);
  });

  it('restricts the combined state to required contexts; a required context with no status is pending', async () => {
    const c = sha('2');
    await statuses.create(repoId, c, { state: 'success', context: 'gitssy/ci' }, userId);
    await statuses.create(repoId, c, { state: 'failure', context: 'optional/lint' }, userId);
    expect((await statuses.combined(repoId, c)).state).toBe('failure');
    expect(await statuses.combined(repoId, c, { contexts: ['gitssy/ci'] })).toMatchObject({ state: 'success', total_count: 1, missing: [] });
    expect(await statuses.combined(repoId, c, { contexts: ['gitssy/ci', 'deploy'] })).toMatchObject({ state: 'pending', missing: ['deploy'] });
    expect((await statuses.combined(repoId, c, { contexts: ['optional/*', 'deploy'] })).state).toBe('failure');
    expect((await statuses.combined(repoId, c, { contexts: ['gitssy/*'] })).state).toBe('success');
    // no statuses at all: '' without required contexts, pending with them
    expect((await statuses.combined(repoId, sha('3'))).state).toBe('');
    expect((await statuses.combined(repoId, sha('3'), { contexts: ['gitssy/ci'] })).state).toBe('pending');
  });

  it('records status.created in the same transaction, and nothing when it refuses', async () => {
    const c = sha('4');
    const events = () => opened.db.selectFrom('events').select('payload').where('type', '=', 'status.created').execute();
    const before = (await events()).length;
    const rec = await statuses.create(repoId, c, { state: 'error', context: 'x' }, userId);
    const all = await events();
    expect(all).toHaveLength(before + 1);
    expect(JSON.parse(all.at(-1)!.payload)).toEqual({ repoId, sha: c, context: 'x', state: 'error', id: rec.id });
    await expect(statuses.create(repoId, c, { state: 'nope' as 'error' }, userId)).rejects.toThrow(/state/);
    await expect(statuses.create(repoId, c, { state: 'success', target_url: 'file:///etc/passwd' }, userId)).rejects.toThrow(/target_url/);
    await expect(statuses.create(repoId, 'abc', { state: 'success' }, userId)).rejects.toThrow(/full commit id/);
    expect(await events()).toHaveLength(before + 1);
  });

  it(`refuses a status past ${STATUS_LIMITS.perContext} for one commit and context, and stores nothing`, async () => {
    const c = sha('5');
    const now = Date.now();
    const rows = Array.from({ length: STATUS_LIMITS.perContext }, () => ({
      repo_id: repoId,
      sha: c,
      context: 'busy',
      state: 'pending',
      description: '',
      target_url: '',
      creator_id: null,
      created_at: now,
      updated_at: now,
    }));
    for (let i = 0; i < rows.length; i += 200)
      await opened.db
        .insertInto('commit_statuses')
        .values(rows.slice(i, i + 200))
        .execute();
    await expect(statuses.create(repoId, c, { state: 'success', context: 'busy' }, userId)).rejects.toThrow(/already has 1000 statuses/);
    expect((await statuses.list(repoId, c, { page: 1, limit: 1 })).total).toBe(STATUS_LIMITS.perContext);
    // another context of the same commit is still fine
    await statuses.create(repoId, c, { state: 'success', context: 'quiet' }, userId);
  });
});
