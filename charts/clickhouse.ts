/**
 * ClickHouse through Altinity's `clickhouse` chart: it renders a ClickHouseInstallation and installs the Altinity
 * operator as a subchart (alias `operator`). Chosen over declaring a ClickHouseInstallation ourselves because the
 * chart has a values schema (checked offline) while the CRD has none here, and over ClickHouse Inc.'s operator
 * (v0.0.2, needs cert-manager for its webhook) because it is mature.
 *
 * The operator's CRD hook is off: it runs `bitnami/kubectl:latest`, an unpinned image from a catalog Bitnami has
 * moved. Helm still installs the operator's CRDs from the subchart's crds/ directory on first install; Helm never
 * upgrades CRDs, so a chart bump that changes them needs the documented `kubectl apply` first (docs).
 */
import { corePoolPlacement } from "../lib/core-pool";
import type { ChartPin } from "./chart";

export const clickhouseChart: ChartPin = {
  chart: "clickhouse",
  repository: "https://helm.altinity.com",
  version: "0.3.12",
  project: "https://github.com/Altinity/helm-charts",
  workloads: [
    {
      name: "clickhouse",
      replicas: "clickhouse.replicasCount",
      resources: "clickhouse.resources",
      volumes: ["clickhouse.persistence.size"],
    },
    { name: "operator", replicas: 1, resources: "operator.operator.resources", enabledWhen: "operator.enabled" },
    { name: "operator-metrics", replicas: 1, resources: "operator.metrics.resources", enabledWhen: "operator.metrics.enabled" },
  ],
};

export interface ClickHouseValuesArgs {
  readonly cpu: string;
  /** Memory request and limit. */
  readonly memory: string;
  /** Data volume size, e.g. "20Gi". */
  readonly storage: string;
  /** Secret whose `password` key is the `default` (admin) user's password: migrations, backups, tenant deletion, users. */
  readonly adminPasswordSecret: string;
  /** Annotations on the server pods (a credential rotation stamp makes the operator roll them). */
  readonly podAnnotations?: Readonly<Record<string, unknown>>;
}

/** The ClickHouse Service the operator creates for this release (`clickhouse-<installation>`). */
export const clickhouseReleaseName = "clickhouse";
export const clickhouseServiceName = `clickhouse-${clickhouseReleaseName}`;

const operatorResources = { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } };

export function clickhouseValues(args: ClickHouseValuesArgs): Record<string, unknown> {
  const placement = corePoolPlacement();
  return {
    clickhouse: {
      defaultUser: {
        password_secret_name: args.adminPasswordSecret,
        // Reached from the migration and backup Jobs in the same namespace; a NetworkPolicy keeps other
        // namespaces away from the server.
        allowExternalAccess: true,
      },
      // No users.xml users: the writer and reader are SQL-made pairs (components/clickhouse-user-pair.ts), which the
      // chart's template lets `default` create (it renders `default/access_management: 1`).
      users: [],
      replicasCount: 1,
      shardsCount: 1,
      persistence: { enabled: true, size: args.storage, accessMode: "ReadWriteOnce" },
      resources: { requests: { cpu: args.cpu, memory: args.memory }, limits: { memory: args.memory } },
      podAnnotations: { ...args.podAnnotations },
      ...placement,
    },
    keeper: { enabled: false },
    operator: {
      enabled: true,
      crdHook: { enabled: false },
      operator: { resources: operatorResources },
      metrics: { resources: operatorResources },
      ...placement,
    },
  };
}
