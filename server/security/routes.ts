// The security API (Gitssy extensions): a repository's findings, their suppression, its scans
// and its settings. Repository administrators only; anyone else who is signed in gets the same
// 404 as for a repository that doesn't exist (as Gitea hides what one may not see).
import type { Request } from 'express';
import { z } from 'zod';
import { baseUrl, pageQuery, requireUser, resolveForApi, setPageHeaders, type ApiRouter } from '../http/index.js';
import { isAppError, NotFound } from '../lib/errors.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import { FINDING_STATES, SCAN_KINDS } from './schema.js';
import { SUPPRESS_REASON_MAX, type SecurityService } from './service.js';

const findingsQuery = pageQuery.extend({
  state: z
    .enum([...FINDING_STATES, 'all'])
    .default('open')
    .describe('open (default), suppressed or all'),
  rule: z.string().min(1).max(64).optional().describe('only findings of this rule id'),
});
const findingBody = z.strictObject({
  state: z.enum(FINDING_STATES).describe('suppressed (needs a reason) or open'),
  reason: z.string().max(SUPPRESS_REASON_MAX).optional().describe('why the finding is not a problem (required to suppress)'),
});
const latestQuery = z.object({ kind: z.enum(SCAN_KINDS).optional().describe('full or push; the latest of either by default') });
const settingsBody = z.strictObject({ refuse_private_keys: z.boolean().optional().describe('refuse pushes and web edits that add a private key') });

export function registerSecurityRoutes(api: ApiRouter, s: Services, security: SecurityService): void {
  const tag = 'repository';
  /** The repository for its administrators; 404 for everyone else who is signed in. */
  const admin = async (req: Request, params: Record<string, string>): Promise<RepoRecord> => {
    try {
      return await resolveForApi(s, req, params, 'admin');
    } catch (err) {
      if (isAppError(err) && err.code === 'forbidden') throw NotFound('repository not found');
      throw err;
    }
  };
  const findingId = (params: Record<string, string>): number => {
    const id = Number(params.id);
    if (!/^\d{1,15}$/.test(params.id ?? '') || !Number.isSafeInteger(id) || id < 1) throw NotFound('finding not found');
    return id;
  };
  const base = (req: Request) => baseUrl(s, req).replace(/\/+$/, '');

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/security/findings',
      tag,
      summary: 'Gitssy: secret-scanning findings of the repository, newest commit first; X-Total-Count and Link headers (repository administrators)',
      auth: 'user',
      query: findingsQuery,
      responses: { 200: 'finding list', 401: 'sign in first', 404: 'repository not found, or not an administrator of it' },
    },
    async ({ req, res, params, query }) => {
      const rec = await admin(req, params);
      const { rows, total } = await security.list(rec.repo.id, { state: query.state === 'all' ? undefined : query.state, rule: query.rule, page: query.page, limit: query.limit });
      setPageHeaders(req, res, total, query.page, query.limit);
      res.setHeader('Cache-Control', 'no-store');
      return { body: await security.render(rows, rec, base(req)) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/security/findings/:id',
      tag,
      summary: 'Gitssy: one finding',
      auth: 'user',
      responses: { 200: 'finding', 404: 'repository or finding not found' },
    },
    async ({ req, params }) => {
      const rec = await admin(req, params);
      const row = await security.get(rec.repo.id, findingId(params));
      return { body: (await security.render([row], rec, base(req)))[0] };
    },
  );

  api.route(
    {
      method: 'patch',
      path: '/repos/:owner/:repo/security/findings/:id',
      tag,
      summary: 'Gitssy: suppresses a finding ({state: "suppressed", reason}) or opens it again ({state: "open"}); audited',
      auth: 'user',
      body: findingBody,
      responses: { 200: 'the finding', 404: 'repository or finding not found', 422: 'no reason given to suppress' },
    },
    async ({ req, params, body }) => {
      const user = requireUser(req);
      const rec = await admin(req, params);
      const row = await security.setState(rec, findingId(params), user.id, body, req.ip ?? null);
      return { body: (await security.render([row], rec, base(req)))[0] };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/security/scans',
      tag,
      summary: "Gitssy: rescans the repository's whole history in the background (answers the scan already queued or running, if any); progress as `security.scan` socket events",
      auth: 'user',
      responses: { 202: 'the scan', 404: 'repository not found, or not an administrator of it' },
    },
    async ({ req, params }) => {
      const user = requireUser(req);
      const rec = await admin(req, params);
      const scan = await security.requestScan(rec, user.id);
      return { status: 202, body: security.toJson(scan) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/security/scans/latest',
      tag,
      summary: 'Gitssy: the latest scan (of a kind: full or push) with its progress, and the open and suppressed counts',
      auth: 'user',
      query: latestQuery,
      responses: { 200: '{scan (null: never scanned), open, suppressed}', 404: 'repository not found, or not an administrator of it' },
    },
    async ({ req, res, params, query }) => {
      const rec = await admin(req, params);
      const scan = await security.latest(rec.repo.id, query.kind);
      const counts = await security.counts(rec.repo.id);
      res.setHeader('Cache-Control', 'no-store');
      return { body: { scan: scan ? security.toJson(scan) : null, open: counts.open, suppressed: counts.suppressed } };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/security/settings',
      tag,
      summary: "Gitssy: the repository's security settings",
      auth: 'user',
      responses: { 200: '{refuse_private_keys}', 404: 'repository not found, or not an administrator of it' },
    },
    async ({ req, params }) => {
      const rec = await admin(req, params);
      return { body: await security.settings(rec.repo.id) };
    },
  );

  api.route(
    {
      method: 'patch',
      path: '/repos/:owner/:repo/security/settings',
      tag,
      summary: "Gitssy: changes the repository's security settings (refuse_private_keys: the pre-receive check refuses pushes that add a private key); audited",
      auth: 'user',
      body: settingsBody,
      responses: { 200: '{refuse_private_keys}', 404: 'repository not found, or not an administrator of it', 422: 'invalid body' },
    },
    async ({ req, params, body }) => {
      const user = requireUser(req);
      const rec = await admin(req, params);
      return { body: await security.setSettings(rec, user.id, body, req.ip ?? null) };
    },
  );
}
