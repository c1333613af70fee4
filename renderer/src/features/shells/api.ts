// Dev shells: one typed function and one hook per call, and the live links. The server tells a
// shell's owner `shell.state {shell}` whenever one of their shells changes state; the lists and
// the shell page patch what they hold from it (no polling for state). A terminal's bytes travel
// as `shell:output` / `shell:input` (see terminal-stream.ts); `shell:exit` says it ended.
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { apiGet, apiList, apiSend } from '../../api/client';
import { useRealtimeConnected, useSocketEvent } from '../../lib/realtime';
import { repoPath } from '../repos/api';
import { useCurrentUser } from '../session/api';
import { isLive, type OverrideLimits, type Shell, type ShellOffer, type ShellOverride, type ShellState } from './types';

declare module '../../lib/realtime' {
  interface RealtimeEvents {
    /** One of the viewer's shells changed state (to its owner only). */
    'shell.state': { shell: Shell };
    /** Terminal output of an attached shell; `end` counts every character it has output so far. */
    'shell:output': { id: number; data: string; end: number };
    /** An attached shell ended. */
    'shell:exit': { id: number; code: number | null; reason: string | null };
  }
}

const mineKey = ['shells', 'mine'] as const;
const shellKey = (id: number) => ['shells', 'one', id] as const;
const offerKey = (repo: string) => ['shells', 'offer', repo.toLowerCase()] as const;
const adminKey = ['console', 'shells'] as const;
const overridesKey = ['console', 'shell-overrides'] as const;

const shellPath = (id: number) => `/user/shells/${id}`;
/** The branches list's largest page. */
const BRANCH_PAGE = 50;

const STEP: Record<ShellState, number> = { starting: 0, running: 1, stopping: 2, stopped: 3, failed: 3 };

/** Of two reports of one shell, the one further along (a fetch answered before the last event must not undo it). */
function furthest(held: Shell | undefined, fetched: Shell): Shell {
  if (!held || held.id !== fetched.id) return fetched;
  return STEP[held.state] > STEP[fetched.state] ? held : fetched;
}

/** Puts a shell everywhere the cache holds it: its own entry and the viewer's list (newest first). */
function remember(qc: QueryClient, shell: Shell): void {
  qc.setQueryData<Shell>(shellKey(shell.id), (held) => furthest(held, shell));
  qc.setQueryData<Shell[]>(mineKey, (list) => {
    if (!list) return list;
    const i = list.findIndex((x) => x.id === shell.id);
    if (i < 0) return [shell, ...list];
    const next = list.slice();
    next[i] = furthest(list[i], shell);
    return next;
  });
}

/** Keeps cached shells in step with `shell.state`, and asks again after a reconnect (events missed meanwhile). */
function useLiveShells(): boolean {
  const qc = useQueryClient();
  const connected = useRealtimeConnected();
  const me = useCurrentUser()?.id ?? null;
  useSocketEvent('shell.state', (e) => {
    // administrators hear of everyone's shells (for the console): only our own are ours
    if (e?.shell && typeof e.shell.id === 'number' && e.shell.user?.id === me) remember(qc, e.shell);
  });
  const was = useRef(connected);
  useEffect(() => {
    if (connected && !was.current) void qc.invalidateQueries({ queryKey: ['shells'] });
    was.current = connected;
  }, [connected, qc]);
  return connected;
}

export const listShells = () => apiGet<Shell[]>('/user/shells');

/** The viewer's shells, newest first (running and recently stopped). */
export function useMyShells(enabled = true) {
  useLiveShells();
  return useQuery({ queryKey: mineKey, queryFn: listShells, enabled, staleTime: Infinity });
}

/** How many of the viewer's shells run (or start) now; null while unknown or unavailable. */
export function useRunningShellCount(enabled: boolean): number | null {
  const q = useMyShells(enabled);
  return q.data ? q.data.filter((x) => isLive(x.state)).length : null;
}

export const getShell = (id: number) => apiGet<Shell>(shellPath(id));

export function useShell(id: number) {
  const qc = useQueryClient();
  useLiveShells();
  return useQuery({
    queryKey: shellKey(id),
    queryFn: async () => furthest(qc.getQueryData<Shell>(shellKey(id)), await getShell(id)),
    staleTime: Infinity,
  });
}

export const startShell = (body: { repo: string; branch?: string }) => apiSend<Shell>('POST', '/user/shells', body);

export function useStartShell() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: startShell,
    onSuccess: (shell) => {
      remember(qc, shell);
      void qc.invalidateQueries({ queryKey: ['shells', 'offer'] });
    },
  });
}

export const stopShell = (id: number) => apiSend('DELETE', shellPath(id));

export function useStopShell() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: stopShell,
    // the state itself arrives as `shell.state`; a fetch covers a tab without a socket
    onSuccess: (_r, id) => Promise.all([qc.invalidateQueries({ queryKey: shellKey(id) }), qc.invalidateQueries({ queryKey: mineKey })]),
  });
}

export const getShellOffer = (repo: string) => apiGet<ShellOffer>('/user/shells/limits', { repo });

/** What a new shell for `repo` would get (limits, backend, how many run), asked when the start dialog opens. */
export function useShellOffer(repo: string, enabled: boolean) {
  return useQuery({ queryKey: offerKey(repo), queryFn: () => getShellOffer(repo), enabled, staleTime: 0 });
}

/** A repository's branch names for the start dialog (up to 200; the current one is always offered). */
export function useBranchChoices(owner: string, repo: string, enabled: boolean) {
  return useQuery({
    queryKey: ['shells', 'branches', owner.toLowerCase(), repo.toLowerCase()],
    queryFn: async () => {
      const names: string[] = [];
      for (let page = 1; page <= 4; page++) {
        const { items } = await apiList<{ name: string }>(`${repoPath(owner, repo)}/branches`, { limit: BRANCH_PAGE, page });
        names.push(...items.map((b) => b.name));
        if (items.length < BRANCH_PAGE) break;
      }
      return names;
    },
    enabled,
  });
}

// --- the operator console ---

export const listAdminShells = () => apiGet<Shell[]>('/admin/shells');

/** Every running or starting shell with its usage: every 5 s, and at once when the viewer's own change. */
export function useAdminShells() {
  const qc = useQueryClient();
  // `shell.state` reaches an administrator only for their own shells: the interval does the rest
  useSocketEvent('shell.state', () => void qc.invalidateQueries({ queryKey: adminKey }));
  return useQuery({ queryKey: adminKey, queryFn: listAdminShells, refetchInterval: 5_000 });
}

export const adminStopShell = (id: number) => apiSend('DELETE', `/admin/shells/${id}`);

export function useAdminStopShell() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: adminStopShell, onSuccess: () => qc.invalidateQueries({ queryKey: adminKey }) });
}

export const listOverrides = () => apiGet<ShellOverride[]>('/admin/shells/overrides');

export function useShellOverrides() {
  return useQuery({ queryKey: overridesKey, queryFn: listOverrides });
}

export const putOverride = ({ name, limits }: { name: string; limits: OverrideLimits }) => apiSend<ShellOverride>('PUT', `/admin/shells/overrides/${encodeURIComponent(name)}`, limits);

export function usePutOverride() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: putOverride, onSuccess: () => qc.invalidateQueries({ queryKey: overridesKey }) });
}

export const deleteOverride = (name: string) => apiSend('DELETE', `/admin/shells/overrides/${encodeURIComponent(name)}`);

export function useDeleteOverride() {
  const qc = useQueryClient();
  return useMutation({ mutationFn: deleteOverride, onSuccess: () => qc.invalidateQueries({ queryKey: overridesKey }) });
}
