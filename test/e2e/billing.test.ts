// Credits and Stripe billing in Chromium, against a server whose Stripe is a local fake: while
// billing is off the user menu has no Billing entry and /-/billing is not found; the administrator
// turns it on with test keys from the console's settings and creates a plan with prices in two
// currencies; alice sees the plan and a balance of 0, and Buy asks for a Stripe Checkout session
// and sends the browser there (the checkout page is intercepted: the browser never leaves); a
// signed checkout.session.completed event to the webhook credits her, which the page shows while
// it waits for the confirmation; the administrator adjusts her balance from the console (the
// server's refusals shown first) and her history shows the adjustment with its reason.
import type { Browser } from 'playwright-core';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage, signInContext, type WatchedPage } from '../fixtures/chromium.js';
import { createUser, startServer, type TestServer } from '../fixtures/rig.js';
import { fakeStripe, type FakeStripe } from '../fixtures/stripe.js';

const missing = chromiumMissing();
if (missing) console.warn(`browser tests skipped: ${missing}`);

const ADMIN: [string, string] = ['root', 'root-pass-1234'];
const ALICE: [string, string] = ['alice', 'alice-pass-123'];
const SK = 'sk_test_e2e123';
const WHSEC = 'whsec_e2etestsecret';
const SLOW = { timeout: 15_000 };
const stripe = new Stripe('sk_test_unused');

describe.skipIf(missing)('billing in the browser', () => {
  let s: TestServer;
  let fake: FakeStripe;
  let browser: Browser;
  let admin: WatchedPage;
  let alice: WatchedPage;
  /** Where the browser tried to go when it left for Stripe Checkout. */
  const checkoutVisits: string[] = [];

  /** Posts an event to the webhook, signed as Stripe signs it. */
  const deliver = async (event: Record<string, unknown>) => {
    const payload = JSON.stringify({ object: 'event', api_version: '2025-01-27', created: Math.floor(Date.now() / 1000), ...event });
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: WHSEC });
    const res = await fetch(`${s.url}/api/v1/billing/stripe/webhook`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Stripe-Signature': header }, body: payload });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const balance = () => alice.page.getByTestId('billing-balance').getAttribute('data-balance');
  const menuItems = async (w: WatchedPage) => {
    await w.page.getByTestId('user-menu').click();
    await w.page.getByRole('menuitem', { name: /Dev shells/ }).waitFor();
    const items = await w.page.getByRole('menuitem').allTextContents();
    await w.page.keyboard.press('Escape');
    return items;
  };

  beforeAll(async () => {
    fake = await fakeStripe();
    s = await startServer({ env: { GITSSY_STRIPE_API_URL: fake.url } });
    await createUser(s, ...ADMIN, { admin: true });
    await createUser(s, ...ALICE, { via: ADMIN });
    browser = await launchChromium();
    admin = await openPage(browser, s);
    await signInContext(admin, ...ADMIN);
    alice = await openPage(browser, s);
    await signInContext(alice, ...ALICE);
    await alice.page.route('https://checkout.stripe.test/**', async (route) => {
      checkoutVisits.push(route.request().url());
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Stripe Checkout</title><h1>Stripe Checkout (fake)</h1>' });
    });
  }, 60_000);

  afterAll(async () => {
    for (const w of [admin, alice]) {
      if (!w) continue;
      expect(w.pageErrors).toEqual([]);
      expect(w.dialogs).toEqual([]);
      expect(w.consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    }
    await browser?.close();
    await s?.stop();
    await fake?.stop();
  });

  it('is not there while billing is off: no menu entry, and /-/billing is not found', async () => {
    await alice.go('/');
    const items = await menuItems(alice);
    expect(items.some((t) => /Dev shells/.test(t))).toBe(true);
    expect(items).not.toContain('Billing');
    await alice.go('/-/billing');
    // the first pages of a fresh server on a loaded machine: give them time
    await alice.page.getByRole('heading', { name: 'Not found' }).waitFor({ timeout: 60_000 });
    expect(await alice.page.getByTestId('billing-page').count()).toBe(0);
    // the console says so too, and still lets plans be prepared
    await admin.go('/console/billing');
    await admin.page.getByRole('heading', { name: 'Billing is off' }).waitFor({ timeout: 60_000 });
    await admin.page.getByRole('heading', { name: 'No plans yet' }).waitFor({ timeout: 60_000 });
  });

  it('the administrator turns billing on with test keys and creates a plan from the console', async () => {
    const page = admin.page;
    await admin.go('/console/settings');
    expect(await page.getByTestId('stripe-key-state').textContent()).toBe('not set');
    const webhookUrl = await page.getByLabel('Webhook URL for Stripe').inputValue();
    expect(webhookUrl).toMatch(/^http:\/\/[^/]+\/api\/v1\/billing\/stripe\/webhook$/);
    await page.getByLabel('Sell credits and charge for dev shell and CI minutes').check();
    await page.getByLabel('Stripe secret key').fill(SK);
    await page.getByLabel('Stripe webhook signing secret').fill(WHSEC);
    await page.getByLabel('Credits per dev shell minute').fill('2');
    await page.getByRole('button', { name: 'Save changes (4)' }).click();
    await page.getByText('Saved.').waitFor();
    // write-only: the page says they are set, never what they are
    expect(await page.getByTestId('stripe-key-state').textContent()).toBe('set');
    expect(await page.getByTestId('stripe-webhook-state').textContent()).toBe('set');
    expect(await page.getByLabel('Stripe secret key').inputValue()).toBe('');
    await page.getByTestId('billing-webhook').scrollIntoViewIfNeeded();
    await admin.shot('billing-settings');
    const settings = (await (await s.api('GET', '/api/v1/admin/settings', { auth: ADMIN })).json()) as Record<string, unknown>;
    expect(settings).toMatchObject({ 'billing.enabled': true, 'billing.stripeSecretKeySet': true, 'billing.stripeWebhookSecretSet': true, 'billing.shellMinuteCredits': 2 });
    expect(JSON.stringify(settings)).not.toContain(SK);

    await page.getByRole('link', { name: 'Billing', exact: true }).click();
    await page.waitForURL('**/console/billing');
    await page.getByRole('heading', { name: 'Nobody has bought or spent credits yet' }).waitFor();
    await page.getByTestId('plan-add').click();
    await page.getByLabel('Name', { exact: true }).fill('Starter');
    await page.getByLabel('Credits', { exact: true }).fill('100');
    await page.getByLabel('Currency 1', { exact: true }).fill('usd');
    await page.getByLabel('Price 1', { exact: true }).fill('5');
    await page.getByTestId('plan-price-add').click();
    await page.getByLabel('Currency 2', { exact: true }).fill('eur');
    await page.getByLabel('Price 2', { exact: true }).fill('4.50');
    await admin.shot('billing-plan-form');
    await page.getByRole('button', { name: 'Create plan' }).click();
    const row = page.locator('[data-testid="plan-row"][data-name="Starter"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('100 credits');
    // edited: renamed, and its prices sent again as they are
    await page.getByRole('button', { name: 'Edit Starter' }).click();
    // in alphabetical order, in major units
    expect(await page.getByLabel('Currency 1', { exact: true }).inputValue()).toBe('eur');
    expect(await page.getByLabel('Price 1', { exact: true }).inputValue()).toBe('4.5');
    expect(await page.getByLabel('Price 2', { exact: true }).inputValue()).toBe('5');
    await page.getByLabel('Name', { exact: true }).fill('Starter pack');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('[data-testid="plan-row"][data-name="Starter pack"]').waitFor();
    const plans = (await (await s.api('GET', '/api/v1/admin/billing/plans', { auth: ADMIN })).json()) as {
      name: string;
      kind: string;
      credits: number;
      active: boolean;
      prices: Record<string, number>;
    }[];
    expect(plans).toEqual([expect.objectContaining({ name: 'Starter pack', kind: 'pack', credits: 100, active: true, prices: { usd: 500, eur: 450 } })]);
    await admin.shot('billing-console');
  });

  it('alice finds Billing in her menu: the plan, a balance of 0, and Buy sends her to Stripe Checkout', async () => {
    const page = alice.page;
    await alice.go('/');
    expect(await menuItems(alice)).toContain('Billing');
    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: 'Billing' }).click();
    await page.waitForURL('**/-/billing');
    await page.getByTestId('billing-page').waitFor();
    expect(await balance()).toBe('0');
    expect(await page.getByTestId('billing-costs').textContent()).toMatch(/dev shell minute: 2 credits.*CI minute: 1 credit/);
    const card = page.getByTestId('billing-plan');
    expect(await card.count()).toBe(1);
    expect(await card.textContent()).toMatch(/Starter pack.*100 credits/);
    // shown in the currency the checkout will charge (the browser's language decides)
    const lang = await page.evaluate(() => navigator.language);
    const currency = /-(DE|AT|FR|NL|IT|ES|IE|BE|FI|PT)$/i.test(lang) ? 'eur' : 'usd';
    const expected = await page.evaluate(([c, n]) => new Intl.NumberFormat(undefined, { style: 'currency', currency: c }).format(n), [currency.toUpperCase(), currency === 'eur' ? 4.5 : 5] as const);
    expect(await page.getByTestId('billing-plan-price').textContent()).toBe(expected);
    await page.getByRole('heading', { name: 'No credits bought or spent yet' }).waitFor();
    await alice.shot('billing-page');

    await page.getByRole('button', { name: 'Buy' }).click();
    await page.waitForURL(/^https:\/\/checkout\.stripe\.test\//, SLOW);
    expect(checkoutVisits).toHaveLength(1);
    expect(checkoutVisits[0]).toMatch(/^https:\/\/checkout\.stripe\.test\/c\/pay\/cs_test_\d+$/);
    const asked = fake.requests.filter((r) => r.path === '/v1/checkout/sessions');
    expect(asked).toHaveLength(1);
    expect(asked[0]!.authorization).toBe(`Bearer ${SK}`);
    expect(asked[0]!.form).toMatchObject({
      mode: 'payment',
      'metadata[user]': 'alice',
      'metadata[credits]': '100',
      'line_items[0][price_data][currency]': currency,
      'line_items[0][price_data][unit_amount]': currency === 'eur' ? '450' : '500',
    });
    expect(asked[0]!.form.success_url).toMatch(/\/-\/billing\?checkout=done$/);
    expect(asked[0]!.form.cancel_url).toMatch(/\/-\/billing\?checkout=cancelled$/);
  });

  it('a cancelled payment says so and changes nothing', async () => {
    await alice.go('/-/billing?checkout=cancelled');
    expect(await alice.page.getByTestId('checkout-notice').textContent()).toMatch(/^Payment cancelled/);
    expect(await balance()).toBe('0');
  });

  it('back from Stripe, the page waits for the webhook and shows the credits with the receipt', async () => {
    const page = alice.page;
    await alice.go('/-/billing?checkout=done');
    expect(await page.getByTestId('checkout-notice').textContent()).toBe('Payment received: credits appear as soon as Stripe confirms it.');
    expect(await balance()).toBe('0');
    const sessionId = checkoutVisits[0]!.split('/').pop()!;
    const paid = await deliver({
      id: 'evt_e2e_1',
      type: 'checkout.session.completed',
      data: {
        object: {
          id: sessionId,
          object: 'checkout.session',
          mode: 'payment',
          payment_status: 'paid',
          amount_total: 500,
          currency: 'usd',
          payment_intent: 'pi_e2e_1',
          metadata: { user: 'alice', plan: '1', credits: '100' },
        },
      },
    });
    expect(paid).toMatchObject({ status: 200, body: { handled: true } });
    // no reload: the page asks again while the payment is being confirmed
    await expect.poll(balance, SLOW).toBe('100');
    const entry = page.getByTestId('billing-entry').first();
    await entry.waitFor();
    expect(await entry.getAttribute('data-kind')).toBe('purchase');
    expect(await entry.getByTestId('billing-entry-amount').textContent()).toBe('+100');
    expect(await entry.getByTestId('billing-entry-amount').getAttribute('data-sign')).toBe('in');
    expect(await entry.getByTestId('billing-entry-description').textContent()).toBe('bought 100 credits');
    expect(await entry.textContent()).toContain(await page.evaluate(() => new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' }).format(5)));
    expect(await entry.getByTestId('billing-receipt').getAttribute('href')).toBe('https://pay.stripe.test/receipts/pi_e2e_1');
    await page.reload({ waitUntil: 'networkidle' });
    expect(await balance()).toBe('100');
    await alice.shot('billing-paid');
  });

  it('the administrator adjusts alice’s balance with a reason (the server’s refusals shown), and her history shows it', async () => {
    const page = admin.page;
    await admin.go('/console/billing');
    const row = page.locator('[data-testid="balance-row"][data-login="alice"]');
    await row.waitFor();
    expect(await row.getAttribute('data-balance')).toBe('100');
    await page.getByRole('button', { name: 'Adjust alice' }).click();
    const dialog = page.getByRole('dialog');
    // zero, and no reason: refused by the server, which says why
    await dialog.getByLabel('Credits', { exact: true }).fill('0');
    await dialog.getByLabel('Reason').fill('nothing at all');
    await dialog.getByRole('button', { name: 'Adjust' }).click();
    await dialog
      .getByRole('alert')
      .getByText(/not zero/)
      .waitFor();
    await dialog.getByLabel('Credits', { exact: true }).fill('-30');
    await dialog.getByLabel('Reason').fill('');
    await dialog.getByRole('button', { name: 'Adjust' }).click();
    await dialog
      .getByRole('alert')
      .getByText(/reason is required/)
      .waitFor();
    expect((await (await s.api('GET', '/api/v1/user/billing', { auth: ALICE })).json()).balance).toBe(100);
    await dialog.getByLabel('Reason').fill('Refund of the outage week');
    await dialog.getByRole('button', { name: 'Adjust' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => row.getAttribute('data-balance'), SLOW).toBe('70');
    await admin.shot('billing-console-adjusted');

    await alice.go('/-/billing');
    expect(await balance()).toBe('70');
    const entry = alice.page.getByTestId('billing-entry').first();
    expect(await entry.getAttribute('data-kind')).toBe('adjustment');
    expect(await entry.getByTestId('billing-entry-amount').textContent()).toBe('-30');
    expect(await entry.getByTestId('billing-entry-amount').getAttribute('data-sign')).toBe('out');
    expect(await entry.getByTestId('billing-entry-description').textContent()).toBe('Refund of the outage week');
    expect(await alice.page.getByTestId('billing-entry').count()).toBe(2);
  });
});
