// GET /ai (is it on, which model), POST /repos/{o}/{r}/ai/commit-message (the body of a web
// edit: write access, as for the commit itself) and POST /repos/{o}/{r}/ai/pull-description
// ({base, head}: read access, as for comparing). With `Accept: application/x-ndjson` the answer
// streams as `{"delta"}` lines and ends with `{"done": true, …}` or `{"error", "status"}`;
// closing the request cancels the model's work.
import type { Request, Response } from 'express';
import { z } from 'zod';
import { clientSignal, requireUser, resolveForApi, type ApiRouter } from '../http/index.js';
import { changeSetBody, EDIT_BODY_LIMIT_BYTES } from '../edits/index.js';
import { isAppError } from '../lib/errors.js';
import type { Services } from '../services.js';
import { SuggestionCancelled, type AiService, type Prepared, type Suggestion } from './service.js';

const branch = z
  .string()
  .min(1)
  .max(255)
  .regex(/^(?!-)[^\0-\x20~^:?*[\\\x7f]+$/, 'must be a branch name');
const pullBody = z.strictObject({
  base: branch.describe('the branch the pull request would merge into'),
  head: z.string().min(1).max(600).describe('the branch with the changes: `branch`, `user:branch` or `user/repo:branch` of a fork'),
});

function wantsStream(req: Request): boolean {
  return /application\/x-ndjson/i.test(req.headers.accept ?? '');
}

/**
 * Runs a suggestion and answers it: as JSON, or as NDJSON lines while the model writes. Errors
 * found before the model is asked (no model, no access, a bad change) are plain HTTP errors in
 * both cases; once streaming has begun they arrive as an `error` line.
 */
async function answer(ai: AiService, req: Request, res: Response, prepared: Prepared, shape: (s: Suggestion) => Record<string, unknown>) {
  const signal = clientSignal(res);
  if (!wantsStream(req)) return { body: shape(await ai.suggest(req.actor, prepared, { signal })) };
  res.status(200);
  res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  const line = (v: unknown) => {
    if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify(v)}\n`);
  };
  try {
    const s = await ai.suggest(req.actor, prepared, { signal, onDelta: (delta) => line({ delta }) });
    line({ done: true, ...shape(s) });
  } catch (err) {
    if (err instanceof SuggestionCancelled) return;
    if (!isAppError(err)) throw err;
    line({ error: err.message, status: err.status, ...(err.details ?? {}) });
  } finally {
    if (!res.writableEnded) res.end();
  }
}

export function registerAiRoutes(api: ApiRouter, s: Services, ai: AiService): void {
  const tag = 'repository';

  api.route(
    {
      method: 'get',
      path: '/ai',
      tag: 'miscellaneous',
      summary: 'Gitssy: whether commit messages from a local model are on, and the model',
      auth: 'user',
      responses: { 200: '{enabled, model}', 401: 'not signed in' },
    },
    async ({ req }) => {
      requireUser(req);
      return { body: ai.status() };
    },
  );

  const streaming =
    'Send `Accept: application/x-ndjson` to get the answer as it is written: `{"delta": "…"}` lines, then `{"done": true, …}` or `{"error": "…", "status": n}`. Closing the request cancels it.';
  const errors = {
    401: 'not signed in',
    404: 'no such repository or branch',
    422: 'the suggestion was refused (it claimed what the change does not contain), or the change is empty or invalid',
    429: 'two suggestions of yours are already being written',
    502: 'the model failed or answered nothing usable',
    503: 'no model is configured (ai.ollamaHost, ai.model), or maintenance',
    504: 'the model took longer than ai.timeoutSeconds',
  };

  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/ai/commit-message',
      tag,
      summary: 'Gitssy: a commit message for a change set (the body of POST …/contents), written by the local model and checked against the diff',
      description: streaming,
      auth: 'user',
      body: changeSetBody,
      bodyLimit: EDIT_BODY_LIMIT_BYTES, // the web edit it describes, base64 files and all
      responses: { 200: '{subject, body, removed}', 403: 'no write access', ...errors },
    },
    async ({ req, res, params, body }) => {
      requireUser(req);
      ai.assertEnabled();
      const rec = await resolveForApi(s, req, params, 'write');
      const prepared = await ai.commitMaterial(req.actor, rec, body);
      return answer(ai, req, res, prepared, (x) => ({ subject: x.subject, body: x.body, removed: x.removed }));
    },
  );

  api.route(
    {
      method: 'post',
      path: '/repos/:owner/:repo/ai/pull-description',
      tag,
      summary: 'Gitssy: a pull request title and description for merging head into base, written by the local model and checked against the diff',
      description: streaming,
      auth: 'user',
      body: pullBody,
      responses: { 200: '{title, body, removed}', ...errors },
    },
    async ({ req, res, params, body }) => {
      requireUser(req);
      ai.assertEnabled();
      const rec = await resolveForApi(s, req, params, 'read');
      const prepared = await ai.pullMaterial(req.actor, rec, body);
      return answer(ai, req, res, prepared, (x) => ({ title: x.subject, body: x.body, removed: x.removed }));
    },
  );
}
