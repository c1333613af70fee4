// Route definitions for the REST API: one zod schema per body and query validates the request
// and also feeds the OpenAPI document, so the two can't drift apart.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { scopeAllows, type ScopeCategory } from '../../access/index.js';
import { AppError, Forbidden } from '../../lib/errors.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Reply {
  status?: number;
  body?: unknown;
}

export interface RouteSpec<B extends z.ZodType | undefined, Q extends z.ZodType | undefined> {
  method: Method;
  /** Express path, e.g. `/repos/:owner/:repo`. */
  path: string;
  summary: string;
  /** Longer notes for the document (how to call it), when the summary can't hold them. */
  description?: string;
  tag: string;
  body?: B;
  query?: Q;
  /** Who may call it, for the document: anyone, a signed-in user, a site admin, Basic only. */
  auth?: 'optional' | 'user' | 'admin' | 'basic';
  /** Status codes and what they mean. */
  responses: Record<number, string>;
  /** Token scope category the route needs (read for GET, write otherwise); default from the tag. */
  scope?: ScopeCategory | null;
  /**
   * Matched before every route without it: for a literal path that a parameter route registered
   * earlier would take otherwise (`/repos/issues/search` against `/repos/:owner/:repo`).
   */
  early?: boolean;
  /** A JSON body larger than the API's 1 MiB default is accepted up to this many bytes (web edits carry base64 files). */
  bodyLimit?: number;
  /** The body arrives unparsed, as a Buffer in `req.body` (a signed webhook is checked on its exact bytes), up to this many bytes. */
  rawBody?: number;
}

const TAG_SCOPES: Record<string, ScopeCategory | null> = { repository: 'repository', user: 'user', organization: 'organization', admin: 'admin', session: null, miscellaneous: null };

type Infer<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface HandlerContext<B, Q> {
  req: Request;
  res: Response;
  body: B;
  query: Q;
  params: Record<string, string>;
}

interface Operation {
  spec: RouteSpec<z.ZodType | undefined, z.ZodType | undefined>;
}

/** Turns a zod error into one readable line: `name: Too big: expected ...; private: ...`. */
export function describeZodError(err: z.ZodError): string {
  return err.issues
    .map((i) => {
      const where = i.path.length ? i.path.join('.') : 'body';
      if (i.code === 'unrecognized_keys') return `${where}: unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`;
      return `${where}: ${i.message}`;
    })
    .join('; ');
}

export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError('invalid', `invalid ${what}: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

export class ApiRouter {
  readonly router = Router({ strict: false });
  private readonly early = Router({ strict: false });
  private readonly ops: Operation[] = [];

  constructor() {
    this.router.use(this.early);
  }

  /** The routes that take bodies over the default limit, for the body parser in front of them. */
  rawBodies(): { method: Method; path: string; limit: number }[] {
    return this.ops.filter((o) => o.spec.rawBody !== undefined).map((o) => ({ method: o.spec.method, path: o.spec.path, limit: o.spec.rawBody! }));
  }

  largeBodies(): { method: Method; path: string; limit: number }[] {
    return this.ops.filter((o) => o.spec.bodyLimit !== undefined).map((o) => ({ method: o.spec.method, path: o.spec.path, limit: o.spec.bodyLimit! }));
  }

  route<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
    spec: RouteSpec<B, Q>,
    handler: (ctx: HandlerContext<Infer<B>, Infer<Q>>) => Promise<Reply | void>,
  ): void {
    this.ops.push({ spec: spec as RouteSpec<z.ZodType | undefined, z.ZodType | undefined> });
    const category = spec.scope !== undefined ? spec.scope : (TAG_SCOPES[spec.tag] ?? null);
    const mode = spec.method === 'get' ? 'read' : 'write';
    (spec.early ? this.early : this.router)[spec.method](spec.path, async (req: Request, res: Response) => {
      // a token only reaches the routes its scopes name, as in Gitea
      if (category && req.actor?.kind === 'user' && !scopeAllows(req.actor.scopes, mode, category)) {
        throw Forbidden(`this token lacks the ${mode}:${category} scope`);
      }
      const body = spec.rawBody !== undefined ? req.body : spec.body ? parseOrThrow(spec.body, req.body ?? {}, 'request body') : undefined;
      const query = spec.query ? parseOrThrow(spec.query, req.query, 'query') : undefined;
      const reply = await handler({ req, res, body: body as Infer<B>, query: query as Infer<Q>, params: req.params as Record<string, string> });
      if (res.headersSent) return;
      if (!reply || reply.body === undefined) {
        res.status(reply?.status ?? 204).end();
        return;
      }
      if (reply.status === 205) {
        // Gitea answers some writes with 205 and the changed objects; Express's send() drops a
        // 205's body, so this one is written directly
        const json = JSON.stringify(reply.body);
        res.writeHead(205, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json) });
        res.end(json);
        return;
      }
      res.status(reply.status ?? 200).json(reply.body);
    });
  }

  /** The OpenAPI 3 document for every route registered so far. */
  openapi(info: { title: string; version: string; description: string }): object {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const { spec } of this.ops) {
      const oaPath = spec.path.replace(/[:*]([A-Za-z_]+)/g, '{$1}');
      const parameters: unknown[] = [...spec.path.matchAll(/[:*]([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
      if (spec.query) {
        const js = toSchema(spec.query) as { properties?: Record<string, unknown>; required?: string[] };
        for (const [name, schema] of Object.entries(js.properties ?? {})) {
          parameters.push({ name, in: 'query', required: js.required?.includes(name) ?? false, schema });
        }
      }
      const security =
        spec.auth === 'basic'
          ? [{ BasicAuth: [] }]
          : spec.auth === 'optional' || spec.auth === undefined
            ? [{}, { Token: [] }, { BasicAuth: [] }]
            : [{ Token: [] }, { BasicAuth: [] }, { Session: [] }];
      const op: Record<string, unknown> = {
        operationId: `${spec.method}${oaPath.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
        summary: spec.summary,
        ...(spec.description ? { description: spec.description } : {}),
        tags: [spec.tag],
        parameters,
        security,
        responses: Object.fromEntries(Object.entries(spec.responses).map(([code, description]) => [code, { description }])),
      };
      if (spec.body) op.requestBody = { required: true, content: { 'application/json': { schema: toSchema(spec.body) } } };
      (paths[oaPath] ??= {})[spec.method] = op;
    }
    return {
      openapi: '3.0.3',
      info,
      servers: [{ url: '/api/v1' }],
      components: {
        securitySchemes: {
          Token: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'token <personal access token>' },
          BasicAuth: { type: 'http', scheme: 'basic' },
          Session: { type: 'apiKey', in: 'cookie', name: 'gitssy_session' },
        },
      },
      paths,
    };
  }
}

function toSchema(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' });
}

/** `page` and `limit` as Gitea takes them (limit capped at 50). */
export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  limit: z.coerce.number().int().min(1).max(50).default(30),
});

/** Gitea's pagination headers: X-Total-Count and a Link header with next/prev/first/last. */
export function setPageHeaders(req: Request, res: Response, total: number, page: number, limit: number): void {
  res.setHeader('X-Total-Count', String(total));
  res.setHeader('Access-Control-Expose-Headers', 'X-Total-Count, Link');
  const last = Math.max(1, Math.ceil(total / limit));
  const url = new URL(req.originalUrl, 'http://x');
  const link = (p: number, rel: string) => {
    url.searchParams.set('page', String(p));
    url.searchParams.set('limit', String(limit));
    return `<${url.pathname}${url.search}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
  if (links.length) res.setHeader('Link', links.join(','));
}
