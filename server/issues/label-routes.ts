// Gitea's label and milestone API: repository labels, organization labels (shared by the
// organization's repositories), and milestones with their progress.
import { z } from 'zod';
import { LEVEL_ORDER } from '../access/index.js';
import { requireUser, resolveForApi, setPageHeaders, pageQuery, type ApiRouter } from '../http/index.js';
import { Forbidden, NotFound } from '../lib/errors.js';
import type { Services } from '../services.js';
import type { Request } from 'express';
import { labelJson, milestoneJson } from './json.js';

const labelBody = z.strictObject({
  name: z.string().max(1000),
  color: z.string().max(100),
  description: z.string().max(255).optional(),
  exclusive: z.boolean().optional(),
  is_archived: z.boolean().optional(),
});
const labelEdit = labelBody.partial();
const milestoneBody = z.strictObject({
  title: z.string().max(10_000),
  description: z.string().max(65_536).optional(),
  state: z.enum(['open', 'closed']).optional(),
  due_on: z.string().max(100).nullable().optional(),
});
const milestoneEdit = milestoneBody.partial();

export function registerLabelRoutes(api: ApiRouter, s: Services): void {
  const tag = 'issue';
  const labelId = (v: string | undefined) => Number(v) || 0;

  // ---- repository labels --------------------------------------------------------------------

  api.route({ method: 'get', path: '/repos/:owner/:repo/labels', tag, summary: "A repository's labels", query: pageQuery, responses: { 200: 'Label list' } }, async ({ req, res, params, query }) => {
    const rec = await resolveForApi(s, req, params, 'read');
    const all = await s.labels.list({ repoId: rec.repo.id });
    setPageHeaders(req, res, all.length, query.page, query.limit);
    return { body: all.slice((query.page - 1) * query.limit, query.page * query.limit).map((l) => labelJson(s, req, l, rec)) };
  });
  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/labels',
      tag,
      summary: 'Create a label (color #rrggbb; a scoped name `a/b` may be exclusive)',
      auth: 'user',
      body: labelBody,
      responses: { 201: 'Label', 409: 'name taken', 422: 'invalid' },
    },
    async ({ req, params, body }) => {
      requireUser(req);
      const rec = await resolveForApi(s, req, params, 'write');
      return { status: 201, body: labelJson(s, req, await s.labels.create({ repoId: rec.repo.id }, body), rec) };
    },
  );
  api.route({ method: 'get', path: '/repos/:owner/:repo/labels/:id', tag, summary: 'One label', responses: { 200: 'Label' } }, async ({ req, params }) => {
    const rec = await resolveForApi(s, req, params, 'read');
    return { body: labelJson(s, req, await s.labels.get({ repoId: rec.repo.id }, labelId(params.id)), rec) };
  });
  api.route({ method: 'patch', path: '/repos/:owner/:repo/labels/:id', tag, summary: 'Edit a label', auth: 'user', body: labelEdit, responses: { 200: 'Label' } }, async ({ req, params, body }) => {
    requireUser(req);
    const rec = await resolveForApi(s, req, params, 'write');
    return { body: labelJson(s, req, await s.labels.edit({ repoId: rec.repo.id }, labelId(params.id), body), rec) };
  });
  api.route(
    { method: 'delete', path: '/repos/:owner/:repo/labels/:id', tag, summary: 'Delete a label (it comes off every issue)', auth: 'user', responses: { 204: 'deleted' } },
    async ({ req, params }) => {
      requireUser(req);
      const rec = await resolveForApi(s, req, params, 'write');
      await s.labels.delete({ repoId: rec.repo.id }, labelId(params.id));
    },
  );

  // ---- organization labels ------------------------------------------------------------------

  const org = async (req: Request, name: string | undefined, write: boolean) => {
    const o = await s.orgs.byName(name ?? '');
    if (!(await s.orgs.canSee(req.actor, o))) throw NotFound(`organization "${name}" does not exist`);
    if (write) {
      const me = requireUser(req);
      if (!me.is_admin && !(await s.orgs.role(o.id, me.id))) throw Forbidden('only members of the organization can change its labels');
    }
    return o;
  };
  api.route(
    { method: 'get', path: '/orgs/:org/labels', tag: 'organization', summary: "An organization's labels", query: pageQuery, responses: { 200: 'Label list' } },
    async ({ req, res, params, query }) => {
      const o = await org(req, params.org, false);
      const all = await s.labels.list({ orgId: o.id });
      setPageHeaders(req, res, all.length, query.page, query.limit);
      return { body: all.slice((query.page - 1) * query.limit, query.page * query.limit).map((l) => labelJson(s, req, l)) };
    },
  );
  api.route(
    {
      method: 'post',
      path: '/orgs/:org/labels',
      tag: 'organization',
      summary: 'Create an organization label, usable in all its repositories',
      auth: 'user',
      body: labelBody,
      responses: { 201: 'Label' },
    },
    async ({ req, params, body }) => {
      const o = await org(req, params.org, true);
      return { status: 201, body: labelJson(s, req, await s.labels.create({ orgId: o.id }, body)) };
    },
  );
  api.route(
    { method: 'patch', path: '/orgs/:org/labels/:id', tag: 'organization', summary: 'Edit an organization label', auth: 'user', body: labelEdit, responses: { 200: 'Label' } },
    async ({ req, params, body }) => {
      const o = await org(req, params.org, true);
      return { body: labelJson(s, req, await s.labels.edit({ orgId: o.id }, labelId(params.id), body)) };
    },
  );
  api.route({ method: 'delete', path: '/orgs/:org/labels/:id', tag: 'organization', summary: 'Delete an organization label', auth: 'user', responses: { 204: 'deleted' } }, async ({ req, params }) => {
    const o = await org(req, params.org, true);
    await s.labels.delete({ orgId: o.id }, labelId(params.id));
  });

  // ---- milestones -----------------------------------------------------------------------------

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/milestones',
      tag,
      summary: 'Milestones with their progress (open and closed issue counts)',
      query: pageQuery.extend({ state: z.enum(['open', 'closed', 'all']).default('open'), name: z.string().max(255).optional() }),
      responses: { 200: 'Milestone list' },
    },
    async ({ req, res, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const all = await s.labels.milestones(rec.repo.id, { state: query.state, name: query.name });
      const page = all.slice((query.page - 1) * query.limit, query.page * query.limit);
      const counts = await s.labels.milestoneCounts(page.map((m) => m.id));
      setPageHeaders(req, res, all.length, query.page, query.limit);
      return { body: page.map((m) => milestoneJson(m, counts.get(m.id)!)) };
    },
  );
  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/milestones',
      tag,
      summary: 'Create a milestone (due_on: YYYY-MM-DD or an ISO time)',
      auth: 'user',
      body: milestoneBody,
      responses: { 201: 'Milestone', 422: 'invalid' },
    },
    async ({ req, params, body }) => {
      requireUser(req);
      const rec = await resolveForApi(s, req, params, 'write');
      const m = await s.labels.createMilestone(rec.repo.id, body);
      return { status: 201, body: milestoneJson(m, { open: 0, closed: 0 }) };
    },
  );
  api.route({ method: 'get', path: '/repos/:owner/:repo/milestones/:id', tag, summary: 'One milestone (by id or title)', responses: { 200: 'Milestone' } }, async ({ req, params }) => {
    const rec = await resolveForApi(s, req, params, 'read');
    const m = await s.labels.milestone(rec.repo.id, params.id ?? '');
    return { body: milestoneJson(m, (await s.labels.milestoneCounts([m.id])).get(m.id)!) };
  });
  api.route(
    { method: 'patch', path: '/repos/:owner/:repo/milestones/:id', tag, summary: 'Edit, close or reopen a milestone', auth: 'user', body: milestoneEdit, responses: { 200: 'Milestone' } },
    async ({ req, params, body }) => {
      requireUser(req);
      const rec = await resolveForApi(s, req, params, 'write');
      const m = await s.labels.editMilestone(rec.repo.id, params.id ?? '', body);
      return { body: milestoneJson(m, (await s.labels.milestoneCounts([m.id])).get(m.id)!) };
    },
  );
  api.route(
    { method: 'delete', path: '/repos/:owner/:repo/milestones/:id', tag, summary: 'Delete a milestone (its issues keep going without one)', auth: 'user', responses: { 204: 'deleted' } },
    async ({ req, params }) => {
      requireUser(req);
      const rec = await resolveForApi(s, req, params, 'write');
      if (LEVEL_ORDER[rec.level] < LEVEL_ORDER.write) throw Forbidden();
      await s.labels.deleteMilestone(rec.repo.id, params.id ?? '');
    },
  );
}
