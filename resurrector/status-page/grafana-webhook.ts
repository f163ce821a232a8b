/**
 * Grafana's webhook contact point payload (`status`, `alerts[]` with `status`, `labels`, `annotations`,
 * `startsAt`, `fingerprint`) turned into alert instances the incident store can publish. Only what is fit for a
 * public page is kept: the rule's name (`alertname`), the `impact` label (degraded or down; degraded when absent)
 * and the `public_summary` annotation. Grafana's own summary and description are for on-call and are never shown.
 * An alert about one tenant (it carries a tenant label) is not a platform incident: it is acknowledged and skipped.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { tenantAttributes, tenantColumns } from "../../lib/tenant-attributes";
import { tenantLabels } from "../../lib/tenant-labels";
import type { AlertInstance } from "../store/alert-incidents";
import { publishableTextProblem } from "./publishable-text";

const alertSchema = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()).optional(),
  startsAt: z.string().optional(),
  fingerprint: z.string().max(200).optional(),
});

const payloadSchema = z.object({
  status: z.enum(["firing", "resolved"]),
  alerts: z.array(alertSchema).max(1000),
});

export class WebhookPayloadError extends Error {
  override readonly name = "WebhookPayloadError";
}

/** Label keys that say an alert is about one tenant. */
const tenantLabelKeys = new Set<string>([
  ...Object.values(tenantLabels),
  ...Object.values(tenantAttributes),
  ...Object.values(tenantColumns),
]);

export interface SkippedAlert {
  readonly index: number;
  readonly reason: string;
}

export interface ParsedNotification {
  readonly alerts: readonly AlertInstance[];
  readonly skipped: readonly SkippedAlert[];
}

/** Parses a notification body; throws {@link WebhookPayloadError} with one line naming the bad field. */
export function parseGrafanaNotification(body: string, receivedAt: Date): ParsedNotification {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new WebhookPayloadError("the body is not JSON");
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    throw new WebhookPayloadError(`not a Grafana webhook notification: ${path.replace(/^\./, "") || "body"}: ${issue.message}`);
  }
  const alerts: AlertInstance[] = [];
  const skipped: SkippedAlert[] = [];
  parsed.data.alerts.forEach((alert, index) => {
    const name = alert.labels.alertname;
    if (name === undefined || name.trim() === "") return skipped.push({ index, reason: "no alertname label" });
    const tenantKey = Object.keys(alert.labels).find((key) => tenantLabelKeys.has(key));
    if (tenantKey) return skipped.push({ index, reason: `about one tenant (label ${tenantKey}), not the platform` });
    const nameProblem = publishableTextProblem(name, 120);
    if (nameProblem) return skipped.push({ index, reason: `alertname ${nameProblem}` });
    const summary = alert.annotations?.public_summary;
    const summaryProblem = summary === undefined ? undefined : publishableTextProblem(summary, 300);
    const startsAt = alert.startsAt ? new Date(alert.startsAt) : undefined;
    alerts.push({
      fingerprint:
        alert.fingerprint ??
        createHash("sha256")
          .update(JSON.stringify(Object.entries(alert.labels).sort(([a], [b]) => (a < b ? -1 : 1))))
          .digest("hex")
          .slice(0, 16),
      name: name.trim(),
      firing: alert.status === "firing",
      impact: alert.labels.impact === "down" ? "down" : "degraded",
      // Grafana sends 0001-01-01 for "unknown"; a time in the future or unparseable means the same.
      startsAt:
        startsAt && !Number.isNaN(startsAt.getTime()) && startsAt.getUTCFullYear() > 2000 && startsAt <= receivedAt ? startsAt : receivedAt,
      summary: summary !== undefined && summaryProblem === undefined && summary.trim() !== "" ? summary.trim() : undefined,
    });
    return undefined;
  });
  return { alerts, skipped };
}
