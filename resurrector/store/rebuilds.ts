/**
 * Rebuilds of the guarded cluster in `resurrector.rebuilds`: the rebuild command writes its progress here, the
 * status page shows the one running and its phase. A phase is public text (checked like a probe's detail).
 */
import type { ClientBase } from "pg";
import { publishableTextProblem } from "../status-page/publishable-text";

export type RebuildState = "running" | "succeeded" | "failed";

export interface Rebuild {
  readonly id: string;
  readonly cluster: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  /** What the rebuild is doing, e.g. "converging the platform", "replaying tenant apps". */
  readonly phase: string;
  readonly state: RebuildState;
  readonly updatedAt: Date;
}

export class RebuildRecordError extends Error {
  override readonly name = "RebuildRecordError";
}

function checkedPhase(phase: string): string {
  const problem = publishableTextProblem(phase);
  if (problem || phase.trim() === "") {
    throw new RebuildRecordError(`rebuild phase ${problem ?? "is empty"}; it is shown on the public status page`);
  }
  return phase;
}

interface RebuildRow {
  id: string;
  cluster: string;
  started_at: Date;
  finished_at: Date | null;
  phase: string;
  state: RebuildState;
  updated_at: Date;
}

const fromRow = (row: RebuildRow): Rebuild => ({
  id: row.id,
  cluster: row.cluster,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  phase: row.phase,
  state: row.state,
  updatedAt: row.updated_at,
});

/** Records the start of a rebuild; refused (unique index) while another rebuild of the same cluster is running. */
export async function startRebuild(db: Pick<ClientBase, "query">, rebuild: { cluster: string; at: Date; phase: string }): Promise<string> {
  try {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO resurrector.rebuilds (cluster, started_at, phase, state, updated_at) VALUES ($1, $2, $3, 'running', $2) RETURNING id`,
      [rebuild.cluster, rebuild.at, checkedPhase(rebuild.phase)],
    );
    return rows[0].id;
  } catch (error) {
    if ((error as { code?: string }).code === "23505") throw new RebuildRecordError(`a rebuild of ${rebuild.cluster} is already running`);
    throw error;
  }
}

/** Moves a running rebuild to its next phase. */
export async function setRebuildPhase(db: Pick<ClientBase, "query">, id: string, update: { phase: string; at: Date }): Promise<void> {
  const { rowCount } = await db.query("UPDATE resurrector.rebuilds SET phase = $2, updated_at = $3 WHERE id = $1 AND state = 'running'", [
    id,
    checkedPhase(update.phase),
    update.at,
  ]);
  if (rowCount !== 1) throw new RebuildRecordError(`rebuild ${id} is not running`);
}

/** Ends a running rebuild. */
export async function finishRebuild(
  db: Pick<ClientBase, "query">,
  id: string,
  outcome: { state: Exclude<RebuildState, "running">; at: Date; phase?: string },
): Promise<void> {
  const { rowCount } = await db.query(
    `UPDATE resurrector.rebuilds SET state = $2, finished_at = $3, updated_at = $3, phase = coalesce($4, phase)
     WHERE id = $1 AND state = 'running'`,
    [id, outcome.state, outcome.at, outcome.phase === undefined ? null : checkedPhase(outcome.phase)],
  );
  if (rowCount !== 1) throw new RebuildRecordError(`rebuild ${id} is not running`);
}

/** The rebuild running now (the most recently started, if several clusters are), or undefined. */
export async function currentRebuild(db: Pick<ClientBase, "query">): Promise<Rebuild | undefined> {
  const { rows } = await db.query<RebuildRow>(
    "SELECT * FROM resurrector.rebuilds WHERE state = 'running' ORDER BY started_at DESC, id DESC LIMIT 1",
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** Rebuilds started at or after `since`, newest first. */
export async function recentRebuilds(db: Pick<ClientBase, "query">, since: Date, limit = 20): Promise<Rebuild[]> {
  const { rows } = await db.query<RebuildRow>(
    "SELECT * FROM resurrector.rebuilds WHERE started_at >= $1 OR state = 'running' ORDER BY started_at DESC, id DESC LIMIT $2",
    [since, limit],
  );
  return rows.map(fromRow);
}
