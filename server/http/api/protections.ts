// /api/v1 branch protection rules (Gitea's paths and fields): which branches refuse
// force-pushes and deletion (the pre-receive policy enforces them on every transport), and what
// a pull request needs before it may be merged into them (the pulls feature enforces those).
import type { Request } from 'express';
import { z } from 'zod';
import type { Selectable } from 'kysely';
import type { BranchProtectionTable } from '../../db/schema.js';
import { isUniqueViolation } from '../../db/index.js';
import { Conflict, Invalid, NotFound } from '../../lib/errors.js';
import type { Services } from '../../services.js';
import { resolveForApi } from './repos.js';
import type { ApiRouter } from './route.js';

const ruleBody = z.strictObject({
  rule_name: z.string().min(1).max(255).optional(),
  branch_name: z.string().min(1).max(255).optional().describe('older Gitea clients send the branch name here'),
  enable_force_push: z.boolean().optional(),
  enable_deletion: z.boolean().optional().describe('Gitssy: allow deleting matching branches'),
  required_approvals: z.number().int().min(0).max(100).optional(),
  dismiss_stale_approvals: z.boolean().optional(),
  block_on_rejected_reviews: z.boolean().optional(),
  enable_status_check: z.boolean().optional(),
  status_check_contexts: z.array(z.string().min(1).max(255)).max(50).optional().describe('contexts that must be success; empty: every status posted for the head'),
  enable_merge_whitelist: z.boolean().optional(),
  merge_whitelist_usernames: z.array(z.string().min(1).max(255)).max(100).optional(),
});

type RuleInput = z.output<typeof ruleBody>;

/** The review-rule columns a request sets (only the fields it names). */
async function reviewColumns(s: Services, body: RuleInput) {
  const set: Partial<Selectable<BranchProtectionTable>> = {};
  if (body.required_approvals !== undefined) set.required_approvals = body.required_approvals;
  if (body.dismiss_stale_approvals !== undefined) set.dismiss_stale_approvals = body.dismiss_stale_approvals ? 1 : 0;
  if (body.block_on_rejected_reviews !== undefined) set.block_on_rejected_reviews = body.block_on_rejected_reviews ? 1 : 0;
  if (body.enable_status_check !== undefined) set.enable_status_check = body.enable_status_check ? 1 : 0;
  if (body.status_check_contexts !== undefined) set.status_check_contexts = JSON.stringify([...new Set(body.status_check_contexts)]);
  if (body.enable_merge_whitelist !== undefined) set.enable_merge_whitelist = body.enable_merge_whitelist ? 1 : 0;
  if (body.merge_whitelist_usernames !== undefined) {
    const names = [...new Set(body.merge_whitelist_usernames.map((n) => n.toLowerCase()))];
    const found = names.length ? await s.db.selectFrom('users').select('lower_name').where('lower_name', 'in', names).execute() : [];
    const missing = names.filter((n) => !found.some((f) => f.lower_name === n));
    if (missing.length) throw Invalid(`merge_whitelist_usernames: no such user ${missing.map((m) => `"${m}"`).join(', ')}`);
    set.merge_whitelist_usernames = JSON.stringify(names);
  }
  return set;
}
const editBody = ruleBody.omit({ rule_name: true, branch_name: true });

function ruleJson(r: Selectable<BranchProtectionTable>) {
  return {
    rule_name: r.rule_name,
    branch_name: r.rule_name,
    enable_push: true,
    enable_force_push: r.enable_force_push === 1,
    enable_deletion: r.enable_deletion === 1,
    required_approvals: r.required_approvals,
    dismiss_stale_approvals: r.dismiss_stale_approvals === 1,
    block_on_rejected_reviews: r.block_on_rejected_reviews === 1,
    enable_status_check: r.enable_status_check === 1,
    status_check_contexts: JSON.parse(r.status_check_contexts) as string[],
    enable_merge_whitelist: r.enable_merge_whitelist === 1,
    merge_whitelist_usernames: JSON.parse(r.merge_whitelist_usernames) as string[],
    created_at: new Date(r.created_at).toISOString(),
    updated_at: new Date(r.updated_at).toISOString(),
  };
}

export function registerProtectionRoutes(api: ApiRouter, s: Services): void {
  const find = (req: Request, params: Record<string, string>, action: 'read' | 'admin') => resolveForApi(s, req, params, action);

  api.route(
    { method: 'get', path: '/repos/:owner/:repo/branch_protections', tag: 'repository', summary: 'List branch protection rules', auth: 'user', responses: { 200: 'rules' } },
    async ({ req, params }) => {
      const rec = await find(req, params, 'admin');
      const rows = await s.db.selectFrom('branch_protections').selectAll().where('repo_id', '=', rec.repo.id).orderBy('rule_name').execute();
      return { body: rows.map(ruleJson) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/branch_protections',
      tag: 'repository',
      summary: 'Protect branches matching a name or glob (`release/*`)',
      auth: 'user',
      body: ruleBody,
      responses: { 201: 'the rule', 409: 'a rule with this name exists', 422: 'invalid' },
    },
    async ({ req, params, body }) => {
      const rec = await find(req, params, 'admin');
      const name = body.rule_name ?? body.branch_name;
      if (!name) throw Invalid('rule_name is required');
      if (/[\s\0~^:\\]/.test(name) || name.startsWith('-')) throw Invalid('rule_name must be a branch name or glob');
      const now = Date.now();
      try {
        const row = await s.db
          .insertInto('branch_protections')
          .values({
            repo_id: rec.repo.id,
            rule_name: name,
            enable_force_push: body.enable_force_push ? 1 : 0,
            enable_deletion: body.enable_deletion ? 1 : 0,
            ...(await reviewColumns(s, body)),
            created_at: now,
            updated_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await s.audit.record({ actorId: req.user?.id ?? null, action: 'repo.protection.create', targetType: 'repository', targetId: rec.repo.id, detail: ruleJson(row), ip: req.ip ?? null });
        return { status: 201, body: ruleJson(row) };
      } catch (err) {
        if (isUniqueViolation(err)) throw Conflict(`a protection rule named "${name}" already exists`);
        throw err;
      }
    },
  );

  api.route(
    {
      method: 'patch',
      path: '/repos/:owner/:repo/branch_protections/:name',
      tag: 'repository',
      summary: 'Change a branch protection rule',
      auth: 'user',
      body: editBody,
      responses: { 200: 'the rule', 404: 'no such rule' },
    },
    async ({ req, params, body }) => {
      const rec = await find(req, params, 'admin');
      const set: Partial<Selectable<BranchProtectionTable>> = { ...(await reviewColumns(s, body)), updated_at: Date.now() };
      if (body.enable_force_push !== undefined) set.enable_force_push = body.enable_force_push ? 1 : 0;
      if (body.enable_deletion !== undefined) set.enable_deletion = body.enable_deletion ? 1 : 0;
      const row = await s.db.updateTable('branch_protections').set(set).where('repo_id', '=', rec.repo.id).where('rule_name', '=', params.name!).returningAll().executeTakeFirst();
      if (!row) throw NotFound(`no protection rule named "${params.name}"`);
      return { body: ruleJson(row) };
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/repos/:owner/:repo/branch_protections/:name',
      tag: 'repository',
      summary: 'Remove a branch protection rule',
      auth: 'user',
      responses: { 204: 'removed', 404: 'no such rule' },
    },
    async ({ req, params }) => {
      const rec = await find(req, params, 'admin');
      const res = await s.db.deleteFrom('branch_protections').where('repo_id', '=', rec.repo.id).where('rule_name', '=', params.name!).executeTakeFirst();
      if (!Number(res.numDeletedRows)) throw NotFound(`no protection rule named "${params.name}"`);
      await s.audit.record({
        actorId: req.user?.id ?? null,
        action: 'repo.protection.delete',
        targetType: 'repository',
        targetId: rec.repo.id,
        detail: { rule_name: params.name },
        ip: req.ip ?? null,
      });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/activities/feeds',
      tag: 'repository',
      summary: 'Push activity of a repository, newest first (Gitea activity shape; one entry per ref per push)',
      query: z.object({ page: z.coerce.number().int().min(1).default(1), limit: z.coerce.number().int().min(1).max(50).default(30) }),
      responses: { 200: 'activities' },
    },
    async ({ req, params, query }) => {
      const rec = await find(req, params, 'read');
      const rows = await s.db
        .selectFrom('push_events as p')
        .leftJoin('users as u', 'u.id', 'p.pusher_id')
        .select(['p.id', 'p.transport', 'p.updates', 'p.created_at', 'p.pusher_id', 'u.name as pusher_name'])
        .where('p.repo_id', '=', rec.repo.id)
        .orderBy('p.id', 'desc')
        .limit(query.limit)
        .offset((query.page - 1) * query.limit)
        .execute();
      const out = rows.flatMap((r) =>
        (JSON.parse(r.updates) as { ref: string; oldSha: string; newSha: string }[]).map((u) => ({
          id: r.id,
          op_type: u.newSha === '0'.repeat(40) ? (u.ref.startsWith('refs/tags/') ? 'delete_tag' : 'delete_branch') : u.ref.startsWith('refs/tags/') ? 'push_tag' : 'commit_repo',
          act_user_id: r.pusher_id ?? 0,
          act_user: r.pusher_name ? { login: r.pusher_name, username: r.pusher_name } : null,
          repo_id: rec.repo.id,
          ref_name: u.ref,
          content: JSON.stringify({ old: u.oldSha, new: u.newSha }),
          transport: r.transport,
          created: new Date(r.created_at).toISOString(),
        })),
      );
      return { body: out };
    },
  );
}
