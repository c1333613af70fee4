// A job's log, live: a socket sends `ci.watch {repo, id}` and, once it may read the repository,
// joins the job's room (and the repository's, so losing read access takes it out, as
// realtime's room checks do) and is told the log's size; then `ci.log {repo, id, offset, text}`
// brings what is written after that. Chunks start where the previous one ended, so a client that
// fetched the log up to `offset` over HTTP drops chunks that start before it.
import { z } from 'zod';
import type { Actor, RepoFacts, Visibility } from '../access/index.js';
import type { Logger } from '../lib/log.js';
import type { Services } from '../services.js';
import type { CiService } from './service.js';

const watchMessage = z
  .object({
    repo: z
      .string()
      .min(3)
      .max(200)
      .regex(/^[^/\s]+\/[^/\s]+$/),
    id: z.number().int().positive(),
  })
  .strict();

export interface LogChunk {
  repo: string;
  id: number;
  offset: number;
  text: string;
}

type Ack = (reply: { ok: true; offset: number } | { ok: true } | { ok: false; message: string; code: string }) => void;
interface LooseSocket {
  data: { actor?: Actor };
  rooms: Set<string>;
  on(event: string, fn: (msg: unknown, ack?: Ack) => void): void;
  emit(event: string, payload: unknown): boolean;
  join(room: string): void | Promise<void>;
  leave(room: string): void | Promise<void>;
  disconnect(close?: boolean): void;
}
interface LooseIo {
  on(event: 'connection', fn: (socket: LooseSocket) => void): void;
  off(event: 'connection', fn: (socket: LooseSocket) => void): void;
  in(room: string): { fetchSockets(): Promise<{ rooms: Set<string>; emit(event: string, payload: unknown): boolean }[]> };
}

export class LiveLogs {
  /** One queue per job, so chunks reach sockets in the order they were written. */
  private readonly queues = new Map<number, Promise<void>>();

  constructor(
    private readonly s: Services,
    private readonly ci: CiService,
    private readonly log: Logger,
  ) {}

  /** Adds the watch messages to every socket from now on; answers how to take them off. */
  attach(): () => void {
    const io = this.s.realtime.attached?.io as unknown as LooseIo | undefined;
    if (!io) return () => {};
    const onConnection = (socket: LooseSocket) => this.connected(socket);
    io.on('connection', onConnection);
    return () => io.off('connection', onConnection);
  }

  emit(repo: RepoFacts, chunk: LogChunk): void {
    const io = this.s.realtime.attached?.io as unknown as LooseIo | undefined;
    if (!io) return;
    const prev = this.queues.get(chunk.id) ?? Promise.resolve();
    const next = prev
      .then(async () => {
        for (const socket of await io.in(`ci:${chunk.id}`).fetchSockets()) {
          // still allowed in the repository's room: realtime takes sockets out when access goes
          if (socket.rooms.has(`repo:${repo.id}`)) socket.emit('ci.log', chunk);
        }
      })
      .catch((err: unknown) => this.log.warn({ err }, 'ci: could not send log output'));
    this.queues.set(chunk.id, next);
    void next.then(() => {
      if (this.queues.get(chunk.id) === next) this.queues.delete(chunk.id);
    });
  }

  private connected(socket: LooseSocket): void {
    const refuse = (ack: Ack | undefined, message: string, code: string) => {
      socket.emit('error', { message, code });
      if (typeof ack === 'function') ack({ ok: false, message, code });
    };
    const parse = (msg: unknown, ack: Ack | undefined) => {
      const parsed = watchMessage.safeParse(msg);
      if (parsed.success) return parsed.data;
      refuse(ack, 'malformed message: expected {repo: "owner/name", id: <job id>}', 'invalid');
      socket.disconnect(true);
      return null;
    };
    socket.on('ci.watch', (msg, ack) => {
      const m = parse(msg, ack);
      if (!m) return;
      void (async () => {
        const [owner, name] = m.repo.split('/') as [string, string];
        const rec = await this.s.repos.find(owner, name.replace(/\.git$/, ''));
        const f: RepoFacts | null = rec ? { id: rec.repo.id, ownerId: rec.repo.owner_id, visibility: rec.repo.visibility as Visibility } : null;
        const actor = socket.data.actor;
        if (!f || !actor || !(await this.s.access.can(actor, 'read', f))) return refuse(ack, `repository ${m.repo} not found`, 'not_found');
        const job = await this.ci.byId(m.id);
        if (!job || job.repo_id !== f.id) return refuse(ack, `CI job ${m.id} not found`, 'not_found');
        await socket.join(`repo:${f.id}`);
        await socket.join(`ci:${job.id}`);
        // the size after joining: every chunk written from here on reaches this socket
        const offset = await this.ci.logs.size(f.id, job.id);
        if (typeof ack === 'function') ack({ ok: true, offset });
      })().catch((err: unknown) => {
        this.log.error({ err }, 'ci: ci.watch failed');
        refuse(ack, 'internal error', 'internal');
      });
    });
    socket.on('ci.unwatch', (msg, ack) => {
      const m = parse(msg, ack);
      if (!m) return;
      void Promise.resolve(socket.leave(`ci:${m.id}`)).then(() => {
        if (typeof ack === 'function') ack({ ok: true });
      });
    });
  }
}
