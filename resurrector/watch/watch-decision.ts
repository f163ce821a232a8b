/**
 * The watch's decision core, pure (no I/O, no clock): from the cluster's probes, oldest first, the state with
 * hysteresis, and from that state plus a second source (DigitalOcean's API) and the previous decision, what to do.
 *
 * - Entering down needs N consecutive down probes spanning at least M minutes; anything that is not a down probe
 *   (one healthy or degraded probe) resets that streak, so a flapping cluster never reaches down.
 * - Any unhealthy probe short of that is degraded; leaving degraded or down needs K consecutive healthy probes.
 * - Rebuild only when the state is down, the down streak is still sustained (N probes over M minutes) AND the
 *   second source agrees: the cluster is gone, or not running, or DigitalOcean's API is unreachable while the
 *   public endpoint is down too. Down by the probes but running by DigitalOcean is only a notification: a network
 *   problem between the resurrector and the cluster must not replace a live cluster.
 * - No truth, no action: when loco's database cannot be read, the decision is refuse, whatever the probes say.
 * - A decision already made is not made again: a repeated notification or refusal becomes nothing, and a rebuild is
 *   asked for once per down episode (again only after a failed or refused one, M minutes later).
 */
import type { ProbeState } from "../store/probe-state";

export type ClusterState = ProbeState;

/** One watch cycle's probes, summed up. */
export interface CycleProbe {
  readonly at: Date;
  /** The worst of the cycle's checks. */
  readonly health: ProbeState;
  /**
   * The public endpoint's own health (the second source's tie-breaker when DigitalOcean cannot be asked); unknown
   * when it was not probed, which is never taken for down.
   */
  readonly publicEndpoint: ProbeState | "unknown";
}

export interface WatchPolicy {
  /**
   * Consecutive down probes needed to enter down (N).
   * @default 5
   */
  readonly downProbes: number;
  /**
   * And the time, in minutes, those probes must span at least (M).
   * @default 5
   */
  readonly downMinutes: number;
  /**
   * Consecutive healthy probes needed to leave degraded or down (K).
   * @default 2
   */
  readonly healthyProbes: number;
}

export const defaultWatchPolicy: WatchPolicy = { downProbes: 5, downMinutes: 5, healthyProbes: 2 };

/** What the hysteresis remembers between probes. */
export interface WatchMemory {
  readonly state: ClusterState;
  /** When the current state was entered (undefined before the first probe). */
  readonly stateSince?: Date;
  /** The state before the latest probe: a change is `previousState !== state`. */
  readonly previousState: ClusterState;
  /** The current run of down probes: how many and since when (0 when the latest probe was not down). */
  readonly downStreak: number;
  readonly downSince?: Date;
  /** The current run of healthy probes. */
  readonly healthyStreak: number;
  readonly latest?: CycleProbe;
}

export const initialMemory: WatchMemory = { state: "healthy", previousState: "healthy", downStreak: 0, healthyStreak: 0 };

const minuteMs = 60_000;

/** Whether the current down streak is long enough: N probes spanning at least M minutes. */
export function downSustained(memory: WatchMemory, policy: WatchPolicy): boolean {
  if (memory.downStreak < policy.downProbes || !memory.downSince || !memory.latest) return false;
  return memory.latest.at.getTime() - memory.downSince.getTime() >= policy.downMinutes * minuteMs;
}

/** One probe's effect on the state. */
export function advanceWatch(memory: WatchMemory, probe: CycleProbe, policy: WatchPolicy): WatchMemory {
  const down = probe.health === "down";
  const healthy = probe.health === "healthy";
  const streaks: WatchMemory = {
    ...memory,
    previousState: memory.state,
    downStreak: down ? memory.downStreak + 1 : 0,
    downSince: down ? (memory.downStreak > 0 ? memory.downSince : probe.at) : undefined,
    healthyStreak: healthy ? memory.healthyStreak + 1 : 0,
    latest: probe,
  };
  let state = memory.state;
  if (downSustained(streaks, policy)) state = "down";
  else if (healthy && streaks.healthyStreak >= policy.healthyProbes) state = "healthy";
  else if (!healthy && state === "healthy") state = "degraded";
  return { ...streaks, state, stateSince: state === memory.state && memory.stateSince ? memory.stateSince : probe.at };
}

/** The state after every probe, oldest first, from a healthy start. */
export function foldProbes(probes: readonly CycleProbe[], policy: WatchPolicy, from: WatchMemory = initialMemory): WatchMemory {
  return probes.reduce((memory, probe) => advanceWatch(memory, probe, policy), from);
}

/** What DigitalOcean's API says about the guarded cluster. */
export type SecondSourceAnswer =
  | { readonly kind: "running"; readonly cluster: string }
  | { readonly kind: "not-running"; readonly cluster: string; readonly state: string }
  | { readonly kind: "gone"; readonly detail: string }
  | { readonly kind: "unreachable"; readonly detail: string }
  /** DigitalOcean answered but refused the token (401, 403): an answer about the token, never about the cluster. */
  | { readonly kind: "refused"; readonly detail: string };

/** Whether loco's database could be read this cycle (the adapter accepted its schema and the queries answered). */
export type Truth = { readonly readable: true } | { readonly readable: false; readonly reason: string };

export type DecisionKind = "nothing" | "notify" | "rebuild" | "refuse";

/** The last decision that was not nothing, as the events table remembers it. */
export interface PreviousDecision {
  readonly kind: Exclude<DecisionKind, "nothing">;
  readonly reason: string;
  readonly at: Date;
  /** For a rebuild: what the Rebuilder answered, when it has. */
  readonly outcome?: "succeeded" | "failed" | "dry-run" | "refused";
}

export interface DecisionInput {
  readonly memory: WatchMemory;
  readonly policy: WatchPolicy;
  readonly truth: Truth;
  /** Asked only when the state is down and sustained; undefined otherwise. */
  readonly secondSource?: SecondSourceAnswer;
  readonly previous?: PreviousDecision;
  /** The watch's clock: the latest probe's time, or now when nothing could be probed or read. */
  readonly now: Date;
}

export interface Decision {
  readonly kind: DecisionKind;
  /** One line for the events table and the notifier. */
  readonly reason: string;
  /** What it was based on, recorded with it. */
  readonly evidence: Readonly<Record<string, unknown>>;
}

/** Whether the second source agrees the cluster must be rebuilt, and why, in words. */
export function secondSourceVerdict(
  answer: SecondSourceAnswer,
  publicEndpoint: CycleProbe["publicEndpoint"],
): { agrees: boolean; words: string } {
  switch (answer.kind) {
    case "gone":
      return { agrees: true, words: `DigitalOcean says the cluster is gone (${answer.detail})` };
    case "not-running":
      return { agrees: true, words: `DigitalOcean says ${answer.cluster} is ${answer.state}, not running` };
    case "running":
      return { agrees: false, words: `DigitalOcean says ${answer.cluster} is running` };
    case "refused":
      // A revoked or under-scoped token must not read as "DigitalOcean is down": with the public endpoint down too,
      // that would rebuild on no evidence at all (and the rebuild, which needs the same token, would fail anyway).
      return { agrees: false, words: `DigitalOcean refuses the resurrector's token (${answer.detail}): no second source` };
    case "unreachable":
      return publicEndpoint === "down"
        ? { agrees: true, words: `DigitalOcean's API is unreachable (${answer.detail}) and the public endpoint is down` }
        : { agrees: false, words: `DigitalOcean's API is unreachable (${answer.detail}) but the public endpoint is ${publicEndpoint}` };
  }
}

const nothing = (evidence: Record<string, unknown>): Decision => ({ kind: "nothing", reason: "", evidence });

/** What the watch does after this cycle. */
export function decide(input: DecisionInput): Decision {
  const { memory, policy, previous } = input;
  if (!input.truth.readable) {
    const reason = `no truth, no action: loco's database cannot be read (${input.truth.reason})`;
    const evidence = { state: memory.state, truth: input.truth.reason };
    return previous?.kind === "refuse" && previous.reason === reason ? nothing(evidence) : { kind: "refuse", reason, evidence };
  }
  const sustained = memory.state === "down" && downSustained(memory, policy);
  const evidence: Record<string, unknown> = {
    state: memory.state,
    previousState: memory.previousState,
    stateSince: memory.stateSince?.toISOString(),
    downProbes: memory.downStreak,
    downSince: memory.downSince?.toISOString(),
    lastProbeAt: memory.latest?.at.toISOString(),
    publicEndpoint: memory.latest?.publicEndpoint,
    policy: { ...policy },
    ...(input.secondSource ? { digitalocean: input.secondSource } : {}),
  };
  const changed = memory.state !== memory.previousState;
  const stateLine = changed ? `cluster ${memory.previousState} → ${memory.state}` : `cluster ${memory.state}`;
  if (sustained && input.secondSource && memory.latest) {
    const minutes = Math.floor((memory.latest.at.getTime() - (memory.downSince as Date).getTime()) / minuteMs);
    const verdict = secondSourceVerdict(input.secondSource, memory.latest.publicEndpoint);
    const downFor = `down for ${memory.downStreak} probes over ${minutes} min`;
    if (verdict.agrees) {
      const reason = `${downFor} and ${verdict.words}: rebuild`;
      return alreadyAsked(previous, memory, policy, input.now) ? nothing(evidence) : { kind: "rebuild", reason, evidence };
    }
    const reason = `${downFor}, but ${verdict.words}: no rebuild`;
    if (!changed && previous?.kind === "notify" && previous.reason === reason) return nothing(evidence);
    return { kind: "notify", reason, evidence };
  }
  return changed ? { kind: "notify", reason: stateLine, evidence } : nothing(evidence);
}

/** A rebuild was already asked for in this down episode and should not be asked for again yet. */
function alreadyAsked(previous: PreviousDecision | undefined, memory: WatchMemory, policy: WatchPolicy, now: Date): boolean {
  if (previous?.kind !== "rebuild" || !memory.stateSince || previous.at < memory.stateSince) return false;
  const retryable = previous.outcome === "failed" || previous.outcome === "refused";
  return !(retryable && now.getTime() - previous.at.getTime() >= policy.downMinutes * minuteMs);
}
