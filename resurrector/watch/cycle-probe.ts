/**
 * One watch cycle's probes (the `status` checks) as the probe history records them and as the decision reads them.
 * The history takes only the status page's platform checks, with details fit for a public page, so each status
 * check is counted under the platform check a user would notice it in, and details name status checks, never hosts.
 */
import type { CheckResult, Health } from "../status/probes";
import type { ProbeRecord } from "../store/probe-history";
import { worseState, type ProbeState } from "../store/probe-state";
import type { CycleProbe } from "./watch-decision";

export const controlPlaneCheck = "Kubernetes control plane";
export const publicEndpointCheck = "Public endpoint";
export const registryCheck = "Registry";

/** The platform checks the watch records, and which status checks count under each (the control plane: the rest). */
const publicEndpointChecks = new Set(["gateway", "gateway-proxy", "public-https"]);
const registryChecks = new Set(["harbor"]);

export const watchedChecks: readonly string[] = [controlPlaneCheck, publicEndpointCheck, registryCheck];

const stateOf: Record<Health, ProbeState> = { ok: "healthy", degraded: "degraded", down: "down" };

export function platformCheckOf(statusCheck: string): string {
  if (publicEndpointChecks.has(statusCheck)) return publicEndpointCheck;
  if (registryChecks.has(statusCheck)) return registryCheck;
  return controlPlaneCheck;
}

/**
 * The probe records of one cycle, all at `at`: one per platform check that had status checks behind it. The control
 * plane is always recorded: when nothing answered for it, it is down. The public endpoint and the registry are
 * recorded only when probed (the public endpoint is probed even when the cluster cannot be reached, given its URL).
 */
export function probeRecords(at: Date, checks: readonly CheckResult[]): ProbeRecord[] {
  return watchedChecks.flatMap((platform): ProbeRecord[] => {
    const mine = checks.filter((check) => platformCheckOf(check.name) === platform);
    if (mine.length === 0) {
      return platform === controlPlaneCheck
        ? [{ at, check: platform, state: "down", latencyMs: null, detail: "not probed: the cluster did not answer" }]
        : [];
    }
    const state = mine.map((check) => stateOf[check.health]).reduce((worst, s) => worseState(worst, s), "healthy" as ProbeState);
    const failing = mine.filter((check) => check.health !== "ok").map((check) => `${check.name} ${check.health}`);
    return [
      {
        at,
        check: platform,
        state,
        latencyMs: state === "down" ? null : Math.max(...mine.map((check) => check.durationMs)),
        detail: failing.join(", ").slice(0, 160),
      },
    ];
  });
}

/** The cycle as the decision reads it: the worst platform check, and the public endpoint's own state. */
export function cycleProbe(records: readonly ProbeRecord[]): CycleProbe {
  const health = records.map((r) => r.state).reduce((worst, s) => worseState(worst, s), "healthy" as ProbeState);
  return { at: records[0].at, health, publicEndpoint: records.find((r) => r.check === publicEndpointCheck)?.state ?? "unknown" };
}
