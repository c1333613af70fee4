// One socket.io connection per tab, to the forge's own origin at /socket.io, authenticated by the
// session cookie. It exists only while someone is signed in (the server refuses anonymous
// sockets): the Shell tells the client who is signed in, and a change of user closes the socket
// and opens a new one. The socket.io library itself is loaded on the first connect, so visitors
// who aren't signed in never download it.
//
// Features add the events they listen to by declaration merging, as the server's features do:
//   declare module '../../lib/realtime' { interface RealtimeEvents { 'backup.job': BackupJob } }
// A page that wants a repository's events (`pull.updated`, …) joins its room with
// useRepoEvents; the client keeps one subscription per room however many pages ask, and joins
// again after a reconnect (a new socket starts in no rooms).
import { createContext, useContext, useEffect, useLayoutEffect, useRef, useSyncExternalStore, type ReactNode } from 'react';
import type { Socket } from 'socket.io-client';

/** Server → client events: name → payload. */
export interface RealtimeEvents {
  /** A request the server refused (a room the socket may not join, a malformed message). */
  error: { message: string; code: string };
}

export type RealtimeEventName = keyof RealtimeEvents;
type Handler = (payload: never) => void;

/** How long a repository room is kept after its last page let go of it. */
const ROOM_LEAVE_DELAY_MS = 3_000;

export type ConnectionState = 'signed-out' | 'connecting' | 'connected' | 'disconnected';

export class RealtimeClient {
  private socket: Socket | null = null;
  private userId: number | null = null;
  /** Bumped on every user change, so a connect still loading the library for an old user gives up. */
  private generation = 0;
  private state: ConnectionState = 'signed-out';
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly stateListeners = new Set<() => void>();
  /** Repository rooms wanted ("owner/name" → how many callers), and those the server confirmed. */
  private readonly rooms = new Map<string, number>();
  private readonly joined = new Set<string>();
  private readonly leaveTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly roomListeners = new Set<() => void>();

  /** Who is signed in in this tab (null: nobody). Connects, reconnects as someone else, or closes. */
  setUser(userId: number | null): void {
    if (userId === this.userId) return;
    this.userId = userId;
    const generation = ++this.generation;
    this.close();
    if (userId === null) return;
    this.setState('connecting');
    void import('socket.io-client').then(({ io }) => {
      if (generation !== this.generation) return;
      // WebSocket only: its handshake carries the Origin header the server requires before it
      // trusts a session cookie (a long-polling GET from the same origin carries none)
      const socket = io({ path: '/socket.io', transports: ['websocket'], withCredentials: true });
      socket.on('connect', () => {
        this.setState('connected');
        for (const room of this.rooms.keys()) this.join(room);
      });
      socket.on('disconnect', (reason) => {
        this.setJoined(null);
        this.setState('disconnected');
        // the server closed us itself (it is stopping or restarting, say after a restore):
        // socket.io leaves that to us; knock again shortly (a refused session ends it there)
        if (reason === 'io server disconnect') {
          setTimeout(() => {
            if (this.socket === socket) socket.connect();
          }, 2_000);
        }
      });
      socket.on('connect_error', () => {
        // the server refused us (the session ended): socket.io doesn't retry that by itself
        this.setState('disconnected');
      });
      socket.onAny((event: string, payload: unknown) => {
        for (const h of this.handlers.get(event) ?? []) (h as (p: unknown) => void)(payload);
      });
      this.socket = socket;
    });
  }

  /** Calls `handler` for every `event` from the server until the returned function is called. */
  on<K extends RealtimeEventName>(event: K, handler: (payload: RealtimeEvents[K]) => void): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }

  /**
   * Joins a repository's room ("owner/name") until the returned function is called; the server
   * checks read access and acknowledges. Rooms are joined again after every reconnect.
   */
  subscribeRepo(repo: string): () => void {
    const key = repo.toLowerCase();
    const leaving = this.leaveTimers.get(key);
    if (leaving !== undefined) {
      clearTimeout(leaving);
      this.leaveTimers.delete(key);
    }
    const n = this.rooms.get(key);
    this.rooms.set(key, (n ?? 0) + 1);
    if (n === undefined && this.socket?.connected) this.join(key);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.rooms.get(key) ?? 1) - 1;
      this.rooms.set(key, left);
      if (left > 0) return;
      // left a moment later: a page that hands over to the next one (tabs of one pull request)
      // keeps the room instead of leaving and joining again
      this.leaveTimers.set(
        key,
        setTimeout(() => {
          this.leaveTimers.delete(key);
          if (this.rooms.get(key) !== 0) return;
          this.rooms.delete(key);
          this.setJoined(key, false);
          if (this.socket?.connected) this.socket.emit('repo:unsubscribe', { repo: key }, () => {});
        }, ROOM_LEAVE_DELAY_MS),
      );
    };
  }

  /**
   * Sends a request the server acknowledges (`ci.watch`, …) and resolves with its answer;
   * rejects when there is no connection or no answer within `timeoutMs`. Nothing is resent
   * after a reconnect: callers that need that ask again when the state turns `connected`.
   */
  request<T>(event: string, payload: unknown, timeoutMs = 10_000): Promise<T> {
    const socket = this.socket;
    if (!socket?.connected) return Promise.reject(new Error('not connected'));
    return socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<T>;
  }

  /**
   * Sends a message that wants no answer (a terminal's keystrokes, its size); answers whether it
   * went out. Nothing is queued while disconnected: callers catch up after a reconnect.
   */
  send(event: string, payload: unknown): boolean {
    const socket = this.socket;
    if (!socket?.connected) return false;
    socket.emit(event, payload);
    return true;
  }

  /** Whether the server confirmed this socket in a repository's room. */
  isJoined(repo: string): boolean {
    return this.joined.has(repo.toLowerCase());
  }

  subscribeRooms(listener: () => void): () => void {
    this.roomListeners.add(listener);
    return () => {
      this.roomListeners.delete(listener);
    };
  }

  private join(key: string): void {
    const socket = this.socket;
    if (!socket) return;
    socket.emit('repo:subscribe', { repo: key }, (reply: { ok: boolean }) => {
      // answered for a socket or a wish that is gone meanwhile: nothing to record
      if (socket !== this.socket || !socket.connected || !this.rooms.has(key)) return;
      this.setJoined(key, !!reply?.ok);
    });
  }

  /** Records a room as joined or not; `null` forgets them all (the socket went). */
  private setJoined(key: string | null, on = false): void {
    if (key === null) {
      if (this.joined.size === 0) return;
      this.joined.clear();
    } else if (on === this.joined.has(key)) return;
    else if (on) this.joined.add(key);
    else this.joined.delete(key);
    for (const l of this.roomListeners) l();
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  subscribeState(listener: () => void): () => void {
    this.stateListeners.add(listener);
    return () => {
      this.stateListeners.delete(listener);
    };
  }

  private close(): void {
    this.setJoined(null);
    this.socket?.removeAllListeners();
    this.socket?.offAny();
    this.socket?.disconnect();
    this.socket = null;
    this.setState('signed-out');
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    for (const l of this.stateListeners) l();
  }
}

const RealtimeContext = createContext<RealtimeClient | null>(null);

export function RealtimeProvider({ client, children }: { client: RealtimeClient; children: ReactNode }) {
  return <RealtimeContext.Provider value={client}>{children}</RealtimeContext.Provider>;
}

export function useRealtime(): RealtimeClient {
  const client = useContext(RealtimeContext);
  if (!client) throw new Error('useRealtime needs a <RealtimeProvider>');
  return client;
}

/** Keeps the tab's connection in step with who is signed in (the Shell calls it once). */
export function useRealtimeUser(userId: number | null): void {
  const client = useRealtime();
  useEffect(() => client.setUser(userId), [client, userId]);
}

/** The connection's state; re-renders when it changes. */
export function useConnectionState(): ConnectionState {
  const client = useRealtime();
  return useSyncExternalStore(
    (l) => client.subscribeState(l),
    () => client.connectionState,
  );
}

/** Whether live events arrive now; when they don't, callers fall back to fetching. */
export function useRealtimeConnected(): boolean {
  return useConnectionState() === 'connected';
}

/** Runs `handler` for every `event` from the server while the component is mounted. */
export function useSocketEvent<K extends RealtimeEventName>(event: K, handler: (payload: RealtimeEvents[K]) => void): void {
  const client = useRealtime();
  const latest = useRef(handler);
  useLayoutEffect(() => {
    latest.current = handler;
  });
  useEffect(() => client.on(event, (payload) => latest.current(payload)), [client, event]);
}

/**
 * Joins a repository's room while the component is mounted and runs `handler` for each `event`
 * the server sends there. Answers whether the room is joined now (false while signed out or
 * disconnected: callers then rely on fetching).
 */
export function useRepoEvents<K extends RealtimeEventName>(owner: string, repo: string, event: K, handler: (payload: RealtimeEvents[K]) => void): boolean {
  const client = useRealtime();
  const room = `${owner}/${repo}`;
  useEffect(() => client.subscribeRepo(room), [client, room]);
  useSocketEvent(event, handler);
  return useSyncExternalStore(
    (l) => client.subscribeRooms(l),
    () => client.isJoined(room),
  );
}
