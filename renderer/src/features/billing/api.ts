// Billing: one typed function and one hook per call. Everything is behind GET /user/billing,
// which answers 404 while billing is off: then no link, no page, nothing asked again for a while.
// The history is asked again while a payment is being confirmed (Stripe's webhook credits it).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, apiGet, apiList, apiSend } from '../../api/client';
import type { Adjustment, BillingState, Checkout, LedgerEntry, Plan, PlanInput, UserBalance } from './types';

export const LEDGER_PER_PAGE = 20;

const stateKey = ['billing', 'state'] as const;
const ledgerKey = ['billing', 'ledger'] as const;
const adminPlansKey = ['console', 'billing', 'plans'] as const;
const adminBalancesKey = ['console', 'billing', 'balances'] as const;

/** A 404 means billing is off: an answer, not a failure to retry. */
const isOff = (err: unknown) => err instanceof ApiError && err.status === 404;

export const getBilling = () => apiGet<BillingState>('/user/billing');

/** The viewer's credits and the plans on sale; `poll` asks again every few seconds (a payment on its way). */
export function useBilling(opts: { enabled?: boolean; poll?: boolean } = {}) {
  return useQuery({
    queryKey: stateKey,
    queryFn: getBilling,
    enabled: opts.enabled ?? true,
    staleTime: 0,
    retry: (n, err) => !isOff(err) && n < 2,
    refetchInterval: opts.poll ? 3_000 : false,
  });
}

/**
 * Is billing on, for the header's menu: true only once the server said 200. Asked once per
 * sign-in and again when something (the page, the console's settings) refreshes the query.
 */
export function useBillingEnabled(enabled: boolean): boolean {
  const q = useQuery({ queryKey: stateKey, queryFn: getBilling, enabled, staleTime: 5 * 60_000, retry: (n, err) => !isOff(err) && n < 2 });
  return enabled && q.isSuccess;
}

export const listLedger = (page: number) => apiList<LedgerEntry>('/user/billing/ledger', { page, limit: LEDGER_PER_PAGE });

export function useLedger(page: number, opts: { poll?: boolean } = {}) {
  return useQuery({
    queryKey: [...ledgerKey, page],
    queryFn: () => listLedger(page),
    placeholderData: keepPreviousData,
    staleTime: 0,
    refetchInterval: opts.poll ? 3_000 : false,
  });
}

export const startCheckout = (planId: number) => apiSend<Checkout>('POST', '/user/billing/checkout', { plan_id: planId });

/** Asks for a Stripe Checkout session; the caller goes there (window.location.assign). */
export function useCheckout() {
  return useMutation({ mutationFn: startCheckout });
}

/** After the console changed billing settings: the menu, the page and the console's balances ask again. */
export function useRefreshBilling(): () => void {
  const qc = useQueryClient();
  return () => void Promise.all([qc.invalidateQueries({ queryKey: ['billing'] }), qc.invalidateQueries({ queryKey: ['console', 'billing'] })]);
}

// --- the operator console ---

export const listAdminPlans = () => apiGet<Plan[]>('/admin/billing/plans');

/** Every plan, sold or not (editable while billing is off too). */
export function useAdminPlans() {
  return useQuery({ queryKey: adminPlansKey, queryFn: listAdminPlans });
}

export const createPlan = (body: PlanInput) => apiSend<Plan>('POST', '/admin/billing/plans', body);
export const updatePlan = (id: number, body: Partial<PlanInput>) => apiSend<Plan>('PATCH', `/admin/billing/plans/${id}`, body);

/** Creates a plan (no id) or changes one; the given prices replace the old ones. */
export function useSavePlan() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, plan }: { id: number | null; plan: PlanInput }) => (id === null ? createPlan(plan) : updatePlan(id, plan)),
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: adminPlansKey }), qc.invalidateQueries({ queryKey: ['billing'] })]),
  });
}

export const listBalances = () => apiGet<UserBalance[]>('/admin/billing/balances');

/** Every user with credit history and their balance; a 404 (billing off) is not retried. */
export function useAdminBalances() {
  return useQuery({ queryKey: adminBalancesKey, queryFn: listBalances, retry: (n, err) => !isOff(err) && n < 2 });
}

export const adjustCredits = (body: Adjustment) => apiSend<LedgerEntry>('POST', '/admin/billing/adjustments', body);

export function useAdjustCredits() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: adjustCredits,
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: adminBalancesKey }), qc.invalidateQueries({ queryKey: ['billing'] })]),
  });
}

export { isOff as isBillingOff };
