// The one place HTTP errors are rendered: `{"message": ..., "code": ...}` with the status of
// the AppError, body-parser and CSRF errors translated, anything unexpected logged and
// answered with a generic 500.
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

export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const mapped = toHttpError(err);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (mapped) {
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
