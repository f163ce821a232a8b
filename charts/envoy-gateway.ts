/** Envoy Gateway's controller chart. The Envoy proxies it runs are sized by the EnvoyProxy object, not here. */
import type { ChartPin } from "./chart";

export const envoyGatewayChart: ChartPin = {
  chart: "gateway-helm",
  repository: "oci://docker.io/envoyproxy/gateway-helm",
  version: "v1.9.0",
  project: "https://github.com/envoyproxy/gateway",
  workloads: [{ name: "envoy-gateway", replicas: "deployment.replicas", resources: "deployment.envoyGateway.resources" }],
};
