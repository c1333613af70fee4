// The JSON of cards and columns. Gitea has no task board, so the shape follows its issues where
// there is a counterpart (`assignee`, `user`-style objects, `body` and `body_html`, ISO times).
import type { Request } from 'express';
import { LEVEL_ORDER, type AccessLevel } from '../access/index.js';
import type { UserRow } from '../db/schema.js';
import { baseUrl, userJson } from '../http/index.js';
import { renderBody } from '../issues/index.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import type { TaskColumnRow } from './schema.js';
import { parseChecklist, type TaskView } from './service.js';

export interface JsonContext {
  s: Services;
  req: Request;
  rec: RepoRecord & { level: AccessLevel };
  /** Every user the cards name (assignees, posters), loaded once for a whole list. */
  users: Map<number, UserRow>;
}

export async function jsonContext(s: Services, req: Request, rec: RepoRecord & { level: AccessLevel }, views: TaskView[]): Promise<JsonContext> {
  const ids = [...new Set(views.flatMap((v) => [v.task.assignee_id, v.task.poster_id]).filter((x): x is number => x !== null))];
  const users = new Map<number, UserRow>();
  for (const id of ids) {
    const u = await s.users.byId(id);
    if (u) users.set(id, u);
  }
  return { s, req, rec, users };
}

export function columnJson(c: TaskColumnRow, count?: number) {
  return { id: c.id, name: c.name, state: c.state, position: c.position, ...(count !== undefined ? { tasks_count: count } : {}) };
}

/** One card. `withHtml` renders the body (single cards; lists leave it out to stay fast). */
export async function taskJson(ctx: JsonContext, v: TaskView, withHtml: boolean) {
  const { s, req, rec, users } = ctx;
  const base = baseUrl(s, req);
  const full = `${rec.owner.name}/${rec.repo.name}`;
  const user = (id: number | null) => {
    const u = id === null ? undefined : users.get(id);
    return u ? userJson(s, req, u) : null;
  };
  // a confidential issue's title is for people who may see it; readers get the bare number
  const seesConfidential = LEVEL_ORDER[rec.level] >= LEVEL_ORDER.write;
  return {
    id: v.task.id,
    title: v.task.title,
    body: v.task.body,
    ...(withHtml ? { body_html: await renderBody(s, rec, v.task.body) } : {}),
    state: v.column.state,
    column: v.column.id,
    column_name: v.column.name,
    position: v.task.position,
    assignee: user(v.task.assignee_id),
    due_date: v.task.due_date,
    checklist: parseChecklist(v.task.checklist),
    links: v.links.map((l) => ({
      number: l.number,
      title: l.isConfidential && !seesConfidential ? '' : l.title,
      state: l.isClosed ? 'closed' : 'open',
      is_pull: l.isPull,
      html_url: `${base}/${full}/${l.isPull ? 'pulls' : 'issues'}/${l.number}`,
    })),
    user: user(v.task.poster_id),
    created_at: new Date(v.task.created_at).toISOString(),
    updated_at: new Date(v.task.updated_at).toISOString(),
    url: `${base}/api/v1/repos/${full}/tasks/${v.task.id}`,
    html_url: `${base}/${full}/tasks?task=${v.task.id}`,
  };
}
