/**
 * Every namespace the platform layers create, in one place: the layers that create them and the resurrector's
 * status probes (which look for each add-on's workloads there) read the same names.
 */
import { locoNamespace } from "./loco-system";

export const platformNamespaces = {
  /** Envoy Gateway's controller, and the shared Gateway's Envoy proxies it deploys. */
  gatewayController: "envoy-gateway-system",
  /** The shared Gateway object and its routes' policies. */
  gateway: "loco-gateway",
  certManager: "cert-manager",
  /** KEDA and its HTTP add-on. */
  keda: "keda",
  /** Harbor. */
  registry: "loco-registry",
  /** ClickHouse, the OpenTelemetry gateway collector and Grafana. */
  observability: "loco-observability",
  /** The per-node OpenTelemetry agent: privileged Pod Security (it reads node log files), so apart. */
  observabilityAgent: "loco-observability-agent",
  /** loco's API, UI and controller; the API writes its `Application` objects here (lib/loco-system.ts). */
  loco: locoNamespace,
} as const;
