// Direct messages: your threads, one thread's messages, writing, reading, typing, and the
// live events that keep all of it current (a message arrives, the unread count changes,
// someone read or is typing).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend } from '../../api/client';
import type { User } from '../../api/types';
import { useRealtimeConnected, useSocketEvent } from '../../lib/realtime';

export interface Message {
  id: number;
  thread_id: number;
  user: { id: number; login: string; full_name: string } | null;
  body: string;
  body_html: string;
  /** An administrator hid it after a report: its text is withheld. */
  hidden?: boolean;
  created_at: string;
}

export interface Thread {
  id: number;
  kind: 'direct' | 'group';
  title: string;
  members: User[];
  last_message: Message | null;
  unread: number;
  updated_at: string;
  /** GET /messages/threads/{id} only: how far each member has read (null: they keep it to themselves). */
  read?: { user: string; last_read_id: number | null }[];
}

declare module '../../lib/realtime' {
  interface RealtimeEvents {
    message: { thread_id: number; message: Message };
    'message.unread': { count: number };
    'message.read': { thread_id: number; user: string; message_id: number };
    'message.typing': { thread_id: number; user: string };
  }
}

const threadsKey = ['messages', 'threads'] as const;
const threadKey = (id: number) => ['messages', 'thread', id] as const;
const messagesKey = (id: number) => ['messages', 'thread', id, 'messages'] as const;
const unreadKey = ['messages', 'unread'] as const;

export function useThreads() {
  return useQuery({ queryKey: threadsKey, queryFn: () => apiGet<Thread[]>('/messages/threads') });
}

export function useThread(id: number | null) {
  return useQuery({ queryKey: threadKey(id ?? 0), queryFn: () => apiGet<Thread>(`/messages/threads/${id}`), enabled: id !== null });
}

export function useMessages(id: number | null) {
  return useQuery({ queryKey: messagesKey(id ?? 0), queryFn: () => apiGet<Message[]>(`/messages/threads/${id}/messages`, { limit: 100 }), enabled: id !== null });
}

export function useUnreadMessages(enabled: boolean) {
  const connected = useRealtimeConnected();
  return useQuery({ queryKey: unreadKey, queryFn: () => apiGet<{ count: number }>('/messages/unread').then((r) => r.count), enabled, staleTime: connected ? Infinity : 30_000 });
}

export function useOpenThread() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (participants: string[]) => apiSend<Thread>('POST', '/messages/threads', { participants }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: threadsKey }),
  });
}

export function useSend(threadId: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: string) => apiSend<Message>('POST', `/messages/threads/${threadId}/messages`, { body }),
    onSuccess: (m) => addMessage(qc, m),
  });
}

function addMessage(qc: ReturnType<typeof useQueryClient>, m: Message): void {
  qc.setQueryData<Message[]>(messagesKey(m.thread_id), (list) => (list && !list.some((x) => x.id === m.id) ? [...list, m] : list));
  void qc.invalidateQueries({ queryKey: threadsKey });
}

export function markRead(threadId: number): Promise<unknown> {
  return apiSend('POST', `/messages/threads/${threadId}/read`, {});
}

export function sendTyping(threadId: number): Promise<unknown> {
  return apiSend('POST', `/messages/threads/${threadId}/typing`);
}

/** Header-wide: the unread count follows the socket. */
export function useMessagesLive(): void {
  const qc = useQueryClient();
  useSocketEvent('message.unread', ({ count }) => qc.setQueryData(unreadKey, count));
  useSocketEvent('message', ({ message }) => addMessage(qc, message));
}

/** For an open thread: read receipts and who is typing. */
export function useThreadLive(threadId: number | null, onTyping: (user: string) => void): void {
  const qc = useQueryClient();
  useSocketEvent('message.read', (r) => {
    if (r.thread_id === threadId) void qc.invalidateQueries({ queryKey: threadKey(threadId) });
  });
  useSocketEvent('message.typing', (t) => {
    if (t.thread_id === threadId) onTyping(t.user);
  });
}

/** Messages in your own threads holding `q` (2 characters at least), newest first. */
export function useMessageSearch(q: string) {
  const term = q.trim();
  return useQuery({ queryKey: ['messages', 'search', term], queryFn: () => apiGet<Message[]>('/messages/search', { q: term }), enabled: term.length >= 2 });
}

export function useMessengerSettings() {
  return useQuery({ queryKey: ['messages', 'settings'], queryFn: () => apiGet<{ read_receipts: boolean }>('/messages/settings') });
}

export function useSetReadReceipts() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (on: boolean) => apiSend<{ read_receipts: boolean }>('PATCH', '/messages/settings', { read_receipts: on }),
    onSuccess: (v) => qc.setQueryData(['messages', 'settings'], v),
  });
}
