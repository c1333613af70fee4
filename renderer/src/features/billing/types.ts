// The shapes of the billing API (server/billing): the viewer's credits and the plans on sale,
// their credit history, and what the operator console edits.

export type PlanKind = 'pack' | 'subscription';

export interface Plan {
  id: number;
  name: string;
  /** A one-off pack, or a monthly subscription that adds its credits every period. */
  kind: PlanKind;
  credits: number;
  active: boolean;
  /** Price per currency (lower-case ISO 4217), in the currency's minor unit (cents). */
  prices: Record<string, number>;
}

/** GET /user/billing (404 while billing is off). */
export interface BillingState {
  balance: number;
  /** Active plans only. */
  plans: Plan[];
  shell_minute_credits: number;
  ci_minute_credits: number;
  default_currency: string;
  /** A Stripe key is set: buying is possible. */
  payments: boolean;
}

export const ENTRY_KINDS = ['purchase', 'subscription', 'shell', 'ci', 'adjustment'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export interface LedgerEntry {
  id: number;
  /** Credits: positive in, negative out. */
  amount: number;
  kind: EntryKind;
  description: string;
  /** Money paid, in the currency's minor unit, for purchases and subscriptions. */
  money: { amount: number; currency: string } | null;
  receipt_url: string | null;
  created_at: string;
}

/** POST /user/billing/checkout: where Stripe Checkout waits, and what it will charge. */
export interface Checkout {
  url: string;
  currency: string;
  amount: number;
}

export interface PlanInput {
  name: string;
  kind: PlanKind;
  credits: number;
  active: boolean;
  prices: Record<string, number>;
}

export interface UserBalance {
  login: string;
  balance: number;
}

export interface Adjustment {
  user: string;
  /** Whole credits, not zero; negative takes away. */
  amount: number;
  reason: string;
}
