/**
 * The platform add-ons `status` checks, and where their workloads are: the one list to keep in step with the layers
 * that install them. Namespaces come from lib/platform-namespaces.ts, which the layers create them from; selectors
 * are the charts' own labels.
 *
 * Workloads are found by label selector rather than by name, so a renamed Deployment or an extra StatefulSet does
 * not break the check: the charts' own labels (app.kubernetes.io/name or /instance) select them.
 */
import { platformNamespaces } from "../../lib/platform-namespaces";
import { gatewayProxyPods } from "../../lib/shared-gateway";

export interface PlatformWorkloads {
  /** Check name in the status table. */
  readonly name: string;
  /** What stops working when it is down. */
  readonly role: string;
  /** Namespace to look in; undefined looks in every namespace. */
  readonly namespace?: string;
  /** Label selector for its Deployments, StatefulSets and DaemonSets. */
  readonly selector: string;
  /** Down here means tenants cannot be reached: the cluster is down, not degraded. */
  readonly critical: boolean;
}

export const platformWorkloads: readonly PlatformWorkloads[] = [
  {
    name: "gateway-proxy",
    role: "the Envoy proxies of the shared Gateway: every public request",
    // Envoy Gateway labels a Gateway's proxies with its name and namespace, wherever it deploys them.
    selector: Object.entries(gatewayProxyPods.labels)
      .map(([key, value]) => `${key}=${value}`)
      .join(","),
    critical: true,
  },
  {
    name: "envoy-gateway",
    role: "the Gateway controller: route and certificate changes (proxies keep serving without it)",
    namespace: platformNamespaces.gatewayController,
    selector: "app.kubernetes.io/name=gateway-helm",
    critical: false,
  },
  {
    name: "cert-manager",
    role: "certificate issuance and renewal",
    namespace: platformNamespaces.certManager,
    selector: "app.kubernetes.io/instance=cert-manager",
    critical: false,
  },
  {
    name: "keda",
    role: "autoscaling of tenant apps",
    namespace: platformNamespaces.keda,
    selector: "app.kubernetes.io/instance=keda",
    critical: false,
  },
  {
    name: "keda-http-add-on",
    role: "waking sleeping apps (their requests wait in the interceptor)",
    namespace: platformNamespaces.keda,
    selector: "app.kubernetes.io/instance=keda-add-ons-http",
    critical: false,
  },
  {
    name: "harbor",
    role: "image pushes and pulls (running pods keep their images)",
    namespace: platformNamespaces.registry,
    selector: "app.kubernetes.io/instance=harbor",
    critical: false,
  },
  {
    name: "clickhouse",
    role: "telemetry storage",
    namespace: platformNamespaces.observability,
    selector: "clickhouse.altinity.com/chi",
    critical: false,
  },
  {
    name: "opentelemetry-collector",
    role: "telemetry collection",
    namespace: platformNamespaces.observability,
    selector: "app.kubernetes.io/name=opentelemetry-collector",
    critical: false,
  },
  {
    name: "opentelemetry-agent",
    role: "per-node log and kubelet metric collection",
    namespace: platformNamespaces.observabilityAgent,
    selector: "app.kubernetes.io/name=opentelemetry-collector",
    critical: false,
  },
  {
    name: "grafana",
    role: "dashboards and alerting",
    namespace: platformNamespaces.observability,
    selector: "app.kubernetes.io/name=grafana",
    critical: false,
  },
];
