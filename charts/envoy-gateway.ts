/** Envoy Gateway's controller chart. The Envoy proxies it runs are sized by the EnvoyProxy object, not here. */
import { corePoolPlacement } from "../lib/core-pool";
import type { ChartPin } from "./chart";

export const envoyGatewayChart: ChartPin = {
  chart: "gateway-helm",
  repository: "oci://docker.io/envoyproxy/gateway-helm",
  version: "v1.9.0",
  project: "https://github.com/envoyproxy/gateway",
  workloads: [{ name: "envoy-gateway", replicas: "deployment.replicas", resources: "deployment.envoyGateway.resources" }],
};

export interface EnvoyGatewayValuesArgs {
  /** Controller replicas; more than one run leader-elected, for a controller that survives a node loss. */
  readonly replicas: number;
}

/** Pure: gateway-helm values. CRDs come from the separate gateway-crds-helm chart (charts/envoy-gateway-crds.ts). */
export function envoyGatewayValues(args: EnvoyGatewayValuesArgs): Record<string, unknown> {
  const placement = corePoolPlacement();
  return {
    // The CRD chart installs and upgrades them; this chart's own copy sits in Helm's crds/ directory, which Helm
    // never upgrades, and carries the experimental Gateway API channel.
    crds: { enabled: false },
    deployment: {
      replicas: args.replicas,
      envoyGateway: { resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1024Mi" } } },
      pod: { ...placement },
    },
    // Voluntary evictions (node drains, upgrades) keep one controller; with a single replica a PDB would block drains.
    podDisruptionBudget: { minAvailable: args.replicas > 1 ? 1 : 0 },
    certgen: { job: { ...placement, resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } } } },
  };
}
