// /api/v1/admin/backups: site administrators list, create (a job with progress), download,
// upload, verify, restore and delete backups, and set the schedule. Long work answers 202 with
// a job; GET /admin/backups/jobs/{id} reports its progress (also on the event bus as
// `backup.job`). A restore over the running data stops the server, takes a safety backup,
// swaps the data in and starts again on the same ports (server/backup/swap.ts); moving the
// records from SQLite to PostgreSQL (/admin/database/move) is a job that restarts the same way.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { AppError } from '../lib/errors.js';
import type { Services } from '../services.js';
import { requireAdmin, type ApiRouter } from '../http/index.js';

const createBody = z
  .strictObject({
    include_ci_logs: z.boolean().optional().describe('carry the CI job logs too (they are listed in the manifest either way)'),
  })
  .optional();

const scheduleBody = z.strictObject({
  schedule: z.enum(['off', 'daily', 'weekly']).optional(),
  time: z.string().optional(),
  weekday: z.number().int().optional(),
  keep: z.number().int().optional(),
});

const moveBody = z.strictObject({
  to: z.string().min(1).max(2048).describe('the empty target database, postgres://user:password@host:5432/database'),
});

const ARCHIVE_TYPES = /^application\/(gzip|x-gzip|octet-stream|x-tar\+gzip|x-compressed-tar)\b/i;

export function registerBackupRoutes(api: ApiRouter, s: Services): void {
  const audit = (actorId: number, action: string, detail: Record<string, unknown>, ip: string | undefined) => s.audit.record({ actorId, action, targetType: 'settings', detail, ip: ip ?? null });

  api.route(
    {
      method: 'get',
      path: '/admin/backups',
      tag: 'admin',
      summary: 'Backups in the data dir, newest first, with their manifest versions and last verify result',
      auth: 'admin',
      responses: { 200: '[{name, size, created_at, kind, app_version, schema_version, repositories, ci_logs, verify}]' },
    },
    async ({ req }) => {
      requireAdmin(req);
      return { body: await s.backups.list() };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/admin/backups',
      tag: 'admin',
      summary: 'Start a backup ({include_ci_logs: true} carries the CI job logs too); poll the job for progress',
      auth: 'admin',
      body: createBody,
      responses: { 202: 'the job {id, type, state, phase, done, total, bytes, error, name, …}', 409: 'another backup job is running' },
    },
    async ({ req, body }) => {
      const admin = requireAdmin(req);
      const includeCiLogs = body?.include_ci_logs === true;
      const job = s.backups.create({ kind: 'manual', includeCiLogs });
      await audit(admin.id, 'backup.create', { job: job.id, include_ci_logs: includeCiLogs }, req.ip);
      return { status: 202, body: job };
    },
  );

  api.route(
    { method: 'get', path: '/admin/backups/jobs', tag: 'admin', summary: 'Recent backup jobs (since the server started), newest first', auth: 'admin', responses: { 200: '[job]' } },
    async ({ req }) => {
      requireAdmin(req);
      return { body: s.backups.recentJobs() };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/admin/backups/jobs/:id',
      tag: 'admin',
      summary: 'A backup job and its progress: {state, phase, done, total, bytes, error, result}',
      auth: 'admin',
      responses: { 200: 'the job', 404: 'no such job' },
    },
    async ({ req, params }) => {
      requireAdmin(req);
      return { body: s.backups.job(params.id!) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/admin/backups/schedule',
      tag: 'admin',
      summary: 'The backup schedule, its next run and the last scheduled run',
      auth: 'admin',
      responses: { 200: '{schedule, time, weekday, keep, next_run_at, last_run}' },
    },
    async ({ req }) => {
      requireAdmin(req);
      return { body: await s.backups.scheduleState() };
    },
  );

  api.route(
    {
      method: 'put',
      path: '/admin/backups/schedule',
      tag: 'admin',
      summary: 'Set the backup schedule (the backup.* settings): off|daily|weekly, time "HH:MM" (local), weekday 0-6 (Sunday = 0), keep N',
      auth: 'admin',
      body: scheduleBody,
      responses: { 200: 'the schedule', 422: 'a value is invalid (nothing changed)' },
    },
    async ({ req, body }) => {
      const admin = requireAdmin(req);
      const patch: Record<string, unknown> = {};
      if (body.schedule !== undefined) patch['backup.schedule'] = body.schedule;
      if (body.time !== undefined) patch['backup.time'] = body.time;
      if (body.weekday !== undefined) patch['backup.weekday'] = body.weekday;
      if (body.keep !== undefined) patch['backup.keep'] = body.keep;
      await s.settings.update(patch);
      await audit(admin.id, 'backup.schedule', patch, req.ip);
      return { body: await s.backups.scheduleState() };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/admin/backups/upload',
      tag: 'admin',
      summary: 'Upload a backup archive (the request body, Content-Type application/gzip) into the backups folder',
      auth: 'admin',
      responses: { 201: 'the stored backup', 415: 'not sent as an archive', 422: 'empty or not gzip' },
    },
    async ({ req }) => {
      const admin = requireAdmin(req);
      const entry = await upload(s, req);
      await audit(admin.id, 'backup.upload', { name: entry.name, size: entry.size }, req.ip);
      return { status: 201, body: entry };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/admin/backups/restore',
      tag: 'admin',
      summary: 'Upload an archive (the request body) and restore it over the current data: verified first, then a safety backup, then the swap and a restart on the same ports',
      auth: 'admin',
      responses: { 202: 'the restore job', 409: 'another job is running', 422: 'empty or not gzip' },
    },
    async ({ req }) => {
      const admin = requireAdmin(req);
      // refuse before taking the whole upload
      s.backups.assertCanRestore();
      const entry = await upload(s, req);
      let job;
      try {
        job = await s.backups.restore(entry.name);
      } catch (err) {
        await s.backups.discard(entry.name);
        throw err;
      }
      await audit(admin.id, 'backup.restore', { name: entry.name, job: job.id }, req.ip);
      return { status: 202, body: job };
    },
  );

  api.route({ method: 'get', path: '/admin/backups/:name', tag: 'admin', summary: 'One backup', auth: 'admin', responses: { 200: 'the backup', 404: 'no such backup' } }, async ({ req, params }) => {
    requireAdmin(req);
    return { body: await s.backups.entry(params.name!) };
  });

  api.route(
    {
      method: 'get',
      path: '/admin/backups/:name/download',
      tag: 'admin',
      summary: 'Download a backup archive (streamed, as an attachment)',
      auth: 'admin',
      responses: { 200: 'application/gzip', 404: 'no such backup' },
    },
    async ({ req, res, params }) => {
      requireAdmin(req);
      const file = await s.backups.file(params.name!);
      const st = await stat(file);
      res.status(200);
      res.setHeader('Content-Type', 'application/gzip');
      res.setHeader('Content-Length', String(st.size));
      // the name matched BACKUP_NAME_RE: nothing in it needs escaping
      res.setHeader('Content-Disposition', `attachment; filename="${params.name!}"`);
      res.setHeader('Cache-Control', 'no-store');
      await pipeline(createReadStream(file), res).catch(() => res.destroy());
    },
  );

  api.route(
    {
      method: 'post',
      path: '/admin/backups/:name/verify',
      tag: 'admin',
      summary: 'Test-restore a backup into a temp folder (checksums, refs, git fsck, database); the result is kept beside it',
      auth: 'admin',
      responses: { 202: 'the verify job', 404: 'no such backup', 409: 'another job is running' },
    },
    async ({ req, params }) => {
      const admin = requireAdmin(req);
      const job = await s.backups.verify(params.name!);
      await audit(admin.id, 'backup.verify', { name: params.name, job: job.id }, req.ip);
      return { status: 202, body: job };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/admin/backups/:name/restore',
      tag: 'admin',
      summary: 'Restore a backup over the current data: verified first, then a safety backup, then the swap and a restart on the same ports',
      auth: 'admin',
      responses: { 202: 'the restore job', 404: 'no such backup', 409: 'another job is running', 503: 'this process cannot swap its data' },
    },
    async ({ req, params }) => {
      const admin = requireAdmin(req);
      const job = await s.backups.restore(params.name!);
      await audit(admin.id, 'backup.restore', { name: params.name, job: job.id }, req.ip);
      return { status: 202, body: job };
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/admin/backups/:name',
      tag: 'admin',
      summary: 'Delete a backup (and its verify result)',
      auth: 'admin',
      responses: { 204: 'deleted', 404: 'no such backup', 409: 'a running job uses it' },
    },
    async ({ req, params }) => {
      const admin = requireAdmin(req);
      await s.backups.remove(params.name!);
      await audit(admin.id, 'backup.delete', { name: params.name }, req.ip);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/admin/database',
      tag: 'admin',
      summary: 'Where this install keeps its records: SQLite (the file) or PostgreSQL (the URL without its password)',
      auth: 'admin',
      responses: { 200: '{kind: "sqlite"|"postgres", location}' },
    },
    async ({ req }) => {
      requireAdmin(req);
      return { body: s.backups.database() };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/admin/database/move',
      tag: 'admin',
      summary:
        'Move the records from SQLite to an empty PostgreSQL database ({to: "postgres://…"}), as `gitssy admin migrate-db` does: the target is checked first, then the server stops, copies and verifies every table, sets DATABASE_URL in .gitssy.env and starts again on the same ports; poll the job',
      auth: 'admin',
      body: moveBody,
      responses: {
        202: 'the move job',
        409: 'another job is running, or the install is on PostgreSQL already',
        422: 'not a postgres:// URL, unreachable, or not empty',
        503: 'this process cannot restart itself',
      },
    },
    async ({ req, body }) => {
      const admin = requireAdmin(req);
      const job = await s.backups.moveToPostgres(body.to);
      await audit(admin.id, 'database.move', { to: job.name, job: job.id }, req.ip);
      return { status: 202, body: job };
    },
  );
}

export async function upload(s: Services, req: import('express').Request) {
  const type = String(req.headers['content-type'] ?? '');
  if (!ARCHIVE_TYPES.test(type)) {
    throw new AppError('invalid', `send the archive itself as the request body with Content-Type: application/gzip (got ${type || 'no Content-Type'})`, { status: 415 });
  }
  return s.backups.upload(req);
}
