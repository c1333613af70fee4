// History: one typed function and one hook per call (ref/path resolution, commit pages,
// a commit's diff, contributors).
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiGet, apiList, apiUrl, encodePath, type PagedResult } from '../../api/client';
import { repoPath } from '../repos/api';
import type { Commit, CommitDiff, Contributor, ResolvedRefPath } from './types';

export const COMMITS_PER_PAGE = 50;
export type RefKind = ResolvedRefPath['ref']['kind'];

/** `<ref>/<path>` split as the tree view splits it (refs may contain slashes). */
export function resolveRefPath(owner: string, repo: string, kind: RefKind | undefined, refPath: string): Promise<ResolvedRefPath> {
  return apiGet<ResolvedRefPath>(`${repoPath(owner, repo)}/resolve/${encodePath(refPath)}`, { kind });
}

/** `kind` undefined: a branch, else a tag, else a commit id (Gitea's legacy `/commits/<ref>` URLs). */
export function useResolvedRefPath(owner: string, repo: string, kind: RefKind | undefined, refPath: string) {
  return useQuery({
    queryKey: ['resolve', owner, repo, kind ?? null, refPath],
    queryFn: () => resolveRefPath(owner, repo, kind, refPath),
    enabled: refPath !== '',
  });
}

export function listCommits(owner: string, repo: string, q: { sha: string; path: string; page: number }): Promise<PagedResult<Commit>> {
  return apiList<Commit>(`${repoPath(owner, repo)}/commits`, { sha: q.sha, path: q.path || undefined, page: q.page, limit: COMMITS_PER_PAGE });
}

export function useCommits(owner: string, repo: string, q: { sha: string; path: string; page: number } | null) {
  return useQuery({
    queryKey: ['commits', owner, repo, q],
    queryFn: () => listCommits(owner, repo, q!),
    enabled: q !== null,
    placeholderData: keepPreviousData,
  });
}

export function getCommitDiff(owner: string, repo: string, sha: string): Promise<CommitDiff> {
  return apiGet<CommitDiff>(`${repoPath(owner, repo)}/commits/${encodeURIComponent(sha)}/diff`);
}

export function useCommitDiff(owner: string, repo: string, sha: string) {
  // a commit never changes
  return useQuery({ queryKey: ['commit-diff', owner, repo, sha], queryFn: () => getCommitDiff(owner, repo, sha), staleTime: Infinity });
}

/** Links to the whole commit as text: `git diff` output or a `git am`-able patch. */
export function rawDiffUrl(owner: string, repo: string, sha: string, kind: 'diff' | 'patch'): string {
  return apiUrl(`${repoPath(owner, repo)}/git/commits/${encodeURIComponent(sha)}.${kind}`);
}

export function listContributors(owner: string, repo: string): Promise<Contributor[]> {
  return apiGet<Contributor[]>(`${repoPath(owner, repo)}/contributors`);
}

export function useContributors(owner: string, repo: string) {
  return useQuery({ queryKey: ['contributors', owner, repo], queryFn: () => listContributors(owner, repo) });
}
