// The task board: one typed function and hook per call, and the live link. The server says
// `task.updated {repo, id, what, version}` in the repository's room after every change to the
// board (anyone's), and the open board refetches its columns and cards.
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { apiGet, apiSend } from '../../api/client';
import { useRealtimeConnected, useRepoEvents } from '../../lib/realtime';
import { repoPath } from '../repos/api';
import type { User } from '../users/types';
import type { Column, Task, TaskFields, TaskState } from './types';

declare module '../../lib/realtime' {
  interface RealtimeEvents {
    /** Card `id` of `repo` ("owner/name") was created, edited, moved or deleted, or the columns changed (`id` null). */
    'task.updated': { repo: string; id: number | null; what: 'created' | 'edited' | 'moved' | 'deleted' | 'columns'; version: number };
  }
}

const low = (s: string) => s.toLowerCase();
/** Everything cached about one board starts with this. */
export const boardKey = (owner: string, repo: string) => ['tasks', low(owner), low(repo)] as const;
const tasksPath = (owner: string, repo: string) => `${repoPath(owner, repo)}/tasks`;
/** Without a live connection (signed out, or it dropped) the board asks now and then instead. */
const POLL_MS = 20_000;

export function listColumns(owner: string, repo: string): Promise<Column[]> {
  return apiGet<Column[]>(`${tasksPath(owner, repo)}/columns`);
}

export function useColumns(owner: string, repo: string) {
  const live = useRealtimeConnected();
  return useQuery({ queryKey: [...boardKey(owner, repo), 'columns'], queryFn: () => listColumns(owner, repo), refetchInterval: live ? false : POLL_MS });
}

export function listTasks(owner: string, repo: string): Promise<Task[]> {
  return apiGet<Task[]>(tasksPath(owner, repo));
}

export function useTasks(owner: string, repo: string) {
  const live = useRealtimeConnected();
  return useQuery({ queryKey: [...boardKey(owner, repo), 'list'], queryFn: () => listTasks(owner, repo), refetchInterval: live ? false : POLL_MS });
}

export function getTask(owner: string, repo: string, id: number): Promise<Task> {
  return apiGet<Task>(`${tasksPath(owner, repo)}/${id}`);
}

export function useTask(owner: string, repo: string, id: number | null) {
  return useQuery({ queryKey: [...boardKey(owner, repo), 'task', id], queryFn: () => getTask(owner, repo, id!), enabled: id !== null });
}

/** People who may be assigned: the repository's collaborators and its owner (best effort). */
export function useAssignees(owner: string, repo: string, enabled: boolean) {
  return useQuery({
    queryKey: ['collaborators', low(owner), low(repo)],
    queryFn: () => apiGet<User[]>(`${repoPath(owner, repo)}/collaborators`, { limit: 50 }).catch(() => [] as User[]),
    enabled,
    staleTime: 60_000,
  });
}

export function invalidateBoard(qc: QueryClient, owner: string, repo: string): Promise<void> {
  return qc.invalidateQueries({ queryKey: boardKey(owner, repo) });
}

/** Refetches the board whenever anyone changes it; answers whether live updates arrive. */
export function useBoardLive(owner: string, repo: string, paused: () => boolean): boolean {
  const qc = useQueryClient();
  return useRepoEvents(owner, repo, 'task.updated', (e) => {
    if (low(e.repo) !== low(`${owner}/${repo}`)) return;
    // mid-drag the board keeps its own order; the drop refetches anyway
    if (paused()) return;
    void invalidateBoard(qc, owner, repo);
  });
}

export function createTask(owner: string, repo: string, fields: TaskFields & { title: string }): Promise<Task> {
  return apiSend<Task>('POST', tasksPath(owner, repo), fields);
}

export function updateTask(owner: string, repo: string, id: number, fields: TaskFields): Promise<Task> {
  return apiSend<Task>('PATCH', `${tasksPath(owner, repo)}/${id}`, fields);
}

export function deleteTask(owner: string, repo: string, id: number): Promise<void> {
  return apiSend('DELETE', `${tasksPath(owner, repo)}/${id}`);
}

/** Creates, edits and deletes cards; each success refreshes the board. */
export function useTaskMutations(owner: string, repo: string) {
  const qc = useQueryClient();
  const done = (t?: Task) => {
    if (t) qc.setQueryData([...boardKey(owner, repo), 'task', t.id], t);
    void invalidateBoard(qc, owner, repo);
  };
  return {
    create: useMutation({ mutationFn: (f: TaskFields & { title: string }) => createTask(owner, repo, f), onSuccess: done }),
    update: useMutation({ mutationFn: ({ id, fields }: { id: number; fields: TaskFields }) => updateTask(owner, repo, id, fields), onSuccess: done }),
    remove: useMutation({ mutationFn: (id: number) => deleteTask(owner, repo, id), onSuccess: () => done() }),
  };
}

/**
 * Moves a card: the board shows the new order at once (the cached list is rewritten in the
 * same tick as the drop, so the card never flickers back), the server stores it, and the board
 * refetches either way — after a refusal that puts the card back where the server has it.
 */
export function useMoveTask(owner: string, repo: string): (id: number, column: number, position: number) => void {
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: ({ id, column, position }: { id: number; column: number; position: number }) => updateTask(owner, repo, id, { column, position }),
    onSettled: () => void invalidateBoard(qc, owner, repo),
  });
  return (id, column, position) => {
    const listKey = [...boardKey(owner, repo), 'list'];
    void qc.cancelQueries({ queryKey: listKey });
    const before = qc.getQueryData<Task[]>(listKey);
    if (before) qc.setQueryData(listKey, moveInList(before, id, column, position));
    m.mutate({ id, column, position });
  };
}

/** The card list after moving card `id` to `position` of `column` (positions renumbered as the server does). */
export function moveInList(list: Task[], id: number, column: number, position: number): Task[] {
  const card = list.find((t) => t.id === id);
  if (!card) return list;
  const byColumn = new Map<number, Task[]>();
  for (const t of list) {
    if (t.id === id) continue;
    const col = byColumn.get(t.column) ?? [];
    col.push(t);
    byColumn.set(t.column, col);
  }
  const target = byColumn.get(column) ?? [];
  target.sort((a, b) => a.position - b.position);
  target.splice(Math.max(0, Math.min(position, target.length)), 0, { ...card, column });
  byColumn.set(column, target);
  const out: Task[] = [];
  for (const [col, cards] of byColumn) cards.sort((a, b) => (col === column ? 0 : a.position - b.position)).forEach((t, i) => out.push({ ...t, position: i }));
  return out;
}

export function createColumn(owner: string, repo: string, body: { name: string; state: TaskState; position?: number }): Promise<Column> {
  return apiSend<Column>('POST', `${tasksPath(owner, repo)}/columns`, body);
}

export function updateColumn(owner: string, repo: string, id: number, body: { name?: string; state?: TaskState; position?: number }): Promise<Column> {
  return apiSend<Column>('PATCH', `${tasksPath(owner, repo)}/columns/${id}`, body);
}

export function deleteColumn(owner: string, repo: string, id: number): Promise<void> {
  return apiSend('DELETE', `${tasksPath(owner, repo)}/columns/${id}`);
}

export function useColumnMutations(owner: string, repo: string) {
  const qc = useQueryClient();
  const done = () => void invalidateBoard(qc, owner, repo);
  return {
    create: useMutation({ mutationFn: (b: { name: string; state: TaskState }) => createColumn(owner, repo, b), onSuccess: done }),
    update: useMutation({ mutationFn: ({ id, ...b }: { id: number; name?: string; state?: TaskState; position?: number }) => updateColumn(owner, repo, id, b), onSuccess: done }),
    remove: useMutation({ mutationFn: (id: number) => deleteColumn(owner, repo, id), onSuccess: done }),
  };
}
