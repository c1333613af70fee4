// Repositories: one typed function and one hook per call.
import { useQuery } from '@tanstack/react-query';
import { apiGet, encodePath } from '../../api/client';
import type { Repo } from './types';

export const repoKey = (owner: string, repo: string) => ['repo', owner.toLowerCase(), repo.toLowerCase()] as const;

export function getRepo(owner: string, repo: string): Promise<Repo> {
  return apiGet<Repo>(`/repos/${encodePath(owner)}/${encodePath(repo)}`);
}

export function useRepo(owner: string, repo: string) {
  return useQuery({ queryKey: repoKey(owner, repo), queryFn: () => getRepo(owner, repo) });
}

/** `/api/v1/repos/<owner>/<repo>` with each part encoded, for the feature APIs. */
export function repoPath(owner: string, repo: string): string {
  return `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
}
