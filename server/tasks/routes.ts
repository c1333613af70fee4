// The task board API: GET|POST /repos/{o}/{r}/tasks, GET|PATCH|DELETE /repos/{o}/{r}/tasks/{id},
// and the columns at /repos/{o}/{r}/tasks/columns[/{id}]. Reading needs read access to the
// repository, writing needs write access; tokens need the issue scope, as for issues.
import { z } from 'zod';
import { requireUser, resolveForApi, type ApiRouter } from '../http/index.js';
import { NotFound } from '../lib/errors.js';
import type { Services } from '../services.js';
import { columnJson, jsonContext, taskJson } from './json.js';
import { TASK_STATES } from './schema.js';
import type { TaskService, TaskView } from './service.js';

const state = z.enum(TASK_STATES);
// generous caps against abuse; the service gives the precise limits (and their messages)
const taskFields = {
  title: z.string().max(100_000),
  body: z.string(),
  state,
  column: z.number().int().positive(),
  position: z.number().int().min(0).max(1_000_000),
  assignee: z.string().max(100).nullable(),
  due_date: z.string().max(100).nullable(),
  checklist: z.array(z.strictObject({ text: z.string().max(10_000), done: z.boolean() })).max(1_000),
  links: z.array(z.number().int().positive()).max(1_000),
};
const newTask = z.strictObject(taskFields).partial().required({ title: true });
const taskChange = z.strictObject(taskFields).partial();
const newColumn = z.strictObject({ name: z.string().max(10_000), state, position: z.number().int().min(0).max(1_000).optional() });
const columnChange = z.strictObject({ name: z.string().max(10_000), state, position: z.number().int().min(0).max(1_000) }).partial();
const listQuery = z.object({
  state: state.optional(),
  column: z.coerce.number().int().positive().optional(),
  assignee: z.string().max(100).optional(),
});

const idParam = (v: string | undefined, what: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v ?? '') || !Number.isSafeInteger(n) || n < 1) throw NotFound(`${what} not found`);
  return n;
};

export function registerTaskRoutes(api: ApiRouter, s: Services, tasks: TaskService): void {
  const one = async (req: Parameters<typeof jsonContext>[1], rec: Parameters<typeof jsonContext>[2], v: TaskView) => taskJson(await jsonContext(s, req, rec, [v]), v, true);

  // the columns first: /tasks/columns must not be taken for a card id
  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/tasks/columns',
      tag: 'issue',
      scope: 'issue',
      summary: "The task board's columns, left to right, with their states and card counts",
      responses: { 200: 'Column list', 404: 'no such repository' },
    },
    async ({ req, params }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const [cols, counts] = await Promise.all([tasks.columns(rec.repo.id), tasks.counts(rec.repo.id)]);
      return { body: cols.map((c) => columnJson(c, counts.get(c.id) ?? 0)) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/tasks/columns',
      tag: 'issue',
      scope: 'issue',
      summary: 'Add a column to the task board (at `position`, or at the end)',
      auth: 'user',
      body: newColumn,
      responses: { 201: 'Column', 403: 'no write access', 422: 'bad name or state, or too many columns' },
    },
    async ({ req, params, body }) => {
      const rec = await resolveForApi(s, req, params, 'write');
      const col = await tasks.createColumn(rec, body);
      return { status: 201, body: columnJson(col, 0) };
    },
  );

  api.route(
    {
      method: 'patch',
      path: '/repos/:owner/:repo/tasks/columns/:id',
      tag: 'issue',
      scope: 'issue',
      summary: "Rename a column, change its state (its cards' state follows) or move it",
      auth: 'user',
      body: columnChange,
      responses: { 200: 'Column', 403: 'no write access', 404: 'no such column', 422: "bad input, or the last column of its state can't change state" },
    },
    async ({ req, params, body }) => {
      const rec = await resolveForApi(s, req, params, 'write');
      const col = await tasks.updateColumn(rec, idParam(params.id, 'column'), body);
      return { body: columnJson(col, (await tasks.counts(rec.repo.id)).get(col.id) ?? 0) };
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/repos/:owner/:repo/tasks/columns/:id',
      tag: 'issue',
      scope: 'issue',
      summary: 'Delete an empty column (every state keeps at least one column)',
      auth: 'user',
      responses: { 204: 'deleted', 403: 'no write access', 404: 'no such column', 409: 'the column still holds cards', 422: 'the last column of its state' },
    },
    async ({ req, params }) => {
      const rec = await resolveForApi(s, req, params, 'write');
      await tasks.deleteColumn(rec, idParam(params.id, 'column'));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/tasks',
      tag: 'issue',
      scope: 'issue',
      summary: 'The cards of the task board in board order (by column, then position); `body_html` only on single cards',
      query: listQuery,
      responses: { 200: 'Task list', 404: 'no such repository' },
    },
    async ({ req, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      let assigneeId: number | undefined;
      if (query.assignee !== undefined) {
        const u = await s.users.byName(query.assignee);
        if (!u) return { body: [] };
        assigneeId = u.id;
      }
      const views = await tasks.list(rec.repo.id, { state: query.state, column: query.column, assigneeId });
      const ctx = await jsonContext(s, req, rec, views);
      return { body: await Promise.all(views.map((v) => taskJson(ctx, v, false))) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/tasks',
      tag: 'issue',
      scope: 'issue',
      summary: 'Add a card: to `column`, or to the first column of `state` (default todo), at `position` or the end',
      auth: 'user',
      body: newTask,
      responses: { 201: 'Task', 403: 'no write access', 422: 'bad input (nothing is written)' },
    },
    async ({ req, params, body }) => {
      const rec = await resolveForApi(s, req, params, 'write');
      const user = requireUser(req);
      const v = await tasks.create(rec, user.id, body);
      return { status: 201, body: await one(req, rec, v) };
    },
  );

  api.route({ method: 'get', path: '/repos/:owner/:repo/tasks/:id', tag: 'issue', scope: 'issue', summary: 'One card', responses: { 200: 'Task', 404: 'no such card' } }, async ({ req, params }) => {
    const rec = await resolveForApi(s, req, params, 'read');
    return { body: await one(req, rec, await tasks.get(rec.repo.id, idParam(params.id, 'task'))) };
  });

  api.route(
    {
      method: 'patch',
      path: '/repos/:owner/:repo/tasks/:id',
      tag: 'issue',
      scope: 'issue',
      summary: 'Edit or move a card',
      description:
        '`column` moves the card to that column (its state follows the column). `state` alone moves it to the end of the first column of that state ' +
        '(a card already in that state stays put). `position` (0-based) places it within the column it ends up in. Answers 200 with the card.',
      auth: 'user',
      body: taskChange,
      responses: { 200: 'Task', 403: 'no write access', 404: 'no such card', 422: 'bad input (nothing is written)' },
    },
    async ({ req, params, body }) => {
      const rec = await resolveForApi(s, req, params, 'write');
      const user = requireUser(req);
      const v = await tasks.update(rec, user.id, idParam(params.id, 'task'), body);
      return { body: await one(req, rec, v) };
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/repos/:owner/:repo/tasks/:id',
      tag: 'issue',
      scope: 'issue',
      summary: 'Delete a card',
      auth: 'user',
      responses: { 204: 'deleted', 403: 'no write access', 404: 'no such card' },
    },
    async ({ req, params }) => {
      const rec = await resolveForApi(s, req, params, 'write');
      await tasks.remove(rec, idParam(params.id, 'task'));
    },
  );
}
