/**
 * Envoy Gateway's CRD chart: Envoy Gateway's own CRDs and, optionally, the Gateway API CRDs. CRDs are templates
 * here (not Helm's crds/ directory), so a version bump upgrades them. Too big for a Helm release (its record must
 * fit a 1 MiB Secret): components/gateway.ts has Pulumi render it (helm.v4.Chart).
 */
import type { ChartPin } from "./chart";

export const envoyGatewayCrdsChart: ChartPin = {
  chart: "gateway-crds-helm",
  repository: "oci://docker.io/envoyproxy/gateway-crds-helm",
  version: "v1.9.0",
  project: "https://github.com/envoyproxy/gateway",
  workloads: [],
};

/** `install`: this release owns the Gateway API CRDs (standard channel); `provided`: the cluster manages them. */
export type GatewayApiCrds = "install" | "provided";

/** Pure: gateway-crds-helm values. */
export function envoyGatewayCrdsValues(gatewayApiCrds: GatewayApiCrds): Record<string, unknown> {
  return {
    crds: {
      // Standard channel: GatewayClass, Gateway, HTTPRoute, GRPCRoute, ReferenceGrant are all loco uses, and the
      // standard channel is the one Gateway API promises safe upgrades for.
      gatewayAPI: { enabled: gatewayApiCrds === "install", channel: "standard" },
      envoyGateway: { enabled: true },
    },
  };
}
