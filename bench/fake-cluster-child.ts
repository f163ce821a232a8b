/**
 * The fake Kubernetes API (test/fake-kube-cluster.ts) in a process of its own for `bench:resurrector -- replay`, so
 * the API server's work is not counted as the replay's, as on a real cluster. Started with `fork`; it installs
 * loco's Application CRD and namespace, writes a kubeconfig, answers the parent over IPC with its address, and on
 * "stats" with what it served.
 */
import { testPki, writeKubeconfig } from "../test/fake-kube-api";
import { startFakeCluster } from "../test/fake-kube-cluster";
import { locoApplicationCrd } from "../test/loco-application-crd";
import { findUpstream } from "../test/upstream";

export interface FakeClusterReady {
  readonly kind: "ready";
  readonly kubeconfig: string;
  /** Whether Applications are validated against loco's real CRD (../shared present). */
  readonly validated: boolean;
}

export interface FakeClusterStats {
  readonly kind: "stats";
  readonly requests: number;
  readonly maxInFlight: number;
  readonly byStatus: Record<string, number>;
  readonly peakRssMiB: number;
  /** CPU the server spent since the last reset. */
  readonly cpuMs: number;
}

async function main(): Promise<void> {
  const [dir, latency] = process.argv.slice(2);
  const token = "bench-token";
  const pki = await testPki();
  const fake = await startFakeCluster({ pki, token, recordRequests: false });
  fake.installCrd(locoApplicationCrd());
  fake.createNamespace("loco-system");
  fake.latencyMs = Number(latency);
  fake.resetStats();
  let cpuSince = process.cpuUsage();
  const kubeconfig = writeKubeconfig(dir, fake.url, pki, { token });
  process.on("message", (message) => {
    if (message === "stats") {
      const stats: FakeClusterStats = {
        kind: "stats",
        requests: fake.stats.requests,
        maxInFlight: fake.stats.maxInFlight,
        byStatus: Object.fromEntries(fake.stats.byStatus),
        peakRssMiB: process.resourceUsage().maxRSS / 1024,
        cpuMs: (({ user, system }) => (user + system) / 1000)(process.cpuUsage(cpuSince)),
      };
      process.send?.(stats);
    } else if (message === "reset") {
      fake.resetStats();
      cpuSince = process.cpuUsage();
    } else if (message === "stop") void fake.close().then(() => process.exit(0));
  });
  const ready: FakeClusterReady = { kind: "ready", kubeconfig, validated: findUpstream("locoCrd") !== undefined };
  process.send?.(ready);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
