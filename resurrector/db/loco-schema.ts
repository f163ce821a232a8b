/**
 * Which loco schema a database has, and whether this resurrector reads it. loco's schema moves (its public
 * repository already shows goose-managed migrations with UUID ids, environments and placements); a resurrector
 * that half-understood a newer schema would rebuild the wrong thing, so it refuses, by name, any schema it does
 * not recognise, before reading a single row.
 *
 * The supported schema is loco's at e08302e (tag v0.0.51): migrations 001_initial_schema, 002_apps_and_deployments
 * and 003_user_scopes, which loco runs as plain SQL without recording them (no migrations table). So it is
 * recognised by what it has (the columns this reader needs, with their types) and what it does not have yet:
 * goose's `goose_db_version` table (loco's migration runner from then on), the `environments` and `placements`
 * tables, or UUID ids.
 */
import type { ClientBase } from "pg";

export interface LocoSchemaVersion {
  /** How messages name it. */
  readonly name: string;
  /** team-loco/loco's revision whose migrations create it. */
  readonly revision: string;
  readonly migrations: readonly string[];
}

export const supportedLocoSchema: LocoSchemaVersion = {
  name: "loco e08302e (v0.0.51)",
  revision: "e08302e0a3a8a19c6d3c8004ef3137c1064938e7",
  migrations: ["001_initial_schema", "002_apps_and_deployments", "003_user_scopes"],
};

/** The columns the reader needs, with their types as PostgreSQL's format_type names them at the supported version. */
export const requiredColumns: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  clusters: {
    id: "bigint",
    name: "text",
    region: "text",
    provider: "text",
    is_active: "boolean",
    is_default: "boolean",
    endpoint: "text",
    health_status: "text",
    last_health_check: "timestamp with time zone",
  },
  organizations: { id: "bigint", name: "text" },
  workspaces: { id: "bigint", org_id: "bigint", name: "text" },
  resources: { id: "bigint", workspace_id: "bigint", name: "text", type: "resource_type", status: "resource_status", spec: "jsonb" },
  platform_domains: { id: "bigint", domain: "text", is_active: "boolean" },
  resource_domains: {
    id: "bigint",
    resource_id: "bigint",
    domain: "text",
    domain_source: "domain_source",
    subdomain_label: "text",
    platform_domain_id: "bigint",
    is_primary: "boolean",
  },
  deployments: {
    id: "bigint",
    resource_id: "bigint",
    resource_region_id: "bigint",
    cluster_id: "bigint",
    region: "text",
    replicas: "integer",
    status: "deployment_status",
    is_active: "boolean",
    message: "text",
    spec: "jsonb",
    spec_version: "integer",
    created_at: "timestamp with time zone",
  },
};

/** Tables newer loco schemas add: their presence means a schema this reader does not understand. */
const newerTables = ["environments", "placements"] as const;

/** goose's record of applied migrations, which loco adopted after e08302e. */
const gooseTable = "goose_db_version";

export type LocoSchemaDetection =
  | { readonly supported: true; readonly version: LocoSchemaVersion }
  /** `detected` names what was found, as precisely as it can be told. */
  | { readonly supported: false; readonly detected: string };

/** The database is not at the loco schema this resurrector reads. Nothing was read from loco's tables. */
export class LocoSchemaError extends Error {
  override readonly name = "LocoSchemaError";
  constructor(readonly detected: string) {
    super(
      `loco's database has ${detected}; this resurrector reads only ${supportedLocoSchema.name} ` +
        `(migrations ${supportedLocoSchema.migrations.join(", ")}): use a resurrector built for that schema`,
    );
  }
}

interface ColumnRow {
  table_name: string;
  column_name: string;
  type: string;
}

/** What the catalog says, read with SELECTs only (the reader's role needs nothing more). */
async function catalog(client: ClientBase) {
  const tables = [...Object.keys(requiredColumns), ...newerTables, gooseTable];
  const present = await client.query<{ name: string }>(
    "SELECT name FROM unnest($1::text[]) AS t(name) WHERE to_regclass(quote_ident(name)) IS NOT NULL ORDER BY name",
    [tables],
  );
  const columns = await client.query<ColumnRow>(
    `SELECT t.name AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type
     FROM unnest($1::text[]) AS t(name)
     JOIN pg_attribute a ON a.attrelid = to_regclass(quote_ident(t.name)) AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY t.name, a.attnum`,
    [Object.keys(requiredColumns)],
  );
  return { present: new Set(present.rows.map((row) => row.name)), columns: columns.rows };
}

/** goose's current version: the highest version whose latest record says it is applied. */
async function gooseVersion(client: ClientBase): Promise<string> {
  const { rows } = await client.query<{ version: string | null }>(
    `SELECT max(version_id)::text AS version FROM (
       SELECT DISTINCT ON (version_id) version_id, is_applied FROM ${gooseTable} ORDER BY version_id, id DESC
     ) latest WHERE is_applied`,
  );
  return rows[0].version ?? "none";
}

/** Which loco schema the database has. */
export async function detectLocoSchema(client: ClientBase): Promise<LocoSchemaDetection> {
  const { present, columns } = await catalog(client);
  if (present.has(gooseTable)) {
    return { supported: false, detected: `a goose-managed loco schema (goose version ${await gooseVersion(client)}), newer than e08302e` };
  }
  const loco = Object.keys(requiredColumns);
  if (!loco.some((table) => present.has(table))) {
    return { supported: false, detected: `no loco schema at all (none of its tables ${loco.join(", ")} exist)` };
  }
  const found = new Map(columns.map((c) => [`${c.table_name}.${c.column_name}`, c.type]));
  const newer = newerTables.filter((table) => present.has(table)).map((table) => `table ${table}`);
  if (found.get("deployments.id") === "uuid" || found.get("resources.id") === "uuid") newer.push("UUID ids");
  if (newer.length > 0) return { supported: false, detected: `a newer loco schema (it has ${newer.join(", ")})` };

  const differences: string[] = [];
  for (const [table, expected] of Object.entries(requiredColumns)) {
    if (!present.has(table)) {
      differences.push(`table ${table} is missing`);
      continue;
    }
    for (const [column, type] of Object.entries(expected)) {
      const actual = found.get(`${table}.${column}`);
      if (actual === undefined) differences.push(`${table}.${column} is missing`);
      else if (actual !== type) differences.push(`${table}.${column} is ${actual}, not ${type}`);
    }
  }
  if (differences.length > 0) return { supported: false, detected: `an unrecognised loco schema (${differences.join("; ")})` };
  return { supported: true, version: supportedLocoSchema };
}

/** The supported version, or a {@link LocoSchemaError} naming what was found instead. */
export async function requireSupportedLocoSchema(client: ClientBase): Promise<LocoSchemaVersion> {
  const detection = await detectLocoSchema(client);
  if (!detection.supported) throw new LocoSchemaError(detection.detected);
  return detection.version;
}
