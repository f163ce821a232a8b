/**
 * The observability layer: ClickHouse with loco's schema, the OpenTelemetry collectors, Grafana; and, where the
 * environment has Spaces, a bucket the telemetry database is backed up to daily.
 */
import * as pulumi from "@pulumi/pulumi";
import { ClickHouse } from "../components/clickhouse";
import { Grafana } from "../components/grafana";
import { platformNamespace } from "../components/namespace";
import { ObjectStorageBucket } from "../components/object-storage";
import { OtelCollectors } from "../components/otel-collectors";
import { GeneratedSecret } from "../components/secrets";
import { platformRoutesLabel } from "../lib/shared-gateway";
import type { StackConfig } from "./config";
import { rotationPolicy, type Foundation } from "./platform";
import { platformNamespaces } from "../lib/platform-namespaces";

/** The agent mounts host paths, which only a privileged namespace admits; it gets one of its own. */
export const observabilityNamespaces = { main: platformNamespaces.observability, agent: platformNamespaces.observabilityAgent } as const;

const clickhouseUsers = { writer: "otel", reader: "grafana" } as const;

export function observability(
  config: StackConfig,
  foundation: Foundation,
  routesReady: pulumi.Resource[],
): { outputs: Record<string, unknown> } {
  const settings = config.observability;
  const providers = [foundation.kubernetes];
  const secret = (credential: string) => new GeneratedSecret(credential, { rotation: rotationPolicy(config, credential) });
  const credentials = {
    admin: secret("clickhouseAdminPassword"),
    writer: secret("clickhouseWriterPassword"),
    reader: secret("clickhouseReaderPassword"),
    grafana: secret("grafanaAdminPassword"),
  };

  const main = platformNamespace(
    observabilityNamespaces.main,
    // ClickHouse's pods do not meet "restricted"; nothing here needs more than "baseline".
    { podSecurity: "baseline", labels: { [platformRoutesLabel.key]: platformRoutesLabel.value } },
    { provider: foundation.kubernetes },
  );
  const agentNamespace = platformNamespace(
    observabilityNamespaces.agent,
    { podSecurity: "privileged" },
    { provider: foundation.kubernetes },
  );

  const backups =
    foundation.objectStorage && settings.backups.enabled
      ? new ObjectStorageBucket(
          "telemetry-backups",
          {
            region: foundation.objectStorage.region,
            namePrefix: `loco-${config.stack}-telemetry`,
            protect: foundation.objectStorage.protect,
            expireAfterDays: settings.backups.keepDays,
          },
          { providers: [foundation.objectStorage.provider] },
        )
      : undefined;

  const clickhouse = new ClickHouse(
    "telemetry",
    {
      namespace: observabilityNamespaces.main,
      retentionDays: settings.retentionDays,
      cpu: settings.clickhouse.cpu,
      memory: settings.clickhouse.memory,
      storage: settings.clickhouse.storage,
      adminPassword: credentials.admin.value,
      writer: { user: clickhouseUsers.writer, password: credentials.writer.value },
      reader: { user: clickhouseUsers.reader, password: credentials.reader.value },
      credentialsIssuedAt: pulumi
        .all([credentials.admin.generatedAt, credentials.writer.generatedAt, credentials.reader.generatedAt])
        .apply((t) => t.join(",")),
      clientNamespaces: [observabilityNamespaces.main],
      backup: backups ? { bucket: backups.access, schedule: settings.backups.schedule } : undefined,
    },
    { providers, dependsOn: [main] },
  );

  const collectors = new OtelCollectors(
    "telemetry",
    {
      namespace: observabilityNamespaces.main,
      agentNamespace: observabilityNamespaces.agent,
      agent: settings.agent,
      gateway: settings.gateway,
      metricAllowList: settings.metricAllowList,
      clickhouse: clickhouse.connection,
      clickhouseUser: clickhouseUsers.writer,
      clickhousePasswordSecret: clickhouse.passwordSecrets.writer,
      credentialsIssuedAt: credentials.writer.generatedAt,
      schemaReady: [clickhouse.schema],
    },
    { providers, dependsOn: [main, agentNamespace] },
  );

  const grafana = new Grafana(
    "dashboards",
    {
      namespace: observabilityNamespaces.main,
      hostname: config.names.dashboards,
      cpu: settings.grafana.cpu,
      memory: settings.grafana.memory,
      adminPassword: credentials.grafana.value,
      clickhouse: clickhouse.connection,
      clickhouseUser: clickhouseUsers.reader,
      clickhousePasswordSecret: clickhouse.passwordSecrets.reader,
      credentialsIssuedAt: pulumi.all([credentials.grafana.generatedAt, credentials.reader.generatedAt]).apply((t) => t.join(",")),
      alertWebhook: { url: settings.alerting.webhookUrl, secretUrl: config.credentials.alertWebhookUrl },
      routesReady,
    },
    { providers, dependsOn: [main] },
  );

  return {
    outputs: {
      observability: {
        grafanaUrl: grafana.url,
        grafanaAdminPassword: credentials.grafana.value,
        clickhouse: clickhouse.connection,
        telemetry: collectors.endpoints,
        backupBucket: backups?.bucketName,
      },
    },
  };
}
