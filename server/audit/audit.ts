// Append-only audit log of security-relevant changes (accounts, tokens, repositories, access).
import type { Db } from '../db/index.js';

export interface AuditEntry {
  actorId: number | null;
  action: string;
  targetType: string;
  targetId?: number | null;
  detail?: Record<string, unknown>;
  ip?: string | null;
  /** The outbox event this entry was written from (at most one entry per event). */
  eventId?: number;
}

export class AuditLog {
  constructor(private readonly db: Db) {}

  async record(e: AuditEntry): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        actor_id: e.actorId,
        action: e.action,
        target_type: e.targetType,
        target_id: e.targetId ?? null,
        detail: JSON.stringify(e.detail ?? {}),
        ip: e.ip ?? null,
        event_id: e.eventId ?? null,
        created_at: Date.now(),
      })
      .onConflict((oc) => oc.column('event_id').doNothing())
      .execute();
  }
}
