/**
 * The PostgreSQL client the platform's SQL Jobs run (the alternating users' setup, the resurrector's grant): one
 * pinned image, and libpq's environment for the managed cluster's admin, so no secret is ever on a command line.
 */
import type { DatabaseEndpoint } from "./database-connection";

/** psql 17 client (talks to servers 10 and later); runs as the image's `postgres` user, uid 70. */
export const psqlImage = "docker.io/library/postgres:17.5-alpine";
/** The image's `postgres` user and group. */
export const psqlUid = 70;

/** Pure: libpq's environment for the admin on another database of the same cluster (no secret in the command line). */
export function adminEnvironment(admin: DatabaseEndpoint, database: string): Record<string, string> {
  return {
    PGHOST: admin.host,
    PGPORT: String(admin.port),
    PGUSER: admin.user,
    PGPASSWORD: admin.password,
    PGDATABASE: database,
    PGSSLMODE: "require",
  };
}
