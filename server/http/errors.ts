// The one place HTTP errors are rendered: `{"message": ..., "code": ...}` with the status of
// the AppError, body-parser and CSRF errors translated, anything unexpected logged and
// answered with a generic 500. Expected refusals (a 4xx, the maintenance 503) are marked so
// the request log records them at info, with the reason and without a stack trace.
import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { isAppError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  code?: string;
  expose?: boolean;
  message?: string;
}

export function toHttpError(err: unknown): { status: number; body: Record<string, unknown> } | null {
  if (isAppError(err)) return { status: err.status, body: { message: err.message, code: err.code, ...(err.details ?? {}) } };
  const e = err as HttpishError;
  switch (e?.type) {
    case 'entity.too.large':
      return { status: 413, body: { message: 'request body is too large', code: 'too_large' } };
    case 'entity.parse.failed':
      return { status: 400, body: { message: 'request body is not valid JSON', code: 'invalid' } };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, body: { message: e.message ?? 'unsupported encoding', code: 'invalid' } };
    case 'request.aborted':
      return { status: 400, body: { message: 'request aborted', code: 'invalid' } };
  }
  if (e?.code === 'EBADCSRFTOKEN' || e?.message === 'invalid csrf token') {
    return { status: 403, body: { message: 'missing or invalid CSRF token: send the token from GET /api/v1/auth/session in the X-CSRF-Token header', code: 'csrf' } };
  }
  const status = e?.status ?? e?.statusCode;
  if (status && status >= 400 && status < 500 && e.expose !== false) {
    return { status, body: { message: e.message ?? 'bad request', code: 'invalid' } };
  }
  return null;
}

const REFUSAL = Symbol('gitssy.refusal');
type Marked = ServerResponse & { [REFUSAL]?: string };

/** Marks a response as a refusal the server meant to give (not a fault), with its reason. */
export function markRefusal(res: ServerResponse, reason: string): void {
  (res as Marked)[REFUSAL] = reason;
}

/** The reason of a refusal marked with markRefusal(), or undefined for any other response. */
export function refusalOf(res: ServerResponse): string | undefined {
  return (res as Marked)[REFUSAL];
}

/**
 * The request log's level: faults (an exception, a 5xx nobody meant) are errors; a refusal the
 * server meant to give, even a 503 during maintenance, is routine and logged like a success.
 */
export function requestLogLevel(status: number, opts: { failed: boolean; refusal: boolean; slow: boolean }): 'error' | 'warn' | 'info' {
  if (opts.refusal && (status < 500 || status === 503)) return opts.slow ? 'warn' : 'info';
  if (opts.failed || status >= 500) return 'error';
  return opts.slow ? 'warn' : 'info';
}

export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const mapped = toHttpError(err);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (mapped) {
      if (mapped.status !== 500) markRefusal(res, String(mapped.body.message));
      res.status(mapped.status).json(mapped.body);
      return;
    }
    (req.log ?? log).error({ err }, 'unhandled error');
    res.status(500).json({ message: 'internal server error; the server log has the details', code: 'internal' });
  };
}

export function notFoundJson(req: Request, res: Response): void {
  res.status(404).json({ message: `no route for ${req.method} ${req.path}`, code: 'not_found' });
}
