// Users and organizations: a profile, the repositories the viewer may see, an organization's
// members, the organizations the signed-in user belongs to, following and the contribution heatmap.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiList, apiSend, apiYesNo, encodePath, type PagedResult } from '../../api/client';
import type { Repo } from '../repos/types';
import type { Org, User } from './types';

export const USER_REPOS_LIMIT = 20;

export function getUser(name: string): Promise<User> {
  return apiGet<User>(`/users/${encodePath(name)}`);
}

export function useUser(name: string) {
  return useQuery({ queryKey: ['user', name.toLowerCase()], queryFn: () => getUser(name) });
}

export function getUserRepos(name: string, page: number): Promise<PagedResult<Repo>> {
  return apiList<Repo>(`/users/${encodePath(name)}/repos`, { page, limit: USER_REPOS_LIMIT });
}

export function useUserRepos(name: string, page: number, enabled: boolean) {
  return useQuery({ queryKey: ['user', name.toLowerCase(), 'repos', page], queryFn: () => getUserRepos(name, page), enabled, placeholderData: keepPreviousData });
}

export function getOrgMembers(org: string): Promise<PagedResult<User>> {
  return apiList<User>(`/orgs/${encodePath(org)}/members`, { limit: 50 });
}

export function useOrgMembers(org: string, enabled: boolean) {
  return useQuery({ queryKey: ['org', org.toLowerCase(), 'members'], queryFn: () => getOrgMembers(org), enabled });
}

export function getMyOrgs(): Promise<PagedResult<Org>> {
  return apiList<Org>('/user/orgs', { limit: 50 });
}

/** The organizations the signed-in user belongs to (pass false when nobody is signed in). */
export function useMyOrgs(enabled: boolean) {
  return useQuery({ queryKey: ['user', 'me', 'orgs'], queryFn: getMyOrgs, enabled, staleTime: 30_000 });
}

/** Whether the signed-in user follows `name` (pass false when nobody is signed in, or it's them). */
export function useFollowing(name: string, enabled: boolean) {
  return useQuery({ queryKey: ['user', name.toLowerCase(), 'followed-by-me'], queryFn: () => apiYesNo(`/user/following/${encodePath(name)}`), enabled });
}

/** Follow (true) or unfollow (false) `name`; the profile's counts are fetched again. */
export function useSetFollowing(name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (on: boolean) => apiSend(on ? 'PUT' : 'DELETE', `/user/following/${encodePath(name)}`),
    onSuccess: (_void, on) => {
      qc.setQueryData(['user', name.toLowerCase(), 'followed-by-me'], on);
      void qc.invalidateQueries({ queryKey: ['user', name.toLowerCase()], exact: true });
    },
  });
}

/** One day of the contribution heatmap: its start (Unix seconds, UTC) and the pushes that day. */
export interface HeatmapDay {
  timestamp: number;
  contributions: number;
}

export function useHeatmap(name: string, enabled: boolean) {
  return useQuery({ queryKey: ['user', name.toLowerCase(), 'heatmap'], queryFn: () => apiGet<HeatmapDay[]>(`/users/${encodePath(name)}/heatmap`), enabled, staleTime: 60_000 });
}

export const PEOPLE_LIMIT = 30;

/** The people following `name`, or those `name` follows, newest first. */
export function usePeople(name: string, which: 'followers' | 'following' | undefined, page: number) {
  return useQuery({
    queryKey: ['user', name.toLowerCase(), which, page],
    queryFn: () => apiList<User>(`/users/${encodePath(name)}/${which}`, { page, limit: PEOPLE_LIMIT }),
    enabled: which !== undefined,
    placeholderData: keepPreviousData,
  });
}

/** What a person's profile shows besides the user: the bio rendered, the links, the pinned repositories the viewer may see. */
export interface Profile {
  bio_html: string;
  links: string[];
  pinned: Repo[];
}

export const profileKey = (name: string) => ['user', name.toLowerCase(), 'profile'] as const;

export function useProfile(name: string, enabled: boolean) {
  return useQuery({ queryKey: profileKey(name), queryFn: () => apiGet<Profile>(`/users/${encodePath(name)}/profile`), enabled });
}
