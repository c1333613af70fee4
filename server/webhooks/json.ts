// Gitea's Hook shape, and the delivery log entry (Gitssy's; the fields GitHub's delivery API
// has). The secret is never sent back.
import { headerEvent, isHookEvent } from './events.js';
import type { WebhookDeliveryRow, WebhookRow } from './schema.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function hookJson(h: WebhookRow) {
  return {
    id: h.id,
    type: h.type,
    branch_filter: h.branch_filter,
    config: { url: h.url, content_type: h.content_type, http_method: h.http_method.toLowerCase(), branch_filter: h.branch_filter },
    events: JSON.parse(h.events) as string[],
    authorization_header: h.authorization_header,
    active: h.active === 1,
    is_system_webhook: false,
    /** Gitssy: whether a secret is set (the secret itself is never shown). */
    has_secret: h.secret !== '',
    /** Gitssy: "repository" or "organization". */
    owner_kind: h.repo_id !== null ? 'repository' : 'organization',
    updated_at: iso(h.updated_at),
    created_at: iso(h.created_at),
  };
}

export type HookJson = ReturnType<typeof hookJson>;

export function deliveryJson(d: WebhookDeliveryRow) {
  const responded = d.response_status !== null;
  return {
    id: d.id,
    uuid: d.uuid,
    /** X-Gitea-Event (push, issues, pull_request, status, …). */
    event: isHookEvent(d.event_type) ? headerEvent(d.event_type) : d.event_type,
    /** X-Gitea-Event-Type (push, issue_assign, pull_request_sync, …). */
    event_type: d.event_type,
    /** pending (queued or waiting to retry), delivered, failed, refused (the target is not allowed; nothing was sent). */
    state: d.state,
    attempts: d.attempts,
    is_test: d.is_test === 1,
    redelivery_of: d.redelivery_of,
    delivered_at: iso(d.delivered_at),
    created_at: iso(d.created_at),
    duration_ms: d.duration_ms,
    status_code: d.response_status,
    success: d.state === 'delivered',
    request: { url: d.request_url, method: 'POST', headers: JSON.parse(d.request_headers) as Record<string, string>, body: d.payload },
    response: responded ? { status: d.response_status, headers: JSON.parse(d.response_headers ?? '{}') as Record<string, string>, body: d.response_body ?? '' } : null,
    error: d.error,
  };
}

export type DeliveryJson = ReturnType<typeof deliveryJson>;
