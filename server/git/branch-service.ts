// Branches and tags as the API and the UI show them, and branch creation and deletion from
// the web. Writes are compare-and-swap `update-ref`s (a racing push makes them fail, never
// lose work) and are recorded as pushes, so feeds and everything else downstream see each
// change exactly once. Protection rules are the ones the pre-receive policy enforces.
import type { Db } from '../db/index.js';
import type { BranchProtectionTable } from '../db/schema.js';
import type { Selectable } from 'kysely';
import { ZERO_SHA } from '../events/bus.js';
import { ruleMatches } from '../hooks/policy.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { branchNameProblem } from '../lib/names.js';
import type { PushRecorder } from '../pushes/recorder.js';
import type { BrowseService, RepoTarget } from './browse-service.js';
import { GitError, runGit } from './command.js';
import { parseTag, type Commit, type Tag } from './objects.js';
import { listBranches, listTags, type RefEntry } from './refs.js';

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

export interface Page {
  page: number;
  limit: number;
}

/** Why a name can't be a new branch, or null. Stricter than git: what the push policy allows. */
export function newBranchProblem(name: string): string | null {
  const problem = branchNameProblem(name);
  if (problem) return problem;
  if (name.split('/').some((c) => c.startsWith('-') || c.startsWith('.'))) return "may not have components starting with '-' or '.'";
  if (name === 'HEAD' || name.startsWith('refs/')) return 'is reserved';
  return null;
}

export class BranchService {
  constructor(
    private readonly db: Db,
    private readonly browse: BrowseService,
    private readonly pushes: PushRecorder,
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
  async create(repo: RepoTarget, userId: number | null, name: string, from?: string): Promise<BranchInfo> {
    return this.browse.pool.lease(repo, async () => {
      const problem = newBranchProblem(name);
      if (problem) throw Invalid(`branch name ${problem}`);
      const start = await this.browse.resolveRef(repo, from);
      const [branch, tag] = await Promise.all([this.head(repo, name), this.browse.pool.use(repo, (cat) => cat.info(`refs/tags/${name}`))]);
      if (branch) throw Conflict(`branch "${name}" already exists`);
      if (tag) throw Conflict(`a tag named "${name}" exists; pick another name`);
      const ref = `refs/heads/${name}`;
      try {
        // the all-zero old value makes this a create: it fails if the ref appeared meanwhile
        await runGit(this.browse.ctx.env, ['--git-dir', repo.dir, 'update-ref', '-m', 'branch: created from the web', ref, start.commit, '0'.repeat(start.commit.length)]);
      } catch (err) {
        if (err instanceof GitError) throw Conflict(`branch "${name}" could not be created: it exists, or a branch "${name.split('/')[0]}" or under "${name}/" is in the way`);
        throw err;
      }
      await this.pushes.record(repo.id, { owner: repo.owner, name: repo.name }, userId, 'web', [{ ref, oldSha: ZERO_SHA, newSha: start.commit }]);
      return this.get(repo, name);
    });
  }

  /** Deletes a branch unless it is the default one or a protection rule forbids it. */
  async delete(repo: RepoTarget, userId: number | null, name: string): Promise<void> {
    return this.browse.pool.lease(repo, async () => {
      if (branchNameProblem(name)) throw NotFound(`branch "${name}" does not exist`);
      const sha = await this.head(repo, name);
      if (!sha) throw NotFound(`branch "${name}" does not exist`);
      if (name === repo.defaultBranch) throw Forbidden(`"${name}" is the default branch and cannot be deleted`);
      const rule = await this.protection(repo.id, name);
      if (rule && !rule.enable_deletion) throw Forbidden(`branch "${name}" is protected by rule "${rule.rule_name}" and cannot be deleted`);
      const ref = `refs/heads/${name}`;
      try {
        await runGit(this.browse.ctx.env, ['--git-dir', repo.dir, 'update-ref', '-m', 'branch: deleted from the web', '-d', ref, sha]);
      } catch (err) {
        if (err instanceof GitError) throw Conflict(`branch "${name}" changed while it was being deleted; reload and try again`);
        throw err;
      }
      await this.pushes.record(repo.id, { owner: repo.owner, name: repo.name }, userId, 'web', [{ ref, oldSha: sha, newSha: ZERO_SHA }]);
    });
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

  private async protection(repoId: number, branch: string): Promise<ProtectionRule | null> {
    const rules = await this.db.selectFrom('branch_protections').selectAll().where('repo_id', '=', repoId).execute();
    return rules.find((r) => ruleMatches(r.rule_name, branch)) ?? null;
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
