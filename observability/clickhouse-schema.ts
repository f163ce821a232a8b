/**
 * The telemetry schema loco owns. The OpenTelemetry ClickHouse exporter runs with `create_schema: false` and only
 * INSERTs: it names its columns, so every table here carries exactly the exporter's columns and types, and
 * everything loco adds is computed by ClickHouse at insert time (MATERIALIZED), never sent by the collector:
 *
 * - dedicated tenant columns (OrgId, WorkspaceId, AppId, ...) read from the resource attributes the collectors set
 *   from the tenant pod's labels, so a query for one app never parses an attribute map;
 * - sort keys that lead with (WorkspaceId, AppId): an app's or a workspace's rows are contiguous in every part, so
 *   an app-scoped "last hour" query reads that app's granules only;
 * - a normalized `Severity` on logs (from the parsed severity, or the JSON body's level as a fallback), and the
 *   HTTP status of server spans as a number on traces;
 * - daily partitions with `ttl_only_drop_parts`: retention drops whole days, it never rewrites parts.
 *
 * Retention is not part of a table's definition here: migrations create tables without TTL (so their text, and
 * checksum, never depends on config) and {@link retentionStatements} sets it on every run.
 */
import { tenantAttributes, tenantColumns, tenantLabelOrder } from "../lib/tenant-attributes";

/** The database every telemetry table lives in. */
export const telemetryDatabase = "otel";

/** Table names, as the exporter's `logs_table_name`, `traces_table_name` and `metrics_tables` name them. */
export const telemetryTables = {
  logs: "logs",
  traces: "traces",
  metricsGauge: "metrics_gauge",
  metricsSum: "metrics_sum",
  metricsHistogram: "metrics_histogram",
  metricsExponentialHistogram: "metrics_exp_histogram",
  metricsSummary: "metrics_summary",
} as const;

export type TelemetryTable = (typeof telemetryTables)[keyof typeof telemetryTables];

/** Where the migration runner records what it applied. */
export const migrationsTable = "schema_migrations";

/** The time column each table is partitioned, ordered and expired by. */
export const timeColumn: Readonly<Record<TelemetryTable, string>> = {
  logs: "Timestamp",
  traces: "Timestamp",
  metrics_gauge: "TimeUnix",
  metrics_sum: "TimeUnix",
  metrics_histogram: "TimeUnix",
  metrics_exp_histogram: "TimeUnix",
  metrics_summary: "TimeUnix",
};

export const allTelemetryTables: readonly TelemetryTable[] = Object.values(telemetryTables);

/** `otel.logs`, quoted for SQL. */
export const qualified = (table: string) => `${telemetryDatabase}.${table}`;

/** A SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** The tenant columns, filled from resource attributes on insert. The exporter never names them, so it cannot set them. */
function tenantColumnDefinitions(): string[] {
  return tenantLabelOrder.map(
    (label) =>
      `${tenantColumns[label]} LowCardinality(String) MATERIALIZED ResourceAttributes[${sqlString(tenantAttributes[label])}] CODEC(ZSTD(1))`,
  );
}

/** Sort key prefix every table shares: one app's (and one workspace's) rows are contiguous. */
export const tenantSortKey = [tenantColumns.workspaceId, tenantColumns.appId];

/**
 * A text severity normalized to TRACE/DEBUG/INFO/WARN/ERROR/FATAL; anything else is UNSPECIFIED. The collectors
 * parse severity from JSON logs already; this catches logs that arrive without it (an app's own OTLP logs with
 * only SeverityText, or a body the agent did not parse).
 */
/** Level words apps log, and the severity each means. */
export const levelAliases: Readonly<Record<string, string>> = {
  fatal: "FATAL",
  critical: "FATAL",
  crit: "FATAL",
  panic: "FATAL",
  emerg: "FATAL",
  emergency: "FATAL",
  alert: "FATAL",
  error: "ERROR",
  err: "ERROR",
  warn: "WARN",
  warning: "WARN",
  info: "INFO",
  information: "INFO",
  notice: "INFO",
  debug: "DEBUG",
  dbg: "DEBUG",
  trace: "TRACE",
  trc: "TRACE",
};

const normalizedLevel = (text: string) => {
  const words = Object.keys(levelAliases);
  const list = (items: string[]) => `[${items.map((w) => `'${w}'`).join(", ")}]`;
  return `transform(lower(${text}), ${list(words)}, ${list(words.map((w) => levelAliases[w]))}, 'UNSPECIFIED')`;
};

/** Severity from the OTel severity number (the spec's ranges), else the text, else the JSON body's `level`/`severity`. */
export const severityExpression = `multiIf(
    SeverityNumber >= 21, 'FATAL',
    SeverityNumber >= 17, 'ERROR',
    SeverityNumber >= 13, 'WARN',
    SeverityNumber >= 9, 'INFO',
    SeverityNumber >= 5, 'DEBUG',
    SeverityNumber >= 1, 'TRACE',
    SeverityText != '', ${normalizedLevel("SeverityText")},
    ${normalizedLevel(`if(isValidJSON(Body), coalesce(nullIf(JSONExtractString(Body, 'level'), ''), JSONExtractString(Body, 'severity')), '')`)})`;

const mergeTreeSettings = "SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1";

function createTable(table: TelemetryTable, columns: readonly string[], orderBy: readonly string[]): string {
  const time = timeColumn[table];
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified(table)}`,
    "(",
    columns.map((c) => `    ${c}`).join(",\n"),
    ")",
    "ENGINE = MergeTree",
    `PARTITION BY toDate(${time})`,
    `ORDER BY (${orderBy.join(", ")})`,
    mergeTreeSettings,
  ].join("\n");
}

const mapColumn = "Map(LowCardinality(String), String) CODEC(ZSTD(1))";

function logsTable(): string {
  return createTable(
    "logs",
    [
      "Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1))",
      "TraceId String CODEC(ZSTD(1))",
      "SpanId String CODEC(ZSTD(1))",
      "TraceFlags UInt8",
      "SeverityText LowCardinality(String) CODEC(ZSTD(1))",
      "SeverityNumber UInt8",
      "ServiceName LowCardinality(String) CODEC(ZSTD(1))",
      "Body String CODEC(ZSTD(1))",
      "ResourceSchemaUrl LowCardinality(String) CODEC(ZSTD(1))",
      `ResourceAttributes ${mapColumn}`,
      "ScopeSchemaUrl LowCardinality(String) CODEC(ZSTD(1))",
      "ScopeName String CODEC(ZSTD(1))",
      "ScopeVersion LowCardinality(String) CODEC(ZSTD(1))",
      `ScopeAttributes ${mapColumn}`,
      `LogAttributes ${mapColumn}`,
      "EventName String CODEC(ZSTD(1))",
      ...tenantColumnDefinitions(),
      `Severity LowCardinality(String) MATERIALIZED ${severityExpression}`,
      "INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1",
      // Body search: `hasToken(lower(Body), 'word')` (or LIKE on whole words) skips granules without the token.
      "INDEX idx_body lower(Body) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8",
      "INDEX idx_severity Severity TYPE set(8) GRANULARITY 4",
    ],
    [...tenantSortKey, "Timestamp"],
  );
}

function tracesTable(): string {
  return createTable(
    "traces",
    [
      "Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1))",
      "TraceId String CODEC(ZSTD(1))",
      "SpanId String CODEC(ZSTD(1))",
      "ParentSpanId String CODEC(ZSTD(1))",
      "TraceState String CODEC(ZSTD(1))",
      "SpanName LowCardinality(String) CODEC(ZSTD(1))",
      "SpanKind LowCardinality(String) CODEC(ZSTD(1))",
      "ServiceName LowCardinality(String) CODEC(ZSTD(1))",
      `ResourceAttributes ${mapColumn}`,
      "ScopeName String CODEC(ZSTD(1))",
      "ScopeVersion String CODEC(ZSTD(1))",
      `SpanAttributes ${mapColumn}`,
      "Duration UInt64 CODEC(T64, ZSTD(1))",
      "StatusCode LowCardinality(String) CODEC(ZSTD(1))",
      "StatusMessage String CODEC(ZSTD(1))",
      "Events Nested (Timestamp DateTime64(9), Name LowCardinality(String), Attributes Map(LowCardinality(String), String)) CODEC(ZSTD(1))",
      "Links Nested (TraceId String, SpanId String, TraceState String, Attributes Map(LowCardinality(String), String)) CODEC(ZSTD(1))",
      ...tenantColumnDefinitions(),
      // Semantic conventions renamed http.status_code to http.response.status_code; apps send either.
      "HttpStatusCode UInt16 MATERIALIZED toUInt16OrZero(if(SpanAttributes['http.response.status_code'] != '', SpanAttributes['http.response.status_code'], SpanAttributes['http.status_code']))",
      "INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1",
      "INDEX idx_duration Duration TYPE minmax GRANULARITY 1",
    ],
    [...tenantSortKey, "Timestamp"],
  );
}

/** Columns every metrics table shares (the exporter's metadata and attributes). */
const metricCommon = [
  `ResourceAttributes ${mapColumn}`,
  "ResourceSchemaUrl String CODEC(ZSTD(1))",
  "ScopeName String CODEC(ZSTD(1))",
  "ScopeVersion String CODEC(ZSTD(1))",
  `ScopeAttributes ${mapColumn}`,
  "ScopeDroppedAttrCount UInt32 CODEC(ZSTD(1))",
  "ScopeSchemaUrl String CODEC(ZSTD(1))",
  "ServiceName LowCardinality(String) CODEC(ZSTD(1))",
  "MetricName LowCardinality(String) CODEC(ZSTD(1))",
  "MetricDescription String CODEC(ZSTD(1))",
  "MetricUnit String CODEC(ZSTD(1))",
  `Attributes ${mapColumn}`,
  "StartTimeUnix DateTime64(9) CODEC(Delta, ZSTD(1))",
  "TimeUnix DateTime64(9) CODEC(Delta, ZSTD(1))",
];

const exemplars =
  "Exemplars Nested (FilteredAttributes Map(LowCardinality(String), String), TimeUnix DateTime64(9), Value Float64, SpanId String, TraceId String) CODEC(ZSTD(1))";

function metricsTable(table: TelemetryTable, own: readonly string[]): string {
  return createTable(table, [...metricCommon, ...own, ...tenantColumnDefinitions()], [...tenantSortKey, "MetricName", "TimeUnix"]);
}

const metricTables = (): string[] => [
  metricsTable("metrics_gauge", ["Value Float64 CODEC(ZSTD(1))", "Flags UInt32 CODEC(ZSTD(1))", exemplars]),
  metricsTable("metrics_sum", [
    "Value Float64 CODEC(ZSTD(1))",
    "Flags UInt32 CODEC(ZSTD(1))",
    exemplars,
    "AggregationTemporality Int32 CODEC(ZSTD(1))",
    "IsMonotonic Boolean CODEC(Delta, ZSTD(1))",
  ]),
  metricsTable("metrics_histogram", [
    "Count UInt64 CODEC(Delta, ZSTD(1))",
    "Sum Float64 CODEC(ZSTD(1))",
    "BucketCounts Array(UInt64) CODEC(ZSTD(1))",
    "ExplicitBounds Array(Float64) CODEC(ZSTD(1))",
    exemplars,
    "Flags UInt32 CODEC(ZSTD(1))",
    "Min Float64 CODEC(ZSTD(1))",
    "Max Float64 CODEC(ZSTD(1))",
    "AggregationTemporality Int32 CODEC(ZSTD(1))",
  ]),
  metricsTable("metrics_exp_histogram", [
    "Count UInt64 CODEC(Delta, ZSTD(1))",
    "Sum Float64 CODEC(ZSTD(1))",
    "Scale Int32 CODEC(ZSTD(1))",
    "ZeroCount UInt64 CODEC(ZSTD(1))",
    "PositiveOffset Int32 CODEC(ZSTD(1))",
    "PositiveBucketCounts Array(UInt64) CODEC(ZSTD(1))",
    "NegativeOffset Int32 CODEC(ZSTD(1))",
    "NegativeBucketCounts Array(UInt64) CODEC(ZSTD(1))",
    exemplars,
    "Flags UInt32 CODEC(ZSTD(1))",
    "Min Float64 CODEC(ZSTD(1))",
    "Max Float64 CODEC(ZSTD(1))",
    "AggregationTemporality Int32 CODEC(ZSTD(1))",
  ]),
  metricsTable("metrics_summary", [
    "Count UInt64 CODEC(Delta, ZSTD(1))",
    "Sum Float64 CODEC(ZSTD(1))",
    "ValueAtQuantiles Nested (Quantile Float64, Value Float64) CODEC(ZSTD(1))",
    "Flags UInt32 CODEC(ZSTD(1))",
  ]),
];

/** One versioned step. Its statements never change once released: a change is a new migration. */
export interface Migration {
  readonly version: number;
  /** File-name friendly: `0001-logs`. */
  readonly name: string;
  readonly statements: readonly string[];
}

/** Every migration, in order. Each statement is idempotent (IF NOT EXISTS), so a half-applied run can simply re-run. */
export const migrations: readonly Migration[] = [
  { version: 1, name: "logs", statements: [logsTable()] },
  { version: 2, name: "traces", statements: [tracesTable()] },
  { version: 3, name: "metrics", statements: metricTables() },
];

/** Creates the database and the table that records applied migrations; runs before every migration run. */
export function bootstrapStatements(): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS ${telemetryDatabase}`,
    [
      `CREATE TABLE IF NOT EXISTS ${qualified(migrationsTable)}`,
      "(",
      "    version UInt32,",
      "    name String,",
      "    checksum String,",
      "    applied_at DateTime DEFAULT now()",
      ")",
      "ENGINE = ReplacingMergeTree(applied_at)",
      "ORDER BY version",
    ].join("\n"),
  ];
}

export const minRetentionDays = 1;
export const maxRetentionDays = 365;

export function validateRetentionDays(days: number): void {
  if (!Number.isInteger(days) || days < minRetentionDays || days > maxRetentionDays) {
    throw new Error(`retention days must be an integer from ${minRetentionDays} to ${maxRetentionDays}, got ${days}`);
  }
}

/** The TTL of every table for this retention. Idempotent; run after the migrations on every run. */
export function retentionStatements(retentionDays: number): string[] {
  validateRetentionDays(retentionDays);
  return allTelemetryTables.map(
    (table) => `ALTER TABLE ${qualified(table)} MODIFY TTL toDateTime(${timeColumn[table]}) + INTERVAL ${retentionDays} DAY`,
  );
}

/** The whole DDL for a retention, in the order the migration Job applies it (what `npm run clickhouse:schema` prints). */
export function renderSchema(retentionDays: number): string {
  const section = (title: string, statements: readonly string[]) => [`-- ${title}`, ...statements.map((s) => `${s};`)].join("\n\n");
  return [
    `-- loco telemetry schema (database ${telemetryDatabase}), retention ${retentionDays} day(s).`,
    "-- Applied by the clickhouse-migrate Job on every `pulumi up` whose schema changed; every statement is idempotent.",
    section("bootstrap", bootstrapStatements()),
    ...migrations.map((m) => section(`migration ${m.version}: ${m.name}`, m.statements)),
    section(`retention: ${retentionDays} day(s)`, retentionStatements(retentionDays)),
  ].join("\n\n");
}
