// The security view's calls: one typed function and one hook each. The server says
// `security.scan {repo, scan}` to the repository's administrators whenever a scan moves
// (queued, progress, done, failed); the page patches the latest scan and refetches the findings
// when one finishes.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, apiGet, apiList, apiSend, type PagedResult } from '../../api/client';
import { useRepoEvents } from '../../lib/realtime';
import { repoPath } from '../repos/api';
import type { Finding, FindingState, Scan, ScanSummary, SecuritySettings } from './types';

declare module '../../lib/realtime' {
  interface RealtimeEvents {
    /** A scan of `repo` ("owner/name") moved; to its administrators only. */
    'security.scan': { repo: string; scan: Scan };
  }
}

export const FINDINGS_PER_PAGE = 30;

const low = (s: string) => s.toLowerCase();
const findingsKey = (owner: string, repo: string) => ['security-findings', low(owner), low(repo)] as const;
const summaryKey = (owner: string, repo: string) => ['security-summary', low(owner), low(repo)] as const;
const settingsKey = (owner: string, repo: string) => ['security-settings', low(owner), low(repo)] as const;
const base = (owner: string, repo: string) => `${repoPath(owner, repo)}/security`;

export const scanRunning = (scan: Scan | null | undefined) => !!scan && (scan.state === 'queued' || scan.state === 'running');

export function listFindings(owner: string, repo: string, state: FindingState, page: number): Promise<PagedResult<Finding>> {
  return apiList<Finding>(`${base(owner, repo)}/findings`, { state, page, limit: FINDINGS_PER_PAGE });
}

/** A 404 (not an administrator, or no such repository) is an answer, not a hiccup to retry. */
const notFound = (n: number, err: unknown) => !(err instanceof ApiError && err.notFound) && n < 2;

export function useFindings(owner: string, repo: string, state: FindingState, page: number, enabled = true) {
  return useQuery({ queryKey: [...findingsKey(owner, repo), state, page], queryFn: () => listFindings(owner, repo, state, page), placeholderData: keepPreviousData, retry: notFound, enabled });
}

export function getScanSummary(owner: string, repo: string): Promise<ScanSummary> {
  return apiGet<ScanSummary>(`${base(owner, repo)}/scans/latest`, { kind: 'full' });
}

/** The latest full scan and the counts, kept live with `security.scan` (polled while a scan runs without the room). */
export function useScanSummary(owner: string, repo: string, enabled = true) {
  const qc = useQueryClient();
  const full = low(`${owner}/${repo}`);
  const live = useRepoEvents(owner, repo, 'security.scan', (e) => {
    if (low(e.repo) !== full) return;
    if (e.scan.kind === 'full') qc.setQueryData<ScanSummary>(summaryKey(owner, repo), (held) => (held && (!held.scan || held.scan.id <= e.scan.id) ? { ...held, scan: e.scan } : held));
    if (e.scan.state === 'done') {
      void qc.invalidateQueries({ queryKey: findingsKey(owner, repo) });
      void qc.invalidateQueries({ queryKey: summaryKey(owner, repo) });
    }
  });
  const q = useQuery({
    queryKey: summaryKey(owner, repo),
    queryFn: () => getScanSummary(owner, repo),
    refetchInterval: (query) => (!live && scanRunning(query.state.data?.scan) ? 1_500 : false),
    retry: notFound,
    enabled,
  });
  return { ...q, live };
}

export function startScan(owner: string, repo: string): Promise<Scan> {
  return apiSend<Scan>('POST', `${base(owner, repo)}/scans`, {});
}

export function useStartScan(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => startScan(owner, repo),
    onSuccess: (scan) => qc.setQueryData<ScanSummary>(summaryKey(owner, repo), (held) => (held ? { ...held, scan } : held)),
  });
}

export function setFindingState(owner: string, repo: string, id: number, state: FindingState, reason?: string): Promise<Finding> {
  return apiSend<Finding>('PATCH', `${base(owner, repo)}/findings/${id}`, reason === undefined ? { state } : { state, reason });
}

export function useSetFindingState(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: number; state: FindingState; reason?: string }) => setFindingState(owner, repo, v.id, v.state, v.reason),
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: findingsKey(owner, repo) }), qc.invalidateQueries({ queryKey: summaryKey(owner, repo) })]),
  });
}

export function getSecuritySettings(owner: string, repo: string): Promise<SecuritySettings> {
  return apiGet<SecuritySettings>(`${base(owner, repo)}/settings`);
}

export function useSecuritySettings(owner: string, repo: string) {
  return useQuery({ queryKey: settingsKey(owner, repo), queryFn: () => getSecuritySettings(owner, repo), retry: notFound });
}

export function setSecuritySettings(owner: string, repo: string, patch: Partial<SecuritySettings>): Promise<SecuritySettings> {
  return apiSend<SecuritySettings>('PATCH', `${base(owner, repo)}/settings`, patch);
}

export function useSetSecuritySettings(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: Partial<SecuritySettings>) => setSecuritySettings(owner, repo, patch),
    onSuccess: (settings) => qc.setQueryData(settingsKey(owner, repo), settings),
  });
}
