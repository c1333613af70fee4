// Gitea's Comment shape, plus `body_html`: the body rendered through the one markdown sanitizer.
import type { Request } from 'express';
import { baseUrl, userJson } from '../http/index.js';
import type { RepoRecord } from '../repos/index.js';
import type { UserRow } from '../db/schema.js';
import type { Services } from '../services.js';
import type { CommentRow, IssueRow, LabelRow, MilestoneRow, ReactionRow } from './schema.js';

/** Markdown as a comment shows it: relative links resolve on the default branch; `#12` and `@user` link. */
export async function renderBody(s: Services, rec: RepoRecord, body: string): Promise<string> {
  if (!body.trim()) return '';
  return (await s.markup.markdown(body, { owner: rec.owner.name, repo: rec.repo.name, refKind: 'branch', ref: rec.repo.default_branch, dir: '', issueRefs: true })) ?? '';
}

export async function commentJson(s: Services, req: Request, rec: RepoRecord, issue: IssueRow, c: CommentRow, poster: UserRow | undefined) {
  const base = baseUrl(s, req);
  const full = `${rec.owner.name}/${rec.repo.name}`;
  const kind = issue.is_pull ? 'pulls' : 'issues';
  return {
    id: c.id,
    type: c.type,
    html_url: `${base}/${full}/${kind}/${issue.index}#issuecomment-${c.id}`,
    issue_url: `${base}/${full}/issues/${issue.index}`,
    pull_request_url: issue.is_pull ? `${base}/${full}/pulls/${issue.index}` : '',
    user: poster ? userJson(s, req, poster) : null,
    original_author: '',
    original_author_id: 0,
    body: c.body,
    body_html: c.type === 'comment' ? await renderBody(s, rec, c.body) : '',
    data: JSON.parse(c.data) as Record<string, unknown>,
    assets: [],
    created_at: new Date(c.created_at).toISOString(),
    updated_at: new Date(c.updated_at).toISOString(),
  };
}

const iso = (t: number | null | undefined) => (t ? new Date(t).toISOString() : null);

/** Gitea's Label. */
export function labelJson(s: Services, req: Request, l: LabelRow, rec?: RepoRecord) {
  const base = baseUrl(s, req);
  return {
    id: l.id,
    name: l.name,
    exclusive: l.exclusive === 1,
    is_archived: l.archived_at !== null,
    color: l.color,
    description: l.description,
    url: rec ? `${base}/api/v1/repos/${rec.owner.name}/${rec.repo.name}/labels/${l.id}` : `${base}/api/v1/labels/${l.id}`,
  };
}

/** Gitea's Milestone, with its open and closed issue counts. */
export function milestoneJson(m: MilestoneRow, counts: { open: number; closed: number }) {
  return {
    id: m.id,
    title: m.title,
    description: m.description,
    state: m.is_closed ? 'closed' : 'open',
    open_issues: counts.open,
    closed_issues: counts.closed,
    created_at: iso(m.created_at),
    updated_at: iso(m.updated_at),
    closed_at: iso(m.closed_at),
    due_on: iso(m.due_on),
  };
}

/** Gitea's Reaction. */
export function reactionJson(s: Services, req: Request, r: ReactionRow, user: UserRow | undefined) {
  return { user: user ? userJson(s, req, user) : null, content: r.content, created_at: iso(r.created_at) };
}

/** Gitea's Issue (for pull requests too, with `pull_request` set), plus `confidential` and `body_html`. */
export async function issueJson(s: Services, req: Request, rec: RepoRecord, issue: IssueRow, opts: { html?: boolean } = {}) {
  const [json] = await issuesJson(s, req, [issue], async () => rec);
  return opts.html ? { ...json!, body_html: await renderBody(s, rec, issue.body) } : json!;
}

/**
 * A page of issues as Gitea's Issue list: everything the rows refer to (assignees, people,
 * labels, milestones and their progress, pull request state) is read in one query per kind.
 */
export async function issuesJson(s: Services, req: Request, issues: IssueRow[], recOf: (repoId: number) => Promise<RepoRecord>) {
  const base = baseUrl(s, req);
  const ids = issues.map((i) => i.id);
  const none = ids.length === 0;
  const assignRows = none ? [] : await s.db.selectFrom('issue_assignees').select(['issue_id', 'user_id']).where('issue_id', 'in', ids).orderBy('user_id').execute();
  const peopleIds = [...new Set([...issues.map((i) => i.poster_id), ...assignRows.map((a) => a.user_id)].filter((x): x is number => x !== null))];
  const people = new Map((peopleIds.length ? await s.db.selectFrom('users').selectAll().where('id', 'in', peopleIds).execute() : []).map((u) => [u.id, u]));
  const u = (id: number | null) => (id !== null && people.has(id) ? userJson(s, req, people.get(id)!) : null);
  const labels = await s.labels.ofIssues(ids);
  const msIds = [...new Set(issues.map((i) => i.milestone_id).filter((x): x is number => x !== null))];
  const milestones = new Map((msIds.length ? await s.db.selectFrom('milestones').selectAll().where('id', 'in', msIds).execute() : []).map((m) => [m.id, m]));
  const counts = await s.labels.milestoneCounts(msIds);
  const pullIds = issues.filter((i) => i.is_pull).map((i) => i.id);
  const pulls = new Map(
    (pullIds.length ? await s.db.selectFrom('pull_requests').select(['issue_id', 'has_merged', 'merged_at', 'is_draft']).where('issue_id', 'in', pullIds).execute() : []).map((p) => [p.issue_id, p]),
  );
  return Promise.all(
    issues.map(async (issue) => {
      const rec = await recOf(issue.repo_id);
      const full = `${rec.owner.name}/${rec.repo.name}`;
      const assigneeIds = assignRows.filter((a) => a.issue_id === issue.id).map((a) => a.user_id);
      const m = issue.milestone_id === null ? undefined : milestones.get(issue.milestone_id);
      const pull = pulls.get(issue.id);
      const kind = issue.is_pull ? 'pulls' : 'issues';
      return {
        id: issue.id,
        url: `${base}/api/v1/repos/${full}/issues/${issue.index}`,
        html_url: `${base}/${full}/${kind}/${issue.index}`,
        number: issue.index,
        user: u(issue.poster_id),
        original_author: '',
        original_author_id: 0,
        title: issue.title,
        body: issue.body,
        ref: '',
        assets: [],
        labels: (labels.get(issue.id) ?? []).map((l) => labelJson(s, req, l, l.repo_id === rec.repo.id ? rec : undefined)),
        milestone: m ? milestoneJson(m, counts.get(m.id)!) : null,
        assignee: u(assigneeIds[0] ?? null),
        assignees: assigneeIds.map(u).filter(Boolean),
        state: issue.is_closed ? 'closed' : 'open',
        is_locked: issue.is_locked === 1,
        /** Gitssy: visible only to its author, its assignees and the repository's writers */
        confidential: issue.is_confidential === 1,
        comments: issue.num_comments,
        created_at: iso(issue.created_at),
        updated_at: iso(issue.updated_at),
        closed_at: iso(issue.closed_at),
        due_date: null,
        pull_request: pull ? { merged: pull.has_merged === 1, merged_at: iso(pull.merged_at), draft: pull.is_draft === 1, html_url: `${base}/${full}/pulls/${issue.index}` } : null,
        repository: { id: rec.repo.id, name: rec.repo.name, owner: rec.owner.name, full_name: full },
        pin_order: issue.pin_order,
      };
    }),
  );
}
