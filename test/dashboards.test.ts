/**
 * The provisioned dashboards and alert rules: every query names the tenant columns it scopes by, and every query
 * runs on real ClickHouse (chdb) against the owned schema once Grafana's macros and variables are filled in: on an
 * empty database, and on seeded telemetry where each query's answer is known row by row (4xx next to 5xx, client
 * next to server spans, other tenants, the platform's own rows, rows just outside each time window).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Session } from "chdb";
import { bootstrapStatements, migrations, retentionStatements } from "../observability/clickhouse-schema";
import { exporterShapedInsert } from "../observability/exporter-columns";
import { alertRules, clickhouseDatasourceUid, loadDashboards } from "../observability/grafana-provisioning";

interface Target {
  readonly rawSql: string;
  readonly datasource: { readonly uid: string };
}
interface Panel {
  readonly title: string;
  readonly targets?: Target[];
}

const dashboards = loadDashboards().map((d) => ({
  ...d,
  parsed: JSON.parse(d.json) as { panels: Panel[]; templating: { list: { query?: string; type: string }[] } },
}));
const queries = (d: (typeof dashboards)[number]) => [
  ...d.parsed.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: `${d.file} panel "${p.title}"`, sql: t.rawSql, uid: t.datasource.uid })),
  ),
  ...d.parsed.templating.list
    .filter((v) => v.type === "query")
    .map((v) => ({ where: `${d.file} variable`, sql: v.query as string, uid: clickhouseDatasourceUid })),
];

/** What Grafana and the ClickHouse plugin substitute before sending a query: the last hour, one-minute buckets. */
function expand(sql: string, search = "timeout"): string {
  return sql
    .replace(/\$__timeFilter\((\w+)\)/g, "$1 >= now() - INTERVAL 1 HOUR AND $1 <= now()")
    .replace(/\$__timeInterval\((\w+)\)/g, "toStartOfInterval(toDateTime($1), INTERVAL 60 second)")
    .replace(/\$__interval_s/g, "60")
    .replace(/\$\{workspace_id\}/g, "ws-1")
    .replace(/\$\{app_id\}/g, "app-1")
    .replace(/\$\{search\}/g, search);
}

const emptySchema = () => {
  const session = new Session();
  for (const s of [...bootstrapStatements(), ...migrations.flatMap((m) => m.statements), ...retentionStatements(7)]) session.query(s);
  return session;
};

describe("dashboards", () => {
  test("there is a per-app, a per-workspace and an admin dashboard, all on the provisioned ClickHouse datasource", () => {
    assert.deepEqual(dashboards.map((d) => d.uid).sort(), ["loco-admin", "loco-app", "loco-workspace"]);
    for (const d of dashboards) for (const q of queries(d)) assert.equal(q.uid, clickhouseDatasourceUid, q.where);
  });

  test("per-app panels filter on WorkspaceId and AppId, per-workspace panels on WorkspaceId", () => {
    for (const d of dashboards) {
      for (const q of queries(d).filter((q) => !q.where.endsWith("variable"))) {
        if (d.uid === "loco-app") assert.match(q.sql, /WorkspaceId = '\$\{workspace_id\}' AND AppId = '\$\{app_id\}'/, q.where);
        if (d.uid === "loco-workspace") assert.match(q.sql, /WorkspaceId = '\$\{workspace_id\}'/, q.where);
      }
    }
    const admin = queries(dashboards.find((d) => d.uid === "loco-admin")!);
    assert.ok(
      admin.some((q) => /GROUP BY OrgId, WorkspaceId, AppName/.test(q.sql)),
      "the admin overview breaks ingest down by tenant",
    );
  });
});

describe("every dashboard and alert query on an empty database", () => {
  let session: Session;
  before(() => (session = emptySchema()));
  after(() => session.cleanup());

  test("dashboard queries run", () => {
    for (const d of dashboards) for (const q of queries(d)) assert.doesNotThrow(() => session.query(expand(q.sql)), q.where);
  });

  test("alert rules: ingest stopped fires on an empty database, the 5xx rule returns no row", () => {
    assert.deepEqual(alertRules.map((r) => r.uid).sort(), ["loco-app-5xx-rate", "loco-ingest-stopped"]);
    const ingest = alertRules.find((r) => r.uid === "loco-ingest-stopped")!;
    assert.equal(session.query(ingest.sql, "TSV").trim(), "0");
    const errors = alertRules.find((r) => r.uid === "loco-app-5xx-rate")!;
    assert.match(errors.sql, /GROUP BY WorkspaceId, AppId, AppName/);
    assert.equal(session.query(errors.sql, "TSV").trim(), "");
  });
});

/**
 * The seeded telemetry. Times are seconds from the start of the previous minute (`now` rounded down, minus one
 * minute), so every group falls in one one-minute bucket: 0 is the latest bucket (0-2 minutes old), -60 the one
 * before, -1200 and -1800 twenty and thirty minutes back (inside the dashboards' hour, outside the alerts' 5 and 10
 * minutes), -7200 two hours back (outside everything).
 */
interface Tenant {
  readonly org: string;
  readonly workspace: string;
  readonly app: string;
  readonly name: string;
}
const shop: Tenant = { org: "org-1", workspace: "ws-1", app: "app-1", name: "shop" };
const api: Tenant = { org: "org-1", workspace: "ws-1", app: "app-2", name: "api" };
const admin: Tenant = { org: "org-1", workspace: "ws-1", app: "app-3", name: "admin" };
const worker: Tenant = { org: "org-2", workspace: "ws-2", app: "app-4", name: "worker" };
const cron: Tenant = { org: "org-3", workspace: "ws-3", app: "app-5", name: "cron" };

interface Spans {
  readonly tenant?: Tenant;
  readonly at: number;
  readonly count: number;
  readonly status: number;
  readonly durationMs: number;
  readonly kind?: string;
}
const spans: readonly Spans[] = [
  { tenant: shop, at: -1800, count: 5, status: 500, durationMs: 200 },
  { tenant: shop, at: -60, count: 10, status: 200, durationMs: 100 },
  { tenant: shop, at: 0, count: 2, status: 503, durationMs: 100 },
  { tenant: shop, at: 0, count: 3, status: 404, durationMs: 100 },
  { tenant: shop, at: 0, count: 14, status: 200, durationMs: 100 },
  { tenant: shop, at: 0, count: 1, status: 200, durationMs: 900 },
  // Outgoing calls are not requests the app answered.
  { tenant: shop, at: 0, count: 5, status: 500, durationMs: 5000, kind: "Client" },
  { tenant: shop, at: -7200, count: 7, status: 500, durationMs: 100 },
  // 19 requests: under the 5xx rule's minimum of 20.
  { tenant: api, at: 0, count: 10, status: 500, durationMs: 50 },
  { tenant: api, at: 0, count: 9, status: 200, durationMs: 50 },
  // Only client errors: a 0% 5xx rate (a rule counting 4xx would see 100%).
  { tenant: admin, at: 0, count: 20, status: 404, durationMs: 10 },
  { tenant: worker, at: -1800, count: 25, status: 500, durationMs: 300, kind: "SPAN_KIND_SERVER" },
  // The platform's own spans (no tenant), e.g. Envoy's.
  { at: 0, count: 30, status: 500, durationMs: 1 },
];

interface Logs {
  readonly tenant?: Tenant;
  /** The first line's time; each further line one second later. */
  readonly at: number;
  readonly count: number;
  readonly severityNumber: number;
  readonly body: string;
}
const logs: readonly Logs[] = [
  { tenant: shop, at: -1799, count: 3, severityNumber: 9, body: "started" },
  { tenant: shop, at: 1, count: 4, severityNumber: 9, body: "GET /cart 200" },
  { tenant: shop, at: 5, count: 1, severityNumber: 13, body: "slow query" },
  { tenant: shop, at: 10, count: 1, severityNumber: 17, body: "upstream timeout after 30s" },
  { tenant: shop, at: 20, count: 1, severityNumber: 17, body: "upstream timeout after 30s" },
  { tenant: shop, at: -7200, count: 5, severityNumber: 17, body: "timeout" },
  { tenant: api, at: 30, count: 3, severityNumber: 21, body: "panic: nil map" },
  { tenant: api, at: 40, count: 6, severityNumber: 9, body: "ok" },
  { tenant: worker, at: -55, count: 2, severityNumber: 17, body: "job failed: timeout" },
  { at: 50, count: 8, severityNumber: 9, body: "platform line" },
];

interface Points {
  readonly table: "metrics_gauge" | "metrics_sum";
  readonly tenant?: Tenant;
  readonly at: number;
  readonly count: number;
}
const points: readonly Points[] = [
  { table: "metrics_gauge", tenant: shop, at: 0, count: 3 },
  { table: "metrics_gauge", tenant: api, at: 0, count: 2 },
  { table: "metrics_gauge", tenant: worker, at: 0, count: 2 },
  // Reporting 20 minutes ago, not in the last 5: not running now.
  { table: "metrics_gauge", tenant: cron, at: -1200, count: 1 },
  { table: "metrics_gauge", at: 0, count: 4 },
  { table: "metrics_sum", tenant: shop, at: 0, count: 2 },
];

const sqlText = (text: string) => `'${text.replace(/'/g, "\\'")}'`;
/** Resource attributes as the collectors set them on a tenant pod's telemetry (keys spelled out, not imported). */
const resource = (tenant?: Tenant) =>
  tenant
    ? `map('loco.org.id', '${tenant.org}', 'loco.workspace.id', '${tenant.workspace}', 'loco.app.id', '${tenant.app}', 'loco.app.name', '${tenant.name}', 'loco.deployment.id', 'dep-${tenant.app}', 'k8s.pod.name', '${tenant.name}-7d9f')`
    : "map('service.name', 'envoy')";

/** A query's rows, numbers as numbers (JSON quotes 64-bit integers), floats rounded for comparison. */
type Row = (string | number)[];
const normalize = (value: unknown): string | number => {
  const n = typeof value === "number" ? value : typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : undefined;
  return n === undefined ? String(value) : Math.round(n * 1e9) / 1e9;
};

describe("every dashboard panel and alert rule on seeded telemetry returns exactly the rows the data implies", () => {
  let session: Session;
  /** Unix seconds of offset 0, and the one-minute buckets as ClickHouse prints them. */
  let base: number;
  const bucket = new Map<number, string>();
  /** An instant as a DateTime64(9) column prints. */
  const instant = new Map<number, string>();
  const rows = (sql: string): Row[] =>
    (JSON.parse(session.query(sql, "JSONCompact")) as { data: unknown[][] }).data.map((row) => row.map(normalize));

  before(() => {
    session = emptySchema();
    base = Number(session.query("SELECT toUnixTimestamp(toStartOfMinute(now())) - 60", "TSV").trim());
    for (const at of [0, -60, -1200, -1800]) bucket.set(at, session.query(`SELECT toDateTime(${base + at})`, "TSV").trim());
    for (const at of [-1799, -1798, -1797, 1, 2, 3, 4, 5, 10, 20, 30, 31, 32])
      instant.set(at, session.query(`SELECT toDateTime64(${base + at}, 9)`, "TSV").trim());
    for (const s of spans) {
      session.query(
        exporterShapedInsert(
          "traces",
          {
            Timestamp: `toDateTime64(${base + s.at} + number % 50, 9)`,
            ResourceAttributes: resource(s.tenant),
            SpanKind: sqlText(s.kind ?? "Server"),
            SpanAttributes: `map('http.response.status_code', '${s.status}')`,
            Duration: String(s.durationMs * 1_000_000),
          },
          s.count,
        ),
      );
    }
    for (const l of logs) {
      session.query(
        exporterShapedInsert(
          "logs",
          {
            Timestamp: `toDateTime64(${base + l.at} + number, 9)`,
            ResourceAttributes: resource(l.tenant),
            SeverityNumber: String(l.severityNumber),
            Body: sqlText(l.body),
          },
          l.count,
        ),
      );
    }
    for (const p of points) {
      session.query(
        exporterShapedInsert(
          p.table,
          {
            TimeUnix: `toDateTime64(${base + p.at} + number, 9)`,
            ResourceAttributes: resource(p.tenant),
            MetricName: "'k8s.pod.cpu.usage'",
          },
          p.count,
        ),
      );
    }
  });
  after(() => session.cleanup());

  const t = (at: number) => bucket.get(at) as string;
  const ts = (at: number) => instant.get(at) as string;

  /** Per panel (and variable): what it must return. `any` order where the query's ORDER BY leaves ties. */
  const expected = (): Record<string, { rows: Row[]; order: "as returned" | "any"; search?: string }> => ({
    'loco-admin panel "Apps running (pods reporting in the last 5 minutes)"': { rows: [[3]], order: "as returned" },
    'loco-admin panel "Workspaces with running apps"': { rows: [[2]], order: "as returned" },
    'loco-admin panel "Requests in range"': { rows: [[5 + 10 + 20 + 19 + 20 + 25 + 30]], order: "as returned" },
    'loco-admin panel "Log lines in range"': { rows: [[10 + 9 + 2 + 8]], order: "as returned" },
    'loco-admin panel "Requests per second being handled, by workspace"': {
      rows: [
        [t(-1800), "ws-1", 5 / 60],
        [t(-1800), "ws-2", 25 / 60],
        [t(-60), "ws-1", 10 / 60],
        [t(0), "(platform)", 30 / 60],
        [t(0), "ws-1", (20 + 19 + 20) / 60],
      ],
      order: "any",
    },
    'loco-admin panel "Ingest volume by tenant (rows and log bytes in range)"': {
      rows: [
        ["org-1", "ws-1", "shop", 10 + 40 + 3 + 2, "135.00 B"],
        ["", "", "", 8 + 30 + 4, "104.00 B"],
        ["org-1", "ws-1", "api", 9 + 19 + 2, "54.00 B"],
        ["org-2", "ws-2", "worker", 2 + 25 + 2, "38.00 B"],
        ["org-1", "ws-1", "admin", 20, "0.00 B"],
        ["org-3", "ws-3", "cron", 1, "0.00 B"],
      ],
      order: "as returned",
    },
    'loco-admin panel "Ingest rate (rows per second) by signal"': {
      rows: [
        [t(-1800), "logs", 3 / 60],
        [t(-1800), "traces", 30 / 60],
        [t(-1200), "metrics", 1 / 60],
        [t(-60), "logs", 2 / 60],
        [t(-60), "traces", 10 / 60],
        [t(0), "logs", 24 / 60],
        [t(0), "metrics", 11 / 60],
        [t(0), "traces", 94 / 60],
      ],
      order: "any",
    },
    'loco-app panel "Requests per second"': {
      rows: [
        [t(-1800), 5 / 60],
        [t(-60), 10 / 60],
        [t(0), 20 / 60],
      ],
      order: "as returned",
    },
    // 19 spans of 100 ms and one of 900 ms: ClickHouse interpolates p95 and p99 between them.
    'loco-app panel "Latency (ms)"': {
      rows: [
        [t(-1800), 200, 200, 200],
        [t(-60), 100, 100, 100],
        [t(0), 100, 100 + 0.95 * 19 * 800 - 18 * 800, 100 + 0.99 * 19 * 800 - 18 * 800],
      ],
      order: "as returned",
    },
    'loco-app panel "Errors: 5xx share of requests"': {
      rows: [
        [t(-1800), 1],
        [t(-60), 0],
        [t(0), 2 / 20],
      ],
      order: "as returned",
    },
    'loco-app panel "Log lines by severity"': {
      rows: [
        [t(-1800), "INFO", 3],
        [t(0), "ERROR", 2],
        [t(0), "INFO", 4],
        [t(0), "WARN", 1],
      ],
      order: "any",
    },
    'loco-app panel "Logs"': {
      rows: [
        [ts(20), "upstream timeout after 30s", "ERROR", "dep-app-1", "shop-7d9f"],
        [ts(10), "upstream timeout after 30s", "ERROR", "dep-app-1", "shop-7d9f"],
      ],
      order: "as returned",
    },
    // An empty search box shows every line of the hour, newest first.
    'loco-app panel "Logs" (no search)': {
      rows: [
        [ts(20), "upstream timeout after 30s", "ERROR", "dep-app-1", "shop-7d9f"],
        [ts(10), "upstream timeout after 30s", "ERROR", "dep-app-1", "shop-7d9f"],
        [ts(5), "slow query", "WARN", "dep-app-1", "shop-7d9f"],
        [ts(4), "GET /cart 200", "INFO", "dep-app-1", "shop-7d9f"],
        [ts(3), "GET /cart 200", "INFO", "dep-app-1", "shop-7d9f"],
        [ts(2), "GET /cart 200", "INFO", "dep-app-1", "shop-7d9f"],
        [ts(1), "GET /cart 200", "INFO", "dep-app-1", "shop-7d9f"],
        [ts(-1797), "started", "INFO", "dep-app-1", "shop-7d9f"],
        [ts(-1798), "started", "INFO", "dep-app-1", "shop-7d9f"],
        [ts(-1799), "started", "INFO", "dep-app-1", "shop-7d9f"],
      ],
      order: "as returned",
      search: "",
    },
    "loco-app variable workspace_id": { rows: [["ws-1"], ["ws-2"]], order: "any" },
    "loco-app variable app_id": { rows: [["app-1"], ["app-2"]], order: "any" },
    'loco-workspace panel "Requests per second by app"': {
      rows: [
        [t(-1800), "shop", 5 / 60],
        [t(-60), "shop", 10 / 60],
        [t(0), "admin", 20 / 60],
        [t(0), "api", 19 / 60],
        [t(0), "shop", 20 / 60],
      ],
      order: "any",
    },
    'loco-workspace panel "5xx share by app"': {
      rows: [
        [t(-1800), "shop", 1],
        [t(-60), "shop", 0],
        [t(0), "admin", 0],
        [t(0), "api", 10 / 19],
        [t(0), "shop", 2 / 20],
      ],
      order: "any",
    },
    // shop's 35 requests: 29 of 100 ms, 5 of 200 ms, 1 of 900 ms; its p95 falls among the 200s.
    'loco-workspace panel "Apps: requests, p95 latency, errors"': {
      rows: [
        ["shop", "app-1", 35, 200, 5 + 2],
        ["admin", "app-3", 20, 10, 0],
        ["api", "app-2", 19, 50, 10],
      ],
      order: "as returned",
    },
    'loco-workspace panel "Log volume by app and severity"': {
      rows: [
        ["shop", "INFO", 7],
        ["api", "INFO", 6],
        ["api", "FATAL", 3],
        ["shop", "ERROR", 2],
        ["shop", "WARN", 1],
      ],
      order: "as returned",
    },
    'loco-workspace panel "Latest errors"': {
      rows: [
        [ts(32), "panic: nil map", "FATAL", "api"],
        [ts(31), "panic: nil map", "FATAL", "api"],
        [ts(30), "panic: nil map", "FATAL", "api"],
        [ts(20), "upstream timeout after 30s", "ERROR", "shop"],
        [ts(10), "upstream timeout after 30s", "ERROR", "shop"],
      ],
      order: "as returned",
    },
    "loco-workspace variable workspace_id": { rows: [["ws-1"], ["ws-2"]], order: "any" },
  });

  /** Every panel and variable query, keyed as in {@link expected}. */
  const allQueries = () =>
    dashboards.flatMap((d) => [
      ...d.parsed.panels.flatMap((p) => (p.targets ?? []).map((target) => ({ key: `${d.uid} panel "${p.title}"`, sql: target.rawSql }))),
      ...d.parsed.templating.list
        .filter((v) => v.type === "query")
        .map((v) => ({ key: `${d.uid} variable ${(v as { name?: string }).name}`, sql: v.query as string })),
    ]);

  test("every panel and variable has an expectation (a new panel must say what it returns)", () => {
    const keys = Object.keys(expected()).map((key) => key.replace(/ \(no search\)$/, ""));
    assert.deepEqual(
      [...new Set(keys)].sort(),
      allQueries()
        .map((q) => q.key)
        .sort(),
    );
  });

  test("dashboard panels and variables", () => {
    const sqlByKey = new Map(allQueries().map((q) => [q.key, q.sql]));
    const mismatches: { key: string; got: Row[]; want: Row[] }[] = [];
    for (const [key, want] of Object.entries(expected())) {
      const sql = sqlByKey.get(key.replace(/ \(no search\)$/, "")) as string;
      const got = rows(expand(sql, want.search));
      const sort = (list: Row[]) =>
        want.order === "any" ? [...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : list;
      const wanted = want.rows.map((row) => row.map(normalize));
      if (JSON.stringify(sort(got)) !== JSON.stringify(sort(wanted))) mismatches.push({ key, got: sort(got), want: sort(wanted) });
    }
    assert.deepEqual(mismatches, []);
  });

  test("the 5xx rule: one row per app with 20+ requests in 5 minutes, 5xx (not 4xx) over server spans; only shop fires", () => {
    const rule = alertRules.find((r) => r.uid === "loco-app-5xx-rate")!;
    const got = rows(rule.sql).sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    assert.deepEqual(got, [
      ["ws-1", "app-1", "shop", normalize(2 / 30)],
      ["ws-1", "app-3", "admin", 0],
    ]);
    const firing = got.filter((row) =>
      rule.threshold.type === "gt" ? Number(row[3]) > rule.threshold.value : Number(row[3]) < rule.threshold.value,
    );
    assert.deepEqual(
      firing.map((row) => row[2]),
      ["shop"],
    );
  });

  test("ingest stopped: counts the last 10 minutes of logs and kubelet metrics, and does not fire", () => {
    const rule = alertRules.find((r) => r.uid === "loco-ingest-stopped")!;
    const logLines = /* shop */ 4 + 1 + 1 + 1 + /* api */ 3 + 6 + /* platform */ 8 + /* worker, a minute earlier */ 2;
    const kubeletPoints = /* shop, api, worker, platform; not cron's, 20 minutes old */ 3 + 2 + 2 + 4;
    assert.deepEqual(rows(rule.sql), [[logLines + kubeletPoints]]);
    assert.deepEqual([rule.threshold.type, rule.threshold.value], ["lt", 1]);
  });

  test("the seeded data is what the expectations count (guards the fixture itself)", () => {
    assert.equal(Number(session.query("SELECT count() FROM otel.traces", "TSV")), 5 + 10 + 2 + 3 + 14 + 1 + 5 + 7 + 10 + 9 + 20 + 25 + 30);
    assert.equal(Number(session.query("SELECT count() FROM otel.logs", "TSV")), 3 + 4 + 1 + 1 + 1 + 5 + 3 + 6 + 2 + 8);
    assert.equal(Number(session.query("SELECT countIf(HttpStatusCode >= 500) FROM otel.traces", "TSV")), 5 + 2 + 5 + 7 + 10 + 25 + 30);
  });
});
