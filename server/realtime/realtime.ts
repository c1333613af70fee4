// socket.io on the forge's HTTP server, at the default path /socket.io: one connection per
// browser tab. A browser is the user of its session cookie, and only from our own origin; a
// script sends `auth: {token}`. Nobody anonymous connects. Every socket joins `user:<id>` (and
// `admins` for site administrators); it joins `repo:<id>` only after `access.can(read)`, leaves it
// when that access is revoked, and private repositories are checked again on every fan-out.
//
// Features push typed events through `toUser` / `toRepo` / `toAdmins` and add their event names
// to `RealtimeEvents` by declaration merging. The adapter is socket.io's default in-memory one;
// the scale-out issue passes a Redis adapter through `RealtimeOptions.adapter`.
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { z } from 'zod';
import type { Actor, RepoFacts } from '../access/index.js';
import { actorFromCredentials } from '../http/index.js';
import type { Logger } from '../lib/log.js';
import type { Services } from '../services.js';
import { toActorUser, type CredentialsRevoked } from '../users/index.js';

/** Server → client events: name → payload. Features add theirs by declaration merging. */
export interface RealtimeEvents {
  /** A request the server refused (a room the socket may not join, a malformed message). */
  error: { message: string; code: string };
}

type ServerToClient = { [K in keyof RealtimeEvents]: (payload: RealtimeEvents[K]) => void };
type Ack = (reply: { ok: true } | { ok: false; message: string; code: string }) => void;
interface ClientToServer {
  'repo:subscribe': (msg: unknown, ack?: Ack) => void;
  'repo:unsubscribe': (msg: unknown, ack?: Ack) => void;
}
interface SocketData {
  actor: Actor;
  userId: number;
  /** What the socket was authenticated with: its session, or its token. */
  sid?: string;
  tokenId?: number;
}
type RtSocket = Socket<ClientToServer, ServerToClient, Record<string, never>, SocketData>;

export interface RealtimeOptions {
  /** Largest message a client may send (bytes); bigger ones close that socket. */
  maxMessageBytes?: number;
  /** socket.io adapter constructor (the Redis adapter when scaled out); in-memory by default. */
  adapter?: ConstructorParameters<typeof Server>[1] extends infer O ? (O extends { adapter?: infer A } ? A : never) : never;
  /** Host names (with port) a browser may connect from besides the request's own Host. */
  allowedHosts?: () => string[];
}

const repoMessage = z
  .object({
    repo: z
      .string()
      .min(3)
      .max(200)
      .regex(/^[^/\s]+\/[^/\s]+$/),
  })
  .strict();

export class Realtime {
  readonly io: Server<ClientToServer, ServerToClient, Record<string, never>, SocketData>;

  constructor(
    private readonly s: Services,
    httpServer: HttpServer,
    sessionMiddleware: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void,
    private readonly log: Logger,
    opts: RealtimeOptions = {},
  ) {
    const allowedHosts = opts.allowedHosts ?? (() => []);
    this.io = new Server(httpServer, {
      serveClient: false,
      maxHttpBufferSize: opts.maxMessageBytes ?? 64 * 1024,
      adapter: opts.adapter,
      // a browser from another origin never gets a handshake, whatever it carries
      allowRequest: (req, cb) => {
        const origin = req.headers.origin;
        if (origin === undefined) return cb(null, true);
        cb(null, sameOrigin(origin, req.headers.host, allowedHosts()) ? true : false);
      },
    });
    // the session cookie, read by the same middleware the web uses (the engine's requests only)
    this.io.engine.use((req: IncomingMessage & { _query?: Record<string, string> }, res: ServerResponse, next: (err?: unknown) => void) => {
      if (req._query?.sid === undefined) sessionMiddleware(req, res, next);
      else next();
    });
    this.io.use((socket, next) => {
      this.authenticate(socket as RtSocket).then(
        () => next(),
        (err: unknown) => {
          const e = new Error(err instanceof Error ? err.message : 'unauthorized') as Error & { data?: unknown };
          e.data = { code: (err as { code?: string }).code ?? 'unauthorized' };
          next(e);
        },
      );
    });
    this.io.on('connection', (socket) => this.connected(socket as RtSocket));
  }

  /** Sends an event to every socket of a user. */
  toUser<K extends keyof RealtimeEvents>(userId: number, event: K, payload: RealtimeEvents[K]): void {
    (this.io.to(`user:${userId}`).emit as (e: string, p: unknown) => boolean)(event, payload);
  }

  /** Sends an event to the site administrators' sockets. */
  toAdmins<K extends keyof RealtimeEvents>(event: K, payload: RealtimeEvents[K]): void {
    (this.io.to('admins').emit as (e: string, p: unknown) => boolean)(event, payload);
  }

  /**
   * Sends an event to the sockets watching a repository. Public repositories go to the room as
   * is; for the others each socket's access is checked again on the way out.
   */
  async toRepo<K extends keyof RealtimeEvents>(repo: RepoFacts, event: K, payload: RealtimeEvents[K]): Promise<void> {
    const room = `repo:${repo.id}`;
    if (repo.visibility === 'public') {
      (this.io.to(room).emit as (e: string, p: unknown) => boolean)(event, payload);
      return;
    }
    for (const socket of await this.io.in(room).fetchSockets()) {
      if (await this.s.access.can(socket.data.actor, 'read', repo)) (socket.emit as (e: string, p: unknown) => boolean)(event, payload);
      else socket.leave(room);
    }
  }

  /** Takes every socket whose user may no longer read the repository out of its room. */
  async recheckRepo(repoId: number): Promise<void> {
    const rec = await this.s.repos.byId(repoId);
    const room = `repo:${repoId}`;
    for (const socket of await this.io.in(room).fetchSockets()) {
      if (!rec || !(await this.s.access.can(socket.data.actor, 'read', { id: rec.repo.id, ownerId: rec.repo.owner_id, visibility: rec.repo.visibility as RepoFacts['visibility'] })))
        socket.leave(room);
    }
  }

  private async stillValid(socket: RtSocket): Promise<boolean> {
    const user = await this.s.users.byId(socket.data.userId);
    if (!user || this.s.users.loginProblem(user)) return false;
    if (socket.data.sid && this.s.users.isPasswordChangeRequired(user)) return false;
    if (socket.data.actor.kind === 'user' && socket.data.actor.user.isAdmin !== (user.is_admin === 1)) return false;
    if (socket.data.tokenId !== undefined) return !!(await this.s.db.selectFrom('access_tokens').select('id').where('id', '=', socket.data.tokenId).executeTakeFirst());
    if (socket.data.sid) return !!(await this.s.db.selectFrom('sessions').select('sid').where('sid', '=', socket.data.sid).where('expires_at', '>', Date.now()).executeTakeFirst());
    return true;
  }

  /** Ends the live connections made with credentials that stopped being valid. */
  revoke(r: CredentialsRevoked): void {
    const w = r.what;
    if (w.kind === 'user') this.io.in(`user:${r.userId}`).disconnectSockets(true);
    else if (w.kind === 'session') this.io.in(`session:${w.sid}`).disconnectSockets(true);
    else if (w.kind === 'token') this.io.in(`token:${w.tokenId}`).disconnectSockets(true);
    else
      void this.io
        .in(`user:${r.userId}`)
        .fetchSockets()
        .then((sockets) => {
          for (const socket of sockets) if (socket.data.sid) socket.disconnect(true);
        });
  }

  async close(): Promise<void> {
    this.io.disconnectSockets(true);
    await new Promise<void>((resolve) => {
      // the HTTP server is closed by its owner; only socket.io's own state goes here
      this.io.engine.close();
      resolve();
    });
  }

  private async authenticate(socket: RtSocket): Promise<void> {
    const req = socket.request as IncomingMessage & { session?: { userId?: number } };
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const ip = socket.handshake.address || null;
    if (auth && auth.token !== undefined) {
      if (typeof auth.token !== 'string' || !auth.token) throw Object.assign(new Error('auth.token must be an access token'), { code: 'unauthorized' });
      const { actor, user, tokenId } = await actorFromCredentials(this.s, { kind: 'token', secret: auth.token }, ip);
      socket.data.actor = actor;
      socket.data.userId = user.id;
      socket.data.tokenId = tokenId;
      return;
    }
    // a cookie only counts from our own pages: the Origin header must be there and be ours
    const origin = socket.handshake.headers.origin;
    const userId = req.session?.userId;
    if (userId === undefined || typeof origin !== 'string') throw Object.assign(new Error('sign in first, or pass auth: {token}'), { code: 'unauthorized' });
    const user = await this.s.users.byId(userId);
    if (!user || this.s.users.loginProblem(user)) throw Object.assign(new Error('this session has ended; sign in again'), { code: 'unauthorized' });
    // a browser whose password change is pending gets nothing live until it is done
    if (this.s.users.isPasswordChangeRequired(user)) throw Object.assign(new Error('a password change is required first'), { code: 'forbidden' });
    socket.data.actor = { kind: 'user', user: toActorUser(user), scopes: null, via: 'session' };
    socket.data.userId = user.id;
    socket.data.sid = (req as IncomingMessage & { sessionID?: string }).sessionID;
  }

  private connected(socket: RtSocket): void {
    const actor = socket.data.actor;
    void socket.join(`user:${socket.data.userId}`);
    if (socket.data.sid) void socket.join(`session:${socket.data.sid}`);
    if (socket.data.tokenId !== undefined) void socket.join(`token:${socket.data.tokenId}`);
    if (actor.kind === 'user' && actor.user.isAdmin) void socket.join('admins');
    // credentials revoked between the handshake's check and joining the rooms above never
    // reached this socket: look once more, now that a revocation would
    void this.stillValid(socket).then(
      (ok) => ok || socket.disconnect(true),
      (err: unknown) => this.log.error({ err }, 'realtime: could not re-check a new socket'),
    );
    const refuse = (ack: Ack | undefined, message: string, code: string) => {
      socket.emit('error', { message, code });
      if (typeof ack === 'function') ack({ ok: false, message, code });
    };
    const parseRepo = (msg: unknown, ack: Ack | undefined): string | null => {
      const parsed = repoMessage.safeParse(msg);
      if (parsed.success) return parsed.data.repo;
      // a malformed message is a broken or hostile client: that socket goes, nobody else notices
      refuse(ack, 'malformed message: expected {repo: "owner/name"}', 'invalid');
      socket.disconnect(true);
      return null;
    };
    socket.on('repo:subscribe', (msg, ack) => {
      const name = parseRepo(msg, ack);
      if (name === null) return;
      void (async () => {
        const [owner, repo] = name.split('/') as [string, string];
        const rec = await this.s.repos.find(owner, repo.replace(/\.git$/, ''));
        const facts = rec && { id: rec.repo.id, ownerId: rec.repo.owner_id, visibility: rec.repo.visibility as RepoFacts['visibility'] };
        // a repository the socket may not read is answered exactly like one that doesn't exist
        if (!facts || !(await this.s.access.can(socket.data.actor, 'read', facts))) return refuse(ack, `repository ${name} not found`, 'not_found');
        await socket.join(`repo:${facts.id}`);
        if (typeof ack === 'function') ack({ ok: true });
      })().catch((err: unknown) => {
        this.log.error({ err }, 'realtime: repo:subscribe failed');
        refuse(ack, 'internal error', 'internal');
      });
    });
    socket.on('repo:unsubscribe', (msg, ack) => {
      const name = parseRepo(msg, ack);
      if (name === null) return;
      void (async () => {
        const [owner, repo] = name.split('/') as [string, string];
        // named as repo:subscribe accepts it, with or without .git
        const rec = await this.s.repos.find(owner, repo.replace(/\.git$/, ''));
        if (rec) await socket.leave(`repo:${rec.repo.id}`);
        if (typeof ack === 'function') ack({ ok: true });
      })().catch((err: unknown) => {
        this.log.error({ err }, 'realtime: repo:unsubscribe failed');
        refuse(ack, 'internal error', 'internal');
      });
    });
  }
}

/** Whether a browser's Origin is this server: the Host it asked for, or a configured public host. */
export function sameOrigin(origin: string, host: string | undefined, allowedHosts: string[]): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  return (host !== undefined && url.host === host) || allowedHosts.includes(url.host);
}
