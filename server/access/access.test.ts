import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type OpenedDb } from '../db/index.js';
import { BASE_MIGRATIONS } from '../db/migrations/index.js';
import { AccessService, type Actor, type RepoFacts } from './access.js';
import type { Scope } from './scopes.js';

// Real SQLite file, real migrations: the decision reads memberships and collaborations.
let opened: OpenedDb;
let access: AccessService;
const ids: Record<string, number> = {};

async function user(name: string, type = 0, admin = 0) {
  const now = Date.now();
  const row = await opened.db
    .insertInto('users')
    .values({
      name,
      lower_name: name,
      full_name: '',
      email: '',
      type,
      password_hash: null,
      is_admin: admin,
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
    .executeTakeFirstOrThrow();
  ids[name] = row.id;
}

async function repo(name: string, owner: string, visibility: string): Promise<RepoFacts> {
  const now = Date.now();
  const row = await opened.db
    .insertInto('repositories')
    .values({
      owner_id: ids[owner]!,
      name,
      lower_name: name,
      description: '',
      website: '',
      visibility,
      default_branch: 'main',
      is_empty: 1,
      fork_id: null,
      num_forks: 0,
      num_stars: 0,
      num_watches: 0,
      size: 0,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, ownerId: ids[owner]!, visibility: visibility as RepoFacts['visibility'] };
}

const as = (name: string, scopes: readonly Scope[] | null = null, isAdmin = false): Actor => ({ kind: 'user', user: { id: ids[name]!, name, isAdmin }, scopes, via: scopes ? 'token' : 'password' });
const anon: Actor = { kind: 'anonymous' };
let pub: RepoFacts, internal: RepoFacts, priv: RepoFacts, orgPriv: RepoFacts;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'access-'));
  opened = await openDatabase({ dataDir: dir, databaseUrl: null });
  await migrate(opened, BASE_MIGRATIONS);
  access = new AccessService(opened.db);
  for (const n of ['alice', 'bob', 'carol', 'dave', 'erin']) await user(n);
  await user('root', 0, 1);
  await user('acme', 1);
  pub = await repo('pub', 'alice', 'public');
  internal = await repo('int', 'alice', 'internal');
  priv = await repo('priv', 'alice', 'private');
  orgPriv = await repo('tools', 'acme', 'private');
  const now = Date.now();
  await opened.db
    .insertInto('collaborations')
    .values([
      { repo_id: priv.id, user_id: ids.bob!, role: 'write', created_at: now },
      { repo_id: priv.id, user_id: ids.carol!, role: 'read', created_at: now },
      { repo_id: pub.id, user_id: ids.carol!, role: 'admin', created_at: now },
    ])
    .execute();
  await opened.db
    .insertInto('org_members')
    .values([
      { org_id: ids.acme!, user_id: ids.dave!, role: 'member', created_at: now },
      { org_id: ids.acme!, user_id: ids.erin!, role: 'owner', created_at: now },
    ])
    .execute();
});
afterAll(async () => opened?.close());

describe('access.level', () => {
  it.each([
    ['anonymous', 'pub', 'read'],
    ['anonymous', 'int', 'none'],
    ['anonymous', 'priv', 'none'],
    ['alice', 'priv', 'admin'],
    ['bob', 'pub', 'read'],
    ['bob', 'int', 'read'],
    ['bob', 'priv', 'write'],
    ['carol', 'priv', 'read'],
    ['carol', 'pub', 'admin'],
    ['dave', 'priv', 'none'],
    ['dave', 'tools', 'write'],
    ['erin', 'tools', 'admin'],
    ['bob', 'tools', 'none'],
    ['root', 'priv', 'admin'],
    ['root', 'tools', 'admin'],
  ])('%s on %s is %s', async (who, repoName, expected) => {
    const r = { pub, int: internal, priv, tools: orgPriv }[repoName]!;
    const actor = who === 'anonymous' ? anon : as(who, null, who === 'root');
    expect(await access.level(actor, r)).toBe(expected);
  });
});

describe('access.can with token scopes', () => {
  it('lets a read:repository token read but never write', async () => {
    const actor = as('alice', ['read:repository']);
    expect(await access.can(actor, 'read', priv)).toBe(true);
    expect(await access.can(actor, 'write', priv)).toBe(false);
  });

  it('gives a token without repository scopes no access to private code', async () => {
    const actor = as('alice', ['read:user']);
    expect(await access.can(actor, 'read', priv)).toBe(false);
  });

  it('lets write:repository and all tokens write', async () => {
    expect(await access.can(as('bob', ['write:repository']), 'write', priv)).toBe(true);
    expect(await access.can(as('bob', ['all']), 'write', priv)).toBe(true);
  });

  it('never lets anyone below write push', async () => {
    expect(await access.can(anon, 'write', pub)).toBe(false);
    expect(await access.can(as('carol'), 'write', priv)).toBe(false);
    expect(await access.can(as('bob'), 'admin', priv)).toBe(false);
  });
});
