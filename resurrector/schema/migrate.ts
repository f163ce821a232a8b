/**
 * Applies the resurrector's migrations: versioned, idempotent, serialized. Safe to run on every start and from two
 * processes at once: an advisory lock serializes runners, applied versions are recorded with a checksum, and a
 * migration whose text changed after it was applied stops the run instead of leaving the schema half-known.
 */
import { createHash } from "node:crypto";
import type { ClientBase } from "pg";
import { migrations as allMigrations, resurrectorSchema, type Migration } from "./migrations";

/** Arbitrary constant: the advisory lock every migration runner takes. */
const migrationLockKey = 0x10c0_0006;

export interface MigrationResult {
  /** Versions applied by this run, in order. */
  readonly applied: readonly number[];
  /** The schema version after the run. */
  readonly version: number;
}

export const migrationChecksum = (migration: Migration) => createHash("sha256").update(migration.sql).digest("hex");

export class MigrationError extends Error {
  override readonly name = "MigrationError";
}

/** Brings the `resurrector` schema to the latest version in one transaction. */
export async function migrate(client: ClientBase, migrations: readonly Migration[] = allMigrations): Promise<MigrationResult> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [migrationLockKey]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${resurrectorSchema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${resurrectorSchema}.schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      checksum   TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number; checksum: string }>(
      `SELECT version, checksum FROM ${resurrectorSchema}.schema_migrations ORDER BY version`,
    );
    const done = new Map(rows.map((row) => [row.version, row.checksum]));
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      const checksum = migrationChecksum(migration);
      const recorded = done.get(migration.version);
      if (recorded !== undefined) {
        if (recorded !== checksum) {
          throw new MigrationError(
            `migration ${migration.version} (${migration.name}) was changed after it was applied; add a new migration instead`,
          );
        }
        continue;
      }
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${resurrectorSchema}.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`, [
        migration.version,
        migration.name,
        checksum,
      ]);
      applied.push(migration.version);
    }
    const newer = [...done.keys()].filter((version) => !migrations.some((m) => m.version === version));
    if (newer.length > 0) {
      throw new MigrationError(`the database has resurrector schema versions this code does not know (${newer.join(", ")}): upgrade it`);
    }
    await client.query("COMMIT");
    return { applied, version: Math.max(0, ...migrations.map((m) => m.version)) };
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
}
