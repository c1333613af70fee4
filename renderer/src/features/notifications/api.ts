// Notifications: the signed-in user's threads (Gitea's NotificationThread), the unread count the
// header shows, marking read/unread, and which kinds also mail you. The count and the lists stay
// live over the tab's socket: a `notification` event bumps the count and refetches, a
// `notification.count` event (threads marked read in another tab) sets it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { apiGet, apiList, apiSend, type PagedResult } from '../../api/client';
import { useRealtimeConnected, useSocketEvent } from '../../lib/realtime';

export type SubjectType = 'Commit' | 'Repository' | 'Issue' | 'Pull' | 'Post';

export interface NotificationThread {
  id: number;
  unread: boolean;
  pinned: boolean;
  subject: { title: string; url: string; html_url: string; type: SubjectType; state: string | null };
  repository: { id: number; name: string; full_name: string; owner: { login: string }; private: boolean; html_url: string } | null;
  updated_at: string;
  url: string;
}

export type MailKind = 'push' | 'collaborator' | 'mention' | 'assign' | 'review' | 'comment' | 'ci';

export interface NotificationSettings {
  mail: Record<MailKind, boolean>;
  smtp_configured: boolean;
}

declare module '../../lib/realtime' {
  interface RealtimeEvents {
    /** A new thread for this user. */
    notification: NotificationThread;
    /** The unread count after threads were marked read (or unread) elsewhere. */
    'notification.count': { new: number };
  }
}

export const notificationsKey = ['notifications'] as const;
const countKey = [...notificationsKey, 'count'] as const;
const listKey = (all: boolean, page: number) => [...notificationsKey, 'list', all ? 'all' : 'unread', page] as const;
const settingsKey = [...notificationsKey, 'settings'] as const;
export const PAGE_SIZE = 20;

export function getUnreadCount(): Promise<number> {
  return apiGet<{ new: number }>('/notifications/new').then((r) => r.new);
}

/** The unread count (only asked for when signed in). Live while the socket is connected; polled slowly when it isn't. */
export function useUnreadCount(enabled: boolean) {
  const connected = useRealtimeConnected();
  return useQuery({ queryKey: countKey, queryFn: getUnreadCount, enabled, staleTime: connected ? Infinity : 30_000, refetchInterval: enabled && !connected ? 60_000 : false });
}

/** Keeps the count and the lists in step with the socket; mounted once, by the header's bell. */
export function useNotificationLiveUpdates(enabled: boolean): void {
  const qc = useQueryClient();
  const connected = useRealtimeConnected();
  useSocketEvent('notification', (thread) => {
    if (thread.unread) qc.setQueryData<number>(countKey, (n) => (n ?? 0) + 1);
    void qc.invalidateQueries({ queryKey: notificationsKey });
  });
  useSocketEvent('notification.count', ({ new: n }) => {
    qc.setQueryData<number>(countKey, n);
    void qc.invalidateQueries({ queryKey: [...notificationsKey, 'list'] });
  });
  // what arrived while the socket was down (or before it first connected) is fetched once
  const wasConnected = useRef(connected);
  useEffect(() => {
    if (enabled && connected && !wasConnected.current) void qc.invalidateQueries({ queryKey: notificationsKey });
    wasConnected.current = connected;
  }, [enabled, connected, qc]);
}

export function listNotifications(all: boolean, page: number): Promise<PagedResult<NotificationThread>> {
  return apiList<NotificationThread>('/notifications', { all: all ? 'true' : undefined, page, limit: PAGE_SIZE });
}

export function useNotifications(all: boolean, page: number) {
  return useQuery({ queryKey: listKey(all, page), queryFn: () => listNotifications(all, page), placeholderData: (prev) => prev });
}

/** Marks every unread thread read (the server answers 205, which carries no body for fetch). */
export function markAllRead(): Promise<void> {
  return apiSend('PUT', '/notifications');
}

export function useMarkAllRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: markAllRead,
    onSuccess: () => {
      qc.setQueryData<number>(countKey, 0);
      void qc.invalidateQueries({ queryKey: notificationsKey });
    },
  });
}

export function setThreadStatus({ id, status }: { id: number; status: 'read' | 'unread' | 'pinned' }): Promise<void> {
  return apiSend('PATCH', `/notifications/threads/${id}`, undefined, { 'to-status': status });
}

export function useSetThreadStatus() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: setThreadStatus, onSuccess: () => qc.invalidateQueries({ queryKey: notificationsKey }) });
}

export function getNotificationSettings(): Promise<NotificationSettings> {
  return apiGet<NotificationSettings>('/notifications/settings');
}

export function useNotificationSettings() {
  return useQuery({ queryKey: settingsKey, queryFn: getNotificationSettings });
}

export function saveNotificationSettings(mail: Partial<Record<MailKind, boolean>>): Promise<NotificationSettings> {
  return apiSend<NotificationSettings>('PUT', '/notifications/settings', { mail });
}

export function useSaveNotificationSettings() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: saveNotificationSettings, onSuccess: (saved) => qc.setQueryData(settingsKey, saved) });
}

/** A thread's link as a path on this site (the server may write absolute URLs with its public address). */
export function sitePath(htmlUrl: string): string {
  try {
    const url = new URL(htmlUrl, window.location.origin);
    return url.pathname + url.search + url.hash;
  } catch {
    return '/';
  }
}
