// /api/v1 SSH keys (Gitea's paths and JSON) and the SSH server's public facts.
import type { Request } from 'express';
import { z } from 'zod';
import type { KeyRow } from './keys.js';
import { NotFound } from '../lib/errors.js';
import type { Services } from '../services.js';
import { DEFAULT_IDENTITY_FILE } from '../lan/index.js';
import { USER_TYPE } from '../users/index.js';
import { baseUrl, pageQuery, requireAdmin, requireUser, setPageHeaders, type ApiRouter } from '../http/index.js';

const addKeyBody = z.strictObject({
  title: z.string().max(255).optional(),
  key: z
    .string()
    .min(1)
    .max(16 * 1024),
  read_only: z.literal(false).optional(),
});
const keyId = z.coerce.number().int().min(1);

export function registerKeyRoutes(api: ApiRouter, s: Services): void {
  const keyJson = (req: Request, k: KeyRow) => ({
    id: k.id,
    key: k.content,
    url: `${baseUrl(s, req)}/api/v1/user/keys/${k.id}`,
    title: k.name,
    fingerprint: k.fingerprint,
    created_at: new Date(k.created_at).toISOString(),
    last_used_at: k.last_used_at ? new Date(k.last_used_at).toISOString() : null,
    read_only: false,
    key_type: 'user',
  });
  const ctx = (req: Request) => ({ actorId: req.user!.id, ip: req.ip ?? null });
  const idParam = (v: string | undefined) => {
    const p = keyId.safeParse(v);
    if (!p.success) throw NotFound('key does not exist');
    return p.data;
  };

  api.route({ method: 'get', path: '/user/keys', tag: 'user', summary: "The signed-in user's SSH keys", auth: 'user', query: pageQuery, responses: { 200: 'keys' } }, async ({ req, res, query }) => {
    const me = requireUser(req);
    const all = await s.keys.list(me.id);
    setPageHeaders(req, res, all.length, query.page, query.limit);
    return { body: all.slice((query.page - 1) * query.limit, query.page * query.limit).map((k) => keyJson(req, k)) };
  });

  api.route(
    {
      method: 'post',
      path: '/user/keys',
      tag: 'user',
      summary: 'Add an SSH public key (one key, no options; ed25519, ECDSA, or RSA ≥ 2048 bits)',
      auth: 'user',
      body: addKeyBody,
      responses: { 201: 'the key', 409: 'key already in use', 422: 'not a valid key' },
    },
    async ({ req, body }) => {
      const me = requireUser(req);
      return { status: 201, body: keyJson(req, await s.keys.add(me.id, body.title ?? '', body.key, ctx(req))) };
    },
  );

  api.route({ method: 'get', path: '/user/keys/:id', tag: 'user', summary: 'One of your SSH keys', auth: 'user', responses: { 200: 'the key', 404: 'no such key' } }, async ({ req, params }) => {
    const me = requireUser(req);
    return { body: keyJson(req, await s.keys.get(me.id, idParam(params.id))) };
  });

  api.route(
    { method: 'delete', path: '/user/keys/:id', tag: 'user', summary: 'Remove one of your SSH keys', auth: 'user', responses: { 204: 'removed', 404: 'no such key' } },
    async ({ req, params }) => {
      const me = requireUser(req);
      await s.keys.remove(me.id, idParam(params.id), ctx(req));
    },
  );

  api.route({ method: 'get', path: '/users/:username/keys', tag: 'user', summary: "A user's public SSH keys", query: pageQuery, responses: { 200: 'keys' } }, async ({ req, res, params, query }) => {
    const user = await s.users.byName(params.username!);
    if (!user || user.type !== USER_TYPE.individual) throw NotFound(`user "${params.username}" does not exist`);
    const all = await s.keys.list(user.id);
    setPageHeaders(req, res, all.length, query.page, query.limit);
    return { body: all.slice((query.page - 1) * query.limit, query.page * query.limit).map((k) => keyJson(req, k)) };
  });

  api.route(
    {
      method: 'post',
      path: '/admin/users/:username/keys',
      tag: 'admin',
      summary: 'Add an SSH key to a user',
      auth: 'admin',
      body: addKeyBody,
      responses: { 201: 'the key', 409: 'key already in use' },
    },
    async ({ req, params, body }) => {
      requireAdmin(req);
      const user = await s.users.requireByName(params.username!);
      return { status: 201, body: keyJson(req, await s.keys.add(user.id, body.title ?? '', body.key, ctx(req))) };
    },
  );

  api.route({ method: 'delete', path: '/admin/users/:username/keys/:id', tag: 'admin', summary: "Remove a user's SSH key", auth: 'admin', responses: { 204: 'removed' } }, async ({ req, params }) => {
    requireAdmin(req);
    const user = await s.users.requireByName(params.username!);
    await s.keys.remove(user.id, idParam(params.id), ctx(req));
  });

  api.route(
    { method: 'get', path: '/settings/ssh', tag: 'miscellaneous', summary: "Gitssy: the SSH server's port, host-key fingerprint and an ~/.ssh/config snippet", responses: { 200: 'ssh facts' } },
    async ({ req }) => {
      const port = s.sshPort();
      const host = new URL(baseUrl(s, req)).hostname;
      return {
        body: {
          enabled: port !== null,
          port,
          host,
          host_key_fingerprint: s.hostKey.fingerprint,
          host_key: s.hostKey.publicLine,
          clone_example: port === null ? null : port === 22 ? `git@${host}:OWNER/REPO.git` : `ssh://git@${host}:${port}/OWNER/REPO.git`,
          ssh_config: port === null ? null : `Host ${host}\n  User git\n  Port ${port}\n  IdentityFile ${DEFAULT_IDENTITY_FILE}\n`,
        },
      };
    },
  );
}
