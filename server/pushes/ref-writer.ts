// The one way the server itself moves refs: web branch creation and deletion today, web edits,
// merges, wiki edits and resets tomorrow. Each write passes the same policy as a push
// (pre-receive: maintenance, ref names, protected branches, quota), then lands as one
// compare-and-swap transaction of `git update-ref --stdin` (every ref moves only from the value
// the caller saw, all or none), then is recorded as exactly one push event with transport "web".
// A wiki's refs take the same path (writeWiki) but are announced as `wiki.push`, not `push`.
import { isServerRef, ZERO_SHA, type RefUpdate } from '../git/ref-update.js';
import { GitError, runGit, type GitEnv } from '../git/command.js';
import { AppError, Conflict, Forbidden, Invalid, Unavailable } from '../lib/errors.js';
import type { PushEvent, WikiPushEvent } from './events.js';
import type { PushPolicy } from './policy.js';
import type { PushRecorder } from './recorder.js';

const SHA_RE = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

export interface RefWriteTarget {
  id: number;
  owner: string;
  name: string;
  /** The bare repository. */
  dir: string;
  /** Bytes on disk, for the quota. */
  size: number;
}

export interface RefWrite {
  repo: RefWriteTarget;
  /** Who asks: the pusher of the resulting event; site admins may be exempt from maintenance. */
  actor: { id: number | null; isSiteAdmin: boolean };
  /** Each ref moves from oldSha (ZERO_SHA: must not exist) to newSha (ZERO_SHA: delete). */
  updates: RefUpdate[];
  /** The reflog message. */
  message: string;
  /** New content this write adds, in bytes: held to the repository quota like a push's pack. */
  incomingBytes?: number;
}

export interface RefWriterDeps {
  git: GitEnv;
  policy: PushPolicy;
  recorder: PushRecorder;
  /** Held by a backup while it captures refs; a web write waits behind it like a push. */
  barrier: { wait(): Promise<void> };
  /** Counts writes in flight so maintenance can wait for them like for pushes. */
  tracker: { start(): () => void };
}

/** Thrown when a ref is no longer where the caller saw it: a push (or another write) won the race. */
export class RefMovedError extends AppError {
  constructor(readonly ref: string) {
    const name = ref.replace(/^refs\/(heads|tags)\//, '');
    super('conflict', `"${name}" moved while this change was being made (someone pushed to it); nothing was written — reload and try again`);
  }
}

export class RefWriter {
  constructor(private readonly deps: RefWriterDeps) {}

  async write(w: RefWrite): Promise<PushEvent> {
    return this.apply(w, false, async (updates) => (await this.deps.recorder.record(w.repo.id, { owner: w.repo.owner, name: w.repo.name }, w.actor.id, 'web', updates))!);
  }

  /**
   * The same for the repository's wiki (`w.repo.dir` is the wiki's bare repository): the push
   * policy without the code repository's branch rules, the same compare-and-swap, and one
   * `wiki.push` event instead of a `push`.
   */
  async writeWiki(w: RefWrite): Promise<WikiPushEvent> {
    return this.apply(w, true, async (updates) => (await this.deps.recorder.recordWiki(w.repo.id, w.repo.dir, w.actor.id, 'web', updates))!);
  }

  private async apply<T>(w: RefWrite, wiki: boolean, record: (updates: RefUpdate[]) => Promise<T>): Promise<T> {
    const updates = w.updates.filter((u) => u.oldSha !== u.newSha);
    if (updates.length === 0) throw Invalid('nothing to change');
    for (const u of updates) {
      if (!u.ref.startsWith('refs/') || /[\0\n]/.test(u.ref) || !SHA_RE.test(u.oldSha) || !SHA_RE.test(u.newSha)) throw Invalid(`malformed ref update for ${JSON.stringify(u.ref)}`);
    }
    await this.deps.barrier.wait();
    const done = this.deps.tracker.start();
    try {
      const refusals = await this.deps.policy.check({
        repoId: w.repo.id,
        repoDir: w.repo.dir,
        repoSize: w.repo.size,
        isSiteAdmin: w.actor.isSiteAdmin,
        updates,
        quarantine: null,
        wiki,
        incomingBytes: w.incomingBytes,
      });
      if (refusals.some((r) => r.kind === 'maintenance')) throw Unavailable(refusals[0]!.message);
      if (refusals.length) throw Forbidden(refusals.map((r) => r.message).join('; '));
      await this.updateRefs(w.repo.dir, updates, w.message);
      return await record(updates);
    } finally {
      done();
    }
  }

  /**
   * Moves refs the server keeps for itself (refs/pull/*): the same compare-and-swap, backup
   * barrier and maintenance tracking as write(), but no push policy and no push event — they
   * follow a pull request's head, which was itself pushed through the policy.
   */
  async writeServerRefs(dir: string, updates: RefUpdate[], message: string): Promise<void> {
    const moving = updates.filter((u) => u.oldSha !== u.newSha);
    if (moving.length === 0) return;
    for (const u of moving) {
      if (!isServerRef(u.ref) || /[\0\n]/.test(u.ref) || !SHA_RE.test(u.oldSha) || !SHA_RE.test(u.newSha)) throw Invalid(`not a server-kept ref update: ${JSON.stringify(u.ref)}`);
    }
    await this.deps.barrier.wait();
    const done = this.deps.tracker.start();
    try {
      await this.updateRefs(dir, moving, message);
    } finally {
      done();
    }
  }

  /** One `update-ref --stdin` transaction: every old value is verified, and all refs move or none. */
  private async updateRefs(dir: string, updates: RefUpdate[], message: string): Promise<void> {
    const lines = ['start'];
    for (const u of updates) {
      if (u.newSha === ZERO_SHA) lines.push(`delete ${u.ref}\0${u.oldSha}`);
      else lines.push(`update ${u.ref}\0${u.newSha}\0${u.oldSha}`);
    }
    lines.push('prepare', 'commit');
    try {
      await runGit(this.deps.git, ['--git-dir', dir, 'update-ref', '-m', message, '--stdin', '-z'], { input: lines.join('\0') + '\0' });
    } catch (err) {
      if (!(err instanceof GitError)) throw err;
      const stderr = err.stderr.toString();
      const moved = updates.find((u) => stderr.includes(u.ref));
      if (/(is at|but expected|unable to resolve reference|reference already exists|cannot lock ref)/.test(stderr) && moved) {
        if (/exists; cannot create|is a directory|cannot be created/.test(stderr))
          throw Conflict(`${moved.ref} cannot be created: a ref of that name, or one it would have to contain or be inside of, exists`);
        throw new RefMovedError(moved.ref);
      }
      throw Conflict(`the refs could not be updated: ${stderr.trim().split('\n')[0] ?? 'git update-ref failed'}`);
    }
  }
}
