// The first-run wizard's other door: instead of creating an administrator, restore a backup
// onto the fresh data dir. Guarded by the one-time setup token (there is no administrator yet)
// and only while setup is needed; the restore itself is the console's (verify, swap, restart).
import type { Request } from 'express';
import { z } from 'zod';
import { Conflict, Forbidden } from '../lib/errors.js';
import type { Services } from '../services.js';
import { upload } from './routes.js';
import type { ApiRouter } from '../http/index.js';

const tokenQuery = z.strictObject({ token: z.string().min(1).max(200) });

async function requireSetupToken(s: Services, token: string): Promise<void> {
  if (!(await s.setup.needed())) throw Conflict('this forge is already set up; restore backups from Console → Backups');
  if (!(await s.setup.checkToken(token))) throw Forbidden('the setup link is invalid or has expired; use the link the server printed when it started (restart it for a new one)');
}

export function registerSetupRestoreRoutes(api: ApiRouter, s: Services): void {
  api.route(
    {
      method: 'post',
      path: '/setup/restore',
      tag: 'session',
      summary:
        'Gitssy: first run only: upload a backup archive (the request body, application/gzip) and restore it instead of creating an administrator; the server verifies it, swaps it in and restarts',
      query: tokenQuery,
      responses: { 202: 'the restore job', 403: 'bad token', 409: 'already set up, or another job is running', 415: 'not sent as an archive', 422: 'empty or not gzip' },
    },
    async ({ req, query }) => {
      await requireSetupToken(s, query.token);
      // refuse before taking the whole upload
      s.backups.assertCanRestore();
      const entry = await upload(s, req as Request);
      let job;
      try {
        job = await s.backups.restore(entry.name);
      } catch (err) {
        await s.backups.discard(entry.name);
        throw err;
      }
      await s.audit.record({ actorId: null, action: 'setup.restore', targetType: 'settings', detail: { name: entry.name, job: job.id }, ip: req.ip ?? null });
      return { status: 202, body: job };
    },
  );
  api.route(
    {
      method: 'get',
      path: '/setup/restore/jobs/:id',
      tag: 'session',
      summary: "Gitssy: first run only: the wizard's restore job and its progress (once the restored forge is up, setup is over and this answers 409)",
      query: tokenQuery,
      responses: { 200: 'the job', 403: 'bad token', 409: 'setup is over' },
    },
    async ({ params, query }) => {
      await requireSetupToken(s, query.token);
      return { body: s.backups.job(params.id!) };
    },
  );
}
