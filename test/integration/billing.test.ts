// Credits and Stripe against a real server and a local server that speaks Stripe's few endpoints:
// the feature gone while off, plans with prices per currency and the visitor's currency chosen
// from the locale, Checkout asked for the right thing, the webhook (events signed with the stripe
// package's own test-header helper) crediting once — bad signatures, old timestamps, unknown types
// and replays change nothing — receipts, subscriptions, adjustments with reasons, and dev shell
// and CI minutes consuming credits.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeStripe, type FakeStripe } from '../fixtures/stripe.js';
import { createRepo, createUser, gitOk, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';
import { BWRAP } from '../fixtures/skip.js';

const admin: [string, string] = ['root', 'root-pass-1234'];
const alice: [string, string] = ['alice', 'alice-pass-123'];
const bob: [string, string] = ['bob', 'bob-pass-1234'];
const WHSEC = 'whsec_testsecret123';
const stripe = new Stripe('sk_test_unused');

interface Entry {
  amount: number;
  kind: string;
  description: string;
  money: { amount: number; currency: string } | null;
  receipt_url: string | null;
}

describe('credits and Stripe', () => {
  let s: TestServer;
  let fake: FakeStripe;
  let pack: { id: number };

  const api = async <T = Record<string, unknown>>(method: string, p: string, who: [string, string] | null, json?: unknown, headers: Record<string, string> = {}) => {
    const res = await s.api(method, p, { ...(who ? { auth: who } : {}), ...(json !== undefined ? { json } : {}), headers });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const balance = async (who: [string, string]) => (await api<{ balance: number }>('GET', '/api/v1/user/billing', who)).body.balance;
  /** Posts an event to the webhook, signed as Stripe signs it (or not). */
  const deliver = async (event: Record<string, unknown>, opts: { secret?: string; timestamp?: number } = {}) => {
    const payload = JSON.stringify({ object: 'event', api_version: '2025-01-27', created: Math.floor(Date.now() / 1000), ...event });
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? WHSEC, ...(opts.timestamp ? { timestamp: opts.timestamp } : {}) });
    const res = await fetch(`${s.url}/api/v1/billing/stripe/webhook`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Stripe-Signature': header }, body: payload });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const paid = (id: string, sessionId: string, credits: number, user = 'alice') => ({
    id,
    type: 'checkout.session.completed',
    data: {
      object: {
        id: sessionId,
        object: 'checkout.session',
        mode: 'payment',
        payment_status: 'paid',
        amount_total: 450,
        currency: 'eur',
        payment_intent: `pi_${sessionId}`,
        metadata: { user, plan: String(pack?.id ?? 1), credits: String(credits) },
      },
    },
  });

  beforeAll(async () => {
    fake = await fakeStripe();
    s = await startServer({ env: { GITSSY_STRIPE_API_URL: fake.url, GITSSY_CI_BACKEND: BWRAP ? 'sandbox' : 'off' } });
    await createUser(s, admin[0], admin[1], { admin: true });
    await createUser(s, alice[0], alice[1], { via: admin });
    await createUser(s, bob[0], bob[1], { via: admin });
  });

  afterAll(async () => {
    await s?.stop();
    await fake?.stop();
  });

  it('is not there while off', async () => {
    expect((await api('GET', '/api/v1/user/billing', alice)).status).toBe(404);
    expect((await api('POST', '/api/v1/user/billing/checkout', alice, { plan_id: 1 })).status).toBe(404);
    expect((await deliver(paid('evt_off', 'cs_off', 5))).status).toBe(404);
  });

  it('sells plans in the visitor’s currency through Stripe Checkout', async () => {
    const on = await api<Record<string, unknown>>('PATCH', '/api/v1/admin/settings', admin, {
      'billing.enabled': true,
      'billing.stripeSecretKey': 'sk_test_abc123',
      'billing.stripeWebhookSecret': WHSEC,
      'billing.defaultCurrency': 'usd',
    });
    expect(on.status).toBe(200);
    // the keys are write-only
    expect(JSON.stringify(on.body)).not.toContain('sk_test_abc123');
    expect(JSON.stringify(on.body)).not.toContain(WHSEC);
    expect((await api('PATCH', '/api/v1/admin/settings', admin, { 'billing.stripeSecretKey': 'pk_live_nope' })).status).toBe(422);
    const created = await api<{ id: number; prices: Record<string, number> }>('POST', '/api/v1/admin/billing/plans', admin, {
      name: 'Starter',
      kind: 'pack',
      credits: 100,
      prices: { usd: 500, eur: 450 },
    });
    expect(created.status).toBe(201);
    pack = created.body;
    expect((await api('POST', '/api/v1/admin/billing/plans', admin, { name: 'Team', kind: 'subscription', credits: 1000, prices: { usd: 2000 } })).status).toBe(201);
    expect((await api('POST', '/api/v1/admin/billing/plans', admin, { name: 'Bad', kind: 'pack', credits: 1.5 })).status).toBe(422);
    expect((await api('POST', '/api/v1/admin/billing/plans', admin, { name: 'Bad', kind: 'pack', credits: 5, prices: { EUR: 1 } })).status).toBe(422);

    const state = await api<{ balance: number; plans: { name: string }[] }>('GET', '/api/v1/user/billing', alice);
    expect(state.body.balance).toBe(0);
    expect(state.body.plans.map((p) => p.name)).toEqual(['Starter', 'Team']);

    const de = await api<{ url: string; currency: string; amount: number }>('POST', '/api/v1/user/billing/checkout', alice, { plan_id: pack.id }, { 'Accept-Language': 'de-AT,de;q=0.9,en;q=0.5' });
    expect(de.status).toBe(201);
    expect(de.body).toMatchObject({ currency: 'eur', amount: 450, url: expect.stringMatching(/^https:\/\/checkout\.stripe\.test\/c\/pay\/cs_test_/) });
    const asked = fake.requests.find((r) => r.path === '/v1/checkout/sessions')!;
    expect(asked.authorization).toBe('Bearer sk_test_abc123');
    expect(asked.form).toMatchObject({
      mode: 'payment',
      'metadata[user]': 'alice',
      'metadata[credits]': '100',
      'line_items[0][price_data][currency]': 'eur',
      'line_items[0][price_data][unit_amount]': '450',
      customer_email: 'alice@example.test',
    });
    expect((await api<{ currency: string }>('POST', '/api/v1/user/billing/checkout', alice, { plan_id: pack.id }, { 'Accept-Language': 'en-US' })).body.currency).toBe('usd');
    // no yen price: the default currency
    expect((await api<{ currency: string }>('POST', '/api/v1/user/billing/checkout', alice, { plan_id: pack.id }, { 'Accept-Language': 'ja-JP' })).body.currency).toBe('usd');
    expect((await api('POST', '/api/v1/user/billing/checkout', alice, { plan_id: 999 })).status).toBe(404);
    const team = await api<{ currency: string }>('POST', '/api/v1/user/billing/checkout', alice, { plan_id: pack.id + 1 }, { 'Accept-Language': 'fr-FR' });
    expect(team.body.currency).toBe('usd');
    expect(fake.requests.filter((r) => r.path === '/v1/checkout/sessions').pop()!.form).toMatchObject({
      mode: 'subscription',
      'line_items[0][price_data][recurring][interval]': 'month',
      'subscription_data[metadata][user]': 'alice',
    });
  });

  it('credits a paid checkout once, with its receipt; bad, old, unknown and replayed events change nothing', async () => {
    const first = await deliver(paid('evt_1', 'cs_paid_1', 100));
    expect(first).toMatchObject({ status: 200, body: { received: true, handled: true } });
    expect(await balance(alice)).toBe(100);
    const ledger = await api<Entry[]>('GET', '/api/v1/user/billing/ledger', alice);
    expect(ledger.body[0]).toMatchObject({ amount: 100, kind: 'purchase', money: { amount: 450, currency: 'eur' }, receipt_url: 'https://pay.stripe.test/receipts/pi_cs_paid_1' });

    expect((await deliver(paid('evt_1', 'cs_paid_1', 100))).body).toMatchObject({ replay: true });
    // another event for the same checkout session credits nothing either
    expect((await deliver(paid('evt_1b', 'cs_paid_1', 100))).status).toBe(200);
    expect((await deliver(paid('evt_2', 'cs_paid_2', 100), { secret: 'whsec_wrong' })).status).toBe(400);
    expect((await deliver(paid('evt_3', 'cs_paid_3', 100), { timestamp: Math.floor(Date.now() / 1000) - 400 })).status).toBe(400);
    const unknown = await deliver({ id: 'evt_4', type: 'customer.created', data: { object: { id: 'cus_1', object: 'customer', metadata: { user: 'alice', credits: '100' } } } });
    expect(unknown).toMatchObject({ status: 200, body: { ignored: true } });
    const unsigned = await fetch(`${s.url}/api/v1/billing/stripe/webhook`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(paid('evt_5', 'cs_paid_5', 100)) });
    expect(unsigned.status).toBe(400);
    expect((await deliver(paid('evt_6', 'cs_paid_6', 100, 'nobody'))).status).toBe(400);
    expect(await balance(alice)).toBe(100);
    // an unpaid (async) checkout credits nothing yet
    const pending = paid('evt_7', 'cs_paid_7', 100);
    (pending.data.object as { payment_status: string }).payment_status = 'unpaid';
    expect((await deliver(pending)).status).toBe(200);
    expect(await balance(alice)).toBe(100);
  });

  it('credits each paid subscription invoice', async () => {
    const invoice = (id: string, evt: string) => ({
      id: evt,
      type: 'invoice.paid',
      data: {
        object: {
          id,
          object: 'invoice',
          amount_paid: 2000,
          currency: 'usd',
          hosted_invoice_url: `https://invoice.stripe.test/${id}`,
          subscription_details: { metadata: { user: 'alice', plan: String(pack.id + 1), credits: '1000' } },
        },
      },
    });
    expect((await deliver(invoice('in_1', 'evt_10'))).body).toMatchObject({ handled: true });
    expect((await deliver(invoice('in_2', 'evt_11'))).body).toMatchObject({ handled: true });
    expect((await deliver(invoice('in_2', 'evt_11'))).body).toMatchObject({ replay: true });
    expect(await balance(alice)).toBe(2100);
    const ledger = await api<Entry[]>('GET', '/api/v1/user/billing/ledger', alice);
    expect(ledger.body[0]).toMatchObject({ amount: 1000, kind: 'subscription', receipt_url: 'https://invoice.stripe.test/in_2' });
  });

  it('lets an administrator adjust a balance with a reason; fractions, zero and no reason are refused', async () => {
    expect((await api('POST', '/api/v1/admin/billing/adjustments', admin, { user: 'alice', amount: 1.5, reason: 'x' })).status).toBe(422);
    expect((await api('POST', '/api/v1/admin/billing/adjustments', admin, { user: 'alice', amount: 0, reason: 'x' })).status).toBe(422);
    expect((await api('POST', '/api/v1/admin/billing/adjustments', admin, { user: 'alice', amount: -5, reason: '  ' })).status).toBe(422);
    expect((await api('POST', '/api/v1/admin/billing/adjustments', admin, { user: 'ghost', amount: 5, reason: 'x' })).status).toBe(404);
    expect((await api('POST', '/api/v1/admin/billing/adjustments', alice, { user: 'alice', amount: 5, reason: 'x' })).status).toBe(403);
    expect(await balance(alice)).toBe(2100);
    const adj = await api<Entry>('POST', '/api/v1/admin/billing/adjustments', admin, { user: 'alice', amount: -100, reason: 'refund of the first pack' });
    expect(adj.status).toBe(201);
    expect(adj.body).toMatchObject({ amount: -100, kind: 'adjustment', description: 'refund of the first pack' });
    expect(await balance(alice)).toBe(2000);
    const balances = await api<{ login: string; balance: number }[]>('GET', '/api/v1/admin/billing/balances', admin);
    expect(balances.body).toContainEqual({ login: 'alice', balance: 2000 });
  });

  it.skipIf(!BWRAP)(
    'makes dev shells and CI minutes cost credits, and needs none once billing is off',
    async () => {
      await createRepo(s, bob, { name: 'work' });
      const src = await tempDir('gitssy-billing-src-');
      await gitOk(['init', '-q', '-b', 'main', src]);
      await mkdir(path.join(src, '.ci'));
      await writeFile(path.join(src, '.ci', 'run.sh'), '#!/bin/sh\necho built\n');
      await chmod(path.join(src, '.ci', 'run.sh'), 0o755);
      await gitOk(['add', '-A'], { cwd: src });
      await gitOk(['commit', '-q', '-m', 'ci'], { cwd: src });
      expect((await api('PATCH', '/api/v1/admin/settings', admin, { 'billing.shellMinuteCredits': 3, 'billing.ciMinuteCredits': 2 })).status).toBe(200);
      // a CI job's minutes go to its pusher (CI doesn't wait for credits: its minutes are charged after)
      await gitOk(['push', '-q', s.gitUrl('bob/work.git', bob), 'HEAD:refs/heads/main'], { cwd: src });
      const ci = await waitFor(async () => {
        const l = (await api<Entry[]>('GET', '/api/v1/user/billing/ledger', bob)).body;
        return l.find((e) => e.kind === 'ci') ?? null;
      }, 30_000);
      expect(ci).toMatchObject({ amount: -2, description: expect.stringMatching(/^CI job \d+: 1 minute$/) });
      // too few credits: no shell
      const refused = await api<{ message: string }>('POST', '/api/v1/user/shells', bob, { repo: 'bob/work' });
      expect(refused.status).toBe(403);
      expect(refused.body.message).toMatch(/you have -2 credits and a minute of a dev shell costs 3/);
      expect((await api('POST', '/api/v1/admin/billing/adjustments', admin, { user: 'bob', amount: 10, reason: 'trial' })).status).toBe(201);
      const started = await api<{ id: number }>('POST', '/api/v1/user/shells', bob, { repo: 'bob/work' });
      expect(started.status).toBe(201);
      await waitFor(async () => (await api<{ state: string }>('GET', `/api/v1/user/shells/${started.body.id}`, bob)).body.state === 'running' || null, 30_000);
      expect((await api('DELETE', `/api/v1/user/shells/${started.body.id}`, bob)).status).toBe(204);
      const shell = await waitFor(async () => (await api<Entry[]>('GET', '/api/v1/user/billing/ledger', bob)).body.find((e) => e.kind === 'shell') ?? null, 30_000);
      expect(shell).toMatchObject({ amount: -3, description: `dev shell ${started.body.id}: 1 minute` });
      expect(await balance(bob)).toBe(5);

      // off: gone, and shells are free again (no restart)
      expect((await api('PATCH', '/api/v1/admin/settings', admin, { 'billing.enabled': false })).status).toBe(200);
      expect((await api('GET', '/api/v1/user/billing', bob)).status).toBe(404);
      expect((await api('PATCH', '/api/v1/admin/settings', admin, { 'billing.enabled': true })).status).toBe(200);
      expect((await api('POST', '/api/v1/admin/billing/adjustments', admin, { user: 'bob', amount: -4, reason: 'spent' })).status).toBe(201);
      expect((await api('POST', '/api/v1/user/shells', bob, { repo: 'bob/work' })).status).toBe(403);
      expect((await api('PATCH', '/api/v1/admin/settings', admin, { 'billing.enabled': false })).status).toBe(200);
      const free = await api<{ id: number }>('POST', '/api/v1/user/shells', bob, { repo: 'bob/work' });
      expect(free.status).toBe(201);
      await api('DELETE', `/api/v1/user/shells/${free.body.id}`, bob);
    },
    90_000,
  );
});
