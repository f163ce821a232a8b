/**
 * A rebuild's phases in `resurrector.rebuild_phases` (migration 3): what each phase decided before acting (its
 * intent), how it ended and its report. This is what makes a rebuild resumable: a resurrector that died mid-rebuild
 * finds its cluster's running rebuild ({@link unfinishedRebuild}) and starts at the first phase not completed,
 * with the intent the earlier attempt recorded. Reports are non-secret (counts, names, reasons, timings).
 */
import type { ClientBase } from "pg";

/** The phases, in the order they run. */
export const rebuildPhases = ["converge", "certificates", "replay", "verify"] as const;
export type RebuildPhase = (typeof rebuildPhases)[number];

export type PhaseOutcome = "running" | "completed" | "failed";

export interface PhaseRecord {
  readonly phase: RebuildPhase;
  readonly outcome: PhaseOutcome;
  /** Attempts so far, this one included. */
  readonly attempts: number;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly intent: Readonly<Record<string, unknown>>;
  readonly report: Readonly<Record<string, unknown>>;
}

type Db = Pick<ClientBase, "query">;

interface PhaseRow {
  phase: RebuildPhase;
  outcome: PhaseOutcome;
  attempts: number;
  started_at: Date;
  finished_at: Date | null;
  intent: Record<string, unknown>;
  report: Record<string, unknown>;
}

/** Every phase recorded for a rebuild, in phase order. */
export async function phasesOf(db: Db, rebuildId: string): Promise<PhaseRecord[]> {
  const { rows } = await db.query<PhaseRow>(
    "SELECT phase, outcome, attempts, started_at, finished_at, intent, report FROM resurrector.rebuild_phases WHERE rebuild_id = $1",
    [rebuildId],
  );
  return rows
    .map((row) => ({
      phase: row.phase,
      outcome: row.outcome,
      attempts: row.attempts,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      intent: row.intent,
      report: row.report,
    }))
    .sort((a, b) => rebuildPhases.indexOf(a.phase) - rebuildPhases.indexOf(b.phase));
}

/**
 * Starts (or starts again) a phase. A new phase records `intent`; a phase attempted before keeps the intent it
 * recorded then (the caller reads it back from the returned record), and counts one more attempt.
 */
export async function beginPhase(
  db: Db,
  rebuildId: string,
  phase: RebuildPhase,
  args: { at: Date; intent: Readonly<Record<string, unknown>> },
): Promise<PhaseRecord> {
  const { rows } = await db.query<PhaseRow>(
    `INSERT INTO resurrector.rebuild_phases (rebuild_id, phase, outcome, started_at, intent)
     VALUES ($1, $2, 'running', $3, $4)
     ON CONFLICT (rebuild_id, phase) DO UPDATE
       SET outcome = 'running', attempts = rebuild_phases.attempts + 1, started_at = EXCLUDED.started_at, finished_at = NULL
       WHERE rebuild_phases.outcome <> 'completed'
     RETURNING phase, outcome, attempts, started_at, finished_at, intent, report`,
    [rebuildId, phase, args.at, JSON.stringify(args.intent)],
  );
  if (!rows[0]) throw new Error(`phase ${phase} of rebuild ${rebuildId} is already completed; it is never run twice`);
  const row = rows[0];
  return {
    phase: row.phase,
    outcome: row.outcome,
    attempts: row.attempts,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    intent: row.intent,
    report: row.report,
  };
}

/** Ends a running phase with its report. */
export async function endPhase(
  db: Db,
  rebuildId: string,
  phase: RebuildPhase,
  args: { at: Date; outcome: Exclude<PhaseOutcome, "running">; report: Readonly<Record<string, unknown>> },
): Promise<void> {
  const { rowCount } = await db.query(
    `UPDATE resurrector.rebuild_phases SET outcome = $3, finished_at = $4, report = $5
     WHERE rebuild_id = $1 AND phase = $2 AND outcome = 'running'`,
    [rebuildId, phase, args.outcome, args.at, JSON.stringify(args.report)],
  );
  if (rowCount !== 1) throw new Error(`phase ${phase} of rebuild ${rebuildId} is not running`);
}

/** The running rebuild of a cluster (the unique index allows one), or undefined. */
export async function unfinishedRebuild(db: Db, cluster: string): Promise<{ id: string; startedAt: Date; reason: string } | undefined> {
  const { rows } = await db.query<{ id: string; started_at: Date; reason: string }>(
    "SELECT id, started_at, reason FROM resurrector.rebuilds WHERE cluster = $1 AND state = 'running'",
    [cluster],
  );
  return rows[0] ? { id: rows[0].id, startedAt: rows[0].started_at, reason: rows[0].reason } : undefined;
}

/** Rebuilds of a cluster started at or after `since` (for the daily maximum), and when the last one finished. */
export async function rebuildHistory(db: Db, cluster: string, since: Date): Promise<{ startedSince: number; lastFinishedAt?: Date }> {
  const { rows } = await db.query<{ started_since: number; last_finished_at: Date | null }>(
    `SELECT (SELECT count(*)::int FROM resurrector.rebuilds WHERE cluster = $1 AND started_at >= $2) AS started_since,
            (SELECT max(finished_at) FROM resurrector.rebuilds WHERE cluster = $1) AS last_finished_at`,
    [cluster, since],
  );
  return { startedSince: rows[0].started_since, ...(rows[0].last_finished_at ? { lastFinishedAt: rows[0].last_finished_at } : {}) };
}

/** Records why a rebuild started (beside startRebuild, which the status page's contract fixes). */
export async function setRebuildReason(db: Db, rebuildId: string, reason: string): Promise<void> {
  await db.query("UPDATE resurrector.rebuilds SET reason = $2 WHERE id = $1", [rebuildId, reason]);
}

/** The final report, stored with the rebuild when it ends. */
export async function setRebuildReport(db: Db, rebuildId: string, report: Readonly<Record<string, unknown>>): Promise<void> {
  await db.query("UPDATE resurrector.rebuilds SET report = $2 WHERE id = $1", [rebuildId, JSON.stringify(report)]);
}
