// Code browsing: the tree view (a directory with its last-commit column and README, or a file
// with its renderings), the follow-up for last commits still pending, refs for the switcher
// and the latest commit. One typed function and one hook per call.
import { keepPreviousData, useQuery, type QueryClient } from '@tanstack/react-query';
import { apiGet, apiList, encodePath } from '../../api/client';
import { repoPath } from '../repos/api';

export type RefKind = 'branch' | 'tag' | 'commit';
export type EntryType = 'file' | 'dir' | 'symlink' | 'submodule';

export interface CommitSignature {
  name: string;
  email: string;
  date: string;
}

/** A commit as a tree row shows it. */
export interface CommitBrief {
  sha: string;
  summary: string;
  author: CommitSignature;
  committer: CommitSignature;
  html_url: string;
}

export interface TreeEntry {
  name: string;
  path: string;
  type: EntryType;
  mode: string;
  sha: string;
  size: number | null;
  /** Symlinks: where the link points. */
  target: string | null;
}

export interface TreeRow extends TreeEntry {
  last_commit: CommitBrief | null;
}

export interface FileView {
  size: number;
  binary: boolean;
  lfs: { oid: string; size: number } | null;
  too_large: boolean;
  /** UTF-8 text (null for binary or too large files). */
  content: string | null;
  /** Sanitized by the server (server/markup): hljs spans, one line per `\n`. */
  highlighted_html?: string | null;
  /** Markdown files: the sanitized rendering. */
  rendered_html?: string | null;
  language?: string | null;
  line_count?: number | null;
}

export interface TreeView {
  ref: { name: string; kind: RefKind; commit: string };
  path: string;
  type: EntryType;
  entry: TreeEntry;
  last_commit: CommitBrief | null;
  entries: TreeRow[] | null;
  /** Paths whose last commit is still being worked out: fetch again with the commit id as ref. */
  pending: string[];
  total: number;
  truncated: boolean;
  /** The directory's README; `html` is its rendering, sanitized by the server (server/markup), null when it can't be rendered. */
  readme: (TreeEntry & { html?: string | null }) | null;
  file: FileView | null;
}

function treeUrl(owner: string, repo: string, ref: string, path: string): string {
  return `${repoPath(owner, repo)}/tree/${encodePath(ref)}${path ? `/${encodePath(path)}` : ''}`;
}

/** The entry at `<ref>/<path>` (the ref may hold slashes; `kind` says how to read it). */
export function getTreeView(owner: string, repo: string, kind: RefKind | undefined, refPath: string, signal?: AbortSignal): Promise<TreeView> {
  return apiGet<TreeView>(`${repoPath(owner, repo)}/tree/${encodePath(refPath)}`, { kind }, signal);
}

/** The server's name for a repository's default branch in tree addresses. */
export const DEFAULT_BRANCH = '@';

/** Starts loading the repository home's tree before the repository record arrives. */
export function prefetchHomeTree(qc: QueryClient, owner: string, repo: string): void {
  void qc.prefetchQuery({ queryKey: treeViewKey(owner, repo, 'branch', DEFAULT_BRANCH), queryFn: ({ signal }) => getTreeView(owner, repo, 'branch', DEFAULT_BRANCH, signal) });
}

export const treeViewKey = (owner: string, repo: string, kind: RefKind | undefined, refPath: string) => ['tree', owner.toLowerCase(), repo.toLowerCase(), kind ?? '', refPath] as const;

export function useTreeView(owner: string, repo: string, kind: RefKind | undefined, refPath: string, opts: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: treeViewKey(owner, repo, kind, refPath),
    queryFn: ({ signal }) => getTreeView(owner, repo, kind, refPath, signal),
    placeholderData: keepPreviousData,
    enabled: opts.enabled ?? true,
  });
}

/** The follow-up for pending rows: the same directory at its commit id, waiting longer. */
export function getLastCommits(owner: string, repo: string, commit: string, path: string, signal?: AbortSignal): Promise<TreeView> {
  return apiGet<TreeView>(treeUrl(owner, repo, commit, path), { kind: 'commit', budget_ms: 3000 }, signal);
}

/** Fills the last-commit column while rows are pending; asks again until none are. */
export function useLastCommits(owner: string, repo: string, view: TreeView | undefined) {
  const pending = !!view && view.type === 'dir' && view.pending.length > 0;
  return useQuery({
    queryKey: ['tree-last-commits', owner.toLowerCase(), repo.toLowerCase(), view?.ref.commit ?? '', view?.path ?? ''],
    queryFn: ({ signal }) => getLastCommits(owner, repo, view!.ref.commit, view!.path, signal),
    enabled: pending,
    staleTime: Infinity,
    refetchInterval: (q) => ((q.state.data?.pending.length ?? 0) > 0 && q.state.dataUpdateCount < 20 ? 300 : false),
  });
}

export interface RefName {
  name: string;
}

/** Names from a paged list, up to `maxPages` pages of 50 (the switcher filters them locally). */
async function allNames(path: string, maxPages = 10): Promise<{ items: RefName[]; total: number | null }> {
  const items: RefName[] = [];
  let total: number | null = null;
  for (let page = 1; page <= maxPages; page++) {
    const res = await apiList<RefName>(path, { limit: 50, page });
    items.push(...res.items.map((r) => ({ name: r.name })));
    total = res.total;
    if (res.items.length < 50 || (total !== null && items.length >= total)) break;
  }
  return { items, total };
}

/** Branches for the switcher (the default one first; up to 500). */
export function getBranchNames(owner: string, repo: string) {
  return allNames(`${repoPath(owner, repo)}/branches`);
}

export function useBranchNames(owner: string, repo: string, enabled: boolean) {
  return useQuery({ queryKey: ['switcher-branches', owner.toLowerCase(), repo.toLowerCase()], queryFn: () => getBranchNames(owner, repo), enabled });
}

/** Tags for the switcher (newest first; up to 500). */
export function getTagNames(owner: string, repo: string) {
  return allNames(`${repoPath(owner, repo)}/tags`);
}

export function useTagNames(owner: string, repo: string, enabled: boolean) {
  return useQuery({ queryKey: ['switcher-tags', owner.toLowerCase(), repo.toLowerCase()], queryFn: () => getTagNames(owner, repo), enabled });
}

export interface CommitSummary {
  sha: string;
  html_url: string;
  commit: { message: string; author: CommitSignature; committer: CommitSignature };
  author: { login: string } | null;
}

/** The newest commit at a ref, and how many commits it has. */
export async function getLatestCommit(owner: string, repo: string, commit: string): Promise<{ commit: CommitSummary | null; total: number | null }> {
  const { items, total } = await apiList<CommitSummary>(`${repoPath(owner, repo)}/commits`, { sha: commit, limit: 1 });
  return { commit: items[0] ?? null, total };
}

export function useLatestCommit(owner: string, repo: string, commit: string | undefined) {
  return useQuery({
    queryKey: ['latest-commit', owner.toLowerCase(), repo.toLowerCase(), commit ?? ''],
    queryFn: () => getLatestCommit(owner, repo, commit!),
    enabled: !!commit,
    staleTime: Infinity,
  });
}

/** A README's text, for a server that sent no rendering of it (shown as plain text). */
export async function getRawText(owner: string, repo: string, path: string, ref: string): Promise<string> {
  const res = await fetch(rawUrl(owner, repo, path, ref), { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`could not read ${path} (${res.status})`);
  return res.text();
}

export function useRawText(owner: string, repo: string, path: string | undefined, ref: string, enabled: boolean) {
  return useQuery({
    queryKey: ['raw-text', owner.toLowerCase(), repo.toLowerCase(), ref, path ?? ''],
    queryFn: () => getRawText(owner, repo, path!, ref),
    enabled: enabled && !!path,
    staleTime: Infinity,
  });
}

// ---- URLs the page links to (not fetched by the app) ----------------------------------------

/** `/api/v1/repos/<o>/<r>/raw/<path>?ref=<ref>`: the bytes (text as text/plain). */
export function rawUrl(owner: string, repo: string, path: string, ref: string): string {
  return `/api/v1${repoPath(owner, repo)}/raw/${encodePath(path)}?ref=${encodeURIComponent(ref)}`;
}

/** Images and other media (LFS resolved). */
export function mediaUrl(owner: string, repo: string, path: string, ref: string): string {
  return `/api/v1${repoPath(owner, repo)}/media/${encodePath(path)}?ref=${encodeURIComponent(ref)}`;
}

export function archiveUrl(owner: string, repo: string, ref: string, format: 'zip' | 'tar.gz' = 'zip'): string {
  return `/api/v1${repoPath(owner, repo)}/archive/${encodePath(ref)}.${format}`;
}

/** The newest commit that changed one path (a file whose row the tree view left pending). */
export async function getPathLastCommit(owner: string, repo: string, commit: string, path: string): Promise<CommitSummary | null> {
  const { items } = await apiList<CommitSummary>(`${repoPath(owner, repo)}/commits`, { sha: commit, path, limit: 1 });
  return items[0] ?? null;
}

export function usePathLastCommit(owner: string, repo: string, commit: string, path: string, enabled: boolean) {
  return useQuery({
    queryKey: ['path-last-commit', owner.toLowerCase(), repo.toLowerCase(), commit, path],
    queryFn: () => getPathLastCommit(owner, repo, commit, path),
    enabled,
    staleTime: Infinity,
  });
}

/** How many branches or tags there are (the list's total header, one row fetched). */
export async function getRefCount(owner: string, repo: string, what: 'branches' | 'tags'): Promise<number | null> {
  return (await apiList<RefName>(`${repoPath(owner, repo)}/${what}`, { limit: 1 })).total;
}

export function useRefCount(owner: string, repo: string, what: 'branches' | 'tags') {
  return useQuery({ queryKey: ['ref-count', owner.toLowerCase(), repo.toLowerCase(), what], queryFn: () => getRefCount(owner, repo, what) });
}
