/**
 * When a check's probes open, escalate and resolve an incident: a pure step function over one check's streak, so
 * the rule can be read and tested without a database. A streak is the run of consecutive probes that were healthy,
 * or were not; an incident opens after a long enough unhealthy run and resolves after a long enough healthy one,
 * so one failed probe is not an incident and one good probe in an outage does not end it.
 */
import { worseState, type Impact, type ProbeState } from "./probe-state";

export interface IncidentPolicy {
  /**
   * Consecutive unhealthy probes that open an incident.
   * @default 3
   */
  readonly openAfterProbes: number;
  /**
   * Or: how long a check must have been unhealthy, in milliseconds, whichever comes first (for slow probe intervals).
   * @default 300000 (5 minutes)
   */
  readonly openAfterMs: number;
  /**
   * Consecutive healthy probes that resolve it.
   * @default 2
   */
  readonly resolveAfterProbes: number;
}

export const defaultIncidentPolicy: IncidentPolicy = { openAfterProbes: 3, openAfterMs: 5 * 60_000, resolveAfterProbes: 2 };

/** A check's latest probe and its current streak, as stored in `resurrector.check_states`. */
export interface CheckStreak {
  readonly state: ProbeState;
  /** The first probe of the current state. */
  readonly stateSince: Date;
  readonly lastProbeAt: Date;
  readonly latencyMs: number | null;
  readonly detail: string;
  /** Whether the current run of probes is healthy. */
  readonly streakHealthy: boolean;
  readonly streakProbes: number;
  readonly streakSince: Date;
}

export interface ObservedProbe {
  readonly at: Date;
  readonly check: string;
  readonly state: ProbeState;
  readonly latencyMs: number | null;
  readonly detail: string;
}

export type IncidentAction =
  | {
      readonly kind: "open";
      readonly at: Date;
      readonly startedAt: Date;
      readonly impact: Impact;
      readonly title: string;
      readonly message: string;
    }
  | { readonly kind: "escalate"; readonly at: Date; readonly impact: Impact; readonly title: string; readonly message: string }
  | { readonly kind: "resolve"; readonly at: Date; readonly message: string };

export const incidentTitle = (check: string, impact: Impact) => (impact === "down" ? `${check} unavailable` : `${check} degraded`);

const stateWords: Record<Impact, string> = { down: "down", degraded: "degraded" };

const withDetail = (text: string, detail: string) => (detail ? `${text}: ${detail}` : text);

/** One probe's effect on a check's streak and on its open incident (the impact of it, if one is open). */
export function advanceCheck(
  streak: CheckStreak | undefined,
  openIncident: Impact | undefined,
  probe: ObservedProbe,
  policy: IncidentPolicy,
): { streak: CheckStreak; openIncident: Impact | undefined; actions: IncidentAction[] } {
  const healthy = probe.state === "healthy";
  const continues = streak !== undefined && streak.streakHealthy === healthy;
  const next: CheckStreak = {
    state: probe.state,
    stateSince: streak !== undefined && streak.state === probe.state ? streak.stateSince : probe.at,
    lastProbeAt: probe.at,
    latencyMs: probe.latencyMs,
    detail: probe.detail,
    streakHealthy: healthy,
    streakProbes: continues ? streak.streakProbes + 1 : 1,
    streakSince: continues ? streak.streakSince : probe.at,
  };
  const actions: IncidentAction[] = [];
  let incident = openIncident;
  if (probe.state !== "healthy") {
    const longEnough = next.streakProbes >= policy.openAfterProbes || probe.at.getTime() - next.streakSince.getTime() >= policy.openAfterMs;
    if (incident === undefined && longEnough) {
      incident = probe.state;
      actions.push({
        kind: "open",
        at: probe.at,
        startedAt: next.streakSince,
        impact: incident,
        title: incidentTitle(probe.check, incident),
        message: withDetail(
          `Detected automatically after ${next.streakProbes} failed probes: ${probe.check} is ${stateWords[probe.state]}`,
          probe.detail,
        ),
      });
    } else if (incident !== undefined && worseState(incident, probe.state) !== incident) {
      incident = probe.state;
      actions.push({
        kind: "escalate",
        at: probe.at,
        impact: incident,
        title: incidentTitle(probe.check, incident),
        message: withDetail(`${probe.check} is now ${stateWords[probe.state]}`, probe.detail),
      });
    }
  } else if (incident !== undefined && next.streakProbes >= policy.resolveAfterProbes) {
    incident = undefined;
    actions.push({
      kind: "resolve",
      at: probe.at,
      message: `${probe.check} has answered normally for ${next.streakProbes} probes in a row.`,
    });
  }
  return { streak: next, openIncident: incident, actions };
}
