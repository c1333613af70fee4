// Gitea's comment API, which serves pull requests' conversations too:
// GET|POST /repos/{o}/{r}/issues/{index}/comments, GET|PATCH|DELETE /repos/{o}/{r}/issues/comments/{id}.
import type { Request } from 'express';
import { z } from 'zod';
import { requireUser, resolveForApi, type ApiRouter } from '../http/index.js';
import type { AccessLevel } from '../access/index.js';
import { NotFound } from '../lib/errors.js';
import { announce } from './issue-routes.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import { commentJson } from './json.js';
import type { CommentRow } from './schema.js';
import { BODY_MAX, type IssueService } from './service.js';

const commentBody = z.strictObject({ body: z.string().max(BODY_MAX) });
const indexParam = (v: string | undefined) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw NotFound('issue not found');
  return n;
};

export function registerIssueRoutes(api: ApiRouter, s: Services, issues: IssueService): void {
  const render = async (req: Request, rec: RepoRecord, c: CommentRow) => {
    const issue = (await issues.byId(c.issue_id))!;
    return commentJson(s, req, rec, issue, c, c.poster_id ? await s.users.byId(c.poster_id) : undefined);
  };
  const viewer = (req: Request, rec: RepoRecord & { level: AccessLevel }) => ({ userId: req.actor.kind === 'user' ? req.actor.user.id : null, level: rec.level });
  const issueOf = async (req: Request, rec: RepoRecord & { level: AccessLevel }, index: string | undefined) => s.tracker.visible(rec, indexParam(index), viewer(req, rec));
  const commentOf = async (req: Request, rec: RepoRecord & { level: AccessLevel }, id: string | undefined) => {
    const c = await issues.commentById(Number(id) || 0);
    const issue = c && (await issues.byId(c.issue_id));
    if (!c || !issue || issue.repo_id !== rec.repo.id || !(await s.tracker.canSee(issue, viewer(req, rec)))) throw NotFound('comment not found');
    return { c, issue };
  };

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/issues/:index/comments',
      tag: 'issue',
      scope: 'issue',
      summary: 'The comments of an issue or pull request, oldest first (timeline events are left out)',
      query: z.object({ since: z.string().datetime({ offset: true }).optional() }),
      responses: { 200: 'Comment list', 404: 'no such issue' },
    },
    async ({ req, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const issue = await issueOf(req, rec, params.index);
      const rows = await issues.comments(issue.id, { types: ['comment'], since: query.since ? Date.parse(query.since) : undefined });
      return { body: await Promise.all(rows.map((c) => render(req, rec, c))) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/issues/:index/comments',
      tag: 'issue',
      scope: 'issue',
      summary: 'Comment on an issue or pull request (markdown; rendered through the sanitizer)',
      auth: 'user',
      body: commentBody,
      responses: { 201: 'Comment', 404: 'no such issue', 422: 'empty or too long' },
    },
    async ({ req, params, body }) => {
      const user = requireUser(req);
      const rec = await resolveForApi(s, req, params, 'read');
      const issue = await issueOf(req, rec, params.index);
      s.tracker.assertMayComment(issue, rec.level);
      const c = await issues.comment(issue, user.id, body.body);
      await announce(s, rec, issue, 'comment');
      return { status: 201, body: await render(req, rec, c) };
    },
  );

  api.route(
    { method: 'get', path: '/repos/:owner/:repo/issues/comments/:id', tag: 'issue', scope: 'issue', summary: 'One comment', responses: { 200: 'Comment', 404: 'no such comment' } },
    async ({ req, params }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      return { body: await render(req, rec, (await commentOf(req, rec, params.id)).c) };
    },
  );

  api.route(
    {
      method: 'patch',
      path: '/repos/:owner/:repo/issues/comments/:id',
      tag: 'issue',
      scope: 'issue',
      summary: 'Edit a comment (its author, or a writer)',
      auth: 'user',
      body: commentBody,
      responses: { 200: 'Comment', 403: 'not yours', 404: 'no such comment' },
    },
    async ({ req, params, body }) => {
      const user = requireUser(req);
      const rec = await resolveForApi(s, req, params, 'read');
      const { c, issue } = await commentOf(req, rec, params.id);
      const row = await issues.editComment(c, { id: user.id, canWrite: rec.level === 'write' || rec.level === 'admin' }, body.body);
      await announce(s, rec, issue, 'comment');
      return { body: await render(req, rec, row) };
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/repos/:owner/:repo/issues/comments/:id',
      tag: 'issue',
      scope: 'issue',
      summary: 'Delete a comment (its author, or a writer)',
      auth: 'user',
      responses: { 204: 'deleted', 403: 'not yours' },
    },
    async ({ req, params }) => {
      const user = requireUser(req);
      const rec = await resolveForApi(s, req, params, 'read');
      const { c, issue } = await commentOf(req, rec, params.id);
      await issues.deleteComment(c, { id: user.id, canWrite: rec.level === 'write' || rec.level === 'admin' });
      await announce(s, rec, issue, 'comment');
    },
  );
}
