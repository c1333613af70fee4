// Web edits: every change a browser or a script makes to a repository's files without a clone
// — Gitea's contents API, uploads, moves, restores, reverts — and the guarded hard reset. Each
// is one commit written with plumbing on the bare repository (tree-edit.ts) and landed through
// the one ref-write path (RefWriter: the push policy, a compare-and-swap update-ref, one push
// event with the actor). A branch that moved since the editor opened fails the write with
// "the branch changed since you started"; a script that sent no tip gets its write replayed on
// the new tip, where the blob ids it sent still guard against lost updates.
import { KeyedQueue } from '../lib/keyed-queue.js';
import { z } from 'zod';
import type { Actor } from '../access/index.js';
import { runGit, userArg } from '../git/command.js';
import { rangeDiff, type CommitDiff, type DiffLimits } from '../git/diff.js';
import { commitTree, isAncestor, mergeTreesWithBase, type Signature } from '../git/merge.js';
import { summary, type Commit } from '../git/objects.js';
import { ZERO_SHA } from '../git/ref-update.js';
import { AppError, Conflict, Forbidden, Invalid, NotFound, Unauthorized } from '../lib/errors.js';
import { decodeBase64 } from '../lib/base64.js';
import { branchNameProblem, newBranchNameProblem } from '../lib/names.js';
import '../pulls/index.js';
import { RefMovedError, type RefWriteTarget } from '../pushes/index.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import { planChange, restoreTree, type FileOp, type Limits, type PlannedChange, type TreeReader } from './tree-edit.js';

export const BRANCH_CHANGED = 'the branch changed since you started — review the new changes';
/** Where a reset keeps the tip it moved away from: `refs/gitssy/backup/<branch>/<unix ms>`. */
export const BACKUP_PREFIX = 'refs/gitssy/backup/';
/** A JSON body carries base64: this much of it at most (the push cap may be lower). */
export const EDIT_BODY_LIMIT_BYTES = 100 * 1024 * 1024;
const CONTENT_CAP_BYTES = Math.floor(((EDIT_BODY_LIMIT_BYTES - 1024 * 1024) * 3) / 4);
const MAX_FILES = 5000;
const WRITE_ATTEMPTS = 3;
const PREVIEW_LIMITS: DiffLimits = { maxFiles: 300, maxLinesPerFile: 2000, maxBytes: 4 * 1024 * 1024, maxListed: 3000 };

const SHA = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'must be a full object id');
const ident = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[^<>\n\0]+$/, "may not contain '<', '>' or a line break"),
  email: z
    .string()
    .min(1)
    .max(320)
    .regex(/^[^<>\s\0]+$/, "may not contain '<', '>' or spaces"),
});
const common = {
  message: z.string().max(65536).optional().describe('the commit message; a default names the change'),
  branch: z.string().max(255).optional().describe('the branch to commit on; default: the default branch'),
  new_branch: z.string().max(255).optional().describe("create this branch from `branch`'s tip and commit there"),
  author: ident.optional(),
  committer: ident.optional(),
  dates: z.object({ author: z.string().optional(), committer: z.string().optional() }).optional().describe('accepted for Gitea clients; the commit is dated now'),
  signoff: z.boolean().optional().describe('add a Signed-off-by trailer'),
  last_commit_id: SHA.optional().describe('Gitssy: the branch tip the editor opened at; a branch that moved since answers 409 and nothing is written'),
};
export const fileChange = z.strictObject({
  operation: z.enum(['create', 'update', 'delete']),
  path: z.string().max(4096),
  content: z.string().optional().describe('base64; for create and update (an update without content and with from_path moves the file or folder as it is)'),
  sha: SHA.optional().describe('update/delete: the blob (or, for a folder, tree) id being replaced'),
  from_path: z.string().max(4096).optional(),
});
/** The body of POST /repos/{o}/{r}/contents (and of a preview or a suggested message for it). */
export const changeSetBody = z.strictObject({ files: z.array(fileChange).min(1).max(MAX_FILES), ...common });
export type ChangeSetBody = z.output<typeof changeSetBody>;
export const createFileBody = z.strictObject({ content: z.string(), ...common });
export const updateFileBody = z.strictObject({ content: z.string().optional(), sha: SHA, from_path: z.string().max(4096).optional(), ...common });
export const deleteFileBody = z.strictObject({ sha: SHA, ...common });
export type CommonBody = Omit<ChangeSetBody, 'files'>;

export interface EditPreview {
  branch: string;
  baseCommit: string | null;
  diff: CommitDiff;
}

export interface EditResult {
  branch: string;
  commit: Commit;
  /** Paths written (created, updated or moved to), with their new blob ids and sizes. */
  written: { path: string; sha: string; mode: string; size: number; content: Buffer | null }[];
}

export interface ResetBackup {
  ref: string;
  branch: string;
  commit: string;
  createdAt: number;
}

/** What decides where a change lands: the branch, its tip, and whether it goes to a new branch. */
interface Landing {
  branch: string;
  /** The branch the commit's parent comes from. */
  from: string;
  tip: string | null;
  ref: string;
  oldSha: string;
}

export class EditService {
  private readonly queue = new KeyedQueue<string>();

  constructor(private readonly s: Services) {}

  /** The caps a change is checked against: the push cap, and what a JSON body can carry. */
  limits(): Limits {
    const cap = this.s.settings.get('git.maxPushBytes');
    const bytes = cap > 0 ? Math.min(cap, CONTENT_CAP_BYTES) : CONTENT_CAP_BYTES;
    return { maxFileBytes: bytes, maxTotalBytes: bytes, maxFiles: MAX_FILES };
  }

  /** Files created, updated, moved or deleted in one commit. */
  async change(actor: Actor, rec: RepoRecord, body: ChangeSetBody): Promise<EditResult> {
    const ops = decodeOps(body);
    return this.land(actor, rec, body, defaultMessage(ops), async (base) => planChange(this.s.git, this.reader(rec), base, ops, this.limits()));
  }

  /** The change as a diff against the branch, written to no ref. */
  async preview(actor: Actor, rec: RepoRecord, body: ChangeSetBody): Promise<EditPreview> {
    if (actor.kind !== 'user') throw Unauthorized();
    const ops = decodeOps(body);
    const dir = this.dir(rec);
    const landing = await this.landing(rec, body);
    const { tree } = await planChange(this.s.git, this.reader(rec), landing.tip, ops, this.limits());
    const from = landing.tip ? await this.treeOf(rec, landing.tip) : await this.emptyTree(dir);
    const diff = await rangeDiff(this.s.browse.ctx, { id: rec.repo.id, dir }, from, tree, PREVIEW_LIMITS);
    return { branch: landing.branch, baseCommit: landing.tip, diff };
  }

  /** A file or folder put back the way it was at `commit` (gone there: removed). */
  async restore(actor: Actor, rec: RepoRecord, input: CommonBody & { path: string; commit: string }): Promise<EditResult> {
    const dir = this.dir(rec);
    const source = await this.commitId(dir, input.commit);
    const message = `Restore ${input.path} to ${source.slice(0, 10)}`;
    return this.land(actor, rec, input, message, async (base) => {
      if (!base) throw NotFound('the branch has no commits to restore onto');
      return { tree: await restoreTree(this.s.git, this.reader(rec), base, source, input.path), written: [] };
    });
  }

  /**
   * A commit undone by a new commit on the branch (git revert, first parent for a merge). A
   * protected branch gets the revert as a pull request from a new branch instead.
   */
  async revert(actor: Actor, rec: RepoRecord, input: { commit: string; branch?: string; message?: string }): Promise<EditResult & { pull: number | null }> {
    const dir = this.dir(rec);
    const sha = await this.commitId(dir, input.commit);
    const commit = await this.s.browse.commit(this.target(rec), sha);
    const parent = commit.parents[0];
    if (!parent) throw Invalid(`${sha.slice(0, 10)} is the first commit; there is nothing before it to go back to`);
    const branch = input.branch ?? rec.repo.default_branch;
    const isProtected = (await this.s.policy.protectionFor(rec.repo.id, branch)) !== null;
    const newBranch = isProtected ? await this.freeBranchName(dir, `revert-${sha.slice(0, 7)}`) : undefined;
    const title = `Revert "${summary(commit.message)}"`;
    const message = input.message?.trim() || `${title}\n\nThis reverts commit ${sha}.`;
    const result = await this.land(actor, rec, { branch, new_branch: newBranch, message }, message, async (base) => {
      if (!base) throw NotFound(`branch "${branch}" has no commits`);
      const merged = await mergeTreesWithBase(this.s.git, dir, sha, base, parent);
      if (!merged.clean) {
        throw Conflict(
          `reverting ${sha.slice(0, 10)} does not apply cleanly to ${branch}${merged.conflicts.length ? ` (conflicts in ${merged.conflicts.slice(0, 5).join(', ')})` : ''}; nothing was written — revert it locally and resolve the conflicts`,
        );
      }
      return { tree: merged.tree!, written: [] };
    });
    if (!newBranch) return { ...result, pull: null };
    const view = await this.s.pulls.open(actor, rec, { head: newBranch, base: branch, title, body: `This reverts commit ${sha}.\n\n${branch} is protected, so the revert waits here for review.` });
    return { ...result, pull: view.issue.index };
  }

  /**
   * Moves a branch back to an earlier commit (repository admins; never a protected branch; the
   * branch name typed to confirm). The old tip is kept under refs/gitssy/backup/ first, so the
   * reset can be undone.
   */
  async reset(actor: Actor, rec: RepoRecord, input: { branch: string; sha: string; confirm: string }): Promise<{ branch: string; oldCommit: string; newCommit: string; backup: ResetBackup }> {
    if (actor.kind !== 'user') throw Unauthorized();
    const { branch } = input;
    if (branchNameProblem(branch)) throw Invalid(`branch: ${branchNameProblem(branch)}`);
    if (input.confirm !== branch) throw Invalid(`type the branch name "${branch}" to confirm the reset`);
    if (await this.s.policy.protectionFor(rec.repo.id, branch)) throw Forbidden(`${branch} is a protected branch; it can't be reset`);
    const dir = this.dir(rec);
    return this.serial(dir, async () => {
      const tip = await this.tipOf(dir, branch);
      if (!tip) throw NotFound(`branch "${branch}" not found`);
      const target = await this.commitId(dir, input.sha);
      if (target === tip) throw Invalid(`${branch} is already at ${target.slice(0, 10)}`);
      if (!(await isAncestor(this.s.git, dir, target, tip))) throw Invalid(`${target.slice(0, 10)} is not an earlier commit of ${branch}; a reset only goes back in the branch's history`);
      const createdAt = Date.now();
      const backup: ResetBackup = { ref: `${BACKUP_PREFIX}${branch}/${createdAt}`, branch, commit: tip, createdAt };
      await this.s.refs.writeServerRefs(dir, [{ ref: backup.ref, oldSha: ZERO_SHA, newSha: tip }], `reset of ${branch}: the old tip`);
      try {
        await this.s.refs.write({
          repo: this.writeTarget(rec),
          actor: { id: actor.user.id, isSiteAdmin: actor.user.isAdmin },
          updates: [{ ref: `refs/heads/${branch}`, oldSha: tip, newSha: target }],
          message: `reset: moving ${branch} to ${target}`,
        });
      } catch (err) {
        await this.s.refs.writeServerRefs(dir, [{ ref: backup.ref, oldSha: tip, newSha: ZERO_SHA }], 'reset failed: drop its backup').catch(() => {});
        throw err instanceof RefMovedError ? Conflict(BRANCH_CHANGED) : err;
      }
      return { branch, oldCommit: tip, newCommit: target, backup };
    });
  }

  /** The resets that can still be undone, newest first (one branch, or all). */
  async resets(rec: RepoRecord, branch?: string): Promise<ResetBackup[]> {
    if (branch !== undefined && branchNameProblem(branch)) return [];
    const prefix = branch === undefined ? BACKUP_PREFIX : `${BACKUP_PREFIX}${branch}/`;
    const r = await runGit(this.s.git, ['--git-dir', this.dir(rec), 'for-each-ref', '--format=%(refname)%00%(objectname)', userArg(prefix)]);
    const out: ResetBackup[] = [];
    for (const line of r.stdout.toString('utf8').split('\n')) {
      const [ref, commit] = line.split('\0');
      const parsed = ref ? parseBackupRef(ref) : null;
      if (!parsed || !commit) continue;
      // `refs/gitssy/backup/a/…` also lists `a/b`'s backups: keep only this branch's
      if (branch !== undefined && parsed.branch !== branch) continue;
      out.push({ ref: ref!, branch: parsed.branch, commit, createdAt: parsed.createdAt });
    }
    return out.sort((a, b) => b.createdAt - a.createdAt);
  }

  /**
   * Puts the branch back where a reset found it, as long as that loses nothing: the branch may
   * not have gained commits since that the old tip doesn't contain. The backup goes with it.
   */
  async undoReset(actor: Actor, rec: RepoRecord, ref: string): Promise<{ branch: string; oldCommit: string | null; newCommit: string }> {
    if (actor.kind !== 'user') throw Unauthorized();
    const parsed = parseBackupRef(ref);
    if (!parsed) throw Invalid(`ref: ${JSON.stringify(ref)} is not a reset backup (${BACKUP_PREFIX}<branch>/<time>)`);
    const dir = this.dir(rec);
    return this.serial(dir, async () => {
      const backup = (await this.resets(rec, parsed.branch)).find((b) => b.ref === ref);
      if (!backup) throw NotFound('that reset backup does not exist (already undone?)');
      const tip = await this.tipOf(dir, parsed.branch);
      if (tip && tip !== backup.commit && !(await isAncestor(this.s.git, dir, tip, backup.commit))) {
        throw Conflict(`${parsed.branch} has new commits since the reset; undoing it would drop them — nothing was changed`);
      }
      if (tip !== backup.commit) {
        try {
          await this.s.refs.write({
            repo: this.writeTarget(rec),
            actor: { id: actor.user.id, isSiteAdmin: actor.user.isAdmin },
            updates: [{ ref: `refs/heads/${parsed.branch}`, oldSha: tip ?? ZERO_SHA, newSha: backup.commit }],
            message: `undo reset: moving ${parsed.branch} back to ${backup.commit}`,
          });
        } catch (err) {
          throw err instanceof RefMovedError ? Conflict(BRANCH_CHANGED) : err;
        }
      }
      await this.s.refs.writeServerRefs(dir, [{ ref, oldSha: backup.commit, newSha: ZERO_SHA }], 'reset undone');
      return { branch: parsed.branch, oldCommit: tip, newCommit: backup.commit };
    });
  }

  // -------------------------------------------------------------------------------------------

  /**
   * Builds a tree on the branch's tip and lands it as one commit by the actor. A push that wins
   * the race makes a script's write go again on the new tip (its blob ids still have to match);
   * an editor that said which tip it saw gets BRANCH_CHANGED instead.
   */
  private async land(actor: Actor, rec: RepoRecord, body: CommonBody, fallbackMessage: string, build: (base: string | null) => Promise<PlannedChange>): Promise<EditResult> {
    if (actor.kind !== 'user') throw Unauthorized();
    const user = await this.s.users.byId(actor.user.id);
    if (!user) throw Unauthorized();
    const me = { name: user.full_name || user.name, email: user.email };
    const now = Math.floor(Date.now() / 1000);
    // as Gitea: one of author and committer given stands for both
    const authorId = body.author ?? body.committer ?? me;
    const committerId = body.committer ?? body.author ?? me;
    const author: Signature = { ...authorId, when: now, tz: '+0000' };
    const committer: Signature = { ...committerId, when: now, tz: '+0000' };
    let message = body.message?.trim() ? body.message.replace(/\s+$/, '') : fallbackMessage;
    if (body.signoff) message += `\n\nSigned-off-by: ${committer.name} <${committer.email}>`;
    const dir = this.dir(rec);
    return this.serial(dir, async () => {
      for (let attempt = 1; ; attempt++) {
        const landing = await this.landing(rec, body);
        const { tree, written } = await build(landing.tip);
        if (landing.tip && tree === (await this.treeOf(rec, landing.tip))) throw Invalid('the change leaves every file as it was; there is nothing to commit');
        const parents = landing.tip ? [landing.tip] : [];
        const sha = await commitTree(this.s.git, dir, tree, parents, `${message}\n`, author, committer);
        try {
          await this.s.refs.write({
            repo: this.writeTarget(rec),
            actor: { id: actor.user.id, isSiteAdmin: actor.user.isAdmin },
            updates: [{ ref: landing.ref, oldSha: landing.oldSha, newSha: sha }],
            message: `web edit: ${summary(message)}`,
            incomingBytes: written.reduce((n, w) => n + (w.content?.length ?? 0), 0),
          });
        } catch (err) {
          if (!(err instanceof RefMovedError)) throw err;
          if (body.last_commit_id) throw new AppError('conflict', BRANCH_CHANGED, { details: { branch: landing.branch } });
          if (attempt < WRITE_ATTEMPTS) continue;
          throw Conflict(`${landing.branch} kept moving while this change was being written; nothing was written — try again`);
        }
        const commit: Commit = { sha, tree, parents, author: { ...author, tz: '+0000' }, committer: { ...committer, tz: '+0000' }, message: `${message}\n` };
        this.s.browse.ctx.branches?.noteCommit(dir, sha);
        return { branch: landing.branch, commit, written: await this.sized(rec, written) };
      }
    });
  }

  /** Where a change lands, checked: the branch exists (or the repository is empty), the tip is the one the editor saw, a new branch is new. */
  private async landing(rec: RepoRecord, body: CommonBody): Promise<Landing> {
    const dir = this.dir(rec);
    const from = body.branch ?? rec.repo.default_branch;
    const problem = branchNameProblem(from);
    if (problem) throw Invalid(`branch: ${problem}`);
    const tip = await this.tipOf(dir, from);
    if (!tip && (await this.hasBranches(dir))) throw NotFound(`branch "${from}" not found`);
    if (body.last_commit_id && tip !== body.last_commit_id) throw new AppError('conflict', BRANCH_CHANGED, { details: { branch: from, current_commit: tip } });
    if (body.new_branch === undefined || body.new_branch === from) return { branch: from, from, tip, ref: `refs/heads/${from}`, oldSha: tip ?? ZERO_SHA };
    const np = newBranchNameProblem(body.new_branch);
    if (np) throw Invalid(`new_branch: ${np}`);
    if (await this.tipOf(dir, body.new_branch)) throw Conflict(`branch "${body.new_branch}" already exists; choose another name`);
    return { branch: body.new_branch, from, tip, ref: `refs/heads/${body.new_branch}`, oldSha: ZERO_SHA };
  }

  /** Sizes for the files a move wrote without reading them (one pooled lookup each). */
  private async sized(rec: RepoRecord, written: PlannedChange['written']): Promise<EditResult['written']> {
    const missing = written.filter((w) => w.size === null);
    const sizes = new Map<string, number>();
    if (missing.length) {
      const reader = this.reader(rec);
      await reader.ctx.pool.use(reader.repo, async (cat) => {
        await Promise.all(missing.map(async (w) => sizes.set(w.sha, (await cat.info(w.sha))?.size ?? 0)));
      });
    }
    return written.map((w) => ({ ...w, size: w.size ?? sizes.get(w.sha) ?? 0 }));
  }

  private async tipOf(dir: string, branch: string): Promise<string | null> {
    // the ref file when it names a commit git has shown us; the compare-and-swap checks it anyway
    const known = this.s.browse.ctx.branches?.tip(dir, branch);
    if (known) return known;
    const r = await runGit(this.s.git, ['--git-dir', dir, 'rev-parse', '--verify', '--quiet', '--end-of-options', userArg(`refs/heads/${branch}^{commit}`)], { okExitCodes: [1] });
    const sha = r.stdout.toString().trim();
    if (r.code !== 0 || !sha) return null;
    this.s.browse.ctx.branches?.noteCommit(dir, sha);
    return sha;
  }

  private async hasBranches(dir: string): Promise<boolean> {
    const r = await runGit(this.s.git, ['--git-dir', dir, 'for-each-ref', '--count=1', '--format=%(refname)', 'refs/heads/']);
    return r.stdout.length > 0;
  }

  /** A full commit id that names a commit in this repository, or a 404. */
  private async commitId(dir: string, sha: string): Promise<string> {
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) throw Invalid('commit: must be a full commit id');
    const r = await runGit(this.s.git, ['--git-dir', dir, 'rev-parse', '--verify', '--quiet', '--end-of-options', userArg(`${sha}^{commit}`)], { okExitCodes: [1] });
    if (r.code !== 0) throw NotFound(`commit ${sha.slice(0, 10)} not found in this repository`);
    return r.stdout.toString().trim();
  }

  private async treeOf(rec: RepoRecord, commit: string): Promise<string> {
    const reader = this.reader(rec);
    const info = await reader.ctx.pool.use(reader.repo, (cat) => cat.info(`${commit}^{tree}`));
    if (!info) throw NotFound(`commit ${commit.slice(0, 10)} has no tree`);
    return info.sha;
  }

  private async emptyTree(dir: string): Promise<string> {
    return (await runGit(this.s.git, ['--git-dir', dir, 'hash-object', '-t', 'tree', '-w', '--stdin'], { input: '' })).stdout.toString().trim();
  }

  private async freeBranchName(dir: string, base: string): Promise<string> {
    for (let n = 1; n < 100; n++) {
      const name = n === 1 ? base : `${base}-${n}`;
      if (!(await this.tipOf(dir, name))) return name;
    }
    throw Conflict(`no free branch name like "${base}"`);
  }

  private reader(rec: RepoRecord): TreeReader {
    return { ctx: this.s.browse.ctx, repo: { id: rec.repo.id, dir: this.dir(rec) } };
  }

  private dir(rec: RepoRecord): string {
    return this.s.store.dir({ owner: rec.owner.name, name: rec.repo.name });
  }

  private target(rec: RepoRecord) {
    return { id: rec.repo.id, dir: this.dir(rec), owner: rec.owner.name, name: rec.repo.name, defaultBranch: rec.repo.default_branch };
  }

  private writeTarget(rec: RepoRecord): RefWriteTarget {
    return { id: rec.repo.id, owner: rec.owner.name, name: rec.repo.name, dir: this.dir(rec), size: rec.repo.size };
  }

  /** One write per repository at a time from this process: two web edits never race each other. */
  private serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.queue.run(key, fn);
  }
}

function parseBackupRef(ref: string): { branch: string; createdAt: number } | null {
  if (!ref.startsWith(BACKUP_PREFIX)) return null;
  const m = /^(.+)\/(\d{13})$/.exec(ref.slice(BACKUP_PREFIX.length));
  if (!m || branchNameProblem(m[1]!)) return null;
  return { branch: m[1]!, createdAt: Number(m[2]) };
}

/** The API's file changes with their content decoded (bad base64 is a 422 naming the field). */
export function decodeOps(body: ChangeSetBody): FileOp[] {
  return body.files.map((f, i) => ({
    operation: f.operation,
    path: f.path,
    content: f.content !== undefined ? decodeBase64(f.content, body.files.length > 1 ? `files[${i}].content` : 'content') : undefined,
    sha: f.sha,
    fromPath: f.from_path,
  }));
}

function defaultMessage(ops: FileOp[]): string {
  if (ops.length === 1) {
    const op = ops[0]!;
    if (op.operation === 'create') return `Add ${op.path}`;
    if (op.operation === 'delete') return `Delete ${op.path}`;
    if (op.fromPath !== undefined && op.fromPath !== op.path) return `Move ${op.fromPath} to ${op.path}`;
    return `Update ${op.path}`;
  }
  const kinds = new Set(ops.map((o) => o.operation));
  const verb = kinds.size > 1 ? 'Change' : kinds.has('create') ? 'Add' : kinds.has('delete') ? 'Delete' : 'Update';
  return `${verb} ${ops.length} files`;
}
