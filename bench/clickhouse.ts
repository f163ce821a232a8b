/**
 * `npm run bench:clickhouse`: tenant-scoped "last hour" log queries on the owned schema against the OpenTelemetry
 * ClickHouse exporter's default logs table, on the same generated data, in ClickHouse in-process (chdb).
 *
 * Data: {@link defaults.rows} log rows across 1,000 apps in 50 workspaces, spread evenly over 24 hours and
 * interleaved as they would arrive; every row carries the tenant's resource attributes. In the owned table those
 * become the (WorkspaceId, AppId) sort-key prefix; in the default table they stay inside ResourceAttributes (the
 * exporter's bloom-filter indexes on the map are its only help). Both tables are fully merged before measuring.
 *
 * Prints rows read (from the server's own statistics) and the median server time of each query over several
 * tenants, and the ratios. Options: --rows N (default 5,000,000), --runs N (default 9). Progress goes to stderr;
 * chdb's data directory is removed at the end, also on failure or Ctrl-C (handled between two queries).
 */
import { Session } from "chdb";
import { CliCommand, execute, runAsProcess, wholeNumber } from "../cli/command-line";
import { done, type CommandResult } from "../lib/command-result";
import { tenantAttributes } from "../lib/tenant-attributes";
import { bootstrapStatements, migrations, retentionStatements } from "../observability/clickhouse-schema";
import { exporterShapedInsert } from "../observability/exporter-columns";
import { withCleanup, yieldToSignals, type Cleanup } from "./cleanup";

const defaults = { rows: 5_000_000, runs: 9, apps: 1000, workspaces: 50, chunk: 500_000 };

/**
 * The exporter's default logs DDL (collector-contrib 0.158, `create_schema: true`, ClickHouse before 26.2, which is
 * what the pinned Altinity server runs): time-bucket-first sort key, tenant ids only in the attribute map.
 */
const defaultLogsTable = `CREATE TABLE IF NOT EXISTS otel_default.otel_logs
(
    Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    TraceFlags UInt8,
    SeverityText LowCardinality(String) CODEC(ZSTD(1)),
    SeverityNumber UInt8,
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    Body String CODEC(ZSTD(1)),
    ResourceSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion LowCardinality(String) CODEC(ZSTD(1)),
    ScopeAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    LogAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    EventName String CODEC(ZSTD(1)),
    \`__otel_materialized_k8s.namespace.name\` LowCardinality(String) MATERIALIZED ResourceAttributes['k8s.namespace.name'] CODEC(ZSTD(1)),
    \`__otel_materialized_k8s.pod.name\` LowCardinality(String) MATERIALIZED ResourceAttributes['k8s.pod.name'] CODEC(ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_lower_body lower(Body) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8
)
ENGINE = MergeTree
PARTITION BY toDate(Timestamp)
ORDER BY (toStartOfFiveMinutes(Timestamp), ServiceName, Timestamp)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`;

interface Query {
  readonly name: string;
  readonly owned: (workspace: string, app: string) => string;
  readonly defaultTable: (workspace: string, app: string) => string;
}

const lastHourDefault =
  "toStartOfFiveMinutes(Timestamp) >= toStartOfFiveMinutes(now() - INTERVAL 1 HOUR) AND Timestamp >= now() - INTERVAL 1 HOUR";
const attr = (label: keyof typeof tenantAttributes) => `ResourceAttributes['${tenantAttributes[label]}']`;

const queries: readonly Query[] = [
  {
    name: "app: latest 100 log lines, last hour",
    owned: (w, a) =>
      `SELECT Timestamp, Severity, Body FROM otel.logs WHERE WorkspaceId = '${w}' AND AppId = '${a}' AND Timestamp >= now() - INTERVAL 1 HOUR ORDER BY Timestamp DESC LIMIT 100`,
    defaultTable: (_w, a) =>
      `SELECT Timestamp, SeverityText, Body FROM otel_default.otel_logs WHERE ${attr("appId")} = '${a}' AND ${lastHourDefault} ORDER BY Timestamp DESC LIMIT 100`,
  },
  {
    name: "app: errors per minute, last hour",
    owned: (w, a) =>
      `SELECT toStartOfMinute(Timestamp) AS t, countIf(Severity = 'ERROR') FROM otel.logs WHERE WorkspaceId = '${w}' AND AppId = '${a}' AND Timestamp >= now() - INTERVAL 1 HOUR GROUP BY t ORDER BY t`,
    defaultTable: (_w, a) =>
      `SELECT toStartOfMinute(Timestamp) AS t, countIf(SeverityText = 'ERROR') FROM otel_default.otel_logs WHERE ${attr("appId")} = '${a}' AND ${lastHourDefault} GROUP BY t ORDER BY t`,
  },
  {
    name: "workspace: log volume per app, last hour",
    owned: (w) =>
      `SELECT AppId, count() FROM otel.logs WHERE WorkspaceId = '${w}' AND Timestamp >= now() - INTERVAL 1 HOUR GROUP BY AppId ORDER BY AppId`,
    defaultTable: (w) =>
      `SELECT ${attr("appId")} AS app, count() FROM otel_default.otel_logs WHERE ${attr("workspaceId")} = '${w}' AND ${lastHourDefault} GROUP BY app ORDER BY app`,
  },
  {
    name: "workspace: latest 100 errors, last hour",
    owned: (w) =>
      `SELECT Timestamp, AppName, Body FROM otel.logs WHERE WorkspaceId = '${w}' AND Severity = 'ERROR' AND Timestamp >= now() - INTERVAL 1 HOUR ORDER BY Timestamp DESC LIMIT 100`,
    defaultTable: (w) =>
      `SELECT Timestamp, ${attr("appName")}, Body FROM otel_default.otel_logs WHERE ${attr("workspaceId")} = '${w}' AND SeverityText = 'ERROR' AND ${lastHourDefault} ORDER BY Timestamp DESC LIMIT 100`,
  },
];

interface Stats {
  readonly rowsRead: number;
  readonly seconds: number;
}

function measure(session: Session, sql: string): Stats {
  const result = JSON.parse(session.query(sql, "JSON")) as { statistics: { rows_read: number; elapsed: number } };
  return { rowsRead: result.statistics.rows_read, seconds: result.statistics.elapsed };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Generated rows: tenant i's rows are spread over 24 hours, interleaved with everybody else's. */
function generatedRows(from: number, total: number, apps: number, workspaces: number): Record<string, string> {
  // A fixed multiplier coprime with the app count scatters consecutive rows over apps.
  const app = `((number + ${from}) * 7919) % ${apps}`;
  const workspace = `(${app}) % ${workspaces}`;
  const resource = [
    `'${tenantAttributes.orgId}', concat('org-', toString((${workspace}) % 10))`,
    `'${tenantAttributes.workspaceId}', concat('ws-', toString(${workspace}))`,
    `'${tenantAttributes.appId}', concat('app-', toString(${app}))`,
    `'${tenantAttributes.appName}', concat('shop-', toString(${app}))`,
    `'${tenantAttributes.deploymentId}', concat('dep-', toString(${app}), '-3')`,
    `'${tenantAttributes.environment}', 'production'`,
    `'${tenantAttributes.region}', 'us-east-1'`,
    `'k8s.namespace.name', concat('t-', toString(${app}))`,
    `'k8s.pod.name', concat('web-', toString(${app}), '-7d9f', toString((number + ${from}) % 3))`,
    `'service.name', ['web', 'worker', 'api'][1 + (${app}) % 3]`,
  ].join(", ");
  const severity = `['INFO', 'INFO', 'INFO', 'INFO', 'WARN', 'ERROR'][1 + (number + ${from}) % 6]`;
  return {
    Timestamp: `now64(9) - toIntervalMillisecond(intDiv((number + ${from}) * 86400000, ${total}))`,
    SeverityText: severity,
    SeverityNumber: `transform(${severity}, ['INFO', 'WARN', 'ERROR'], [9, 13, 17], 0)`,
    ServiceName: `['web', 'worker', 'api'][1 + (${app}) % 3]`,
    Body: `concat('GET /api/items/', toString((number + ${from}) % 997), ' took ', toString((number + ${from}) % 250), 'ms status ', toString(if((number + ${from}) % 6 = 5, 500, 200)))`,
    ResourceAttributes: `map(${resource})`,
  };
}

interface BenchClickhouseOptions {
  readonly rows: number;
  readonly runs: number;
}

export function benchClickhouseCommand(argv: readonly string[]): Promise<CommandResult> {
  const program = new CliCommand("npm run bench:clickhouse --")
    .description("Tenant-scoped log queries on the owned schema against the exporter's default table, on the same data, in chdb.")
    .option(
      "--rows <n>",
      `log rows generated into each table, in chunks of ${defaults.chunk.toLocaleString("en-US")}`,
      wholeNumber(defaults.chunk, 1_000_000_000),
      defaults.rows,
    )
    .option("--runs <n>", "tenants each query is measured for; the median is reported (1 to 1000)", wholeNumber(1, 1000), defaults.runs)
    .addHelpText("after", "\nExit codes: 0 measured, 1 failed, 64 bad command line.")
    .runs((options: BenchClickhouseOptions) => withCleanup((cleanup) => measureQueries(options, cleanup)));
  return execute(program, argv);
}

async function measureQueries({ rows, runs }: BenchClickhouseOptions, cleanup: Cleanup): Promise<CommandResult> {
  const dir = cleanup.temporaryDirectory("loco-bench-clickhouse-");
  const session = new Session(dir);
  cleanup.add(() => session.close());
  const started = Date.now();
  const log = (message: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}\n`);
  log(`chdb ${session.query("SELECT version()", "TSVRaw").trim()}, data in ${dir}`);
  for (const statement of [...bootstrapStatements(), ...migrations.flatMap((m) => m.statements), ...retentionStatements(30)]) {
    session.query(statement);
  }
  session.query("CREATE DATABASE IF NOT EXISTS otel_default");
  session.query(defaultLogsTable);
  for (let from = 0; from < rows; from += defaults.chunk) {
    const count = Math.min(defaults.chunk, rows - from);
    const generated = generatedRows(from, rows, defaults.apps, defaults.workspaces);
    session.query(exporterShapedInsert("logs", generated, count));
    session.query(exporterShapedInsert("logs", generated, count, "otel_default").replace("otel_default.logs", "otel_default.otel_logs"));
    log(`inserted ${(from + count).toLocaleString("en-US")} / ${rows.toLocaleString("en-US")} rows into each table`);
    await yieldToSignals();
  }
  session.query("OPTIMIZE TABLE otel.logs FINAL");
  session.query("OPTIMIZE TABLE otel_default.otel_logs FINAL");
  const sizes = session
    .query(
      "SELECT database, formatReadableSize(sum(data_compressed_bytes)), sum(rows) FROM system.parts WHERE active AND table IN ('logs', 'otel_logs') GROUP BY database ORDER BY database",
      "TSVRaw",
    )
    .trim();
  log(`merged; on disk (database, compressed, rows):\n${sizes}`);

  const tenants = Array.from({ length: runs }, (_, i) => {
    const app = (i * 137 + 11) % defaults.apps;
    return { workspace: `ws-${app % defaults.workspaces}`, app: `app-${app}` };
  });
  const lines = [
    "| query | owned: rows read | owned: median ms | default: rows read | default: median ms | rows read ratio | time ratio |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const query of queries) {
    await yieldToSignals();
    const owned = tenants.map((t) => measure(session, query.owned(t.workspace, t.app)));
    const fallback = tenants.map((t) => measure(session, query.defaultTable(t.workspace, t.app)));
    const ownedRows = median(owned.map((s) => s.rowsRead));
    const defaultRows = median(fallback.map((s) => s.rowsRead));
    const ownedMs = median(owned.map((s) => s.seconds)) * 1000;
    const defaultMs = median(fallback.map((s) => s.seconds)) * 1000;
    lines.push(
      `| ${query.name} | ${ownedRows.toLocaleString("en-US")} | ${ownedMs.toFixed(1)} | ${defaultRows.toLocaleString("en-US")} | ${defaultMs.toFixed(1)} | ${(defaultRows / ownedRows).toFixed(1)}x | ${(defaultMs / ownedMs).toFixed(1)}x |`,
    );
    log(`measured "${query.name}" over ${runs} tenants`);
  }
  console.log(
    `\n${rows.toLocaleString("en-US")} log rows, ${defaults.apps} apps in ${defaults.workspaces} workspaces, over 24 hours; medians over ${runs} tenants (rows read per query is the median too).`,
  );
  console.log("Ratios are default / owned: how many times more the exporter's default table reads and takes.\n");
  console.log(lines.join("\n"));
  return done("");
}

if (require.main === module) runAsProcess("bench:clickhouse", benchClickhouseCommand);
