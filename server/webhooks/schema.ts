// The webhooks feature's tables, added to the db's `Database` by declaration merging.
import type { Generated, Selectable } from 'kysely';

export interface WebhookTable {
  id: Generated<number>;
  /** The repository it belongs to, or null for an organization's hook (owner_id set). */
  repo_id: number | null;
  /** The organization whose every repository it hears, or null for a repository's hook. */
  owner_id: number | null;
  /** 'gitea' (Gitea's JSON and headers; 'gogs' is sent the same). */
  type: string;
  url: string;
  /** json | form */
  content_type: string;
  /** POST */
  http_method: string;
  secret: string;
  authorization_header: string;
  /** JSON array of Gitea event names (push, issues, pull_request, status, …). */
  events: string;
  branch_filter: string;
  active: number;
  creator_id: number | null;
  created_at: number;
  updated_at: number;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'refused';

export interface WebhookDeliveryTable {
  id: Generated<number>;
  /** X-Gitea-Delivery. */
  uuid: string;
  hook_id: number;
  /** The outbox event it came from (null: a test or a redelivery), so a redelivered event adds no second row. */
  event_id: number | null;
  /** Gitea's event type (push, issue_assign, pull_request_sync, …); X-Gitea-Event-Type. */
  event_type: string;
  /** The payload as built when the event happened (JSON). */
  payload: string;
  state: DeliveryState;
  attempts: number;
  is_test: number;
  redelivery_of: number | null;
  request_url: string;
  /** JSON object of the headers sent last (Authorization masked). */
  request_headers: string;
  response_status: number | null;
  response_headers: string | null;
  response_body: string | null;
  error: string | null;
  duration_ms: number | null;
  delivered_at: number | null;
  created_at: number;
  updated_at: number;
}

export type WebhookRow = Selectable<WebhookTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveryTable>;

declare module '../db/schema.js' {
  interface Database {
    webhooks: WebhookTable;
    webhook_deliveries: WebhookDeliveryTable;
  }
}
