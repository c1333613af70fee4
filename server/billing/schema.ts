// The billing feature's tables, added to the db's `Database` by declaration merging. The ledger
// is append-only: a balance is always the sum of a user's entries, never a stored number.
import type { Generated, Selectable } from 'kysely';

export const ENTRY_KINDS = ['purchase', 'subscription', 'shell', 'ci', 'adjustment'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export interface CreditLedgerTable {
  id: Generated<number>;
  user_id: number;
  /** Credits: positive in, negative out; whole numbers. */
  amount: number;
  kind: EntryKind;
  /** What it is for, unique per kind (a Stripe session or invoice, a shell, a CI job): the same thing never counts twice. */
  reference: string | null;
  /** A sentence for the history (an adjustment's reason, the plan bought). */
  description: string;
  /** Money paid, in the currency's minor unit, for purchases. */
  money_amount: number | null;
  currency: string | null;
  receipt_url: string | null;
  /** Who made an adjustment. */
  actor_id: number | null;
  created_at: number;
}

export interface BillingPlanTable {
  id: Generated<number>;
  name: string;
  /** A one-off pack, or a monthly subscription that adds its credits every period. */
  kind: 'pack' | 'subscription';
  credits: number;
  active: number;
  created_at: number;
}

export interface BillingPriceTable {
  plan_id: number;
  currency: string;
  /** In the currency's minor unit (cents). */
  unit_amount: number;
}

/** Stripe events already handled, by id: a redelivery changes nothing. */
export interface StripeEventTable {
  id: string;
  type: string;
  processed_at: number;
}

export type LedgerRow = Selectable<CreditLedgerTable>;
export type PlanRow = Selectable<BillingPlanTable>;

declare module '../db/schema.js' {
  interface Database {
    credit_ledger: CreditLedgerTable;
    billing_plans: BillingPlanTable;
    billing_prices: BillingPriceTable;
    stripe_events: StripeEventTable;
  }
}
