// The terminal over socket.io, on the default namespace. A socket of the shell's owner sends
// `shell:attach {id, since?}`; the ack says where the output stands (`end`) and whether what
// follows is the whole scrollback (`full`: the client clears its screen first) or only what came
// after `since` (`tail`, after a network blip). Then `shell:output {id, data, end}` brings output
// as it comes (a client drops any chunk whose `end` it has already seen), `shell:input` and
// `shell:resize` go to the pty as they are, and `shell:exit {id, code, reason}` says it ended.
// Anyone but the owner is told the shell does not exist, as the API does.
import { z } from 'zod';
import type { Actor } from '../access/index.js';
import type { Logger } from '../lib/log.js';
import type { Services } from '../services.js';
import { shellJson } from './json.js';
import type { ShellRow } from './schema.js';
import { MAX_INPUT_CHARS, type ShellService, type ShellSink } from './service.js';

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const attachMessage = z.strictObject({ id, since: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional() });
const inputMessage = z.strictObject({ id, data: z.string().max(MAX_INPUT_CHARS) });
const resizeMessage = z.strictObject({ id, cols: z.number().int().min(2).max(1000), rows: z.number().int().min(2).max(500) });
const idMessage = z.strictObject({ id });

type Ack = (reply: Record<string, unknown>) => void;
interface LooseSocket {
  data: { actor?: Actor; userId?: number };
  rooms: Set<string>;
  on(event: string, fn: (msg: unknown, ack?: Ack) => void): void;
  emit(event: string, payload: unknown): boolean;
  join(room: string): void | Promise<void>;
  leave(room: string): void | Promise<void>;
}
interface LooseIo {
  on(event: 'connection', fn: (socket: LooseSocket) => void): void;
  off(event: 'connection', fn: (socket: LooseSocket) => void): void;
  to(room: string): { emit(event: string, payload: unknown): boolean };
}

const room = (shellId: number) => `shell:${shellId}`;

export class ShellSockets implements ShellSink {
  constructor(
    private readonly s: Services,
    private readonly shells: ShellService,
    private readonly log: Logger,
  ) {}

  private get io(): LooseIo | undefined {
    return this.s.realtime.attached?.io as unknown as LooseIo | undefined;
  }

  attach(): () => void {
    const io = this.io;
    if (!io) return () => {};
    const onConnection = (socket: LooseSocket) => this.connected(socket);
    io.on('connection', onConnection);
    return () => io.off('connection', onConnection);
  }

  output(shellId: number, data: string, end: number): void {
    this.io?.to(room(shellId)).emit('shell:output', { id: shellId, data, end });
  }

  exit(shellId: number, code: number | null, reason: string | null): void {
    this.io?.to(room(shellId)).emit('shell:exit', { id: shellId, code, reason });
  }

  state(row: ShellRow): void {
    void (async () => {
      const names = await this.s.db
        .selectFrom('repositories as r')
        .innerJoin('users as o', 'o.id', 'r.owner_id')
        .innerJoin('users as u', (j) => j.on('u.id', '=', row.user_id))
        .select(['o.name as owner', 'r.name as repo', 'u.name as login'])
        .where('r.id', '=', row.repo_id)
        .executeTakeFirst();
      if (!names) return;
      const shell = shellJson(row, { repo: `${names.owner}/${names.repo}`, login: names.login }, this.shells.idleStopsAt(row));
      this.s.realtime.toUser(row.user_id, 'shell.state', { shell });
      this.s.realtime.toAdmins('shell.state', { shell });
    })().catch((err: unknown) => this.log.warn({ err }, 'shells: could not send a state change'));
  }

  private connected(socket: LooseSocket): void {
    const refuse = (ack: Ack | undefined, message: string, code: string) => {
      if (typeof ack === 'function') ack({ ok: false, message, code });
      else socket.emit('error', { message, code });
    };
    /** The shell, when this socket's user owns it; null (and refused) otherwise. */
    const owned = async (shellId: number, ack: Ack | undefined): Promise<ShellRow | null> => {
      const row = await this.shells.byId(shellId);
      if (!row || row.user_id !== socket.data.userId) {
        refuse(ack, `dev shell ${shellId} not found`, 'not_found');
        return null;
      }
      return row;
    };
    const parse = <T>(schema: z.ZodType<T>, msg: unknown, ack: Ack | undefined, shape: string): T | null => {
      const r = schema.safeParse(msg);
      if (r.success) return r.data;
      refuse(ack, `malformed message: expected ${shape}`, 'invalid');
      return null;
    };
    const fail = (ack: Ack | undefined) => (err: unknown) => {
      this.log.error({ err }, 'shells: socket message failed');
      refuse(ack, 'internal error', 'internal');
    };

    socket.on('shell:attach', (msg, ack) => {
      const m = parse(attachMessage, msg, ack, '{id, since?}');
      if (!m) return;
      void (async () => {
        const row = await owned(m.id, ack);
        if (!row) return;
        const r = socket.join(room(m.id));
        if (r instanceof Promise) await r;
        // from here every chunk reaches this socket; the replay is taken in the same tick, and a
        // chunk sent both ways carries an `end` the client has already seen
        const replay = this.shells.replay(m.id, m.since);
        if (!replay) {
          await socket.leave(room(m.id));
          if (typeof ack === 'function') ack({ ok: true, end: 0, replay: 'full', state: row.state, reason: row.reason });
          socket.emit('shell:exit', { id: m.id, code: row.exit_code, reason: row.reason });
          return;
        }
        if (typeof ack === 'function') ack({ ok: true, end: replay.end, replay: replay.replay, state: row.state });
        if (replay.data) socket.emit('shell:output', { id: m.id, data: replay.data, end: replay.end });
      })().catch(fail(ack));
    });

    socket.on('shell:input', (msg, ack) => {
      const m = parse(inputMessage, msg, ack, '{id, data}');
      if (!m) return;
      // only a socket that attached (so owns the shell) types into it
      if (!socket.rooms.has(room(m.id))) return refuse(ack, `dev shell ${m.id} not found`, 'not_found');
      const ok = this.shells.input(m.id, m.data);
      if (typeof ack === 'function') ack(ok ? { ok: true } : { ok: false, message: 'the shell has ended', code: 'conflict' });
    });

    socket.on('shell:resize', (msg, ack) => {
      const m = parse(resizeMessage, msg, ack, '{id, cols, rows}');
      if (!m) return;
      if (!socket.rooms.has(room(m.id))) return refuse(ack, `dev shell ${m.id} not found`, 'not_found');
      this.shells.resize(m.id, m.cols, m.rows);
      if (typeof ack === 'function') ack({ ok: true });
    });

    socket.on('shell:detach', (msg, ack) => {
      const m = parse(idMessage, msg, ack, '{id}');
      if (!m) return;
      void Promise.resolve(socket.leave(room(m.id)))
        .then(() => {
          if (typeof ack === 'function') ack({ ok: true });
        })
        .catch(fail(ack));
    });
  }
}
