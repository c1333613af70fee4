// The billing API: a user's balance, plans, history and checkout; Stripe's webhook; and the
// administrator's plans, prices, balances and adjustments. With billing off, everything but the
// administrator's plan editing answers 404.
import { z } from 'zod';
import { baseUrl, pageQuery, requireAdmin, requireUser, setPageHeaders, type ApiRouter } from '../http/index.js';
import { NotFound } from '../lib/errors.js';
import type { Services } from '../services.js';
import { entryJson, type BillingService } from './service.js';

const currency = z.string().regex(/^[a-z]{3}$/, 'must be a three-letter ISO 4217 code in lower case, like usd');
const prices = z.record(currency, z.number().int().min(0).max(100_000_000)).describe('price per currency, in the minor unit (cents)');
const planBody = z.strictObject({
  name: z.string().min(1).max(255),
  kind: z.enum(['pack', 'subscription']),
  credits: z.number().int().min(1).max(1_000_000_000),
  active: z.boolean().optional(),
  prices: prices.optional(),
});
const planPatch = planBody.partial();
const adjustmentBody = z.strictObject({
  user: z.string().min(1).max(40),
  amount: z.number().int('credits are whole numbers').min(-1_000_000_000).max(1_000_000_000).describe('credits to add (negative: take away), not zero'),
  reason: z.string().trim().min(1, 'a reason is required').max(1024),
});
const checkoutBody = z.strictObject({ plan_id: z.number().int().positive() });

export function registerBillingRoutes(api: ApiRouter, s: Services, billing: BillingService): void {
  const tag = 'user';
  const planId = (raw: string | undefined) => {
    const id = Number(raw);
    if (!/^\d{1,15}$/.test(raw ?? '') || id < 1) throw NotFound('plan not found');
    return id;
  };

  api.route(
    {
      method: 'get',
      path: '/user/billing',
      tag,
      auth: 'user',
      summary: 'Gitssy: your credits, the plans on sale and what shells and CI minutes cost',
      responses: { 200: 'billing state', 404: 'billing is off' },
    },
    async ({ req }) => {
      billing.assertEnabled();
      const user = requireUser(req);
      return {
        body: {
          balance: await billing.balance(user.id),
          plans: await billing.plans(true),
          shell_minute_credits: s.settings.get('billing.shellMinuteCredits'),
          ci_minute_credits: s.settings.get('billing.ciMinuteCredits'),
          default_currency: s.settings.get('billing.defaultCurrency'),
          payments: billing.configured(),
        },
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/user/billing/ledger',
      tag,
      auth: 'user',
      query: pageQuery,
      summary: 'Gitssy: your credit history, newest first (with receipts)',
      responses: { 200: 'entries', 404: 'billing is off' },
    },
    async ({ req, res, query }) => {
      billing.assertEnabled();
      const user = requireUser(req);
      const { rows, total } = await billing.history(user.id, query.page, query.limit);
      setPageHeaders(req, res, total, query.page, query.limit);
      return { body: rows.map(entryJson) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/user/billing/checkout',
      tag,
      auth: 'user',
      body: checkoutBody,
      summary: 'Gitssy: start buying a plan: a Stripe Checkout URL, in your locale’s currency where the plan has a price in it',
      responses: { 201: '{url, currency, amount}', 404: 'billing is off, or no such plan', 503: 'payments are not set up' },
    },
    async ({ req, body }) => {
      const user = requireUser(req);
      const lang = req.headers['accept-language'];
      return { status: 201, body: await billing.checkout(user, body.plan_id, typeof lang === 'string' ? lang : undefined, baseUrl(s, req).replace(/\/+$/, '')) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/billing/stripe/webhook',
      tag: 'miscellaneous',
      rawBody: 1024 * 1024,
      summary: 'Gitssy: Stripe’s webhook (checkout.session.completed, invoice.paid); signed with the webhook secret',
      responses: { 200: 'received (handled, a replay, or a type we ignore)', 400: 'bad signature or too old', 404: 'billing is off' },
    },
    async ({ req }) => {
      const sig = req.headers['stripe-signature'];
      const r = await billing.webhook(req.body as Buffer, typeof sig === 'string' ? sig : undefined);
      return { body: { received: true, ...r } };
    },
  );

  // ---- administrators ----

  api.route({ method: 'get', path: '/admin/billing/plans', tag: 'admin', auth: 'admin', summary: 'Gitssy: every plan, with its prices', responses: { 200: 'plans' } }, async ({ req }) => {
    requireAdmin(req);
    return { body: await billing.plans(false) };
  });

  api.route(
    {
      method: 'post',
      path: '/admin/billing/plans',
      tag: 'admin',
      auth: 'admin',
      body: planBody,
      summary: 'Gitssy: a new plan (a credit pack or a monthly subscription)',
      responses: { 201: 'the plan', 422: 'invalid' },
    },
    async ({ req, body }) => {
      const admin = requireAdmin(req);
      const plan = await billing.savePlan(null, body);
      await s.audit.record({ actorId: admin.id, action: 'billing.plan', targetType: 'plan', targetId: plan.id, detail: body, ip: req.ip ?? null });
      return { status: 201, body: plan };
    },
  );

  api.route(
    {
      method: 'patch',
      path: '/admin/billing/plans/:id',
      tag: 'admin',
      auth: 'admin',
      body: planPatch,
      summary: 'Gitssy: change a plan (prices replace the old ones when given)',
      responses: { 200: 'the plan', 404: 'not found' },
    },
    async ({ req, params, body }) => {
      const admin = requireAdmin(req);
      const plan = await billing.savePlan(planId(params.id), body);
      await s.audit.record({ actorId: admin.id, action: 'billing.plan', targetType: 'plan', targetId: plan.id, detail: body, ip: req.ip ?? null });
      return { body: plan };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/admin/billing/balances',
      tag: 'admin',
      auth: 'admin',
      summary: 'Gitssy: every user with credit history, and their balance',
      responses: { 200: '[{login, balance}]', 404: 'billing is off' },
    },
    async ({ req }) => {
      requireAdmin(req);
      billing.assertEnabled();
      return { body: await billing.balances() };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/admin/billing/adjustments',
      tag: 'admin',
      auth: 'admin',
      body: adjustmentBody,
      summary: 'Gitssy: add or take away credits by hand, with a reason (audited)',
      responses: { 201: 'the ledger entry', 404: 'billing is off, or no such user', 422: 'not a whole non-zero number, or no reason' },
    },
    async ({ req, body }) => {
      const admin = requireAdmin(req);
      billing.assertEnabled();
      const user = await s.users.byName(body.user);
      if (!user) throw NotFound(`user "${body.user}" not found`);
      return { status: 201, body: entryJson(await billing.adjust(admin, user, body.amount, body.reason, req.ip ?? null)) };
    },
  );
}
