/**
 * Everything the page and /api/status show, read in one repeatable-read transaction so every figure is from the
 * same moment: each platform check's latest state, its uptime over 24 hours (raw probes), 7 days (hourly
 * rollups) and 90 days (daily rollups), response time, the 90 daily bars, incidents and rebuilds.
 */
import type { ClientBase } from "pg";
import { recentIncidents, type Incident } from "../store/incidents";
import type { Impact, ProbeState } from "../store/probe-state";
import { recentRebuilds, type Rebuild } from "../store/rebuilds";
import { addHistograms, histogramQuantile } from "../store/rollups";
import { platformChecks } from "./checks";
import { addCounts, noProbes, statusWindows, uptimeOf, type StateCounts, type Uptime } from "./uptime";

export type ShownState = ProbeState | "unknown";

export interface DailyCounts extends StateCounts {
  /** The UTC day, YYYY-MM-DD. */
  readonly date: string;
}

export interface CheckStatus {
  readonly name: string;
  readonly description: string;
  /** The latest probe's state; unknown when there is none, or it is older than the stale limit. */
  readonly state: ShownState;
  readonly since: Date | null;
  readonly lastProbeAt: Date | null;
  readonly latencyMs: number | null;
  readonly detail: string;
  readonly uptime: { readonly day: Uptime; readonly week: Uptime; readonly quarter: Uptime };
  /** Over the last 24 hours, from the raw probes (nearest rank). */
  readonly responseTimeMs: { readonly p50: number | null; readonly p95: number | null };
  /** Over the last 90 days from the daily rollups (interpolated inside histogram buckets). */
  readonly responseTimeQuarterMs: { readonly p50: number | null; readonly p95: number | null };
  /** The 90 UTC days of the 90-day window, oldest first; days without probes have zero counts. */
  readonly days: readonly DailyCounts[];
}

export interface StatusSnapshot {
  readonly generatedAt: Date;
  readonly state: ShownState;
  readonly checks: readonly CheckStatus[];
  /** Open incidents, then those resolved within the incident window, newest first. */
  readonly incidents: readonly Incident[];
  readonly rebuild: Rebuild | null;
  /** Rebuilds started within the incident window, newest first. */
  readonly rebuilds: readonly Rebuild[];
}

export interface ReadStatusOptions {
  /**
   * A check whose latest probe is older than this is shown as unknown: a stopped watcher must not look healthy.
   * @default 600000 (10 minutes)
   */
  readonly staleAfterMs?: number;
  /**
   * How far back resolved incidents and finished rebuilds are listed, in days.
   * @default 14
   */
  readonly historyDays?: number;
}

const dayMs = 86_400_000;
const severity: Record<ShownState, number> = { healthy: 0, unknown: 1, degraded: 2, down: 3 };

/** The page's headline: the worst of the checks and the open incidents; unknown beats healthy, never a problem. */
export function overallState(checks: readonly ShownState[], openImpacts: readonly Impact[]): ShownState {
  const all: ShownState[] = [...checks, ...openImpacts];
  if (all.length === 0) return "unknown";
  return all.reduce((worst, state) => (severity[state] > severity[worst] ? state : worst));
}

const counts = (row?: { healthy: number; degraded: number; down: number }): StateCounts =>
  row ? { healthy: row.healthy, degraded: row.degraded, down: row.down } : noProbes;

export async function readStatus(db: ClientBase, now: Date, options: ReadStatusOptions = {}): Promise<StatusSnapshot> {
  const staleAfterMs = options.staleAfterMs ?? 600_000;
  const historySince = new Date(now.getTime() - (options.historyDays ?? 14) * dayMs);
  const windows = statusWindows(now);
  await db.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    const states = await db.query<{
      check_name: string;
      state: ProbeState;
      state_since: Date;
      last_probe_at: Date;
      latency_ms: number | null;
      detail: string;
    }>("SELECT check_name, state, state_since, last_probe_at, latency_ms, detail FROM resurrector.check_states");
    const day = await db.query<{
      check_name: string;
      healthy: number;
      degraded: number;
      down: number;
      p50: number | null;
      p95: number | null;
    }>(
      `SELECT check_name,
              (count(*) FILTER (WHERE state = 'healthy'))::int AS healthy,
              (count(*) FILTER (WHERE state = 'degraded'))::int AS degraded,
              (count(*) FILTER (WHERE state = 'down'))::int AS down,
              percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE state <> 'down') AS p50,
              percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE state <> 'down') AS p95
       FROM resurrector.probe_results WHERE probed_at > $1 AND probed_at <= $2 GROUP BY check_name`,
      [windows.dayStart, now],
    );
    const rollups = await db.query<{
      check_name: string;
      resolution: "hour" | "day";
      bucket_start: Date;
      healthy: number;
      degraded: number;
      down: number;
      latency_histogram: number[];
    }>(
      `SELECT check_name, resolution, bucket_start, healthy, degraded, down, latency_histogram FROM resurrector.probe_rollups
       WHERE ((resolution = 'hour' AND bucket_start >= $1) OR (resolution = 'day' AND bucket_start >= $2)) AND bucket_start <= $3`,
      [windows.weekStart, windows.quarterStart, now],
    );
    const incidents = await recentIncidents(db, historySince);
    const rebuilds = await recentRebuilds(db, historySince);
    await db.query("COMMIT");

    const checks = platformChecks.map((check): CheckStatus => {
      const latest = states.rows.find((r) => r.check_name === check.name);
      const fresh = latest !== undefined && now.getTime() - latest.last_probe_at.getTime() <= staleAfterMs;
      const dayRow = day.rows.find((r) => r.check_name === check.name);
      const own = rollups.rows.filter((r) => r.check_name === check.name);
      const hourly = own.filter((r) => r.resolution === "hour");
      const daily = own.filter((r) => r.resolution === "day");
      const days = Array.from({ length: 90 }, (_, i): DailyCounts => {
        const start = windows.quarterStart.getTime() + i * dayMs;
        return { date: new Date(start).toISOString().slice(0, 10), ...counts(daily.find((r) => r.bucket_start.getTime() === start)) };
      });
      const quarterHistogram = addHistograms(daily.map((r) => r.latency_histogram));
      return {
        name: check.name,
        description: check.description,
        state: fresh ? latest.state : "unknown",
        since: fresh ? latest.state_since : null,
        lastProbeAt: latest?.last_probe_at ?? null,
        latencyMs: fresh ? latest.latency_ms : null,
        detail: fresh ? latest.detail : "",
        uptime: {
          day: uptimeOf(counts(dayRow)),
          week: uptimeOf(hourly.map((r) => counts(r)).reduce(addCounts, noProbes)),
          quarter: uptimeOf(daily.map((r) => counts(r)).reduce(addCounts, noProbes)),
        },
        responseTimeMs: { p50: dayRow?.p50 ?? null, p95: dayRow?.p95 ?? null },
        responseTimeQuarterMs: {
          p50: histogramQuantile(quarterHistogram, 0.5) ?? null,
          p95: histogramQuantile(quarterHistogram, 0.95) ?? null,
        },
        days,
      };
    });
    const openImpacts = incidents.filter((i) => i.resolvedAt === null).map((i) => i.impact);
    return {
      generatedAt: now,
      state: overallState(
        checks.map((c) => c.state),
        openImpacts,
      ),
      checks,
      incidents,
      rebuild: rebuilds.find((r) => r.state === "running") ?? null,
      rebuilds,
    };
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
