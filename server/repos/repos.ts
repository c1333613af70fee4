// Repositories: the db record and the bare repository on disk kept in step. Every entry point
// takes the actor and asks the access service; a repository the actor may not read is
// reported exactly like one that doesn't exist.
import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from '../db/index.js';
import { isUniqueViolation } from '../db/index.js';
import type { Database, RepoRow, UserRow } from '../db/schema.js';
import { AccessService, LEVEL_ORDER, type AccessLevel, type Actor, type RepoAction, type RepoFacts, type Visibility } from '../access/index.js';
import type { AuditLog } from '../audit/index.js';
import { writeRootCommit, type RepoStore } from '../git/repo-store.js';
import { ZERO_SHA } from '../git/ref-update.js';
import type { GitEnv } from '../git/command.js';
import { Conflict, Forbidden, Invalid, NotFound, Unauthorized } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import { branchNameProblem, newBranchNameProblem, repoNameProblem } from '../lib/names.js';
import { USER_TYPE, websiteProblem } from '../users/index.js';
import type { OrgService } from '../orgs/index.js';
import type { PushRecorder, RefWriter } from '../pushes/index.js';
import type { EventBus } from '../events/index.js';

export interface RepoRecord {
  repo: RepoRow;
  owner: UserRow;
}

export interface CreateRepoInput {
  name: string;
  description?: string;
  visibility?: Visibility;
  defaultBranch?: string;
  autoInit?: boolean;
}

export interface UpdateRepoInput {
  name?: string;
  description?: string;
  website?: string;
  visibility?: Visibility;
  defaultBranch?: string;
}

export interface Page {
  page: number;
  limit: number;
}

export type CollaboratorRole = 'read' | 'write' | 'admin';

export function facts(repo: RepoRow): RepoFacts {
  return { id: repo.id, ownerId: repo.owner_id, visibility: repo.visibility as Visibility };
}

export class RepoService {
  constructor(
    private readonly db: Db,
    private readonly store: RepoStore,
    private readonly git: GitEnv,
    private readonly access: AccessService,
    private readonly orgs: OrgService,
    private readonly audit: AuditLog,
    private readonly pushes: PushRecorder,
    private readonly events: EventBus,
    private readonly log: Logger,
    /** The one ref-write path (built after this service: it records through the push recorder, which calls back here). */
    private readonly refs: () => RefWriter,
  ) {}

  /** Looks a repository up by names with no access check (callers check). */
  async find(ownerName: string, repoName: string): Promise<RepoRecord | undefined> {
    if (ownerName.length > 40 || repoName.length > 100) return undefined;
    const row = await this.db
      .selectFrom('repositories as r')
      .innerJoin('users as o', 'o.id', 'r.owner_id')
      .selectAll('r')
      .select(['o.name as owner_name'])
      .where('o.lower_name', '=', ownerName.toLowerCase())
      .where('r.lower_name', '=', repoName.toLowerCase())
      .executeTakeFirst();
    if (!row) return undefined;
    const owner = await this.db.selectFrom('users').selectAll().where('id', '=', row.owner_id).executeTakeFirstOrThrow();
    const { owner_name: _ignored, ...repo } = row;
    return { repo, owner };
  }

  async byId(id: number): Promise<RepoRecord | undefined> {
    const repo = await this.db.selectFrom('repositories').selectAll().where('id', '=', id).executeTakeFirst();
    if (!repo) return undefined;
    const owner = await this.db.selectFrom('users').selectAll().where('id', '=', repo.owner_id).executeTakeFirstOrThrow();
    return { repo, owner };
  }

  level(actor: Actor, rec: RepoRecord): Promise<AccessLevel> {
    return this.access.effectiveLevel(actor, facts(rec.repo));
  }

  /**
   * Resolves a repository the actor may act on. Not readable (or missing): 404 for signed-in
   * callers, 401 for anonymous ones, so existence is never revealed. Readable but not
   * allowed: 403.
   */
  async resolve(actor: Actor, ownerName: string, repoName: string, action: RepoAction = 'read'): Promise<RepoRecord & { level: AccessLevel }> {
    const rec = await this.find(ownerName, repoName);
    const level = rec ? await this.level(actor, rec) : 'none';
    if (!rec || level === 'none') {
      if (actor.kind === 'anonymous' && action !== 'read') throw Unauthorized();
      throw NotFound('repository not found');
    }
    if (LEVEL_ORDER[level] < LEVEL_ORDER[action]) {
      if (actor.kind === 'anonymous') throw Unauthorized();
      throw Forbidden(`you need ${action} access to ${rec.owner.name}/${rec.repo.name}`);
    }
    return { ...rec, level };
  }

  /** May the actor create repositories under this owner? */
  async assertCanCreateIn(actor: Actor, owner: UserRow): Promise<void> {
    if (actor.kind !== 'user') throw Unauthorized();
    if (actor.user.isAdmin || actor.user.id === owner.id) return;
    if (owner.type === USER_TYPE.organization && (await this.orgs.role(owner.id, actor.user.id))) return;
    throw Forbidden(`you may not create repositories for ${owner.name}`);
  }

  async create(actor: Actor, owner: UserRow, input: CreateRepoInput, ctx: { ip?: string | null } = {}): Promise<RepoRecord> {
    await this.assertCanCreateIn(actor, owner);
    const nameProblem = repoNameProblem(input.name);
    if (nameProblem) throw Invalid(`repository name ${nameProblem}`);
    const branch = input.defaultBranch ?? 'main';
    // the first push (or the README) creates it: the rules of a new branch
    const branchProblem = newBranchNameProblem(branch);
    if (branchProblem) throw Invalid(`default branch ${branchProblem}`);
    if ((input.description ?? '').length > 2048) throw Invalid('description must be at most 2048 characters');

    const ref = { owner: owner.name, name: input.name };
    if (await this.find(owner.name, input.name)) throw Conflict(`repository ${owner.name}/${input.name} already exists`);
    if (await this.store.exists(ref)) {
      throw Conflict(`files for ${owner.name}/${input.name} already exist on disk; an administrator can adopt or remove them`);
    }
    const now = Date.now();
    let repo: RepoRow;
    try {
      repo = await this.db
        .insertInto('repositories')
        .values({
          owner_id: owner.id,
          name: input.name,
          lower_name: input.name.toLowerCase(),
          description: input.description ?? '',
          website: '',
          visibility: input.visibility ?? 'public',
          default_branch: branch,
          is_empty: 1,
          fork_id: null,
          num_forks: 0,
          num_stars: 0,
          num_watches: 0,
          size: 0,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (err) {
      if (isUniqueViolation(err)) throw Conflict(`repository ${owner.name}/${input.name} already exists`);
      throw err;
    }
    try {
      await this.store.create(ref, branch);
      await this.pushes.snapshot(repo.id, ref);
      if (input.autoInit) {
        const actorUser = actor.kind === 'user' ? await this.db.selectFrom('users').select(['name', 'full_name', 'email']).where('id', '=', actor.user.id).executeTakeFirst() : undefined;
        const readme = `# ${input.name}\n\n${input.description ?? ''}\n`;
        const commit = await writeRootCommit(this.git, this.store.dir(ref), [{ path: 'README.md', content: readme }], 'Initial commit', {
          name: actorUser?.full_name || actorUser?.name || 'Gitssy',
          email: actorUser?.email || 'noreply@gitssy.local',
        });
        // the first branch lands like any other server-side ref change: policy, CAS, one push event
        await this.refs().write({
          repo: { id: repo.id, owner: owner.name, name: repo.name, dir: this.store.dir(ref), size: 0 },
          actor: { id: actorId(actor), isSiteAdmin: actor.kind === 'user' && actor.user.isAdmin },
          updates: [{ ref: `refs/heads/${branch}`, oldSha: ZERO_SHA, newSha: commit }],
          message: 'repository created with a README',
        });
        repo = await this.db.selectFrom('repositories').selectAll().where('id', '=', repo.id).executeTakeFirstOrThrow();
      }
    } catch (err) {
      await this.db.deleteFrom('repositories').where('id', '=', repo.id).execute();
      await this.store.delete(ref).catch(() => {});
      throw err;
    }
    await this.autoWatch(actor, repo.id);
    // the audit entry and everything else that follows a new repository come from this event
    await this.events.publish('repo.created', { repoId: repo.id, actorId: actorId(actor), fullName: `${owner.name}/${repo.name}`, visibility: repo.visibility, forkOf: null, ip: ctx.ip ?? null });
    return { repo, owner };
  }

  async update(actor: Actor, rec: RepoRecord, input: UpdateRepoInput, ctx: { ip?: string | null } = {}): Promise<RepoRecord> {
    await this.assertLevel(actor, rec, 'admin');
    const set: Partial<RepoRow> = {};
    if (input.description !== undefined) {
      if (input.description.length > 2048) throw Invalid('description must be at most 2048 characters');
      set.description = input.description;
    }
    if (input.website !== undefined) {
      // pages show it as a link: only http(s) addresses (or nothing)
      const problem = websiteProblem(input.website);
      if (problem) throw Invalid(`website ${problem}`);
      set.website = input.website.trim();
    }
    if (input.visibility !== undefined) set.visibility = input.visibility;
    if (input.defaultBranch !== undefined && input.defaultBranch !== rec.repo.default_branch) {
      // in an empty repository the default branch is yet to be created: the rules of a new branch
      const problem = rec.repo.is_empty ? newBranchNameProblem(input.defaultBranch) : branchNameProblem(input.defaultBranch);
      if (problem) throw Invalid(`default branch ${problem}`);
      if (!rec.repo.is_empty) {
        const branches = await this.store.branches({ owner: rec.owner.name, name: rec.repo.name }, 10_000);
        if (!branches.includes(input.defaultBranch)) throw Invalid(`branch "${input.defaultBranch}" does not exist`);
      }
      set.default_branch = input.defaultBranch;
    }
    const renameTo = input.name !== undefined && input.name !== rec.repo.name ? input.name : undefined;
    if (renameTo !== undefined) {
      const problem = repoNameProblem(renameTo);
      if (problem) throw Invalid(`repository name ${problem}`);
      set.name = renameTo;
      set.lower_name = renameTo.toLowerCase();
    }
    if (Object.keys(set).length === 0) return rec;
    set.updated_at = Date.now();

    const from = { owner: rec.owner.name, name: rec.repo.name };
    const to = { owner: rec.owner.name, name: renameTo ?? rec.repo.name };
    let repo: RepoRow;
    try {
      repo = await this.db.updateTable('repositories').set(set).where('id', '=', rec.repo.id).returningAll().executeTakeFirstOrThrow();
    } catch (err) {
      if (isUniqueViolation(err)) throw Conflict(`repository ${rec.owner.name}/${renameTo} already exists`);
      throw err;
    }
    try {
      if (renameTo !== undefined) await this.store.rename(from, to);
      if (set.default_branch) await this.store.setHead(to, set.default_branch);
    } catch (err) {
      // put the record back the way the disk still is
      await this.db.updateTable('repositories').set({ name: rec.repo.name, lower_name: rec.repo.lower_name, default_branch: rec.repo.default_branch }).where('id', '=', rec.repo.id).execute();
      throw err;
    }
    if (set.visibility !== undefined || renameTo !== undefined) await this.events.publish('repo.access', { repoId: repo.id });
    await this.audit.record({
      actorId: actorId(actor),
      action: renameTo ? 'repo.rename' : 'repo.update',
      targetType: 'repository',
      targetId: repo.id,
      detail: { ...input, from: `${rec.owner.name}/${rec.repo.name}` },
      ip: ctx.ip ?? null,
    });
    return { repo, owner: rec.owner };
  }

  async delete(actor: Actor, rec: RepoRecord, ctx: { ip?: string | null } = {}): Promise<void> {
    await this.assertLevel(actor, rec, 'admin');
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('repositories').where('id', '=', rec.repo.id).execute();
      await this.events.record(trx, 'repo.deleted', { repoId: rec.repo.id, actorId: actorId(actor), fullName: `${rec.owner.name}/${rec.repo.name}`, ip: ctx.ip ?? null });
      if (rec.repo.fork_id !== null) {
        await trx
          .updateTable('repositories')
          .set((eb) => ({ num_forks: eb('num_forks', '-', 1) }))
          .where('id', '=', rec.repo.fork_id)
          .where('num_forks', '>', 0)
          .execute();
      }
    });
    this.events.kick();
    await this.store.delete({ owner: rec.owner.name, name: rec.repo.name });
  }

  async fork(actor: Actor, source: RepoRecord, target: { owner: UserRow; name?: string }, ctx: { ip?: string | null } = {}): Promise<RepoRecord> {
    await this.assertLevel(actor, source, 'read');
    await this.assertCanCreateIn(actor, target.owner);
    const name = target.name ?? source.repo.name;
    const problem = repoNameProblem(name);
    if (problem) throw Invalid(`repository name ${problem}`);
    if (target.owner.id === source.owner.id && name.toLowerCase() === source.repo.lower_name) throw Conflict('a repository cannot be forked onto itself');
    const existing = await this.find(target.owner.name, name);
    if (existing) throw Conflict(`repository ${target.owner.name}/${name} already exists`);

    const now = Date.now();
    let repo: RepoRow;
    try {
      repo = await this.db
        .insertInto('repositories')
        .values({
          owner_id: target.owner.id,
          name,
          lower_name: name.toLowerCase(),
          description: source.repo.description,
          website: source.repo.website,
          visibility: source.repo.visibility,
          default_branch: source.repo.default_branch,
          is_empty: source.repo.is_empty,
          fork_id: source.repo.id,
          num_forks: 0,
          num_stars: 0,
          num_watches: 0,
          size: source.repo.size,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (err) {
      if (isUniqueViolation(err)) throw Conflict(`repository ${target.owner.name}/${name} already exists`);
      throw err;
    }
    try {
      await this.store.fork({ owner: source.owner.name, name: source.repo.name }, { owner: target.owner.name, name });
      await this.pushes.snapshot(repo.id, { owner: target.owner.name, name });
    } catch (err) {
      await this.db.deleteFrom('repositories').where('id', '=', repo.id).execute();
      throw err;
    }
    await this.db
      .updateTable('repositories')
      .set((eb) => ({ num_forks: eb('num_forks', '+', 1) }))
      .where('id', '=', source.repo.id)
      .execute();
    await this.autoWatch(actor, repo.id);
    await this.audit.record({
      actorId: actorId(actor),
      action: 'repo.fork',
      targetType: 'repository',
      targetId: repo.id,
      detail: { from: `${source.owner.name}/${source.repo.name}`, to: `${target.owner.name}/${name}` },
      ip: ctx.ip ?? null,
    });
    return { repo, owner: target.owner };
  }

  /** Registers an existing bare repository under `owner` (see RepoStore.adopt). */
  async adopt(owner: UserRow, name: string, sourceDir: string, opts: { move: boolean }): Promise<RepoRecord> {
    const problem = repoNameProblem(name);
    if (problem) throw Invalid(`repository name ${problem}`);
    if (await this.find(owner.name, name)) throw Conflict(`repository ${owner.name}/${name} already exists`);
    const ref = { owner: owner.name, name };
    await this.store.adopt(sourceDir, ref, opts);
    const head = (await this.store.headBranch(ref)) ?? 'main';
    const now = Date.now();
    let repo: RepoRow;
    try {
      repo = await this.db
        .insertInto('repositories')
        .values({
          owner_id: owner.id,
          name,
          lower_name: name.toLowerCase(),
          description: '',
          website: '',
          visibility: 'private',
          default_branch: head,
          is_empty: 1,
          fork_id: null,
          num_forks: 0,
          num_stars: 0,
          num_watches: 0,
          size: 0,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (err) {
      if (!opts.move) await this.store.delete(ref);
      throw err;
    }
    await this.syncAfterPush(repo.id, await this.pushes.snapshot(repo.id, ref));
    await this.maintainAfterPush(repo.id, { maintain: false });
    await this.audit.record({
      actorId: null,
      action: 'repo.import',
      targetType: 'repository',
      targetId: repo.id,
      detail: { full_name: `${owner.name}/${name}`, from: sourceDir, moved: opts.move },
      ip: null,
    });
    return { repo: (await this.byId(repo.id))!.repo, owner };
  }

  // ---- listing -------------------------------------------------------------------------------

  /** Every repository's owner and name, in a stable order (checks, backups). */
  allNames(): Promise<{ id: number; owner: string; name: string }[]> {
    return this.db
      .selectFrom('repositories as r')
      .innerJoin('users as u', 'u.id', 'r.owner_id')
      .select(['r.id as id', 'r.name as name', 'u.name as owner'])
      .orderBy('u.lower_name')
      .orderBy('r.lower_name')
      .execute();
  }

  /** A filter that keeps only repositories the actor may read. */
  visibleTo(actor: Actor) {
    return (eb: ExpressionBuilder<Database & { r: Database['repositories'] }, 'r'>) => {
      if (actor.kind === 'anonymous') return eb('r.visibility', '=', 'public');
      if (actor.user.isAdmin) return sql<boolean>`1 = 1`;
      const uid = actor.user.id;
      return eb.or([
        eb('r.visibility', 'in', ['public', 'internal']),
        eb('r.owner_id', '=', uid),
        eb('r.id', 'in', eb.selectFrom('collaborations').select('repo_id').where('user_id', '=', uid)),
        eb('r.owner_id', 'in', eb.selectFrom('org_members').select('org_id').where('user_id', '=', uid)),
      ]);
    };
  }

  async search(
    actor: Actor,
    opts: Page & { q?: string; ownerId?: number; sort?: 'alpha' | 'created' | 'updated' | 'size' | 'stars' | 'forks' | 'id'; order?: 'asc' | 'desc'; exclusiveOwner?: boolean },
  ): Promise<{ items: RepoRecord[]; total: number }> {
    let base = this.db.selectFrom('repositories as r').where(this.visibleTo(actor));
    if (opts.q) {
      const like = `%${opts.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      base = base.where((eb) => eb.or([sql<boolean>`r.lower_name LIKE ${like} ESCAPE '\\'`, sql<boolean>`lower(r.description) LIKE ${like} ESCAPE '\\'`]));
    }
    if (opts.ownerId !== undefined) base = base.where('r.owner_id', '=', opts.ownerId);
    const totalRow = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const sortCol = ({ alpha: 'r.lower_name', created: 'r.created_at', updated: 'r.updated_at', size: 'r.size', stars: 'r.num_stars', forks: 'r.num_forks', id: 'r.id' } as const)[
      opts.sort ?? 'alpha'
    ];
    const order = opts.order ?? (opts.sort === undefined || opts.sort === 'alpha' ? 'asc' : 'desc');
    const rows = await base
      .selectAll('r')
      .orderBy(sortCol, order)
      .orderBy('r.id', 'asc')
      .limit(opts.limit)
      .offset((opts.page - 1) * opts.limit)
      .execute();
    return { items: await this.withOwners(rows), total: Number(totalRow.n) };
  }

  async starredBy(actor: Actor, userId: number, page: Page): Promise<{ items: RepoRecord[]; total: number }> {
    const base = this.db.selectFrom('repositories as r').innerJoin('stars as s', 's.repo_id', 'r.id').where('s.user_id', '=', userId).where(this.visibleTo(actor));
    const totalRow = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await base
      .selectAll('r')
      .orderBy('s.created_at', 'desc')
      .limit(page.limit)
      .offset((page.page - 1) * page.limit)
      .execute();
    return { items: await this.withOwners(rows), total: Number(totalRow.n) };
  }

  private async withOwners(rows: RepoRow[]): Promise<RepoRecord[]> {
    if (rows.length === 0) return [];
    const ids = [...new Set(rows.map((r) => r.owner_id))];
    const owners = await this.db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
    const byId = new Map(owners.map((o) => [o.id, o]));
    return rows.map((repo) => ({ repo, owner: byId.get(repo.owner_id)! }));
  }

  // ---- stars and watches -------------------------------------------------------------------

  async setStar(actor: Actor, rec: RepoRecord, on: boolean): Promise<void> {
    await this.setMark('stars', 'num_stars', actor, rec, on);
  }

  async setWatch(actor: Actor, rec: RepoRecord, on: boolean): Promise<void> {
    await this.setMark('watches', 'num_watches', actor, rec, on);
  }

  async hasMark(table: 'stars' | 'watches', userId: number, repoId: number): Promise<boolean> {
    return !!(await this.db.selectFrom(table).select('repo_id').where('user_id', '=', userId).where('repo_id', '=', repoId).executeTakeFirst());
  }

  private async setMark(table: 'stars' | 'watches', counter: 'num_stars' | 'num_watches', actor: Actor, rec: RepoRecord, on: boolean): Promise<void> {
    if (actor.kind !== 'user') throw Unauthorized();
    await this.assertLevel(actor, rec, 'read');
    const uid = actor.user.id;
    await this.db.transaction().execute(async (trx) => {
      if (on) {
        const res = await trx
          .insertInto(table)
          .values({ user_id: uid, repo_id: rec.repo.id, created_at: Date.now() })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        if (Number(res.numInsertedOrUpdatedRows ?? 0) > 0) {
          await trx
            .updateTable('repositories')
            .set((eb) => ({ [counter]: eb(counter, '+', 1) }))
            .where('id', '=', rec.repo.id)
            .execute();
        }
      } else {
        const res = await trx.deleteFrom(table).where('user_id', '=', uid).where('repo_id', '=', rec.repo.id).executeTakeFirst();
        if (Number(res.numDeletedRows) > 0) {
          await trx
            .updateTable('repositories')
            .set((eb) => ({ [counter]: eb(counter, '-', 1) }))
            .where('id', '=', rec.repo.id)
            .execute();
        }
      }
    });
  }

  private async autoWatch(actor: Actor, repoId: number): Promise<void> {
    if (actor.kind !== 'user') return;
    await this.db
      .insertInto('watches')
      .values({ user_id: actor.user.id, repo_id: repoId, created_at: Date.now() })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await this.db
      .updateTable('repositories')
      .set({ num_watches: sql`(SELECT count(*) FROM watches WHERE repo_id = ${repoId})` })
      .where('id', '=', repoId)
      .execute();
  }

  // ---- collaborators -----------------------------------------------------------------------

  async collaborators(actor: Actor, rec: RepoRecord): Promise<{ user: UserRow; role: CollaboratorRole }[]> {
    await this.assertLevel(actor, rec, 'read');
    const rows = await this.db
      .selectFrom('collaborations as c')
      .innerJoin('users as u', 'u.id', 'c.user_id')
      .selectAll('u')
      .select('c.role as collab_role')
      .where('c.repo_id', '=', rec.repo.id)
      .orderBy('u.lower_name')
      .execute();
    return rows.map(({ collab_role, ...user }) => ({ user: user as UserRow, role: collab_role as CollaboratorRole }));
  }

  async collaboratorRole(rec: RepoRecord, userId: number): Promise<CollaboratorRole | null> {
    const row = await this.db.selectFrom('collaborations').select('role').where('repo_id', '=', rec.repo.id).where('user_id', '=', userId).executeTakeFirst();
    return (row?.role as CollaboratorRole | undefined) ?? null;
  }

  async setCollaborator(actor: Actor, rec: RepoRecord, user: UserRow, role: CollaboratorRole | null, ctx: { ip?: string | null } = {}): Promise<void> {
    await this.assertLevel(actor, rec, 'admin');
    const previous = await this.collaboratorRole(rec, user.id);
    if (role !== null) {
      if (user.type !== USER_TYPE.individual) throw Invalid('only individual users can be collaborators');
      if (user.id === rec.owner.id) throw Invalid('the owner is not a collaborator of their own repository');
      await this.db
        .insertInto('collaborations')
        .values({ repo_id: rec.repo.id, user_id: user.id, role, created_at: Date.now() })
        .onConflict((oc) => oc.columns(['repo_id', 'user_id']).doUpdateSet({ role }))
        .execute();
    } else {
      await this.db.deleteFrom('collaborations').where('repo_id', '=', rec.repo.id).where('user_id', '=', user.id).execute();
    }
    if (previous === role) return;
    await this.events.publish('repo.collaborator', { repoId: rec.repo.id, actorId: actorId(actor), userId: user.id, role, previous, ip: ctx.ip ?? null });
  }

  // ---- after a push --------------------------------------------------------------------------

  /**
   * Brings the record in line with the refs a push left (given as `refs`, read once by the push
   * recorder before the push is acknowledged): emptiness, time, and a default branch that exists
   * (the first pushed branch becomes the default, as on GitHub).
   */
  async syncAfterPush(repoId: number, refs: Map<string, string>): Promise<void> {
    const rec = await this.byId(repoId);
    if (!rec) return;
    const branches = [...refs.keys()].filter((r) => r.startsWith('refs/heads/')).map((r) => r.slice('refs/heads/'.length));
    const set: Partial<RepoRow> = { updated_at: Date.now(), is_empty: branches.length === 0 ? 1 : 0 };
    if (branches.length > 0 && !branches.includes(rec.repo.default_branch)) {
      const pick = branches.includes('main') ? 'main' : branches.includes('master') ? 'master' : branches.sort()[0]!;
      await this.store.setHead({ owner: rec.owner.name, name: rec.repo.name }, pick);
      set.default_branch = pick;
    }
    await this.db.updateTable('repositories').set(set).where('id', '=', repoId).execute();
  }

  /** What may wait until after the push is acknowledged: the size on disk, and `git gc --auto`. */
  async maintainAfterPush(repoId: number, opts: { maintain?: boolean } = {}): Promise<void> {
    const rec = await this.byId(repoId);
    if (!rec) return;
    const ref = { owner: rec.owner.name, name: rec.repo.name };
    await this.db
      .updateTable('repositories')
      .set({ size: await this.store.size(ref) })
      .where('id', '=', repoId)
      .execute();
    if (opts.maintain === false) return;
    this.store.maintain(ref).catch((err) => this.log.warn({ err, repo: `${ref.owner}/${ref.name}` }, 'background git gc --auto failed'));
  }

  private async assertLevel(actor: Actor, rec: RepoRecord, action: RepoAction): Promise<void> {
    const level = await this.level(actor, rec);
    if (level === 'none') {
      if (actor.kind === 'anonymous') throw Unauthorized();
      throw NotFound('repository not found');
    }
    if (LEVEL_ORDER[level] < LEVEL_ORDER[action]) throw Forbidden(`you need ${action} access to ${rec.owner.name}/${rec.repo.name}`);
  }
}

function actorId(actor: Actor): number | null {
  return actor.kind === 'user' ? actor.user.id : null;
}
