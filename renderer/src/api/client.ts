// The one way the UI talks to the server: JSON over fetch to /api/v1, cookies for the session,
// the CSRF token on every write, and errors as ApiError carrying the server's message.
import { getCsrfToken, setCsrfToken } from '../app/boot';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  get notFound(): boolean {
    return this.status === 404;
  }
}

type Query = Record<string, string | number | boolean | undefined | null>;

/** Encodes each path segment (names, branch names and file paths may hold any character). */
export function encodePath(path: string): string {
  return path
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

export function apiUrl(path: string, query?: Query): string {
  const url = new URL(`/api/v1${path}`, window.location.origin);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  }
  return url.pathname + url.search;
}

async function failure(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  let code: string | undefined;
  try {
    const body = (await res.json()) as { message?: string; code?: string };
    if (body.message) message = body.message;
    code = body.code;
  } catch {
    // not JSON: keep the status line
  }
  if (res.status === 503 && !code) code = 'maintenance';
  return new ApiError(res.status, message, code);
}

export interface PagedResult<T> {
  items: T[];
  /** From X-Total-Count when the server sends it. */
  total: number | null;
}

async function request(method: string, path: string, opts: { query?: Query; body?: unknown; file?: Blob; fileType?: string; signal?: AbortSignal } = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (opts.file !== undefined) {
    headers['Content-Type'] = opts.fileType ?? 'application/octet-stream';
    body = opts.file;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const write = method !== 'GET' && method !== 'HEAD';
  for (let attempt = 0; ; attempt++) {
    if (write) {
      const token = await getCsrfToken();
      if (token) headers['X-CSRF-Token'] = token;
    }
    const res = await fetch(apiUrl(path, opts.query), { method, headers, body, credentials: 'same-origin', signal: opts.signal });
    if (res.ok) return res;
    const err = await failure(res);
    // the session changed under this tab (signed in or out elsewhere, expired): the token it
    // holds is stale, so fetch a fresh one and try once more
    if (write && attempt === 0 && res.status === 403 && err.code === 'csrf') {
      setCsrfToken(null);
      continue;
    }
    throw err;
  }
}

export async function apiGet<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
  const res = await request('GET', path, { query, signal });
  return (await res.json()) as T;
}

/** A "204 yes / 404 no" endpoint of Gitea's API (am I following, starring, …) as a boolean. */
export async function apiYesNo(path: string, signal?: AbortSignal): Promise<boolean> {
  const res = await fetch(apiUrl(path), { headers: { Accept: 'application/json' }, credentials: 'same-origin', signal });
  if (res.ok) return true;
  if (res.status === 404) return false;
  throw await failure(res);
}

/** A list endpoint: the items and the total count header. */
export async function apiList<T>(path: string, query?: Query, signal?: AbortSignal): Promise<PagedResult<T>> {
  const res = await request('GET', path, { query, signal });
  const total = res.headers.get('X-Total-Count');
  const json = (await res.json()) as T[] | { data: T[] };
  const items = Array.isArray(json) ? json : json.data;
  return { items, total: total === null ? null : Number(total) };
}

export async function apiSend<T = void>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, query?: Query): Promise<T> {
  const res = await request(method, path, { body, query });
  // 204 and 205 (Gitea's "reset content" for mark-as-read) have no body as fetch sees them
  if (res.status === 204 || res.status === 205 || res.headers.get('Content-Length') === '0') return undefined as T;
  const type = res.headers.get('Content-Type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

/** A file as the request body (an upload), with the same CSRF handling and errors as apiSend. */
export async function apiUpload<T>(path: string, file: Blob, type: string, query?: Query): Promise<T> {
  const res = await request('POST', path, { file, fileType: type, query });
  return (await res.json()) as T;
}
