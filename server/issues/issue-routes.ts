// Gitea's issue API: list (with filters and free text), open, read, edit, labels on an issue,
// reactions, pins and locks, the cross-repository search, issue templates — plus the timeline
// the UI reads.
import type { Request } from 'express';
import { z } from 'zod';
import { LEVEL_ORDER, type AccessLevel, type Actor } from '../access/index.js';
import { pageQuery, requireUser, resolveForApi, setPageHeaders, userJson, type ApiRouter } from '../http/index.js';
import { Invalid, NotFound } from '../lib/errors.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import { commentJson, issueJson, issuesJson, labelJson, reactionJson } from './json.js';
import { parseDate } from './labels.js';
import type { IssueRow } from './schema.js';
import { BODY_MAX } from './service.js';
import { issueTemplates } from './templates.js';
import { REACTIONS, type IssueFilter } from './tracker.js';

const csv = z
  .string()
  .optional()
  .transform((v) =>
    v
      ? v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : undefined,
  );
const when = (what: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      const t = Date.parse(v);
      if (!Number.isFinite(t)) {
        ctx.addIssue({ code: 'custom', message: `${what}: not a date` });
        return z.NEVER;
      }
      return t;
    });
const listQuery = pageQuery.extend({
  state: z.enum(['open', 'closed', 'all']).default('open'),
  type: z.enum(['issues', 'pulls']).optional(),
  labels: csv,
  milestones: csv,
  q: z.string().max(200).optional(),
  since: when('since'),
  before: when('before'),
  created_by: z.string().max(64).optional(),
  assigned_by: z.string().max(64).optional(),
  mentioned_by: z.string().max(64).optional(),
  sort: z.enum(['newest', 'oldest', 'recentupdate', 'leastupdate', 'mostcomment', 'leastcomment']).optional(),
});
const searchQuery = listQuery.extend({
  assigned: z.enum(['true', 'false']).optional(),
  created: z.enum(['true', 'false']).optional(),
  mentioned: z.enum(['true', 'false']).optional(),
  owner: z.string().max(64).optional(),
});
// titles are checked (and trimmed) by the service; the schema only stops absurd payloads early
const openBody = z.strictObject({
  title: z.string().max(10_000),
  body: z.string().max(BODY_MAX).optional(),
  assignee: z.string().optional(),
  assignees: z.array(z.string()).max(100).optional(),
  labels: z
    .array(z.union([z.number().int(), z.string()]))
    .max(1000)
    .optional(),
  milestone: z.number().int().optional(),
  closed: z.boolean().optional(),
  due_date: z.string().nullable().optional(),
  ref: z.string().optional(),
  confidential: z.boolean().optional(),
});
const editBody = z.strictObject({
  title: z.string().max(10_000).optional(),
  body: z.string().max(BODY_MAX).optional(),
  assignee: z.string().optional(),
  assignees: z.array(z.string()).max(100).optional(),
  milestone: z.number().int().nullable().optional(),
  state: z.enum(['open', 'closed']).optional(),
  due_date: z.string().nullable().optional(),
  unset_due_date: z.boolean().optional(),
  ref: z.string().optional(),
  confidential: z.boolean().optional(),
});
const labelsBody = z.strictObject({ labels: z.array(z.union([z.number().int(), z.string()])).max(1000) });
const reactionBody = z.strictObject({ content: z.string().max(32) });

/** The signed-in actor (401 otherwise). */
const userActor = (req: Request): Actor & { kind: 'user' } => {
  requireUser(req);
  return req.actor as Actor & { kind: 'user' };
};

const indexOf = (v: string | undefined) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw NotFound('issue not found');
  return n;
};

export function registerIssueTrackerRoutes(api: ApiRouter, s: Services): void {
  const tag = 'issue';
  const viewerOf = (req: Request, rec: RepoRecord & { level: AccessLevel }) => ({ userId: req.actor.kind === 'user' ? req.actor.user.id : null, level: rec.level });
  const load = async (req: Request, params: Record<string, string>, action: 'read' | 'write' = 'read') => {
    const rec = await resolveForApi(s, req, params, action);
    const issue = await s.tracker.visible(rec, indexOf(params.index), viewerOf(req, rec));
    return { rec, issue };
  };
  const userIdNamed = async (name: string | undefined) => {
    if (!name) return undefined;
    return (await s.users.byName(name.toLowerCase()))?.id ?? -1;
  };
  const filterOf = async (query: z.infer<typeof listQuery>): Promise<IssueFilter> => ({
    state: query.state,
    type: query.type,
    labels: query.labels,
    milestones: query.milestones,
    q: query.q,
    since: query.since,
    before: query.before,
    posterId: await userIdNamed(query.created_by),
    assigneeId: await userIdNamed(query.assigned_by),
    mentionedId: await userIdNamed(query.mentioned_by),
    sort: query.sort,
    page: query.page,
    limit: query.limit,
  });
  const renderList = (req: Request, rows: IssueRow[], recOf: (repoId: number) => Promise<RepoRecord>) => issuesJson(s, req, rows, recOf);

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/issues',
      tag,
      summary: 'Issues (and pull requests) of a repository, with filters and free-text search',
      query: listQuery,
      responses: { 200: 'Issue list' },
    },
    async ({ req, res, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const { rows, total } = await s.tracker.list(
        { repoIds: [rec.repo.id], viewer: { actor: req.actor, userId: viewerOf(req, rec).userId, writesAll: LEVEL_ORDER[rec.level] >= LEVEL_ORDER.write } },
        await filterOf(query),
      );
      setPageHeaders(req, res, total, query.page, query.limit);
      return { body: await renderList(req, rows, async () => rec) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/issues/search',
      tag,
      early: true,
      summary: 'Search issues across every repository you can read',
      query: searchQuery,
      responses: { 200: 'Issue list' },
    },
    async ({ req, res, query }) => {
      const me = req.actor.kind === 'user' ? req.actor.user.id : null;
      const f = await filterOf(query);
      if (me !== null && query.assigned === 'true') f.assigneeId = me;
      if (me !== null && query.created === 'true') f.posterId = me;
      if (me !== null && query.mentioned === 'true') f.mentionedId = me;
      let repoIds: number[] | 'visible' = 'visible';
      if (query.owner) {
        const owner = await s.users.byName(query.owner.toLowerCase());
        const visible = owner ? await s.repos.search(req.actor, { ownerId: owner.id, page: 1, limit: 10_000 }) : { items: [] };
        repoIds = visible.items.map((r) => r.repo.id);
      }
      const { rows, total } = await s.tracker.list({ repoIds, viewer: { actor: req.actor, userId: me, writesAll: false } }, f);
      const recs = new Map<number, RepoRecord>();
      setPageHeaders(req, res, total, query.page, query.limit);
      return {
        body: await renderList(req, rows, async (id) => {
          if (!recs.has(id)) recs.set(id, (await s.repos.byId(id))!);
          return recs.get(id)!;
        }),
      };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/issues',
      tag,
      summary: 'Open an issue (labels, milestone and assignees are applied for writers only)',
      auth: 'user',
      body: openBody,
      responses: { 201: 'Issue', 404: 'no such repository', 422: 'invalid' },
    },
    async ({ req, params, body }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      if (body.due_date) parseDate(body.due_date, 'due_date');
      const issue = await s.tracker.open(userActor(req), rec, {
        title: body.title,
        body: body.body,
        assignees: [...(body.assignees ?? []), ...(body.assignee ? [body.assignee] : [])],
        labels: body.labels,
        milestone: body.milestone,
        confidential: body.confidential,
        closed: body.closed,
      });
      return { status: 201, body: await issueJson(s, req, rec, issue, { html: true }) };
    },
  );

  api.route({ method: 'get', path: '/repos/:owner/:repo/issues/pinned', tag, summary: 'Pinned issues, in pin order', responses: { 200: 'Issue list' } }, async ({ req, params }) => {
    const rec = await resolveForApi(s, req, params, 'read');
    const rows = await s.tracker.pinned(rec.repo.id, false, { userId: viewerOf(req, rec).userId, writesAll: LEVEL_ORDER[rec.level] >= LEVEL_ORDER.write });
    return { body: await renderList(req, rows, async () => rec) };
  });

  api.route({ method: 'get', path: '/repos/:owner/:repo/issues/:index', tag, summary: 'One issue (or pull request)', responses: { 200: 'Issue', 404: 'no such issue' } }, async ({ req, params }) => {
    const { rec, issue } = await load(req, params);
    return { body: await issueJson(s, req, rec, issue, { html: true }) };
  });

  api.route(
    {
      method: 'patch',
      path: '/repos/:owner/:repo/issues/:index',
      tag,
      summary: 'Edit an issue: title and body (its author or a writer), state, assignees, milestone and confidentiality',
      auth: 'user',
      body: editBody,
      responses: { 201: 'Issue', 403: 'not allowed', 404: 'no such issue', 422: 'invalid' },
    },
    async ({ req, params, body }) => {
      const { rec, issue } = await load(req, params);
      if (issue.is_pull && body.state !== undefined) throw Invalid('state: open or close a pull request with PATCH /repos/{owner}/{repo}/pulls/{index}');
      if (body.due_date) parseDate(body.due_date, 'due_date');
      const assignees = body.assignees ?? (body.assignee !== undefined ? (body.assignee ? [body.assignee] : []) : undefined);
      const row = await s.tracker.edit(userActor(req), rec, issue, {
        title: body.title,
        body: body.body,
        state: body.state,
        assignees,
        milestone: body.milestone === undefined ? undefined : body.milestone === 0 ? null : body.milestone,
        confidential: body.confidential,
      });
      await announce(s, rec, row, 'edited');
      return { status: 201, body: await issueJson(s, req, rec, row, { html: true }) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/assignees',
      tag: 'repository',
      summary: 'Users who can be assigned: the owner (or its organization members) and the collaborators',
      responses: { 200: 'User list' },
    },
    async ({ req, params }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      return { body: (await s.tracker.assignable(rec)).map((u) => userJson(s, req, u)) };
    },
  );

  // ---- labels on an issue ---------------------------------------------------------------------

  api.route({ method: 'get', path: '/repos/:owner/:repo/issues/:index/labels', tag, summary: "An issue's labels", responses: { 200: 'Label list' } }, async ({ req, params }) => {
    const { rec, issue } = await load(req, params);
    const labels = (await s.labels.ofIssues([issue.id])).get(issue.id) ?? [];
    return { body: labels.map((l) => labelJson(s, req, l, l.repo_id === rec.repo.id ? rec : undefined)) };
  });
  for (const [method, mode, summary] of [
    ['post', 'add', 'Add labels (ids or names) to an issue; an exclusive scope keeps one label'],
    ['put', 'replace', "Replace an issue's labels"],
  ] as const) {
    api.route(
      {
        method,
        path: '/repos/:owner/:repo/issues/:index/labels',
        tag,
        summary,
        auth: 'user',
        body: labelsBody,
        responses: { 200: 'Label list', 403: 'not a writer', 422: 'unknown label or too many' },
      },
      async ({ req, params, body }) => {
        const { rec, issue } = await load(req, params);
        const labels = await s.tracker.setLabels(userActor(req), rec, issue, body.labels, mode);
        await announce(s, rec, issue, 'labels');
        return { body: labels.map((l) => labelJson(s, req, l, l.repo_id === rec.repo.id ? rec : undefined)) };
      },
    );
  }
  api.route(
    { method: 'delete', path: '/repos/:owner/:repo/issues/:index/labels', tag, summary: "Remove all of an issue's labels", auth: 'user', responses: { 204: 'cleared' } },
    async ({ req, params }) => {
      const { rec, issue } = await load(req, params);
      await s.tracker.setLabels(userActor(req), rec, issue, [], 'replace');
      await announce(s, rec, issue, 'labels');
    },
  );
  api.route(
    { method: 'delete', path: '/repos/:owner/:repo/issues/:index/labels/:id', tag, summary: 'Remove one label from an issue', auth: 'user', responses: { 204: 'removed', 404: 'not on the issue' } },
    async ({ req, params }) => {
      const { rec, issue } = await load(req, params);
      await s.tracker.removeLabel(userActor(req), rec, issue, Number(params.id) || 0);
      await announce(s, rec, issue, 'labels');
    },
  );

  // ---- reactions ------------------------------------------------------------------------------

  const reactionRoutes = (path: string, target: (req: Request, params: Record<string, string>) => Promise<{ rec: RepoRecord & { level: AccessLevel }; issue: IssueRow; commentId: number }>) => {
    api.route({ method: 'get', path, tag, summary: `Reactions (${REACTIONS.join(', ')})`, responses: { 200: 'Reaction list' } }, async ({ req, params }) => {
      const { issue, commentId } = await target(req, params);
      const rows = await s.tracker.reactions(issue.id, commentId);
      return { body: await Promise.all(rows.map(async (r) => reactionJson(s, req, r, await s.users.byId(r.user_id)))) };
    });
    api.route(
      {
        method: 'post',
        path,
        tag,
        summary: 'Add a reaction: 201, or 200 when you had already reacted so',
        auth: 'user',
        body: reactionBody,
        responses: { 200: 'Reaction', 201: 'Reaction', 422: 'not an allowed reaction' },
      },
      async ({ req, params, body }) => {
        const actor = requireUser(req);
        const { rec, issue, commentId } = await target(req, params);
        const { row, created } = await s.tracker.react(issue, commentId, actor.id, body.content);
        await announce(s, rec, issue, 'reaction');
        return { status: created ? 201 : 200, body: reactionJson(s, req, row, await s.users.byId(actor.id)) };
      },
    );
    api.route({ method: 'delete', path, tag, summary: 'Remove your reaction', auth: 'user', body: reactionBody, responses: { 200: 'removed' } }, async ({ req, params, body }) => {
      const actor = requireUser(req);
      const { rec, issue, commentId } = await target(req, params);
      await s.tracker.unreact(issue, commentId, actor.id, body.content);
      await announce(s, rec, issue, 'reaction');
      return { status: 200, body: {} };
    });
  };
  reactionRoutes('/repos/:owner/:repo/issues/:index/reactions', async (req, params) => ({ ...(await load(req, params)), commentId: 0 }));
  reactionRoutes('/repos/:owner/:repo/issues/comments/:id/reactions', async (req, params) => {
    const rec = await resolveForApi(s, req, params, 'read');
    const c = await s.issues.commentById(Number(params.id) || 0);
    const issue = c && (await s.issues.byId(c.issue_id));
    if (!c || c.type !== 'comment' || !issue || issue.repo_id !== rec.repo.id || !(await s.tracker.canSee(issue, viewerOf(req, rec)))) throw NotFound('comment not found');
    return { rec, issue, commentId: c.id };
  });

  // ---- pins, locks --------------------------------------------------------------------------

  for (const [method, pinned] of [
    ['post', true],
    ['delete', false],
  ] as const) {
    api.route(
      {
        method,
        path: '/repos/:owner/:repo/issues/:index/pin',
        tag,
        summary: pinned ? 'Pin an issue to the top of the list' : 'Unpin an issue',
        auth: 'user',
        responses: { 204: 'done', 403: 'not a writer' },
      },
      async ({ req, params }) => {
        const { rec, issue } = await load(req, params);
        await s.tracker.pin(userActor(req), rec, issue, pinned);
        await announce(s, rec, issue, 'pin');
      },
    );
  }
  api.route(
    {
      method: 'put',
      path: '/repos/:owner/:repo/issues/:index/lock',
      tag,
      summary: 'Lock the conversation: only writers can comment',
      auth: 'user',
      body: z.strictObject({ lock_reason: z.string().max(100).optional() }).optional(),
      responses: { 204: 'locked', 403: 'not a writer' },
    },
    async ({ req, params, body }) => {
      const { rec, issue } = await load(req, params);
      await s.tracker.lock(userActor(req), rec, issue, true, body?.lock_reason);
      await announce(s, rec, issue, 'lock');
    },
  );
  api.route({ method: 'delete', path: '/repos/:owner/:repo/issues/:index/lock', tag, summary: 'Unlock the conversation', auth: 'user', responses: { 204: 'unlocked' } }, async ({ req, params }) => {
    const { rec, issue } = await load(req, params);
    await s.tracker.lock(userActor(req), rec, issue, false);
    await announce(s, rec, issue, 'lock');
  });

  // ---- timeline and templates ---------------------------------------------------------------

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/issues/:index/timeline',
      tag,
      summary: 'The conversation: comments and events (labels, assignees, references, closes…), oldest first, with reactions',
      responses: { 200: 'TimelineComment list' },
    },
    async ({ req, params }) => {
      const { rec, issue } = await load(req, params);
      const entries = await s.issues.comments(issue.id);
      const reactions = await s.db.selectFrom('reactions').selectAll().where('issue_id', '=', issue.id).orderBy('id').execute();
      const names = new Map<number, string>();
      for (const id of new Set(reactions.map((r) => r.user_id))) names.set(id, (await s.users.byId(id))?.name ?? 'ghost');
      const summary = (commentId: number) => {
        const by = new Map<string, string[]>();
        for (const r of reactions.filter((x) => x.comment_id === commentId)) by.set(r.content, [...(by.get(r.content) ?? []), names.get(r.user_id)!]);
        return [...by].map(([content, users]) => ({ content, users }));
      };
      const out = [];
      for (const e of entries) {
        // a reference is shown only to those who may see where it came from
        if (e.type === 'ref' && !(await s.tracker.canSeeSource(req.actor, JSON.parse(e.data) as { issueId?: number }))) continue;
        const poster = e.poster_id ? await s.users.byId(e.poster_id) : undefined;
        out.push({ ...(await commentJson(s, req, rec, issue, e, poster)), reactions: summary(e.id) });
      }
      const labels = await s.db
        .selectFrom('labels')
        .selectAll()
        .where((eb) => eb.or([eb('repo_id', '=', rec.repo.id), eb('org_id', '=', rec.repo.owner_id)]))
        .execute();
      return {
        body: {
          entries: out,
          reactions: summary(0),
          labels: labels.map((l) => labelJson(s, req, l, l.repo_id === rec.repo.id ? rec : undefined)),
        },
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/issue_templates',
      tag: 'repository',
      summary: 'Issue templates from .gitea/ISSUE_TEMPLATE or .github/ISSUE_TEMPLATE on the default branch',
      responses: { 200: 'IssueTemplate list' },
    },
    async ({ req, params }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      return { body: await issueTemplates(s, rec) };
    },
  );
}

/** Tells the issue's page (everyone in the repository's room) that something changed. */
export async function announce(s: Services, rec: RepoRecord, issue: IssueRow, what: string): Promise<void> {
  await s.realtime.toRepo({ id: rec.repo.id, ownerId: rec.repo.owner_id, visibility: rec.repo.visibility as 'public' | 'internal' | 'private' }, 'issue.updated', {
    repo: `${rec.owner.name}/${rec.repo.name}`,
    number: issue.index,
    what,
  });
}
