/**
 * What Grafana is provisioned with: the ClickHouse datasource, loco's dashboards (JSON files in
 * observability/dashboards/) and alerting (a webhook contact point and the platform's rules). Secrets never appear
 * here: the datasource password and a webhook URL holding a token are `$ENV_VAR` references, which Grafana expands
 * in provisioning files from the pod's environment (filled from Kubernetes Secrets).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { telemetryDatabase } from "./clickhouse-schema";

export const clickhouseDatasourceUid = "loco-clickhouse";
export const clickhouseDatasourceType = "grafana-clickhouse-datasource";
/** Installed before Grafana starts (GF_PLUGINS_PREINSTALL_SYNC), so the provisioned datasource resolves. */
export const clickhousePlugin = `${clickhouseDatasourceType}@4.23.5`;

/** Env vars the Grafana pod gets from Secrets; provisioning refers to them as `$NAME`. */
export const grafanaEnv = { clickhousePassword: "LOCO_CLICKHOUSE_PASSWORD", alertWebhookUrl: "LOCO_ALERT_WEBHOOK_URL" } as const;

export const dashboardsDir = join(__dirname, "dashboards");
export const dashboardFolder = "loco";

export interface Dashboard {
  readonly file: string;
  readonly uid: string;
  readonly title: string;
  readonly json: string;
}

/** Every dashboard in observability/dashboards, by file name. */
export function loadDashboards(dir = dashboardsDir): Dashboard[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => {
      const json = readFileSync(join(dir, file), "utf8");
      const parsed = JSON.parse(json) as { uid?: string; title?: string };
      if (!parsed.uid || !parsed.title) throw new Error(`dashboard ${file} needs a uid and a title`);
      return { file, uid: parsed.uid, title: parsed.title, json };
    });
}

export interface DatasourceArgs {
  /** ClickHouse Service host. */
  readonly host: string;
  readonly port: number;
  readonly user: string;
}

export function datasourceProvisioning(args: DatasourceArgs): Record<string, unknown> {
  return {
    apiVersion: 1,
    datasources: [
      {
        name: "ClickHouse",
        uid: clickhouseDatasourceUid,
        type: clickhouseDatasourceType,
        isDefault: true,
        editable: false,
        jsonData: {
          host: args.host,
          port: args.port,
          protocol: "native",
          secure: false,
          username: args.user,
          defaultDatabase: telemetryDatabase,
          logs: { defaultDatabase: telemetryDatabase, defaultTable: "logs", otelEnabled: true },
          traces: { defaultDatabase: telemetryDatabase, defaultTable: "traces", otelEnabled: true },
        },
        secureJsonData: { password: `$${grafanaEnv.clickhousePassword}` },
      },
    ],
  };
}

export function dashboardProviders(): Record<string, unknown> {
  return {
    apiVersion: 1,
    providers: [
      {
        name: dashboardFolder,
        orgId: 1,
        folder: "loco",
        type: "file",
        // Provisioned from git: edits in the UI would be lost on the next deploy, so they are refused.
        disableDeletion: true,
        editable: false,
        allowUiUpdates: false,
        options: { path: `/var/lib/grafana/dashboards/${dashboardFolder}` },
      },
    ],
  };
}

/** Where alerts go: a plain URL from config, or the secret one through the pod's environment. */
export type AlertWebhook = { readonly kind: "url"; readonly url: string } | { readonly kind: "secret" } | { readonly kind: "none" };

export const contactPointName = "loco-webhook";

const serverSpans = "SpanKind IN ('Server', 'SPAN_KIND_SERVER')";

export interface AlertRule {
  readonly uid: string;
  readonly title: string;
  /** ClickHouse SQL returning one numeric column (and string label columns, one series per row). */
  readonly sql: string;
  /** Seconds of data the query looks at, for Grafana's relative time range. */
  readonly lookbackSeconds: number;
  readonly threshold: { readonly type: "gt" | "lt"; readonly value: number };
  readonly forDuration: string;
  /** What no rows means: silence is an alert for ingest, normal for a quiet app. */
  readonly noDataState: "Alerting" | "OK";
  readonly summary: string;
}

export const alertRules: readonly AlertRule[] = [
  {
    uid: "loco-ingest-stopped",
    title: "Telemetry ingest stopped",
    sql: `SELECT (SELECT count() FROM ${telemetryDatabase}.logs WHERE Timestamp > now() - INTERVAL 10 MINUTE) + (SELECT count() FROM ${telemetryDatabase}.metrics_gauge WHERE TimeUnix > now() - INTERVAL 10 MINUTE) AS rows_ingested`,
    lookbackSeconds: 600,
    threshold: { type: "lt", value: 1 },
    forDuration: "5m",
    noDataState: "Alerting",
    summary:
      "No log line and no kubelet metric reached ClickHouse in 10 minutes: the collectors, the gateway or ClickHouse is down (kubelet stats alone arrive every 30 seconds).",
  },
  {
    uid: "loco-app-5xx-rate",
    title: "App 5xx rate above 5%",
    sql: `SELECT WorkspaceId, AppId, AppName, countIf(HttpStatusCode >= 500) / count() AS error_ratio FROM ${telemetryDatabase}.traces WHERE Timestamp > now() - INTERVAL 5 MINUTE AND ${serverSpans} AND AppId != '' GROUP BY WorkspaceId, AppId, AppName HAVING count() >= 20`,
    lookbackSeconds: 300,
    threshold: { type: "gt", value: 0.05 },
    forDuration: "5m",
    noDataState: "OK",
    summary: "More than 5% of an app's requests answered 5xx over 5 minutes (apps with at least 20 requests).",
  },
];

function rule(r: AlertRule): Record<string, unknown> {
  return {
    uid: r.uid,
    title: r.title,
    condition: "B",
    data: [
      {
        refId: "A",
        datasourceUid: clickhouseDatasourceUid,
        relativeTimeRange: { from: r.lookbackSeconds, to: 0 },
        model: { refId: "A", editorType: "sql", format: 1, queryType: "table", rawSql: r.sql },
      },
      {
        refId: "B",
        datasourceUid: "__expr__",
        model: {
          refId: "B",
          type: "threshold",
          expression: "A",
          conditions: [{ evaluator: { type: r.threshold.type, params: [r.threshold.value] } }],
        },
      },
    ],
    noDataState: r.noDataState,
    execErrState: "Error",
    for: r.forDuration,
    annotations: { summary: r.summary },
    labels: { team: "platform" },
  };
}

export function alertingProvisioning(webhook: AlertWebhook): Record<string, unknown> {
  const files: Record<string, unknown> = {
    "rules.yaml": {
      apiVersion: 1,
      groups: [{ orgId: 1, name: "loco-platform", folder: "loco", interval: "1m", rules: alertRules.map(rule) }],
    },
  };
  if (webhook.kind === "none") return files;
  const url = webhook.kind === "url" ? webhook.url : `$${grafanaEnv.alertWebhookUrl}`;
  return {
    ...files,
    "contactpoints.yaml": {
      apiVersion: 1,
      contactPoints: [
        {
          orgId: 1,
          name: contactPointName,
          receivers: [{ uid: contactPointName, type: "webhook", settings: { url, httpMethod: "POST" } }],
        },
      ],
    },
    "policies.yaml": { apiVersion: 1, policies: [{ orgId: 1, receiver: contactPointName, group_by: ["grafana_folder", "alertname"] }] },
  };
}
