/**
 * One rebuilder per cluster, across any number of resurrector instances: a PostgreSQL session advisory lock keyed
 * by the cluster, taken with `pg_try_advisory_lock` on a connection of its own and held for the whole rebuild.
 * The rebuild writes its records through that same connection, so a write that fails because the database went
 * away also means the lock is gone: the rebuild stops there, and whoever takes the lock next resumes it.
 * A resurrector that dies loses its session, and PostgreSQL releases the lock with it.
 */
import type { Client } from "pg";
import { connectDatabase } from "../db/connect";

/** The first half of the two-key lock: a constant naming "rebuild locks" (the migration runner uses a one-key lock). */
const rebuildLockClass = "loco-resurrector-rebuild";

export interface RebuildLock {
  /** The connection holding the lock; the rebuild records everything through it. */
  readonly db: Client;
  /** Releases the lock and closes the connection; never throws (a dead session has released it already). */
  release(): Promise<void>;
}

/** The lock for `cluster`, or undefined when another session holds it. Rejects when the database cannot be reached. */
export async function tryRebuildLock(
  databaseUrl: string,
  cluster: string,
  connect: (url: string) => Promise<Client> = connectDatabase,
): Promise<RebuildLock | undefined> {
  const db = await connect(databaseUrl);
  try {
    const { rows } = await db.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS locked", [
      rebuildLockClass,
      cluster,
    ]);
    if (!rows[0].locked) {
      await db.end().catch(() => undefined);
      return undefined;
    }
  } catch (error) {
    await db.end().catch(() => undefined);
    throw error;
  }
  return {
    db,
    release: async () => {
      await db.query("SELECT pg_advisory_unlock(hashtext($1), hashtext($2))", [rebuildLockClass, cluster]).catch(() => undefined);
      await db.end().catch(() => undefined);
    },
  };
}
