// PostgreSQL's own tools for backups of a PostgreSQL install: pg_dump writes the database in its
// custom format at a snapshot the backup exported while it held the writes (so the records and
// the repositories' refs are of one moment), pg_restore --list checks a dump is whole, and
// pg_restore loads one into an empty database in one transaction (a new one beside the
// current database when an install is replaced in place). The password never goes on a
// command line (other users' `ps` would show it): it is passed in PGPASSWORD.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

/** pg_dump, pg_restore ...: on PATH, or Debian's /usr/lib/postgresql/<newest>/bin. */
export function pgTool(name: 'pg_dump' | 'pg_restore'): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(path.join(root, v, 'bin', name)))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length) return path.join(root, versions[0]!, 'bin', name);
  }
  throw new Error(`${name} is not installed: a PostgreSQL install's backups need PostgreSQL's client tools (Debian: apt-get install postgresql-client)`);
}

/** The URL without its password, and the environment that carries it. */
function connection(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const env: NodeJS.ProcessEnv = { ...process.env, PGCONNECT_TIMEOUT: '10' };
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  u.password = '';
  return { dbname: u.href, env };
}

function run(tool: 'pg_dump' | 'pg_restore', args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(pgTool(tool), args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString());
      else reject(new Error(`${tool} failed (${code}): ${err.trim().split('\n').slice(-3).join('; ') || 'no message'}`));
    });
  });
}

export interface PgSnapshot {
  /** pg_dump of the database as it was when the snapshot was taken, to `file` (custom format). */
  dumpTo(file: string): Promise<void>;
  /** Ends the snapshot's transaction (call once, after dumpTo or instead of it). */
  release(): Promise<void>;
}

/** Exports a snapshot of the database now; pg_dump reads it later, whatever was written since. */
export async function exportSnapshot(url: string): Promise<PgSnapshot> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let id: string;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    id = (await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]!.id;
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
  let released = false;
  return {
    async dumpTo(file) {
      const { dbname, env } = connection(url);
      await run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--snapshot=${id}`, `--file=${file}`, `--dbname=${dbname}`], env);
    },
    async release() {
      if (released) return;
      released = true;
      await client.query('COMMIT').catch(() => {});
      await client.end().catch(() => {});
    },
  };
}

/** The tables whose rows a dump holds; throws when pg_restore cannot read its table of contents. */
export async function dumpTables(file: string): Promise<string[]> {
  const list = await run('pg_restore', ['--list', file], process.env);
  return list
    .split('\n')
    .map((l) => /^\d+; \d+ \d+ TABLE DATA \S+ (\S+) /.exec(l)?.[1])
    .filter((t): t is string => !!t);
}

/** How many tables the database at `url` has (a restore goes into an empty one only). */
export async function tableCount(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()`)).rows[0]!.n);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Loads a dump into the (empty) database at `url` in one transaction: all of it, or nothing. */
export async function restoreDump(file: string, url: string): Promise<void> {
  const { dbname, env } = connection(url);
  await run('pg_restore', ['--single-transaction', '--exit-on-error', '--no-owner', '--no-privileges', `--dbname=${dbname}`, file], env);
}

/** Drops every table of the database at `url` (undoing a restore whose files could not follow). */
export async function emptyDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`);
    if (rows.length) await client.query(`DROP TABLE IF EXISTS ${rows.map((r) => `"${r.t.replace(/"/g, '""')}"`).join(', ')} CASCADE`);
  } finally {
    await client.end().catch(() => {});
  }
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The database name a URL names (PostgreSQL's default: the user's name). */
export function databaseName(url: string): string {
  const u = new URL(url);
  return decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username);
}

/** Where a database restored beside the current one goes: `<name>_r<8 hex>` (one suffix, however many restores). */
function siblingName(current: string): string {
  return `${current.replace(/_r[0-9a-f]{8}$/, '').slice(0, 50)}_r${randomBytes(4).toString('hex')}`;
}

/**
 * Creates a new, empty database on the server of `url` (owned by the same user; it needs
 * CREATEDB) and returns its URL: the same URL naming the new database.
 */
export async function createSiblingDatabase(url: string): Promise<string> {
  const name = siblingName(databaseName(url));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${ident(name)}`);
  } finally {
    await client.end().catch(() => {});
  }
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.href;
}

/** Drops the database at `url`, connected through `via` (a database can't drop itself). */
export async function dropDatabase(url: string, via: string): Promise<void> {
  const client = new pg.Client({ connectionString: via });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${ident(databaseName(url))}`);
  } finally {
    await client.end().catch(() => {});
  }
}
