// The public surface of server/webhooks: the service (hooks, the delivery pipeline), the
// payload builders, the JSON shapes and the Gitea event vocabulary.
export { WebhookService, createHookSchema, editHookSchema, DELIVERY_ATTEMPTS, type HookOwner, type CreateHook, type EditHook } from './service.js';
export { PayloadBuilder } from './payloads.js';
export { hookJson, deliveryJson, type HookJson, type DeliveryJson } from './json.js';
export { HOOK_EVENTS, headerEvent, hookHears, branchFilterMatches, type HookEventType } from './events.js';
export type { WebhookRow, WebhookDeliveryRow, DeliveryState } from './schema.js';

import type { WebhookService } from './service.js';
import './schema.js';

declare module '../services.js' {
  interface Services {
    webhooks: WebhookService;
  }
}

declare module '../events/index.js' {
  interface EventMap {
    /** One webhook delivery to send (its row in webhook_deliveries); retried by the outbox. */
    'webhook.deliver': { deliveryId: number };
  }
}
