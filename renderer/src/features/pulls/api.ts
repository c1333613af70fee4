// Pull requests: one typed function and one hook per call, and the live link — the server says
// `pull.updated {repo, number, what}` in the repository's room whenever a pull request changes
// (a push, a comment, a review, mergeability, a merge, an edit), and the open page refetches.
import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { ApiError, apiGet, apiList, apiSend, apiUrl, encodePath, type PagedResult } from '../../api/client';
import { useRepoEvents } from '../../lib/realtime';
import type { Commit } from '../history/types';
import { invalidateRepoViews, repoPath } from '../repos/api';
import type { Repo } from '../repos/types';
import type { ChangedFile, Comparison, LineComment, MergeBody, NewLineComment, OpenPullBody, PullRequest, Review, ReviewEvent, Timeline, TimelineComment } from './types';

declare module '../../lib/realtime' {
  interface RealtimeEvents {
    /** Something about pull request `number` of `repo` ("owner/name") changed. */
    'pull.updated': { repo: string; number: number; what: string };
  }
}

export const PULLS_PER_PAGE = 25;
const low = (s: string) => s.toLowerCase();
const pullsKey = (owner: string, repo: string) => ['pulls', low(owner), low(repo)] as const;
/** Everything cached about one pull request starts with this (the repo-views invalidation matches it too). */
export const pullKey = (owner: string, repo: string, n: number) => ['pull', low(owner), low(repo), n] as const;
const pullPath = (owner: string, repo: string, n: number) => `${repoPath(owner, repo)}/pulls/${n}`;

export type ListState = 'open' | 'closed';

export function listPulls(owner: string, repo: string, state: ListState, page: number): Promise<PagedResult<PullRequest>> {
  return apiList<PullRequest>(`${repoPath(owner, repo)}/pulls`, { state, page, limit: PULLS_PER_PAGE, sort: 'recentupdate' });
}

export function usePulls(owner: string, repo: string, state: ListState, page: number) {
  return useQuery({ queryKey: [...pullsKey(owner, repo), state, page], queryFn: () => listPulls(owner, repo, state, page), placeholderData: keepPreviousData });
}

/** How many pull requests are open (the count header of a one-item page). */
export async function countPulls(owner: string, repo: string, state: ListState): Promise<number> {
  const r = await apiList<PullRequest>(`${repoPath(owner, repo)}/pulls`, { state, limit: 1 });
  return r.total ?? r.items.length;
}

export function usePullCount(owner: string, repo: string, state: ListState, enabled = true) {
  return useQuery({ queryKey: [...pullsKey(owner, repo), 'count', state], queryFn: () => countPulls(owner, repo, state), enabled, staleTime: 30_000 });
}

export function getComparison(owner: string, repo: string, base: string, head: string): Promise<Comparison> {
  return apiGet<Comparison>(`${repoPath(owner, repo)}/compare/${encodePath(`${base}...${head}`)}`);
}

export function useComparison(owner: string, repo: string, base: string, head: string) {
  return useQuery({ queryKey: ['compare', low(owner), low(repo), base, head], queryFn: () => getComparison(owner, repo, base, head), enabled: !!base && !!head, retry: false });
}

/** The forks of a repository the viewer may read (heads for a comparison). */
export function useForks(owner: string, repo: string) {
  return useQuery({ queryKey: ['forks', low(owner), low(repo)], queryFn: () => apiGet<Repo[]>(`${repoPath(owner, repo)}/forks`, { limit: 50 }) });
}

export function openPull(owner: string, repo: string, body: OpenPullBody): Promise<PullRequest> {
  return apiSend<PullRequest>('POST', `${repoPath(owner, repo)}/pulls`, body);
}

export function useOpenPull(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: OpenPullBody) => openPull(owner, repo, body),
    onSuccess: (pr) => {
      qc.setQueryData([...pullKey(owner, repo, pr.number), 'pr'], pr);
      void qc.invalidateQueries({ queryKey: pullsKey(owner, repo) });
      void qc.invalidateQueries({ queryKey: ['compare', low(owner), low(repo)] });
    },
  });
}

export function getPull(owner: string, repo: string, n: number): Promise<PullRequest> {
  return apiGet<PullRequest>(pullPath(owner, repo, n));
}

export function usePull(owner: string, repo: string, n: number) {
  // while mergeability is being computed, ask again now and then (the live event usually comes first)
  return useQuery({ queryKey: [...pullKey(owner, repo, n), 'pr'], queryFn: () => getPull(owner, repo, n), refetchInterval: (q) => (q.state.data?.mergeable_state === 'checking' ? 4_000 : false) });
}

/** Everything about one pull request (and the lists it appears in) is stale. */
export function invalidatePull(qc: QueryClient, owner: string, repo: string, n: number): Promise<void> {
  return Promise.all([qc.invalidateQueries({ queryKey: pullKey(owner, repo, n) }), qc.invalidateQueries({ queryKey: pullsKey(owner, repo) })]).then(() => undefined);
}

export interface PullEdit {
  title?: string;
  body?: string;
  state?: 'open' | 'closed';
  draft?: boolean;
}

export function editPull(owner: string, repo: string, n: number, edit: PullEdit): Promise<PullRequest> {
  return apiSend<PullRequest>('PATCH', pullPath(owner, repo, n), edit);
}

export function useEditPull(owner: string, repo: string, n: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (edit: PullEdit) => editPull(owner, repo, n, edit),
    onSuccess: (pr) => {
      qc.setQueryData([...pullKey(owner, repo, n), 'pr'], pr);
      void invalidatePull(qc, owner, repo, n);
    },
  });
}

export function getTimeline(owner: string, repo: string, n: number): Promise<Timeline> {
  return apiGet<Timeline>(`${pullPath(owner, repo, n)}/timeline`);
}

export function useTimeline(owner: string, repo: string, n: number) {
  return useQuery({ queryKey: [...pullKey(owner, repo, n), 'timeline'], queryFn: () => getTimeline(owner, repo, n) });
}

export function listPullCommits(owner: string, repo: string, n: number): Promise<PagedResult<Commit>> {
  return apiList<Commit>(`${pullPath(owner, repo, n)}/commits`, { limit: 50 });
}

export function usePullCommits(owner: string, repo: string, n: number) {
  return useQuery({ queryKey: [...pullKey(owner, repo, n), 'commits'], queryFn: () => listPullCommits(owner, repo, n) });
}

export function listPullFiles(owner: string, repo: string, n: number): Promise<PagedResult<ChangedFile>> {
  return apiList<ChangedFile>(`${pullPath(owner, repo, n)}/files`);
}

export function usePullFiles(owner: string, repo: string, n: number) {
  return useQuery({ queryKey: [...pullKey(owner, repo, n), 'files'], queryFn: () => listPullFiles(owner, repo, n) });
}

/**
 * The Files tab's requests, started as its route is entered: alongside the repository's request
 * and the page's code, not one after the other (the tab waits for the pull request, and the
 * pull request for the repository).
 */
export function prefetchPullFiles(qc: QueryClient, owner: string, repo: string, n: number): void {
  if (!Number.isSafeInteger(n) || n <= 0) return;
  void qc.prefetchQuery({ queryKey: [...pullKey(owner, repo, n), 'pr'], queryFn: () => getPull(owner, repo, n) });
  void qc.prefetchQuery({ queryKey: [...pullKey(owner, repo, n), 'files'], queryFn: () => listPullFiles(owner, repo, n) });
  void qc.prefetchQuery({ queryKey: [...pullKey(owner, repo, n), 'comments'], queryFn: () => listLineComments(owner, repo, n) });
  void qc.prefetchQuery({ queryKey: [...pullKey(owner, repo, n), 'reviews'], queryFn: () => listReviews(owner, repo, n) });
}

export function setViewed(owner: string, repo: string, n: number, path: string, viewed: boolean): Promise<void> {
  return apiSend(viewed ? 'PUT' : 'DELETE', `${pullPath(owner, repo, n)}/files/viewed`, { path });
}

export function useSetViewed(owner: string, repo: string, n: number) {
  const qc = useQueryClient();
  const key = [...pullKey(owner, repo, n), 'files'];
  return useMutation({
    mutationFn: ({ path, viewed }: { path: string; viewed: boolean }) => setViewed(owner, repo, n, path, viewed),
    onMutate: ({ path, viewed }) => {
      qc.setQueryData<PagedResult<ChangedFile>>(key, (d) => (d ? { ...d, items: d.items.map((f) => (f.filename === path ? { ...f, viewed } : f)) } : d));
    },
    onSettled: () => qc.invalidateQueries({ queryKey: key }),
  });
}

export function listLineComments(owner: string, repo: string, n: number): Promise<LineComment[]> {
  return apiGet<LineComment[]>(`${pullPath(owner, repo, n)}/comments`);
}

export function useLineComments(owner: string, repo: string, n: number) {
  return useQuery({ queryKey: [...pullKey(owner, repo, n), 'comments'], queryFn: () => listLineComments(owner, repo, n) });
}

export function addLineComment(owner: string, repo: string, n: number, c: NewLineComment | { body: string; in_reply_to: number }): Promise<LineComment> {
  return apiSend<LineComment>('POST', `${pullPath(owner, repo, n)}/comments`, c);
}

export function useAddLineComment(owner: string, repo: string, n: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (c: NewLineComment | { body: string; in_reply_to: number }) => addLineComment(owner, repo, n, c),
    // shown at once (the form closes as its thread gets the comment), then everything refetched
    onSuccess: (c) => {
      qc.setQueryData<LineComment[]>([...pullKey(owner, repo, n), 'comments'], (list) => (list && !list.some((x) => x.id === c.id) ? [...list, c] : list));
      void invalidatePull(qc, owner, repo, n);
    },
  });
}

export function resolveThread(owner: string, repo: string, n: number, id: number, resolved: boolean): Promise<void> {
  return apiSend(resolved ? 'PUT' : 'DELETE', `${pullPath(owner, repo, n)}/comments/${id}/resolve`);
}

export function useResolveThread(owner: string, repo: string, n: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, resolved }: { id: number; resolved: boolean }) => resolveThread(owner, repo, n, id, resolved),
    onSuccess: () => invalidatePull(qc, owner, repo, n),
  });
}

export function listReviews(owner: string, repo: string, n: number): Promise<Review[]> {
  return apiGet<Review[]>(`${pullPath(owner, repo, n)}/reviews`);
}

export function useReviews(owner: string, repo: string, n: number) {
  return useQuery({ queryKey: [...pullKey(owner, repo, n), 'reviews'], queryFn: () => listReviews(owner, repo, n) });
}

/** Submits your pending review when you have one, else makes and submits a new review. */
export function submitReview(owner: string, repo: string, n: number, r: { pendingId: number | null; event: ReviewEvent; body: string; commitId: string }): Promise<Review> {
  if (r.pendingId !== null) return apiSend<Review>('POST', `${pullPath(owner, repo, n)}/reviews/${r.pendingId}`, { event: r.event, body: r.body });
  return apiSend<Review>('POST', `${pullPath(owner, repo, n)}/reviews`, { event: r.event, body: r.body, commit_id: r.commitId });
}

export function useSubmitReview(owner: string, repo: string, n: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (r: { pendingId: number | null; event: ReviewEvent; body: string; commitId: string }) => submitReview(owner, repo, n, r),
    // not awaited: the dropdown closes at once, and the page catches up
    onSuccess: () => void invalidatePull(qc, owner, repo, n),
  });
}

/** A comment on the conversation (Gitea's issue comment API serves pull requests too). */
export function addComment(owner: string, repo: string, n: number, body: string): Promise<TimelineComment> {
  return apiSend<TimelineComment>('POST', `${repoPath(owner, repo)}/issues/${n}/comments`, { body });
}

export function useAddComment(owner: string, repo: string, n: number) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (body: string) => addComment(owner, repo, n, body), onSuccess: () => invalidatePull(qc, owner, repo, n) });
}

export function mergePull(owner: string, repo: string, n: number, body: MergeBody): Promise<{ merged: boolean; sha: string; branch_deleted: boolean }> {
  return apiSend('POST', `${pullPath(owner, repo, n)}/merge`, body);
}

export function useMergePull(owner: string, repo: string, n: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: MergeBody) => mergePull(owner, repo, n, body),
    // the base moved and the head branch may be gone: every view of the repository is stale
    onSettled: () => Promise.all([invalidatePull(qc, owner, repo, n), invalidateRepoViews(qc, owner, repo)]),
  });
}

/** Whether a branch exists (the merged box says when the head branch is gone). */
export async function branchExists(owner: string, repo: string, branch: string): Promise<boolean> {
  try {
    await apiGet(`${repoPath(owner, repo)}/branches/${encodePath(branch)}`);
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.notFound) return false;
    throw e;
  }
}

export function useBranchExists(owner: string, repo: string, branch: string, enabled: boolean) {
  return useQuery({ queryKey: ['branch-exists', low(owner), low(repo), branch], queryFn: () => branchExists(owner, repo, branch), enabled });
}

/** The pull request's whole diff as text. */
export function pullDiffUrl(owner: string, repo: string, n: number, kind: 'diff' | 'patch'): string {
  return apiUrl(`${pullPath(owner, repo, n)}.${kind}`);
}

/**
 * Keeps one pull request's page live: joins the repository's room and refetches what is cached
 * about the pull request when the server names it; after a reconnect, refetches once (events
 * may have been missed meanwhile). Answers whether updates arrive live.
 */
export function usePullLive(owner: string, repo: string, n: number): boolean {
  const qc = useQueryClient();
  const full = `${owner}/${repo}`.toLowerCase();
  const live = useRepoEvents(owner, repo, 'pull.updated', (e) => {
    if (e.number === n && e.repo.toLowerCase() === full) void invalidatePull(qc, owner, repo, n);
  });
  const was = useRef(live);
  useEffect(() => {
    if (live && !was.current) void invalidatePull(qc, owner, repo, n);
    was.current = live;
  }, [live, qc, owner, repo, n]);
  return live;
}
