// The wiki: one typed function and hook per call. Content travels base64-encoded (Gitea's API);
// these functions turn it into text and back. The server says `wiki.updated {repo}` in the
// repository's room whenever the wiki's branch moves (an edit here or a `git push`), and open
// wiki pages refetch.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend } from '../../api/client';
import { useRepoEvents } from '../../lib/realtime';
import { repoPath } from '../repos/api';
import type { WikiCommitList, WikiPage, WikiPageMeta, WikiSearchHit } from './types';

declare module '../../lib/realtime' {
  interface RealtimeEvents {
    /** The wiki of `repo` ("owner/name") changed. */
    'wiki.updated': { repo: string };
  }
}

export const HOME = 'Home';
const low = (s: string) => s.toLowerCase();
/** Everything cached about one wiki starts with this. */
export const wikiKey = (owner: string, repo: string) => ['wiki', low(owner), low(repo)] as const;
const wikiPath = (owner: string, repo: string) => `${repoPath(owner, repo)}/wiki`;

/** UTF-8 text to base64 and back (btoa/atob only speak Latin-1). */
export function toBase64(text: string): string {
  let bin = '';
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}

export function fromBase64(b64: string): string {
  const bin = atob(b64);
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/** A page name as it is written in the wiki's own URLs ("Getting Started" → "Getting-Started"). */
export function pageNameOf(title: string): string {
  const t = title.trim();
  return t.includes('-') ? `${t}.-` : t.replace(/ /g, '-');
}

export function getPage(owner: string, repo: string, name: string, ref?: string): Promise<WikiPage> {
  return apiGet<WikiPage>(`${wikiPath(owner, repo)}/page/${encodeURIComponent(name)}`, { render: 'true', ref });
}

export function usePage(owner: string, repo: string, name: string, ref?: string) {
  return useQuery({ queryKey: [...wikiKey(owner, repo), 'page', name, ref ?? null], queryFn: () => getPage(owner, repo, name, ref), retry: false });
}

export function listPages(owner: string, repo: string): Promise<WikiPageMeta[]> {
  return apiGet<WikiPageMeta[]>(`${wikiPath(owner, repo)}/pages`, { limit: 50 });
}

export function usePages(owner: string, repo: string) {
  return useQuery({ queryKey: [...wikiKey(owner, repo), 'pages'], queryFn: () => listPages(owner, repo) });
}

export function getRevisions(owner: string, repo: string, name: string, page: number): Promise<WikiCommitList> {
  return apiGet<WikiCommitList>(`${wikiPath(owner, repo)}/revisions/${encodeURIComponent(name)}`, { page });
}

export function useRevisions(owner: string, repo: string, name: string, page: number) {
  return useQuery({ queryKey: [...wikiKey(owner, repo), 'revisions', name, page], queryFn: () => getRevisions(owner, repo, name, page) });
}

export function getDiff(owner: string, repo: string, name: string, to: string, from?: string): Promise<{ diff: string }> {
  return apiGet<{ diff: string }>(`${wikiPath(owner, repo)}/diff/${encodeURIComponent(name)}`, { to, from });
}

export function useDiff(owner: string, repo: string, name: string, to: string, from?: string) {
  return useQuery({ queryKey: [...wikiKey(owner, repo), 'diff', name, to, from ?? null], queryFn: () => getDiff(owner, repo, name, to, from), staleTime: Infinity });
}

export function searchWiki(owner: string, repo: string, q: string): Promise<WikiSearchHit[]> {
  return apiGet<WikiSearchHit[]>(`${wikiPath(owner, repo)}/search`, { q });
}

export function useWikiSearch(owner: string, repo: string, q: string) {
  return useQuery({ queryKey: [...wikiKey(owner, repo), 'search', q], queryFn: () => searchWiki(owner, repo, q), enabled: q.trim() !== '' });
}

export interface PageEdit {
  title: string;
  content: string;
  message?: string;
  /** The page's sha the edit started from (absent for a new page). */
  sha?: string;
}

/** Creates (no `name`) or edits page `name`; answers the page as saved. */
export function savePage(owner: string, repo: string, name: string | null, edit: PageEdit): Promise<WikiPage> {
  const body = { title: edit.title, content_base64: toBase64(edit.content), message: edit.message || undefined };
  if (name === null) return apiSend<WikiPage>('POST', `${wikiPath(owner, repo)}/new`, body);
  return apiSend<WikiPage>('PATCH', `${wikiPath(owner, repo)}/page/${encodeURIComponent(name)}`, { ...body, sha: edit.sha });
}

export function useSavePage(owner: string, repo: string, name: string | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (edit: PageEdit) => savePage(owner, repo, name, edit),
    onSuccess: () => qc.invalidateQueries({ queryKey: wikiKey(owner, repo) }),
  });
}

export function deletePage(owner: string, repo: string, name: string): Promise<void> {
  return apiSend('DELETE', `${wikiPath(owner, repo)}/page/${encodeURIComponent(name)}`);
}

export function useDeletePage(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (name: string) => deletePage(owner, repo, name), onSuccess: () => qc.invalidateQueries({ queryKey: wikiKey(owner, repo) }) });
}

/** Refetches what is shown of this wiki when anyone changes it. */
export function useWikiLive(owner: string, repo: string): void {
  const qc = useQueryClient();
  useRepoEvents(owner, repo, 'wiki.updated', () => void qc.invalidateQueries({ queryKey: wikiKey(owner, repo) }));
}

/** Renders markdown as a wiki page would be (for the editor's preview). */
export function previewMarkdown(owner: string, repo: string, text: string): Promise<string> {
  return apiSend<string>('POST', '/markdown', { text, mode: 'wiki', context: `${owner}/${repo}` });
}
