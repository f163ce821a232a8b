/** KEDA's HTTP add-on: holds requests to sleeping apps while they scale up from zero. */
import type { ChartPin } from "./chart";

export const kedaHttpAddOnChart: ChartPin = {
  chart: "keda-add-ons-http",
  repository: "https://kedacore.github.io/charts",
  version: "0.15.0",
  project: "https://github.com/kedacore/http-add-on",
  workloads: [
    { name: "operator", replicas: "operator.replicas", resources: "operator.resources" },
    { name: "scaler", replicas: "scaler.replicas", resources: "scaler.resources" },
    { name: "interceptor", replicas: "interceptor.replicas.min", resources: "interceptor.resources" },
  ],
};
