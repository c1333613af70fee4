// Repositories: one typed function and one hook per call.
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { apiGet, apiSend, encodePath } from '../../api/client';
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

export interface CreateRepoBody {
  name: string;
  description?: string;
  private?: boolean;
  internal?: boolean;
  auto_init?: boolean;
  default_branch?: string;
}

/** Creates a repository for the signed-in user, or in an organization when `org` is given. */
export function createRepo(org: string | null, body: CreateRepoBody): Promise<Repo> {
  return apiSend<Repo>('POST', org ? `/orgs/${encodePath(org)}/repos` : '/user/repos', body);
}

export function useCreateRepo() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ org, body }: { org: string | null; body: CreateRepoBody }) => createRepo(org, body),
    onSuccess: (repo) => {
      qc.setQueryData(repoKey(repo.owner.login, repo.name), repo);
      void qc.invalidateQueries({ queryKey: ['repos'] });
      void qc.invalidateQueries({ queryKey: ['user'] });
    },
  });
}

/**
 * After a write that changes what a repository's pages show (branches, default branch, name):
 * every cached view of it (keys are `[kind, owner, repo, ...]`) goes stale at once, plus the
 * repository lists that name it.
 */
export function invalidateRepoViews(qc: QueryClient, owner: string, repo: string): Promise<void> {
  const o = owner.toLowerCase();
  const r = repo.toLowerCase();
  return Promise.all([
    qc.invalidateQueries({ predicate: (q) => String(q.queryKey[1] ?? '').toLowerCase() === o && String(q.queryKey[2] ?? '').toLowerCase() === r }),
    qc.invalidateQueries({ queryKey: ['repos'] }),
    qc.invalidateQueries({ queryKey: ['user'] }),
  ]).then(() => undefined);
}
