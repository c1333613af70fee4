// Gitea's PullRequest, PullReview and PullReviewComment shapes. A head in a repository the viewer
// cannot read is shown as "unknown repository": neither its name nor its branch leaks.
import type { Request } from 'express';
import { baseUrl, renderRepo, userJson } from '../http/index.js';
import { labelJson, milestoneJson, renderBody } from '../issues/index.js';
import type { UserRow } from '../db/schema.js';
import type { Services } from '../services.js';
import type { LineCommentRow, ReviewRow } from './schema.js';
import type { PullView } from './service.js';

const iso = (t: number | null | undefined) => (t ? new Date(t).toISOString() : null);

async function users(s: Services, ids: (number | null)[]): Promise<Map<number, UserRow>> {
  const want = [...new Set(ids.filter((x): x is number => x !== null))];
  const rows = want.length ? await s.db.selectFrom('users').selectAll().where('id', 'in', want).execute() : [];
  return new Map(rows.map((u) => [u.id, u]));
}

export async function pullJson(s: Services, req: Request, v: PullView, opts: { diffStats?: { additions: number; deletions: number; changed_files: number } } = {}) {
  const base = baseUrl(s, req);
  const full = `${v.base.owner.name}/${v.base.repo.name}`;
  const { pull, issue } = v;
  const assignees = await s.issues.assignees(issue.id);
  const requested = await s.reviews.requested(pull.id);
  const people = await users(s, [issue.poster_id, pull.merged_by, ...assignees, ...requested]);
  const u = (id: number | null) => (id !== null && people.get(id) ? userJson(s, req, people.get(id)!) : null);
  const headVisible = v.head !== null && (await s.repos.level(req.actor, v.head)) !== 'none';
  const baseRepo = await renderRepo(s, req, v.base);
  const headRepo = headVisible ? (v.head!.repo.id === v.base.repo.id ? baseRepo : await renderRepo(s, req, v.head!)) : null;
  const sameRepo = v.head?.repo.id === v.base.repo.id;
  const baseSha = pull.has_merged ? pull.merge_base : (pull.checked_base_sha ?? pull.merge_base);
  const mergeable = pull.has_merged ? false : pull.status === 'checking' ? null : pull.status === 'mergeable';
  const reviewComments = await s.db
    .selectFrom('pull_line_comments as c')
    .leftJoin('pull_reviews as r', 'r.id', 'c.review_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('c.pull_id', '=', pull.id)
    .where((eb) => eb.or([eb('r.state', 'is', null), eb('r.state', '!=', 'PENDING')]))
    .executeTakeFirst();
  const labels = (await s.labels.ofIssues([issue.id])).get(issue.id) ?? [];
  const ms = issue.milestone_id === null ? undefined : await s.db.selectFrom('milestones').selectAll().where('id', '=', issue.milestone_id).executeTakeFirst();
  return {
    id: pull.id,
    url: `${base}/${full}/pulls/${pull.index}`,
    number: pull.index,
    user: u(issue.poster_id),
    title: issue.title,
    body: issue.body,
    body_html: await renderBody(s, v.base, issue.body),
    labels: labels.map((l) => labelJson(s, req, l, l.repo_id === v.base.repo.id ? v.base : undefined)),
    milestone: ms ? milestoneJson(ms, (await s.labels.milestoneCounts([ms.id])).get(ms.id)!) : null,
    assignee: u(assignees[0] ?? null),
    assignees: assignees.map(u).filter(Boolean),
    requested_reviewers: requested.map(u).filter(Boolean),
    state: issue.is_closed ? 'closed' : 'open',
    draft: pull.is_draft === 1,
    is_locked: issue.is_locked === 1,
    comments: issue.num_comments,
    review_comments: Number(reviewComments?.n ?? 0),
    html_url: `${base}/${full}/pulls/${pull.index}`,
    // where the raw diff and patch are served (the web paths are the single-page app's)
    diff_url: `${base}/api/v1/repos/${full}/pulls/${pull.index}.diff`,
    patch_url: `${base}/api/v1/repos/${full}/pulls/${pull.index}.patch`,
    mergeable,
    /** Gitssy: checking, mergeable, conflict, empty, unsupported or error, and why */
    mergeable_state: pull.has_merged ? 'merged' : pull.status,
    mergeable_message: pull.status_message,
    conflicted_files: JSON.parse(pull.conflicted_files) as string[],
    merged: pull.has_merged === 1,
    merged_at: iso(pull.merged_at),
    merge_commit_sha: pull.merge_commit_sha,
    merged_by: u(pull.merged_by),
    merge_style: pull.merge_style,
    allow_maintainer_edit: false,
    base: { label: pull.base_branch, ref: pull.base_branch, sha: baseSha, repo_id: v.base.repo.id, repo: baseRepo },
    head: headVisible
      ? { label: sameRepo ? pull.head_branch : `${v.head!.owner.name}:${pull.head_branch}`, ref: pull.head_branch, sha: pull.head_sha, repo_id: v.head!.repo.id, repo: headRepo }
      : { label: 'unknown repository', ref: `refs/pull/${pull.index}/head`, sha: pull.head_sha, repo_id: 0, repo: null },
    merge_base: pull.merge_base,
    ...(opts.diffStats ?? {}),
    due_date: null,
    created_at: iso(pull.created_at),
    updated_at: iso(Math.max(pull.updated_at, issue.updated_at)),
    closed_at: iso(issue.closed_at),
    pin_order: issue.pin_order,
  };
}

export async function reviewJson(s: Services, req: Request, v: PullView, r: ReviewRow) {
  const base = baseUrl(s, req);
  const full = `${v.base.owner.name}/${v.base.repo.name}`;
  const reviewer = r.reviewer_id ? await s.users.byId(r.reviewer_id) : undefined;
  const count = await s.db
    .selectFrom('pull_line_comments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('review_id', '=', r.id)
    .executeTakeFirst();
  return {
    id: r.id,
    user: reviewer ? userJson(s, req, reviewer) : null,
    team: null,
    state: r.state,
    body: r.body,
    body_html: await renderBody(s, v.base, r.body),
    commit_id: r.commit_id,
    stale: r.stale === 1 || (r.state !== 'PENDING' && r.commit_id !== v.pull.head_sha),
    official: r.official === 1,
    dismissed: r.dismissed === 1,
    comments_count: Number(count?.n ?? 0),
    submitted_at: iso(r.submitted_at),
    updated_at: iso(r.updated_at),
    html_url: `${base}/${full}/pulls/${v.pull.index}#pullrequestreview-${r.id}`,
    pull_request_url: `${base}/${full}/pulls/${v.pull.index}`,
  };
}

export async function lineCommentJson(s: Services, req: Request, v: PullView, c: LineCommentRow) {
  const base = baseUrl(s, req);
  const full = `${v.base.owner.name}/${v.base.repo.name}`;
  const people = await users(s, [c.poster_id, c.resolved_by]);
  const u = (id: number | null) => (id !== null && people.get(id) ? userJson(s, req, people.get(id)!) : null);
  return {
    id: c.id,
    body: c.body,
    body_html: await renderBody(s, v.base, c.body),
    user: u(c.poster_id),
    resolver: u(c.resolved_by),
    pull_request_review_id: c.review_id,
    in_reply_to_id: c.reply_to,
    path: c.path,
    /** Gitssy: LEFT (old side) or RIGHT (new side), the line and the first line of a range */
    side: c.side,
    line: c.line,
    start_line: c.start_line,
    position: c.side === 'RIGHT' ? c.line : 0,
    original_position: c.side === 'LEFT' ? c.line : 0,
    commit_id: c.commit_id,
    original_commit_id: c.commit_id,
    diff_hunk: c.diff_hunk,
    outdated: c.outdated === 1,
    resolved: c.resolved_at !== null,
    created_at: iso(c.created_at),
    updated_at: iso(c.updated_at),
    html_url: `${base}/${full}/pulls/${v.pull.index}/files#r${c.id}`,
    pull_request_url: `${base}/${full}/pulls/${v.pull.index}`,
  };
}
