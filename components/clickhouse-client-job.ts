/**
 * What every short-lived ClickHouse client pod of the platform shares (the schema Job, the backup CronJob, the user
 * pairs' setup Jobs): the server image for its `clickhouse-client`, the `default` user's connection from the
 * environment, and a small unprivileged pod on the core pool.
 */
import type * as k8s from "@pulumi/kubernetes";
import { corePoolPlacement } from "../lib/core-pool";

/** The server image the chart runs; the Jobs use it too, for `clickhouse-client`. */
export const clickhouseImage = "altinity/clickhouse-server:25.3.6.10034.altinitystable";

/** ClickHouse's native-protocol port. */
export const clickhouseNativePort = 9000;

/** CLICKHOUSE_HOST/PORT/USER/PASSWORD for `clickhouse-client` as `default`, the password from its Secret. */
export const clickhouseAdminEnv = (host: string, adminSecret: string) => [
  { name: "CLICKHOUSE_HOST", value: host },
  { name: "CLICKHOUSE_PORT", value: String(clickhouseNativePort) },
  { name: "CLICKHOUSE_USER", value: "default" },
  { name: "CLICKHOUSE_PASSWORD", valueFrom: { secretKeyRef: { name: adminSecret, key: "password" } } },
];

/** Short-lived ClickHouse client pods: small, on the core pool, unprivileged. */
export function clickhouseJobPod(containers: k8s.types.input.core.v1.Container[], volumes: k8s.types.input.core.v1.Volume[]) {
  return {
    restartPolicy: "OnFailure",
    securityContext: { runAsNonRoot: true, runAsUser: 101, runAsGroup: 101, seccompProfile: { type: "RuntimeDefault" } },
    containers: containers.map((c) => ({
      ...c,
      resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    })),
    volumes,
    ...corePoolPlacement(),
  };
}
