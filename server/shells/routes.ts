// The dev shells API: a user's own shells (start, list, read, stop, and what a new one would
// get), and the operator's view (every live shell with what it uses now, stop, and per-user and
// per-organization limits).
import { z } from 'zod';
import { requireAdmin, requireUser, resolveForApi, type ApiRouter } from '../http/index.js';
import { NotFound } from '../lib/errors.js';
import type { Services } from '../services.js';
import { shellJson, type ShellJson } from './json.js';
import type { ShellRow } from './schema.js';
import type { ShellService } from './service.js';

const repoName = z
  .string()
  .min(3)
  .max(200)
  .regex(/^[^/\s]+\/[^/\s]+$/, 'must be "owner/name"');
const startBody = z.strictObject({
  repo: repoName.describe('the repository to clone, "owner/name"'),
  branch: z.string().min(1).max(255).optional().describe('the branch to check out; default: the repository’s default branch'),
});
const limitsQuery = z.object({ repo: repoName });
const network = z.enum(['none', 'lan', 'open']);
const overrideBody = z.strictObject({
  cpus: z.number().min(0.1).max(256).nullable().optional(),
  memory_mb: z.number().int().min(64).max(1_048_576).nullable().optional(),
  disk_mb: z.number().int().min(64).max(16_777_216).nullable().optional(),
  pids: z.number().int().min(16).max(100_000).nullable().optional(),
  runtime_minutes: z.number().int().min(1).max(10_080).nullable().optional(),
  idle_minutes: z.number().int().min(1).max(10_080).nullable().optional(),
  network: network.nullable().optional(),
  max_shells: z.number().int().min(0).max(100).nullable().optional(),
});

export function registerShellRoutes(api: ApiRouter, s: Services, shells: ShellService): void {
  const tag = 'user';
  const shellId = (params: Record<string, string>): number => {
    const id = Number(params.id);
    if (!/^\d{1,15}$/.test(params.id ?? '') || !Number.isSafeInteger(id) || id < 1) throw NotFound('dev shell not found');
    return id;
  };
  /** Rows as JSON, with repository and user names looked up in one query. */
  const render = async (rows: ShellRow[], usage = false): Promise<ShellJson[]> => {
    if (!rows.length) return [];
    const repos = await s.db
      .selectFrom('repositories as r')
      .innerJoin('users as o', 'o.id', 'r.owner_id')
      .select(['r.id', 'o.name as owner', 'r.name'])
      .where(
        'r.id',
        'in',
        rows.map((r) => r.repo_id),
      )
      .execute();
    const users = await s.db
      .selectFrom('users')
      .select(['id', 'name'])
      .where(
        'id',
        'in',
        rows.map((r) => r.user_id),
      )
      .execute();
    const usages = usage ? await Promise.all(rows.map((r) => shells.usage(r.id))) : [];
    return rows.map((row, i) => {
      const repo = repos.find((r) => r.id === row.repo_id);
      const login = users.find((u) => u.id === row.user_id)?.name ?? '';
      return shellJson(row, { repo: repo ? `${repo.owner}/${repo.name}` : '', login }, shells.idleStopsAt(row), usage ? usages[i] : undefined);
    });
  };
  const resolveRepo = (req: Parameters<typeof resolveForApi>[1], full: string) => {
    const [owner, repo] = full.split('/') as [string, string];
    return resolveForApi(s, req, { owner, repo: repo.replace(/\.git$/, '') }, 'read');
  };

  api.route(
    { method: 'get', path: '/user/shells', tag, auth: 'user', summary: 'Gitssy: your dev shells, newest first (the live ones and the last that stopped)', responses: { 200: 'shell list' } },
    async ({ req }) => {
      const user = requireUser(req);
      return { body: await render(await shells.listOwn(user.id)) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/user/shells/limits',
      tag,
      auth: 'user',
      query: limitsQuery,
      summary: 'Gitssy: what a new dev shell on this repository would get (limits, backend) and how many run',
      responses: { 200: '{limits, max_per_user, running, max_total, running_total, backend, reason}', 404: 'repository not found' },
    },
    async ({ req, query }) => {
      const user = requireUser(req);
      const rec = await resolveRepo(req, query.repo);
      const p = await shells.preview(user, rec);
      return {
        body: {
          limits: p.resolved.limits,
          max_per_user: p.resolved.maxShells,
          running: p.running,
          max_total: s.settings.get('shells.maxTotal'),
          running_total: p.runningTotal,
          backend: p.backend,
          reason: p.reason,
        },
      };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/user/shells',
      tag,
      auth: 'user',
      body: startBody,
      summary: 'Gitssy: start a dev shell with the repository cloned at a branch; it is `starting` until its terminal is up',
      responses: { 201: 'the shell', 403: 'over a limit, or shells are off', 404: 'repository not found', 422: 'no such branch', 503: 'no backend can run it' },
    },
    async ({ req, body }) => {
      const user = requireUser(req);
      const rec = await resolveRepo(req, body.repo);
      const row = await shells.start(user, rec, body.branch);
      return { status: 201, body: (await render([row]))[0] };
    },
  );

  api.route(
    { method: 'get', path: '/user/shells/:id', tag, auth: 'user', summary: 'Gitssy: one of your dev shells', responses: { 200: 'the shell', 404: 'not found (or not yours)' } },
    async ({ req, params }) => {
      const user = requireUser(req);
      return { body: (await render([await shells.own(user.id, shellId(params))]))[0] };
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/user/shells/:id',
      tag,
      auth: 'user',
      summary: 'Gitssy: stop one of your dev shells (its clone goes with it)',
      responses: { 204: 'stopping or stopped', 404: 'not found (or not yours)' },
    },
    async ({ req, params }) => {
      const user = requireUser(req);
      const row = await shells.own(user.id, shellId(params));
      await shells.stop(row.id, 'you stopped it');
      return { status: 204 };
    },
  );

  api.route(
    { method: 'get', path: '/admin/shells', tag: 'admin', auth: 'admin', summary: 'Gitssy: every live dev shell, with its CPU and memory use now', responses: { 200: 'shell list' } },
    async ({ req }) => {
      requireAdmin(req);
      return { body: await render(await shells.listLive(), true) };
    },
  );

  api.route(
    { method: 'delete', path: '/admin/shells/:id', tag: 'admin', auth: 'admin', summary: 'Gitssy: stop anyone’s dev shell', responses: { 204: 'stopping or stopped', 404: 'not found' } },
    async ({ req, params }) => {
      const admin = requireAdmin(req);
      const row = await shells.byId(shellId(params));
      if (!row) throw NotFound('dev shell not found');
      await shells.stop(row.id, `an administrator (${admin.name}) stopped it`);
      await s.audit.record({ actorId: admin.id, action: 'shell.stop', targetType: 'shell', targetId: row.id, detail: { user_id: row.user_id }, ip: req.ip ?? null });
      return { status: 204 };
    },
  );

  const overrideJson = (o: { subject_id: number } & Record<string, unknown>, subject: { name: string; type: number }) => {
    const { subject_id: _, updated_at: __, ...limits } = o;
    return { subject: { login: subject.name, type: subject.type === 1 ? 'organization' : 'user' }, limits };
  };

  api.route(
    { method: 'get', path: '/admin/shells/overrides', tag: 'admin', auth: 'admin', summary: 'Gitssy: per-user and per-organization dev shell limits', responses: { 200: 'override list' } },
    async ({ req }) => {
      requireAdmin(req);
      const rows = await s.db.selectFrom('shell_overrides as o').innerJoin('users as u', 'u.id', 'o.subject_id').selectAll('o').select(['u.name', 'u.type']).orderBy('u.lower_name').execute();
      return { body: rows.map(({ name, type, ...o }) => overrideJson(o, { name, type })) };
    },
  );

  api.route(
    {
      method: 'put',
      path: '/admin/shells/overrides/:name',
      tag: 'admin',
      auth: 'admin',
      body: overrideBody,
      summary: 'Gitssy: set a user’s or an organization’s dev shell limits (null or absent: the console default)',
      responses: { 200: 'the override', 404: 'no such user or organization', 422: 'a value out of range' },
    },
    async ({ req, params, body }) => {
      const admin = requireAdmin(req);
      const subject = await s.users.byName(params.name!);
      if (!subject) throw NotFound(`user or organization "${params.name}" not found`);
      const values = {
        cpus: body.cpus ?? null,
        memory_mb: body.memory_mb ?? null,
        disk_mb: body.disk_mb ?? null,
        pids: body.pids ?? null,
        runtime_minutes: body.runtime_minutes ?? null,
        idle_minutes: body.idle_minutes ?? null,
        network: body.network ?? null,
        max_shells: body.max_shells ?? null,
        updated_at: Date.now(),
      };
      const row = await s.db
        .insertInto('shell_overrides')
        .values({ subject_id: subject.id, ...values })
        .onConflict((oc) => oc.column('subject_id').doUpdateSet(values))
        .returningAll()
        .executeTakeFirstOrThrow();
      await s.audit.record({ actorId: admin.id, action: 'shell.limits', targetType: 'user', targetId: subject.id, detail: values, ip: req.ip ?? null });
      return { body: overrideJson(row, { name: subject.name, type: subject.type }) };
    },
  );

  api.route(
    { method: 'delete', path: '/admin/shells/overrides/:name', tag: 'admin', auth: 'admin', summary: 'Gitssy: remove a dev shell override', responses: { 204: 'removed', 404: 'no such override' } },
    async ({ req, params }) => {
      const admin = requireAdmin(req);
      const subject = await s.users.byName(params.name!);
      const gone = subject ? await s.db.deleteFrom('shell_overrides').where('subject_id', '=', subject.id).returning('subject_id').executeTakeFirst() : undefined;
      if (!subject || !gone) throw NotFound(`no dev shell override for "${params.name}"`);
      await s.audit.record({ actorId: admin.id, action: 'shell.limits', targetType: 'user', targetId: subject.id, detail: { removed: true }, ip: req.ip ?? null });
      return { status: 204 };
    },
  );
}
