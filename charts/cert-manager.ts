/** cert-manager: issues and renews the platform's TLS certificates. */
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
