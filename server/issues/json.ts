// Gitea's Comment shape, plus `body_html`: the body rendered through the one markdown sanitizer.
import type { Request } from 'express';
import { baseUrl, userJson } from '../http/index.js';
import type { RepoRecord } from '../repos/index.js';
import type { UserRow } from '../db/schema.js';
import type { Services } from '../services.js';
import type { CommentRow, IssueRow } from './schema.js';

/** Markdown as a comment shows it: relative links resolve on the default branch. */
export async function renderBody(s: Services, rec: RepoRecord, body: string): Promise<string> {
  if (!body.trim()) return '';
  return (await s.markup.markdown(body, { owner: rec.owner.name, repo: rec.repo.name, refKind: 'branch', ref: rec.repo.default_branch, dir: '' })) ?? '';
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
