// Two-factor authentication for the signed-in user (status, enrol with a QR code, confirm, new
// recovery codes, turn off) and the administrator's reset. Signing in with a code is part of the
// session routes (POST /auth/signin/2fa).
import { z } from 'zod';
import { requireAdmin, requireUser, type ApiRouter } from '../http/index.js';
import { NotFound } from '../lib/errors.js';
import type { Services } from '../services.js';
import type { TwoFactorService } from './service.js';

const codeBody = z.strictObject({ code: z.string().min(1).max(20).describe('the current 6-digit code') });
const disableBody = z.union([z.strictObject({ code: z.string().min(1).max(20) }), z.strictObject({ recovery_code: z.string().min(1).max(40) })]);

export function registerTwoFactorRoutes(api: ApiRouter, s: Services, tf: TwoFactorService): void {
  const tag = 'user';
  const ip = (req: { ip?: string }) => ({ ip: req.ip ?? null });

  api.route(
    {
      method: 'get',
      path: '/user/2fa',
      tag,
      auth: 'user',
      summary: 'Gitssy: whether two-factor sign-in is on, and recovery codes left',
      responses: { 200: '{enabled, pending, recovery_codes_left, required}' },
    },
    async ({ req }) => ({ body: await tf.status(requireUser(req).id) }),
  );

  api.route(
    {
      method: 'post',
      path: '/user/2fa/totp',
      tag,
      auth: 'user',
      summary: 'Gitssy: start enrolling an authenticator app: the secret, its otpauth:// URI and a QR code; confirm with a code',
      responses: { 200: '{secret, uri, qr_svg}', 409: 'already on' },
    },
    async ({ req }) => ({ body: await tf.begin(requireUser(req)) }),
  );

  api.route(
    {
      method: 'post',
      path: '/user/2fa/totp/confirm',
      tag,
      auth: 'user',
      body: codeBody,
      summary: 'Gitssy: confirm enrolment with a code from the app; answers ten single-use recovery codes, shown this once',
      responses: { 200: '{recovery_codes}', 401: 'wrong code', 404: 'no enrolment started', 429: 'too many wrong codes' },
    },
    async ({ req, body }) => ({ body: { recovery_codes: await tf.confirm(requireUser(req), body.code, ip(req)) } }),
  );

  api.route(
    {
      method: 'post',
      path: '/user/2fa/recovery-codes',
      tag,
      auth: 'user',
      body: codeBody,
      summary: 'Gitssy: new recovery codes (the old ones stop working); needs a current code',
      responses: { 200: '{recovery_codes}', 401: 'wrong code' },
    },
    async ({ req, body }) => ({ body: { recovery_codes: await tf.regenerate(requireUser(req), body.code, ip(req)) } }),
  );

  api.route(
    {
      method: 'post',
      path: '/user/2fa/disable',
      tag,
      auth: 'user',
      body: disableBody,
      summary: 'Gitssy: turn two-factor sign-in off, with a current code or a recovery code',
      responses: { 204: 'off', 401: 'wrong code', 404: 'not on' },
    },
    async ({ req, body }) => {
      const user = requireUser(req);
      if ('code' in body) await tf.verify(user, body.code);
      else await tf.useRecovery(user, body.recovery_code, ip(req));
      await tf.disable(user.id, { actorId: user.id, ...ip(req) });
      return { status: 204 };
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/admin/users/:username/2fa',
      tag: 'admin',
      auth: 'admin',
      summary: 'Gitssy: reset a user’s two-factor sign-in (they sign in with the password alone, and enrol again if it is required)',
      responses: { 204: 'reset', 404: 'no such user, or 2FA is not on' },
    },
    async ({ req, params }) => {
      const admin = requireAdmin(req);
      const user = await s.users.byName(params.username!);
      if (!user) throw NotFound('user does not exist');
      await tf.disable(user.id, { actorId: admin.id, ...ip(req) });
      return { status: 204 };
    },
  );
}
