// Issues: one typed function and one hook per call, and the live link — the server says
// `issue.updated {repo, number, what}` in the repository's room whenever an issue changes (a
// comment, labels, its state, a reaction, a reference from elsewhere…): the open issue page
// refetches that issue, and the list refetches whatever issue it was.
import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { apiGet, apiList, apiSend, type PagedResult } from '../../api/client';
import { useRepoEvents } from '../../lib/realtime';
import { repoPath, useRepo } from '../repos/api';
import type { User } from '../users/types';
import type { Issue, IssueEdit, IssueFilters, IssueTemplate, IssueTimeline, Label, LabelBody, Milestone, MilestoneBody, NewIssue, ReactionContent } from './types';

declare module '../../lib/realtime' {
  interface RealtimeEvents {
    /** Something about issue `number` of `repo` ("owner/name") changed; `what` says roughly what. */
    'issue.updated': { repo: string; number: number; what: string };
  }
}

export const ISSUES_PER_PAGE = 25;
const low = (s: string) => s.toLowerCase();
/** The lists and counts of a repository's issues. */
const issuesKey = (owner: string, repo: string) => ['issues', low(owner), low(repo)] as const;
/** Everything cached about one issue starts with this. */
const issueKey = (owner: string, repo: string, n: number) => ['issue', low(owner), low(repo), n] as const;
const labelsKey = (owner: string, repo: string) => ['labels', low(owner), low(repo)] as const;
const milestonesKey = (owner: string, repo: string) => ['milestones', low(owner), low(repo)] as const;
const issuePath = (owner: string, repo: string, n: number) => `${repoPath(owner, repo)}/issues/${n}`;

/** The API's largest page. */
const MAX_PAGE = 50;

/**
 * Every item of a short list the pickers need whole (labels, milestones, collaborators), a page
 * of 50 at a time, up to 500: more than any repository's labels, and a bound on a runaway list.
 */
async function listAll<T>(path: string, query: Record<string, string> = {}): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; page <= 10; page++) {
    const { items, total } = await apiList<T>(path, { ...query, page, limit: MAX_PAGE });
    out.push(...items);
    if (items.length < MAX_PAGE || (total !== null && out.length >= total)) break;
  }
  return out;
}

// ---- lists ----------------------------------------------------------------------------------

/** The list page's URL filters as the API's query (Gitea's names). */
function listQuery(f: IssueFilters) {
  return {
    type: 'issues',
    state: f.state ?? 'open',
    labels: f.labels,
    milestones: f.milestone,
    assigned_by: f.assignee,
    created_by: f.author,
    mentioned_by: f.mentioned,
    q: f.q,
    sort: f.sort,
    page: f.page ?? 1,
    limit: ISSUES_PER_PAGE,
  };
}

export function listIssues(owner: string, repo: string, f: IssueFilters): Promise<PagedResult<Issue>> {
  return apiList<Issue>(`${repoPath(owner, repo)}/issues`, listQuery(f));
}

export function useIssues(owner: string, repo: string, f: IssueFilters) {
  return useQuery({ queryKey: [...issuesKey(owner, repo), 'list', listQuery(f)], queryFn: () => listIssues(owner, repo, f), placeholderData: keepPreviousData });
}

/** How many issues match (the count header of a one-item page): the Open/Closed toggle and the repository tab. */
export async function countIssues(owner: string, repo: string, f: IssueFilters): Promise<number> {
  const r = await apiList<Issue>(`${repoPath(owner, repo)}/issues`, { ...listQuery(f), page: 1, limit: 1 });
  return r.total ?? r.items.length;
}

export function useIssueCount(owner: string, repo: string, f: IssueFilters, enabled = true) {
  return useQuery({ queryKey: [...issuesKey(owner, repo), 'count', listQuery({ ...f, page: 1 })], queryFn: () => countIssues(owner, repo, f), enabled, staleTime: 30_000 });
}

export function usePinnedIssues(owner: string, repo: string) {
  return useQuery({ queryKey: [...issuesKey(owner, repo), 'pinned'], queryFn: () => apiGet<Issue[]>(`${repoPath(owner, repo)}/issues/pinned`) });
}

// ---- one issue --------------------------------------------------------------------------------

export function useIssue(owner: string, repo: string, n: number) {
  return useQuery({ queryKey: [...issueKey(owner, repo, n), 'issue'], queryFn: () => apiGet<Issue>(issuePath(owner, repo, n)), enabled: n > 0 });
}

export function useIssueTimeline(owner: string, repo: string, n: number) {
  return useQuery({ queryKey: [...issueKey(owner, repo, n), 'timeline'], queryFn: () => apiGet<IssueTimeline>(`${issuePath(owner, repo, n)}/timeline`), enabled: n > 0 });
}

/** Everything about one issue, and the lists it shows in, is stale. */
export function invalidateIssue(qc: QueryClient, owner: string, repo: string, n: number): Promise<void> {
  return Promise.all([qc.invalidateQueries({ queryKey: issueKey(owner, repo, n) }), qc.invalidateQueries({ queryKey: issuesKey(owner, repo) })]).then(() => undefined);
}

export function useOpenIssue(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewIssue) => apiSend<Issue>('POST', `${repoPath(owner, repo)}/issues`, body),
    onSuccess: (issue) => {
      qc.setQueryData([...issueKey(owner, repo, issue.number), 'issue'], issue);
      void qc.invalidateQueries({ queryKey: issuesKey(owner, repo) });
      void qc.invalidateQueries({ queryKey: milestonesKey(owner, repo) });
    },
  });
}

export function useEditIssue(owner: string, repo: string, n: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (edit: IssueEdit) => apiSend<Issue>('PATCH', issuePath(owner, repo, n), edit),
    onSuccess: (issue) => {
      qc.setQueryData([...issueKey(owner, repo, n), 'issue'], issue);
      void invalidateIssue(qc, owner, repo, n);
      // a milestone's progress counts this issue
      void qc.invalidateQueries({ queryKey: milestonesKey(owner, repo) });
    },
  });
}

/** Replaces the issue's labels (PUT: the picker sends the whole set it shows). */
export function useSetIssueLabels(owner: string, repo: string, n: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (ids: number[]) => apiSend<Label[]>('PUT', `${issuePath(owner, repo, n)}/labels`, { labels: ids }),
    onSuccess: (labels) => {
      qc.setQueryData<Issue>([...issueKey(owner, repo, n), 'issue'], (i) => (i ? { ...i, labels } : i));
      void invalidateIssue(qc, owner, repo, n);
    },
  });
}

/** A comment (Gitea's comment API: the same for issues and pull requests). */
export function useAddComment(owner: string, repo: string, n: number) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (body: string) => apiSend('POST', `${issuePath(owner, repo, n)}/comments`, { body }), onSuccess: () => invalidateIssue(qc, owner, repo, n) });
}

export function useEditComment(owner: string, repo: string, n: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: string }) => apiSend('PATCH', `${repoPath(owner, repo)}/issues/comments/${id}`, { body }),
    onSuccess: () => invalidateIssue(qc, owner, repo, n),
  });
}

export function useDeleteComment(owner: string, repo: string, n: number) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (id: number) => apiSend('DELETE', `${repoPath(owner, repo)}/issues/comments/${id}`), onSuccess: () => invalidateIssue(qc, owner, repo, n) });
}

/**
 * Toggles your reaction on the issue (`commentId` null) or on one comment. The bar changes at
 * once (the timeline's cached reactions are edited), then the server's answer replaces it.
 */
export function useToggleReaction(owner: string, repo: string, n: number, me: string) {
  const qc = useQueryClient();
  const key = [...issueKey(owner, repo, n), 'timeline'];
  return useMutation({
    mutationFn: ({ commentId, content, on }: { commentId: number | null; content: ReactionContent; on: boolean }) =>
      apiSend(on ? 'POST' : 'DELETE', commentId === null ? `${issuePath(owner, repo, n)}/reactions` : `${repoPath(owner, repo)}/issues/comments/${commentId}/reactions`, { content }),
    onMutate: ({ commentId, content, on }) => {
      const flip = (list: IssueTimeline['reactions']) => {
        const has = list.some((r) => r.content === content);
        const next = has
          ? list.map((r) => (r.content === content ? { ...r, users: on ? [...r.users.filter((u) => u !== me), me] : r.users.filter((u) => u !== me) } : r))
          : on
            ? [...list, { content, users: [me] }]
            : list;
        return next.filter((r) => r.users.length > 0);
      };
      qc.setQueryData<IssueTimeline>(key, (t) =>
        !t ? t : commentId === null ? { ...t, reactions: flip(t.reactions) } : { ...t, entries: t.entries.map((e) => (e.id === commentId ? { ...e, reactions: flip(e.reactions) } : e)) },
      );
    },
    onSettled: () => qc.invalidateQueries({ queryKey: key }),
  });
}

export function usePinIssue(owner: string, repo: string, n: number) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (pinned: boolean) => apiSend(pinned ? 'POST' : 'DELETE', `${issuePath(owner, repo, n)}/pin`), onSuccess: () => invalidateIssue(qc, owner, repo, n) });
}

export function useLockIssue(owner: string, repo: string, n: number) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: (locked: boolean) => apiSend(locked ? 'PUT' : 'DELETE', `${issuePath(owner, repo, n)}/lock`), onSuccess: () => invalidateIssue(qc, owner, repo, n) });
}

export function useIssueTemplates(owner: string, repo: string) {
  return useQuery({ queryKey: ['issue-templates', low(owner), low(repo)], queryFn: () => apiGet<IssueTemplate[]>(`${repoPath(owner, repo)}/issue_templates`), staleTime: 60_000 });
}

/**
 * People who can be assigned (Gitea's /assignees: the owner or its organization's members, and the
 * collaborators). Only asked for by writers.
 */
export function useAssignable(owner: string, repo: string, enabled: boolean) {
  return useQuery({
    queryKey: ['assignees', low(owner), low(repo)],
    queryFn: () => apiGet<User[]>(`${repoPath(owner, repo)}/assignees`),
    enabled,
    staleTime: 60_000,
  });
}

// ---- labels and milestones ------------------------------------------------------------------

export function useLabels(owner: string, repo: string) {
  return useQuery({ queryKey: labelsKey(owner, repo), queryFn: () => listAll<Label>(`${repoPath(owner, repo)}/labels`) });
}

/**
 * Every label an issue of the repository may carry: its own, then its organization's (shared by
 * all the organization's repositories).
 */
export function useUsableLabels(owner: string, repo: string) {
  const r = useRepo(owner, repo);
  const org = r.data?.owner.type === 'Organization';
  return useQuery({
    queryKey: [...labelsKey(owner, repo), 'usable', org],
    enabled: r.data !== undefined,
    queryFn: async () => [...(await listAll<Label>(`${repoPath(owner, repo)}/labels`)), ...(org ? await listAll<Label>(`/orgs/${encodeURIComponent(owner)}/labels`) : [])],
  });
}

export function useSaveLabel(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number | null; body: LabelBody }) =>
      id === null ? apiSend<Label>('POST', `${repoPath(owner, repo)}/labels`, body) : apiSend<Label>('PATCH', `${repoPath(owner, repo)}/labels/${id}`, body),
    // a label's name and color show on every issue that carries it
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: labelsKey(owner, repo) }),
        qc.invalidateQueries({ queryKey: issuesKey(owner, repo) }),
        qc.invalidateQueries({ queryKey: ['issue', low(owner), low(repo)] }),
      ]),
  });
}

export function useDeleteLabel(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => apiSend('DELETE', `${repoPath(owner, repo)}/labels/${id}`),
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: labelsKey(owner, repo) }),
        qc.invalidateQueries({ queryKey: issuesKey(owner, repo) }),
        qc.invalidateQueries({ queryKey: ['issue', low(owner), low(repo)] }),
      ]),
  });
}

export function useMilestones(owner: string, repo: string, state: 'open' | 'closed' | 'all') {
  return useQuery({ queryKey: [...milestonesKey(owner, repo), state], queryFn: () => listAll<Milestone>(`${repoPath(owner, repo)}/milestones`, { state }) });
}

export function useSaveMilestone(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number | null; body: Partial<MilestoneBody> }) =>
      id === null ? apiSend<Milestone>('POST', `${repoPath(owner, repo)}/milestones`, body) : apiSend<Milestone>('PATCH', `${repoPath(owner, repo)}/milestones/${id}`, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: milestonesKey(owner, repo) }),
  });
}

export function useDeleteMilestone(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => apiSend('DELETE', `${repoPath(owner, repo)}/milestones/${id}`),
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: milestonesKey(owner, repo) }), qc.invalidateQueries({ queryKey: issuesKey(owner, repo) })]),
  });
}

// ---- live -------------------------------------------------------------------------------------

/**
 * Keeps a page live: joins the repository's room and, for each `issue.updated` there, refetches
 * that issue (when `n` is the one on screen) and the lists; after a reconnect, refetches once
 * (events may have been missed meanwhile). Answers whether updates arrive live.
 */
export function useIssuesLive(owner: string, repo: string, n: number | null): boolean {
  const qc = useQueryClient();
  const full = `${owner}/${repo}`.toLowerCase();
  const live = useRepoEvents(owner, repo, 'issue.updated', (e) => {
    if (e.repo.toLowerCase() !== full) return;
    void qc.invalidateQueries({ queryKey: issuesKey(owner, repo) });
    if (n !== null && e.number === n) void qc.invalidateQueries({ queryKey: issueKey(owner, repo, n) });
  });
  const was = useRef(live);
  useEffect(() => {
    if (live && !was.current) {
      void qc.invalidateQueries({ queryKey: issuesKey(owner, repo) });
      if (n !== null) void qc.invalidateQueries({ queryKey: issueKey(owner, repo, n) });
    }
    was.current = live;
  }, [live, qc, owner, repo, n]);
  return live;
}
