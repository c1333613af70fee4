// Two-factor authentication for the signed-in user (status, enrol with a QR code, confirm, new
// recovery codes, turn off) and the administrator's reset. Signing in with a code is part of the
// session routes (POST /auth/signin/2fa).
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import { requireAdmin, requireUser, type ApiRouter } from '../http/index.js';
import { NotFound } from '../lib/errors.js';
import type { Services } from '../services.js';
import type { TwoFactorService } from './service.js';

const codeBody = z.strictObject({ code: z.string().min(1).max(20).describe('the current 6-digit code') });
/** A browser's answer to navigator.credentials.create(), as @simplewebauthn/browser hands it over. */
const registrationJson = z.looseObject({
  id: z.string().min(1).max(1400),
  rawId: z.string().min(1).max(1400),
  type: z.literal('public-key'),
  response: z.looseObject({ clientDataJSON: z.string().min(1), attestationObject: z.string().min(1), transports: z.array(z.string()).optional() }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});
const passkeyBody = z.strictObject({ name: z.string().trim().min(1).max(100).describe('a name to tell it apart, e.g. “laptop” or “blue key”'), response: registrationJson });
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
      responses: { 200: '{enabled, pending, recovery_codes_left, required, webauthn}' },
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
      method: 'get',
      path: '/user/2fa/webauthn',
      tag,
      auth: 'user',
      summary: 'Gitssy: your passkeys and security keys',
      responses: { 200: '[{id, name, transports, created_at, last_used_at}]' },
    },
    async ({ req }) => ({ body: await tf.passkeys.list(requireUser(req).id) }),
  );

  api.route(
    {
      method: 'post',
      path: '/user/2fa/webauthn/options',
      tag,
      auth: 'user',
      summary: 'Gitssy: start adding a passkey: the options for navigator.credentials.create() (the challenge is good for five minutes)',
      responses: { 200: 'PublicKeyCredentialCreationOptionsJSON', 409: 'too many passkeys' },
    },
    async ({ req }) => ({ body: await tf.passkeys.registrationOptions(req, requireUser(req)) }),
  );

  api.route(
    {
      method: 'post',
      path: '/user/2fa/webauthn',
      tag,
      auth: 'user',
      body: passkeyBody,
      summary: 'Gitssy: add a passkey with the browser’s answer to the options; with one, two-factor sign-in is on',
      responses: { 201: '{id, name}', 401: 'no registration under way', 409: 'registered already', 422: 'the answer does not verify' },
    },
    async ({ req, body }) => {
      const passkey = await tf.passkeys.register(req, requireUser(req), body.name, body.response as unknown as RegistrationResponseJSON);
      return { status: 201, body: passkey };
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/user/2fa/webauthn/:id',
      tag,
      auth: 'user',
      summary: 'Gitssy: remove one of your passkeys',
      responses: { 204: 'removed', 404: 'no such passkey' },
    },
    async ({ req, params }) => {
      const user = requireUser(req);
      const id = Number(params.id);
      if (!Number.isSafeInteger(id)) throw NotFound('no such passkey');
      await tf.passkeys.remove(user.id, id, { actorId: user.id, ...ip(req) });
      return { status: 204 };
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/admin/users/:username/2fa',
      tag: 'admin',
      auth: 'admin',
      summary: 'Gitssy: reset a user’s two-factor sign-in: authenticator app and passkeys (they sign in with the password alone, and enrol again if it is required)',
      responses: { 204: 'reset', 404: 'no such user, or 2FA is not on' },
    },
    async ({ req, params }) => {
      const admin = requireAdmin(req);
      const user = await s.users.byName(params.username!);
      if (!user) throw NotFound('user does not exist');
      await tf.reset(user.id, { actorId: admin.id, ...ip(req) });
      return { status: 204 };
    },
  );
}
