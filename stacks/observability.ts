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
import { platformNamespaces } from "../lib/platform-namespaces";
import { platformRoutesLabel } from "../lib/shared-gateway";
import type { StackConfig } from "./config";
import type { Foundation } from "./foundation";
import { alternatingUsersCredentials, alternatingUsersRotation, recordAlternatingUsers } from "./alternating-users-rotation";
import type { RotatingCredential } from "./rotating-credentials";
import { rotationPolicy } from "./rotation-policy";
import type { RotationRun } from "./rotation-state";

/** The agent mounts host paths, which only a privileged namespace admits; it gets one of its own. */
const observabilityNamespaces = { main: platformNamespaces.observability, agent: platformNamespaces.observabilityAgent } as const;

export interface ObservabilityLayerArgs {
  /** The stack's typed config (stacks/config.ts). */
  readonly config: StackConfig;
  /** Where the backups bucket goes (dev/prod); without object storage there are no backups. */
  readonly foundation: Foundation;
  /** What Grafana's HTTPRoute must wait for: the shared Gateway and its CRDs (the traffic layer's `routesReady`). */
  readonly routesReady: readonly pulumi.Resource[];
  /**
   * This run's rotations (stacks/rotation-state.ts): the backups bucket's Spaces key slots, the ClickHouse writer and
   * reader pairs.
   */
  readonly rotations: RotationRun;
}

export class ObservabilityLayer extends pulumi.ComponentResource {
  /** Stack output `observability`. */
  public readonly outputs: Record<string, unknown>;
  /** Entries of the stack output `rotation` (issue and due times only, no secret): read by `npm run rotate -- status`. */
  public readonly rotation: Partial<Record<RotatingCredential, { issuedAt: pulumi.Output<string>; dueAt: pulumi.Output<string> }>>;

  constructor(name: string, args: ObservabilityLayerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:layer:Observability", name, {}, opts);
    const { config, foundation } = args;
    const settings = config.observability;
    const child = { parent: this };
    const secret = (role: string, credential: RotatingCredential) =>
      new GeneratedSecret(`${name}-${role}`, { rotation: rotationPolicy(config, credential) }, child);
    const credentials = {
      admin: secret("clickhouse-admin-password", "clickhouseAdminPassword"),
      grafana: secret("grafana-admin-password", "grafanaAdminPassword"),
    };

    const main = platformNamespace(
      `${name}-namespace`,
      // ClickHouse's pods do not meet "restricted"; nothing here needs more than "baseline".
      {
        name: observabilityNamespaces.main,
        podSecurity: "baseline",
        labels: { [platformRoutesLabel.key]: platformRoutesLabel.value },
      },
      child,
    );
    const agentNamespace = platformNamespace(
      `${name}-agent-namespace`,
      { name: observabilityNamespaces.agent, podSecurity: "privileged" },
      child,
    );

    const backups =
      foundation.objectStorage && settings.backups.enabled
        ? new ObjectStorageBucket(
            `${name}-backups`,
            {
              region: foundation.objectStorage.region,
              namePrefix: `${config.environmentName}-telemetry`,
              protect: config.protect,
              expireAfterDays: settings.backups.keepDays,
              keySlots: args.rotations.twoSlotRotation("spacesKeys").next,
            },
            child,
          )
        : undefined;

    // The backup CronJob reads the key from its Secret on every run: the step is applied once the keys exist.
    if (backups) args.rotations.appliedBy("spacesKeys", backups.keys);

    const clickhouse = new ClickHouse(
      `${name}-clickhouse`,
      {
        namespace: observabilityNamespaces.main,
        retentionDays: settings.retentionDays,
        cpu: settings.clickhouse.cpu,
        memory: settings.clickhouse.memory,
        storage: settings.clickhouse.storage,
        adminPassword: credentials.admin.value,
        writer: {
          base: alternatingUsersCredentials.clickhouseWriterPassword,
          step: alternatingUsersRotation(args.rotations, "clickhouseWriterPassword"),
        },
        reader: {
          base: alternatingUsersCredentials.clickhouseReaderPassword,
          step: alternatingUsersRotation(args.rotations, "clickhouseReaderPassword"),
        },
        // Only `default` is in the server's configuration: a pair's rotation never restarts the server.
        credentialsIssuedAt: credentials.admin.generatedAt,
        clientNamespaces: [observabilityNamespaces.main],
        backup: backups ? { bucket: backups.access, schedule: settings.backups.schedule } : undefined,
      },
      // Its Secrets, release and Jobs go in the namespace, which its args name only as a string.
      { parent: this, dependsOn: [main] },
    );

    const { writer, reader } = clickhouse.users;
    const collectors = new OtelCollectors(
      `${name}-collectors`,
      {
        namespace: observabilityNamespaces.main,
        agentNamespace: observabilityNamespaces.agent,
        agent: settings.agent,
        gateway: settings.gateway,
        metricAllowList: settings.metricAllowList,
        clickhouse: clickhouse.connection,
        clickhouseUser: writer.activeUser,
        clickhousePasswordSecret: writer.passwordSecret,
        credentialsIssuedAt: writer.consumerStamp,
        schemaReady: [clickhouse.schema, ...writer.ready],
      },
      // The gateway and the agents go in these namespaces, which its args name only as strings.
      { parent: this, dependsOn: [main, agentNamespace] },
    );

    const grafana = new Grafana(
      `${name}-grafana`,
      {
        namespace: observabilityNamespaces.main,
        hostname: config.names.dashboards,
        cpu: settings.grafana.cpu,
        memory: settings.grafana.memory,
        adminPassword: credentials.grafana.value,
        apiUrl: settings.grafana.apiUrl,
        clickhouse: clickhouse.connection,
        clickhouseUser: reader.activeUser,
        clickhousePasswordSecret: reader.passwordSecret,
        clickhouseReady: reader.ready,
        credentialsIssuedAt: pulumi.interpolate`${credentials.grafana.generatedAt},${reader.consumerStamp}`,
        alertWebhook: { url: settings.alerting.webhookUrl, secretUrl: config.credentials.alertWebhookUrl },
        routesReady: args.routesReady,
      },
      // Its Secrets and release go in the namespace, which its args name only as a string.
      { parent: this, dependsOn: [main] },
    );

    // Each pair is recorded once its consumer runs as the active user: the gateway rolled, Grafana rolled.
    recordAlternatingUsers(args.rotations, "clickhouseWriterPassword", writer.state, [collectors.gateway]);
    recordAlternatingUsers(args.rotations, "clickhouseReaderPassword", reader.state, [grafana.release]);

    const times = (secret: GeneratedSecret) => ({ issuedAt: secret.generatedAt, dueAt: secret.rotationDueAt });
    this.rotation = {
      clickhouseAdminPassword: times(credentials.admin),
      grafanaAdminPassword: times(credentials.grafana),
    };
    this.outputs = {
      observability: {
        grafanaUrl: grafana.url,
        // What Grafana accepts: the rotated password once it has been applied through Grafana's API.
        grafanaAdminPassword: grafana.adminPassword,
        clickhouse: clickhouse.connection,
        telemetry: collectors.endpoints,
        backupBucket: backups?.bucketName,
      },
    };
    this.registerOutputs(this.outputs);
  }
}
