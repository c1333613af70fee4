// A repository's webhooks (Gitea's /repos/{o}/{r}/hooks API) and their delivery log.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiList, apiSend } from '../../api/client';

export interface Hook {
  id: number;
  type: string;
  branch_filter: string;
  config: { url: string; content_type: string; http_method: string };
  events: string[];
  authorization_header: string;
  active: boolean;
  has_secret: boolean;
  created_at: string;
  updated_at: string;
}

export interface Delivery {
  id: number;
  uuid: string;
  event: string;
  event_type: string;
  state: 'pending' | 'delivered' | 'failed' | 'refused';
  attempts: number;
  is_test: boolean;
  redelivery_of: number | null;
  delivered_at: string | null;
  created_at: string;
  duration_ms: number | null;
  status_code: number | null;
  success: boolean;
  request: { url: string; method: string; headers: Record<string, string>; body: string };
  response: { status: number; headers: Record<string, string>; body: string } | null;
  error: string | null;
}

export interface HookBody {
  type?: string;
  config?: { url?: string; content_type?: string; secret?: string };
  events?: string[];
  branch_filter?: string;
  authorization_header?: string;
  active?: boolean;
}

const base = (owner: string, repo: string) => `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/hooks`;
const hooksKey = (owner: string, repo: string) => ['repo', owner.toLowerCase(), repo.toLowerCase(), 'hooks'] as const;

export function useHooks(owner: string, repo: string) {
  return useQuery({ queryKey: hooksKey(owner, repo), queryFn: () => apiList<Hook>(base(owner, repo), { limit: 50 }).then((r) => r.items) });
}

export function useHook(owner: string, repo: string, id: number) {
  return useQuery({ queryKey: [...hooksKey(owner, repo), id], queryFn: () => apiGet<Hook>(`${base(owner, repo)}/${id}`) });
}

export function useSaveHook(owner: string, repo: string, id: number | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: HookBody) => (id === null ? apiSend<Hook>('POST', base(owner, repo), { type: 'gitea', ...body }) : apiSend<Hook>('PATCH', `${base(owner, repo)}/${id}`, body)),
    onSuccess: (hook) => {
      qc.setQueryData([...hooksKey(owner, repo), hook.id], hook);
      void qc.invalidateQueries({ queryKey: hooksKey(owner, repo), exact: true });
    },
  });
}

export function useDeleteHook(owner: string, repo: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => apiSend('DELETE', `${base(owner, repo)}/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: hooksKey(owner, repo) }),
  });
}

const deliveriesKey = (owner: string, repo: string, id: number) => [...hooksKey(owner, repo), id, 'deliveries'] as const;

/** The newest deliveries; polled while one is still pending (queued or waiting to retry). */
export function useDeliveries(owner: string, repo: string, id: number, page: number) {
  return useQuery({
    queryKey: [...deliveriesKey(owner, repo, id), page],
    queryFn: () => apiList<Delivery>(`${base(owner, repo)}/${id}/deliveries`, { page, limit: 20 }),
    refetchInterval: (q) => (q.state.data?.items.some((d) => d.state === 'pending') ? 2000 : false),
  });
}

export function useTestHook(owner: string, repo: string, id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => apiSend('POST', `${base(owner, repo)}/${id}/tests`),
    onSuccess: () => qc.invalidateQueries({ queryKey: deliveriesKey(owner, repo, id) }),
  });
}

export function useRedeliver(owner: string, repo: string, id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: number) => apiSend<Delivery>('POST', `${base(owner, repo)}/${id}/deliveries/${deliveryId}/redeliver`),
    onSuccess: () => qc.invalidateQueries({ queryKey: deliveriesKey(owner, repo, id) }),
  });
}
