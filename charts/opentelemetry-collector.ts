/** The OpenTelemetry Collector chart; loco installs it twice (a per-node agent and a gateway). */
import type { ChartPin } from "./chart";

export const openTelemetryCollectorChart: ChartPin = {
  chart: "opentelemetry-collector",
  repository: "https://open-telemetry.github.io/opentelemetry-helm-charts",
  version: "0.170.0",
  project: "https://github.com/open-telemetry/opentelemetry-helm-charts",
  workloads: [{ name: "collector", replicas: "replicaCount", resources: "resources", perNode: (values) => values.mode === "daemonset" }],
};
