// Secrets registered for a repository (Gitea's actions secrets): write-only values its jobs get
// as environment variables, masked wherever they show up in a job's log. Names follow Gitea's
// rules (letters, digits and _, not starting with a digit, case-insensitive: stored upper-case)
// and may not shadow what the forge sets itself.
import type { Db } from '../db/index.js';
import { Invalid, NotFound, TooLarge } from '../lib/errors.js';

export const SECRET_LIMITS = { name: 100, value: 64 * 1024, description: 1024, perRepo: 100 } as const;
const RESERVED = new Set(['CI', 'GIT_REPO', 'GIT_SHA', 'GIT_REF', 'GIT_BRANCH', 'CI_JOB_ID', 'HOME', 'PATH', 'USER', 'LOGNAME', 'TMPDIR', 'LANG']);

export function secretNameProblem(name: string): string | null {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return 'must contain only letters, digits and _, and not start with a digit';
  if (name.length > SECRET_LIMITS.name) return `must be at most ${SECRET_LIMITS.name} characters`;
  const up = name.toUpperCase();
  if (/^(GITHUB_|GITEA_|GITSSY_)/.test(up)) return 'must not start with GITHUB_, GITEA_ or GITSSY_';
  if (RESERVED.has(up)) return `${up} is set by the forge for every job`;
  return null;
}

export interface SecretInfo {
  name: string;
  description: string;
  created_at: number;
  updated_at: number;
}

export class SecretService {
  constructor(private readonly db: Db) {}

  async list(repoId: number): Promise<SecretInfo[]> {
    return this.db.selectFrom('ci_secrets').select(['name', 'description', 'created_at', 'updated_at']).where('repo_id', '=', repoId).orderBy('name').execute();
  }

  /** Creates or replaces a secret; answers whether it was new. */
  async put(repoId: number, rawName: string, value: string, description = ''): Promise<boolean> {
    const problem = secretNameProblem(rawName);
    if (problem) throw Invalid(`name: ${problem}`);
    if (value === '') throw Invalid('data: must not be empty');
    if (Buffer.byteLength(value) > SECRET_LIMITS.value) throw TooLarge(`data: a secret holds at most ${SECRET_LIMITS.value} bytes`);
    if (description.length > SECRET_LIMITS.description) throw Invalid(`description: must be at most ${SECRET_LIMITS.description} characters`);
    const name = rawName.toUpperCase();
    // Gitea stores values with Unix line endings
    const data = value.replace(/\r\n/g, '\n');
    const now = Date.now();
    return this.db.transaction().execute(async (trx) => {
      const had = await trx.selectFrom('ci_secrets').select('name').where('repo_id', '=', repoId).where('name', '=', name).executeTakeFirst();
      if (had) {
        await trx.updateTable('ci_secrets').set({ value: data, description, updated_at: now }).where('repo_id', '=', repoId).where('name', '=', name).execute();
        return false;
      }
      const n = await trx
        .selectFrom('ci_secrets')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('repo_id', '=', repoId)
        .executeTakeFirstOrThrow();
      if (Number(n.n) >= SECRET_LIMITS.perRepo) throw Invalid(`a repository holds at most ${SECRET_LIMITS.perRepo} secrets`);
      await trx.insertInto('ci_secrets').values({ repo_id: repoId, name, value: data, description, created_at: now, updated_at: now }).execute();
      return true;
    });
  }

  async delete(repoId: number, rawName: string): Promise<void> {
    const r = await this.db.deleteFrom('ci_secrets').where('repo_id', '=', repoId).where('name', '=', rawName.toUpperCase()).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw NotFound('secret not found');
  }

  /** Name → value, for a job's environment and its log's mask. */
  async values(repoId: number): Promise<Record<string, string>> {
    const rows = await this.db.selectFrom('ci_secrets').select(['name', 'value']).where('repo_id', '=', repoId).execute();
    return Object.fromEntries(rows.map((r) => [r.name, r.value]));
  }
}
