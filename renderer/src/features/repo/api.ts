// Stars, watching and forks of a repository: one typed function and one hook per call.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiSend, apiYesNo as yesNo } from '../../api/client';
import { repoKey, repoPath, invalidateRepoViews } from '../repos/api';
import type { Repo } from '../repos/types';

const starPath = (owner: string, repo: string) => `/user/starred/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;

export function isStarred(owner: string, repo: string): Promise<boolean> {
  return yesNo(starPath(owner, repo));
}

export function useIsStarred(owner: string, repo: string, signedIn: boolean) {
  return useQuery({ queryKey: ['starred', owner.toLowerCase(), repo.toLowerCase()], queryFn: () => isStarred(owner, repo), enabled: signedIn });
}

export function setStar(owner: string, repo: string, on: boolean): Promise<void> {
  return apiSend(on ? 'PUT' : 'DELETE', starPath(owner, repo));
}

/** Star or unstar; the count in the repository header follows at once and is then refetched. */
export function useSetStar(owner: string, repo: string) {
  return useToggle(['starred', owner.toLowerCase(), repo.toLowerCase()], owner, repo, 'stars_count', (on) => setStar(owner, repo, on));
}

export function isWatching(owner: string, repo: string): Promise<boolean> {
  return yesNo(`${repoPath(owner, repo)}/subscription`);
}

export function useIsWatching(owner: string, repo: string, signedIn: boolean) {
  return useQuery({ queryKey: ['watching', owner.toLowerCase(), repo.toLowerCase()], queryFn: () => isWatching(owner, repo), enabled: signedIn });
}

export function setWatch(owner: string, repo: string, on: boolean): Promise<void> {
  return apiSend(on ? 'PUT' : 'DELETE', `${repoPath(owner, repo)}/subscription`);
}

export function useSetWatch(owner: string, repo: string) {
  return useToggle(['watching', owner.toLowerCase(), repo.toLowerCase()], owner, repo, 'watchers_count', (on) => setWatch(owner, repo, on));
}

function useToggle(key: readonly string[], owner: string, repo: string, count: 'stars_count' | 'watchers_count', send: (on: boolean) => Promise<void>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (on: boolean) => {
      await send(on);
      return on;
    },
    onSuccess: (on) => {
      const was = qc.getQueryData<boolean>(key);
      qc.setQueryData(key, on);
      if (was !== on) qc.setQueryData<Repo>(repoKey(owner, repo), (r) => (r ? { ...r, [count]: Math.max(0, r[count] + (on ? 1 : -1)) } : r));
      void qc.invalidateQueries({ queryKey: repoKey(owner, repo) });
    },
  });
}

export function forkRepo(owner: string, repo: string, body: { name?: string; organization?: string }): Promise<Repo> {
  return apiSend<Repo>('POST', `${repoPath(owner, repo)}/forks`, body);
}

export function useForkRepo(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name?: string; organization?: string }) => forkRepo(owner, repo, body),
    // the source's fork count, and the lists the new fork appears in
    onSuccess: () => void invalidateRepoViews(qc, owner, repo),
  });
}
