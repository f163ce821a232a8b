/**
 * Uptime arithmetic of the status page. A probe that found a check down counts against uptime; degraded counts
 * as up (the service answered) and is shown beside it. Percentages are rounded down to two decimals, so 100.00 %
 * means no probe found the check down, never "almost none".
 */
import type { ProbeState } from "../store/probe-state";

export type StateCounts = Readonly<Record<ProbeState, number>>;

export interface Uptime extends StateCounts {
  readonly probes: number;
  /** Share of probes that did not find the check down, in percent rounded down to 2 decimals; null without probes. */
  readonly percent: number | null;
}

export function uptimeOf(counts: StateCounts): Uptime {
  const probes = counts.healthy + counts.degraded + counts.down;
  // Integer arithmetic: a float product such as 0.57 * 100 would round down a hundredth too far.
  const percent = probes === 0 ? null : Math.floor(((probes - counts.down) * 10_000) / probes) / 100;
  return { probes, healthy: counts.healthy, degraded: counts.degraded, down: counts.down, percent };
}

export const noProbes: StateCounts = { healthy: 0, degraded: 0, down: 0 };

export const addCounts = (a: StateCounts, b: StateCounts): StateCounts => ({
  healthy: a.healthy + b.healthy,
  degraded: a.degraded + b.degraded,
  down: a.down + b.down,
});

export interface StatusWindows {
  /** Raw probes after this instant count for 24 hours. */
  readonly dayStart: Date;
  /** Hourly buckets starting at or after this count for 7 days: the current hour and the 167 before it. */
  readonly weekStart: Date;
  /** Daily buckets starting at or after this count for 90 days: today (UTC) and the 89 days before. */
  readonly quarterStart: Date;
}

const hourMs = 3_600_000;
const dayMs = 86_400_000;

/** Where each window starts. The 7- and 90-day windows are whole buckets, so they reach back into the oldest one. */
export function statusWindows(now: Date): StatusWindows {
  const t = now.getTime();
  return {
    dayStart: new Date(t - dayMs),
    weekStart: new Date(Math.floor(t / hourMs) * hourMs - 167 * hourMs),
    quarterStart: new Date(Math.floor(t / dayMs) * dayMs - 89 * dayMs),
  };
}
