// Gitea's contents write API — POST|PUT|DELETE /repos/{o}/{r}/contents/{path} and
// POST /repos/{o}/{r}/contents (many files, one commit) — in Gitea's shapes (`content`,
// `commit`, `verification`; a stale `sha` is 409 here where Gitea says 422), and what the
// browser's editor needs beside it: a diff preview of a change, restoring a path, reverting a
// commit, the guarded reset and its undo, and the limits an upload is checked against.
import type { Request } from 'express';
import { z } from 'zod';
import { baseUrl, contentsJson, gitJsonContext, repoTarget, resolveForApi, type ApiRouter } from '../http/index.js';
import { signatureDate, type Commit } from '../git/objects.js';
import { Invalid } from '../lib/errors.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import { changeSetBody, createFileBody, deleteFileBody, EDIT_BODY_LIMIT_BYTES, updateFileBody, type ChangeSetBody, type EditResult, type EditService, type ResetBackup } from './service.js';

const SHA = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'must be a full commit id');
const restoreBody = z.strictObject({
  path: z.string().min(1).max(4096),
  commit: SHA.describe('the commit whose version of the path comes back'),
  branch: z.string().max(255).optional(),
  new_branch: z.string().max(255).optional(),
  message: z.string().max(65536).optional(),
  last_commit_id: SHA.optional(),
});
const revertBody = z.strictObject({
  commit: SHA,
  branch: z.string().max(255).optional().describe('default: the default branch'),
  message: z.string().max(65536).optional(),
});
const resetBody = z.strictObject({
  branch: z.string().min(1).max(255),
  sha: SHA.describe('an earlier commit of the branch'),
  confirm: z.string().max(255).describe('the branch name, typed'),
});
const undoBody = z.strictObject({ ref: z.string().min(1).max(1024) });
const resetsQuery = z.object({ branch: z.string().max(255).optional() });

/** Gitea's FileCommitResponse. */
function fileCommitJson(s: Services, req: Request, rec: RepoRecord, c: Commit) {
  const full = `${encodeURIComponent(rec.owner.name)}/${encodeURIComponent(rec.repo.name)}`;
  const api = `${baseUrl(s, req)}/api/v1/repos/${full}`;
  const who = (sig: Commit['author']) => ({ name: sig.name, email: sig.email, date: signatureDate(sig) });
  return {
    url: `${api}/git/commits/${c.sha}`,
    sha: c.sha,
    html_url: `${baseUrl(s, req)}/${full}/commit/${c.sha}`,
    author: who(c.author),
    committer: who(c.committer),
    parents: c.parents.map((p) => ({ url: `${api}/git/commits/${p}`, sha: p })),
    message: c.message,
    tree: { url: `${api}/git/trees/${c.tree}`, sha: c.tree },
  };
}

const VERIFICATION = { verified: false, reason: 'gpg.error.not_signed_commit', signature: '', signer: null, payload: '' };

async function filesJson(s: Services, req: Request, rec: RepoRecord, r: EditResult) {
  const ctx = await gitJsonContext(s, req, repoTarget(s, rec));
  const ref = { name: r.branch, kind: 'branch' as const, commit: r.commit.sha };
  const byPath = new Map(
    r.written.map((w) => [
      w.path,
      contentsJson(
        ctx,
        ref,
        { name: w.path.split('/').pop()!, path: w.path, mode: w.mode, type: w.mode === '120000' ? 'symlink' : 'file', sha: w.sha, size: w.size, target: null },
        { lastCommit: r.commit.sha, content: w.content },
      ),
    ]),
  );
  return byPath;
}

function backupJson(b: ResetBackup) {
  return { ref: b.ref, branch: b.branch, commit: b.commit, created_at: new Date(b.createdAt).toISOString() };
}

export function registerEditRoutes(api: ApiRouter, s: Services, edits: EditService): void {
  const single = async (req: Request, params: Record<string, string>, body: ChangeSetBody, status: number) => {
    const rec = await resolveForApi(s, req, params, 'write');
    const result = await edits.change(req.actor, rec, body);
    const files = await filesJson(s, req, rec, result);
    const path = body.files[0]!.path;
    return { status, body: { content: body.files[0]!.operation === 'delete' ? null : (files.get(path) ?? null), commit: fileCommitJson(s, req, rec, result.commit), verification: VERIFICATION } };
  };
  // the raw wildcard, not cleaned: `a/../../x` is refused by the one path check, never resolved
  const rawPathOf = (req: Request) => {
    const v = (req.params as Record<string, unknown>).path;
    const p = (Array.isArray(v) ? v.map(String) : [String(v ?? '')]).join('/');
    if (p === '') throw Invalid('a file path is required');
    return p;
  };
  const errors = {
    403: 'no write access, or the push policy refuses it (a protected branch)',
    404: 'no such repository, branch or file',
    409: 'a stale sha, a file that exists, or the branch changed since last_commit_id; nothing was written',
    422: 'a bad path (.git, .., a symlink on the way, a submodule), bad base64, or a file over the push cap',
    503: 'maintenance',
  };
  const common = { tag: 'repository', bodyLimit: EDIT_BODY_LIMIT_BYTES } as const;

  api.route(
    { ...common, method: 'post', path: '/repos/:owner/:repo/contents/*path', summary: 'Create a file in one commit', body: createFileBody, responses: { 201: 'FileResponse', ...errors } },
    async ({ req, params, body }) => {
      const { content, ...rest } = body;
      return single(req, params, { ...rest, files: [{ operation: 'create', path: rawPathOf(req), content }] }, 201);
    },
  );
  api.route(
    {
      ...common,
      method: 'put',
      path: '/repos/:owner/:repo/contents/*path',
      summary: 'Update a file (sha: the blob being replaced), or move it (from_path) with or without new content',
      body: updateFileBody,
      responses: { 200: 'FileResponse', ...errors },
    },
    async ({ req, params, body }) => {
      const { content, sha, from_path, ...rest } = body;
      return single(req, params, { ...rest, files: [{ operation: 'update', path: rawPathOf(req), content, sha, from_path }] }, 200);
    },
  );
  api.route(
    {
      ...common,
      method: 'delete',
      path: '/repos/:owner/:repo/contents/*path',
      summary: 'Delete a file (sha: the blob being removed)',
      body: deleteFileBody,
      responses: { 200: 'FileDeleteResponse', ...errors },
    },
    async ({ req, params, body }) => {
      const { sha, ...rest } = body;
      return single(req, params, { ...rest, files: [{ operation: 'delete', path: rawPathOf(req), sha }] }, 200);
    },
  );
  api.route(
    {
      ...common,
      method: 'post',
      path: '/repos/:owner/:repo/contents',
      summary: 'Create, update, move and delete many files in one commit (a folder too: its tree id as sha)',
      body: changeSetBody,
      responses: { 201: 'FilesResponse', ...errors },
    },
    async ({ req, params, body }) => {
      const rec = await resolveForApi(s, req, params, 'write');
      const result = await edits.change(req.actor, rec, body);
      const files = await filesJson(s, req, rec, result);
      return {
        status: 201,
        body: { files: body.files.map((f) => (f.operation === 'delete' ? null : (files.get(f.path) ?? null))), commit: fileCommitJson(s, req, rec, result.commit), verification: VERIFICATION },
      };
    },
  );
  api.route(
    {
      ...common,
      method: 'post',
      path: '/repos/:owner/:repo/edits/preview',
      summary: 'Gitssy: the diff a change (the body of POST …/contents) would make, written to no branch',
      body: changeSetBody,
      responses: { 200: '{branch, base_commit, files: ChangedFile[], additions, deletions, truncated}', ...errors },
    },
    async ({ req, params, body }) => {
      const rec = await resolveForApi(s, req, params, 'write');
      const p = await edits.preview(req.actor, rec, body);
      return {
        body: {
          branch: p.branch,
          base_commit: p.baseCommit,
          files: p.diff.files.map((f) => ({
            filename: f.path,
            previous_filename: f.oldPath !== f.path ? f.oldPath : '',
            status: f.status,
            additions: f.additions,
            deletions: f.deletions,
            changes: f.additions + f.deletions,
            binary: f.binary,
            sha: f.newSha,
            previous_sha: f.oldSha,
            patch: f.patch,
            patch_truncated: f.patchTruncated,
          })),
          total_files: p.diff.totalFiles,
          additions: p.diff.additions,
          deletions: p.diff.deletions,
          truncated: p.diff.truncated,
        },
      };
    },
  );
  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/edits/limits',
      tag: 'repository',
      summary: 'Gitssy: what one web commit may carry (the push cap, and what a JSON body holds)',
      responses: { 200: '{max_push_bytes, max_file_bytes, max_files}' },
    },
    async ({ req, params }) => {
      await resolveForApi(s, req, params, 'read');
      const l = edits.limits();
      return { body: { max_push_bytes: s.settings.get('git.maxPushBytes'), max_file_bytes: l.maxFileBytes, max_total_bytes: l.maxTotalBytes, max_files: l.maxFiles } };
    },
  );
  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/edits/restore',
      tag: 'repository',
      summary: 'Gitssy: put a file or folder back the way it was at a commit, in one new commit',
      body: restoreBody,
      responses: { 201: '{commit, branch}', ...errors },
    },
    async ({ req, params, body }) => {
      const rec = await resolveForApi(s, req, params, 'write');
      const r = await edits.restore(req.actor, rec, body);
      return { status: 201, body: { branch: r.branch, commit: fileCommitJson(s, req, rec, r.commit) } };
    },
  );
  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/edits/revert',
      tag: 'repository',
      summary: 'Gitssy: revert a commit with a new commit on the branch; a protected branch gets a pull request from a new branch instead',
      body: revertBody,
      responses: { 201: '{commit, branch, pull: {number, html_url} | null}', ...errors, 409: 'the revert does not apply cleanly' },
    },
    async ({ req, params, body }) => {
      const rec = await resolveForApi(s, req, params, 'write');
      const r = await edits.revert(req.actor, rec, body);
      const full = `${encodeURIComponent(rec.owner.name)}/${encodeURIComponent(rec.repo.name)}`;
      return {
        status: 201,
        body: { branch: r.branch, commit: fileCommitJson(s, req, rec, r.commit), pull: r.pull === null ? null : { number: r.pull, html_url: `${baseUrl(s, req)}/${full}/pulls/${r.pull}` } },
      };
    },
  );
  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/edits/reset',
      tag: 'repository',
      summary: 'Gitssy: hard-reset a branch to an earlier commit (repository admins; not a protected branch; confirm = the branch name); the old tip is kept for undo',
      body: resetBody,
      responses: {
        200: '{branch, old_commit, new_commit, backup}',
        403: 'not a repository admin, or a protected branch',
        404: 'no such branch or commit',
        422: 'not confirmed, or not an earlier commit',
      },
    },
    async ({ req, params, body }) => {
      const rec = await resolveForApi(s, req, params, 'admin');
      const r = await edits.reset(req.actor, rec, body);
      return { body: { branch: r.branch, old_commit: r.oldCommit, new_commit: r.newCommit, backup: backupJson(r.backup) } };
    },
  );
  api.route(
    {
      method: 'get',
      path: '/repos/:owner/:repo/edits/resets',
      tag: 'repository',
      summary: 'Gitssy: resets that can be undone, newest first',
      query: resetsQuery,
      responses: { 200: '[{ref, branch, commit, created_at}]' },
    },
    async ({ req, params, query }) => {
      const rec = await resolveForApi(s, req, params, 'read');
      return { body: (await edits.resets(rec, query.branch)).map(backupJson) };
    },
  );
  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/edits/resets/undo',
      tag: 'repository',
      summary: 'Gitssy: put the branch back where a reset found it (repository admins); refused when the branch has gained commits since',
      body: undoBody,
      responses: { 200: '{branch, old_commit, new_commit}', 404: 'no such backup', 409: 'the branch has new commits since the reset' },
    },
    async ({ req, params, body }) => {
      const rec = await resolveForApi(s, req, params, 'admin');
      const r = await edits.undoReset(req.actor, rec, body.ref);
      return { body: { branch: r.branch, old_commit: r.oldCommit, new_commit: r.newCommit } };
    },
  );
}
