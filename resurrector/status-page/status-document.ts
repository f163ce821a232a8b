/**
 * `/api/status`: the page's content for machines, format version 1 (docs/status-page.md). A change that could
 * break a reader (a removed or renamed field, a changed meaning) is a new version; new fields are not. Times are
 * ISO 8601 in UTC. Nothing in it names a tenant, an internal address or the guarded cluster.
 */
import type { Impact } from "../store/probe-state";
import type { RebuildState } from "../store/rebuilds";
import type { ShownState, StatusSnapshot } from "./read-status";
import type { Uptime } from "./uptime";

export const statusFormatVersion = 1;

export interface UptimeV1 {
  readonly percent: number | null;
  readonly probes: number;
  readonly healthy: number;
  readonly degraded: number;
  readonly down: number;
}

export interface StatusDocumentV1 {
  readonly version: 1;
  readonly generatedAt: string;
  readonly state: ShownState;
  readonly checks: readonly {
    readonly name: string;
    readonly description: string;
    readonly state: ShownState;
    readonly since: string | null;
    readonly lastProbeAt: string | null;
    readonly latencyMs: number | null;
    readonly detail: string;
    readonly uptime: { readonly "24h": UptimeV1; readonly "7d": UptimeV1; readonly "90d": UptimeV1 };
    readonly responseTimeMs: {
      readonly "24h": { readonly p50: number | null; readonly p95: number | null };
      readonly "90d": { readonly p50: number | null; readonly p95: number | null };
    };
    readonly days: readonly { readonly date: string; readonly healthy: number; readonly degraded: number; readonly down: number }[];
  }[];
  readonly incidents: readonly {
    readonly id: string;
    readonly title: string;
    readonly impact: Impact;
    readonly state: "open" | "resolved";
    readonly source: "probe" | "alert";
    readonly check: string | null;
    readonly startedAt: string;
    readonly resolvedAt: string | null;
    readonly updates: readonly { readonly at: string; readonly kind: "opened" | "changed" | "resolved"; readonly message: string }[];
  }[];
  readonly rebuild: RebuildV1 | null;
  readonly rebuilds: readonly RebuildV1[];
}

export interface RebuildV1 {
  readonly state: RebuildState;
  readonly phase: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

const uptime = (u: Uptime): UptimeV1 => ({ percent: u.percent, probes: u.probes, healthy: u.healthy, degraded: u.degraded, down: u.down });

export function statusDocument(snapshot: StatusSnapshot): StatusDocumentV1 {
  const rebuild = (r: StatusSnapshot["rebuilds"][number]): RebuildV1 => ({
    state: r.state,
    phase: r.phase,
    startedAt: r.startedAt.toISOString(),
    finishedAt: iso(r.finishedAt),
  });
  return {
    version: statusFormatVersion,
    generatedAt: snapshot.generatedAt.toISOString(),
    state: snapshot.state,
    checks: snapshot.checks.map((c) => ({
      name: c.name,
      description: c.description,
      state: c.state,
      since: iso(c.since),
      lastProbeAt: iso(c.lastProbeAt),
      latencyMs: c.latencyMs,
      detail: c.detail,
      uptime: { "24h": uptime(c.uptime.day), "7d": uptime(c.uptime.week), "90d": uptime(c.uptime.quarter) },
      responseTimeMs: { "24h": c.responseTimeMs, "90d": c.responseTimeQuarterMs },
      days: c.days.map((d) => ({ date: d.date, healthy: d.healthy, degraded: d.degraded, down: d.down })),
    })),
    incidents: snapshot.incidents.map((i) => ({
      id: i.id,
      title: i.title,
      impact: i.impact,
      state: i.resolvedAt === null ? "open" : "resolved",
      source: i.source,
      check: i.source === "probe" ? i.subject : null,
      startedAt: i.startedAt.toISOString(),
      resolvedAt: iso(i.resolvedAt),
      updates: i.updates.map((u) => ({ at: u.postedAt.toISOString(), kind: u.kind, message: u.message })),
    })),
    rebuild: snapshot.rebuild === null ? null : rebuild(snapshot.rebuild),
    rebuilds: snapshot.rebuilds.map(rebuild),
  };
}
