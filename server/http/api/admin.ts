// /api/v1/admin/... for the operator console (site admins only): the dashboard, the server
// log, the test mail; and the first-run wizard's GET /setup/info (guarded by the setup token).
import { z } from 'zod';
import { Forbidden } from '../../lib/errors.js';
import { readLogs, LEVELS, type LevelName } from '../../ops/index.js';
import { setupInfo } from '../../ops/index.js';
import { dashboardStatus } from '../../ops/index.js';
import type { Services } from '../../services.js';
import { requireAdmin } from '../auth.js';
import type { ApiRouter } from './route.js';

const logsQuery = z.strictObject({
  level: z
    .enum(Object.keys(LEVELS) as [LevelName, ...LevelName[]])
    .optional()
    .describe('lowest level shown: warn shows warn, error and fatal'),
  q: z.string().max(200).optional().describe('case-insensitive text in the message, component, error message or request URL'),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

const mailTestBody = z.strictObject({
  to: z.string().min(3).max(254).optional().describe("recipient; default: the signed-in administrator's email"),
});

const setupInfoQuery = z.strictObject({ token: z.string().min(1).max(200) });

export function registerAdminRoutes(api: ApiRouter, s: Services): void {
  api.route(
    {
      method: 'get',
      path: '/admin/status',
      tag: 'admin',
      summary: 'Gitssy: the console dashboard: state, uptime, version, LAN URLs with QR codes, SSH host key, disk, counts, git sessions',
      auth: 'admin',
      responses: { 200: 'status', 401: 'not signed in', 403: 'not a site administrator' },
    },
    async ({ req }) => {
      requireAdmin(req);
      return { body: await dashboardStatus(s) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/admin/logs',
      tag: 'admin',
      summary: 'Gitssy: the newest server log lines (from the tail of <data>/logs/gitssy.log), newest first',
      auth: 'admin',
      query: logsQuery,
      responses: { 200: '{lines: [{time, level, msg, component, detail}], scanned_bytes, more}' },
    },
    async ({ req, query }) => {
      requireAdmin(req);
      return { body: await readLogs(s.ops.logDir, { level: query.level, q: query.q, limit: query.limit }) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/admin/mail/test',
      tag: 'admin',
      summary: 'Gitssy: send a test mail with the current SMTP settings',
      auth: 'admin',
      body: mailTestBody,
      responses: { 200: '{message_id, accepted, rejected, response}', 422: 'mail not set up or bad address', 502: 'the mail server refused or could not be reached' },
    },
    async ({ req, body }) => {
      const admin = requireAdmin(req);
      const to = body.to ?? admin.email;
      const sent = await s.mail.send({
        to,
        subject: `Test mail from ${s.settings.get('instance.name')}`,
        text: `This is a test mail from ${s.settings.get('instance.name')}, sent by ${admin.name} from the operator console.\nIf you can read this, mail from Gitssy works.\n`,
      });
      await s.audit.record({ actorId: admin.id, action: 'mail.test', targetType: 'settings', detail: { to, accepted: sent.accepted }, ip: req.ip ?? null });
      return { body: { to, ...sent } };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/setup/info',
      tag: 'session',
      summary: 'Gitssy: first run only: detected LAN addresses and defaults for the setup wizard (needs the one-time setup token)',
      query: setupInfoQuery,
      responses: { 200: '{setup_required, addresses, urls, listening, defaults}', 403: 'bad token' },
    },
    async ({ query }) => {
      if (!(await s.setup.needed())) return { body: { setup_required: false } };
      if (!(await s.setup.checkToken(query.token))) throw Forbidden('the setup link is invalid or has expired; use the link the server printed when it started (restart it for a new one)');
      return { body: setupInfo(s) };
    },
  );
}
