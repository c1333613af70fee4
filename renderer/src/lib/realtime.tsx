// One socket.io connection per tab, to the forge's own origin at /socket.io, authenticated by the
// session cookie. It exists only while someone is signed in (the server refuses anonymous
// sockets): the Shell tells the client who is signed in, and a change of user closes the socket
// and opens a new one. The socket.io library itself is loaded on the first connect, so visitors
// who aren't signed in never download it.
//
// Features add the events they listen to by declaration merging, as the server's features do:
//   declare module '../../lib/realtime' { interface RealtimeEvents { 'backup.job': BackupJob } }
import { createContext, useContext, useEffect, useLayoutEffect, useRef, useSyncExternalStore, type ReactNode } from 'react';
import type { Socket } from 'socket.io-client';

/** Server → client events: name → payload. */
export interface RealtimeEvents {
  /** A request the server refused (a room the socket may not join, a malformed message). */
  error: { message: string; code: string };
}

export type RealtimeEventName = keyof RealtimeEvents;
type Handler = (payload: never) => void;

export type ConnectionState = 'signed-out' | 'connecting' | 'connected' | 'disconnected';

export class RealtimeClient {
  private socket: Socket | null = null;
  private userId: number | null = null;
  /** Bumped on every user change, so a connect still loading the library for an old user gives up. */
  private generation = 0;
  private state: ConnectionState = 'signed-out';
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly stateListeners = new Set<() => void>();

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
      socket.on('connect', () => this.setState('connected'));
      socket.on('disconnect', (reason) => {
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
