// Repository settings: edit (name, description, website, visibility, default branch), delete,
// the branch names for the default-branch picker, and collaborators with their roles.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiList, apiSend, encodePath } from '../../api/client';
import { repoKey, repoPath, invalidateRepoViews } from '../repos/api';
import type { Repo } from '../repos/types';
import type { User } from '../users/types';

export interface EditRepoBody {
  name?: string;
  description?: string;
  website?: string;
  private?: boolean;
  internal?: boolean;
  default_branch?: string;
}

export function editRepo(owner: string, repo: string, body: EditRepoBody): Promise<Repo> {
  return apiSend<Repo>('PATCH', repoPath(owner, repo), body);
}

export function useEditRepo(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: EditRepoBody) => editRepo(owner, repo, body),
    onSuccess: (updated) => {
      void invalidateRepoViews(qc, owner, repo);
      if (updated.name !== repo) qc.removeQueries({ queryKey: repoKey(owner, repo) });
      qc.setQueryData(repoKey(updated.owner.login, updated.name), updated);
    },
  });
}

export function deleteRepo(owner: string, repo: string): Promise<void> {
  return apiSend('DELETE', repoPath(owner, repo));
}

export function useDeleteRepo(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => deleteRepo(owner, repo),
    onSuccess: () => {
      qc.removeQueries({ queryKey: repoKey(owner, repo) });
      void qc.invalidateQueries({ queryKey: ['repos'] });
      void qc.invalidateQueries({ queryKey: ['user'] });
    },
  });
}

/** Every branch name (the API pages at 50; a thousand is plenty for a picker). */
export async function getBranchNames(owner: string, repo: string): Promise<string[]> {
  const names: string[] = [];
  for (let page = 1; page <= 20; page++) {
    const { items, total } = await apiList<{ name: string }>(`${repoPath(owner, repo)}/branches`, { page, limit: 50 });
    names.push(...items.map((b) => b.name));
    if (items.length < 50 || (total !== null && names.length >= total)) break;
  }
  return names;
}

export function useBranchNames(owner: string, repo: string, enabled: boolean) {
  return useQuery({ queryKey: [...repoKey(owner, repo), 'branch-names'], queryFn: () => getBranchNames(owner, repo), enabled });
}

export type Role = 'read' | 'write' | 'admin';
export type Collaborator = User & { role_name: Role };

export function getCollaborators(owner: string, repo: string): Promise<Collaborator[]> {
  return apiList<Collaborator>(`${repoPath(owner, repo)}/collaborators`, { limit: 50 }).then((r) => r.items);
}

export function useCollaborators(owner: string, repo: string, enabled: boolean) {
  return useQuery({ queryKey: [...repoKey(owner, repo), 'collaborators'], queryFn: () => getCollaborators(owner, repo), enabled });
}

export function setCollaborator(owner: string, repo: string, username: string, permission: Role): Promise<void> {
  return apiSend('PUT', `${repoPath(owner, repo)}/collaborators/${encodePath(username)}`, { permission });
}

export function useSetCollaborator(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ username, permission }: { username: string; permission: Role }) => setCollaborator(owner, repo, username, permission),
    onSuccess: () => qc.invalidateQueries({ queryKey: [...repoKey(owner, repo), 'collaborators'] }),
  });
}

export function removeCollaborator(owner: string, repo: string, username: string): Promise<void> {
  return apiSend('DELETE', `${repoPath(owner, repo)}/collaborators/${encodePath(username)}`);
}

export function useRemoveCollaborator(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (username: string) => removeCollaborator(owner, repo, username),
    onSuccess: () => qc.invalidateQueries({ queryKey: [...repoKey(owner, repo), 'collaborators'] }),
  });
}
