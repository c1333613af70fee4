// CI and commit statuses: one typed function and one hook per call, and the live links. The
// server says `ci.job {repo, job}` on every state change of a job and `status.created` when a
// commit status is posted (both to the repository's room); pages patch or refetch what they
// hold. A job's log is read over HTTP and then followed with `ci.watch` (see useJobLog).
import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { ApiError, apiGet, apiList, apiSend, type PagedResult } from '../../api/client';
import { useRealtimeConnected, useRepoEvents, useSocketEvent } from '../../lib/realtime';
import { repoPath } from '../repos/api';
import type { AdminCi, CiJob, CiSecret, CiSettings, CombinedStatus, CommitStatus, CombinedState, JobState, StatusSummary } from './types';

declare module '../../lib/realtime' {
  interface RealtimeEvents {
    /** A CI job of `repo` ("owner/name") changed state. */
    'ci.job': { repo: string; job: CiJob };
    /** Output of a watched job after `offset` (bytes of the stored log). */
    'ci.log': { repo: string; id: number; offset: number; text: string };
    /** A commit status was posted in a repository the socket's room is for. */
    'status.created': { repository: { id: number; full_name: string }; sha: string; status: CommitStatus; combined_state: CombinedState };
  }
}

export const JOBS_PER_PAGE = 30;
/** Statuses the batch endpoint answers for at most, per call. */
export const STATUS_BATCH = 100;

const low = (s: string) => s.toLowerCase();
const jobsKey = (owner: string, repo: string) => ['ci-jobs', low(owner), low(repo)] as const;
const jobKey = (owner: string, repo: string, id: number) => ['ci-job', low(owner), low(repo), id] as const;
const jobPath = (owner: string, repo: string, id: number) => `${repoPath(owner, repo)}/ci/jobs/${id}`;

export const isFinished = (state: JobState) => state !== 'queued' && state !== 'running';

export interface JobFilter {
  branch?: string;
  state?: JobState;
  page: number;
}

export function listJobs(owner: string, repo: string, f: JobFilter): Promise<PagedResult<CiJob>> {
  return apiList<CiJob>(`${repoPath(owner, repo)}/ci/jobs`, { branch: f.branch, state: f.state, page: f.page, limit: JOBS_PER_PAGE });
}

export function useJobs(owner: string, repo: string, f: JobFilter) {
  const live = useLiveJobs(owner, repo);
  const q = useQuery({
    queryKey: [...jobsKey(owner, repo), f],
    queryFn: () => listJobs(owner, repo, f),
    placeholderData: keepPreviousData,
    // without the room (signed out, reconnecting), a page with unfinished jobs is asked again
    refetchInterval: (query) => (!live && query.state.data?.items.some((j) => !isFinished(j.state)) ? 3_000 : false),
  });
  return { ...q, live };
}

export function getJob(owner: string, repo: string, id: number): Promise<CiJob> {
  return apiGet<CiJob>(jobPath(owner, repo, id));
}

/** Of two reports of one job, the one further along (a fetch answered before the last event must not undo it). */
function furthest(held: CiJob | undefined, fetched: CiJob): CiJob {
  if (!held || held.id !== fetched.id) return fetched;
  if (isFinished(held.state) && !isFinished(fetched.state)) return held;
  if (held.state === 'running' && fetched.state === 'queued') return held;
  return fetched;
}

export function useJob(owner: string, repo: string, id: number) {
  const qc = useQueryClient();
  const live = useLiveJobs(owner, repo);
  const q = useQuery({
    queryKey: jobKey(owner, repo, id),
    queryFn: async () => furthest(qc.getQueryData<CiJob>(jobKey(owner, repo, id)), await getJob(owner, repo, id)),
    // without the room (signed out, reconnecting) a job that hasn't finished is asked about
    refetchInterval: (query) => (live || !query.state.data || isFinished(query.state.data.state) ? false : 2_000),
  });
  return { ...q, live };
}

/** Keeps cached jobs in step with `ci.job` events; answers whether they arrive live. */
export function useLiveJobs(owner: string, repo: string): boolean {
  const qc = useQueryClient();
  const full = `${owner}/${repo}`.toLowerCase();
  const live = useRepoEvents(owner, repo, 'ci.job', (e) => {
    if (e.repo.toLowerCase() !== full) return;
    qc.setQueryData<CiJob>(jobKey(owner, repo, e.job.id), (held) => furthest(held, e.job));
    void qc.invalidateQueries({ queryKey: jobsKey(owner, repo) });
    void invalidateStatuses(qc, owner, repo, e.job.sha);
  });
  // events missed while the room was left: ask again once it is joined
  const was = useRef(live);
  useEffect(() => {
    if (live && !was.current) {
      void qc.invalidateQueries({ queryKey: jobsKey(owner, repo) });
      void qc.invalidateQueries({ queryKey: ['ci-job', low(owner), low(repo)] });
    }
    was.current = live;
  }, [live, qc, owner, repo]);
  return live;
}

export function rerunJob(owner: string, repo: string, id: number): Promise<CiJob> {
  return apiSend<CiJob>('POST', `${jobPath(owner, repo, id)}/rerun`, {});
}

export function useRerunJob(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => rerunJob(owner, repo, id),
    onSuccess: (job) => {
      // the new job may already have started (its `ci.job` event can beat this answer): never back to queued
      qc.setQueryData<CiJob>(jobKey(owner, repo, job.id), (held) => furthest(held, job));
      return qc.invalidateQueries({ queryKey: jobsKey(owner, repo) });
    },
  });
}

export function cancelJob(owner: string, repo: string, id: number): Promise<CiJob> {
  return apiSend<CiJob>('POST', `${jobPath(owner, repo, id)}/cancel`, {});
}

export function useCancelJob(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => cancelJob(owner, repo, id),
    onSuccess: (job) => {
      qc.setQueryData<CiJob>(jobKey(owner, repo, job.id), (held) => furthest(held, job));
      return qc.invalidateQueries({ queryKey: jobsKey(owner, repo) });
    },
  });
}

/** The stored log of a job from byte `offset` on (ANSI kept), as bytes. */
export async function fetchLog(owner: string, repo: string, id: number, offset: number, signal?: AbortSignal): Promise<Uint8Array> {
  const url = `/api/v1${jobPath(owner, repo, id)}/log?offset=${offset}`;
  const res = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/plain' }, signal });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      message = ((await res.json()) as { message?: string }).message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(res.status, message);
  }
  return new Uint8Array(await res.arrayBuffer());
}

/** The raw log's address, for "Raw log". */
export const rawLogUrl = (owner: string, repo: string, id: number) => `/api/v1${jobPath(owner, repo, id)}/log`;

export const getAdminCi = () => apiGet<AdminCi>('/admin/ci');

/** The console's view: backend, limits, queue and running jobs; live while jobs move. */
export function useAdminCi() {
  const qc = useQueryClient();
  const connected = useRealtimeConnected();
  useSocketEvent('ci.job', () => void qc.invalidateQueries({ queryKey: ['console', 'ci'] }));
  return useQuery({
    queryKey: ['console', 'ci'],
    queryFn: getAdminCi,
    // ci.job reaches an administrator only for the repositories whose rooms this tab is in:
    // the queue is asked about too, often while something is queued or running
    refetchInterval: (q) => (q.state.data && (q.state.data.queued.length > 0 || q.state.data.running.length > 0) ? 2_000 : connected ? 10_000 : 5_000),
  });
}

// --- commit statuses ---------------------------------------------------------------------

const summariesKey = (owner: string, repo: string) => ['ci-statuses', low(owner), low(repo)] as const;
const combinedKey = (owner: string, repo: string, sha: string) => ['ci-status', low(owner), low(repo), low(sha)] as const;

/** Refetches what is cached about `sha`'s statuses (every batch holding it, and its combined status). */
export function invalidateStatuses(qc: QueryClient, owner: string, repo: string, sha: string): Promise<void> {
  const commit = low(sha);
  return qc.invalidateQueries({
    predicate: (q) => {
      const [kind, o, r, which] = q.queryKey as [unknown, unknown, unknown, unknown];
      if (o !== low(owner) || r !== low(repo)) return false;
      if (kind === 'ci-status') return which === commit;
      return kind === 'ci-statuses' && Array.isArray(which) && which.includes(commit);
    },
  });
}

/** The combined state of up to STATUS_BATCH commits in one request: sha → {state, total_count}. */
export function getStatusSummaries(owner: string, repo: string, shas: readonly string[]): Promise<Record<string, StatusSummary>> {
  const q = new URLSearchParams();
  for (const sha of shas) q.append('sha', sha);
  return apiGet<Record<string, StatusSummary>>(`${repoPath(owner, repo)}/statuses?${q.toString()}`);
}

/**
 * The status icons of a page of commits: one request for all of them (more than STATUS_BATCH
 * are asked in several), kept live with the repository's `status.created` and `ci.job` events.
 */
export function useStatusSummaries(owner: string, repo: string, shas: readonly string[]) {
  useLiveStatuses(owner, repo);
  const unique = [...new Set(shas.map(low))];
  return useQuery({
    queryKey: [...summariesKey(owner, repo), unique] as const,
    queryFn: async () => {
      const parts: Array<Promise<Record<string, StatusSummary>>> = [];
      for (let i = 0; i < unique.length; i += STATUS_BATCH) parts.push(getStatusSummaries(owner, repo, unique.slice(i, i + STATUS_BATCH)));
      return Object.assign({}, ...(await Promise.all(parts))) as Record<string, StatusSummary>;
    },
    enabled: unique.length > 0,
    placeholderData: keepPreviousData,
  });
}

export function getCombinedStatus(owner: string, repo: string, sha: string): Promise<CombinedStatus> {
  return apiGet<CombinedStatus>(`${repoPath(owner, repo)}/commits/${encodeURIComponent(sha)}/status`, { limit: 50 });
}

export function useCombinedStatus(owner: string, repo: string, sha: string, enabled = true) {
  return useQuery({ queryKey: combinedKey(owner, repo, sha), queryFn: () => getCombinedStatus(owner, repo, sha), enabled });
}

/** Refetches cached statuses of a commit when one is posted or a job of it moves. */
export function useLiveStatuses(owner: string, repo: string): boolean {
  const qc = useQueryClient();
  const full = `${owner}/${repo}`.toLowerCase();
  useRepoEvents(owner, repo, 'ci.job', (e) => {
    if (e.repo.toLowerCase() === full) void invalidateStatuses(qc, owner, repo, e.job.sha);
  });
  const live = useRepoEvents(owner, repo, 'status.created', (e) => {
    if (e.repository.full_name.toLowerCase() === full) void invalidateStatuses(qc, owner, repo, e.sha);
  });
  const was = useRef(live);
  useEffect(() => {
    if (live && !was.current) {
      void qc.invalidateQueries({ queryKey: summariesKey(owner, repo) });
      void qc.invalidateQueries({ queryKey: ['ci-status', low(owner), low(repo)] });
    }
    was.current = live;
  }, [live, qc, owner, repo]);
  return live;
}

// --- a repository's CI settings: its image (site administrators) and its secrets ----------

const settingsKey = (owner: string, repo: string) => ['ci-settings', low(owner), low(repo)] as const;
const secretsKey = (owner: string, repo: string) => ['ci-secrets', low(owner), low(repo)] as const;
const secretPath = (owner: string, repo: string, name: string) => `${repoPath(owner, repo)}/ci/secrets/${encodeURIComponent(name)}`;

export function getCiSettings(owner: string, repo: string): Promise<CiSettings> {
  return apiGet<CiSettings>(`${repoPath(owner, repo)}/ci/settings`);
}

export function useCiSettings(owner: string, repo: string) {
  return useQuery({ queryKey: settingsKey(owner, repo), queryFn: () => getCiSettings(owner, repo) });
}

/** Sets the repository's image (null: the console's default); site administrators only. */
export function setCiImage(owner: string, repo: string, image: string | null): Promise<CiSettings> {
  return apiSend<CiSettings>('PATCH', `${repoPath(owner, repo)}/ci/settings`, { image });
}

export function useSetCiImage(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (image: string | null) => setCiImage(owner, repo, image),
    onSuccess: (settings) => qc.setQueryData(settingsKey(owner, repo), settings),
  });
}

/** Every secret's name (a repository holds at most 100; the API pages by 50). */
export async function listSecrets(owner: string, repo: string): Promise<CiSecret[]> {
  const first = await apiList<CiSecret>(`${repoPath(owner, repo)}/ci/secrets`, { page: 1, limit: 50 });
  const out = [...first.items];
  for (let page = 2; first.total !== null && out.length < first.total && page <= 10; page++) {
    const next = await apiList<CiSecret>(`${repoPath(owner, repo)}/ci/secrets`, { page, limit: 50 });
    if (next.items.length === 0) break;
    out.push(...next.items);
  }
  return out;
}

export function useSecrets(owner: string, repo: string) {
  return useQuery({ queryKey: secretsKey(owner, repo), queryFn: () => listSecrets(owner, repo) });
}

/** Creates or replaces a secret (its value is never sent back). */
export function putSecret(owner: string, repo: string, name: string, data: string): Promise<void> {
  return apiSend('PUT', secretPath(owner, repo, name), { data });
}

export function usePutSecret(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ name, data }: { name: string; data: string }) => putSecret(owner, repo, name, data),
    onSuccess: () => qc.invalidateQueries({ queryKey: secretsKey(owner, repo) }),
  });
}

export function deleteSecret(owner: string, repo: string, name: string): Promise<void> {
  return apiSend('DELETE', secretPath(owner, repo, name));
}

export function useDeleteSecret(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => deleteSecret(owner, repo, name),
    onSuccess: () => qc.invalidateQueries({ queryKey: secretsKey(owner, repo) }),
  });
}
