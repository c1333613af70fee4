// Under Console → Settings → Billing: whether the write-only Stripe keys are set, and the webhook
// URL to give Stripe (Developers → Webhooks: checkout.session.completed and invoice.paid) with a
// copy button. A change to billing.enabled makes the header's menu and the billing page ask again.
import { useEffect, useRef } from 'react';
import { Hint } from '../../components/ui';
import { useRefreshBilling } from '../billing';
import { CopyButton } from '../code/CopyButton';
import { useStatus, type Settings } from './api';
import s from './Console.module.css';

export const WEBHOOK_PATH = '/api/v1/billing/stripe/webhook';

export function BillingWebhook({ settings = {} }: { settings: Settings | undefined }) {
  const status = useStatus().data;
  const refresh = useRefreshBilling();
  const enabled = settings['billing.enabled'] === true;
  const was = useRef(enabled);
  useEffect(() => {
    if (was.current !== enabled) refresh();
    was.current = enabled;
  }, [enabled, refresh]);
  const publicUrl = typeof settings['instance.publicUrl'] === 'string' ? settings['instance.publicUrl'] : '';
  const base = (publicUrl || status?.main_url || window.location.origin).replace(/\/+$/, '');
  const url = `${base}${WEBHOOK_PATH}`;
  const set = (key: string) => (settings[`${key}Set`] === true ? 'set' : 'not set');
  return (
    <div style={{ marginTop: '0.9rem' }} data-testid="billing-webhook">
      <Hint>
        Secret key: <strong data-testid="stripe-key-state">{set('billing.stripeSecretKey')}</strong> · webhook signing secret:{' '}
        <strong data-testid="stripe-webhook-state">{set('billing.stripeWebhookSecret')}</strong>
      </Hint>
      <label htmlFor="billing-webhook-url" style={{ marginTop: '0.6rem' }}>
        Webhook URL for Stripe
      </label>
      <div className={s.row} style={{ flexWrap: 'nowrap' }}>
        <input id="billing-webhook-url" type="text" readOnly value={url} onFocus={(e) => e.target.select()} spellCheck={false} />
        <CopyButton text={url} what="webhook URL" />
      </div>
      <Hint>In Stripe: Developers → Webhooks → add an endpoint with this URL for checkout.session.completed and invoice.paid, then paste its signing secret (whsec_…) above.</Hint>
    </div>
  );
}
