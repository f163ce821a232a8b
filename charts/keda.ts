/** KEDA: event-driven autoscaling for tenant apps. */
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
