// Gitea's pull request API — /repos/{o}/{r}/pulls[/{n}[.diff|.patch|/commits|/files|/merge|
// /reviews…|/requested_reviewers]] and /compare/{base}...{head} — and what the browser UI needs
// beside it: line comments and threads, "viewed" marks, the timeline and the capped diff.
import type { Request } from 'express';
import { z } from 'zod';
import type { Actor } from '../access/index.js';
import { baseUrl, clientSignal, commitJson, gitJsonContext, JsonBodyCache, pageQuery, pipeGit, requireUser, resolveForApi, setPageHeaders, startPlainText, type ApiRouter } from '../http/index.js';
import { BODY_MAX, commentJson } from '../issues/index.js';
import { NotFound, Invalid } from '../lib/errors.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import { lineCommentJson, pullJson, reviewJson } from './json.js';
import type { ReviewService } from './reviews.js';
import type { PullService, PullView } from './service.js';

const names = z.array(z.string().min(1).max(255)).max(50);
const openBody = z.strictObject({
  head: z.string().min(1).max(512).describe('branch, or owner:branch for a fork'),
  base: z.string().min(1).max(255),
  title: z.string().max(1000),
  body: z.string().max(BODY_MAX).default(''),
  draft: z.boolean().optional(),
  assignee: z.string().max(255).optional(),
  assignees: names.optional(),
  reviewers: names.optional(),
  team_reviewers: z.array(z.string()).max(0, 'teams are not supported').optional(),
  labels: z.array(z.number().int()).optional(),
  milestone: z.number().int().optional(),
  due_date: z.string().nullable().optional(),
});
const editBody = z.strictObject({
  title: z.string().max(1000).optional(),
  body: z.string().max(BODY_MAX).optional(),
  state: z.enum(['open', 'closed']).optional(),
  base: z.string().min(1).max(255).optional(),
  draft: z.boolean().optional(),
  assignee: z.string().max(255).optional(),
  assignees: names.optional(),
});
const mergeBody = z.object({
  Do: z.enum(['merge', 'squash', 'rebase', 'fast-forward-only']),
  MergeTitleField: z.string().max(1000).optional(),
  MergeMessageField: z.string().max(BODY_MAX).optional(),
  merge_message_field: z.string().max(BODY_MAX).optional(),
  delete_branch_after_merge: z.boolean().optional(),
  head_commit_id: z
    .string()
    .regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'a full commit id')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  force_merge: z.boolean().optional(),
  merge_when_checks_succeed: z.literal(false).optional(),
});
const reviewEvent = z.enum(['APPROVED', 'REQUEST_CHANGES', 'COMMENT', 'PENDING', 'APPROVE']).transform((e) => (e === 'APPROVE' ? 'APPROVED' : e));
const reviewComment = z.strictObject({
  path: z.string().min(1).max(4096),
  body: z.string().max(BODY_MAX),
  new_position: z.number().int().min(0).optional(),
  old_position: z.number().int().min(0).optional(),
  /** Gitssy: the first line of a multi-line comment, on the same side */
  start_position: z.number().int().min(1).optional(),
});
const reviewBody = z.strictObject({
  body: z.string().max(BODY_MAX).default(''),
  event: reviewEvent.optional(),
  commit_id: z.string().max(64).optional(),
  comments: z.array(reviewComment).max(500).default([]),
});
const submitBody = z.strictObject({ body: z.string().max(BODY_MAX).default(''), event: reviewEvent });
const lineBody = z.strictObject({
  path: z.string().min(1).max(4096).optional(),
  body: z.string().max(BODY_MAX),
  side: z.enum(['LEFT', 'RIGHT']).default('RIGHT'),
  line: z.number().int().min(1).optional(),
  start_line: z.number().int().min(1).optional(),
  pending: z.boolean().default(false).describe('add it to your pending review instead of posting it now'),
  in_reply_to: z.number().int().min(1).optional(),
});
const listQuery = pageQuery.extend({
  state: z.enum(['open', 'closed', 'all']).default('open'),
  sort: z.enum(['oldest', 'recentupdate', 'leastupdate', 'mostcomment', 'leastcomment', 'newest']).optional(),
  poster: z.string().max(255).optional(),
});

/** A repository path in a URL: each component percent-encoded, the slashes kept. */
const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

function indexOf(v: string | undefined): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw NotFound('pull request not found');
  return n;
}

/** Turns Gitea's review comment (new_position or old_position) into our side/line. */
function place(c: z.output<typeof reviewComment>) {
  if (c.new_position && c.old_position) throw Invalid(`${c.path}: give new_position or old_position, not both`);
  if (!c.new_position && !c.old_position) throw Invalid(`${c.path}: new_position or old_position is required (a line number in the new or old file)`);
  return c.new_position ? { side: 'RIGHT' as const, line: c.new_position } : { side: 'LEFT' as const, line: c.old_position! };
}

export function registerPullRoutes(api: ApiRouter, s: Services, pulls: PullService, reviews: ReviewService): void {
  const filesBodies = new JsonBodyCache();
  const tag = 'repository';
  const load = async (req: Request, params: Record<string, string>): Promise<{ rec: RepoRecord; v: PullView }> => {
    const rec = await resolveForApi(s, req, params, 'read');
    return { rec, v: await pulls.byIndex(rec, indexOf(params.index)) };
  };
  const viewer = (req: Request) => (req.actor.kind === 'user' ? req.actor.user.id : null);
  const diffStats = async (v: PullView) => {
    const changes = await s.browse.compareChanges(pulls.target(v.base), v.pull.merge_base, v.pull.head_sha);
    return { additions: changes.reduce((n, c) => n + c.additions, 0), deletions: changes.reduce((n, c) => n + c.deletions, 0), changed_files: changes.length };
  };

  api.route(
    { method: 'get', path: '/repos/:owner/:repo/pulls', tag, summary: 'Pull requests of a repository, newest first', query: listQuery, responses: { 200: 'PullRequest list' } },
    async ({ req, res, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      let q = s.db.selectFrom('pull_requests as p').innerJoin('issues as i', 'i.id', 'p.issue_id').where('p.repo_id', '=', rec.repo.id);
      if (query.state !== 'all') q = q.where('i.is_closed', '=', query.state === 'closed' ? 1 : 0);
      if (query.poster) {
        const u = await s.users.byName(query.poster);
        q = q.where('i.poster_id', '=', u?.id ?? -1);
      }
      const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
      const order =
        query.sort === 'oldest'
          ? (['p.id', 'asc'] as const)
          : query.sort === 'recentupdate'
            ? (['i.updated_at', 'desc'] as const)
            : query.sort === 'leastupdate'
              ? (['i.updated_at', 'asc'] as const)
              : query.sort === 'mostcomment'
                ? (['i.num_comments', 'desc'] as const)
                : query.sort === 'leastcomment'
                  ? (['i.num_comments', 'asc'] as const)
                  : (['p.id', 'desc'] as const);
      const rows = await q
        .select('p.id')
        .orderBy(order[0], order[1])
        .orderBy('p.id', 'desc')
        .limit(query.limit)
        .offset((query.page - 1) * query.limit)
        .execute();
      setPageHeaders(req, res, total, query.page, query.limit);
      return { body: await Promise.all(rows.map(async (r) => pullJson(s, req, await pulls.view(r.id)))) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/pulls',
      tag,
      summary: 'Open a pull request from a branch of this repository or of a fork (`owner:branch`)',
      auth: 'user',
      body: openBody,
      responses: { 201: 'PullRequest', 404: 'no such branch, or a head repository you cannot read', 409: 'an open pull request exists for this head and base', 422: 'invalid, or nothing to merge' },
    },
    async ({ req, params, body }) => {
      requireUser(req);
      const rec = await resolveForApi(s, req, params, 'read');
      const v = await pulls.open(req.actor, rec, {
        head: body.head,
        base: body.base,
        title: body.title,
        body: body.body,
        draft: body.draft,
        assignees: [...(body.assignees ?? []), ...(body.assignee ? [body.assignee] : [])],
        reviewers: body.reviewers,
        labels: body.labels,
        milestone: body.milestone,
      });
      return { status: 201, body: await pullJson(s, req, v, { diffStats: await diffStats(v) }) };
    },
  );

  for (const kind of ['diff', 'patch'] as const) {
    api.route(
      {
        method: 'get',
        path: `/repos/:owner/:repo/pulls/:index.${kind}`,
        tag,
        summary: kind === 'diff' ? "A pull request's changes (merge base to head) as a unified diff" : "A pull request's commits as email patches (git format-patch)",
        responses: { 200: 'text/plain', 404: 'no such pull request' },
      },
      async ({ req, res, params }) => {
        const { v } = await load(req, params);
        const child = s.browse.rangeRaw(pulls.target(v.base), v.pull.merge_base, v.pull.head_sha, kind, clientSignal(res));
        await pipeGit(child, res, () => startPlainText(res, `${v.pull.index}.${kind}`));
      },
    );
  }

  api.route({ method: 'get', path: '/repos/:owner/:repo/pulls/:index', tag, summary: 'One pull request', responses: { 200: 'PullRequest', 404: 'no such pull request' } }, async ({ req, params }) => {
    const { v } = await load(req, params);
    return { body: await pullJson(s, req, v, { diffStats: await diffStats(v) }) };
  });

  api.route(
    {
      method: 'patch',
      path: '/repos/:owner/:repo/pulls/:index',
      tag,
      summary: 'Change the title, body, state (open/closed), base branch or draft flag',
      auth: 'user',
      body: editBody,
      responses: { 201: 'PullRequest', 403: 'not the author or a writer', 404: 'no such pull request', 422: 'invalid' },
    },
    async ({ req, params, body }) => {
      requireUser(req);
      const rec = await resolveForApi(s, req, params, 'read');
      const assignees = body.assignees ?? (body.assignee !== undefined ? (body.assignee ? [body.assignee] : []) : undefined);
      const v = await pulls.edit(req.actor, rec, indexOf(params.index), { title: body.title, body: body.body, state: body.state, base: body.base, draft: body.draft, assignees });
      return { status: 201, body: await pullJson(s, req, v, { diffStats: await diffStats(v) }) };
    },
  );

  api.route(
    { method: 'get', path: '/repos/:owner/:repo/pulls/:index/commits', tag, summary: "A pull request's commits, oldest first", query: pageQuery, responses: { 200: 'Commit list' } },
    async ({ req, res, params, query }) => {
      const { v } = await load(req, params);
      const target = pulls.target(v.base);
      const { commits, total } = await s.browse.rangeCommits(target, v.pull.merge_base, v.pull.head_sha, { skip: (query.page - 1) * query.limit, limit: query.limit });
      const ctx = await gitJsonContext(
        s,
        req,
        target,
        commits.flatMap((c) => [c.author, c.committer]),
      );
      setPageHeaders(req, res, total, query.page, query.limit);
      return { body: commits.map((c) => commitJson(ctx, c)) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/pulls/:index/files',
      tag,
      summary: "A pull request's changed files with their patches (capped), and whether you marked each viewed",
      query: pageQuery.extend({ limit: z.coerce.number().int().min(1).max(3000).default(3000) }),
      responses: { 200: 'ChangedFile list' },
    },
    async ({ req, res, params, query }) => {
      const { v } = await load(req, params);
      const diff = await s.browse.compare(pulls.target(v.base), v.pull.merge_base, v.pull.head_sha);
      const uid = viewer(req);
      const seen =
        uid === null
          ? new Set<string>()
          : await reviews.viewed(
              v,
              uid,
              diff.files.map((f) => ({ path: f.path, newSha: f.newSha })),
            );
      const start = (query.page - 1) * query.limit;
      setPageHeaders(req, res, diff.files.length, query.page, query.limit);
      res.setHeader('X-Total-Files', String(diff.totalFiles));
      res.setHeader('X-Diff-Truncated', String(diff.truncated));
      const full = `${v.base.owner.name}/${v.base.repo.name}`;
      // a big pull request's files are a megabyte of JSON: built once per (diff, page, viewed marks)
      const key = [v.base.repo.id, full, baseUrl(s, req), v.pull.merge_base, v.pull.head_sha, query.page, query.limit, [...seen].sort().join('\0')].join('\0');
      filesBodies.send(res, key, () =>
        diff.files.slice(start, start + query.limit).map((f) => ({
          filename: f.path,
          previous_filename: f.oldPath !== f.path ? f.oldPath : '',
          status: f.status,
          additions: f.additions,
          deletions: f.deletions,
          changes: f.additions + f.deletions,
          html_url: `/${full}/src/commit/${v.pull.head_sha}/${f.path}`,
          contents_url: `${baseUrl(s, req)}/api/v1/repos/${full}/contents/${encodePath(f.path)}?ref=${v.pull.head_sha}`,
          raw_url: f.status === 'removed' ? '' : `${baseUrl(s, req)}/api/v1/repos/${full}/raw/${encodePath(f.path)}?ref=${v.pull.head_sha}`,
          binary: f.binary,
          sha: f.newSha,
          previous_sha: f.oldSha,
          patch: f.patch,
          patch_truncated: f.patchTruncated,
          viewed: seen.has(f.path),
        })),
      );
    },
  );

  const mergeStatus = async (req: Request, params: Record<string, string>) => {
    const { v } = await load(req, params);
    if (!v.pull.has_merged) throw NotFound('not merged');
  };
  api.route(
    { method: 'get', path: '/repos/:owner/:repo/pulls/:index/merge', tag, summary: 'Whether a pull request is merged: 204 merged, 404 not', responses: { 204: 'merged', 404: 'not merged' } },
    async ({ req, params }) => {
      await mergeStatus(req, params);
      return { status: 204 };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/pulls/:index/merge',
      tag,
      summary: 'Merge a pull request (merge, squash, rebase or fast-forward-only), with git plumbing; the base moves through the push policy',
      auth: 'user',
      body: mergeBody,
      responses: {
        200: 'merged',
        403: 'you may not write, or a "who may merge" rule excludes you',
        405: 'not mergeable, already merged, closed, or blocked by a review or status rule (`message` says which)',
        409: 'head_commit_id is not the head, or the base kept moving through 3 tries',
      },
    },
    async ({ req, params, body }) => {
      requireUser(req);
      const rec = await resolveForApi(s, req, params, 'read');
      const title = body.MergeTitleField?.trim();
      const message = body.merge_message_field ?? (title ? `${title}${body.MergeMessageField ? `\n\n${body.MergeMessageField}` : ''}` : body.MergeMessageField);
      const result = await pulls.merge(req.actor as Actor, rec, indexOf(params.index), {
        style: body.Do,
        message,
        deleteBranch: body.delete_branch_after_merge,
        headCommitId: body.head_commit_id,
      });
      return { status: 200, body: { merged: true, sha: result.sha, branch_deleted: result.branchDeleted } };
    },
  );

  // reviews
  api.route(
    { method: 'get', path: '/repos/:owner/:repo/pulls/:index/reviews', tag, summary: 'Reviews (your own pending one included)', responses: { 200: 'PullReview list' } },
    async ({ req, params }) => {
      const { v } = await load(req, params);
      return { body: await Promise.all((await reviews.list(v, viewer(req))).map((r) => reviewJson(s, req, v, r))) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/pulls/:index/reviews',
      tag,
      summary: 'Review: APPROVED, REQUEST_CHANGES or COMMENT submits at once; PENDING (or no event) gathers the comments until submitted',
      auth: 'user',
      body: reviewBody,
      responses: { 200: 'PullReview', 422: 'a comment outside the diff, your own pull request, or an empty review' },
    },
    async ({ req, params, body }) => {
      requireUser(req);
      const { v } = await load(req, params);
      const r = await reviews.create(req.actor, v, {
        event: body.event ?? 'PENDING',
        body: body.body,
        commitId: body.commit_id || undefined,
        comments: body.comments.map((c) => ({ path: c.path, body: c.body, ...place(c), startLine: c.start_position ?? null })),
      });
      return { body: await reviewJson(s, req, v, r) };
    },
  );

  const reviewOf = async (req: Request, params: Record<string, string>) => {
    const { v } = await load(req, params);
    const r = (await reviews.list(v, viewer(req))).find((x) => x.id === Number(params.id));
    if (!r) throw NotFound('review not found');
    return { v, r };
  };
  api.route({ method: 'get', path: '/repos/:owner/:repo/pulls/:index/reviews/:id', tag, summary: 'One review', responses: { 200: 'PullReview' } }, async ({ req, params }) => {
    const { v, r } = await reviewOf(req, params);
    return { body: await reviewJson(s, req, v, r) };
  });
  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/pulls/:index/reviews/:id',
      tag,
      summary: 'Submit your pending review',
      auth: 'user',
      body: submitBody,
      responses: { 200: 'PullReview', 422: 'already submitted' },
    },
    async ({ req, params, body }) => {
      requireUser(req);
      const { v, r } = await reviewOf(req, params);
      if (body.event === 'PENDING') throw Invalid('event: submit as APPROVED, REQUEST_CHANGES or COMMENT');
      return { body: await reviewJson(s, req, v, await reviews.submit(req.actor, v, r.id, body.event, body.body)) };
    },
  );
  api.route(
    { method: 'delete', path: '/repos/:owner/:repo/pulls/:index/reviews/:id', tag, summary: 'Delete your pending review and its comments', auth: 'user', responses: { 204: 'deleted' } },
    async ({ req, params }) => {
      requireUser(req);
      const { v, r } = await reviewOf(req, params);
      await reviews.deletePending(req.actor, v, r.id);
    },
  );
  api.route(
    { method: 'get', path: '/repos/:owner/:repo/pulls/:index/reviews/:id/comments', tag, summary: "A review's line comments", responses: { 200: 'PullReviewComment list' } },
    async ({ req, params }) => {
      const { v, r } = await reviewOf(req, params);
      return { body: await Promise.all((await reviews.comments(v, viewer(req), r.id)).map((c) => lineCommentJson(s, req, v, c))) };
    },
  );
  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/pulls/:index/reviews/:id/dismissals',
      tag,
      summary: 'Dismiss a review (writers): it no longer counts for or against the merge',
      auth: 'user',
      body: z.strictObject({ message: z.string().max(BODY_MAX).default(''), priors: z.boolean().optional() }),
      responses: { 200: 'PullReview', 403: 'not a writer' },
    },
    async ({ req, params, body }) => {
      requireUser(req);
      const { v, r } = await reviewOf(req, params);
      return { body: await reviewJson(s, req, v, await reviews.dismiss(req.actor, v, r.id, body.message)) };
    },
  );

  const requestBody = z.strictObject({ reviewers: names.default([]), team_reviewers: z.array(z.string()).max(0, 'teams are not supported').optional() });
  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/pulls/:index/requested_reviewers',
      tag,
      summary: 'Ask people to review (they are notified)',
      auth: 'user',
      body: requestBody,
      responses: { 201: 'PullReview list (state REQUEST_REVIEW)', 422: 'no such user, or one who cannot read the repository' },
    },
    async ({ req, params, body }) => {
      requireUser(req);
      const { v } = await load(req, params);
      const ids = await reviews.request(req.actor, v, body.reviewers, true);
      const out = [];
      for (const id of ids) {
        const u = await s.users.byId(id);
        const r = await reviewJson(s, req, v, {
          id: 0,
          pull_id: v.pull.id,
          reviewer_id: id,
          state: 'PENDING',
          body: '',
          commit_id: v.pull.head_sha,
          official: 0,
          stale: 0,
          dismissed: 0,
          submitted_at: null,
          created_at: Date.now(),
          updated_at: Date.now(),
        });
        if (u) out.push({ ...r, state: 'REQUEST_REVIEW' });
      }
      return { status: 201, body: out };
    },
  );
  api.route(
    { method: 'delete', path: '/repos/:owner/:repo/pulls/:index/requested_reviewers', tag, summary: 'Withdraw review requests', auth: 'user', body: requestBody, responses: { 204: 'withdrawn' } },
    async ({ req, params, body }) => {
      requireUser(req);
      const { v } = await load(req, params);
      await reviews.request(req.actor, v, body.reviewers, false);
    },
  );

  // line comments and threads (the UI's; GitHub names them the same)
  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/pulls/:index/comments',
      tag,
      summary: 'Every line comment you may see (your pending ones included), oldest first',
      responses: { 200: 'PullReviewComment list' },
    },
    async ({ req, params }) => {
      const { v } = await load(req, params);
      return { body: await Promise.all((await reviews.comments(v, viewer(req))).map((c) => lineCommentJson(s, req, v, c))) };
    },
  );
  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/pulls/:index/comments',
      tag,
      summary: 'Comment on a line or a range of lines (LEFT: old side, RIGHT: new side), reply to a thread, or add to your pending review',
      auth: 'user',
      body: lineBody,
      responses: { 201: 'PullReviewComment', 422: 'the line is not in the diff' },
    },
    async ({ req, params, body }) => {
      requireUser(req);
      const { v } = await load(req, params);
      if (!body.in_reply_to && (!body.path || !body.line)) throw Invalid('path and line are required (or in_reply_to for a reply)');
      const c = await reviews.comment(req.actor, v, {
        path: body.path ?? '',
        body: body.body,
        side: body.side,
        line: body.line ?? 1,
        startLine: body.start_line ?? null,
        pending: body.pending,
        replyTo: body.in_reply_to ?? null,
      });
      return { status: 201, body: await lineCommentJson(s, req, v, c) };
    },
  );
  api.route(
    {
      method: 'patch',
      path: '/repos/:owner/:repo/pulls/:index/comments/:id',
      tag,
      summary: 'Edit a line comment',
      auth: 'user',
      body: z.strictObject({ body: z.string().max(BODY_MAX) }),
      responses: { 200: 'PullReviewComment' },
    },
    async ({ req, params, body }) => {
      requireUser(req);
      const { v } = await load(req, params);
      return { body: await lineCommentJson(s, req, v, await reviews.editComment(req.actor, v, Number(params.id), body.body)) };
    },
  );
  api.route(
    { method: 'delete', path: '/repos/:owner/:repo/pulls/:index/comments/:id', tag, summary: 'Delete a line comment (and its replies)', auth: 'user', responses: { 204: 'deleted' } },
    async ({ req, params }) => {
      requireUser(req);
      const { v } = await load(req, params);
      await reviews.deleteComment(req.actor, v, Number(params.id));
    },
  );
  for (const [method, resolved] of [
    ['put', true],
    ['delete', false],
  ] as const) {
    api.route(
      {
        method,
        path: '/repos/:owner/:repo/pulls/:index/comments/:id/resolve',
        tag,
        summary: resolved ? "Resolve a comment's thread" : "Reopen a comment's thread",
        auth: 'user',
        responses: { 204: 'done' },
      },
      async ({ req, params }) => {
        requireUser(req);
        const { v } = await load(req, params);
        await reviews.resolve(req.actor, v, Number(params.id), resolved);
      },
    );
    api.route(
      {
        method,
        path: '/repos/:owner/:repo/pulls/:index/files/viewed',
        tag,
        summary: resolved ? 'Mark a file viewed (until it changes again)' : 'Mark a file not viewed',
        auth: 'user',
        body: z.strictObject({ path: z.string().min(1).max(4096) }),
        responses: { 204: 'done', 422: 'not a file of this pull request' },
      },
      async ({ req, params, body }) => {
        requireUser(req);
        const { v } = await load(req, params);
        await reviews.setViewed(req.actor, v, body.path, resolved);
      },
    );
  }

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/pulls/:index/timeline',
      tag,
      summary: 'Gitssy UI: the conversation — comments, pushes, reviews (with their line comments), merges — oldest first',
      responses: { 200: '{entries}' },
    },
    async ({ req, params }) => {
      const { rec, v } = await load(req, params);
      const entries = await s.issues.comments(v.issue.id);
      const posters = new Map<number, Awaited<ReturnType<typeof s.users.byId>>>();
      for (const id of new Set(entries.map((e) => e.poster_id).filter((x): x is number => x !== null))) posters.set(id, await s.users.byId(id));
      const reviewRows = await reviews.list(v, viewer(req));
      const lines = await reviews.comments(v, viewer(req));
      const out = [];
      for (const e of entries) out.push({ kind: 'entry', at: e.created_at, entry: await commentJson(s, req, rec, v.issue, e, e.poster_id ? posters.get(e.poster_id) : undefined) });
      const reviewJsons = new Map<number, Awaited<ReturnType<typeof reviewJson>>>();
      for (const r of reviewRows) reviewJsons.set(r.id, await reviewJson(s, req, v, r));
      const lineJsons = await Promise.all(lines.map((c) => lineCommentJson(s, req, v, c)));
      return { body: { entries: out, reviews: [...reviewJsons.values()], comments: lineJsons } };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/compare/:basehead',
      tag,
      summary: 'Compare two branches (`base...head`, head may be `owner:branch` of a fork): commits, files and whether a pull request is open for them',
      responses: { 200: 'Compare', 404: 'no such branch, or a head repository you cannot read' },
    },
    async ({ req, params }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const spec = params.basehead!;
      const dots = spec.indexOf('...');
      if (dots < 1) throw Invalid('compare: write it as base...head');
      const baseBranch = spec.slice(0, dots);
      const head = await pulls.resolveHead(req.actor, rec, spec.slice(dots + 3));
      const [baseSha, headSha] = await Promise.all([pulls.branchTip(rec, baseBranch), pulls.branchTip(head.rec, head.branch)]);
      if (!baseSha) throw NotFound(`branch "${baseBranch}" does not exist`);
      if (!headSha) throw NotFound(`branch "${head.branch}" does not exist`);
      const cmp = await pulls.compare(rec, head.rec, baseSha, headSha);
      const target = pulls.target(cmp.in);
      const ctx = await gitJsonContext(
        s,
        req,
        target,
        cmp.commits.flatMap((c) => [c.author, c.committer]),
      );
      const existing = await s.db
        .selectFrom('pull_requests as p')
        .innerJoin('issues as i', 'i.id', 'p.issue_id')
        .select('p.index')
        .where('p.repo_id', '=', rec.repo.id)
        .where('p.head_repo_id', '=', head.rec.repo.id)
        .where('p.head_branch', '=', head.branch)
        .where('p.base_branch', '=', baseBranch)
        .where('i.is_closed', '=', 0)
        .executeTakeFirst();
      return {
        body: {
          base: { ref: baseBranch, sha: baseSha },
          head: { ref: head.branch, sha: headSha, repo: `${head.rec.owner.name}/${head.rec.repo.name}` },
          merge_base: cmp.mergeBase,
          total_commits: cmp.total,
          commits: cmp.commits.map((c) => commitJson(ctx, c)),
          files: cmp.diff
            ? cmp.diff.files.map((f) => ({
                filename: f.path,
                previous_filename: f.oldPath !== f.path ? f.oldPath : null,
                status: f.status,
                additions: f.additions,
                deletions: f.deletions,
                changes: f.additions + f.deletions,
                binary: f.binary,
                sha: f.newSha,
                previous_sha: f.oldSha,
                patch: f.patch,
                patch_truncated: f.patchTruncated,
              }))
            : [],
          total_files: cmp.diff?.totalFiles ?? 0,
          truncated: cmp.diff?.truncated ?? false,
          pull_request: existing ? existing.index : null,
        },
      };
    },
  );
}
