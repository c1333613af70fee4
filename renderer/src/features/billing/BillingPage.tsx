// /-/billing: the viewer's credits (big), what a dev shell minute and a CI minute cost, the plans
// on sale as cards with the price Stripe will charge in the viewer's currency (informational:
// the server picks it from Accept-Language), Buy/Subscribe going to Stripe Checkout, and the
// credit history with receipts. Stripe comes back with ?checkout=done|cancelled: a notice, and
// while the payment is being confirmed the balance and history are asked again every few seconds.
// A 404 (billing off) reads as "not found": the feature is not there.
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { Badge, Button, EmptyState, ErrorState, FormError, Loading, Notice, Pager, Panel, PanelHeader, RelativeTime, useTitle } from '../../components/ui';
import { useCurrentUser } from '../session/api';
import { LEDGER_PER_PAGE, useBilling, useCheckout, useLedger } from './api';
import { choosePrice, credits, formatMoney } from './money';
import type { BillingState, EntryKind, LedgerEntry, Plan } from './types';
import s from './Billing.module.css';

const SIGNED = new Intl.NumberFormat(undefined, { signDisplay: 'exceptZero' });

/** How long a returning payment is waited for (the webhook usually takes seconds). */
const CONFIRM_MS = 2 * 60_000;

const KIND_WORDS: Record<EntryKind, string> = {
  purchase: 'Purchase',
  subscription: 'Subscription',
  shell: 'Dev shell',
  ci: 'CI',
  adjustment: 'Adjustment',
};

export function BillingPage() {
  useTitle('Billing');
  const user = useCurrentUser();
  if (!user) {
    return (
      <Panel>
        <EmptyState title="Sign in to see your credits" icon="¤">
          <a href="/user/login?redirect_to=/-/billing">Sign in</a>
        </EmptyState>
      </Panel>
    );
  }
  return <Billing />;
}

/** True for CONFIRM_MS after `on` turns true. */
function useWindow(on: boolean): boolean {
  const [open, setOpen] = useState(on);
  useEffect(() => {
    setOpen(on);
    if (!on) return;
    const t = setTimeout(() => setOpen(false), CONFIRM_MS);
    return () => clearTimeout(t);
  }, [on]);
  return open;
}

function Billing() {
  const { checkout, page = 1 } = useSearch({ from: '/-/billing' });
  const navigate = useNavigate({ from: '/-/billing' });
  const confirming = useWindow(checkout === 'done');
  const q = useBilling({ poll: confirming });
  const ledger = useLedger(page, { poll: confirming && page === 1 });

  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const b = q.data;
  const total = ledger.data?.total ?? null;
  const hasNext = total !== null ? page * LEDGER_PER_PAGE < total : (ledger.data?.items.length ?? 0) === LEDGER_PER_PAGE;

  return (
    <div className={s.page} data-testid="billing-page">
      {checkout === 'done' && (
        <Notice kind="ok">
          <span data-testid="checkout-notice" data-checkout="done">
            Payment received: credits appear as soon as Stripe confirms it.
          </span>
        </Notice>
      )}
      {checkout === 'cancelled' && (
        <Notice kind="warn">
          <span data-testid="checkout-notice" data-checkout="cancelled">
            Payment cancelled: nothing was charged.
          </span>
        </Notice>
      )}
      <Panel pad>
        <h1>Billing</h1>
        <div className={s.summary}>
          <div>
            <div className={s.label}>Balance</div>
            <div className={s.balance} data-testid="billing-balance" data-balance={b.balance} data-negative={b.balance < 0}>
              {b.balance.toLocaleString()}
              <span className={s.unit}>{Math.abs(b.balance) === 1 ? 'credit' : 'credits'}</span>
            </div>
          </div>
          <div className={s.costs} data-testid="billing-costs">
            <span>
              A dev shell minute: <strong>{b.shell_minute_credits ? credits(b.shell_minute_credits) : 'free'}</strong>
            </span>
            <span>
              A CI minute: <strong>{b.ci_minute_credits ? credits(b.ci_minute_credits) : 'free'}</strong>
            </span>
          </div>
        </div>
      </Panel>
      <Plans billing={b} />
      <Panel>
        <PanelHeader>
          <h2 style={{ margin: 0 }}>History</h2>
          {total !== null && <span className="muted">{total === 1 ? '1 entry' : `${total} entries`}</span>}
        </PanelHeader>
        {ledger.isError ? (
          <ErrorState error={ledger.error} retry={() => void ledger.refetch()} />
        ) : !ledger.data ? (
          <Loading />
        ) : ledger.data.items.length === 0 ? (
          <EmptyState title="No credits bought or spent yet" icon="¤" />
        ) : (
          <div className={s.tableWrap} style={{ opacity: ledger.isPlaceholderData ? 0.6 : 1 }}>
            <table className={s.table} data-testid="billing-history">
              <thead>
                <tr>
                  <th>Date</th>
                  <th>What</th>
                  <th className={s.num}>Credits</th>
                  <th className={s.num}>Paid</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {ledger.data.items.map((e) => (
                  <EntryRow key={e.id} entry={e} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
      <Pager page={page} hasNext={hasNext} onPage={(p) => void navigate({ search: (prev) => ({ ...prev, page: p > 1 ? p : undefined }) })} />
    </div>
  );
}

function Plans({ billing }: { billing: BillingState }) {
  const checkout = useCheckout();
  const [leaving, setLeaving] = useState<number | null>(null);
  const buy = (plan: Plan) =>
    checkout.mutate(plan.id, {
      onSuccess: (r) => {
        // Stripe Checkout; it comes back to /-/billing?checkout=done or =cancelled
        setLeaving(plan.id);
        window.location.assign(r.url);
      },
    });
  return (
    <Panel>
      <PanelHeader>
        <h2 style={{ margin: 0 }}>Buy credits</h2>
      </PanelHeader>
      {!billing.payments && (
        <div className={s.pad}>
          <Notice kind="warn">Card payments are not set up on this server yet: ask an administrator.</Notice>
        </div>
      )}
      {checkout.error ? (
        <div className={s.pad}>
          <FormError error={checkout.error} />
        </div>
      ) : null}
      {billing.plans.length === 0 ? (
        <EmptyState title="Nothing on sale yet" icon="¤">
          An administrator adds credit packs and subscriptions in the operator console.
        </EmptyState>
      ) : (
        <div className={s.plans} data-testid="billing-plans">
          {billing.plans.map((plan) => {
            const price = choosePrice(plan.prices, billing.default_currency);
            const monthly = plan.kind === 'subscription';
            return (
              <article key={plan.id} className={s.plan} data-testid="billing-plan" data-plan={plan.id}>
                <div>
                  <Badge accent={monthly}>{monthly ? 'Monthly subscription' : 'Credit pack'}</Badge>
                </div>
                <h3 className={s.planName}>{plan.name}</h3>
                <div className={s.planCredits}>
                  {credits(plan.credits)}
                  {monthly && <span className={s.per}> a month</span>}
                </div>
                <div className={s.price} data-testid="billing-plan-price">
                  {price ? formatMoney(price.amount, price.currency) : <span className="muted">No price yet</span>}
                  {price && monthly && <span className={s.per}> / month</span>}
                </div>
                <div className={s.planAction}>
                  <Button
                    variant="primary"
                    busy={(checkout.isPending && checkout.variables === plan.id) || leaving === plan.id}
                    disabled={!billing.payments || !price || leaving !== null}
                    onClick={() => buy(plan)}
                    data-testid="billing-buy"
                  >
                    {monthly ? 'Subscribe' : 'Buy'}
                  </Button>
                </div>
              </article>
            );
          })}
        </div>
      )}
    </Panel>
  );
}

function EntryRow({ entry: e }: { entry: LedgerEntry }) {
  return (
    <tr data-testid="billing-entry" data-kind={e.kind}>
      <td className={s.nowrap}>
        <RelativeTime iso={e.created_at} />
      </td>
      <td className={s.description}>
        <span className="muted">{KIND_WORDS[e.kind] ?? e.kind}</span> · <span data-testid="billing-entry-description">{e.description}</span>
      </td>
      <td className={s.num}>
        <span className={s.amount} data-sign={e.amount >= 0 ? 'in' : 'out'} data-testid="billing-entry-amount">
          {SIGNED.format(e.amount)}
        </span>
      </td>
      <td className={s.num}>{e.money ? formatMoney(e.money.amount, e.money.currency) : <span className="muted">—</span>}</td>
      <td className={s.nowrap}>
        {e.receipt_url && /^https?:\/\//i.test(e.receipt_url) && (
          <a href={e.receipt_url} target="_blank" rel="noopener noreferrer" data-testid="billing-receipt">
            Receipt
          </a>
        )}
      </td>
    </tr>
  );
}
