// Pull requests: opening one (same repository or a readable fork), keeping refs/pull/<n>/head on
// the head, mergeability with `git merge-tree --write-tree` after every push to either side, and
// merging with plumbing only (server/git/merge.ts) — the base moves through the RefWriter, so
// the push policy (protected branches, maintenance, quota) applies to merges as to pushes, and a
// base that moved meanwhile is a compare-and-swap failure that is retried, never lost.
import { KeyedQueue } from '../lib/keyed-queue.js';
import type { Kysely, Transaction } from 'kysely';
import { LEVEL_ORDER, type AccessLevel, type Actor, type Visibility } from '../access/index.js';
import type { Database } from '../db/schema.js';
import type { UserRow } from '../db/schema.js';
import { runGit } from '../git/command.js';
import { isAncestor, mergeBase, mergeTrees, MergeUnsupportedError, performMerge, type MergeStyle, type Signature } from '../git/merge.js';
import { ZERO_SHA } from '../git/ref-update.js';
import { AppError, Conflict, Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { checkBody, cleanTitle, type IssueRow } from '../issues/index.js';
import { RefMovedError, ruleMatches } from '../pushes/index.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import { reviewBlockers } from './rules.js';
import type { MergeStatus, PullRow } from './schema.js';

/** 405 in the API: the merge is refused for a reason the caller can act on. */
export class MergeRefused extends AppError {
  constructor(message: string) {
    super('conflict', message, { status: 405 });
  }
}

export interface OpenPull {
  head: string;
  base: string;
  title: string;
  body: string;
  draft?: boolean;
  assignees?: string[];
  reviewers?: string[];
  /** Label ids or names; applied for writers only (as in Gitea), like the milestone. */
  labels?: (number | string)[];
  milestone?: number;
}

export interface MergeOptions {
  style: MergeStyle;
  message?: string;
  deleteBranch?: boolean;
  headCommitId?: string;
}

export interface PullView {
  pull: PullRow;
  issue: IssueRow;
  base: RepoRecord;
  /** The head's repository, when it still exists (callers decide whether the viewer may see it). */
  head: RepoRecord | null;
}

const BRANCH_RE = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[^\0-\x20~^:?*[\\\x7f]+(?<![./])$/;
const MERGE_ATTEMPTS = 3;

function branchName(name: string, what: string): string {
  if (!BRANCH_RE.test(name) || name.length > 255 || name.endsWith('.lock')) throw Invalid(`${what}: "${name}" is not a branch name`);
  return name;
}

/** Whether everyone who may read `base` may read the fork too (by visibility alone). */
function forkVisibleToBaseReaders(fork: RepoRecord, base: RepoRecord): boolean {
  if (fork.repo.visibility === 'public') return true;
  return fork.repo.visibility === 'internal' && base.repo.visibility !== 'public';
}

export function signatureOf(u: Pick<UserRow, 'name' | 'full_name' | 'email'>, when = Date.now()): Signature {
  return { name: u.full_name || u.name, email: u.email, when: Math.floor(when / 1000) };
}

export class PullService {
  /** One mergeability check or head sync per pull request at a time, and one merge per base branch. */
  private readonly queue = new KeyedQueue<string>();

  constructor(private readonly s: Services) {}

  private serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.queue.run(key, fn);
  }

  private dir(rec: RepoRecord): string {
    return this.s.store.dir({ owner: rec.owner.name, name: rec.repo.name });
  }

  /** A branch's tip, or null when there is no such branch. */
  async branchTip(rec: RepoRecord, branch: string): Promise<string | null> {
    const { stdout } = await runGit(this.s.git, ['--git-dir', this.dir(rec), 'for-each-ref', '--format=%(objectname)', `refs/heads/${branch}`]);
    return stdout.toString().trim().split('\n')[0] || null;
  }

  private async serverRef(rec: RepoRecord, ref: string): Promise<string> {
    const { stdout } = await runGit(this.s.git, ['--git-dir', this.dir(rec), 'for-each-ref', '--format=%(objectname)', ref]);
    return stdout.toString().trim().split('\n')[0] || ZERO_SHA;
  }

  /** A user's level on a repository (not the request's actor): the issue tracker's one rule. */
  levelOf(userId: number, rec: RepoRecord): Promise<AccessLevel> {
    return this.s.tracker.levelOf(userId, rec.repo);
  }

  /**
   * `branch` (same repository), `user:branch` or `user/repo:branch` (a fork of the base, or the
   * base itself) — the repository the viewer must be able to read, or it is 404.
   */
  async resolveHead(actor: Actor, base: RepoRecord, spec: string): Promise<{ rec: RepoRecord; branch: string }> {
    const colon = spec.indexOf(':');
    if (colon < 0) return { rec: base, branch: branchName(spec, 'head') };
    const who = spec.slice(0, colon);
    const branch = branchName(spec.slice(colon + 1), 'head');
    let rec: RepoRecord | undefined;
    if (who.includes('/')) {
      const [o, n] = who.split('/');
      rec = await this.s.repos.find(o!, n!);
    } else if (who.toLowerCase() === base.owner.lower_name) {
      rec = base;
    } else {
      const owner = await this.s.users.byName(who);
      const fork = owner && (await this.s.db.selectFrom('repositories').select(['name']).where('owner_id', '=', owner.id).where('fork_id', '=', base.repo.id).executeTakeFirst());
      rec = fork ? await this.s.repos.find(owner!.name, fork.name) : undefined;
    }
    const readable = rec && (await this.s.access.can(actor, 'read', { id: rec.repo.id, ownerId: rec.repo.owner_id, visibility: rec.repo.visibility as Visibility }));
    if (!rec || !readable) throw NotFound(`head repository for "${spec}" not found`);
    if (rec.repo.id !== base.repo.id && rec.repo.fork_id !== base.repo.id) throw Invalid(`head: ${rec.owner.name}/${rec.repo.name} is not a fork of ${base.owner.name}/${base.repo.name}`);
    return { rec, branch };
  }

  /** Copies the head's objects into the base repository (a fork's head), so merges and refs/pull see them. */
  private async fetchHead(base: RepoRecord, head: RepoRecord, sha: string): Promise<void> {
    if (head.repo.id === base.repo.id) return;
    const present = await runGit(this.s.git, ['--git-dir', this.dir(base), 'cat-file', '-e', `${sha}^{commit}`]).then(
      () => true,
      () => false,
    );
    if (present) return;
    await runGit(this.s.git, ['-c', 'uploadpack.allowAnySHA1InWant=true', '--git-dir', this.dir(base), 'fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', this.dir(head), sha], {
      timeoutMs: 30 * 60_000,
    });
  }

  /** What opening a pull request would show: the commits and the capped diff from the merge base. */
  async compare(base: RepoRecord, head: RepoRecord, baseSha: string, headSha: string) {
    await this.fetchHead(base, head, headSha);
    const mb = await mergeBase(this.s.git, this.dir(base), baseSha, headSha);
    if (!mb) return { in: base, mergeBase: null, commits: [], total: 0, diff: null };
    const target = this.target(base);
    const [{ commits, total }, diff] = await Promise.all([this.s.browse.rangeCommits(target, mb, headSha, { limit: 250 }), this.s.browse.compare(target, mb, headSha)]);
    return { in: base, mergeBase: mb, commits, total, diff };
  }

  async open(actor: Actor, base: RepoRecord, input: OpenPull): Promise<PullView> {
    if (actor.kind !== 'user') throw Forbidden('sign in to open a pull request');
    // the request's own fields first: a bad title is 422 whatever the branches are
    cleanTitle(input.title);
    checkBody(input.body);
    const baseBranch = branchName(input.base, 'base');
    const head = await this.resolveHead(actor, base, input.head);
    if (head.rec.repo.id === base.repo.id && head.branch === baseBranch) throw Invalid('head and base are the same branch');
    const assignees = await this.usersNamed(input.assignees ?? [], 'assignees');
    const reviewers = await this.usersNamed(input.reviewers ?? [], 'reviewers');
    for (const r of reviewers) {
      if (r.id === actor.user.id) throw Invalid('reviewers: you cannot request your own review');
      if (LEVEL_ORDER[await this.levelOf(r.id, base)] < LEVEL_ORDER.read) throw Invalid(`reviewers: ${r.name} cannot read this repository`);
    }
    for (const a of assignees) if (LEVEL_ORDER[await this.levelOf(a.id, base)] < LEVEL_ORDER.read) throw Invalid(`assignees: ${a.name} cannot read this repository`);
    // triage (labels, milestone) is for writers; from anyone else it is left out, as in Gitea
    const triage = LEVEL_ORDER[await this.levelOf(actor.user.id, base)] >= LEVEL_ORDER.write;
    const labels = triage ? await this.s.labels.resolve(base.repo.id, base.repo.owner_id, input.labels ?? []) : [];
    const milestoneId = triage && input.milestone ? (await this.s.labels.milestoneForBody(base.repo.id, input.milestone)).id : null;
    const [baseSha, headSha] = await Promise.all([this.branchTip(base, baseBranch), this.branchTip(head.rec, head.branch)]);
    if (!baseSha) throw NotFound(`base branch "${baseBranch}" does not exist`);
    if (!headSha) throw NotFound(`head branch "${head.branch}" does not exist`);
    const assertNoOpenPull = async (db: Kysely<Database>) => {
      const existing = await db
        .selectFrom('pull_requests as p')
        .innerJoin('issues as i', 'i.id', 'p.issue_id')
        .select('p.index')
        .where('p.repo_id', '=', base.repo.id)
        .where('p.head_repo_id', '=', head.rec.repo.id)
        .where('p.head_branch', '=', head.branch)
        .where('p.base_branch', '=', baseBranch)
        .where('i.is_closed', '=', 0)
        .executeTakeFirst();
      if (existing) throw Conflict(`pull request #${existing.index} already exists for ${input.head} into ${baseBranch}`);
    };
    await assertNoOpenPull(this.s.db);
    await this.fetchHead(base, head.rec, headSha);
    if (await isAncestor(this.s.git, this.dir(base), headSha, baseSha)) throw Invalid(`there are no changes between ${baseBranch} and ${input.head}: its commits are all in ${baseBranch}`);
    const mb = await mergeBase(this.s.git, this.dir(base), baseSha, headSha);
    if (!mb) throw Invalid(`${input.head} and ${baseBranch} have no common history`);

    const now = Date.now();
    const { pull } = await this.s.db.transaction().execute(async (trx) => {
      // again inside the transaction, after taking the number: that holds the repository's issue
      // counter row until commit, so two requests racing (a double click) check one after the
      // other (on PostgreSQL too) and open one pull request; the refused one's number is rolled back
      const issue = await this.s.issues.create(trx, { repoId: base.repo.id, posterId: actor.user.id, title: input.title, body: input.body, isPull: true });
      await assertNoOpenPull(trx);
      const pull = await trx
        .insertInto('pull_requests')
        .values({
          issue_id: issue.id,
          repo_id: base.repo.id,
          index: issue.index,
          head_repo_id: head.rec.repo.id,
          head_branch: head.branch,
          head_sha: headSha,
          base_branch: baseBranch,
          merge_base: mb,
          status: 'checking',
          checked_base_sha: null,
          checked_head_sha: null,
          is_draft: input.draft ? 1 : 0,
          merged_at: null,
          merged_by: null,
          merge_commit_sha: null,
          merge_style: null,
          pending_merge: null,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.s.issues.setAssignees(
        trx,
        issue.id,
        assignees.map((a) => a.id),
      );
      if (labels.length) await this.s.labels.apply(trx, issue.id, labels, 'replace');
      if (milestoneId !== null) await trx.updateTable('issues').set({ milestone_id: milestoneId }).where('id', '=', issue.id).execute();
      for (const r of reviewers) {
        await trx.insertInto('pull_review_requests').values({ pull_id: pull.id, user_id: r.id, requested_by: actor.user.id, created_at: now }).execute();
        await this.s.issues.addEntry(trx, issue.id, actor.user.id, 'review_request', '', { user_id: r.id, user: r.name });
      }
      await this.s.events.record(trx, 'pull.opened', { pullId: pull.id, repoId: base.repo.id, index: pull.index, actorId: actor.user.id });
      return { pull };
    });
    this.s.events.kick();
    // refs/pull/<n>/head right away (the pull.opened subscriber makes sure of it after a crash)
    await this.syncHead(pull.id).catch((err: unknown) => this.s.log.warn({ err, pull: pull.id }, 'could not write refs/pull/<n>/head yet'));
    return this.view(pull.id);
  }

  private async usersNamed(names: string[], what: string): Promise<UserRow[]> {
    const out: UserRow[] = [];
    for (const n of new Set(names.map((x) => x.toLowerCase()))) {
      const u = await this.s.users.byName(n);
      if (!u || u.type !== 0) throw Invalid(`${what}: no such user "${n}"`);
      out.push(u);
    }
    return out;
  }

  async view(pullId: number): Promise<PullView> {
    const pull = await this.s.db.selectFrom('pull_requests').selectAll().where('id', '=', pullId).executeTakeFirst();
    if (!pull) throw NotFound('pull request not found');
    const issue = (await this.s.issues.byId(pull.issue_id))!;
    const base = await this.s.repos.byId(pull.repo_id);
    if (!base) throw NotFound('pull request not found');
    const head = pull.head_repo_id === null ? null : ((await this.s.repos.byId(pull.head_repo_id)) ?? null);
    return { pull, issue, base, head };
  }

  async byIndex(base: RepoRecord, index: number): Promise<PullView> {
    const row = await this.s.db.selectFrom('pull_requests').select('id').where('repo_id', '=', base.repo.id).where('index', '=', index).executeTakeFirst();
    if (!row) throw NotFound('pull request not found');
    return this.view(row.id);
  }

  /**
   * Brings a pull request up to date with its head branch: copies a fork's objects, moves
   * refs/pull/<n>/head, and records the push (or force-push) on the timeline with the
   * `pull.synchronized` event. Idempotent, so the push subscriber may run it again after a crash.
   */
  async syncHead(pullId: number, pusherId: number | null = null): Promise<boolean> {
    return this.serial(`pull:${pullId}`, async () => {
      const v = await this.view(pullId);
      const ref = `refs/pull/${v.pull.index}/head`;
      const tip = v.head && !v.issue.is_closed ? await this.branchTip(v.head, v.pull.head_branch) : null;
      const current = await this.serverRef(v.base, ref);
      const target = tip ?? v.pull.head_sha;
      if (tip) await this.fetchHead(v.base, v.head!, tip);
      if (current !== target) await this.s.refs.writeServerRefs(this.dir(v.base), [{ ref, oldSha: current, newSha: target }], `pull request #${v.pull.index}: head`);
      if (!tip || tip === v.pull.head_sha) return false;
      const old = v.pull.head_sha;
      const forced = !(await isAncestor(this.s.git, this.dir(v.base), old, tip));
      const commits = forced ? [] : (await this.s.browse.rangeCommits(this.target(v.base), old, tip, { limit: 50 })).commits.map((c) => ({ sha: c.sha, message: c.message.split('\n')[0] }));
      const baseTip = await this.branchTip(v.base, v.pull.base_branch);
      const mb = baseTip ? ((await mergeBase(this.s.git, this.dir(v.base), baseTip, tip)) ?? v.pull.merge_base) : v.pull.merge_base;
      const rule = await this.rule(v.base, v.pull.base_branch);
      await this.s.db.transaction().execute(async (trx) => {
        const moved = await trx
          .updateTable('pull_requests')
          .set({ head_sha: tip, merge_base: mb, status: 'checking', updated_at: Date.now() })
          .where('id', '=', pullId)
          .where('head_sha', '=', old)
          .executeTakeFirst();
        if (!Number(moved.numUpdatedRows)) return;
        await this.s.issues.addEntry(trx, v.issue.id, pusherId, forced ? 'force_push' : 'push', '', { old, new: tip, commits });
        if (rule?.dismiss_stale_approvals) {
          await trx.updateTable('pull_reviews').set({ stale: 1 }).where('pull_id', '=', pullId).where('state', '=', 'APPROVED').where('commit_id', '!=', tip).execute();
        }
        await this.s.events.record(trx, 'pull.synchronized', { pullId, repoId: v.base.repo.id, index: v.pull.index, oldHead: old, newHead: tip, forced, actorId: pusherId });
      });
      this.s.events.kick();
      return true;
    });
  }

  target(rec: RepoRecord) {
    return { id: rec.repo.id, owner: rec.owner.name, name: rec.repo.name, dir: this.dir(rec), defaultBranch: rec.repo.default_branch };
  }

  async rule(base: RepoRecord, branch: string) {
    const rules = await this.s.db.selectFrom('branch_protections').selectAll().where('repo_id', '=', base.repo.id).execute();
    return rules.find((r) => r.rule_name === branch) ?? rules.find((r) => ruleMatches(r.rule_name, branch)) ?? null;
  }

  /**
   * Computes whether the head merges cleanly into the base as they are now, and stores it with
   * the two tips it was computed for. Returns the updated row.
   */
  async checkMergeability(pullId: number): Promise<PullRow> {
    return this.serial(`pull:${pullId}`, async () => {
      const v = await this.view(pullId);
      if (v.pull.has_merged || v.issue.is_closed) return v.pull;
      const dir = this.dir(v.base);
      const baseTip = await this.branchTip(v.base, v.pull.base_branch);
      const head = v.pull.head_sha;
      let status: MergeStatus;
      let message = '';
      let conflicts: string[] = [];
      let mb = v.pull.merge_base;
      if (!baseTip) {
        status = 'error';
        message = `the base branch "${v.pull.base_branch}" no longer exists`;
      } else {
        mb = (await mergeBase(this.s.git, dir, baseTip, head)) ?? mb;
        try {
          if (await isAncestor(this.s.git, dir, head, baseTip)) {
            status = 'empty';
            message = `everything in ${v.pull.head_branch} is already in ${v.pull.base_branch}`;
          } else {
            const check = await mergeTrees(this.s.git, dir, baseTip, head);
            if (check.unrelated) {
              status = 'error';
              message = `${v.pull.head_branch} and ${v.pull.base_branch} have no common history`;
            } else {
              status = check.clean ? 'mergeable' : 'conflict';
              conflicts = check.conflicts;
              if (!check.clean) message = `merging would conflict in ${conflicts.length} file${conflicts.length === 1 ? '' : 's'}`;
            }
          }
        } catch (err) {
          if (!(err instanceof MergeUnsupportedError)) throw err;
          status = 'unsupported';
          message = err.message;
        }
      }
      const row = await this.s.db
        .updateTable('pull_requests')
        .set({ status, status_message: message, conflicted_files: JSON.stringify(conflicts), checked_base_sha: baseTip, checked_head_sha: head, merge_base: mb })
        .where('id', '=', pullId)
        .where('head_sha', '=', head)
        .returningAll()
        .executeTakeFirst();
      if (row && (row.status !== v.pull.status || row.checked_base_sha !== v.pull.checked_base_sha)) await this.announce(v.base, row.index, 'mergeable');
      return row ?? (await this.view(pullId)).pull;
    });
  }

  /** Tells the pull request's page (everyone in the repository's room) that something changed. */
  async announce(base: RepoRecord, index: number, what: string): Promise<void> {
    await this.s.realtime.toRepo({ id: base.repo.id, ownerId: base.repo.owner_id, visibility: base.repo.visibility as Visibility }, 'pull.updated', {
      repo: `${base.owner.name}/${base.repo.name}`,
      number: index,
      what,
    });
  }

  /** Merges a pull request (see the file comment); answers with the merge commit. */
  async merge(actor: Actor, base: RepoRecord, index: number, opts: MergeOptions): Promise<{ sha: string; branchDeleted: boolean }> {
    if (actor.kind !== 'user') throw Forbidden('sign in to merge');
    const first = await this.byIndex(base, index);
    return this.serial(`base:${base.repo.id}:${first.pull.base_branch}`, async () => {
      let v = await this.view(first.pull.id);
      // who may merge first: someone without write hears 403 whatever state the pull request is in
      if (LEVEL_ORDER[await this.s.access.level(actor, { id: base.repo.id, ownerId: base.repo.owner_id, visibility: base.repo.visibility as Visibility })] < LEVEL_ORDER.write) {
        throw Forbidden('only people who may write to the repository may merge');
      }
      if (v.pull.has_merged) throw new MergeRefused('this pull request is already merged');
      if (v.issue.is_closed) throw new MergeRefused('this pull request is closed; reopen it to merge');
      const rule = await this.rule(base, v.pull.base_branch);
      if (rule?.enable_merge_whitelist) {
        const allowed = JSON.parse(rule.merge_whitelist_usernames) as string[];
        if (!allowed.includes(actor.user.name.toLowerCase())) throw Forbidden(`${v.pull.base_branch} is protected: only ${allowed.join(', ') || 'nobody'} may merge into it`);
      }
      if (v.pull.is_draft) throw new MergeRefused('this pull request is a draft; mark it ready for review first');
      // the head may have moved without the push subscriber having run yet
      // (and re-read either way: a push subscriber may have synced it while this call waited)
      await this.syncHead(v.pull.id, null);
      v = await this.view(v.pull.id);
      if (opts.headCommitId && opts.headCommitId !== v.pull.head_sha) throw Conflict(`the head moved: it is ${v.pull.head_sha} now, not ${opts.headCommitId}; review the new commits and try again`);
      const merger = (await this.s.users.byId(actor.user.id))!;
      const poster = v.issue.poster_id ? await this.s.users.byId(v.issue.poster_id) : undefined;
      const now = Date.now();
      for (let attempt = 1; attempt <= MERGE_ATTEMPTS; attempt++) {
        const baseTip = await this.branchTip(base, v.pull.base_branch);
        if (!baseTip) throw new MergeRefused(`the base branch "${v.pull.base_branch}" no longer exists`);
        let pull = v.pull;
        if (pull.checked_base_sha !== baseTip || pull.checked_head_sha !== pull.head_sha || pull.status === 'checking') pull = await this.checkMergeability(pull.id);
        if (pull.status === 'conflict') throw new MergeRefused(`not mergeable: merging would conflict in ${(JSON.parse(pull.conflicted_files) as string[]).join(', ')}`);
        if (pull.status !== 'mergeable') throw new MergeRefused(`not mergeable: ${pull.status_message || pull.status}`);
        const blockers = await reviewBlockers(this.s, base, pull, rule);
        if (blockers.length) throw new MergeRefused(blockers.join('; '));
        const result = await performMerge(this.s.git, this.dir(base), {
          style: opts.style,
          base: baseTip,
          head: pull.head_sha,
          message: opts.message?.trim() ? opts.message : await this.defaultMessage(v, opts.style),
          author: opts.style === 'squash' && poster ? signatureOf(poster, now) : signatureOf(merger, now),
          committer: signatureOf(merger, now),
        });
        if (!result.ok) {
          if (result.reason === 'not-fast-forward')
            throw new MergeRefused(`${v.pull.head_branch} is not a fast-forward of ${v.pull.base_branch}; merge or rebase it first, or pick another merge style`);
          if (result.reason === 'up-to-date') throw new MergeRefused(`everything in ${v.pull.head_branch} is already in ${v.pull.base_branch}`);
          throw new MergeRefused(
            `not mergeable: ${result.reason === 'conflict' ? `conflict in ${result.conflicts.join(', ') || 'the history'}${result.commit ? ` at ${result.commit.slice(0, 10)}` : ''}` : result.reason}`,
          );
        }
        await this.s.db
          .updateTable('pull_requests')
          .set({ pending_merge: JSON.stringify({ sha: result.sha, style: opts.style, by: actor.user.id }) })
          .where('id', '=', pull.id)
          .execute();
        try {
          await this.s.refs.write({
            repo: { id: base.repo.id, owner: base.owner.name, name: base.repo.name, dir: this.dir(base), size: base.repo.size },
            actor: { id: actor.user.id, isSiteAdmin: actor.user.isAdmin },
            updates: [{ ref: `refs/heads/${pull.base_branch}`, oldSha: baseTip, newSha: result.sha }],
            message: `merge pull request #${pull.index} (${opts.style})`,
          });
        } catch (err) {
          // the ref moved after all (only what follows the write failed): the merge happened
          if ((await this.branchTip(base, pull.base_branch).catch(() => null)) === result.sha) {
            this.s.log.warn({ err, pull: pull.id }, 'merge landed but its write reported an error; finishing it');
            await this.finishMerge(pull.id, result.sha, opts.style, actor.user.id);
            return { sha: result.sha, branchDeleted: false };
          }
          // nothing landed: no merge is pending (a later push must not complete this one)
          await this.s.db.updateTable('pull_requests').set({ pending_merge: null }).where('id', '=', pull.id).where('has_merged', '=', 0).execute();
          if (err instanceof RefMovedError && attempt < MERGE_ATTEMPTS) {
            v = await this.view(pull.id);
            continue;
          }
          if (err instanceof RefMovedError) throw Conflict(`${pull.base_branch} kept moving while the merge was computed (${MERGE_ATTEMPTS} tries); nothing was merged — try again`);
          throw err;
        }
        await this.finishMerge(pull.id, result.sha, opts.style, actor.user.id);
        const branchDeleted = opts.deleteBranch ? await this.deleteHeadBranch(actor, v) : false;
        return { sha: result.sha, branchDeleted };
      }
      throw Conflict(`${v.pull.base_branch} kept moving while the merge was computed; nothing was merged — try again`);
    });
  }

  /** Marks a pull request merged (once), closes it and records `pull.merged`. */
  async finishMerge(pullId: number, sha: string, style: string, byId: number | null): Promise<boolean> {
    const v = await this.view(pullId);
    const now = Date.now();
    const done = await this.s.db.transaction().execute(async (trx: Transaction<Database>) => {
      const res = await trx
        .updateTable('pull_requests')
        .set({ has_merged: 1, merged_at: now, merged_by: byId, merge_commit_sha: sha, merge_style: style, pending_merge: null, status: 'mergeable', updated_at: now })
        .where('id', '=', pullId)
        .where('has_merged', '=', 0)
        .executeTakeFirst();
      if (!Number(res.numUpdatedRows)) return false;
      await trx.updateTable('issues').set({ is_closed: 1, closed_at: now, updated_at: now }).where('id', '=', v.issue.id).execute();
      await this.s.issues.addEntry(trx, v.issue.id, byId, 'merge', '', { sha, style, base: v.pull.base_branch });
      await this.s.events.record(trx, 'pull.merged', { pullId, repoId: v.base.repo.id, index: v.pull.index, sha, style, actorId: byId });
      return true;
    });
    if (done) {
      this.s.events.kick();
      await this.announce(v.base, v.pull.index, 'merged');
    }
    return done;
  }

  private async deleteHeadBranch(actor: Actor & { kind: 'user' }, v: PullView): Promise<boolean> {
    if (!v.head || v.head.repo.id !== v.base.repo.id) return false;
    if (v.pull.head_branch === v.base.repo.default_branch) return false;
    const rule = await this.rule(v.base, v.pull.head_branch);
    if (rule) return false;
    const others = await this.s.db
      .selectFrom('pull_requests as p')
      .innerJoin('issues as i', 'i.id', 'p.issue_id')
      .select('p.id')
      .where('p.repo_id', '=', v.base.repo.id)
      .where('p.base_branch', '=', v.pull.head_branch)
      .where('i.is_closed', '=', 0)
      .executeTakeFirst();
    if (others) return false; // another open pull request merges into it
    const tip = await this.branchTip(v.head, v.pull.head_branch);
    if (tip !== v.pull.head_sha) return false; // someone pushed after the merge: keep their work
    try {
      await this.s.refs.write({
        repo: { id: v.head.repo.id, owner: v.head.owner.name, name: v.head.repo.name, dir: this.dir(v.head), size: v.head.repo.size },
        actor: { id: actor.user.id, isSiteAdmin: actor.user.isAdmin },
        updates: [{ ref: `refs/heads/${v.pull.head_branch}`, oldSha: tip, newSha: ZERO_SHA }],
        message: `pull request #${v.pull.index} merged: branch deleted`,
      });
      return true;
    } catch (err) {
      this.s.log.info({ err, pull: v.pull.id }, 'head branch not deleted after merge');
      return false;
    }
  }

  async defaultMessage(v: PullView, style: MergeStyle): Promise<string> {
    // the message lands in the base, read by everyone who reads it: a fork they may not be able
    // to read (a private one) is not named, nor its branch
    const fork = v.head && v.head.repo.id !== v.base.repo.id ? v.head : null;
    const from = !fork ? v.pull.head_branch : forkVisibleToBaseReaders(fork, v.base) ? `${fork.owner.name}/${fork.repo.name}:${v.pull.head_branch}` : `refs/pull/${v.pull.index}/head`;
    if (style === 'squash') {
      const { commits } = await this.s.browse.rangeCommits(this.target(v.base), v.pull.merge_base, v.pull.head_sha, { limit: 100 });
      const list = commits.map((c) => `* ${c.message.split('\n')[0]}`).join('\n');
      return `${v.issue.title} (#${v.pull.index})\n\n${list}\n`;
    }
    return `Merge pull request '${v.issue.title}' (#${v.pull.index}) from ${from} into ${v.pull.base_branch}\n\n${v.issue.body ? `${v.issue.body.trim()}\n` : ''}`;
  }

  /** Title, body, state (open/closed), base branch, draft flag: what PATCH /pulls/{n} changes. */
  async edit(
    actor: Actor,
    base: RepoRecord,
    index: number,
    change: { title?: string; body?: string; state?: 'open' | 'closed'; base?: string; draft?: boolean; assignees?: string[] },
  ): Promise<PullView> {
    if (actor.kind !== 'user') throw Forbidden('sign in to edit a pull request');
    const v = await this.byIndex(base, index);
    const canWrite = LEVEL_ORDER[await this.s.access.level(actor, { id: base.repo.id, ownerId: base.repo.owner_id, visibility: base.repo.visibility as Visibility })] >= LEVEL_ORDER.write;
    if (!canWrite && v.issue.poster_id !== actor.user.id) throw Forbidden('only the author or someone who may write to the repository may edit this pull request');
    if (change.assignees !== undefined && !canWrite) throw Forbidden('only writers may assign people');
    if (v.pull.has_merged && (change.state !== undefined || change.base !== undefined)) throw Invalid('this pull request is merged; its state and base can no longer change');
    if (change.base !== undefined) {
      const b = branchName(change.base, 'base');
      if (b !== v.pull.base_branch && !(await this.branchTip(base, b))) throw NotFound(`base branch "${b}" does not exist`);
      if (v.pull.head_repo_id === base.repo.id && b === v.pull.head_branch) throw Invalid('head and base are the same branch');
    }
    // an open pull request for the same head and base (one opened after this one was closed)
    const reopening = change.state === 'open' && v.issue.is_closed === 1;
    if (reopening || (change.base !== undefined && change.base !== v.pull.base_branch && !v.issue.is_closed)) {
      const other = await this.s.db
        .selectFrom('pull_requests as p')
        .innerJoin('issues as i', 'i.id', 'p.issue_id')
        .select('p.index')
        .where('p.repo_id', '=', base.repo.id)
        .where('p.id', '!=', v.pull.id)
        // `IS <number>` is SQLite only; PostgreSQL's IS takes NULL, TRUE or FALSE
        .where((eb) => (v.pull.head_repo_id === null ? eb('p.head_repo_id', 'is', null) : eb('p.head_repo_id', '=', v.pull.head_repo_id)))
        .where('p.head_branch', '=', v.pull.head_branch)
        .where('p.base_branch', '=', change.base ?? v.pull.base_branch)
        .where('i.is_closed', '=', 0)
        .executeTakeFirst();
      if (other) throw Conflict(`pull request #${other.index} is already open for ${v.pull.head_branch} into ${change.base ?? v.pull.base_branch}`);
    }
    const assignees = change.assignees ? await this.usersNamed(change.assignees, 'assignees') : null;
    for (const a of assignees ?? []) if (LEVEL_ORDER[await this.levelOf(a.id, base)] < LEVEL_ORDER.read) throw Invalid(`assignees: ${a.name} cannot read this repository`);
    const now = Date.now();
    let reopened = false;
    await this.s.db.transaction().execute(async (trx) => {
      const issueSet: Partial<IssueRow> = { updated_at: now };
      if (change.title !== undefined) {
        issueSet.title = cleanTitle(change.title);
        if (issueSet.title !== v.issue.title) await this.s.issues.addEntry(trx, v.issue.id, actor.user.id, 'title', '', { from: v.issue.title, to: issueSet.title });
      }
      if (change.body !== undefined) {
        issueSet.body = checkBody(change.body);
      }
      if (change.state !== undefined && (change.state === 'closed') !== (v.issue.is_closed === 1)) {
        issueSet.is_closed = change.state === 'closed' ? 1 : 0;
        issueSet.closed_at = change.state === 'closed' ? now : null;
        await this.s.issues.addEntry(trx, v.issue.id, actor.user.id, change.state === 'closed' ? 'close' : 'reopen', '');
        await this.s.events.record(trx, change.state === 'closed' ? 'pull.closed' : 'pull.reopened', { pullId: v.pull.id, repoId: base.repo.id, index, actorId: actor.user.id });
        if (change.state === 'open') reopened = true;
      }
      await trx.updateTable('issues').set(issueSet).where('id', '=', v.issue.id).execute();
      const pullSet: Partial<PullRow> = { updated_at: now };
      if (change.base !== undefined && change.base !== v.pull.base_branch) {
        pullSet.base_branch = change.base;
        pullSet.status = 'checking';
        await this.s.issues.addEntry(trx, v.issue.id, actor.user.id, 'base', '', { from: v.pull.base_branch, to: change.base });
      }
      if (change.draft !== undefined && (change.draft ? 1 : 0) !== v.pull.is_draft) {
        pullSet.is_draft = change.draft ? 1 : 0;
        await this.s.issues.addEntry(trx, v.issue.id, actor.user.id, change.draft ? 'draft' : 'ready', '');
      }
      if (reopened) pullSet.status = 'checking';
      await trx.updateTable('pull_requests').set(pullSet).where('id', '=', v.pull.id).execute();
      if (assignees)
        await this.s.issues.setAssignees(
          trx,
          v.issue.id,
          assignees.map((a) => a.id),
        );
    });
    this.s.events.kick();
    if (reopened) await this.syncHead(v.pull.id, actor.user.id);
    const after = await this.view(v.pull.id);
    if (after.pull.status === 'checking') void this.checkMergeability(v.pull.id).catch((err: unknown) => this.s.log.warn({ err }, 'mergeability check failed'));
    await this.announce(base, index, 'edited');
    return after;
  }

  /** Open pull requests whose head is this branch of this repository. */
  async openWithHead(repoId: number, branch: string): Promise<number[]> {
    const rows = await this.s.db
      .selectFrom('pull_requests as p')
      .innerJoin('issues as i', 'i.id', 'p.issue_id')
      .select('p.id')
      .where('p.head_repo_id', '=', repoId)
      .where('p.head_branch', '=', branch)
      .where('i.is_closed', '=', 0)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Open pull requests into this branch of this repository. */
  async openWithBase(repoId: number, branch: string): Promise<PullRow[]> {
    return this.s.db
      .selectFrom('pull_requests as p')
      .innerJoin('issues as i', 'i.id', 'p.issue_id')
      .selectAll('p')
      .where('p.repo_id', '=', repoId)
      .where('p.base_branch', '=', branch)
      .where('i.is_closed', '=', 0)
      .execute();
  }

  /**
   * After a push to a base branch: a pull request whose pending merge (or whose head) is now in
   * the base is merged — by our own merge whose bookkeeping a crash interrupted, or by someone
   * who merged and pushed by hand, as GitHub counts it.
   */
  async detectMerged(base: RepoRecord, pull: PullRow, tip: string, pusherId: number | null): Promise<boolean> {
    const dir = this.dir(base);
    if (pull.pending_merge) {
      const p = JSON.parse(pull.pending_merge) as { sha: string; style: string; by: number };
      if (await isAncestor(this.s.git, dir, p.sha, tip)) return this.finishMerge(pull.id, p.sha, p.style, p.by);
    }
    if (await isAncestor(this.s.git, dir, pull.head_sha, tip)) return this.finishMerge(pull.id, tip, 'manual', pusherId);
    return false;
  }
}
