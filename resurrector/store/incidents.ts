/**
 * Incidents and their public timelines in `resurrector.incidents` and `resurrector.incident_updates`. Opened and
 * resolved by the probe history (a check that stays unhealthy) and by Grafana's alert webhook; every change is a
 * timeline entry, so the page can tell the story and not just the current state.
 */
import type { ClientBase } from "pg";
import type { Impact } from "./probe-state";

export type IncidentSource = "probe" | "alert";
export type IncidentUpdateKind = "opened" | "changed" | "resolved";

export interface IncidentUpdate {
  readonly postedAt: Date;
  readonly kind: IncidentUpdateKind;
  readonly message: string;
}

export interface Incident {
  readonly id: string;
  readonly source: IncidentSource;
  /** The check's name (source "probe") or the alert rule's name (source "alert"). */
  readonly subject: string;
  readonly title: string;
  /** The worst impact while it was open. */
  readonly impact: Impact;
  readonly startedAt: Date;
  readonly resolvedAt: Date | null;
  /** Oldest first. */
  readonly updates: readonly IncidentUpdate[];
}

/** The open incident of a source and subject, locked until the caller's transaction ends. */
export async function openIncidentOf(
  db: ClientBase,
  source: IncidentSource,
  subject: string,
): Promise<{ id: string; impact: Impact } | undefined> {
  const { rows } = await db.query<{ id: string; impact: Impact }>(
    "SELECT id, impact FROM resurrector.incidents WHERE source = $1 AND subject = $2 AND resolved_at IS NULL FOR UPDATE",
    [source, subject],
  );
  return rows[0];
}

async function postUpdate(db: ClientBase, incidentId: string, at: Date, kind: IncidentUpdateKind, message: string): Promise<void> {
  await db.query("INSERT INTO resurrector.incident_updates (incident_id, posted_at, kind, message) VALUES ($1, $2, $3, $4)", [
    incidentId,
    at,
    kind,
    message,
  ]);
}

/** Opens an incident with its first timeline entry; returns its id. */
export async function openIncident(
  db: ClientBase,
  incident: {
    readonly source: IncidentSource;
    readonly subject: string;
    readonly title: string;
    readonly impact: Impact;
    readonly startedAt: Date;
    readonly at: Date;
    readonly message: string;
  },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    "INSERT INTO resurrector.incidents (source, subject, title, impact, started_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    [incident.source, incident.subject, incident.title, incident.impact, incident.startedAt],
  );
  await postUpdate(db, rows[0].id, incident.at, "opened", incident.message);
  return rows[0].id;
}

/** A timeline entry, and optionally a new impact and title. */
export async function updateIncident(
  db: ClientBase,
  id: string,
  update: { readonly at: Date; readonly message: string; readonly impact?: Impact; readonly title?: string },
): Promise<void> {
  if (update.impact !== undefined || update.title !== undefined) {
    await db.query("UPDATE resurrector.incidents SET impact = coalesce($2, impact), title = coalesce($3, title) WHERE id = $1", [
      id,
      update.impact ?? null,
      update.title ?? null,
    ]);
  }
  await postUpdate(db, id, update.at, "changed", update.message);
}

export async function resolveIncident(
  db: ClientBase,
  id: string,
  resolution: { readonly at: Date; readonly message: string },
): Promise<void> {
  // An update that arrives late (a resolution stamped before the start) still resolves it, at its start.
  await db.query("UPDATE resurrector.incidents SET resolved_at = greatest($2::timestamptz, started_at) WHERE id = $1", [id, resolution.at]);
  await postUpdate(db, id, resolution.at, "resolved", resolution.message);
}

/** Incidents still open, and those resolved at or after `since`, newest first, each with its timeline. */
export async function recentIncidents(db: Pick<ClientBase, "query">, since: Date, limit = 50): Promise<Incident[]> {
  const { rows } = await db.query<{
    id: string;
    source: IncidentSource;
    subject: string;
    title: string;
    impact: Impact;
    started_at: Date;
    resolved_at: Date | null;
    updates: { posted_at: string; kind: IncidentUpdateKind; message: string }[];
  }>(
    `SELECT i.id, i.source, i.subject, i.title, i.impact, i.started_at, i.resolved_at,
            coalesce(jsonb_agg(jsonb_build_object('posted_at', u.posted_at, 'kind', u.kind, 'message', u.message)
                               ORDER BY u.posted_at, u.id) FILTER (WHERE u.id IS NOT NULL), '[]'::jsonb) AS updates
     FROM resurrector.incidents i LEFT JOIN resurrector.incident_updates u ON u.incident_id = i.id
     WHERE i.resolved_at IS NULL OR i.resolved_at >= $1
     GROUP BY i.id
     ORDER BY (i.resolved_at IS NULL) DESC, i.started_at DESC, i.id DESC
     LIMIT $2`,
    [since, limit],
  );
  return rows.map((row) => ({
    id: row.id,
    source: row.source,
    subject: row.subject,
    title: row.title,
    impact: row.impact,
    startedAt: row.started_at,
    resolvedAt: row.resolved_at,
    updates: row.updates.map((u) => ({ postedAt: new Date(u.posted_at), kind: u.kind, message: u.message })),
  }));
}
