/**
 * The watch's probe of the guarded cluster: the `status` checks, through the operator's kubeconfig when one is
 * given, else through the kubeconfig DigitalOcean's API hands out for the stack's newest cluster (what the App
 * Platform worker does: it has a DigitalOcean token, not a kubeconfig). When the cluster cannot be reached at all,
 * the API check is down with the reason, and the public endpoint is still probed on its own.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clusterStatus } from "../status/cluster-status";
import { describeError, publicHttps, type CheckResult } from "../status/probes";
import { loadKubeconfig, type KubeTarget } from "../kube/kubeconfig";
import { guardedCluster, type DigitalOceanClient } from "./digitalocean-clusters";

export interface ClusterProbeOptions {
  readonly stack: string;
  /** The operator's kubeconfig files; when absent, DigitalOcean's kubeconfig of the stack's cluster. */
  readonly kubeconfigPaths?: readonly string[];
  readonly context?: string;
  /** The public endpoint to probe; by default the Gateway's status listener host. */
  readonly publicUrl?: URL;
  /** Time each probe may take, in milliseconds. */
  readonly timeoutMs: number;
  readonly digitalocean: DigitalOceanClient;
  readonly now: () => Date;
}

/** The kubeconfig DigitalOcean gives for the stack's newest cluster, loaded from a private temporary file. */
async function digitaloceanTarget(options: Pick<ClusterProbeOptions, "stack" | "timeoutMs" | "digitalocean">): Promise<KubeTarget> {
  const cluster = guardedCluster(options.stack, await options.digitalocean.listClusters());
  if (!cluster) throw new Error(`DigitalOcean has no cluster loco-${options.stack}-cluster[-g<n>]`);
  const kubeconfig = await options.digitalocean.kubeconfig(cluster.id);
  if (kubeconfig === undefined) throw new Error(`DigitalOcean has no kubeconfig for ${cluster.name} (404)`);
  const dir = mkdtempSync(join(tmpdir(), "loco-watch-"));
  try {
    const path = join(dir, "kubeconfig");
    writeFileSync(path, kubeconfig, { mode: 0o600 });
    return await loadKubeconfig([path], { timeoutMs: options.timeoutMs });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The guarded cluster: through the operator's kubeconfig when one is given, else DigitalOcean's for the stack. */
export async function guardedClusterTarget(
  options: Pick<ClusterProbeOptions, "stack" | "kubeconfigPaths" | "context" | "timeoutMs" | "digitalocean">,
): Promise<KubeTarget> {
  return options.kubeconfigPaths
    ? await loadKubeconfig(options.kubeconfigPaths, { context: options.context, timeoutMs: options.timeoutMs })
    : await digitaloceanTarget(options);
}

export function clusterProbe(options: ClusterProbeOptions): () => Promise<CheckResult[]> {
  return async () => {
    const started = performance.now();
    let target: KubeTarget;
    try {
      target = await guardedClusterTarget(options);
    } catch (error) {
      const unreachable: CheckResult = {
        name: "api",
        health: "down",
        detail: `no way to reach the cluster: ${describeError(error)}`,
        durationMs: Math.round(performance.now() - started),
      };
      if (!options.publicUrl) return [unreachable];
      return [unreachable, await publicHttps({ url: options.publicUrl, timeoutMs: options.timeoutMs, now: options.now() })];
    }
    return [...(await clusterStatus(target, { timeoutMs: options.timeoutMs, now: options.now(), publicUrl: options.publicUrl })).checks];
  };
}
