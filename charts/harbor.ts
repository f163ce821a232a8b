/** Harbor: loco's image registry. */
import type { ChartPin } from "./chart";

export const harborChart: ChartPin = {
  chart: "harbor",
  repository: "https://helm.goharbor.io",
  version: "1.19.1",
  project: "https://github.com/goharbor/harbor-helm",
  workloads: [
    { name: "core", replicas: "core.replicas", resources: "core.resources" },
    { name: "portal", replicas: "portal.replicas", resources: "portal.resources" },
    { name: "jobservice", replicas: "jobservice.replicas", resources: "jobservice.resources" },
    { name: "registry", replicas: "registry.replicas", resources: "registry.registry.resources" },
    { name: "registryctl", replicas: "registry.replicas", resources: "registry.controller.resources" },
    { name: "trivy", replicas: "trivy.replicas", resources: "trivy.resources", enabledWhen: "trivy.enabled" },
  ],
};
