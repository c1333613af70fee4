// The db side of the last-commit column: answers stored per (repository, commit, path), so
// a directory's column is computed once per commit and read back in one query per 500 rows.
// Rows are immutable (a commit's history never changes); old ones are pruned by age.
import type { Db } from '../db/index.js';
import type { LastCommitCache } from './last-commit.js';

const CHUNK = 500;

export class DbLastCommitCache implements LastCommitCache {
  private lastPrune = 0;

  constructor(
    private readonly db: Db,
    /** Rows older than this are deleted now and then (they are cheap to recompute). */
    private readonly maxAgeMs = 30 * 24 * 3600_000,
  ) {}

  async get(repoId: number, commit: string, paths: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < paths.length; i += CHUNK) {
      const rows = await this.db
        .selectFrom('last_commits')
        .select(['path', 'last_sha'])
        .where('repo_id', '=', repoId)
        .where('commit_sha', '=', commit)
        .where('path', 'in', paths.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) out.set(r.path, r.last_sha);
    }
    return out;
  }

  async put(repoId: number, commit: string, rows: Map<string, string>): Promise<void> {
    const now = Date.now();
    const values = [...rows].map(([path, sha]) => ({ repo_id: repoId, commit_sha: commit, path, last_sha: sha, created_at: now }));
    for (let i = 0; i < values.length; i += CHUNK) {
      await this.db
        .insertInto('last_commits')
        .values(values.slice(i, i + CHUNK))
        .onConflict((oc) => oc.columns(['repo_id', 'commit_sha', 'path']).doNothing())
        .execute();
    }
    if (now - this.lastPrune > 3600_000) {
      this.lastPrune = now;
      await this.db
        .deleteFrom('last_commits')
        .where('created_at', '<', now - this.maxAgeMs)
        .execute();
    }
  }
}
