// Turns ref updates that landed into exactly one durable push event each: the event row and
// the refs snapshot change in one transaction, and at start-up any difference between the
// snapshot and the refs on disk (a push the server could not hear about) becomes one
// "recovered" event, so nothing is lost and nothing is counted twice. The outbox event that
// carries it to subscribers is written in that same transaction, and record() returns without
// waiting for any subscriber: a push is acknowledged as soon as it is durable.
import type { Db } from '../db/index.js';
import type { EventBus } from '../events/index.js';
import { isServerRef, ZERO_SHA, type RefUpdate } from '../git/ref-update.js';
import type { PushEvent, PushTransport, WikiPushEvent } from './events.js';
import { runGit, type GitEnv } from '../git/command.js';
import { readAllRefs } from '../git/ref-files.js';
import type { RepoRef, RepoStore } from '../git/repo-store.js';
import type { Logger } from '../lib/log.js';
import { localLocks, type KeyedLocks } from '../scale/index.js';

export interface RecordOptions {
  /**
   * false: the event is durable, but its subscribers start when the caller calls kick() (the
   * hook endpoint: once the push has answered its client). The outbox's poll starts them anyway.
   */
  kick?: boolean;
}

export class PushRecorder {
  constructor(
    private readonly db: Db,
    private readonly store: RepoStore,
    private readonly git: GitEnv,
    private readonly events: EventBus,
    private readonly log: Logger,
    /** Repository state that must be right when the push is acknowledged (emptiness, HEAD), given the refs now on disk. */
    private readonly afterRecord: (repoId: number, refs: Map<string, string>) => Promise<void> = async () => {},
    /**
     * record() reads the refs on disk and writes the snapshot: one at a time per repository,
     * across the forge's instances when they share the store (server/scale).
     */
    private readonly locks: KeyedLocks = localLocks(),
  ) {}

  /** Every ref of the repository with the object it points at. */
  async readRefs(ref: RepoRef): Promise<Map<string, string>> {
    const all = await readAllRefs(this.git, this.store.dir(ref));
    // refs/pull/* move with the pull requests, not with pushes: never part of a push event
    const refs = new Map<string, string>();
    for (const [name, sha] of all) if (!isServerRef(name)) refs.set(name, sha);
    return refs;
  }

  /** Replaces the snapshot with the refs on disk, without an event (new, forked, adopted repos). */
  async snapshot(repoId: number, ref: RepoRef): Promise<Map<string, string>> {
    return this.serial(repoId, async () => {
      const refs = await this.readRefs(ref);
      await this.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('repo_refs').where('repo_id', '=', repoId).execute();
        const rows = [...refs].map(([name, sha]) => ({ repo_id: repoId, ref: name, sha }));
        for (let i = 0; i < rows.length; i += 500)
          await trx
            .insertInto('repo_refs')
            .values(rows.slice(i, i + 500))
            .execute();
        await trx.updateTable('repositories').set({ refs_synced: 1 }).where('id', '=', repoId).execute();
      });
      return refs;
    });
  }

  /**
   * Records one push (the updates git reported as landed) and announces it. The
   * snapshot takes each ref's value as it is on disk now, so pushes racing on one ref leave
   * it in step with git whatever order their hooks report in.
   */
  async record(repoId: number, ref: RepoRef, pusherId: number | null, transport: PushTransport, updates: RefUpdate[], opts: RecordOptions = {}): Promise<PushEvent | null> {
    if (updates.length === 0) return null;
    const event = await this.serial(repoId, () => this.recordHeld(repoId, ref, pusherId, transport, updates));
    if (opts.kick !== false) this.events.kick();
    return event;
  }

  /** Hands recorded events to their subscribers now (after a record() told not to). */
  kick(): void {
    this.events.kick();
  }

  /** record()'s work, with the repository's lock held. */
  private async recordHeld(repoId: number, ref: RepoRef, pusherId: number | null, transport: PushTransport, updates: RefUpdate[]): Promise<PushEvent> {
    const current = await this.readRefs(ref);
    const at = Date.now();
    await this.afterRecord(repoId, current);
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('push_events')
        .values({ repo_id: repoId, pusher_id: pusherId, transport, updates: JSON.stringify(updates), created_at: at })
        .returning('id')
        .executeTakeFirstOrThrow();
      for (const u of updates) {
        const sha = current.get(u.ref);
        await trx.deleteFrom('repo_refs').where('repo_id', '=', repoId).where('ref', '=', u.ref).execute();
        if (sha) await trx.insertInto('repo_refs').values({ repo_id: repoId, ref: u.ref, sha }).execute();
      }
      const event: PushEvent = { id: row.id, repoId, pusherId, transport, updates, at };
      await this.events.record(trx, 'push', event);
      return event;
    });
  }

  /**
   * Records a push to a repository's wiki as one `wiki.push` event (never a `push`: see
   * WikiPushEvent). First, as for a code push, what must be right when the push is
   * acknowledged: a wiki whose HEAD names a branch that doesn't exist (a first push of `master`
   * to a wiki made with `main`) points at the branch that was pushed, so it clones and reads.
   */
  async recordWiki(repoId: number, wikiDir: string, pusherId: number | null, transport: PushTransport, updates: RefUpdate[], opts: RecordOptions = {}): Promise<WikiPushEvent | null> {
    if (updates.length === 0) return null;
    // serialized per wiki, apart from its code repository
    const event = await this.serialWiki(repoId, async () => {
      await settleWikiHead(this.git, wikiDir);
      const at = Date.now();
      const event: WikiPushEvent = { repoId, pusherId, transport, updates, at };
      await this.db.transaction().execute((trx) => this.events.record(trx, 'wiki.push', event));
      return event;
    });
    if (opts.kick !== false) this.events.kick();
    return event;
  }

  /** Start-up pass: snapshot repositories never seen, recover pushes missed in the others. */
  async reconcile(): Promise<{ recovered: number }> {
    const repos = await this.db
      .selectFrom('repositories as r')
      .innerJoin('users as u', 'u.id', 'r.owner_id')
      .select(['r.id as id', 'r.name as name', 'u.name as owner', 'r.refs_synced as synced'])
      .execute();
    let recovered = 0;
    // a few repositories at a time: each is a git process or two, mostly waiting on the disk
    let next = 0;
    const worker = async () => {
      while (next < repos.length) await one(repos[next++]!);
    };
    const one = async (r: (typeof repos)[number]) => {
      const ref = { owner: r.owner, name: r.name };
      try {
        if (!(await this.store.exists(ref))) return;
        if (!r.synced) {
          await this.snapshot(r.id, ref);
          return;
        }
        // compared and recorded under the repository's lock: a push that another instance is
        // recording right now is that one's to record, not a missed one
        const updates = await this.serial(r.id, async () => {
          const onDisk = await this.readRefs(ref);
          const known = await this.db.selectFrom('repo_refs').select(['ref', 'sha']).where('repo_id', '=', r.id).execute();
          const missed: RefUpdate[] = [];
          const seen = new Set<string>();
          for (const k of known) {
            seen.add(k.ref);
            const now = onDisk.get(k.ref);
            if (now !== k.sha) missed.push({ ref: k.ref, oldSha: k.sha, newSha: now ?? ZERO_SHA });
          }
          for (const [name, sha] of onDisk) if (!seen.has(name)) missed.push({ ref: name, oldSha: ZERO_SHA, newSha: sha });
          if (missed.length) await this.recordHeld(r.id, ref, null, 'recovered', missed);
          return missed;
        });
        if (updates.length) {
          this.events.kick();
          recovered++;
          this.log.info({ repo: `${r.owner}/${r.name}`, refs: updates.length }, 'recovered a push the server missed');
        }
      } catch (err) {
        this.log.warn({ err, repo: `${r.owner}/${r.name}` }, 'could not reconcile refs');
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, repos.length) }, worker));
    return { recovered };
  }

  private serial<T>(repoId: number, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(`repo:${repoId}`, fn);
  }

  private serialWiki<T>(repoId: number, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(`wiki:${repoId}`, fn);
  }
}

/** Points a wiki's HEAD at an existing branch when the one it names is gone: main, master, else the first. */
async function settleWikiHead(git: GitEnv, dir: string): Promise<void> {
  const head = (await runGit(git, ['--git-dir', dir, 'symbolic-ref', '-q', 'HEAD'], { okExitCodes: [1] })).stdout.toString().trim();
  const { stdout } = await runGit(git, ['--git-dir', dir, 'for-each-ref', '--format=%(refname)', 'refs/heads/']);
  const branches = stdout.toString().split('\n').filter(Boolean);
  if (branches.length === 0 || branches.includes(head)) return;
  const pick = branches.find((b) => b === 'refs/heads/main') ?? branches.find((b) => b === 'refs/heads/master') ?? branches.sort()[0]!;
  await runGit(git, ['--git-dir', dir, 'symbolic-ref', 'HEAD', pick]);
}
