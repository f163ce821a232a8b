/**
 * What the watch remembers across restarts, read back from the database: the probe cycles it recorded (so a restarted
 * or `--once` watch keeps its hysteresis) and its last decision in `resurrector.events` (so it is not made again).
 */
import type { ClientBase } from "pg";
import { probeRetention } from "../store/probe-history";
import { worseState, type ProbeState } from "../store/probe-state";
import { publicEndpointCheck, watchedChecks } from "./cycle-probe";
import type { CycleProbe, DecisionKind, PreviousDecision } from "./watch-decision";

/** The events subject of the watch's decisions about a stack's cluster. */
export const watchSubject = (stack: string) => `cluster/${stack}`;

/** Event actions: `watch.<decision>` for each decision, `watch.rebuild-outcome` for what the Rebuilder answered. */
export const decisionAction = (kind: Exclude<DecisionKind, "nothing">) => `watch.${kind}`;
export const rebuildOutcomeAction = "watch.rebuild-outcome";

/** The cycles recorded in the 48 hours before `now` (the raw history), oldest first. */
export async function recordedCycles(db: ClientBase, now: Date): Promise<CycleProbe[]> {
  const { rows } = await db.query<{ probed_at: Date; check_name: string; state: ProbeState }>(
    `SELECT probed_at, check_name, state FROM resurrector.probe_results
     WHERE check_name = ANY($1) AND probed_at > $2 AND probed_at < $3 ORDER BY probed_at, id`,
    [watchedChecks, new Date(now.getTime() - probeRetention.rawMs), now],
  );
  const cycles = new Map<number, { at: Date; health: ProbeState; publicEndpoint: CycleProbe["publicEndpoint"] }>();
  for (const row of rows) {
    const key = row.probed_at.getTime();
    const cycle = cycles.get(key) ?? { at: row.probed_at, health: "healthy", publicEndpoint: "unknown" };
    cycle.health = worseState(cycle.health, row.state);
    if (row.check_name === publicEndpointCheck) cycle.publicEndpoint = row.state;
    cycles.set(key, cycle);
  }
  return [...cycles.values()];
}

interface DecisionDetail {
  at?: string;
  reason?: string;
  outcome?: PreviousDecision["outcome"];
}

/** The watch's last decision about `stack` that was not nothing, with the Rebuilder's answer when it has one. */
export async function lastDecision(db: ClientBase, stack: string): Promise<PreviousDecision | undefined> {
  const { rows } = await db.query<{ action: string; detail: DecisionDetail }>(
    `SELECT action, detail FROM resurrector.events WHERE subject = $1 AND action LIKE 'watch.%' ORDER BY id DESC LIMIT 2`,
    [watchSubject(stack)],
  );
  const [latest, before] = rows;
  if (!latest) return undefined;
  if (latest.action === rebuildOutcomeAction) {
    if (before?.action !== decisionAction("rebuild")) return undefined;
    return { kind: "rebuild", reason: before.detail.reason ?? "", at: new Date(before.detail.at ?? 0), outcome: latest.detail.outcome };
  }
  const kind = latest.action.slice("watch.".length);
  if (kind !== "notify" && kind !== "rebuild" && kind !== "refuse") return undefined;
  return { kind, reason: latest.detail.reason ?? "", at: new Date(latest.detail.at ?? 0) };
}
