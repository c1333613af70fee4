// /api/v1/admin/maintenance, and the guard that answers API writes with 503 while it is on.
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import type { Services } from '../../services.js';
import { requireAdmin } from '../auth.js';
import { markRefusal } from '../errors.js';
import type { ApiRouter } from './route.js';

const maintenanceBody = z.strictObject({
  enabled: z.boolean(),
  message: z.string().max(500).optional(),
});

/**
 * Writes that keep working during maintenance: signing in or out, rendering markdown (a read), a payment's webhook (money
 * that was taken is credited), and the site-admin routes
 * (the switch itself, settings, users), which are what an operator uses to do the maintenance.
 */
const ALWAYS_ALLOWED = new Set(['/auth/signin', '/auth/signin/2fa', '/auth/signin/webauthn/options', '/auth/signout', '/markdown', '/markdown/raw', '/billing/stripe/webhook']);

export function maintenanceGuard(s: Services) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || ALWAYS_ALLOWED.has(req.path) || req.path.startsWith('/admin/')) return next();
    const refused = await s.maintenance.refusal(req.user);
    if (!refused) return next();
    res.setHeader('Retry-After', '300');
    markRefusal(res, refused);
    res.status(503).json({ message: refused, code: 'unavailable' });
  };
}

export function registerMaintenanceRoutes(api: ApiRouter, s: Services): void {
  api.route(
    {
      method: 'get',
      path: '/admin/maintenance',
      tag: 'admin',
      summary: 'Maintenance mode, and what is still in flight',
      auth: 'admin',
      responses: { 200: '{enabled, message, admins_exempt, pushes_in_flight}' },
    },
    async ({ req }) => {
      requireAdmin(req);
      return { body: await s.maintenance.state() };
    },
  );

  api.route(
    {
      method: 'put',
      path: '/admin/maintenance',
      tag: 'admin',
      summary: 'Switch maintenance mode; switching on waits (up to 30 s) for running pushes and says how many it waited for',
      auth: 'admin',
      body: maintenanceBody,
      responses: { 200: '{enabled, message, waited_for, still_running, …}' },
    },
    async ({ req, body }) => {
      const admin = requireAdmin(req);
      const change = await s.maintenance.set(body.enabled, body.message);
      await s.audit.record({
        actorId: admin.id,
        action: body.enabled ? 'maintenance.on' : 'maintenance.off',
        targetType: 'settings',
        detail: { message: body.message, waited_for: change.waited_for },
        ip: req.ip ?? null,
      });
      return { body: change };
    },
  );
}
