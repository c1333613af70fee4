// Branches and tags: one typed function and one hook per call.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiList, apiSend, apiUrl, encodePath, type PagedResult } from '../../api/client';
import { repoPath, invalidateRepoViews } from '../repos/api';
import type { Branch, Tag } from './types';

export const PER_PAGE = 50;
const branchesKey = (owner: string, repo: string) => ['branches', owner, repo] as const;

export function listBranches(owner: string, repo: string, page: number): Promise<PagedResult<Branch>> {
  return apiList<Branch>(`${repoPath(owner, repo)}/branches`, { page, limit: PER_PAGE });
}

export function useBranches(owner: string, repo: string, page: number) {
  return useQuery({ queryKey: [...branchesKey(owner, repo), page], queryFn: () => listBranches(owner, repo, page), placeholderData: keepPreviousData });
}

export function createBranch(owner: string, repo: string, body: { new_branch_name: string; old_ref_name: string }): Promise<Branch> {
  return apiSend<Branch>('POST', `${repoPath(owner, repo)}/branches`, body);
}

export function useCreateBranch(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { new_branch_name: string; old_ref_name: string }) => createBranch(owner, repo, body),
    // the branch list, the switcher, the counts, the default-branch picker
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: branchesKey(owner, repo) }), invalidateRepoViews(qc, owner, repo)]),
  });
}

export function deleteBranch(owner: string, repo: string, name: string): Promise<void> {
  return apiSend('DELETE', `${repoPath(owner, repo)}/branches/${encodePath(name)}`);
}

export function useDeleteBranch(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => deleteBranch(owner, repo, name),
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: branchesKey(owner, repo) }), invalidateRepoViews(qc, owner, repo)]),
  });
}

export function listTags(owner: string, repo: string, page: number): Promise<PagedResult<Tag>> {
  return apiList<Tag>(`${repoPath(owner, repo)}/tags`, { page, limit: PER_PAGE });
}

export function useTags(owner: string, repo: string, page: number) {
  return useQuery({ queryKey: ['tags', owner, repo, page], queryFn: () => listTags(owner, repo, page), placeholderData: keepPreviousData });
}

/** A snapshot of a ref, streamed by the server from `git archive`. */
export function archiveUrl(owner: string, repo: string, ref: string, format: 'zip' | 'tar.gz'): string {
  return apiUrl(`${repoPath(owner, repo)}/archive/${encodePath(ref)}.${format}`);
}
