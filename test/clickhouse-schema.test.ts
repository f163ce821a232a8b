/**
 * The owned telemetry schema on real ClickHouse (chdb, in-process). Data is small on purpose: a few hundred
 * thousand generated rows at most, so the file runs in seconds on two cores.
 */
import assert from "node:assert/strict";
import { chmodSync, cpSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { Session } from "chdb";
import { tenantAttributes } from "../lib/tenant-attributes";
import { clickhouseSchemaCommand } from "../cli/clickhouse-schema";
import {
  allTelemetryTables,
  bootstrapStatements,
  migrations,
  qualified,
  retentionStatements,
  type TelemetryTable,
} from "../observability/clickhouse-schema";
import { migrationBundle, migrationRunner } from "../observability/clickhouse-migrations";
import { exporterShapedInsert } from "../observability/exporter-columns";
import { tenantDeletionStatements } from "../observability/tenant-deletion";
import { projectDir } from "./harness";

const tsv = (session: Session, sql: string) => session.query(sql, "TSV").trim();
const count = (session: Session, sql: string) => Number(tsv(session, sql));

function applySchema(session: Session, retentionDays: number): void {
  for (const statement of [...bootstrapStatements(), ...migrations.flatMap((m) => m.statements), ...retentionStatements(retentionDays)]) {
    session.query(statement);
  }
}

/** Resource attributes of a tenant pod, as the collectors set them. */
const tenant = (workspace: string, app: string) =>
  `map('${tenantAttributes.orgId}', 'org-1', '${tenantAttributes.workspaceId}', '${workspace}', '${tenantAttributes.appId}', '${app}', '${tenantAttributes.appName}', 'name-${app}', '${tenantAttributes.deploymentId}', 'dep-1', '${tenantAttributes.environment}', 'production', '${tenantAttributes.region}', 'us-east-1', 'service.name', 'web')`;

describe("the owned schema on real ClickHouse", () => {
  let session: Session;
  before(() => {
    session = new Session();
    applySchema(session, 7);
  });
  after(() => session.cleanup());

  test("migrations and retention apply twice without error (idempotent)", () => {
    applySchema(session, 7);
    const tables = tsv(session, "SELECT name FROM system.tables WHERE database = 'otel' ORDER BY name").split("\n");
    assert.deepEqual(tables, [...allTelemetryTables, "schema_migrations"].sort());
  });

  test("every table accepts the exporter's own INSERT column list", () => {
    for (const table of allTelemetryTables)
      session.query(exporterShapedInsert(table, { ResourceAttributes: tenant("ws-accept", "app-accept") }));
    for (const table of allTelemetryTables) {
      assert.equal(
        count(session, `SELECT count() FROM ${qualified(table)} WHERE AppId = 'app-accept' AND WorkspaceId = 'ws-accept'`),
        1,
        table,
      );
    }
  });

  test("tenant columns are filled from resource attributes, and every tenant label has one", () => {
    session.query(exporterShapedInsert("logs", { ResourceAttributes: tenant("ws-cols", "app-cols"), Body: "'hello'" }));
    const row = tsv(
      session,
      "SELECT OrgId, WorkspaceId, AppId, AppName, DeploymentId, Environment, Region FROM otel.logs WHERE AppId = 'app-cols'",
    );
    assert.equal(row, "org-1\tws-cols\tapp-cols\tname-app-cols\tdep-1\tproduction\tus-east-1");
  });

  test("severity: from the parsed number, else the text, else the JSON body's level; never guessed", () => {
    const cases: [string, string, string, string][] = [
      ["17", "''", "'plain'", "ERROR"],
      ["0", "'Warning'", "'plain'", "WARN"],
      ["0", "''", `'{"level":"debug","msg":"x"}'`, "DEBUG"],
      ["0", "''", `'{"severity":"critical"}'`, "FATAL"],
      ["0", "''", "'not json, level=error'", "UNSPECIFIED"],
    ];
    for (const [i, [number, text, body, expected]] of cases.entries()) {
      session.query(
        exporterShapedInsert("logs", {
          ResourceAttributes: tenant("ws-sev", `app-sev-${i}`),
          SeverityNumber: number,
          SeverityText: text,
          Body: body,
        }),
      );
      assert.equal(tsv(session, `SELECT Severity FROM otel.logs WHERE AppId = 'app-sev-${i}'`), expected, `case ${i}`);
    }
  });

  test("server spans expose their HTTP status as a number under either semantic-convention key", () => {
    session.query(
      exporterShapedInsert(
        "traces",
        {
          ResourceAttributes: tenant("ws-http", "app-http"),
          SpanAttributes: "if(number = 0, map('http.response.status_code', '503'), map('http.status_code', '200'))",
        },
        2,
      ),
    );
    assert.equal(
      tsv(
        session,
        "SELECT groupArray(HttpStatusCode) FROM (SELECT HttpStatusCode FROM otel.traces WHERE AppId = 'app-http' ORDER BY HttpStatusCode)",
      ),
      "[200,503]",
    );
  });

  test("every table sorts tenant first (workspace, then app), then by metric and time; partitions are days", () => {
    const keys = tsv(session, "SELECT name, sorting_key, partition_key FROM system.tables WHERE database = 'otel' ORDER BY name");
    assert.deepEqual(keys.split("\n"), [
      "logs\tWorkspaceId, AppId, Timestamp\ttoDate(Timestamp)",
      "metrics_exp_histogram\tWorkspaceId, AppId, MetricName, TimeUnix\ttoDate(TimeUnix)",
      "metrics_gauge\tWorkspaceId, AppId, MetricName, TimeUnix\ttoDate(TimeUnix)",
      "metrics_histogram\tWorkspaceId, AppId, MetricName, TimeUnix\ttoDate(TimeUnix)",
      "metrics_sum\tWorkspaceId, AppId, MetricName, TimeUnix\ttoDate(TimeUnix)",
      "metrics_summary\tWorkspaceId, AppId, MetricName, TimeUnix\ttoDate(TimeUnix)",
      "schema_migrations\tversion\t",
      "traces\tWorkspaceId, AppId, Timestamp\ttoDate(Timestamp)",
    ]);
  });

  test("TTL: every table expires rows after the configured days, and changing retention re-times it", () => {
    for (const table of allTelemetryTables) {
      const ddl = tsv(session, `SELECT create_table_query FROM system.tables WHERE database = 'otel' AND name = '${table}'`);
      assert.match(ddl, /TTL toDateTime\((Timestamp|TimeUnix)\) \+ toIntervalDay\(7\)/, table);
    }
    session.query(
      exporterShapedInsert("logs", { ResourceAttributes: tenant("ws-ttl", "app-ttl"), Timestamp: "now64(9) - INTERVAL 10 DAY" }),
    );
    session.query(exporterShapedInsert("logs", { ResourceAttributes: tenant("ws-ttl", "app-ttl") }));
    session.query("OPTIMIZE TABLE otel.logs FINAL");
    assert.equal(count(session, "SELECT count() FROM otel.logs WHERE AppId = 'app-ttl'"), 1, "the 10-day-old row is gone, today's stays");

    for (const statement of retentionStatements(30)) session.query(statement);
    assert.match(
      tsv(session, "SELECT create_table_query FROM system.tables WHERE database = 'otel' AND name = 'traces'"),
      /toIntervalDay\(30\)/,
    );
    for (const statement of retentionStatements(7)) session.query(statement);
  });
});

describe("tenant pruning: app- and workspace-scoped queries read only their tenant's granules", () => {
  let session: Session;
  const apps = 200;
  const rows = 400_000;
  before(() => {
    session = new Session();
    applySchema(session, 7);
    // 200 apps in 20 workspaces, rows interleaved in time as they would arrive.
    session.query(
      exporterShapedInsert(
        "logs",
        {
          Timestamp: "now64(9) - toIntervalSecond(number % 3600)",
          Body: "concat('request ', toString(number))",
          ResourceAttributes: `map('${tenantAttributes.workspaceId}', concat('ws-', toString(number % ${apps} % 20)), '${tenantAttributes.appId}', concat('app-', toString(number % ${apps})))`,
        },
        rows,
      ),
    );
    session.query("OPTIMIZE TABLE otel.logs FINAL");
  });
  after(() => session.cleanup());

  /** Rows the server read to answer `sql`, from the JSON format's statistics. */
  const rowsRead = (sql: string) => (JSON.parse(session.query(sql, "JSON")) as { statistics: { rows_read: number } }).statistics.rows_read;

  test("the primary key, not a scan, answers an app-scoped query", () => {
    const plan = tsv(session, "EXPLAIN indexes = 1 SELECT count() FROM otel.logs WHERE WorkspaceId = 'ws-7' AND AppId = 'app-7'");
    assert.match(plan, /PrimaryKey[\s\S]*Keys:[\s\S]*WorkspaceId[\s\S]*AppId/);
    const granules = /PrimaryKey[\s\S]*?Granules: (\d+)\/(\d+)/.exec(plan);
    assert.ok(granules, plan);
    assert.ok(Number(granules[1]) <= 2, `an app's 2,000 rows span at most 2 granules, read ${granules[1]} of ${granules[2]}`);
  });

  test("rows read drop by more than 20x for an app and by more than 5x for a workspace", () => {
    const total = rowsRead("SELECT count() FROM otel.logs WHERE Timestamp > now() - INTERVAL 1 HOUR");
    const app = rowsRead(
      "SELECT count() FROM otel.logs WHERE WorkspaceId = 'ws-7' AND AppId = 'app-7' AND Timestamp > now() - INTERVAL 1 HOUR",
    );
    const workspace = rowsRead("SELECT count() FROM otel.logs WHERE WorkspaceId = 'ws-7' AND Timestamp > now() - INTERVAL 1 HOUR");
    assert.equal(total, rows);
    assert.ok(app * 20 < total, `app-scoped read ${app} of ${total} rows`);
    assert.ok(workspace * 5 < total, `workspace-scoped read ${workspace} of ${total} rows`);
    assert.equal(count(session, "SELECT count() FROM otel.logs WHERE WorkspaceId = 'ws-7' AND AppId = 'app-7'"), rows / apps);
  });

  test("body search on whole words uses the token skip index", () => {
    const plan = tsv(session, "EXPLAIN indexes = 1 SELECT count() FROM otel.logs WHERE AppId = 'app-7' AND hasToken(lower(Body), '12345')");
    assert.match(plan, /Skip[\s\S]*idx_body/);
  });
});

describe("tenant pruning on traces and metrics: an app's rows are a few granules, not a scan", () => {
  let session: Session;
  const apps = 200;
  const rows = 200_000;
  const tenantOf = `map('${tenantAttributes.workspaceId}', concat('ws-', toString(number % ${apps} % 20)), '${tenantAttributes.appId}', concat('app-', toString(number % ${apps})))`;
  before(() => {
    session = new Session();
    applySchema(session, 7);
    // Rows interleaved in time across 200 apps, as a busy collector writes them.
    session.query(
      exporterShapedInsert("traces", { Timestamp: "now64(9) - toIntervalSecond(number % 3600)", ResourceAttributes: tenantOf }, rows),
    );
    session.query(
      exporterShapedInsert(
        "metrics_gauge",
        { TimeUnix: "now64(9) - toIntervalSecond(number % 3600)", MetricName: "'k8s.pod.cpu.usage'", ResourceAttributes: tenantOf },
        rows,
      ),
    );
    session.query("OPTIMIZE TABLE otel.traces FINAL");
    session.query("OPTIMIZE TABLE otel.metrics_gauge FINAL");
  });
  after(() => session.cleanup());

  const rowsRead = (sql: string) => (JSON.parse(session.query(sql, "JSON")) as { statistics: { rows_read: number } }).statistics.rows_read;

  for (const [table, time] of [
    ["traces", "Timestamp"],
    ["metrics_gauge", "TimeUnix"],
  ] as const) {
    test(`${table}: an app's last hour reads at most 2 granules of ${rows} rows`, () => {
      const scoped = rowsRead(
        `SELECT count() FROM otel.${table} WHERE WorkspaceId = 'ws-7' AND AppId = 'app-7' AND ${time} > now() - INTERVAL 1 HOUR`,
      );
      assert.equal(count(session, `SELECT count() FROM otel.${table} WHERE WorkspaceId = 'ws-7' AND AppId = 'app-7'`), rows / apps);
      assert.ok(scoped <= 2 * 8192, `app-scoped read ${scoped} of ${rows} rows`);
    });
  }
});

describe("tenant deletion removes exactly one tenant's telemetry", () => {
  let session: Session;
  const perTenant = (table: TelemetryTable) =>
    session
      .query(`SELECT WorkspaceId, AppId, count() FROM ${qualified(table)} GROUP BY WorkspaceId, AppId ORDER BY WorkspaceId, AppId`, "TSV")
      .replace(/\n$/, "");

  before(() => {
    session = new Session();
    applySchema(session, 7);
    for (const table of allTelemetryTables) {
      for (const [workspace, app] of [
        ["ws-a", "app-1"],
        ["ws-a", "app-2"],
        ["ws-b", "app-3"],
      ]) {
        session.query(exporterShapedInsert(table, { ResourceAttributes: tenant(workspace, app) }, 5));
      }
      // The platform's own telemetry: no tenant.
      session.query(exporterShapedInsert(table, {}, 5));
    }
  });
  after(() => session.cleanup());

  test("deleting an app leaves its workspace siblings, other workspaces and platform rows untouched", () => {
    for (const statement of tenantDeletionStatements({ appId: "app-1" })) session.query(statement);
    for (const table of allTelemetryTables) assert.equal(perTenant(table), "\t\t5\nws-a\tapp-2\t5\nws-b\tapp-3\t5", table);
  });

  test("deleting a workspace removes all of its apps and nothing else", () => {
    for (const statement of tenantDeletionStatements({ workspaceId: "ws-a" })) session.query(statement);
    for (const table of allTelemetryTables) assert.equal(perTenant(table), "\t\t5\nws-b\tapp-3\t5", table);
  });

  for (const id of ["", " ", "app'; DROP TABLE otel.logs; --", "a b"]) {
    test(`refuses an id that is not a tenant id: ${JSON.stringify(id)}`, () => {
      assert.throws(() => tenantDeletionStatements({ appId: id }), /not a tenant id/);
    });
  }
});

/**
 * The Job's own runner (migrate.sh), run by /bin/sh with `clickhouse-client` replaced by a shim that executes
 * each query on chdb with a data directory kept between calls: the same script, the same files, real ClickHouse.
 */
describe("the migration Job's runner script", () => {
  const work = mkdtempSync(join(tmpdir(), "loco-migrate-"));
  const migrationsDir = join(work, "migrations");
  const bin = join(work, "bin");
  const shim = `#!/usr/bin/env node
const { Session } = require(${JSON.stringify(join(projectDir, "node_modules", "chdb"))});
const args = process.argv.slice(2);
const q = args.indexOf("--query");
const text = q >= 0 ? args[q + 1] : require("node:fs").readFileSync(0, "utf8");
const session = new Session(${JSON.stringify(join(work, "data"))});
try {
  for (const statement of text.split(/;\\s*\\n/).map((s) => s.trim()).filter(Boolean)) process.stdout.write(session.query(statement, "TSV"));
} catch (error) { process.stderr.write(String(error.message) + "\\n"); process.exitCode = 1; } finally { session.close(); }
`;
  const run = () =>
    spawnSync("/bin/sh", [join(migrationsDir, migrationRunner)], {
      encoding: "utf8",
      env: {
        ...process.env,
        PATH: `${bin}:${process.env.PATH}`,
        CLICKHOUSE_HOST: "h",
        CLICKHOUSE_PORT: "9000",
        CLICKHOUSE_USER: "u",
        CLICKHOUSE_PASSWORD: "p",
      },
    });

  before(() => {
    mkdirSync(bin);
    writeFileSync(join(bin, "clickhouse-client"), shim);
    chmodSync(join(bin, "clickhouse-client"), 0o755);
    const bundle = migrationBundle(7);
    const staging = join(work, "bundle");
    mkdirSync(staging);
    for (const [name, content] of Object.entries(bundle.files)) writeFileSync(join(staging, name), content);
    cpSync(staging, migrationsDir, { recursive: true });
  });

  test("applies every migration once, then finds the schema up to date", () => {
    // The script reads its files from the Job's mount path; point it at the test copy.
    const script = readFileSync(join(migrationsDir, migrationRunner), "utf8").replace('dir="/migrations"', `dir="${migrationsDir}"`);
    writeFileSync(join(migrationsDir, migrationRunner), script);
    const first = run();
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /applying migration 1 \(logs\)[\s\S]*applying migration 3 \(metrics\)[\s\S]*up to date/);
    const second = run();
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /migration 1 \(logs\) already applied/);
    assert.doesNotMatch(second.stdout, /applying/);
  });

  test("stops when a released migration was edited after it was applied", () => {
    const tsvPath = join(migrationsDir, "migrations.tsv");
    writeFileSync(tsvPath, readFileSync(tsvPath, "utf8").replace(/^2\ttraces\t[0-9a-f]+$/m, "2\ttraces\t0000000000000000"));
    const result = run();
    assert.equal(result.status, 1);
    assert.match(result.stderr, /migration 2 \(traces\) changed after it was applied/);
  });
});

describe("npm run clickhouse:schema", () => {
  test("prints the DDL the Job applies for the given retention", async () => {
    const result = await clickhouseSchemaCommand(["--retention-days", "30"]);
    assert.equal(result.code, 0);
    // What it prints runs on ClickHouse as it is, and leaves every owned table expiring after 30 days.
    const printed = new Session();
    try {
      const statements = result.stdout
        .split(/;\s*\n/)
        .map((statement) => statement.replace(/^--.*$/gm, "").trim())
        .filter(Boolean);
      for (const statement of statements) printed.query(statement);
      assert.equal(
        tsv(
          printed,
          "SELECT groupArray(name) FROM (SELECT name FROM system.tables WHERE database = 'otel' AND create_table_query LIKE '%TTL toDateTime(%) + toIntervalDay(30)%' ORDER BY name)",
        ),
        "['logs','metrics_exp_histogram','metrics_gauge','metrics_histogram','metrics_sum','metrics_summary','traces']",
      );
    } finally {
      printed.cleanup();
    }
  });

  test("prints one tenant's deletion SQL", async () => {
    const result = await clickhouseSchemaCommand(["--delete-workspace", "ws-1"]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout.split("\n").length, allTelemetryTables.length);
  });

  for (const argv of [["--retention-days", "0"], ["--retention-days", "abc"], [], ["--retention-days", "7", "--delete-app", "a"]]) {
    test(`refuses ${JSON.stringify(argv)} as a bad command line (exit 64)`, async () => {
      const result = await clickhouseSchemaCommand(argv);
      assert.equal(result.code, 64);
      assert.match(result.stderr, /^error: .*\nRun `npm run clickhouse:schema -- --help` for the options\.$/);
    });
  }
});
