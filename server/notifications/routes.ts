// Gitea's notifications API: GET|PUT /notifications, GET /notifications/new,
// GET|PATCH /notifications/threads/{id}, GET|PUT /repos/{o}/{r}/notifications; and
// GET|PUT /notifications/settings (ours: which kinds of notification also mail you).
import { z } from 'zod';
import type { Request } from 'express';
import { baseUrl, pageQuery, requireUser, setPageHeaders, type ApiRouter } from '../http/index.js';
import { NotFound } from '../lib/errors.js';
import type { Services } from '../services.js';
import { threadJson, type NotificationService } from './service.js';

const STATUS = z.enum(['unread', 'read', 'pinned']);
// a key repeated in the query arrives as an array; one value as a string
const statusList = z
  .union([STATUS, z.array(STATUS).max(3)])
  .transform((v) => (Array.isArray(v) ? v : [v]))
  .optional();
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const time = z
  .string()
  .max(64)
  .transform((v, ctx) => {
    const t = Date.parse(v);
    if (Number.isNaN(t)) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 time' });
      return z.NEVER;
    }
    return t;
  });

const listQuery = pageQuery.extend({ all: bool.optional(), 'status-types': statusList, since: time.optional(), before: time.optional() }).strict();
const markQuery = z.object({ last_read_at: time.optional(), all: bool.optional(), 'status-types': statusList, 'to-status': STATUS.optional() }).strict();
const threadQuery = z.object({ 'to-status': STATUS.default('read') }).strict();

export function registerNotificationRoutes(api: ApiRouter, s: Services, notifications: NotificationService): void {
  const scope = 'notification' as const;
  const list = async (req: Request, query: z.output<typeof listQuery>, repoId?: number) => {
    const user = requireUser(req);
    const { rows, total } = await notifications.list(user.id, {
      all: query.all,
      statusTypes: query['status-types'],
      since: query.since,
      before: query.before,
      page: query.page,
      limit: query.limit,
      repoId,
    });
    const base = baseUrl(s, req);
    return { items: rows.map((r) => threadJson(r.row, r.repo, base)), total };
  };
  const repoId = async (req: Request, owner: string, name: string) => {
    const rec = await s.repos.find(owner, name);
    if (!rec || !(await s.access.can(req.actor, 'read', { id: rec.repo.id, ownerId: rec.repo.owner_id, visibility: rec.repo.visibility as 'public' }))) throw NotFound('repository not found');
    return rec.repo.id;
  };

  /** PUT …/notifications: marks threads, and answers 205 with (up to 50 of) the threads changed, as Gitea does. */
  const mark = async (req: Request, query: z.output<typeof markQuery>, repo?: number) => {
    const user = requireUser(req);
    const ids = await notifications.markAll(user.id, {
      lastReadAt: query.last_read_at,
      repoId: repo,
      statusTypes: query['status-types'] ?? (query.all ? ['unread', 'read', 'pinned'] : undefined),
      toStatus: query['to-status'],
    });
    const base = baseUrl(s, req);
    const threads = await Promise.all(ids.slice(0, 50).map((id) => notifications.get(user.id, id)));
    return { status: 205, body: threads.map((t) => threadJson(t.row, t.repo, base)) };
  };
  api.route(
    {
      method: 'get',
      path: '/notifications',
      summary: "The signed-in user's notification threads (unread and pinned unless all=true), newest first",
      tag: 'notification',
      scope,
      auth: 'user',
      query: listQuery,
      responses: { 200: 'NotificationThread list', 401: 'not signed in' },
    },
    async ({ req, res, query }) => {
      const { items, total } = await list(req, query);
      setPageHeaders(req, res, total, query.page, query.limit);
      return { body: items };
    },
  );
  api.route(
    {
      method: 'get',
      path: '/notifications/new',
      summary: 'How many unread notification threads the signed-in user has',
      tag: 'notification',
      scope,
      auth: 'user',
      responses: { 200: '{"new": N}', 401: 'not signed in' },
    },
    async ({ req }) => ({ body: { new: await notifications.unreadCount(requireUser(req).id) } }),
  );
  api.route(
    {
      method: 'put',
      path: '/notifications',
      summary: 'Marks notification threads read (or to-status) up to last_read_at',
      tag: 'notification',
      scope,
      auth: 'user',
      query: markQuery,
      responses: { 205: 'the threads changed', 401: 'not signed in' },
    },
    async ({ req, query }) => mark(req, query),
  );
  api.route(
    {
      method: 'get',
      path: '/notifications/threads/:id',
      summary: 'One notification thread',
      tag: 'notification',
      scope,
      auth: 'user',
      responses: { 200: 'NotificationThread', 404: 'no such thread of yours' },
    },
    async ({ req, params }) => {
      const id = Number(params.id);
      if (!Number.isSafeInteger(id) || id <= 0) throw NotFound('notification thread not found');
      const t = await notifications.get(requireUser(req).id, id);
      return { body: threadJson(t.row, t.repo, baseUrl(s, req)) };
    },
  );
  api.route(
    {
      method: 'patch',
      path: '/notifications/threads/:id',
      summary: 'Marks one thread read (or to-status: unread, pinned)',
      tag: 'notification',
      scope,
      auth: 'user',
      query: threadQuery,
      responses: { 205: 'NotificationThread', 404: 'no such thread of yours' },
    },
    async ({ req, params, query }) => {
      const id = Number(params.id);
      if (!Number.isSafeInteger(id) || id <= 0) throw NotFound('notification thread not found');
      const t = await notifications.setStatus(requireUser(req).id, id, query['to-status']);
      return { status: 205, body: threadJson(t.row, t.repo, baseUrl(s, req)) };
    },
  );
  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/notifications',
      summary: "The signed-in user's notification threads for one repository",
      tag: 'notification',
      scope,
      auth: 'user',
      query: listQuery,
      responses: { 200: 'NotificationThread list', 404: 'repository not found' },
    },
    async ({ req, res, params, query }) => {
      requireUser(req);
      const { items, total } = await list(req, query, await repoId(req, params.owner!, params.repo!));
      setPageHeaders(req, res, total, query.page, query.limit);
      return { body: items };
    },
  );
  api.route(
    {
      method: 'put',
      path: '/repos/:owner/:repo/notifications',
      summary: "Marks the signed-in user's threads of one repository read",
      tag: 'notification',
      scope,
      auth: 'user',
      query: markQuery,
      responses: { 205: 'the threads changed', 404: 'repository not found' },
    },
    async ({ req, params, query }) => mark(req, query, await repoId(req, params.owner!, params.repo!)),
  );
  api.route(
    {
      method: 'get',
      path: '/notifications/settings',
      summary: 'Which kinds of notification also mail you (mail goes out only when SMTP is set up)',
      tag: 'notification',
      scope,
      auth: 'user',
      responses: { 200: '{"mail": {kind: bool}, "smtp_configured": bool}' },
    },
    async ({ req }) => ({ body: { mail: await notifications.mailSettings(requireUser(req).id), smtp_configured: s.mail.configured() } }),
  );
  api.route(
    {
      method: 'put',
      path: '/notifications/settings',
      summary: 'Changes which kinds of notification mail you',
      tag: 'notification',
      scope,
      auth: 'user',
      body: z.object({ mail: z.record(z.string().max(32), z.boolean()) }).strict(),
      responses: { 200: 'the settings now', 422: 'an unknown kind' },
    },
    async ({ req, body }) => ({ body: { mail: await notifications.setMailSettings(requireUser(req).id, body.mail), smtp_configured: s.mail.configured() } }),
  );
}
