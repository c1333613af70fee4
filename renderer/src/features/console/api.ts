// The operator console's calls: dashboard status, settings, users, backups, logs, maintenance,
// and the first-run wizard. One typed function and one hook per call.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { ApiError, apiGet, apiList, apiSend, apiUpload, apiUrl } from '../../api/client';
import { useRealtimeConnected, useSocketEvent } from '../../lib/realtime';
import type { User } from '../users/types';

export interface LanUrl {
  address: string;
  http: string;
  ssh: string | null;
  http_qr_svg: string;
  ssh_qr_svg: string | null;
}

export interface Status {
  status: 'running' | 'maintenance';
  maintenance: { enabled: boolean; message: string };
  version: string;
  instance_name: string;
  started_at: string;
  uptime_seconds: number;
  main_url: string;
  urls: LanUrl[];
  ports: { http: number; ssh: number | null; git: number | null };
  transports: { http: boolean; ssh: boolean; git: boolean };
  ssh: { host_key: string; host_key_fingerprint: string; config_snippet: string; known_hosts_line: string } | null;
  disk: { data_dir: string; data: { bytes: number; files: number; complete: boolean }; free_bytes: number | null; total_bytes: number | null };
  counts: { repositories: number; users: number; organizations: number };
  git_sessions: { active: number; pushes_in_flight: number; pack_processes: number; pack_queued: number };
  mdns: { enabled: boolean; advertising: boolean };
}

export const getStatus = () => apiGet<Status>('/admin/status');
export function useStatus() {
  return useQuery({ queryKey: ['console', 'status'], queryFn: getStatus, refetchInterval: 10_000 });
}

export type Settings = Record<string, unknown>;
export const getSettings = () => apiGet<Settings>('/admin/settings');
export function useSettings() {
  return useQuery({ queryKey: ['console', 'settings'], queryFn: getSettings });
}
export const patchSettings = (patch: Settings) => apiSend<Settings>('PATCH', '/admin/settings', patch);
export function usePatchSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: patchSettings,
    onSuccess: (data) => {
      qc.setQueryData(['console', 'settings'], data);
      void qc.invalidateQueries({ queryKey: ['console', 'status'] });
      void qc.invalidateQueries({ queryKey: ['session'] });
    },
  });
}

export const sendTestMail = (to?: string) => apiSend<{ to: string; accepted: string[] }>('POST', '/admin/mail/test', to ? { to } : {});
export function useSendTestMail() {
  return useMutation({ mutationFn: sendTestMail });
}

export interface Maintenance {
  enabled: boolean;
  message: string;
  waited_for?: number;
}
export const setMaintenance = (body: { enabled: boolean; message?: string }) => apiSend<Maintenance>('PUT', '/admin/maintenance', body);
export function useSetMaintenance() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: setMaintenance,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['console'] });
      void qc.invalidateQueries({ queryKey: ['session'] });
    },
  });
}

export const listUsers = (q: string, page: number) => apiList<User>('/admin/users', { q, page, limit: 25 });
export function useAdminUsers(q: string, page: number) {
  return useQuery({ queryKey: ['console', 'users', q, page], queryFn: () => listUsers(q, page), placeholderData: (prev) => prev });
}
export const createUser = (body: { username: string; email: string; password: string; admin: boolean; must_change_password?: boolean }) => apiSend<User>('POST', '/admin/users', body);
export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: createUser, onSuccess: () => qc.invalidateQueries({ queryKey: ['console', 'users'] }) });
}
export const editUser = ({
  username,
  ...body
}: {
  username: string;
  admin?: boolean;
  prohibit_login?: boolean;
  active?: boolean;
  password?: string;
  /** with a password: the user must choose a new one at the next sign-in */
  must_change_password?: boolean;
}) => apiSend<User>('PATCH', `/admin/users/${encodeURIComponent(username)}`, body);
export function useEditUser() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: editUser, onSuccess: () => qc.invalidateQueries({ queryKey: ['console', 'users'] }) });
}
/** Turns a user's two-factor sign-in off (lost phone and recovery codes); 404 when it isn't on. */
export const resetTwoFactor = (username: string) => apiSend('DELETE', `/admin/users/${encodeURIComponent(username)}/2fa`);
export function useResetTwoFactor() {
  return useMutation({ mutationFn: resetTwoFactor });
}

export interface VerifyResult {
  ok: boolean;
  checked_at?: string;
  error?: string | null;
  [k: string]: unknown;
}
export interface Backup {
  name: string;
  size: number;
  created_at: string;
  kind: string;
  app_version: string | null;
  schema_version: string | null;
  repositories: number | null;
  /** The CI job logs the backup lists, and whether their bytes are in it (null: no list). */
  ci_logs: { included: boolean; count: number; bytes: number } | null;
  verify: VerifyResult | null;
}
export interface BackupJob {
  id: string;
  type: 'create' | 'verify' | 'restore' | 'move-db';
  state: 'running' | 'restarting' | 'done' | 'failed';
  phase: string;
  done: number;
  total: number;
  bytes: number;
  error: string | null;
  name: string | null;
  result: unknown;
  started_at: string;
  finished_at: string | null;
}
export interface Schedule {
  schedule: 'off' | 'daily' | 'weekly';
  time: string;
  weekday: number;
  keep: number;
  next_run_at: string | null;
  last_run: unknown;
}

export const listBackups = () => apiGet<Backup[]>('/admin/backups');
export function useBackups() {
  return useQuery({ queryKey: ['console', 'backups'], queryFn: listBackups });
}
export const startBackup = (opts: { include_ci_logs?: boolean } = {}) => apiSend<BackupJob>('POST', '/admin/backups', opts);
export const startVerify = (name: string) => apiSend<BackupJob>('POST', `/admin/backups/${encodeURIComponent(name)}/verify`, {});
export const startRestore = (name: string) => apiSend<BackupJob>('POST', `/admin/backups/${encodeURIComponent(name)}/restore`, {});
export const deleteBackup = (name: string) => apiSend('DELETE', `/admin/backups/${encodeURIComponent(name)}`);
export const downloadUrl = (name: string) => apiUrl(`/admin/backups/${encodeURIComponent(name)}/download`);
/** Where the records are: SQLite (the file) or PostgreSQL (the URL without its password). */
export interface DatabaseInfo {
  kind: 'sqlite' | 'postgres';
  location: string;
}
export const getDatabase = () => apiGet<DatabaseInfo>('/admin/database');
export function useDatabase() {
  return useQuery({ queryKey: ['console', 'database'], queryFn: getDatabase });
}
/** Moves the records to an empty PostgreSQL database: checked first (422), then a job that restarts the forge. */
export const startMoveDb = (to: string) => apiSend<BackupJob>('POST', '/admin/database/move', { to });
export const getJob = (id: string) => apiGet<BackupJob>(`/admin/backups/jobs/${encodeURIComponent(id)}`);

declare module '../../lib/realtime' {
  interface RealtimeEvents {
    /** To site administrators: a backup job changed phase or made progress. */
    'backup.job': BackupJob;
  }
}

const jobKey = (id: string | null) => ['console', 'job', id] as const;
const finished = (job: BackupJob | undefined) => job?.state === 'done' || job?.state === 'failed';

/** Of two reports of one job, the one further along (a fetch answered before the last event must not undo it). */
function furthest(held: BackupJob | undefined, fetched: BackupJob): BackupJob {
  if (!held || held.id !== fetched.id) return fetched;
  if (finished(held) && !finished(fetched)) return held;
  if (!finished(fetched) && fetched.state === held.state && fetched.phase === held.phase && fetched.done < held.done) return held;
  return fetched;
}

/**
 * A job's progress. While the tab's socket is connected it follows the `backup.job` events (and
 * looks every 3 s, in case one was missed); without the socket (not connected yet, or the forge
 * restarting after a restore) it asks every half second until the job is done or failed.
 */
/**
 * The job as starting it answered, shown at once: a restore can take the server down to restart
 * before the first poll of the job is answered, and the page must still show what it started.
 */
export function rememberJob(qc: ReturnType<typeof useQueryClient>, job: BackupJob): void {
  qc.setQueryData<BackupJob>(jobKey(job.id), (held) => held ?? job);
}

export function useJob(id: string | null) {
  const qc = useQueryClient();
  const connected = useRealtimeConnected();
  useSocketEvent('backup.job', (job) => {
    if (job.id === id) qc.setQueryData<BackupJob>(jobKey(id), (held) => (finished(held) && !finished(job) ? held : job));
  });
  const q = useQuery({
    queryKey: jobKey(id),
    queryFn: async () => furthest(qc.getQueryData<BackupJob>(jobKey(id)), await getJob(id!)),
    enabled: id !== null,
    // live through the socket; a slow look as well, so an event missed on the way (a socket that
    // reconnected in between) can't leave the page showing a finished job as running
    refetchInterval: (q) => (q.state.error || finished(q.state.data) ? false : connected ? 3_000 : 500),
    // while a restore restarts the server, requests fail for a moment: keep trying for a minute;
    // an answer from the server (say 401: the restored data doesn't know this session) ends it
    retry: (count, err) => !(err instanceof ApiError) && count < 120,
    retryDelay: 500,
  });
  // events missed while the socket was down: ask once when it (re)connects
  const wasConnected = useRef(connected);
  const refetch = q.refetch;
  useEffect(() => {
    if (connected && !wasConnected.current && id !== null) void refetch();
    wasConnected.current = connected;
  }, [connected, id, refetch]);
  return q;
}

export function useBackupAction<T extends unknown[]>(fn: (...args: T) => Promise<unknown>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (args: T) => fn(...args), onSettled: () => qc.invalidateQueries({ queryKey: ['console', 'backups'] }) });
}

export const getSchedule = () => apiGet<Schedule>('/admin/backups/schedule');
export function useSchedule() {
  return useQuery({ queryKey: ['console', 'schedule'], queryFn: getSchedule });
}
export const putSchedule = (body: { schedule: string; time: string; weekday: number; keep: number }) => apiSend<Schedule>('PUT', '/admin/backups/schedule', body);
export function usePutSchedule() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: putSchedule, onSuccess: (data) => qc.setQueryData(['console', 'schedule'], data) });
}

/** Uploads an archive file (the raw body) into the backups folder. */
export const uploadBackup = (file: File) => apiUpload<Backup>('/admin/backups/upload', file, 'application/gzip');

export interface LogLine {
  time: string;
  level: string;
  msg: string;
  component?: string;
  detail?: unknown;
}
export const getLogs = (level: string, q: string) => apiGet<{ lines: LogLine[]; scanned_bytes: number; more: boolean }>('/admin/logs', { level, q, limit: 300 });
export function useLogs(level: string, q: string, live: boolean) {
  return useQuery({ queryKey: ['console', 'logs', level, q], queryFn: () => getLogs(level, q), refetchInterval: live ? 3_000 : false, placeholderData: (prev) => prev });
}

export interface SetupDefaults {
  instance_name: string;
  public_url: string;
  registration: 'open' | 'approval' | 'closed';
  transports: { http: boolean; ssh: boolean; git: boolean };
  ports: { http: number; ssh: number | null; git: number | null };
  mdns: boolean;
}
export interface SetupInfo {
  setup_required: boolean;
  addresses?: Array<{ address: string; url: string; [k: string]: unknown }>;
  urls?: Array<{ kind: string; http: string; ssh: string | null }>;
  listening?: { host: string; http: number; ssh: number | null; git: number | null };
  defaults?: SetupDefaults;
}
export const getSetupInfo = (token: string) => apiGet<SetupInfo>('/setup/info', { token });
export function useSetupInfo(token: string) {
  return useQuery({ queryKey: ['setup', 'info', token], queryFn: () => getSetupInfo(token), enabled: token !== '' });
}

/** First run: upload an archive and restore it instead of creating an administrator. */
export const setupRestore = (token: string, file: File) => apiUpload<BackupJob>('/setup/restore', file, 'application/gzip', { token });
export const getSetupRestoreJob = (token: string, id: string) => apiGet<BackupJob>(`/setup/restore/jobs/${encodeURIComponent(id)}`, { token });

// ---- the event outbox -------------------------------------------------------------------

export interface OutboxSubscriber {
  name: string;
  events: string[];
  pending: number;
  running: number;
  dead: number;
}
export interface DeadDelivery {
  event_id: number;
  type: string;
  subscriber: string;
  attempts: number;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}
export const getOutbox = () => apiGet<{ subscribers: OutboxSubscriber[]; dead: DeadDelivery[] }>('/admin/events');
export function useOutbox() {
  return useQuery({ queryKey: ['console', 'events'], queryFn: getOutbox, refetchInterval: 5_000 });
}
export const retryDead = (which?: { event_id: number; subscriber: string }) => apiSend<{ retried: number }>('POST', '/admin/events/retry', which ?? {});
export function useRetryDead() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: retryDead, onSuccess: () => void qc.invalidateQueries({ queryKey: ['console', 'events'] }) });
}

// ---- reports ------------------------------------------------------------------------------------

export interface Report {
  id: number;
  kind: 'post' | 'message' | 'user';
  state: 'open' | 'resolved' | 'dismissed';
  reason: string;
  reporter: User | null;
  user: User | null;
  post: { id: number; body: string; hidden: boolean } | null;
  message: { id: number; thread_id: number; body: string; hidden: boolean } | null;
  resolution: string | null;
  created_at: string;
  resolved_at: string | null;
}

declare module '../../lib/realtime' {
  interface RealtimeEvents {
    /** Someone reported something (administrators). */
    'report.created': { id: number };
  }
}

const reportsKey = (state: string) => ['console', 'reports', state] as const;

export function useReports(state: 'open' | 'all') {
  const qc = useQueryClient();
  useSocketEvent('report.created', () => void qc.invalidateQueries({ queryKey: ['console', 'reports'] }));
  return useQuery({ queryKey: reportsKey(state), queryFn: () => apiGet<Report[]>('/admin/reports', { state }) });
}

export function useResolveReport() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, state, action }: { id: number; state: 'resolved' | 'dismissed'; action: 'hide' | 'disable' | 'none' }) => apiSend<Report>('PATCH', `/admin/reports/${id}`, { state, action }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['console', 'reports'] }),
  });
}
