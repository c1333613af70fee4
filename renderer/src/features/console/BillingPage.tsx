// Console → Billing: the plans (credit packs and monthly subscriptions) with their price per
// currency, created and edited here (also while billing is off, to prepare them); and every
// user's balance with a by-hand adjustment (whole credits, a reason; audited). The switch, the
// Stripe keys and what minutes cost are on the Settings page (billing.*).
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { Badge, Button, EmptyState, ErrorState, FormError, Hint, Loading, Modal, Panel, PanelHeader, useTitle } from '../../components/ui';
import { credits, formatMoney, isBillingOff, minorDigits, toMajor, toMinor, useAdjustCredits, useAdminBalances, useAdminPlans, useSavePlan, type Plan, type PlanKind } from '../billing';
import s from './Console.module.css';

export function BillingPage() {
  useTitle('Console billing');
  return (
    <>
      <Plans />
      <Balances />
    </>
  );
}

/** A plan's prices, in alphabetical order of currency. */
const byCurrency = (prices: Record<string, number> | undefined) => Object.entries(prices ?? {}).sort(([a], [b]) => a.localeCompare(b));

/** A plan's prices in words: `$5.00 · 4,50 €`. */
const pricesLine = (p: Plan) =>
  byCurrency(p.prices)
    .map(([cur, minor]) => formatMoney(minor, cur))
    .join(' · ');

function Plans() {
  const q = useAdminPlans();
  const [editing, setEditing] = useState<Plan | 'new' | null>(null);
  return (
    <Panel>
      <PanelHeader>
        <h2 style={{ margin: 0 }}>Plans</h2>
        <span className="muted">what users can buy</span>
        <span className={s.grow} />
        <Link to="/console/settings" className="muted">
          Stripe and prices per minute in Settings
        </Link>
        <Button small onClick={() => setEditing('new')} data-testid="plan-add">
          New plan
        </Button>
      </PanelHeader>
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorState error={q.error} retry={() => void q.refetch()} />
      ) : q.data.length === 0 ? (
        <EmptyState title="No plans yet" icon="¤">
          A plan is a credit pack bought once or a monthly subscription, with a price in each currency you sell in.
        </EmptyState>
      ) : (
        <div className={s.tableWrap}>
          <table className={s.table} data-testid="billing-plans-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Kind</th>
                <th>Credits</th>
                <th>Prices</th>
                <th>On sale</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {q.data.map((p) => (
                <tr key={p.id} data-testid="plan-row" data-plan={p.id} data-name={p.name}>
                  <td>{p.name}</td>
                  <td className={s.nowrap}>{p.kind === 'subscription' ? 'Monthly subscription' : 'Credit pack'}</td>
                  <td className={s.nowrap}>{credits(p.credits)}</td>
                  <td>{pricesLine(p) || <span className="muted">none (can't be bought)</span>}</td>
                  <td>{p.active ? <Badge accent>on sale</Badge> : <Badge>hidden</Badge>}</td>
                  <td>
                    <Button small onClick={() => setEditing(p)} aria-label={`Edit ${p.name}`}>
                      Edit
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && <PlanForm plan={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </Panel>
  );
}

interface PriceRow {
  key: number;
  currency: string;
  /** Major units as typed: `4.50`. */
  amount: string;
}

let rowKeys = 0;
const priceRows = (prices: Record<string, number> | undefined): PriceRow[] => {
  const rows = byCurrency(prices).map(([currency, minor]) => ({ key: ++rowKeys, currency, amount: String(toMajor(minor, currency)) }));
  return rows.length ? rows : [{ key: ++rowKeys, currency: 'usd', amount: '' }];
};

function PlanForm({ plan, onClose }: { plan: Plan | null; onClose: () => void }) {
  const save = useSavePlan();
  const [name, setName] = useState(plan?.name ?? '');
  const [kind, setKind] = useState<PlanKind>(plan?.kind ?? 'pack');
  const [amount, setAmount] = useState(plan ? String(plan.credits) : '');
  const [active, setActive] = useState(plan?.active ?? true);
  const [rows, setRows] = useState<PriceRow[]>(() => priceRows(plan?.prices));
  const [problem, setProblem] = useState<string | null>(null);
  const setRow = (key: number, patch: Partial<PriceRow>) => setRows(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const prices: Record<string, number> = {};
    for (const r of rows) {
      const cur = r.currency.trim().toLowerCase();
      if (!cur && !r.amount.trim()) continue;
      const major = Number(r.amount);
      if (!/^[a-z]{3}$/.test(cur)) return setProblem(`“${r.currency}” is not a currency code: three letters, like usd or eur.`);
      if (r.amount.trim() === '' || !Number.isFinite(major) || major < 0) return setProblem(`The ${cur.toUpperCase()} price must be an amount like 4.50.`);
      if (prices[cur] !== undefined) return setProblem(`${cur.toUpperCase()} is listed twice.`);
      prices[cur] = toMinor(major, cur);
    }
    setProblem(null);
    save.mutate({ id: plan?.id ?? null, plan: { name: name.trim(), kind, credits: Number(amount), active, prices } }, { onSuccess: onClose });
  };

  return (
    <Modal open onOpenChange={(o) => !o && onClose()} title={plan ? `Edit ${plan.name}` : 'New plan'}>
      <form onSubmit={submit} data-testid="plan-form">
        <div className={s.form} style={{ gridTemplateColumns: 'repeat(auto-fill, minmax(200px, 1fr))' }}>
          <div>
            <label htmlFor="plan-name">Name</label>
            <input id="plan-name" type="text" required maxLength={255} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
          </div>
          <div>
            <label htmlFor="plan-kind">Kind</label>
            <select id="plan-kind" value={kind} onChange={(e) => setKind(e.target.value as PlanKind)}>
              <option value="pack">Credit pack</option>
              <option value="subscription">Monthly subscription</option>
            </select>
          </div>
          <div>
            <label htmlFor="plan-credits">{kind === 'subscription' ? 'Credits a month' : 'Credits'}</label>
            <input id="plan-credits" type="number" required min={1} step={1} value={amount} onChange={(e) => setAmount(e.target.value)} />
          </div>
        </div>
        <label className={s.check} htmlFor="plan-active">
          <input id="plan-active" type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} /> On sale (shown on users’ billing page)
        </label>
        <fieldset style={{ border: 0, padding: 0, margin: '0.6rem 0 0' }}>
          <legend style={{ fontWeight: 600 }}>Prices</legend>
          {rows.map((r, i) => {
            const cur = r.currency.trim().toLowerCase();
            const digits = /^[a-z]{3}$/.test(cur) ? minorDigits(cur) : 2;
            return (
              <div key={r.key} className={s.row} style={{ marginBottom: '0.4rem', flexWrap: 'nowrap' }} data-testid="plan-price-row">
                <input
                  type="text"
                  aria-label={`Currency ${i + 1}`}
                  placeholder="usd"
                  maxLength={3}
                  style={{ width: '6rem' }}
                  value={r.currency}
                  onChange={(e) => setRow(r.key, { currency: e.target.value.toLowerCase() })}
                  spellCheck={false}
                  autoComplete="off"
                />
                <input
                  type="number"
                  aria-label={`Price ${i + 1}`}
                  placeholder={digits ? (0).toFixed(digits) : '0'}
                  min={0}
                  step={digits ? 1 / 10 ** digits : 1}
                  value={r.amount}
                  onChange={(e) => setRow(r.key, { amount: e.target.value })}
                />
                <Button small variant="ghost" onClick={() => setRows(rows.filter((x) => x.key !== r.key))} aria-label={`Remove price ${i + 1}`}>
                  ✕
                </Button>
              </div>
            );
          })}
          <Button small onClick={() => setRows([...rows, { key: ++rowKeys, currency: '', amount: '' }])} data-testid="plan-price-add">
            Add currency
          </Button>
        </fieldset>
        <Hint>
          Amounts in the currency’s usual unit (4.50 for €4.50; yen are whole). A user pays in their locale’s currency when the plan has a price in it, else in the default currency (Settings →
          Billing). Saved prices replace the old ones.
        </Hint>
        {problem && <FormError error={problem} />}
        <FormError error={save.error} />
        <div className={s.row} style={{ justifyContent: 'flex-end', marginTop: '1rem' }}>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={save.isPending} data-testid="plan-save">
            {plan ? 'Save' : 'Create plan'}
          </Button>
        </div>
      </form>
    </Modal>
  );
}

function Balances() {
  const q = useAdminBalances();
  const [adjusting, setAdjusting] = useState<string | null>(null);
  const off = q.isError && isBillingOff(q.error);
  return (
    <Panel>
      <PanelHeader>
        <h2 style={{ margin: 0 }}>Balances</h2>
        <span className="muted">users with credit history</span>
        <span className={s.grow} />
        {!off && (
          <Button small onClick={() => setAdjusting('')} data-testid="adjust-other">
            Adjust a user…
          </Button>
        )}
      </PanelHeader>
      {q.isPending ? (
        <Loading />
      ) : off ? (
        <EmptyState title="Billing is off" icon="¤">
          Turn it on under <Link to="/console/settings">Settings → Billing</Link> to sell credits and see balances.
        </EmptyState>
      ) : q.isError ? (
        <ErrorState error={q.error} retry={() => void q.refetch()} />
      ) : q.data.length === 0 ? (
        <EmptyState title="Nobody has bought or spent credits yet" icon="¤" />
      ) : (
        <div className={s.tableWrap}>
          <table className={s.table} data-testid="billing-balances">
            <thead>
              <tr>
                <th>User</th>
                <th>Balance</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {q.data.map((b) => (
                <tr key={b.login} data-testid="balance-row" data-login={b.login} data-balance={b.balance}>
                  <td>
                    <Link to="/$owner" params={{ owner: b.login }}>
                      {b.login}
                    </Link>
                  </td>
                  <td className={s.nowrap} style={b.balance < 0 ? { color: 'var(--danger)' } : undefined}>
                    {credits(b.balance)}
                  </td>
                  <td>
                    <Button small onClick={() => setAdjusting(b.login)} aria-label={`Adjust ${b.login}`}>
                      Adjust
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {adjusting !== null && <AdjustForm login={adjusting} onClose={() => setAdjusting(null)} />}
    </Panel>
  );
}

function AdjustForm({ login, onClose }: { login: string; onClose: () => void }) {
  const adjust = useAdjustCredits();
  const [user, setUser] = useState(login);
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    // the server says what is wrong (zero, a fraction, no reason, no such user)
    adjust.mutate({ user: user.trim(), amount: Number(amount), reason }, { onSuccess: onClose });
  };
  return (
    <Modal open onOpenChange={(o) => !o && onClose()} title={login ? `Adjust ${login}’s credits` : 'Adjust a user’s credits'}>
      <form onSubmit={submit} data-testid="adjust-form">
        {!login && (
          <>
            <label htmlFor="adjust-user">User</label>
            <input id="adjust-user" type="text" required maxLength={40} value={user} onChange={(e) => setUser(e.target.value)} autoComplete="off" spellCheck={false} />
          </>
        )}
        <label htmlFor="adjust-amount">Credits</label>
        <input id="adjust-amount" type="number" required step={1} value={amount} onChange={(e) => setAmount(e.target.value)} placeholder="50, or -20 to take away" />
        <label htmlFor="adjust-reason">Reason</label>
        <input id="adjust-reason" type="text" maxLength={1024} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Shown in the user’s history" />
        <Hint>Whole credits; a negative number takes credits away. The reason is shown in the user’s history and the audit log.</Hint>
        <FormError error={adjust.error} />
        <div className={s.row} style={{ justifyContent: 'flex-end', marginTop: '1rem' }}>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={adjust.isPending} data-testid="adjust-save">
            Adjust
          </Button>
        </div>
      </form>
    </Modal>
  );
}
