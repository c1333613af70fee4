// Reports (our own shapes; Gitea has none):
//   POST  /reports {kind: post|message|user, id | username, reason}   201 {id, …}; 200 when already open
//   GET   /admin/reports?state=open|resolved|dismissed|all           site administrators
//   PATCH /admin/reports/{id} {state: resolved|dismissed, action: hide|disable|none}
import type { Request } from 'express';
import { z } from 'zod';
import { requireAdmin, requireUser, userJson, type ApiRouter } from '../http/index.js';
import { NotFound } from '../lib/errors.js';
import type { Services } from '../services.js';
import { REASON_MAX, type ModerationService } from './moderation.js';
import type { ReportRow } from './schema.js';

const newReport = z.strictObject({
  kind: z.enum(['post', 'message', 'user']),
  id: z.number().int().positive().optional(),
  username: z.string().max(100).optional(),
  reason: z.string().max(REASON_MAX * 4),
});
const listQuery = z.object({ state: z.enum(['open', 'resolved', 'dismissed', 'all']).default('open') });
const resolution = z.strictObject({ state: z.enum(['resolved', 'dismissed']), action: z.enum(['hide', 'disable', 'none']).default('none') });

export function registerModerationRoutes(api: ApiRouter, s: Services, moderation: ModerationService): void {
  const reportJson = async (req: Request, r: ReportRow, full: boolean) => {
    const [reporter, user] = await Promise.all([r.reporter_id !== null ? s.users.byId(r.reporter_id) : undefined, r.user_id !== null ? s.users.byId(r.user_id) : undefined]);
    const base = { id: r.id, kind: r.kind, state: r.state, created_at: new Date(r.created_at).toISOString() };
    if (!full) return base;
    // what was reported, as the administrator needs to judge it (a hidden post's text included)
    const post = r.post_id !== null ? await s.db.selectFrom('posts').select(['id', 'body', 'hidden_at']).where('id', '=', r.post_id).executeTakeFirst() : undefined;
    const message = r.message_id !== null ? await s.db.selectFrom('messages').select(['id', 'thread_id', 'body', 'hidden_at']).where('id', '=', r.message_id).executeTakeFirst() : undefined;
    return {
      ...base,
      reason: r.reason,
      reporter: reporter ? userJson(s, req, reporter) : null,
      user: user ? userJson(s, req, user) : null,
      post: post ? { id: post.id, body: post.body, hidden: post.hidden_at !== null } : null,
      message: message ? { id: message.id, thread_id: message.thread_id, body: message.body, hidden: message.hidden_at !== null } : null,
      resolution: r.resolution,
      resolved_at: r.resolved_at !== null ? new Date(r.resolved_at).toISOString() : null,
    };
  };

  api.route(
    {
      method: 'post',
      path: '/reports',
      tag: 'user',
      summary: "Gitssy: report a post, a message of one of your threads, or a person to the site's administrators",
      auth: 'user',
      body: newReport,
      responses: { 200: 'you had already reported it (still open)', 201: 'the report', 404: 'nothing to report there', 422: 'no reason, or yourself' },
    },
    async ({ req, body }) => {
      const { report, created } = await moderation.report(requireUser(req), body);
      return { status: created ? 201 : 200, body: await reportJson(req, report, false) };
    },
  );
  api.route(
    {
      method: 'get',
      path: '/admin/reports',
      tag: 'admin',
      summary: 'Gitssy: reports, newest first (open ones by default)',
      auth: 'admin',
      query: listQuery,
      responses: { 200: 'reports', 403: 'not an administrator' },
    },
    async ({ req, query }) => {
      requireAdmin(req);
      return { body: await Promise.all((await moderation.list(query.state)).map((r) => reportJson(req, r, true))) };
    },
  );
  api.route(
    {
      method: 'patch',
      path: '/admin/reports/:id',
      tag: 'admin',
      summary: 'Gitssy: dismiss a report, or resolve it by hiding what was reported or disabling the account',
      auth: 'admin',
      body: resolution,
      responses: { 200: 'the report', 403: 'not an administrator', 404: 'no such report', 409: 'the only administrator', 422: 'already handled, or an action that does not fit' },
    },
    async ({ req, params, body }) => {
      requireAdmin(req);
      const id = Number(params.id);
      if (!/^\d{1,15}$/.test(params.id ?? '')) throw NotFound('report not found');
      const r = await moderation.resolve(requireUser(req), await moderation.get(id), body.state, body.action, { ip: req.ip ?? null });
      return { body: await reportJson(req, r, true) };
    },
  );
}
