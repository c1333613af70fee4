// The CI API: jobs (readers list and read them and their logs; writers re-run and cancel),
// secrets (repository admins; values are write-only, under Gitea's actions path too), the
// repository's image (site admins pick it), and the console's view (site admins).
import type { Request } from 'express';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { baseUrl, pageQuery, requireAdmin, requireUser, resolveForApi, setPageHeaders, type ApiRouter } from '../http/index.js';
import { NotFound } from '../lib/errors.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import { JOB_STATES } from './schema.js';
import { SECRET_LIMITS } from './secrets.js';
import type { CiService } from './service.js';

/** A log is someone's output served from our origin: never a page that runs anything. */
const RAW_LOG_CSP = "default-src 'none'; sandbox";

const listQuery = pageQuery.extend({
  branch: z.string().min(1).max(255).optional().describe('only jobs for this branch'),
  state: z.enum(JOB_STATES).optional().describe('only jobs in this state'),
});
const logQuery = z.object({ offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0).describe('the first byte to send') });
const secretBody = z.object({
  data: z
    .string()
    .max(SECRET_LIMITS.value * 2)
    .describe('the value (write-only)'),
  description: z.string().max(SECRET_LIMITS.description).optional(),
});
const imageBody = z.strictObject({
  image: z
    .string()
    .max(255)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/, 'must be an image reference like debian:12 or ghcr.io/org/image:tag')
    .nullable()
    .describe('the image this repository’s jobs run in; null: the console’s default'),
});

export function registerCiRoutes(api: ApiRouter, s: Services, ci: CiService): void {
  const tag = 'repository';
  const jobId = (params: Record<string, string>): number => {
    const id = Number(params.id);
    if (!/^\d{1,15}$/.test(params.id ?? '') || !Number.isSafeInteger(id) || id < 1) throw NotFound('CI job not found');
    return id;
  };
  const render = async (req: Request, rows: Parameters<CiService['render']>[0]) => ci.render(rows, baseUrl(s, req).replace(/\/+$/, ''));
  const one = async (req: Request, rec: RepoRecord, id: number) => (await render(req, [await ci.get(rec.repo.id, id)]))[0]!;

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/ci/jobs',
      tag,
      summary: "Gitssy: the repository's CI jobs, newest first; X-Total-Count and Link headers",
      query: listQuery,
      responses: { 200: 'CI job list', 404: 'repository not found' },
    },
    async ({ req, res, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const { rows, total } = await ci.list(rec.repo.id, query);
      setPageHeaders(req, res, total, query.page, query.limit);
      return { body: await render(req, rows) };
    },
  );

  api.route(
    { method: 'get', path: '/repos/:owner/:repo/ci/jobs/:id', tag, summary: 'Gitssy: one CI job', responses: { 200: 'CI job', 404: 'repository or job not found' } },
    async ({ req, params }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      return { body: await one(req, rec, jobId(params)) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/ci/jobs/:id/log',
      tag,
      summary: "Gitssy: a CI job's log from byte `offset` on, as text/plain (ANSI colours kept); X-Log-Size is the log's size when read",
      query: logQuery,
      responses: { 200: 'the log (empty while the job waits)', 404: 'repository or job not found' },
    },
    async ({ req, res, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      const job = await ci.get(rec.repo.id, jobId(params));
      const { size, stream } = await ci.logs.read(rec.repo.id, job.id, query.offset);
      res.status(200);
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Content-Security-Policy', RAW_LOG_CSP);
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('X-Log-Size', String(size));
      res.setHeader('Access-Control-Expose-Headers', 'X-Log-Size');
      if (!stream) {
        res.setHeader('Content-Length', '0');
        res.end();
        return;
      }
      res.setHeader('Content-Length', String(size - query.offset));
      await pipeline(stream, res).catch(() => res.destroy());
    },
  );

  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/ci/jobs/:id/rerun',
      tag,
      summary: 'Gitssy: runs the job’s commit again, as a new job (rerun_of = id) that you pushed',
      auth: 'user',
      responses: { 201: 'the new CI job', 403: 'needs write access', 404: 'repository or job not found', 503: 'CI is off' },
    },
    async ({ req, params }) => {
      const user = requireUser(req);
      const rec = await resolveForApi(s, req, params, 'write');
      const job = await ci.rerun(rec, jobId(params), user.id);
      return { status: 201, body: (await render(req, [job]))[0] };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/ci/jobs/:id/cancel',
      tag,
      summary: 'Gitssy: cancels a queued job, or stops a running one (its container or sandbox is killed)',
      auth: 'user',
      responses: { 200: 'the CI job', 403: 'needs write access', 404: 'repository or job not found', 409: 'the job has already finished' },
    },
    async ({ req, params }) => {
      const user = requireUser(req);
      const rec = await resolveForApi(s, req, params, 'write');
      const job = await ci.cancel(rec, jobId(params), user);
      return { body: (await render(req, [job]))[0] };
    },
  );

  // ---- secrets (Gitea's actions secrets; /ci/secrets is the same) ----
  for (const prefix of ['/repos/:owner/:repo/ci/secrets', '/repos/:owner/:repo/actions/secrets']) {
    api.route(
      {
        method: 'get',
        path: prefix,
        tag,
        summary: "The repository's CI secrets (names only: values are write-only)",
        auth: 'user',
        query: pageQuery,
        responses: { 200: '[{name, description, created_at}]', 403: 'needs admin access', 404: 'repository not found' },
      },
      async ({ req, res, params, query }) => {
        const rec = await resolveForApi(s, req, params, 'admin');
        const all = await ci.secrets.list(rec.repo.id);
        setPageHeaders(req, res, all.length, query.page, query.limit);
        return {
          body: all.slice((query.page - 1) * query.limit, query.page * query.limit).map((x) => ({ name: x.name, description: x.description, created_at: new Date(x.created_at).toISOString() })),
        };
      },
    );
    api.route(
      {
        method: 'put',
        path: `${prefix}/:name`,
        tag,
        summary: 'Creates or replaces a CI secret ({data}); jobs get it as an environment variable, masked in their logs',
        auth: 'user',
        body: secretBody,
        responses: { 201: 'created', 204: 'replaced', 403: 'needs admin access', 404: 'repository not found', 413: 'value too large', 422: 'invalid name or value' },
      },
      async ({ req, params, body }) => {
        const rec = await resolveForApi(s, req, params, 'admin');
        const created = await ci.secrets.put(rec.repo.id, params.name!, body.data, body.description ?? '');
        return { status: created ? 201 : 204 };
      },
    );
    api.route(
      {
        method: 'delete',
        path: `${prefix}/:name`,
        tag,
        summary: 'Deletes a CI secret',
        auth: 'user',
        responses: { 204: 'deleted', 403: 'needs admin access', 404: 'repository or secret not found' },
      },
      async ({ req, params }) => {
        const rec = await resolveForApi(s, req, params, 'admin');
        await ci.secrets.delete(rec.repo.id, params.name!);
      },
    );
  }

  // ---- the repository's image ----
  const settingsJson = async (rec: RepoRecord) => {
    const image = await ci.repoImage(rec.repo.id);
    const choice = await ci.backend();
    const def = s.settings.get('ci.defaultImage') || null;
    return { image, default_image: def, effective_image: choice.active?.name === 'sandbox' ? null : (image ?? def), backend: choice.active?.name ?? null };
  };
  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/ci/settings',
      tag,
      summary: "Gitssy: the repository's CI image (null: the console's default) and the backend that runs its jobs",
      responses: { 200: '{image, default_image, effective_image, backend}', 404: 'repository not found' },
    },
    async ({ req, params }) => ({ body: await settingsJson(await resolveForApi(s, req, params, 'read')) }),
  );
  api.route(
    {
      method: 'patch',
      path: '/repos/:owner/:repo/ci/settings',
      tag,
      summary: "Gitssy: sets the repository's CI image (site administrators: the operator picks images); the host sandbox ignores images",
      auth: 'admin',
      body: imageBody,
      responses: { 200: '{image, default_image, effective_image, backend}', 403: 'not a site administrator', 404: 'repository not found', 422: 'not an image reference' },
    },
    async ({ req, params, body }) => {
      requireAdmin(req);
      const rec = await resolveForApi(s, req, params, 'read');
      await ci.setRepoImage(rec.repo.id, body.image);
      return { body: await settingsJson(rec) };
    },
  );

  // ---- the console ----
  api.route(
    {
      method: 'get',
      path: '/admin/ci',
      tag: 'admin',
      summary: 'Gitssy: which CI backend is active and why (probed afresh), the workers, limits and default image, and the jobs queued and running',
      auth: 'admin',
      responses: { 200: '{backend: {setting, source, active, reason, candidates}, workers, limits, default_image, queued, running}', 403: 'not a site administrator' },
    },
    async ({ req }) => {
      requireAdmin(req);
      const choice = await ci.backend(true);
      const base = baseUrl(s, req).replace(/\/+$/, '');
      return {
        body: {
          backend: { setting: choice.setting, source: choice.source, active: choice.active?.name ?? null, reason: choice.reason, candidates: choice.candidates },
          workers: s.settings.get('ci.workers'),
          limits: (({ cpus, memoryMb, pids, diskMb, timeoutSec, network }) => ({
            cpus,
            memory_mb: memoryMb,
            pids,
            disk_mb: diskMb,
            network,
            timeout_seconds: timeoutSec,
            log_max_bytes: s.settings.get('ci.logMaxBytes'),
          }))(ci.limits()),
          default_image: s.settings.get('ci.defaultImage'),
          queued: await ci.render(await ci.inState('queued'), base),
          running: await ci.render(await ci.inState('running'), base),
        },
      };
    },
  );
}
