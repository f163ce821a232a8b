/** ClickHouse through Altinity's chart (a ClickHouseInstallation plus the operator as a subchart). */
import type { ChartPin } from "./chart";

export const clickhouseChart: ChartPin = {
  chart: "clickhouse",
  repository: "https://helm.altinity.com",
  version: "0.3.12",
  project: "https://github.com/Altinity/helm-charts",
  workloads: [
    {
      name: "clickhouse",
      replicas: "clickhouse.replicasCount",
      resources: "clickhouse.resources",
      volumes: ["clickhouse.persistence.size"],
    },
  ],
};
