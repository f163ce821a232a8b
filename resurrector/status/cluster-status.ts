/**
 * `status` as a function: every probe of the guarded cluster, run concurrently, each bounded by the timeout, and
 * the cluster's health as the worst of them. The whole run takes at most two timeouts: the public probe may wait
 * for the Gateway lookup that names its host.
 */
import { platformWorkloads, type PlatformWorkloads } from "./platform-workloads";
import {
  addOnWorkloads,
  apiReadiness,
  certificates,
  KubeApi,
  nodesReady,
  publicHttps,
  sharedGatewayCheck,
  type CheckResult,
  type Health,
} from "./probes";
import { KubeClient } from "../kube/api-client";
import type { KubeTarget } from "../kube/kubeconfig";

export interface StatusOptions {
  readonly timeoutMs: number;
  readonly now: Date;
  /** The public URL to probe; by default https://{the Gateway's status listener hostname}/. */
  readonly publicUrl?: URL;
  readonly connectTo?: string;
  readonly extraCa?: Buffer;
  /** @default platformWorkloads */
  readonly addOns?: readonly PlatformWorkloads[];
}

export interface ClusterStatus {
  readonly context: string;
  readonly server: string;
  readonly health: Health;
  readonly checks: readonly CheckResult[];
}

const rank: Record<Health, number> = { ok: 0, degraded: 1, down: 2 };

/** 0 healthy, 1 degraded, 2 down. */
export const exitCodeFor = (health: Health) => rank[health];

export async function clusterStatus(target: KubeTarget, options: StatusOptions): Promise<ClusterStatus> {
  const client = await KubeClient.connect(target, { timeoutMs: options.timeoutMs });
  try {
    return await probeAll(target, new KubeApi(client), options);
  } finally {
    client.close();
  }
}

async function probeAll(target: KubeTarget, api: KubeApi, options: StatusOptions): Promise<ClusterStatus> {
  const gatewayAndPublic = sharedGatewayCheck(api).then(async ({ result, statusHost }) => {
    const url = options.publicUrl ?? (statusHost ? new URL(`https://${statusHost}/`) : undefined);
    return [
      result,
      await publicHttps({ url, connectTo: options.connectTo, extraCa: options.extraCa, timeoutMs: options.timeoutMs, now: options.now }),
    ];
  });
  const checks = (
    await Promise.all([
      apiReadiness(api).then((r) => [r]),
      nodesReady(api).then((r) => [r]),
      gatewayAndPublic,
      ...(options.addOns ?? platformWorkloads).map((addOn) => addOnWorkloads(api, addOn).then((r) => [r])),
      certificates(api, options.now).then((r) => [r]),
    ])
  ).flat();
  const health = checks.reduce<Health>((worst, check) => (rank[check.health] > rank[worst] ? check.health : worst), "ok");
  return { context: target.context, server: target.server.origin, health, checks };
}

export function formatStatus(status: ClusterStatus): string {
  const header = ["CHECK", "STATUS", "TIME", "DETAIL"];
  const rows = status.checks.map((c) => [c.name, c.health, `${c.durationMs}ms`, c.detail]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [
    `Cluster ${status.context} (${status.server})`,
    line(header),
    ...rows.map(line),
    "",
    `Cluster is ${status.health === "ok" ? "healthy" : status.health} (exit ${exitCodeFor(status.health)}).`,
  ].join("\n");
}
