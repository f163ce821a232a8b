/**
 * The shape in which every consumer receives loco's database: the managed database on dev/prod, an existing
 * Postgres URL on the local stack. One object so nobody mixes one endpoint's host with another's port.
 */

export interface DatabaseEndpoint {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  readonly sslmode: "require" | "prefer" | "disable";
  readonly uri: string;
}

/**
 * `pooled` goes through PgBouncer in transaction mode (what the API serves requests with); `direct` bypasses it
 * for migrations, advisory locks and LISTEN, which transaction pooling breaks.
 */
export interface DatabaseConnection {
  readonly pooled: DatabaseEndpoint;
  readonly direct: DatabaseEndpoint;
}

/** A TLS endpoint; DigitalOcean managed Postgres accepts only TLS connections. */
export function tlsEndpoint(host: string, port: number, database: string, user: string, password: string): DatabaseEndpoint {
  const uri = `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}?sslmode=require`;
  return { host, port, database, user, password, sslmode: "require", uri };
}

/** Why a Postgres URL is unusable, without echoing it (it holds a password); undefined when it is fine. */
export function postgresUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a valid URL (value hidden: it is a secret)";
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    return `must be a postgres:// or postgresql:// URL, not ${parsed.protocol}// (value hidden)`;
  }
  if (!parsed.hostname) return "has no host (value hidden)";
  return undefined;
}

/** The connection for an existing Postgres URL. Call {@link postgresUrlProblem} first; config validation does. */
export function connectionFromUrl(url: string): DatabaseConnection {
  const problem = postgresUrlProblem(url);
  if (problem) throw new Error(`database URL ${problem}`);
  const parsed = new URL(url);
  const sslmode = parsed.searchParams.get("sslmode");
  const resolved: DatabaseEndpoint = {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 5432,
    database: decodeURIComponent(parsed.pathname.replace(/^\//, "")) || "postgres",
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    sslmode: sslmode === "require" || sslmode === "prefer" ? sslmode : "disable",
    uri: url,
  };
  // A local Postgres has no PgBouncer in front: both roles use the same endpoint.
  return { pooled: resolved, direct: resolved };
}
