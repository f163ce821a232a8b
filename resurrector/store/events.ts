/** The audit trail: every write the resurrector makes records who did what to which subject, in the same transaction. */
import type { ClientBase } from "pg";

export interface AuditEvent {
  /** Who acted: a command and host, or a scheduled job's name. */
  readonly actor: string;
  /** What happened, dotted: "environment.stored", "certificate.preserved". */
  readonly action: string;
  /** What it happened to, e.g. "resource/42" or "secret/loco-gateway/wildcard-tls". */
  readonly subject: string;
  /** Non-secret details: counts, names, versions. Never values. */
  readonly detail?: Readonly<Record<string, unknown>>;
}

export async function recordEvent(client: ClientBase, event: AuditEvent): Promise<void> {
  await client.query("INSERT INTO resurrector.events (actor, action, subject, detail) VALUES ($1, $2, $3, $4)", [
    event.actor,
    event.action,
    event.subject,
    JSON.stringify(event.detail ?? {}),
  ]);
}

export interface StoredEvent extends AuditEvent {
  readonly id: string;
  readonly occurredAt: Date;
}

/** The most recent events first. */
export async function recentEvents(client: ClientBase, limit = 50): Promise<StoredEvent[]> {
  const { rows } = await client.query<{
    id: string;
    occurred_at: Date;
    actor: string;
    action: string;
    subject: string;
    detail: Record<string, unknown>;
  }>("SELECT id, occurred_at, actor, action, subject, detail FROM resurrector.events ORDER BY id DESC LIMIT $1", [limit]);
  return rows.map((row) => ({
    id: row.id,
    occurredAt: row.occurred_at,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    detail: row.detail,
  }));
}
