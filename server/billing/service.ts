// Credits: an append-only ledger (a balance is the sum of a user's entries), plans sold as packs or
// monthly subscriptions through Stripe Checkout at the admin's price per currency, Stripe's
// webhook crediting what was paid (signature checked on the raw body by the library itself,
// events older than 300 s refused, each event id handled once, the credit committed before the
// answer), and what dev shells and CI minutes cost. Off by default; switching it on or off takes
// effect at once (every entry point reads the setting).
import type Stripe from 'stripe';
import { isUniqueViolation, type Db } from '../db/index.js';
import type { UserRow } from '../db/schema.js';
import { AppError, BadRequest, Conflict, Invalid, NotFound, Unavailable } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import type { Services } from '../services.js';
import { choosePrice, currencyForLocale } from './currency.js';
import type { EntryKind, LedgerRow, PlanRow } from './schema.js';

/** The SDK loads when payments are first used, not at start-up (most servers never bill). */
let sdk: Promise<typeof Stripe> | null = null;
const stripeSdk = () => (sdk ??= import('stripe').then((m) => m.default));

/** Stripe's default tolerance, stated: a signed event older than this is a replay. */
export const WEBHOOK_TOLERANCE_S = 300;

export interface PlanJson {
  id: number;
  name: string;
  kind: 'pack' | 'subscription';
  credits: number;
  active: boolean;
  prices: Record<string, number>;
}

export interface EntryJson {
  id: number;
  amount: number;
  kind: EntryKind;
  description: string;
  money: { amount: number; currency: string } | null;
  receipt_url: string | null;
  created_at: string;
}

export function entryJson(r: LedgerRow): EntryJson {
  return {
    id: r.id,
    amount: Number(r.amount),
    kind: r.kind,
    description: r.description,
    money: r.money_amount !== null && r.currency ? { amount: Number(r.money_amount), currency: r.currency } : null,
    receipt_url: r.receipt_url,
    created_at: new Date(r.created_at).toISOString(),
  };
}

export class BillingService {
  constructor(
    private readonly s: Services,
    private readonly log: Logger,
  ) {}

  private get db(): Db {
    return this.s.db;
  }

  get enabled(): boolean {
    return this.s.settings.get('billing.enabled');
  }

  /** 404 when billing is off: the feature is not there at all. */
  assertEnabled(): void {
    if (!this.enabled) throw NotFound('billing is not enabled on this server');
  }

  private async stripe(): Promise<Stripe> {
    const StripeSdk = await stripeSdk();
    const key = this.s.settings.get('billing.stripeSecretKey');
    if (!key) throw Unavailable('payments are not set up: the administrator has not entered a Stripe secret key');
    // tests (and a proxy) point the SDK elsewhere: GITSSY_STRIPE_API_URL=http://127.0.0.1:12111
    const api = process.env.GITSSY_STRIPE_API_URL;
    const at = api ? new URL(api) : null;
    return new StripeSdk(key, {
      maxNetworkRetries: 1,
      timeout: 20_000,
      ...(at ? { host: at.hostname, port: Number(at.port || (at.protocol === 'https:' ? 443 : 80)), protocol: at.protocol === 'https:' ? 'https' : 'http' } : {}),
    });
  }

  // ---- the ledger --------------------------------------------------------------------------

  async balance(userId: number): Promise<number> {
    const row = await this.db
      .selectFrom('credit_ledger')
      .select((eb) => eb.fn.sum<number | string | null>('amount').as('total'))
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(row?.total ?? 0);
  }

  async history(userId: number, page: number, limit: number): Promise<{ rows: LedgerRow[]; total: number }> {
    const [rows, count] = await Promise.all([
      this.db
        .selectFrom('credit_ledger')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('id', 'desc')
        .limit(limit)
        .offset((page - 1) * limit)
        .execute(),
      this.db
        .selectFrom('credit_ledger')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  /** Adds an entry; one with a reference already used for its kind adds nothing and answers false. */
  private async append(
    db: Db,
    e: {
      userId: number;
      amount: number;
      kind: EntryKind;
      reference: string | null;
      description: string;
      money?: { amount: number; currency: string } | null;
      receiptUrl?: string | null;
      actorId?: number | null;
    },
  ): Promise<boolean> {
    try {
      await db
        .insertInto('credit_ledger')
        .values({
          user_id: e.userId,
          amount: e.amount,
          kind: e.kind,
          reference: e.reference,
          description: e.description,
          money_amount: e.money?.amount ?? null,
          currency: e.money?.currency ?? null,
          receipt_url: e.receiptUrl ?? null,
          actor_id: e.actorId ?? null,
          created_at: Date.now(),
        })
        .execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  /** An administrator's correction, with a reason (audited). Whole credits, not zero. */
  async adjust(admin: UserRow, user: UserRow, amount: number, reason: string, ip: string | null): Promise<LedgerRow> {
    if (!Number.isSafeInteger(amount) || amount === 0) throw Invalid('amount must be a whole number of credits, not zero');
    const row = await this.db
      .insertInto('credit_ledger')
      .values({ user_id: user.id, amount, kind: 'adjustment', reference: null, description: reason, money_amount: null, currency: null, receipt_url: null, actor_id: admin.id, created_at: Date.now() })
      .returningAll()
      .executeTakeFirstOrThrow();
    await this.s.audit.record({ actorId: admin.id, action: 'billing.adjust', targetType: 'user', targetId: user.id, detail: { amount, reason }, ip });
    return row;
  }

  async balances(): Promise<{ login: string; balance: number }[]> {
    const rows = await this.db
      .selectFrom('credit_ledger as l')
      .innerJoin('users as u', 'u.id', 'l.user_id')
      .select(['u.name', (eb) => eb.fn.sum<number | string>('l.amount').as('total')])
      .groupBy(['u.id', 'u.name'])
      .orderBy('u.name')
      .execute();
    return rows.map((r) => ({ login: r.name, balance: Number(r.total) }));
  }

  // ---- what things cost -----------------------------------------------------------------------

  /** For dev shells: may this user start one (null), or why not. */
  async mayStartShell(userId: number): Promise<string | null> {
    if (!this.enabled) return null;
    const price = this.s.settings.get('billing.shellMinuteCredits');
    if (price === 0) return null;
    const balance = await this.balance(userId);
    return balance >= price ? null : `you have ${balance} credit${balance === 1 ? '' : 's'} and a minute of a dev shell costs ${price}: buy credits on your billing page`;
  }

  /** Charges minutes of a shell or a CI job once (the reference makes a second charge a no-op). */
  async charge(userId: number, kind: 'shell' | 'ci', reference: string, minutes: number): Promise<void> {
    if (!this.enabled) return;
    const per = this.s.settings.get(kind === 'shell' ? 'billing.shellMinuteCredits' : 'billing.ciMinuteCredits');
    if (per === 0 || minutes <= 0) return;
    const what = kind === 'shell' ? `dev shell ${reference.replace(/^shell:/, '')}` : `CI job ${reference.replace(/^ci:/, '')}`;
    await this.append(this.db, { userId, amount: -per * minutes, kind, reference, description: `${what}: ${minutes} minute${minutes === 1 ? '' : 's'}` });
  }

  // ---- plans and prices -----------------------------------------------------------------------

  async plans(activeOnly: boolean): Promise<PlanJson[]> {
    let q = this.db.selectFrom('billing_plans').selectAll().orderBy('id');
    if (activeOnly) q = q.where('active', '=', 1);
    const plans = await q.execute();
    const prices = plans.length
      ? await this.db
          .selectFrom('billing_prices')
          .selectAll()
          .where(
            'plan_id',
            'in',
            plans.map((p) => p.id),
          )
          .execute()
      : [];
    return plans.map((p) => ({
      id: p.id,
      name: p.name,
      kind: p.kind,
      credits: Number(p.credits),
      active: p.active === 1,
      prices: Object.fromEntries(prices.filter((x) => x.plan_id === p.id).map((x) => [x.currency, Number(x.unit_amount)])),
    }));
  }

  async savePlan(id: number | null, input: { name?: string; kind?: 'pack' | 'subscription'; credits?: number; active?: boolean; prices?: Record<string, number> }): Promise<PlanJson> {
    const planId = await this.db.transaction().execute(async (trx) => {
      let pid = id;
      if (pid === null) {
        if (!input.name || !input.kind || input.credits === undefined) throw Invalid('a new plan needs name, kind and credits');
        const row = await trx
          .insertInto('billing_plans')
          .values({ name: input.name, kind: input.kind, credits: input.credits, active: input.active === false ? 0 : 1, created_at: Date.now() })
          .returning('id')
          .executeTakeFirstOrThrow();
        pid = row.id;
      } else {
        const set: Partial<Pick<PlanRow, 'name' | 'kind' | 'credits' | 'active'>> = {};
        if (input.name !== undefined) set.name = input.name;
        if (input.kind !== undefined) set.kind = input.kind;
        if (input.credits !== undefined) set.credits = input.credits;
        if (input.active !== undefined) set.active = input.active ? 1 : 0;
        const found = await trx.selectFrom('billing_plans').select('id').where('id', '=', pid).executeTakeFirst();
        if (!found) throw NotFound('plan not found');
        if (Object.keys(set).length) await trx.updateTable('billing_plans').set(set).where('id', '=', pid).execute();
      }
      if (input.prices) {
        await trx.deleteFrom('billing_prices').where('plan_id', '=', pid).execute();
        const rows = Object.entries(input.prices).map(([currency, unit_amount]) => ({ plan_id: pid!, currency, unit_amount }));
        if (rows.length) await trx.insertInto('billing_prices').values(rows).execute();
      }
      return pid;
    });
    return (await this.plans(false)).find((p) => p.id === planId)!;
  }

  // ---- buying -------------------------------------------------------------------------------

  /** A Stripe Checkout session for a plan, in the visitor's currency where the plan has a price in it. */
  async checkout(user: UserRow, planId: number, acceptLanguage: string | undefined, baseUrl: string): Promise<{ url: string; currency: string; amount: number }> {
    this.assertEnabled();
    const plan = (await this.plans(true)).find((p) => p.id === planId);
    if (!plan) throw NotFound('plan not found');
    const prices = Object.entries(plan.prices).map(([currency, amount]) => ({ currency, amount }));
    const price = choosePrice(prices, currencyForLocale(acceptLanguage), this.s.settings.get('billing.defaultCurrency'));
    if (!price) throw Conflict('this plan has no price yet');
    const metadata = { user: user.name, plan: String(plan.id), credits: String(plan.credits) };
    let session: Stripe.Checkout.Session;
    try {
      const stripe = await this.stripe();
      session = await stripe.checkout.sessions.create({
        mode: plan.kind === 'subscription' ? 'subscription' : 'payment',
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: price.currency,
              unit_amount: price.amount,
              product_data: { name: `${plan.name} (${plan.credits} credits${plan.kind === 'subscription' ? ' a month' : ''})` },
              ...(plan.kind === 'subscription' ? { recurring: { interval: 'month' as const } } : {}),
            },
          },
        ],
        client_reference_id: String(user.id),
        customer_email: user.email,
        metadata,
        ...(plan.kind === 'subscription' ? { subscription_data: { metadata } } : { payment_intent_data: { metadata } }),
        success_url: `${baseUrl}/-/billing?checkout=done`,
        cancel_url: `${baseUrl}/-/billing?checkout=cancelled`,
      });
    } catch (err) {
      if (err instanceof AppError) throw err;
      this.log.warn({ err }, 'billing: Stripe refused the checkout');
      throw Unavailable(`Stripe did not start the payment: ${(err as Error).message}`);
    }
    if (!session.url) throw Unavailable('Stripe did not answer a checkout URL');
    return { url: session.url, currency: price.currency, amount: price.amount };
  }

  // ---- Stripe's webhook ---------------------------------------------------------------------

  /**
   * Handles one delivery: the signature over the exact bytes (and its timestamp) first, then the
   * event once by id. Answers what happened; throws 400 for anything not signed by Stripe now.
   */
  async webhook(raw: Buffer, signature: string | undefined): Promise<{ handled: boolean; replay?: boolean; ignored?: boolean }> {
    this.assertEnabled();
    const secret = this.s.settings.get('billing.stripeWebhookSecret');
    if (!secret) throw Unavailable('the Stripe webhook signing secret is not set');
    if (!Buffer.isBuffer(raw) || !signature) throw BadRequest('a Stripe-Signature header and the raw body are required');
    const StripeSdk = await stripeSdk();
    let event: Stripe.Event;
    try {
      event = StripeSdk.webhooks.constructEvent(raw, signature, secret, WEBHOOK_TOLERANCE_S);
    } catch (err) {
      throw BadRequest(`the signature does not check out: ${(err as Error).message}`);
    }
    if (event.type !== 'checkout.session.completed' && event.type !== 'invoice.paid') return { handled: false, ignored: true };
    const seen = await this.db.selectFrom('stripe_events').select('id').where('id', '=', event.id).executeTakeFirst();
    if (seen) return { handled: false, replay: true };

    const credit = event.type === 'checkout.session.completed' ? await this.fromCheckout(event.data.object) : this.fromInvoice(event.data.object);
    let user: UserRow | undefined;
    if (credit) {
      user = await this.s.users.byName(credit.username);
      if (!user) throw BadRequest(`metadata.user "${credit.username}" is not a user here`);
    }
    // the event and its credit, together: a redelivery after a crash finds neither or both
    const fresh = await this.db.transaction().execute(async (trx) => {
      try {
        await trx.insertInto('stripe_events').values({ id: event.id, type: event.type, processed_at: Date.now() }).execute();
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
      if (credit && user)
        await this.append(trx, {
          userId: user.id,
          amount: credit.credits,
          kind: credit.kind,
          reference: credit.reference,
          description: credit.description,
          money: credit.money,
          receiptUrl: credit.receiptUrl,
        });
      return true;
    });
    if (!fresh) return { handled: false, replay: true };
    if (credit && user) await this.s.audit.record({ actorId: null, action: 'billing.credit', targetType: 'user', targetId: user.id, detail: { event: event.id, credits: credit.credits }, ip: null });
    return { handled: true };
  }

  private async fromCheckout(session: Stripe.Checkout.Session): Promise<Credit | null> {
    // subscriptions are credited per paid invoice (the first one included)
    if (session.mode !== 'payment' || session.payment_status !== 'paid') return null;
    const m = parseMetadata(session.metadata);
    let receiptUrl: string | null = null;
    const pi = typeof session.payment_intent === 'string' ? session.payment_intent : (session.payment_intent?.id ?? null);
    if (pi) {
      try {
        const stripe = await this.stripe();
        const intent = await stripe.paymentIntents.retrieve(pi, { expand: ['latest_charge'] });
        const charge = intent.latest_charge;
        receiptUrl = charge && typeof charge === 'object' ? (charge.receipt_url ?? null) : null;
      } catch (err) {
        // the credit doesn't wait for a receipt link
        this.log.warn({ err }, 'billing: could not fetch the receipt');
      }
    }
    return {
      ...m,
      kind: 'purchase',
      reference: `checkout:${session.id}`,
      description: `bought ${m.credits} credits`,
      money: session.amount_total !== null && session.currency ? { amount: session.amount_total, currency: session.currency } : null,
      receiptUrl,
    };
  }

  private fromInvoice(invoice: Stripe.Invoice): Credit | null {
    const meta =
      (invoice as unknown as { subscription_details?: { metadata?: Record<string, string> | null } }).subscription_details?.metadata ?? invoice.parent?.subscription_details?.metadata ?? null;
    if (!meta?.user) return null;
    const m = parseMetadata(meta);
    return {
      ...m,
      kind: 'subscription',
      reference: `invoice:${invoice.id}`,
      description: `subscription: ${m.credits} credits`,
      money: { amount: invoice.amount_paid, currency: invoice.currency },
      receiptUrl: invoice.hosted_invoice_url ?? null,
    };
  }

  /** For the billing page's first look: is a card purchase possible at all. */
  configured(): boolean {
    return !!this.s.settings.get('billing.stripeSecretKey');
  }
}

interface Credit {
  username: string;
  credits: number;
  kind: 'purchase' | 'subscription';
  reference: string;
  description: string;
  money: { amount: number; currency: string } | null;
  receiptUrl: string | null;
}

function parseMetadata(meta: Record<string, string> | null | undefined): { username: string; credits: number } {
  const username = meta?.user;
  const credits = Number(meta?.credits);
  if (!username || !Number.isSafeInteger(credits) || credits <= 0) throw BadRequest('the event lacks metadata.user and a positive whole metadata.credits');
  return { username, credits };
}
