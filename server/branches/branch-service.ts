// Branches and tags as the API and the UI show them, and branch creation and deletion from
// the web. Writes go through the one ref-write path (RefWriter): the push policy (protected
// branches, maintenance, names), a compare-and-swap `update-ref` (a racing push makes them fail,
// never lose work), and one push event, so everything downstream sees each change exactly once.
import type { Db } from '../db/index.js';
import type { BranchProtectionTable } from '../db/schema.js';
import type { Selectable } from 'kysely';
import { ZERO_SHA } from '../git/ref-update.js';
import { ruleMatches, type RefWriter, type RefWriteTarget } from '../pushes/index.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { branchNameProblem, newBranchNameProblem } from '../lib/names.js';
import type { BrowseService, RepoTarget } from '../git/browse-service.js';
import { parseTag, type Commit, type Tag } from '../git/objects.js';
import { listBranches, listTags, type RefEntry } from '../git/refs.js';

export type ProtectionRule = Selectable<BranchProtectionTable>;

export interface BranchInfo {
  name: string;
  commit: Commit;
  isDefault: boolean;
  /** The protection rule that applies, if any. */
  protection: ProtectionRule | null;
}

export interface TagInfo {
  name: string;
  /** What the tag ref points at: the tag object (annotated) or the commit (lightweight). */
  id: string;
  /** Annotated tags only. */
  tag: Tag | null;
  commit: Commit | null;
}

/** Who writes from the web: the pusher of the event; site admins may be exempt from maintenance. */
export interface WebActor {
  id: number | null;
  isSiteAdmin: boolean;
}

export interface Page {
  page: number;
  limit: number;
}

export class BranchService {
  constructor(
    private readonly db: Db,
    private readonly browse: BrowseService,
    private readonly refs: RefWriter,
  ) {}

  /** Branches, the default one first, then by name. */
  async list(repo: RepoTarget, page: Page): Promise<{ items: BranchInfo[]; total: number }> {
    return this.browse.pool.lease(repo, async () => {
      const refs = await listBranches(this.browse.ctx, repo);
      refs.sort((a, b) => Number(b.name === repo.defaultBranch) - Number(a.name === repo.defaultBranch));
      const shown = refs.slice((page.page - 1) * page.limit, page.page * page.limit);
      return { items: await this.describe(repo, shown), total: refs.length };
    });
  }

  async get(repo: RepoTarget, name: string): Promise<BranchInfo> {
    return this.browse.pool.lease(repo, async () => {
      const sha = await this.head(repo, name);
      if (!sha) throw NotFound(`branch "${name}" does not exist`);
      const [info] = await this.describe(repo, [{ name, sha, type: 'commit', peeled: null }]);
      if (!info) throw NotFound(`branch "${name}" does not point at a commit`);
      return info;
    });
  }

  /** Creates `name` at `from` (a branch, tag or commit; the default branch when empty). */
  async create(repo: RepoTarget, actor: WebActor, name: string, from?: string): Promise<BranchInfo> {
    return this.browse.pool.lease(repo, async () => {
      const problem = newBranchNameProblem(name);
      if (problem) throw Invalid(`branch name ${problem}`);
      const start = await this.browse.resolveRef(repo, from);
      const [branch, tag] = await Promise.all([this.head(repo, name), this.browse.pool.use(repo, (cat) => cat.info(`refs/tags/${name}`))]);
      if (branch) throw Conflict(`branch "${name}" already exists`);
      if (tag) throw Conflict(`a tag named "${name}" exists; pick another name`);
      // the all-zero old value makes this a create: it fails if the ref appeared meanwhile
      await this.refs.write({ repo: await this.writeTarget(repo), actor, updates: [{ ref: `refs/heads/${name}`, oldSha: ZERO_SHA, newSha: start.commit }], message: 'branch: created from the web' });
      return this.get(repo, name);
    });
  }

  /** Deletes a branch unless it is the default one; protection rules are the push policy's. */
  async delete(repo: RepoTarget, actor: WebActor, name: string): Promise<void> {
    return this.browse.pool.lease(repo, async () => {
      if (branchNameProblem(name)) throw NotFound(`branch "${name}" does not exist`);
      const sha = await this.head(repo, name);
      if (!sha) throw NotFound(`branch "${name}" does not exist`);
      if (name === repo.defaultBranch) throw Forbidden(`"${name}" is the default branch and cannot be deleted`);
      await this.refs.write({ repo: await this.writeTarget(repo), actor, updates: [{ ref: `refs/heads/${name}`, oldSha: sha, newSha: ZERO_SHA }], message: 'branch: deleted from the web' });
    });
  }

  private async writeTarget(repo: RepoTarget): Promise<RefWriteTarget> {
    const row = await this.db.selectFrom('repositories').select('size').where('id', '=', repo.id).executeTakeFirst();
    if (!row) throw NotFound('the repository no longer exists');
    return { id: repo.id, owner: repo.owner, name: repo.name, dir: repo.dir, size: row.size };
  }

  /** Tags, newest first. */
  async tags(repo: RepoTarget, page: Page): Promise<{ items: TagInfo[]; total: number }> {
    return this.browse.pool.lease(repo, async () => {
      const refs = await listTags(this.browse.ctx, repo);
      const shown = refs.slice((page.page - 1) * page.limit, page.page * page.limit);
      const annotated = shown.filter((r) => r.type === 'tag');
      const tagObjects = await this.browse.pool.use(repo, (cat) => Promise.all(annotated.map((r) => cat.contents(r.sha, 1024 * 1024))));
      const tags = new Map<string, Tag>();
      for (const o of tagObjects) if (o?.type === 'tag' && o.data) tags.set(o.sha, parseTag(o.sha, o.data));
      const commitOf = (r: RefEntry) => (r.type === 'tag' ? (r.peeled ?? '') : r.sha);
      const commits = await this.browse.commits(repo, [...new Set(shown.map(commitOf).filter(Boolean))]);
      return {
        items: shown.map((r) => ({ name: r.name, id: r.sha, tag: tags.get(r.sha) ?? null, commit: commits.get(commitOf(r)) ?? null })),
        total: refs.length,
      };
    });
  }

  private async head(repo: RepoTarget, name: string): Promise<string | null> {
    if (branchNameProblem(name)) return null;
    const info = await this.browse.pool.use(repo, (cat) => cat.info(`refs/heads/${name}`));
    return info?.sha ?? null;
  }

  private async describe(repo: RepoTarget, refs: RefEntry[]): Promise<BranchInfo[]> {
    const [commits, rules] = await Promise.all([
      this.browse.commits(
        repo,
        refs.map((r) => r.sha),
      ),
      this.db.selectFrom('branch_protections').selectAll().where('repo_id', '=', repo.id).execute(),
    ]);
    return refs.flatMap((r) => {
      const commit = commits.get(r.sha);
      if (!commit) return [];
      return [{ name: r.name, commit, isDefault: r.name === repo.defaultBranch, protection: rules.find((p) => ruleMatches(p.rule_name, r.name)) ?? null }];
    });
  }
}
