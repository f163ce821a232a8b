/**
 * Connecting to loco's database with bounded waits and errors that say what failed without echoing the URL
 * (it holds a password).
 */
import { Client } from "pg";
import { postgresUrlProblem } from "../../lib/database-connection";

export class DatabaseUnavailableError extends Error {
  override readonly name = "DatabaseUnavailableError";
}

export interface ConnectOptions {
  /**
   * How long to wait for the connection, in milliseconds.
   * @default 10000
   */
  readonly connectTimeoutMs?: number;
  /**
   * Upper bound for any one statement, in milliseconds.
   * @default 60000
   */
  readonly statementTimeoutMs?: number;
}

/** Where a URL points, for messages: host, port and database, never the user or password. */
export function describeDatabaseUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || "5432"}/${decodeURIComponent(parsed.pathname.replace(/^\//, "")) || "postgres"}`;
}

/** A connected client, or a {@link DatabaseUnavailableError} naming the endpoint and the cause. */
export async function connectDatabase(url: string, options: ConnectOptions = {}): Promise<Client> {
  const problem = postgresUrlProblem(url);
  if (problem) throw new DatabaseUnavailableError(`the database URL ${problem}`);
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    statement_timeout: options.statementTimeoutMs ?? 60_000,
    application_name: "loco-resurrector",
  });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    const code = (error as { code?: string }).code;
    const reason = (error as Error).message || code || "unknown error";
    throw new DatabaseUnavailableError(
      `cannot connect to the database at ${describeDatabaseUrl(url)}: ${reason}${code && !reason.includes(code) ? ` (${code})` : ""}`,
    );
  }
  // A dropped connection surfaces as a failed query; without a listener it would crash the process instead.
  client.on("error", () => undefined);
  return client;
}
