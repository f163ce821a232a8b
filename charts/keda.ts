/** KEDA: event-driven autoscaling for tenant apps. */
import { corePoolPlacement } from "../lib/core-pool";
import type { ChartPin } from "./chart";

export const kedaChart: ChartPin = {
  chart: "keda",
  repository: "https://kedacore.github.io/charts",
  version: "2.20.2",
  project: "https://github.com/kedacore/keda",
  workloads: [
    { name: "operator", replicas: "operator.replicaCount", resources: "resources.operator" },
    { name: "metrics-server", replicas: "metricsServer.replicaCount", resources: "resources.metricServer" },
    { name: "webhooks", replicas: "webhooks.replicaCount", resources: "resources.webhooks", enabledWhen: "webhooks.enabled" },
  ],
};

export interface KedaValuesArgs {
  /** Replicas of the operator (leader-elected), metrics API server and admission webhooks. */
  readonly replicas: number;
}

/** Pure: keda values. */
export function kedaValues(args: KedaValuesArgs): Record<string, unknown> {
  const requests = { requests: { cpu: "50m", memory: "100Mi" }, limits: { memory: "512Mi" } };
  // With one replica a PDB would block node drains; with two, a drain keeps one serving.
  const pdb = args.replicas > 1 ? { minAvailable: 1 } : {};
  return {
    crds: { install: true },
    operator: { replicaCount: args.replicas },
    metricsServer: { replicaCount: args.replicas },
    webhooks: { enabled: true, replicaCount: args.replicas },
    resources: {
      operator: requests,
      metricServer: requests,
      webhooks: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
    },
    podDisruptionBudget: { operator: pdb, metricServer: pdb, webhooks: pdb },
    ...corePoolPlacement(),
  };
}
