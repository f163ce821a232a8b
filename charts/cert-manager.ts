/** cert-manager: issues and renews the platform's TLS certificates. */
import { corePoolPlacement } from "../lib/core-pool";
import type { ChartPin } from "./chart";

export const certManagerChart: ChartPin = {
  chart: "cert-manager",
  repository: "https://charts.jetstack.io",
  version: "v1.21.1",
  project: "https://github.com/cert-manager/cert-manager",
  workloads: [
    { name: "controller", replicas: "replicaCount", resources: "resources" },
    { name: "webhook", replicas: "webhook.replicaCount", resources: "webhook.resources" },
    { name: "cainjector", replicas: "cainjector.replicaCount", resources: "cainjector.resources", enabledWhen: "cainjector.enabled" },
  ],
};

export interface CertManagerValuesArgs {
  /** Controller and webhook replicas (leader-elected controller; the webhook serves every Certificate write). */
  readonly replicas: number;
  /** Namespace the release runs in: leader election leases live there. */
  readonly namespace: string;
}

/** Pure: cert-manager values, checked against the chart's values.schema.json in the tests. */
export function certManagerValues(args: CertManagerValuesArgs): Record<string, unknown> {
  const placement = () => corePoolPlacement();
  const ha = args.replicas > 1;
  return {
    // The chart installs and upgrades its CRDs, and keeps them when the release is removed: deleting a CRD
    // deletes every Certificate and Issuer with it.
    crds: { enabled: true, keep: true },
    // HTTP-01 challenges for tenants' own domains are served through the shared Gateway (gatewayHTTPRoute solver).
    config: { apiVersion: "controller.config.cert-manager.io/v1alpha1", kind: "ControllerConfiguration", gatewayAPI: { enabled: true } },
    global: { leaderElection: { namespace: args.namespace } },
    replicaCount: args.replicas,
    resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
    podDisruptionBudget: ha ? { enabled: true, minAvailable: 1 } : { enabled: false },
    ...placement(),
    // DNS-01 self-checks ask public resolvers: cluster DNS may answer for the zone from a stale or private view.
    dns01RecursiveNameservers: "1.1.1.1:53,1.0.0.1:53",
    dns01RecursiveNameserversOnly: true,
    // Deleting a Certificate must not delete its Secret: the Secret is what the resurrector preserves.
    enableCertificateOwnerRef: false,
    webhook: {
      replicaCount: args.replicas,
      resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
      podDisruptionBudget: ha ? { enabled: true, minAvailable: 1 } : { enabled: false },
      ...placement(),
    },
    cainjector: {
      replicaCount: 1,
      resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
      ...placement(),
    },
    startupapicheck: {
      resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
      ...placement(),
    },
  };
}
