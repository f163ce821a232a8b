/**
 * A small pool of connections to loco's database for long-running servers (the status page): a dropped
 * connection is replaced on the next request instead of failing every request after it, as one Client would.
 */
import { Pool } from "pg";
import { postgresUrlProblem } from "../../lib/database-connection";
import { DatabaseUnavailableError } from "./connect";

export interface PoolOptions {
  /**
   * Connections at most.
   * @default 4
   */
  readonly max?: number;
  /**
   * Upper bound for any one statement, in milliseconds.
   * @default 10000
   */
  readonly statementTimeoutMs?: number;
  /** Shown in pg_stat_activity. */
  readonly applicationName: string;
}

export function createDatabasePool(url: string, options: PoolOptions): Pool {
  const problem = postgresUrlProblem(url);
  if (problem) throw new DatabaseUnavailableError(`the database URL ${problem}`);
  const pool = new Pool({
    connectionString: url,
    max: options.max ?? 4,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    application_name: options.applicationName,
  });
  // An idle connection that drops emits here; without a listener it would crash the process.
  pool.on("error", () => undefined);
  return pool;
}
