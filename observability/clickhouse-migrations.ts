/**
 * The migration bundle the clickhouse-migrate Job runs: the schema as SQL files plus a small POSIX shell runner
 * that uses only `clickhouse-client` (the ClickHouse server image has it). Per run it
 *
 * 1. waits for the server, creates the database and `schema_migrations` (idempotent);
 * 2. applies each migration not yet recorded, then records its version and checksum;
 * 3. refuses to go on if a recorded migration's checksum differs from the bundle's: a released migration was
 *    edited instead of superseded, and the database no longer matches the code;
 * 4. sets retention on every table (idempotent; the only statements that depend on config).
 *
 * The bundle's {@link MigrationBundle.checksum} names the Job, so a changed schema or retention is a new Job on the
 * next `pulumi up` and an unchanged one is left alone.
 */
import { createHash } from "node:crypto";
import { bootstrapStatements, migrations, migrationsTable, qualified, retentionStatements, type Migration } from "./clickhouse-schema";

export interface MigrationBundle {
  /** File name -> content, mounted at {@link migrationsMountPath}. */
  readonly files: Readonly<Record<string, string>>;
  /** Short hash of every file: changes exactly when what the Job would do changes. */
  readonly checksum: string;
}

export const migrationsMountPath = "/migrations";
export const migrationRunner = "migrate.sh";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const sqlFile = (statements: readonly string[]) => statements.map((s) => `${s};\n`).join("\n");

export const migrationFileName = (m: Migration) => `${String(m.version).padStart(4, "0")}-${m.name}.sql`;

/** A migration's checksum: of its SQL only, so retention and runner changes never look like an edited migration. */
export const migrationChecksum = (m: Migration) => sha256(sqlFile(m.statements)).slice(0, 16);

/** The runner. Connection settings come from the environment (CLICKHOUSE_HOST/PORT/USER/PASSWORD). */
export function migrationRunnerScript(): string {
  return `#!/bin/sh
# Applies loco's telemetry schema (observability/clickhouse-migrations.ts). Every statement is idempotent, so a
# run that failed half-way is fixed by running again.
set -eu
dir="${migrationsMountPath}"
ch() {
  clickhouse-client --host "$CLICKHOUSE_HOST" --port "$CLICKHOUSE_PORT" --user "$CLICKHOUSE_USER" --password "$CLICKHOUSE_PASSWORD" "$@"
}
until ch --query "SELECT 1" >/dev/null 2>&1; do
  echo "waiting for ClickHouse at $CLICKHOUSE_HOST:$CLICKHOUSE_PORT"
  sleep 5
done
ch --multiquery < "$dir/bootstrap.sql"
tab="$(printf '\\t')"
# Inside the loop stdin is migrations.tsv: every client call gets its own stdin so none can swallow the list.
while IFS="$tab" read -r version name checksum; do
  file="$dir/$(printf '%04d' "$version")-$name.sql"
  recorded="$(ch --query "SELECT checksum FROM ${qualified(migrationsTable)} FINAL WHERE version = $version" < /dev/null)"
  if [ -z "$recorded" ]; then
    echo "applying migration $version ($name)"
    ch --multiquery < "$file"
    ch --query "INSERT INTO ${qualified(migrationsTable)} (version, name, checksum) SELECT $version, '$name', '$checksum'" < /dev/null
  elif [ "$recorded" != "$checksum" ]; then
    echo "migration $version ($name) changed after it was applied (recorded $recorded, bundle $checksum): add a new migration instead of editing a released one" >&2
    exit 1
  else
    echo "migration $version ($name) already applied"
  fi
done < "$dir/migrations.tsv"
ch --multiquery < "$dir/retention.sql"
echo "telemetry schema is up to date"
`;
}

export function migrationBundle(retentionDays: number): MigrationBundle {
  const files: Record<string, string> = {
    "bootstrap.sql": sqlFile(bootstrapStatements()),
    "retention.sql": sqlFile(retentionStatements(retentionDays)),
    "migrations.tsv": migrations.map((m) => `${m.version}\t${m.name}\t${migrationChecksum(m)}\n`).join(""),
    [migrationRunner]: migrationRunnerScript(),
  };
  for (const m of migrations) files[migrationFileName(m)] = sqlFile(m.statements);
  const checksum = sha256(
    Object.keys(files)
      .sort()
      .map((name) => `${name}\n${files[name]}`)
      .join("\n"),
  ).slice(0, 10);
  return { files, checksum };
}
