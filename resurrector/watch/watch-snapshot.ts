/**
 * The watch's hourly snapshot (resurrector/snapshot/snapshot-cluster.ts): the environments and certificates of the
 * guarded cluster, reached the way the watch's probe reaches it (the operator's kubeconfig, else DigitalOcean's),
 * sealed under the worker's LOCO_RESURRECTOR_KEY. Each run opens its own cluster client and database connection and
 * closes both, so an hourly job holds nothing between runs. A failure throws: the watch logs it and goes on.
 */
import type { MasterKey } from "../crypto/envelope";
import { connectDatabase } from "../db/connect";
import { KubeClient } from "../kube/api-client";
import type { KubeTarget } from "../kube/kubeconfig";
import { kubeSecretReader } from "../snapshot/cluster-secrets";
import { snapshotCluster } from "../snapshot/snapshot-cluster";
import type { SnapshotHook } from "./watch-loop";

export interface WatchSnapshotOptions {
  readonly databaseUrl: string;
  readonly masterKey: MasterKey;
  /** The guarded cluster, found again at each run (a rebuild may have replaced it since the last one). */
  readonly target: () => Promise<KubeTarget>;
  /** Deadline of each request to the cluster, in milliseconds. */
  readonly timeoutMs: number;
  /** loco's cluster whose apps the environments belong to (loco's default when absent). */
  readonly cluster?: string;
}

export function watchSnapshot(options: WatchSnapshotOptions): SnapshotHook {
  return async (at) => {
    const kube = await KubeClient.connect(await options.target(), { timeoutMs: options.timeoutMs, keepAliveSockets: 2 });
    try {
      const db = await connectDatabase(options.databaseUrl);
      try {
        const report = await snapshotCluster({
          db,
          kube: kubeSecretReader(kube),
          masterKey: options.masterKey,
          now: () => at,
          cluster: options.cluster,
          actor: "watch",
        });
        const { counts } = report;
        return (
          `snapshot of ${report.cluster} under key ${report.keyId}: ${counts.sealed} sealed, ${counts.unchanged} unchanged, ` +
          `${counts.skipped} skipped, ${counts.malformed} malformed, ${counts.failed} failed`
        );
      } finally {
        await db.end().catch(() => undefined);
      }
    } finally {
      kube.close();
    }
  };
}
