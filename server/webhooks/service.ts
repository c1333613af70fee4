// Webhooks: the hooks of repositories and organizations, and their deliveries. An event is
// fanned out (fanOut) into one delivery row per hook that hears it, each with a `webhook.deliver`
// event recorded in the same transaction; the outbox then runs deliver() for each, which checks
// the target against the egress policy again, sends the signed request to the checked address,
// logs what came back and, on a failure worth retrying, throws so the outbox tries again later.
import { createHmac, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { EventBus } from '../events/index.js';
import { Invalid, NotFound } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import { addressProblem, checkTarget, pinnedRequest, TargetRefused, type EgressPolicy } from '../lib/ssrf.js';
import { VERSION } from '../lib/version.js';
import type { Db } from '../db/index.js';
import type { UserRow } from '../db/schema.js';
import type { RepoRecord } from '../repos/index.js';
import { branchFilterMatches, branchFilterProblem, BRANCH_FILTERED, headerEvent, hookHears, HOOK_EVENTS, isHookEvent, type HookEventType } from './events.js';
import type { DeliveryState, WebhookDeliveryRow, WebhookRow } from './schema.js';

/** Attempts of one delivery before it is given up (the outbox's backoff between them: 1 s, 2 s, 4 s, …). */
export const DELIVERY_ATTEMPTS = 8;
/** Deliveries kept per hook (older finished ones are deleted). */
export const DELIVERIES_KEPT = 100;
const TIMEOUT_MS = 10_000;
const RESPONSE_READ_BYTES = 64 * 1024;
const RESPONSE_KEPT_BYTES = 8 * 1024;
const HOOKS_PER_OWNER = 50;

/** Whose hooks: a repository's, or an organization's (they hear every repository it owns). */
export type HookOwner = { kind: 'repo'; rec: RepoRecord } | { kind: 'org'; org: UserRow };

const noLineBreaks = (what: string) => (v: string) => (/[\r\n\0]/.test(v) ? `${what} must be one line` : null);

const configSchema = z.object({
  url: z.string().min(1, 'config.url is required').max(2048),
  content_type: z.string().max(16).optional(),
  http_method: z.string().max(8).optional(),
  secret: z.string().max(512).optional(),
});

export const createHookSchema = z.strictObject({
  type: z.string().max(16).describe('gitea (or gogs: the same payloads and headers)'),
  config: configSchema.describe('{url, content_type: "json", secret, http_method: "post"}'),
  events: z
    .array(z.string().max(64))
    .max(HOOK_EVENTS.length)
    .optional()
    .describe('push, create, delete, issues, issue_assign, issue_comment, pull_request, pull_request_sync, … status (default: push)'),
  branch_filter: z.string().max(1024).optional().describe('a glob of branch names for push, create and delete events ("", "*": all)'),
  authorization_header: z.string().max(1024).optional().describe('sent as the Authorization header'),
  active: z.boolean().optional().describe('default false, as in Gitea'),
  is_system_webhook: z.boolean().optional(),
});

export const editHookSchema = z.strictObject({
  config: configSchema.partial().optional(),
  events: z.array(z.string().max(64)).max(HOOK_EVENTS.length).optional(),
  branch_filter: z.string().max(1024).optional(),
  authorization_header: z.string().max(1024).optional(),
  active: z.boolean().optional(),
  is_system_webhook: z.boolean().optional(),
});

export type CreateHook = z.output<typeof createHookSchema>;
export type EditHook = z.output<typeof editHookSchema>;

/** One event type's delivery to the hooks of a repository, its payload built only if a hook hears it. */
export interface Fanned {
  type: HookEventType;
  /** The ref, for the branch filter (push, create, delete). */
  ref?: string;
  build(): Promise<Record<string, unknown> | null>;
}

export class WebhookService {
  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly log: Logger,
    private readonly policy: () => EgressPolicy,
  ) {}

  // ---- hooks ---------------------------------------------------------------------------------

  private scoped(owner: HookOwner) {
    const q = this.db.selectFrom('webhooks').selectAll();
    return owner.kind === 'repo' ? q.where('repo_id', '=', owner.rec.repo.id) : q.where('owner_id', '=', owner.org.id).where('repo_id', 'is', null);
  }

  async list(owner: HookOwner): Promise<WebhookRow[]> {
    return this.scoped(owner).orderBy('id').execute();
  }

  async get(owner: HookOwner, id: number): Promise<WebhookRow> {
    const row = await this.scoped(owner).where('id', '=', id).executeTakeFirst();
    if (!row) throw NotFound(`webhook ${id} not found`);
    return row;
  }

  /** Why a URL is refused as a target now (the 422 at creation), or null. */
  async targetProblem(url: string): Promise<string | null> {
    try {
      await checkTarget(url, this.policy());
      return null;
    } catch (err) {
      if (err instanceof TargetRefused) return err.message;
      throw err;
    }
  }

  private async checkUrl(url: string): Promise<void> {
    const problem = await this.targetProblem(url);
    if (problem) throw Invalid(`config.url: ${problem}`);
  }

  private static events(list: string[] | undefined): string[] {
    const names = [...new Set((list ?? []).map((e) => e.trim()).filter(Boolean))];
    const unknown = names.filter((e) => !isHookEvent(e));
    if (unknown.length) throw Invalid(`events: unknown event ${unknown.map((e) => `"${e.slice(0, 64)}"`).join(', ')}; known: ${HOOK_EVENTS.join(', ')}`);
    return names.length ? names : ['push'];
  }

  private static contentType(v: string | undefined): string {
    const ct = (v ?? 'json').toLowerCase();
    if (ct === 'json') return ct;
    if (ct === 'form') throw Invalid('config.content_type: "form" is not supported; use "json"');
    throw Invalid(`config.content_type: must be "json", not "${ct.slice(0, 16)}"`);
  }

  private static method(v: string | undefined): string {
    const m = (v ?? 'post').toUpperCase();
    if (m !== 'POST') throw Invalid('config.http_method: only "post" is supported');
    return m;
  }

  private static checkText(field: string, value: string | undefined): void {
    const p = value === undefined ? null : noLineBreaks(field)(value);
    if (p) throw Invalid(p);
  }

  async create(owner: HookOwner, input: CreateHook, creatorId: number): Promise<WebhookRow> {
    const type = input.type.toLowerCase();
    if (type !== 'gitea' && type !== 'gogs') throw Invalid(`type: "${input.type.slice(0, 16)}" hooks are not supported; use "gitea" (or "gogs")`);
    const events = WebhookService.events(input.events);
    const contentType = WebhookService.contentType(input.config.content_type);
    const method = WebhookService.method(input.config.http_method);
    const filter = input.branch_filter ?? '';
    const fp = branchFilterProblem(filter);
    if (fp) throw Invalid(`branch_filter: ${fp}`);
    WebhookService.checkText('authorization_header', input.authorization_header);
    WebhookService.checkText('config.secret', input.config.secret);
    if (input.is_system_webhook) throw Invalid('is_system_webhook: system webhooks are not supported');
    await this.checkUrl(input.config.url);
    const count = await this.scoped(owner)
      .clearSelect()
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    if (Number(count?.n ?? 0) >= HOOKS_PER_OWNER) throw Invalid(`at most ${HOOKS_PER_OWNER} webhooks each`);
    const now = Date.now();
    return this.db
      .insertInto('webhooks')
      .values({
        repo_id: owner.kind === 'repo' ? owner.rec.repo.id : null,
        owner_id: owner.kind === 'org' ? owner.org.id : null,
        type,
        url: input.config.url,
        content_type: contentType,
        http_method: method,
        secret: input.config.secret ?? '',
        authorization_header: input.authorization_header ?? '',
        events: JSON.stringify(events),
        branch_filter: filter,
        active: input.active ? 1 : 0,
        creator_id: creatorId,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async update(owner: HookOwner, id: number, input: EditHook): Promise<WebhookRow> {
    const hook = await this.get(owner, id);
    const set: Partial<WebhookRow> = { updated_at: Date.now() };
    if (input.config?.url !== undefined && input.config.url !== hook.url) {
      await this.checkUrl(input.config.url);
      set.url = input.config.url;
    }
    if (input.config?.content_type !== undefined) set.content_type = WebhookService.contentType(input.config.content_type);
    if (input.config?.http_method !== undefined) set.http_method = WebhookService.method(input.config.http_method);
    if (input.config?.secret !== undefined) {
      WebhookService.checkText('config.secret', input.config.secret);
      set.secret = input.config.secret;
    }
    if (input.events !== undefined) set.events = JSON.stringify(WebhookService.events(input.events));
    if (input.branch_filter !== undefined) {
      const fp = branchFilterProblem(input.branch_filter);
      if (fp) throw Invalid(`branch_filter: ${fp}`);
      set.branch_filter = input.branch_filter;
    }
    if (input.authorization_header !== undefined) {
      WebhookService.checkText('authorization_header', input.authorization_header);
      set.authorization_header = input.authorization_header;
    }
    if (input.active !== undefined) set.active = input.active ? 1 : 0;
    if (input.is_system_webhook) throw Invalid('is_system_webhook: system webhooks are not supported');
    return this.db.updateTable('webhooks').set(set).where('id', '=', hook.id).returningAll().executeTakeFirstOrThrow();
  }

  async remove(owner: HookOwner, id: number): Promise<void> {
    const hook = await this.get(owner, id);
    await this.db.deleteFrom('webhooks').where('id', '=', hook.id).execute();
  }

  // ---- the delivery log ----------------------------------------------------------------------

  async deliveries(hook: WebhookRow, page: number, limit: number): Promise<{ items: WebhookDeliveryRow[]; total: number }> {
    const [items, count] = await Promise.all([
      this.db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('hook_id', '=', hook.id)
        .orderBy('id', 'desc')
        .limit(limit)
        .offset((page - 1) * limit)
        .execute(),
      this.db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('hook_id', '=', hook.id)
        .executeTakeFirst(),
    ]);
    return { items, total: Number(count?.n ?? 0) };
  }

  async delivery(hook: WebhookRow, id: number): Promise<WebhookDeliveryRow> {
    const row = await this.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).where('hook_id', '=', hook.id).executeTakeFirst();
    if (!row) throw NotFound(`delivery ${id} not found`);
    return row;
  }

  /** Queues one delivery outside any event (a test, a redelivery) and starts it. */
  async enqueue(hook: WebhookRow, type: HookEventType, payload: string, opts: { isTest?: boolean; redeliveryOf?: number } = {}): Promise<WebhookDeliveryRow> {
    const row = await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const d = await trx
        .insertInto('webhook_deliveries')
        .values(this.newDelivery(hook, null, type, payload, now, opts))
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.events.record(trx, 'webhook.deliver', { deliveryId: d.id });
      return d;
    });
    this.events.kick();
    return row;
  }

  /** Sends a delivery again: a new row with the same payload and event (GitHub's redeliver). */
  async redeliver(hook: WebhookRow, id: number): Promise<WebhookDeliveryRow> {
    const old = await this.delivery(hook, id);
    if (!isHookEvent(old.event_type)) throw Invalid(`delivery ${id} has an unknown event type`);
    return this.enqueue(hook, old.event_type, old.payload, { isTest: old.is_test === 1, redeliveryOf: old.id });
  }

  private newDelivery(hook: WebhookRow, eventId: number | null, type: HookEventType, payload: string, now: number, opts: { isTest?: boolean; redeliveryOf?: number } = {}) {
    return {
      uuid: randomUUID(),
      hook_id: hook.id,
      event_id: eventId,
      event_type: type,
      payload,
      state: 'pending' as DeliveryState,
      attempts: 0,
      is_test: opts.isTest ? 1 : 0,
      redelivery_of: opts.redeliveryOf ?? null,
      request_url: hook.url,
      request_headers: '{}',
      response_status: null,
      response_headers: null,
      response_body: null,
      error: null,
      duration_ms: null,
      delivered_at: null,
      created_at: now,
      updated_at: now,
    };
  }

  // ---- the pipeline --------------------------------------------------------------------------

  /** Whether any active hook hears this repository (most have none: the fan-out stops here). */
  async anyHooks(rec: RepoRecord): Promise<boolean> {
    const row = await this.db
      .selectFrom('webhooks')
      .select('id')
      .where('active', '=', 1)
      .where((eb) => eb.or([eb('repo_id', '=', rec.repo.id), eb.and([eb('owner_id', '=', rec.repo.owner_id), eb('repo_id', 'is', null)])]))
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The active hooks a repository's events reach: its own and its organization's. */
  private async hooksOf(rec: RepoRecord): Promise<WebhookRow[]> {
    return this.db
      .selectFrom('webhooks')
      .selectAll()
      .where('active', '=', 1)
      .where((eb) => eb.or([eb('repo_id', '=', rec.repo.id), eb.and([eb('owner_id', '=', rec.repo.owner_id), eb('repo_id', 'is', null)])]))
      .orderBy('id')
      .execute();
  }

  /**
   * Writes one delivery per hook and event type that hears it (none twice for one outbox event,
   * so a redelivered event adds nothing) and its `webhook.deliver` event, in one transaction.
   */
  async fanOut(eventId: number, rec: RepoRecord, items: Fanned[]): Promise<number> {
    if (items.length === 0) return 0;
    const hooks = await this.hooksOf(rec);
    if (hooks.length === 0) return 0;
    const planned: { hook: WebhookRow; type: HookEventType; payload: string }[] = [];
    for (const item of items) {
      const hearing = hooks.filter((h) => {
        const events = JSON.parse(h.events) as string[];
        if (!hookHears(events, item.type)) return false;
        return !(BRANCH_FILTERED.includes(item.type) && item.ref !== undefined && !branchFilterMatches(h.branch_filter, item.ref));
      });
      if (hearing.length === 0) continue;
      const payload = await item.build();
      if (!payload) continue;
      const text = JSON.stringify(payload, null, 2);
      for (const hook of hearing) planned.push({ hook, type: item.type, payload: text });
    }
    if (planned.length === 0) return 0;
    const written = await this.db.transaction().execute(async (trx) => {
      const now = Date.now();
      let n = 0;
      for (const p of planned) {
        const row = await trx
          .insertInto('webhook_deliveries')
          .values(this.newDelivery(p.hook, eventId, p.type, p.payload, now))
          .onConflict((oc) => oc.columns(['hook_id', 'event_id', 'event_type']).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!row) continue;
        await this.events.record(trx, 'webhook.deliver', { deliveryId: row.id });
        n++;
      }
      return n;
    });
    if (written) this.events.kick();
    return written;
  }

  private headers(hook: WebhookRow, d: WebhookDeliveryRow, body: Buffer): Record<string, string> {
    const type = d.event_type as HookEventType;
    const event = headerEvent(type);
    const h: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': `GiteaServer (Gitssy ${VERSION})`,
      'X-Gitea-Delivery': d.uuid,
      'X-Gitea-Event': event,
      'X-Gitea-Event-Type': type,
      'X-Gogs-Delivery': d.uuid,
      'X-Gogs-Event': event,
      'X-Gogs-Event-Type': type,
      'X-GitHub-Delivery': d.uuid,
      'X-GitHub-Event': event,
      'X-GitHub-Event-Type': type,
    };
    if (hook.secret) {
      const sha256 = createHmac('sha256', hook.secret).update(body).digest('hex');
      const sha1 = createHmac('sha1', hook.secret).update(body).digest('hex');
      h['X-Gitea-Signature'] = sha256;
      h['X-Gogs-Signature'] = sha256;
      h['X-Hub-Signature'] = `sha1=${sha1}`;
      h['X-Hub-Signature-256'] = `sha256=${sha256}`;
    }
    if (hook.authorization_header) h.Authorization = hook.authorization_header;
    return h;
  }

  private async record(d: WebhookDeliveryRow, set: Partial<WebhookDeliveryRow>): Promise<void> {
    await this.db
      .updateTable('webhook_deliveries')
      .set({ ...set, updated_at: Date.now() })
      .where('id', '=', d.id)
      .execute();
  }

  /**
   * Sends one delivery (the outbox calls it; at least once). Throws to be retried: a network
   * error, a timeout, 408, 429 or a 5xx, until the last attempt. A target the policy refuses, a
   * redirect and other 4xx answers are final.
   */
  async deliver(deliveryId: number): Promise<void> {
    const d = await this.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirst();
    if (!d || d.state !== 'pending') return;
    const hook = await this.db.selectFrom('webhooks').selectAll().where('id', '=', d.hook_id).executeTakeFirst();
    if (!hook) return;
    const attempt = d.attempts + 1;
    const body = Buffer.from(d.payload, 'utf8');
    const headers = this.headers(hook, d, body);
    const shown = { ...headers, ...(headers.Authorization ? { Authorization: '(hidden)' } : {}) };
    const base = { attempts: attempt, request_url: hook.url, request_headers: JSON.stringify(shown) };
    const policy = this.policy();
    const started = Date.now();
    let target;
    try {
      target = await checkTarget(hook.url, policy);
    } catch (err) {
      if (!(err instanceof TargetRefused)) throw err;
      // refused at delivery time (the setting changed, or the name now resolves elsewhere): nothing is sent
      this.log.warn({ hook: hook.id, delivery: d.id, reason: err.message }, 'webhook target refused at delivery');
      await this.record(d, { ...base, state: 'refused', error: `not sent: ${err.message}`, response_status: null, response_headers: null, response_body: null, duration_ms: null });
      await this.prune(hook.id);
      return;
    }
    let res;
    try {
      res = await pinnedRequest({
        target,
        method: 'POST',
        headers,
        body,
        timeoutMs: TIMEOUT_MS,
        maxResponseBytes: RESPONSE_READ_BYTES,
        recheck: (ip, port) => addressProblem(ip, port, policy),
      });
    } catch (err) {
      const refused = err instanceof TargetRefused;
      const message = err instanceof Error ? err.message : String(err);
      const last = refused || attempt >= DELIVERY_ATTEMPTS;
      await this.record(d, {
        ...base,
        state: refused ? 'refused' : last ? 'failed' : 'pending',
        error: refused ? `not sent: ${message}` : `could not deliver to ${target.address} port ${target.port}: ${message}`,
        response_status: null,
        response_headers: null,
        response_body: null,
        duration_ms: Date.now() - started,
        delivered_at: Date.now(),
      });
      if (last) return this.prune(hook.id);
      throw new Error(`webhook ${hook.id} delivery ${d.id}: ${message}`);
    }
    const status = res.status;
    const ok = status >= 200 && status < 300;
    const retry = !ok && (status === 408 || status === 429 || status >= 500) && attempt < DELIVERY_ATTEMPTS;
    let error: string | null = null;
    if (status >= 300 && status < 400) error = `the receiver answered ${status}${res.headers.location ? ` with Location ${res.headers.location.slice(0, 500)}` : ''}; redirects are not followed`;
    else if (!ok) error = `the receiver answered ${status}`;
    const excerpt = res.body.subarray(0, RESPONSE_KEPT_BYTES).toString('utf8') + (res.truncated || res.body.length > RESPONSE_KEPT_BYTES ? '\n… (cut)' : '');
    await this.record(d, {
      ...base,
      state: ok ? 'delivered' : retry ? 'pending' : 'failed',
      error,
      response_status: status,
      response_headers: JSON.stringify(res.headers),
      response_body: excerpt,
      duration_ms: Date.now() - started,
      delivered_at: Date.now(),
    });
    if (retry) throw new Error(`webhook ${hook.id} delivery ${d.id}: ${error}`);
    await this.prune(hook.id);
  }

  /** Deletes a hook's finished deliveries beyond the newest DELIVERIES_KEPT. */
  private async prune(hookId: number): Promise<void> {
    const edge = await this.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('hook_id', '=', hookId)
      .orderBy('id', 'desc')
      .offset(DELIVERIES_KEPT - 1)
      .limit(1)
      .executeTakeFirst();
    if (!edge) return;
    await this.db.deleteFrom('webhook_deliveries').where('hook_id', '=', hookId).where('id', '<', edge.id).where('state', '!=', 'pending').execute();
  }
}
