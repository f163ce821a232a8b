/** Grafana, from grafana-community (the chart left grafana/helm-charts in January 2026). */
import type { ChartPin } from "./chart";

export const grafanaChart: ChartPin = {
  chart: "grafana",
  repository: "https://grafana-community.github.io/helm-charts",
  version: "12.11.1",
  project: "https://github.com/grafana-community/helm-charts",
  workloads: [{ name: "grafana", replicas: "replicas", resources: "resources" }],
};
