// One error family for the whole server. Services throw these; each transport (HTTP, git,
// later SSH) maps them to its own wire format in exactly one place.

export type ErrorCode = 'invalid' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'too_large' | 'too_many_requests' | 'unavailable' | 'internal';

const STATUS: Record<ErrorCode, number> = {
  invalid: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  too_many_requests: 429,
  unavailable: 503,
  internal: 500,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra fields rendered into the JSON body (e.g. per-field validation errors). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, opts: { cause?: unknown; status?: number; details?: Record<string, unknown> } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = opts.status ?? STATUS[code];
    this.details = opts.details;
  }
}

export const Invalid = (message: string, details?: Record<string, unknown>) => new AppError('invalid', message, { details });
export const BadRequest = (message: string) => new AppError('invalid', message, { status: 400 });
export const Unauthorized = (message = 'authentication required') => new AppError('unauthorized', message);
export const Forbidden = (message = 'you do not have permission to do that') => new AppError('forbidden', message);
export const NotFound = (message = 'not found') => new AppError('not_found', message);
export const Conflict = (message: string) => new AppError('conflict', message);
export const TooLarge = (message: string) => new AppError('too_large', message);
export const TooManyRequests = (message: string) => new AppError('too_many_requests', message);
export const Unavailable = (message: string) => new AppError('unavailable', message);

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
