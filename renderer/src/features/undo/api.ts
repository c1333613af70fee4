// Undo: revert a commit, restore a path as it was at a commit, reset a branch and undo the
// reset. One typed function and one hook per call; every write refreshes the repository's
// views (branches, logs, trees, the resets list), which all key on [_, owner, repo, …].
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiList, apiSend } from '../../api/client';
import { invalidateRepoViews, repoPath } from '../repos/api';
import type { RecentCommit, ResetBackup, ResetBody, ResetResult, RestoreBody, RestoreResult, RevertBody, RevertResult, UndoResetResult } from './types';

export function revertCommit(owner: string, repo: string, body: RevertBody): Promise<RevertResult> {
  return apiSend<RevertResult>('POST', `${repoPath(owner, repo)}/edits/revert`, body);
}

export function useRevertCommit(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (body: RevertBody) => revertCommit(owner, repo, body), onSuccess: () => invalidateRepoViews(qc, owner, repo) });
}

export function restorePath(owner: string, repo: string, body: RestoreBody): Promise<RestoreResult> {
  return apiSend<RestoreResult>('POST', `${repoPath(owner, repo)}/edits/restore`, body);
}

export function useRestorePath(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (body: RestoreBody) => restorePath(owner, repo, body), onSuccess: () => invalidateRepoViews(qc, owner, repo) });
}

export function resetBranch(owner: string, repo: string, body: ResetBody): Promise<ResetResult> {
  return apiSend<ResetResult>('POST', `${repoPath(owner, repo)}/edits/reset`, body);
}

export function useResetBranch(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (body: ResetBody) => resetBranch(owner, repo, body), onSuccess: () => invalidateRepoViews(qc, owner, repo) });
}

/** The kept old tips, newest first; of one branch, or of every branch without one. */
export function listResets(owner: string, repo: string, branch?: string): Promise<ResetBackup[]> {
  return apiGet<ResetBackup[]>(`${repoPath(owner, repo)}/edits/resets`, { branch });
}

export function useResets(owner: string, repo: string, branch?: string, enabled = true) {
  return useQuery({ queryKey: ['resets', owner, repo, branch ?? null], queryFn: () => listResets(owner, repo, branch), enabled });
}

export function undoReset(owner: string, repo: string, ref: string): Promise<UndoResetResult> {
  return apiSend<UndoResetResult>('POST', `${repoPath(owner, repo)}/edits/resets/undo`, { ref });
}

export function useUndoReset(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (ref: string) => undoReset(owner, repo, ref), onSuccess: () => invalidateRepoViews(qc, owner, repo) });
}

/** The newest commits of a branch, for picking a reset target. */
export function listRecentCommits(owner: string, repo: string, branch: string, limit: number): Promise<RecentCommit[]> {
  return apiList<RecentCommit>(`${repoPath(owner, repo)}/commits`, { sha: branch, limit, page: 1 }).then((r) => r.items);
}

export function useRecentCommits(owner: string, repo: string, branch: string, limit = 20) {
  return useQuery({ queryKey: ['undo-commits', owner, repo, branch, limit], queryFn: () => listRecentCommits(owner, repo, branch, limit) });
}

/** Branch names for a picker (the first page; any other name can be typed). */
export function useBranchNames(owner: string, repo: string) {
  return useQuery({
    queryKey: ['undo-branch-names', owner, repo],
    queryFn: () => apiList<{ name: string; protected: boolean }>(`${repoPath(owner, repo)}/branches`, { page: 1, limit: 50 }).then((r) => r.items),
  });
}
