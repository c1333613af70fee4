// Organizations: a user row of type 1 that owns repositories, with owners (administer every
// repository) and members (write to every repository).
import type { Db } from '../db/index.js';
import { isUniqueViolation } from '../db/index.js';
import type { UserRow } from '../db/schema.js';
import type { AuditLog } from '../audit/index.js';
import type { Actor } from '../access/index.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../lib/errors.js';
import { ownerNameProblem } from '../lib/names.js';
import { USER_TYPE } from '../users/index.js';
import type { EventBus } from '../events/index.js';

export type OrgRole = 'owner' | 'member';

export interface NewOrgInput {
  username: string;
  fullName?: string;
  description?: string;
  website?: string;
  visibility?: 'public' | 'limited' | 'private';
  /** Every signed-in user may write to the organization's non-private repositories. */
  publicWritable?: boolean;
}

export class OrgService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly events: EventBus,
  ) {}

  async create(actor: Actor, input: NewOrgInput, ctx: { ip?: string | null } = {}): Promise<UserRow> {
    if (actor.kind !== 'user') throw Forbidden('sign in to create an organization');
    const problem = ownerNameProblem(input.username);
    if (problem) throw Invalid(`organization name ${problem}`);
    const now = Date.now();
    let org: UserRow;
    try {
      org = await this.db.transaction().execute(async (trx) => {
        const taken = await trx.selectFrom('users').select('id').where('lower_name', '=', input.username.toLowerCase()).executeTakeFirst();
        if (taken) throw Conflict(`the name "${input.username}" is already taken`);
        const row = await trx
          .insertInto('users')
          .values({
            name: input.username,
            lower_name: input.username.toLowerCase(),
            full_name: input.fullName ?? '',
            email: '',
            type: USER_TYPE.organization,
            password_hash: null,
            is_admin: 0,
            is_active: 1,
            prohibit_login: 1,
            failed_logins: 0,
            locked_until: null,
            description: input.description ?? '',
            website: input.website ?? '',
            visibility: input.visibility ?? 'public',
            created_at: now,
            updated_at: now,
            last_login_at: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await trx.insertInto('org_members').values({ org_id: row.id, user_id: actor.user.id, role: 'owner', created_at: now }).execute();
        if (input.publicWritable) return trx.updateTable('users').set({ public_writable: 1 }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow();
        return row;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw Conflict(`the name "${input.username}" is already taken`);
      throw err;
    }
    await this.audit.record({ actorId: actor.user.id, action: 'org.create', targetType: 'user', targetId: org.id, detail: { name: org.name }, ip: ctx.ip ?? null });
    return org;
  }

  async byName(name: string): Promise<UserRow> {
    const org = await this.db.selectFrom('users').selectAll().where('lower_name', '=', name.toLowerCase()).where('type', '=', USER_TYPE.organization).executeTakeFirst();
    if (!org) throw NotFound(`organization "${name}" does not exist`);
    return org;
  }

  async role(orgId: number, userId: number): Promise<OrgRole | null> {
    const row = await this.db.selectFrom('org_members').select('role').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
    return (row?.role as OrgRole | undefined) ?? null;
  }

  /** Whether the actor can see the organization at all (limited: signed-in; private: members). */
  async canSee(actor: Actor, org: UserRow): Promise<boolean> {
    if (org.visibility === 'public') return true;
    if (actor.kind !== 'user') return false;
    if (actor.user.isAdmin || org.visibility === 'limited') return true;
    return (await this.role(org.id, actor.user.id)) !== null;
  }

  async setMember(actor: Actor, org: UserRow, user: UserRow, role: OrgRole | null): Promise<void> {
    await this.assertOwner(actor, org);
    if (user.type !== USER_TYPE.individual) throw Invalid('only individual users can be organization members');
    if (role === null) {
      const owners = await this.db.selectFrom('org_members').select('user_id').where('org_id', '=', org.id).where('role', '=', 'owner').execute();
      if (owners.length === 1 && owners[0]!.user_id === user.id) throw Conflict('an organization needs at least one owner');
      await this.db.deleteFrom('org_members').where('org_id', '=', org.id).where('user_id', '=', user.id).execute();
      // who may read the organization's repositories changed: live rooms are checked again
      await this.events.publish('org.members', { orgId: org.id, userId: user.id, role: null });
      return;
    }
    await this.db
      .insertInto('org_members')
      .values({ org_id: org.id, user_id: user.id, role, created_at: Date.now() })
      .onConflict((oc) => oc.columns(['org_id', 'user_id']).doUpdateSet({ role }))
      .execute();
    await this.events.publish('org.members', { orgId: org.id, userId: user.id, role });
  }

  async update(actor: Actor, org: UserRow, patch: Omit<NewOrgInput, 'username'>, ctx: { ip?: string | null } = {}): Promise<UserRow> {
    await this.assertOwner(actor, org);
    const set: Partial<UserRow> = { updated_at: Date.now() };
    if (patch.fullName !== undefined) set.full_name = patch.fullName;
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.website !== undefined) set.website = patch.website;
    if (patch.visibility !== undefined) set.visibility = patch.visibility;
    if (patch.publicWritable !== undefined) set.public_writable = patch.publicWritable ? 1 : 0;
    const row = await this.db.updateTable('users').set(set).where('id', '=', org.id).returningAll().executeTakeFirstOrThrow();
    await this.audit.record({ actorId: actor.kind === 'user' ? actor.user.id : null, action: 'org.update', targetType: 'user', targetId: org.id, detail: { ...patch }, ip: ctx.ip ?? null });
    return row;
  }

  async assertOwner(actor: Actor, org: UserRow): Promise<void> {
    if (actor.kind !== 'user') throw Forbidden();
    if (actor.user.isAdmin) return;
    if ((await this.role(org.id, actor.user.id)) !== 'owner') throw Forbidden('only organization owners may do that');
  }
}
