/**
 * The probe history the watcher writes and the status page reads. `recordProbe` is the one call the watcher
 * makes per probe: it keeps the raw row (48 hours), adds to the hourly and daily rollups, advances the check's
 * streak and opens, escalates or resolves its incident, all in one transaction. `recordProbes` does the same for
 * many probes at once (the demo's 90 days of history go through it).
 */
import type { ClientBase } from "pg";
import { isPlatformCheck, platformCheckNames } from "../status-page/checks";
import { publishableTextProblem } from "../status-page/publishable-text";
import { advanceCheck, defaultIncidentPolicy, type CheckStreak, type IncidentPolicy, type ObservedProbe } from "./incident-policy";
import { openIncident, openIncidentOf, resolveIncident, updateIncident } from "./incidents";
import { probeStates, type Impact, type ProbeState } from "./probe-state";
import { addRollups, bucketStart, rollUp, type Resolution } from "./rollups";

const hourMs = 3_600_000;
const dayMs = 86_400_000;

/** How long each resolution of the history is kept, counted back from the newest probe recorded. */
export const probeRetention = { rawMs: 48 * hourMs, hourlyMs: 8 * dayMs, dailyMs: 100 * dayMs } as const;

/** One probe of one check, as the watcher reports it. */
export interface ProbeRecord {
  /** When the probe ran. */
  readonly at: Date;
  /** One of the platform's checks (resurrector/status-page/checks.ts). */
  readonly check: string;
  readonly state: ProbeState;
  /** How long the check took to answer; leave out when it did not answer. */
  readonly latencyMs?: number | null;
  /** One short line a reader of the public page may see: no address, host inside the cluster, tenant or secret. */
  readonly detail?: string;
}

export class ProbeRecordError extends Error {
  override readonly name = "ProbeRecordError";
}

export interface RecordSummary {
  readonly recorded: number;
  /** Ids of the incidents this call opened, and of those it resolved. */
  readonly opened: readonly string[];
  readonly resolved: readonly string[];
}

function validated(probe: ProbeRecord, index: number): ObservedProbe {
  const where = `probe ${index + 1} (${JSON.stringify(String(probe.check)).slice(0, 60)})`;
  if (!isPlatformCheck(probe.check)) throw new ProbeRecordError(`${where}: check must be one of ${platformCheckNames.join(", ")}`);
  if (!(probe.at instanceof Date) || Number.isNaN(probe.at.getTime())) throw new ProbeRecordError(`${where}: at must be a valid Date`);
  if (!probeStates.includes(probe.state)) {
    throw new ProbeRecordError(`${where}: state must be ${probeStates.join(", ")} (got ${JSON.stringify(probe.state)})`);
  }
  const latencyMs = probe.latencyMs ?? null;
  if (latencyMs !== null && (!Number.isFinite(latencyMs) || latencyMs < 0 || latencyMs > 2_147_483_647)) {
    throw new ProbeRecordError(`${where}: latencyMs must be a number of milliseconds from 0 (got ${latencyMs})`);
  }
  const detail = probe.detail ?? "";
  const problem = publishableTextProblem(detail);
  if (problem) throw new ProbeRecordError(`${where}: detail ${problem}; it is shown on the public status page`);
  return { at: probe.at, check: probe.check, state: probe.state, latencyMs: latencyMs === null ? null : Math.round(latencyMs), detail };
}

/** Records one probe; see {@link recordProbes}. */
export function recordProbe(db: ClientBase, probe: ProbeRecord, policy: IncidentPolicy = defaultIncidentPolicy): Promise<RecordSummary> {
  return recordProbes(db, [probe], policy);
}

interface StreakRow {
  state: ProbeState;
  state_since: Date;
  last_probe_at: Date;
  latency_ms: number | null;
  detail: string;
  streak_healthy: boolean;
  streak_probes: number;
  streak_since: Date;
}

const streakFrom = (row: StreakRow): CheckStreak => ({
  state: row.state,
  stateSince: row.state_since,
  lastProbeAt: row.last_probe_at,
  latencyMs: row.latency_ms,
  detail: row.detail,
  streakHealthy: row.streak_healthy,
  streakProbes: row.streak_probes,
  streakSince: row.streak_since,
});

/**
 * Records probes in one transaction. Every probe is checked first: a bad one (unknown check, bad state, a detail
 * that is not fit to publish, a time not after the check's last recorded probe) fails the call and writes nothing.
 */
export async function recordProbes(
  db: ClientBase,
  probes: readonly ProbeRecord[],
  policy: IncidentPolicy = defaultIncidentPolicy,
): Promise<RecordSummary> {
  const observed = probes.map(validated).sort((a, b) => a.at.getTime() - b.at.getTime());
  if (observed.length === 0) return { recorded: 0, opened: [], resolved: [] };
  const byCheck = new Map<string, ObservedProbe[]>();
  for (const probe of observed) {
    const list = byCheck.get(probe.check);
    if (list) list.push(probe);
    else byCheck.set(probe.check, [probe]);
  }
  const newest = observed[observed.length - 1].at.getTime();
  const opened: string[] = [];
  const resolved: string[] = [];
  await db.query("BEGIN");
  try {
    for (const [check, checkProbes] of [...byCheck].sort(([a], [b]) => (a < b ? -1 : 1))) {
      // One writer per check at a time: the streak and the open incident are read, then written.
      await db.query("SELECT pg_advisory_xact_lock(hashtext('resurrector.check_states'), hashtext($1))", [check]);
      const { rows } = await db.query<StreakRow>("SELECT * FROM resurrector.check_states WHERE check_name = $1", [check]);
      let streak = rows[0] ? streakFrom(rows[0]) : undefined;
      if (streak && checkProbes[0].at <= streak.lastProbeAt) {
        throw new ProbeRecordError(
          `probe of ${check} at ${checkProbes[0].at.toISOString()} is not after its last recorded probe (${streak.lastProbeAt.toISOString()})`,
        );
      }
      const incident = await openIncidentOf(db, "probe", check);
      let incidentId = incident?.id;
      let impact: Impact | undefined = incident?.impact;
      for (const probe of checkProbes) {
        const step = advanceCheck(streak, impact, probe, policy);
        streak = step.streak;
        impact = step.openIncident;
        for (const action of step.actions) {
          if (action.kind === "open") {
            incidentId = await openIncident(db, { source: "probe", subject: check, ...action });
            opened.push(incidentId);
          } else if (action.kind === "escalate") {
            await updateIncident(db, incidentId as string, action);
          } else {
            await resolveIncident(db, incidentId as string, action);
            resolved.push(incidentId as string);
            incidentId = undefined;
          }
        }
      }
      const s = streak as CheckStreak;
      await db.query(
        `INSERT INTO resurrector.check_states
           (check_name, state, state_since, last_probe_at, latency_ms, detail, streak_healthy, streak_probes, streak_since)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (check_name) DO UPDATE SET state = EXCLUDED.state, state_since = EXCLUDED.state_since,
           last_probe_at = EXCLUDED.last_probe_at, latency_ms = EXCLUDED.latency_ms, detail = EXCLUDED.detail,
           streak_healthy = EXCLUDED.streak_healthy, streak_probes = EXCLUDED.streak_probes, streak_since = EXCLUDED.streak_since`,
        [check, s.state, s.stateSince, s.lastProbeAt, s.latencyMs, s.detail, s.streakHealthy, s.streakProbes, s.streakSince],
      );
    }
    const raw = observed.filter((p) => p.at.getTime() >= newest - probeRetention.rawMs);
    if (raw.length > 0) {
      await db.query(
        `INSERT INTO resurrector.probe_results (probed_at, check_name, state, latency_ms, detail)
         SELECT r.at, r.check_name, r.state, r.latency_ms, r.detail
         FROM jsonb_to_recordset($1::jsonb) AS r(at TIMESTAMPTZ, check_name TEXT, state TEXT, latency_ms INT, detail TEXT)`,
        [
          JSON.stringify(
            raw.map((p) => ({ at: p.at.toISOString(), check_name: p.check, state: p.state, latency_ms: p.latencyMs, detail: p.detail })),
          ),
        ],
      );
    }
    const cutoff = rollupCutoffs(new Date(newest));
    await addRollups(
      db,
      rollUp(observed).filter((r) => r.bucketStart >= cutoff[r.resolution]),
    );
    await pruneProbeHistory(db, new Date(newest));
    await db.query("COMMIT");
  } catch (error) {
    await db.query("ROLLBACK");
    throw error;
  }
  return { recorded: observed.length, opened, resolved };
}

/** The oldest bucket start kept per resolution: the bucket that holds the retention's edge is kept whole. */
function rollupCutoffs(now: Date): Record<Resolution, Date> {
  return {
    hour: bucketStart(new Date(now.getTime() - probeRetention.hourlyMs), "hour"),
    day: bucketStart(new Date(now.getTime() - probeRetention.dailyMs), "day"),
  };
}

/** Deletes raw probes and rollups older than {@link probeRetention} allows, counted back from `now`. */
export async function pruneProbeHistory(db: Pick<ClientBase, "query">, now: Date): Promise<void> {
  await db.query("DELETE FROM resurrector.probe_results WHERE probed_at < $1", [new Date(now.getTime() - probeRetention.rawMs)]);
  const cutoff = rollupCutoffs(now);
  await db.query(
    `DELETE FROM resurrector.probe_rollups
     WHERE (resolution = 'hour' AND bucket_start < $1) OR (resolution = 'day' AND bucket_start < $2)`,
    [cutoff.hour, cutoff.day],
  );
}
