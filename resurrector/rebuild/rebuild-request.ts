/**
 * The contract between the watch (which decides) and the rebuild (which acts): `watch` builds a request from its
 * evidence and hands it to a {@link Rebuilder}; `rebuild` builds one from its command line.
 */

export interface RebuildRequest {
  /** The guarded platform stack (environment), e.g. "prod". */
  readonly stack: string;
  /** Why: one line for the events table, the webhook and the status page. */
  readonly reason: string;
  /** What the decision was based on (probe counts, DigitalOcean's answer), recorded with the rebuild's events. */
  readonly evidence: Readonly<Record<string, unknown>>;
  /** False (the default everywhere): record and notify what would be done, change nothing. */
  readonly act: boolean;
}

export interface RebuildOutcome {
  /**
   * succeeded / failed: a rebuild ran (or resumed) to its end; dry-run: nothing was changed;
   * refused: a safety limit said no (another rebuilder holds the lock, cooldown, daily maximum, no database).
   */
  readonly status: "succeeded" | "failed" | "dry-run" | "refused";
  /** resurrector.rebuilds id, when a rebuild was recorded. */
  readonly rebuildId?: string;
  /** One line: why it failed or was refused, or what the dry run would have done. */
  readonly summary: string;
  /** Once converge completed: the cluster generation the stack was converged to. */
  readonly convergedGeneration?: number;
  /**
   * Once converge completed, one line: commit `loco:cluster.generation: <convergedGeneration>` to the stack file
   * (converge changed only the resurrector's copy of it).
   */
  readonly nextStep?: string;
}

export type Rebuilder = (request: RebuildRequest) => Promise<RebuildOutcome>;
