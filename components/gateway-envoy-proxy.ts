/**
 * Pure renderer of how Envoy Gateway runs the shared Gateway's proxies (the EnvoyProxy object the Gateway names as
 * its parameters), and what the proxies' sidecar requests.
 */
import type { IEnvoyProxy } from "@kubernetes-models/envoy-gateway/gateway.envoyproxy.io/v1alpha1/EnvoyProxy";
import { corePoolPlacement } from "../lib/core-pool";
import { gatewayProxyPods, sharedGateway } from "../lib/shared-gateway";
import { otelGateway, otelGatewayHost } from "../lib/telemetry-endpoints";
import { accessLogFields } from "./gateway-access-log";
import { gatewayObjects, type Named } from "./gateway-object-names";

export interface ProxyFleetArgs {
  /** Fewest Envoy replicas; 2 or more also gets a PodDisruptionBudget. */
  readonly minReplicas: number;
  /** Most Envoy replicas; above minReplicas an HPA scales them on CPU. */
  readonly maxReplicas: number;
  /** CPU request of each proxy. */
  readonly cpu: string;
  /** Memory request and limit of each proxy. */
  readonly memory: string;
}

/** Envoy's proxy sidecar that drains connections on shutdown; Envoy Gateway's defaults, counted by the plan. */
export const shutdownManagerRequests = { cpu: "10m", memory: "32Mi" } as const;

/**
 * Pure: how Envoy Gateway runs the proxies: on the core pool, spread over nodes, an HPA and a PDB when there is more
 * than one, the Service annotations, and telemetry to the OpenTelemetry gateway. The collector is addressed by DNS
 * name, so a missing collector only drops telemetry; it can never stop the proxies from serving.
 */
export function envoyProxyObject(args: { proxy: ProxyFleetArgs; serviceAnnotations: Record<string, string> }): Named<IEnvoyProxy> {
  const { proxy } = args;
  const autoscaled = proxy.maxReplicas > proxy.minReplicas;
  const redundant = proxy.minReplicas >= 2;
  const otlp = { host: otelGatewayHost, port: otelGateway.grpcPort };
  return {
    apiVersion: "gateway.envoyproxy.io/v1alpha1",
    kind: "EnvoyProxy",
    metadata: { name: gatewayObjects.proxyConfig, namespace: sharedGateway.namespace },
    spec: {
      provider: {
        type: "Kubernetes",
        kubernetes: {
          envoyDeployment: {
            name: gatewayProxyPods.service,
            // Under an HPA Envoy Gateway ignores replicas; leaving it out keeps the two from disagreeing in a diff.
            ...(autoscaled ? {} : { replicas: proxy.minReplicas }),
            pod: {
              ...corePoolPlacement(),
              topologySpreadConstraints: [
                {
                  maxSkew: 1,
                  topologyKey: "kubernetes.io/hostname",
                  whenUnsatisfiable: "DoNotSchedule",
                  // Nodes the proxies cannot use (cordoned, unreachable) do not count, so a lost node never blocks
                  // rescheduling its proxy elsewhere.
                  nodeTaintsPolicy: "Honor",
                  labelSelector: { matchLabels: { ...gatewayProxyPods.labels } },
                },
              ],
            },
            container: { resources: { requests: { cpu: proxy.cpu, memory: proxy.memory }, limits: { memory: proxy.memory } } },
          },
          ...(autoscaled
            ? {
                envoyHpa: {
                  minReplicas: proxy.minReplicas,
                  maxReplicas: proxy.maxReplicas,
                  metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
                },
              }
            : {}),
          // One proxy at a time may be evicted by a drain; a single proxy gets none (it would block every drain).
          ...(redundant ? { envoyPDB: { maxUnavailable: 1 } } : {}),
          envoyService: {
            name: gatewayProxyPods.service,
            type: "LoadBalancer",
            // Only nodes running a proxy pass the load balancer's health check: no second hop, client address kept.
            externalTrafficPolicy: "Local",
            annotations: args.serviceAnnotations,
          },
        },
      },
      telemetry: {
        accessLog: {
          settings: [
            {
              format: { type: "JSON", json: { ...accessLogFields } },
              sinks: [{ type: "OpenTelemetry", openTelemetry: { ...otlp, resourceAttributes: { "service.name": "loco-gateway" } } }],
            },
          ],
        },
        metrics: { sinks: [{ type: "OpenTelemetry", openTelemetry: otlp }] },
      },
    },
  };
}
