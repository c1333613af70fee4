// The one authorization model. Every transport (git over HTTP and SSH, the API, the web UI,
// the SSH shell, web edits) asks `can(actor, action, repo)`; nothing else decides.
import type { Db } from '../db/index.js';
import { scopeAllows, type Scope } from './scopes.js';

export type AccessLevel = 'none' | 'read' | 'write' | 'admin';
export const LEVEL_ORDER: Record<AccessLevel, number> = { none: 0, read: 1, write: 2, admin: 3 };

export type Visibility = 'public' | 'internal' | 'private';

export interface ActorUser {
  id: number;
  name: string;
  isAdmin: boolean;
}

/**
 * Who is asking. `scopes` is null for password and session sign-ins (no restriction); `repoId`
 * is set for a token bound to one repository (a dev shell's), which reaches nothing else.
 */
export type Actor = { kind: 'anonymous' } | { kind: 'user'; user: ActorUser; scopes: readonly Scope[] | null; via: 'session' | 'password' | 'token' | 'ssh'; repoId?: number };

export const ANONYMOUS: Actor = { kind: 'anonymous' };

/** The facts about a repository the decision needs. */
export interface RepoFacts {
  id: number;
  ownerId: number;
  visibility: Visibility;
}

export type RepoAction = 'read' | 'write' | 'admin';

export function maxLevel(a: AccessLevel, b: AccessLevel): AccessLevel {
  return LEVEL_ORDER[a] >= LEVEL_ORDER[b] ? a : b;
}

export class AccessService {
  constructor(private readonly db: Db) {}

  /**
   * The actor's level on the repository, from site admin, ownership, organization membership
   * (owners administer, members write), a public-writable organization, collaborator role and
   * visibility, before token scopes.
   */
  async level(actor: Actor, repo: RepoFacts): Promise<AccessLevel> {
    let level: AccessLevel = 'none';
    if (repo.visibility === 'public') level = 'read';
    if (actor.kind === 'anonymous') return level;
    const { user } = actor;
    if (user.isAdmin || user.id === repo.ownerId) return 'admin';
    if (repo.visibility === 'internal') level = 'read';

    const [owner, collab] = await Promise.all([
      this.db
        .selectFrom('users as o')
        .leftJoin('org_members as m', (j) => j.onRef('m.org_id', '=', 'o.id').on('m.user_id', '=', user.id))
        .select(['o.public_writable', 'm.role'])
        .where('o.id', '=', repo.ownerId)
        .executeTakeFirst(),
      this.db.selectFrom('collaborations').select('role').where('repo_id', '=', repo.id).where('user_id', '=', user.id).executeTakeFirst(),
    ]);
    if (owner?.role) level = maxLevel(level, owner.role === 'owner' ? 'admin' : 'write');
    // a public-writable namespace: every signed-in user writes to its non-private repositories
    if (owner?.public_writable && repo.visibility !== 'private') level = maxLevel(level, 'write');
    if (collab && isLevel(collab.role)) level = maxLevel(level, collab.role);
    return level;
  }

  /** The level after token scopes are applied: a read-only token never writes. */
  async effectiveLevel(actor: Actor, repo: RepoFacts): Promise<AccessLevel> {
    if (actor.kind === 'user' && actor.repoId !== undefined) {
      // a bound token: its own repository, at most to write (it never administers), and no other
      if (actor.repoId !== repo.id) return 'none';
      const bound = await this.level(actor, repo);
      return LEVEL_ORDER[bound] > LEVEL_ORDER.write ? 'write' : bound;
    }
    const level = await this.level(actor, repo);
    if (actor.kind === 'anonymous' || level === 'none') return level;
    if (!scopeAllows(actor.scopes, 'read', 'repository')) return 'none';
    if (LEVEL_ORDER[level] >= LEVEL_ORDER.write && !scopeAllows(actor.scopes, 'write', 'repository')) return 'read';
    return level;
  }

  async can(actor: Actor, action: RepoAction, repo: RepoFacts): Promise<boolean> {
    return LEVEL_ORDER[await this.effectiveLevel(actor, repo)] >= LEVEL_ORDER[action];
  }
}

function isLevel(v: string): v is AccessLevel {
  return v === 'read' || v === 'write' || v === 'admin';
}
