/**
 * Incidents from Grafana's alerts: one incident per alert rule (its `alertname`), open while any instance of the
 * rule fires. Grafana sends each instance with a fingerprint and re-sends the group on every change, so the
 * firing state is kept per instance and the incident resolves when the last one does.
 */
import type { ClientBase } from "pg";
import { openIncident, openIncidentOf, resolveIncident, updateIncident } from "./incidents";
import { worseState, type Impact } from "./probe-state";

/** One alert instance of a notification, already checked as fit to publish. */
export interface AlertInstance {
  /** Grafana's fingerprint of the instance's labels. */
  readonly fingerprint: string;
  /** The alert rule's name: the incident's title. */
  readonly name: string;
  readonly firing: boolean;
  readonly impact: Impact;
  /** When it started firing. */
  readonly startsAt: Date;
  /** A public summary for the timeline, if the rule has one. */
  readonly summary?: string;
}

/** How long a resolved alert instance's state is kept. */
export const alertInstanceRetentionMs = 30 * 86_400_000;

export interface AlertOutcome {
  readonly opened: readonly string[];
  readonly updated: readonly string[];
  readonly resolved: readonly string[];
}

/** Applies one notification's alert instances, in one transaction; `receivedAt` stamps the timeline. */
export async function applyAlerts(db: ClientBase, alerts: readonly AlertInstance[], receivedAt: Date): Promise<AlertOutcome> {
  const opened: string[] = [];
  const updated: string[] = [];
  const resolved: string[] = [];
  await db.query("BEGIN");
  try {
    const names = [...new Set(alerts.map((a) => a.name))].sort();
    for (const name of names) {
      await db.query("SELECT pg_advisory_xact_lock(hashtext('resurrector.alert_instances'), hashtext($1))", [name]);
      const instances = alerts.filter((a) => a.name === name);
      for (const alert of instances) {
        await db.query(
          `INSERT INTO resurrector.alert_instances (fingerprint, alert_name, firing, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (fingerprint) DO UPDATE SET alert_name = EXCLUDED.alert_name, firing = EXCLUDED.firing, updated_at = EXCLUDED.updated_at`,
          [alert.fingerprint, alert.name, alert.firing, receivedAt],
        );
      }
      const { rows } = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM resurrector.alert_instances WHERE alert_name = $1 AND firing",
        [name],
      );
      const stillFiring = rows[0].n > 0;
      const incident = await openIncidentOf(db, "alert", name);
      const firing = instances.filter((a) => a.firing);
      const summary = firing.find((a) => a.summary)?.summary ?? instances.find((a) => a.summary)?.summary;
      if (stillFiring && firing.length > 0) {
        const impact = firing.map((a) => a.impact).reduce(worseState);
        if (!incident) {
          const startedAt = new Date(Math.min(receivedAt.getTime(), ...firing.map((a) => a.startsAt.getTime())));
          const message = summary ?? "Platform monitoring raised this alert; we are looking into it.";
          opened.push(await openIncident(db, { source: "alert", subject: name, title: name, impact, startedAt, at: receivedAt, message }));
        } else if (worseState(incident.impact, impact) !== incident.impact) {
          await updateIncident(db, incident.id, { at: receivedAt, impact, message: summary ?? "The alert's impact has grown." });
          updated.push(incident.id);
        }
      } else if (!stillFiring && incident) {
        await resolveIncident(db, incident.id, { at: receivedAt, message: "Platform monitoring reports the alert cleared." });
        resolved.push(incident.id);
      }
    }
    // Resolved instances are only needed until Grafana stops re-sending them; the set would otherwise only grow.
    await db.query("DELETE FROM resurrector.alert_instances WHERE NOT firing AND updated_at < $1", [
      new Date(receivedAt.getTime() - alertInstanceRetentionMs),
    ]);
    await db.query("COMMIT");
  } catch (error) {
    await db.query("ROLLBACK");
    throw error;
  }
  return { opened, updated, resolved };
}
