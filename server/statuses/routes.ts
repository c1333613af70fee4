// Gitea's commit status API: POST|GET /repos/{o}/{r}/statuses/{sha},
// GET /repos/{o}/{r}/commits/{ref}/statuses (the history) and …/commits/{ref}/status (the
// combined state of the newest status per context). {ref} is a branch, tag or commit id and may
// contain slashes. Gitssy's GET /repos/{o}/{r}/statuses?sha=…&sha=… gives many commits' combined
// states in one call (the commit list's icons).
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { UserRow } from '../db/schema.js';
import type { RepoTarget } from '../git/browse-service.js';
import { FULL_SHA_RE } from '../git/refs.js';
import { baseUrl, pageQuery, requireUser, setPageHeaders, type ApiRouter } from '../http/index.js';
import { Invalid, isAppError, NotFound } from '../lib/errors.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import { creatorJson, statusJson, type StatusRepo } from './json.js';
import type { StatusRecord } from './schema.js';
import { newStatusSchema, STATUS_SORTS, STATUS_STATES, type CombinedStatus, type StatusService } from './service.js';

const listQuery = pageQuery.extend({
  sort: z.enum(STATUS_SORTS).optional().describe('oldest, recentupdate, leastupdate, leastindex or highestindex (default: newest first)'),
  state: z.enum(STATUS_STATES).optional().describe('only statuses in this state'),
});

/** Commits a batch of combined states may name at most. */
export const STATUS_BATCH_MAX = 100;
const fullSha = z.string().toLowerCase().regex(FULL_SHA_RE, 'must be a full commit id (40 or 64 hex digits)');
const batchQuery = z.object({
  sha: z.union([fullSha, z.array(fullSha).min(1).max(STATUS_BATCH_MAX, `at most ${STATUS_BATCH_MAX} commits at once`)]).describe('a full commit id; repeat for more (at most 100)'),
});

export function registerStatusRoutes(api: ApiRouter, s: Services, statuses: StatusService): void {
  /** The repository, with the caller's access checked; a repository they may not read is a 404. */
  const repoFor = async (req: Request, params: Record<string, string>, action: 'read' | 'write'): Promise<RepoRecord> => {
    try {
      return await s.repos.resolve(req.actor, params.owner!, params.repo!, action);
    } catch (err) {
      if (isAppError(err) && err.code === 'unauthorized' && action === 'read') throw NotFound('repository not found');
      throw err;
    }
  };
  const target = (rec: RepoRecord): RepoTarget => ({
    id: rec.repo.id,
    dir: s.store.dir({ owner: rec.owner.name, name: rec.repo.name }),
    owner: rec.owner.name,
    name: rec.repo.name,
    defaultBranch: rec.repo.default_branch,
  });
  const full = (rec: RepoRecord) => `${rec.owner.name}/${rec.repo.name}`;
  const short = (v: string) => (v.length > 80 ? `${v.slice(0, 80)}…` : v);

  /** A full commit id that names a commit of this repository (GitHub answers 422 otherwise, and so do we). */
  const existingCommit = async (rec: RepoRecord, raw: string): Promise<string> => {
    const sha = raw.toLowerCase();
    if (!FULL_SHA_RE.test(sha)) throw Invalid(`sha: "${short(raw)}" is not a full commit id (40 or 64 hex digits)`);
    const found = await s.browse.resolveRef(target(rec), sha).catch((err: unknown) => {
      if (isAppError(err) && err.code === 'not_found') return null;
      throw err;
    });
    // a branch named like an id, or a tag object's id, resolves to some other commit
    if (!found || found.commit !== sha) throw Invalid(`sha: no commit ${sha} in ${full(rec)}`);
    return sha;
  };
  /** A full commit id as given (no lookup: an id with no statuses lists nothing), else a branch, tag or short id resolved. */
  const commitOf = async (rec: RepoRecord, ref: string): Promise<string> => {
    if (FULL_SHA_RE.test(ref.toLowerCase())) return ref.toLowerCase();
    return (await s.browse.resolveRef(target(rec), ref)).commit;
  };
  /** `*ref` arrives as its segments. */
  const refParam = (req: Request): string => {
    const v = (req.params as Record<string, unknown>).ref;
    const ref = Array.isArray(v) ? v.map(String).join('/') : String(v ?? '');
    if (ref === '' || ref.length > 255) throw Invalid('ref: must be a branch, tag or commit id of at most 255 characters');
    return ref;
  };
  const render = (req: Request, rec: RepoRecord, items: StatusRecord[]) => {
    const repo: StatusRepo = { id: rec.repo.id, name: rec.repo.name, owner: rec.owner.name };
    const base = baseUrl(s, req);
    const viewer: UserRow | null = req.user ?? null;
    return items.map((r) => statusJson(r, repo, base, viewer));
  };
  /** Gitea's CombinedStatus; state '' when the commit has no statuses, as Gitea answers. */
  const combinedJson = (req: Request, rec: RepoRecord, c: CombinedStatus, page: { page: number; limit: number }) => {
    const base = baseUrl(s, req);
    const api = `${base}/api/v1/repos/${full(rec)}`;
    return {
      state: c.state,
      sha: c.sha,
      total_count: c.total_count,
      statuses: render(req, rec, c.statuses.slice((page.page - 1) * page.limit, page.page * page.limit)),
      repository: {
        id: rec.repo.id,
        owner: creatorJson(rec.owner, base, req.user ?? null),
        name: rec.repo.name,
        full_name: full(rec),
        private: rec.repo.visibility === 'private',
        internal: rec.repo.visibility === 'internal',
        html_url: `${base}/${full(rec)}`,
        url: api,
        clone_url: `${base}/${full(rec)}.git`,
        default_branch: rec.repo.default_branch,
      },
      commit_url: `${api}/git/commits/${c.sha}`,
      url: `${api}/commits/${c.sha}/status`,
    };
  };

  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/statuses/:sha',
      summary: "Posts a commit status (Gitea's CreateStatusOption: state, target_url, description, context)",
      tag: 'repository',
      auth: 'user',
      body: newStatusSchema,
      responses: { 201: 'CommitStatus', 401: 'not signed in', 403: 'needs write access', 404: 'repository not found', 422: 'invalid state, URL or length, or no such commit' },
    },
    async ({ req, params, body }) => {
      const user = requireUser(req);
      const rec = await repoFor(req, params, 'write');
      const sha = await existingCommit(rec, params.sha!);
      const created = await statuses.create(rec.repo.id, sha, body, user.id);
      return { status: 201, body: render(req, rec, [created])[0] };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/statuses',
      summary: 'The combined state of up to 100 commits at once (?sha=<id>&sha=<id>…, full ids): {"<sha>": {state, total_count}}; state "" with no statuses',
      tag: 'repository',
      query: batchQuery,
      responses: { 200: 'sha → {state, total_count}', 404: 'repository not found', 422: 'no sha, more than 100, or not a full commit id' },
    },
    async ({ req, params, query }) => {
      const rec = await repoFor(req, params, 'read');
      const shas = typeof query.sha === 'string' ? [query.sha] : query.sha;
      const summaries = await statuses.summaries(rec.repo.id, shas);
      return { body: Object.fromEntries(summaries) };
    },
  );

  const list = async (req: Request, res: Response, rec: RepoRecord, sha: string, query: z.output<typeof listQuery>) => {
    const { items, total } = await statuses.list(rec.repo.id, sha, query);
    setPageHeaders(req, res, total, query.page, query.limit);
    return { body: render(req, rec, items) };
  };
  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/statuses/:sha',
      summary: "A commit's statuses, every one posted (newest first); X-Total-Count and Link headers",
      tag: 'repository',
      query: listQuery,
      responses: { 200: 'CommitStatus list', 404: 'repository or ref not found' },
    },
    async ({ req, res, params, query }) => {
      const rec = await repoFor(req, params, 'read');
      return list(req, res, rec, await commitOf(rec, params.sha!), query);
    },
  );
  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/commits/*ref/statuses',
      summary: "A commit's statuses by branch, tag or commit id, every one posted (newest first)",
      tag: 'repository',
      query: listQuery,
      responses: { 200: 'CommitStatus list', 404: 'repository or ref not found' },
    },
    async ({ req, res, params, query }) => {
      const rec = await repoFor(req, params, 'read');
      return list(req, res, rec, await commitOf(rec, refParam(req)), query);
    },
  );
  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/commits/*ref/status',
      summary: "A commit's combined status by branch, tag or commit id: failure if any context's newest status is error or failure, success if all are success or warning, else pending; '' with none",
      tag: 'repository',
      query: pageQuery,
      responses: { 200: 'CombinedStatus', 404: 'repository or ref not found' },
    },
    async ({ req, res, params, query }) => {
      const rec = await repoFor(req, params, 'read');
      const c = await statuses.combined(rec.repo.id, await commitOf(rec, refParam(req)));
      setPageHeaders(req, res, c.total_count, query.page, query.limit);
      return { body: combinedJson(req, rec, c, query) };
    },
  );
}
