// Explore: repository search over everything the viewer may see (public; internal when signed
// in; private ones they have access to).
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiList, type PagedResult } from '../../api/client';
import type { Repo } from '../repos/types';

/** Gitea's sort names in the URL, mapped to the API's sort and order. */
export const SORTS = {
  recentupdate: { label: 'Recently updated', sort: 'updated', order: 'desc' },
  newest: { label: 'Newest', sort: 'created', order: 'desc' },
  oldest: { label: 'Oldest', sort: 'created', order: 'asc' },
  alphabetically: { label: 'Alphabetical', sort: 'alpha', order: 'asc' },
  reversealphabetically: { label: 'Reverse alphabetical', sort: 'alpha', order: 'desc' },
  moststars: { label: 'Most stars', sort: 'stars', order: 'desc' },
} as const;
export type SortName = keyof typeof SORTS;

export const EXPLORE_LIMIT = 20;

export interface SearchParams {
  q?: string;
  sort: SortName;
  page: number;
}

export function searchRepos(p: SearchParams, signal?: AbortSignal): Promise<PagedResult<Repo>> {
  const { sort, order } = SORTS[p.sort];
  return apiList<Repo>('/repos/search', { q: p.q, sort, order, page: p.page, limit: EXPLORE_LIMIT }, signal);
}

export function useRepoSearch(p: SearchParams) {
  return useQuery({ queryKey: ['repos', 'search', p], queryFn: ({ signal }) => searchRepos(p, signal), placeholderData: keepPreviousData });
}
