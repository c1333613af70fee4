// Gitea's webhook API for repositories (/repos/{o}/{r}/hooks…) and organizations
// (/orgs/{org}/hooks…): list, create, read, edit, delete, send a test push; and Gitssy's delivery
// log per hook with a redeliver. Repository administrators (organization owners) only.
import type { Request } from 'express';
import { z } from 'zod';
import { pageQuery, requireUser, setPageHeaders, type ApiRouter } from '../http/index.js';
import { Invalid, NotFound } from '../lib/errors.js';
import type { Services } from '../services.js';
import { deliveryJson, hookJson } from './json.js';
import type { PayloadBuilder } from './payloads.js';
import { createHookSchema, editHookSchema, type HookOwner, type WebhookService } from './service.js';

const idParam = (v: string | undefined, what: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v ?? '') || !Number.isSafeInteger(n) || n < 1) throw NotFound(`${what} not found`);
  return n;
};

const testQuery = z.object({ ref: z.string().max(255).optional().describe('the branch, tag or commit whose head the test push carries (default branch)') });

export function registerWebhookRoutes(api: ApiRouter, s: Services, hooks: WebhookService, payloads: PayloadBuilder): void {
  const scopes = [
    {
      prefix: '/repos/:owner/:repo/hooks',
      tag: 'repository',
      who: 'repository administrators',
      owner: async (req: Request, params: Record<string, string>): Promise<HookOwner> => ({ kind: 'repo', rec: await s.repos.resolve(req.actor, params.owner!, params.repo!, 'admin') }),
    },
    {
      prefix: '/orgs/:org/hooks',
      tag: 'organization',
      who: 'organization owners',
      owner: async (req: Request, params: Record<string, string>): Promise<HookOwner> => {
        requireUser(req);
        const org = await s.orgs.byName(params.org!);
        if (!(await s.orgs.canSee(req.actor, org))) throw NotFound(`organization "${params.org}" does not exist`);
        await s.orgs.assertOwner(req.actor, org);
        return { kind: 'org', org };
      },
    },
  ];

  for (const { prefix, tag, who, owner } of scopes) {
    const denied = { 401: 'not signed in', 403: `not one of the ${who}`, 404: 'no such owner, or no such hook' };

    api.route(
      { method: 'get', path: prefix, tag, summary: `Webhooks (${who} only)`, auth: 'user', query: pageQuery, responses: { 200: 'Hook list', ...denied } },
      async ({ req, res, params, query }) => {
        const all = await hooks.list(await owner(req, params));
        setPageHeaders(req, res, all.length, query.page, query.limit);
        return { body: all.slice((query.page - 1) * query.limit, query.page * query.limit).map(hookJson) };
      },
    );
    api.route(
      {
        method: 'post',
        path: prefix,
        tag,
        summary: `Creates a webhook (Gitea's CreateHookOption; ${who} only)`,
        description:
          'The URL is checked now and again at every delivery: loopback, link-local, private ranges and this forge’s own ports are refused (422, with the reason) unless the setting webhooks.allowCidrs lists the address.',
        auth: 'user',
        body: createHookSchema,
        responses: { 201: 'Hook', 422: 'a refused or invalid URL, unknown events, a bad branch filter, or content_type other than json', ...denied },
      },
      async ({ req, params, body }) => {
        const user = requireUser(req);
        return { status: 201, body: hookJson(await hooks.create(await owner(req, params), body, user.id)) };
      },
    );
    api.route({ method: 'get', path: `${prefix}/:id`, tag, summary: 'One webhook', auth: 'user', responses: { 200: 'Hook', ...denied } }, async ({ req, params }) => ({
      body: hookJson(await hooks.get(await owner(req, params), idParam(params.id, 'webhook'))),
    }));
    api.route(
      {
        method: 'patch',
        path: `${prefix}/:id`,
        tag,
        summary: "Edits a webhook (Gitea's EditHookOption: config, events, branch_filter, authorization_header, active)",
        auth: 'user',
        body: editHookSchema,
        responses: { 200: 'Hook', 422: 'a refused or invalid URL, unknown events or a bad branch filter', ...denied },
      },
      async ({ req, params, body }) => ({ body: hookJson(await hooks.update(await owner(req, params), idParam(params.id, 'webhook'), body)) }),
    );
    api.route({ method: 'delete', path: `${prefix}/:id`, tag, summary: 'Deletes a webhook and its delivery log', auth: 'user', responses: { 204: 'deleted', ...denied } }, async ({ req, params }) => {
      await hooks.remove(await owner(req, params), idParam(params.id, 'webhook'));
    });
    api.route(
      {
        method: 'post',
        path: `${prefix}/:id/tests`,
        tag,
        summary: 'Sends a test push delivery (the head commit of the ref, default branch) whatever the hook’s events and active flag',
        auth: 'user',
        query: testQuery,
        responses: { 204: 'queued; see the delivery log', 422: 'no commit to send (an organization without repositories)', ...denied },
      },
      async ({ req, params, query }) => {
        const user = requireUser(req);
        const o = await owner(req, params);
        const hook = await hooks.get(o, idParam(params.id, 'webhook'));
        let rec = o.kind === 'repo' ? o.rec : null;
        if (o.kind === 'org') {
          // an organization's hook is tested with its most recently changed repository that has commits
          const row = await s.db.selectFrom('repositories').select('id').where('owner_id', '=', o.org.id).where('is_empty', '=', 0).orderBy('updated_at', 'desc').executeTakeFirst();
          rec = row ? ((await s.repos.byId(row.id)) ?? null) : null;
          if (!rec) throw Invalid(`${o.org.name} has no repository with commits to send a test push from`);
        }
        const payload = await payloads.test(rec!, user.id, query.ref);
        if (!payload) throw NotFound(`ref "${query.ref}" not found`);
        await hooks.enqueue(hook, 'push', JSON.stringify(payload, null, 2), { isTest: true });
      },
    );
    api.route(
      {
        method: 'get',
        path: `${prefix}/:id/deliveries`,
        tag,
        summary: 'Gitssy: the delivery log, newest first: what was sent (URL, headers, body), what came back (status, headers, body excerpt) or the error',
        auth: 'user',
        query: pageQuery,
        responses: { 200: 'delivery list; X-Total-Count', ...denied },
      },
      async ({ req, res, params, query }) => {
        const hook = await hooks.get(await owner(req, params), idParam(params.id, 'webhook'));
        const { items, total } = await hooks.deliveries(hook, query.page, query.limit);
        setPageHeaders(req, res, total, query.page, query.limit);
        return { body: items.map(deliveryJson) };
      },
    );
    api.route({ method: 'get', path: `${prefix}/:id/deliveries/:did`, tag, summary: 'Gitssy: one delivery', auth: 'user', responses: { 200: 'delivery', ...denied } }, async ({ req, params }) => {
      const hook = await hooks.get(await owner(req, params), idParam(params.id, 'webhook'));
      return { body: deliveryJson(await hooks.delivery(hook, idParam(params.did, 'delivery'))) };
    });
    api.route(
      {
        method: 'post',
        path: `${prefix}/:id/deliveries/:did/redeliver`,
        tag,
        summary: 'Gitssy: sends a delivery again (a new delivery with the same event and payload, signed with the current secret)',
        auth: 'user',
        responses: { 201: 'the new delivery (pending)', ...denied },
      },
      async ({ req, params }) => {
        const hook = await hooks.get(await owner(req, params), idParam(params.id, 'webhook'));
        return { status: 201, body: deliveryJson(await hooks.redeliver(hook, idParam(params.did, 'delivery'))) };
      },
    );
  }
}
