/**
 * The provisioned dashboards and alert rules: every query names the tenant columns it scopes by, and every query
 * runs on real ClickHouse (chdb) against the owned schema once Grafana's macros and variables are filled in.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Session } from "chdb";
import { bootstrapStatements, migrations, retentionStatements } from "../observability/clickhouse-schema";
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

/** What Grafana and the ClickHouse plugin substitute before sending a query. */
function expand(sql: string): string {
  return sql
    .replace(/\$__timeFilter\((\w+)\)/g, "$1 >= now() - INTERVAL 1 HOUR AND $1 <= now()")
    .replace(/\$__timeInterval\((\w+)\)/g, "toStartOfInterval(toDateTime($1), INTERVAL 60 second)")
    .replace(/\$__interval_s/g, "60")
    .replace(/\$\{workspace_id\}/g, "ws-1")
    .replace(/\$\{app_id\}/g, "app-1")
    .replace(/\$\{search\}/g, "timeout");
}

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

describe("every dashboard and alert query runs on the owned schema", () => {
  let session: Session;
  before(() => {
    session = new Session();
    for (const s of [...bootstrapStatements(), ...migrations.flatMap((m) => m.statements), ...retentionStatements(7)]) session.query(s);
  });
  after(() => session.cleanup());

  test("dashboard queries", () => {
    for (const d of dashboards) for (const q of queries(d)) assert.doesNotThrow(() => session.query(expand(q.sql)), q.where);
  });

  test("alert rules: ingest stopped fires on an empty database, the 5xx rule returns one row per app", () => {
    assert.deepEqual(alertRules.map((r) => r.uid).sort(), ["loco-app-5xx-rate", "loco-ingest-stopped"]);
    const ingest = alertRules.find((r) => r.uid === "loco-ingest-stopped")!;
    assert.equal(session.query(ingest.sql, "TSV").trim(), "0");
    const errors = alertRules.find((r) => r.uid === "loco-app-5xx-rate")!;
    assert.match(errors.sql, /GROUP BY WorkspaceId, AppId, AppName/);
    assert.equal(session.query(errors.sql, "TSV").trim(), "");
  });
});
