/**
 * ClickHouse for telemetry: the Altinity chart on the core pool, its `default` user's password as a Kubernetes Secret,
 * the schema Job that runs loco's migrations, the writer and reader as alternating user pairs made in SQL by
 * `default` (components/clickhouse-user-pair.ts), a NetworkPolicy that admits only the observability namespaces, and (when
 * given a bucket) a daily backup CronJob to Spaces.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AlternatingUsersStep } from "./alternating-users";
import { ClickHouseUserPair } from "./clickhouse-user-pair";
import type { BucketAccess } from "./object-storage";
import { credentialsIssuedAtAnnotation } from "./secrets";
import { chartRelease } from "./chart-release";
import { clickhouseChart, clickhouseReleaseName, clickhouseServiceName, clickhouseValues } from "../charts/clickhouse";
import { clickhouseAdminEnv, clickhouseImage, clickhouseJobPod, clickhouseNativePort } from "./clickhouse-client-job";
import { migrationBundle, migrationRunner, migrationsMountPath } from "../observability/clickhouse-migrations";
import { telemetryDatabase, validateRetentionDays } from "../observability/clickhouse-schema";

export { clickhouseImage };

/** A pair of alternating users: its role and this run's step. */
export interface ClickHouseUserPairStep {
  /** The role; the users are `<base>_a` and `<base>_b`. */
  readonly base: string;
  /** This run's step (stacks/alternating-users-rotation.ts). */
  readonly step: AlternatingUsersStep;
}

/** Sizes and retention have no default here: each stack states them (stacks/config-defaults.ts). */
export interface ClickHouseArgs {
  /** Namespace (created by the caller). */
  readonly namespace: string;
  /** Days of telemetry kept: the tables' TTL, written into the schema the migration Job applies. */
  readonly retentionDays: number;
  /** CPU request of the server. */
  readonly cpu: string;
  /** Memory request and limit. */
  readonly memory: string;
  /** Size of the server's volume, e.g. "20Gi". */
  readonly storage: string;
  /** The `default` user: migrations, backups, tenant deletion. */
  readonly adminPassword: pulumi.Input<string>;
  /** Inserts telemetry (the gateway collector): role with INSERT and SELECT on the telemetry database. */
  readonly writer: ClickHouseUserPairStep;
  /** Reads telemetry (Grafana): role with SELECT on the telemetry database. */
  readonly reader: ClickHouseUserPairStep;
  /** Changes when the `default` user's password rotates; the server pods roll to pick it up. */
  readonly credentialsIssuedAt: pulumi.Input<string>;
  /** Namespaces whose pods may connect (the collectors', Grafana's, and this one). */
  readonly clientNamespaces: readonly string[];
  /**
   * Daily backups to this bucket; unset means telemetry is lost with the cluster (the local stack).
   * @default none: no backups
   */
  readonly backup?: {
    /** The bucket and a key that may write it (secret). */
    readonly bucket: pulumi.Input<BucketAccess>;
    /** When the backup CronJob runs: a cron expression, in UTC. */
    readonly schedule: string;
  };
}

export interface ClickHouseConnection {
  readonly host: string;
  readonly nativePort: number;
  readonly database: string;
}

const adminSecretName = "clickhouse-admin";

export class ClickHouse extends pulumi.ComponentResource {
  /** Where clients connect; plain values, known before anything is created. */
  public readonly connection: ClickHouseConnection;
  /** Secret (same namespace) whose `password` key holds the `default` user's password. */
  public readonly adminPasswordSecret: string;
  /** The writer and reader pairs: each consumer mounts its pair's `passwordSecret` and logs in as `activeUser`. */
  public readonly users: { readonly writer: ClickHouseUserPair; readonly reader: ClickHouseUserPair };
  /** The Job that applied the schema; anything writing telemetry waits for it. */
  public readonly schema: k8s.batch.v1.Job;

  constructor(name: string, args: ClickHouseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:observability:ClickHouse", name, {}, opts);
    try {
      validateRetentionDays(args.retentionDays);
    } catch (error) {
      throw new pulumi.ResourceError(`ClickHouse ${name}: retentionDays: ${(error as Error).message}`, this);
    }

    const adminSecret = new k8s.core.v1.Secret(
      `${name}-admin-password`,
      {
        metadata: { name: adminSecretName, namespace: args.namespace },
        type: "Opaque",
        stringData: { password: pulumi.secret(args.adminPassword) },
      },
      { parent: this },
    );
    this.adminPasswordSecret = adminSecretName;

    const release = chartRelease(
      `${name}-release`,
      clickhouseChart,
      {
        releaseName: clickhouseReleaseName,
        namespace: args.namespace,
        values: clickhouseValues({
          cpu: args.cpu,
          memory: args.memory,
          storage: args.storage,
          adminPasswordSecret: this.adminPasswordSecret,
          podAnnotations: { [credentialsIssuedAtAnnotation]: args.credentialsIssuedAt },
        }),
      },
      // The operator reads the password when it renders the `default` user: it must exist first.
      { parent: this, dependsOn: [adminSecret] },
    );

    networkPolicy(name, args, this);
    const host = `${clickhouseServiceName}.${args.namespace}.svc.cluster.local`;
    this.schema = migrationJob(name, args, host, this.adminPasswordSecret, release, this);
    if (args.backup) backupCronJob(name, args, args.backup, host, this.adminPasswordSecret, release, this);
    const pair = (role: string, users: ClickHouseUserPairStep, grants: readonly string[]) =>
      new ClickHouseUserPair(
        `${name}-${role}-users`,
        {
          namespace: args.namespace,
          base: users.base,
          grants,
          step: users.step,
          host,
          adminPasswordSecret: this.adminPasswordSecret,
          serverReady: [this.schema],
        },
        { parent: this },
      );
    // Exactly what the single users of the chart's users.xml were granted before they became pairs.
    this.users = {
      writer: pair("writer", args.writer, [`INSERT, SELECT ON ${telemetryDatabase}.*`]),
      reader: pair("reader", args.reader, [`SELECT ON ${telemetryDatabase}.*`]),
    };

    this.connection = { host, nativePort: clickhouseNativePort, database: telemetryDatabase };
    this.registerOutputs({ connection: this.connection });
  }
}

/** Pure: the schema Job's name changes exactly when the bundle does, so Pulumi replaces it and it runs again. */
export function migrationJobName(retentionDays: number): string {
  return `clickhouse-migrate-${migrationBundle(retentionDays).checksum}`;
}

function migrationJob(
  name: string,
  args: ClickHouseArgs,
  host: string,
  adminSecret: string,
  release: pulumi.Resource,
  parent: pulumi.Resource,
): k8s.batch.v1.Job {
  const bundle = migrationBundle(args.retentionDays);
  const configMap = new k8s.core.v1.ConfigMap(
    `${name}-migrations`,
    { metadata: { name: `clickhouse-migrations-${bundle.checksum}`, namespace: args.namespace }, data: { ...bundle.files } },
    { parent },
  );
  return new k8s.batch.v1.Job(
    `${name}-migrate`,
    {
      metadata: {
        name: migrationJobName(args.retentionDays),
        namespace: args.namespace,
        labels: { "app.kubernetes.io/name": "clickhouse-migrate" },
      },
      spec: {
        backoffLimit: 6,
        // Long enough for a first install (the operator starts, then the server pulls and starts).
        activeDeadlineSeconds: 1800,
        template: {
          metadata: { labels: { "app.kubernetes.io/name": "clickhouse-migrate" } },
          spec: clickhouseJobPod(
            [
              {
                name: "migrate",
                image: clickhouseImage,
                command: ["/bin/sh", `${migrationsMountPath}/${migrationRunner}`],
                env: clickhouseAdminEnv(host, adminSecret),
                volumeMounts: [{ name: "migrations", mountPath: migrationsMountPath, readOnly: true }],
              },
            ],
            [{ name: "migrations", configMap: { name: configMap.metadata.name } }],
          ),
        },
      },
    },
    // Runs against the release's server; a new bundle is a new Job (its name carries the checksum).
    { parent, dependsOn: [release] },
  );
}

/** Pure: the backup script. Backups are named by UTC date; `keepDays` of them live in the bucket (its lifecycle rule). */
export function backupScript(): string {
  return `#!/bin/sh
# Daily full backup of the telemetry database to Spaces (restore: README "Telemetry when the cluster is lost").
set -eu
name="$(date -u +%Y%m%dT%H%M%SZ)"
url="$BACKUP_ENDPOINT/$BACKUP_BUCKET/clickhouse/$name"
echo "backing up ${telemetryDatabase} to $url"
clickhouse-client --host "$CLICKHOUSE_HOST" --port "$CLICKHOUSE_PORT" --user "$CLICKHOUSE_USER" --password "$CLICKHOUSE_PASSWORD" \\
  --query "BACKUP DATABASE ${telemetryDatabase} TO S3('$url', '$BACKUP_ACCESS_KEY_ID', '$BACKUP_SECRET_ACCESS_KEY')"
echo "backup $name done"
`;
}

function backupCronJob(
  name: string,
  args: ClickHouseArgs,
  backup: NonNullable<ClickHouseArgs["backup"]>,
  host: string,
  adminSecret: string,
  release: pulumi.Resource,
  parent: pulumi.Resource,
): void {
  const access = pulumi.output(backup.bucket);
  const credentials = new k8s.core.v1.Secret(
    `${name}-backup-bucket`,
    {
      metadata: { name: "clickhouse-backup-bucket", namespace: args.namespace },
      type: "Opaque",
      stringData: pulumi.secret(
        access.apply((a) => ({
          endpoint: a.endpoint,
          bucket: a.bucket,
          "access-key-id": a.accessKeyId,
          "secret-access-key": a.secretAccessKey,
        })),
      ),
    },
    { parent },
  );
  const script = new k8s.core.v1.ConfigMap(
    `${name}-backup-script`,
    { metadata: { name: "clickhouse-backup-script", namespace: args.namespace }, data: { "backup.sh": backupScript() } },
    { parent },
  );
  const fromBucket = (env: string, key: string) => ({ name: env, valueFrom: { secretKeyRef: { name: credentials.metadata.name, key } } });
  new k8s.batch.v1.CronJob(
    `${name}-backup`,
    {
      metadata: { name: "clickhouse-backup", namespace: args.namespace },
      spec: {
        schedule: backup.schedule,
        timeZone: "Etc/UTC",
        concurrencyPolicy: "Forbid",
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            template: {
              spec: clickhouseJobPod(
                [
                  {
                    name: "backup",
                    image: clickhouseImage,
                    command: ["/bin/sh", "/scripts/backup.sh"],
                    env: [
                      ...clickhouseAdminEnv(host, adminSecret),
                      fromBucket("BACKUP_ENDPOINT", "endpoint"),
                      fromBucket("BACKUP_BUCKET", "bucket"),
                      fromBucket("BACKUP_ACCESS_KEY_ID", "access-key-id"),
                      fromBucket("BACKUP_SECRET_ACCESS_KEY", "secret-access-key"),
                    ],
                    volumeMounts: [{ name: "scripts", mountPath: "/scripts", readOnly: true }],
                  },
                ],
                [{ name: "scripts", configMap: { name: script.metadata.name } }],
              ),
            },
          },
        },
      },
    },
    // Backs up a server the release runs.
    { parent, dependsOn: [release] },
  );
}

/** Only pods of the observability namespaces reach ClickHouse; tenant namespaces cannot. */
function networkPolicy(name: string, args: ClickHouseArgs, parent: pulumi.Resource): k8s.networking.v1.NetworkPolicy {
  return new k8s.networking.v1.NetworkPolicy(
    `${name}-ingress`,
    {
      metadata: { name: "clickhouse-ingress", namespace: args.namespace },
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/instance": clickhouseReleaseName, "app.kubernetes.io/name": "clickhouse" } },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: args.clientNamespaces.map((ns) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } })),
            ports: [
              { protocol: "TCP", port: clickhouseNativePort },
              { protocol: "TCP", port: 8123 },
            ],
          },
        ],
      },
    },
    { parent },
  );
}
