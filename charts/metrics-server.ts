/**
 * metrics-server: the Kubernetes resource metrics API (metrics.k8s.io). The Envoy proxies' HPA and KEDA's cpu and
 * memory triggers read it; DOKS does not install it (DigitalOcean offers it as a Marketplace add-on instead).
 */
import { corePoolPlacement } from "../lib/core-pool";
import type { ChartPin } from "./chart";

export const metricsServerChart: ChartPin = {
  chart: "metrics-server",
  repository: "https://kubernetes-sigs.github.io/metrics-server/",
  version: "3.13.1",
  project: "https://github.com/kubernetes-sigs/metrics-server",
  workloads: [{ name: "metrics-server", replicas: "replicas", resources: "resources" }],
};

/** Pure: metrics-server values; the chart's default arguments work on DOKS (kubelets serve a verifiable certificate). */
export function metricsServerValues(args: { readonly replicas: number }): Record<string, unknown> {
  return {
    replicas: args.replicas,
    // Sized for tens of nodes (about 1m CPU and 2 MiB per node, per the project).
    resources: { requests: { cpu: "50m", memory: "100Mi" }, limits: { memory: "300Mi" } },
    // With two replicas a drain keeps the metrics API answering; with one a PDB would block every drain.
    podDisruptionBudget: args.replicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false },
    ...corePoolPlacement(),
  };
}
