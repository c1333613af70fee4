// Home: the signed-in user's repositories and what changed recently across the forge.
import { useQuery } from '@tanstack/react-query';
import { apiList, type PagedResult } from '../../api/client';
import type { Repo } from '../repos/types';

export function getMyRepos(): Promise<PagedResult<Repo>> {
  return apiList<Repo>('/user/repos', { limit: 50 });
}

export function useMyRepos(enabled: boolean) {
  return useQuery({ queryKey: ['repos', 'mine'], queryFn: getMyRepos, enabled });
}

export function getRecentRepos(): Promise<PagedResult<Repo>> {
  return apiList<Repo>('/repos/search', { sort: 'updated', order: 'desc', limit: 10 });
}

export function useRecentRepos() {
  return useQuery({ queryKey: ['repos', 'recent'], queryFn: getRecentRepos });
}
