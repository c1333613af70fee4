// Issue search behind one interface on both databases: SQLite's FTS5 and PostgreSQL's tsvector
// answer the same queries with the same issues — prefixes, several words in any order, comments,
// case, `#N`, query syntax taken as plain words — and neither shows a confidential issue to a
// reader who may not see it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PgCluster } from '../fixtures/postgres.js';
import { startInProcess, type InProcessServer } from './in-process.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
const carol: [string, string] = ['carol', 'carol-pass-123'];

let pg: PgCluster | { skip: string };
beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  if ('stop' in pg) await pg.stop();
});

const dialects = [
  ['SQLite (FTS5)', async () => ({})],
  ['PostgreSQL (tsvector)', async () => ('url' in pg ? { DATABASE_URL: await pg.createDatabase('search') } : null)],
] as const;

describe.each(dialects)('issue search on %s', (_name, envOf) => {
  let s: InProcessServer | null = null;
  let skip = '';
  const search = async (who: [string, string], q: string) => {
    const res = await s!.api('GET', `/api/v1/repos/alice/proj/issues?state=all&q=${encodeURIComponent(q)}`, { auth: who });
    expect(res.status).toBe(200);
    return ((await res.json()) as { title: string }[]).map((i) => i.title).sort();
  };

  beforeAll(async () => {
    const env = await envOf();
    if (!env) {
      skip = (pg as { skip: string }).skip;
      return;
    }
    s = await startInProcess({ env });
    const svc = s.app.services;
    const a = await svc.users.create({ username: 'alice', email: 'alice@example.test', password: alice[1], isAdmin: true });
    await svc.users.create({ username: 'carol', email: 'carol@example.test', password: carol[1], isAdmin: false });
    await svc.repos.create({ kind: 'user', user: { id: a.id, name: a.name, isAdmin: true }, scopes: null, via: 'session' } as never, a, { name: 'proj' });
    const open = async (who: [string, string], body: Record<string, unknown>) => {
      const res = await s!.api('POST', '/api/v1/repos/alice/proj/issues', { auth: who, json: body });
      expect(res.status).toBe(201);
      return (await res.json()) as { number: number };
    };
    await open(alice, { title: 'Parser crash', body: 'the tokenizer explodes on long input' });
    await open(carol, { title: 'Docs update', body: 'Describe the CLI flags' });
    const other = await open(carol, { title: 'Another thing', body: 'nothing to see' });
    await s.api('POST', `/api/v1/repos/alice/proj/issues/${other.number}/comments`, { auth: alice, json: { body: 'The FROBNICATOR broke again' } });
    await open(alice, { title: 'Secret leak', body: 'the tokenizer logs passwords', confidential: true });
  }, 60_000);
  afterAll(async () => s?.stop());

  it('matches prefixes, several words in any order, comments and case', async (ctx) => {
    if (skip) return ctx.skip(skip);
    expect(await search(carol, 'tokeni')).toEqual(['Parser crash']);
    expect(await search(carol, 'crash PARSER')).toEqual(['Parser crash']);
    expect(await search(carol, 'frobnicator')).toEqual(['Another thing']);
    expect(await search(carol, 'cli flag')).toEqual(['Docs update']);
    expect(await search(carol, 'crash docs')).toEqual([]);
    // the words may be in different places of one issue: its title and a comment
    expect(await search(carol, 'frobnic another')).toEqual(['Another thing']);
    // an edited comment is searched by its new words only
    const c = (await (await s!.api('GET', '/api/v1/repos/alice/proj/issues/3/comments', { auth: carol })).json()) as { id: number }[];
    expect((await s!.api('PATCH', `/api/v1/repos/alice/proj/issues/comments/${c[0]!.id}`, { auth: alice, json: { body: 'The quuxinator broke again' } })).status).toBe(200);
    expect(await search(carol, 'frobnicator')).toEqual([]);
    expect(await search(carol, 'quuxinator')).toEqual(['Another thing']);
  });

  it('finds an issue by its number, and takes query syntax as plain words', async (ctx) => {
    if (skip) return ctx.skip(skip);
    expect(await search(carol, '#2')).toEqual(['Docs update']);
    expect(await search(carol, '" OR * NEAR(')).toEqual([]);
    expect(await search(carol, "tokenizer'); DROP TABLE issues; --")).toEqual([]);
    expect(await search(carol, 'tokenizer')).toEqual(['Parser crash']);
  });

  it('shows a confidential issue only to those who may see it', async (ctx) => {
    if (skip) return ctx.skip(skip);
    expect(await search(carol, 'passwords')).toEqual([]);
    expect(await search(alice, 'tokenizer')).toEqual(['Parser crash', 'Secret leak']);
  });
});
