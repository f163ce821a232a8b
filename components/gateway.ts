/**
 * The shared entry point for every public request: Envoy Gateway (controller and CRDs) on the core pool, and one
 * Gateway with HTTPS listeners for the platform's names and the tenant wildcards, an HTTP listener that only
 * redirects, PROXY protocol or HTTP/3, backend defaults and a rate limit on the API host.
 *
 * Custom resources wait for the chart that installs their CRDs (a real dependency, not luck of ordering), and
 * {@link SharedGateway.routesReady} is what other layers wait for before declaring their HTTPRoutes.
 */
import type { IHTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import type { IGateway } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway";
import type { IGatewayClass } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewayClass";
import type { IBackendTrafficPolicy } from "@kubernetes-models/envoy-gateway/gateway.envoyproxy.io/v1alpha1/BackendTrafficPolicy";
import type { IClientTrafficPolicy } from "@kubernetes-models/envoy-gateway/gateway.envoyproxy.io/v1alpha1/ClientTrafficPolicy";
import type { IEnvoyProxy } from "@kubernetes-models/envoy-gateway/gateway.envoyproxy.io/v1alpha1/EnvoyProxy";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartSource } from "../charts/chart";
import { envoyGatewayChart, envoyGatewayValues } from "../charts/envoy-gateway";
import { envoyGatewayCrdsChart, envoyGatewayCrdsValues, type GatewayApiCrds } from "../charts/envoy-gateway-crds";
import { corePoolPlacement } from "../lib/core-pool";
import { platformHosts, type PublicNames } from "../lib/public-names";
import {
  gatewayListeners,
  gatewayProxyPods,
  platformRoutesLabel,
  sharedGateway,
  tenantNamespaceLabel,
  httpRoutesLabel,
} from "../lib/shared-gateway";
import { otelGateway, otelGatewayHost } from "../lib/telemetry-endpoints";
import { isQuantity } from "../lib/quantity";
import { chartRelease } from "./chart-release";
import { customObject } from "./custom-object";
import { platformNamespace } from "./namespace";

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

export interface SharedGatewayArgs {
  /** The platform's public names: one HTTPS listener each, plus the tenant wildcards. */
  readonly names: PublicNames;
  /** `kubernetes.io/tls` Secret, in the Gateway's namespace, every HTTPS listener serves. */
  readonly tlsSecretName: string;
  /** Who installs the Gateway API CRDs: this component (standard channel) or the cluster. */
  readonly gatewayApiCrds: GatewayApiCrds;
  /** Advertise and serve HTTP/3 on the HTTPS listeners. */
  readonly http3: boolean;
  readonly proxy: ProxyFleetArgs;
  /** How the proxies' LoadBalancer Service is exposed. */
  readonly service: {
    /**
     * Annotations for the cloud's load balancer controller (e.g. adopting an existing load balancer).
     * @default {}
     */
    readonly annotations?: pulumi.Input<Record<string, string>>;
    /** The load balancer sends PROXY protocol; the listeners must then require it. */
    readonly proxyProtocol: boolean;
  };
  /** Gateway-wide backend defaults; per-app policies may override them. */
  readonly timeouts: { readonly requestSeconds: number; readonly idleSeconds: number };
  /** Per app, per proxy replica: requests in flight and queued before Envoy answers 503. */
  readonly backendLimits: { readonly maxParallelRequests: number; readonly maxPendingRequests: number };
  /** Requests per second per client IP on the API host, per proxy replica. */
  readonly apiRateLimit: { readonly requestsPerSecond: number };
}

/** Names of the objects this component declares, for tests, runbooks and other layers. */
export const gatewayObjects = {
  controllerNamespace: gatewayProxyPods.namespace,
  gatewayClass: "loco",
  proxyConfig: "loco-proxy",
  clientPolicy: "loco-clients",
  backendDefaults: "loco-backend-defaults",
  apiPolicy: "loco-api",
  redirectRoute: "https-redirect",
  controllerName: "gateway.envoyproxy.io/gatewayclass-controller",
} as const;

export class SharedGateway extends pulumi.ComponentResource {
  /** The Gateway's namespace, once it exists. */
  public readonly namespace: pulumi.Output<string>;
  /** What an HTTPRoute needs before it can be created: the Gateway API CRDs and the Gateway itself. */
  public readonly routesReady: pulumi.Resource[];
  /** The Gateway API (and Envoy Gateway) CRDs: what a controller that watches Gateway API objects waits for. */
  public readonly crds: pulumi.Resource;
  /** The Envoy proxies' Service (the load balancer's backend). */
  public readonly proxyService: { readonly name: string; readonly namespace: string };

  constructor(name: string, args: SharedGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:traffic:SharedGateway", name, {}, opts);
    validateSharedGatewayArgs(name, args, this);

    // Envoy proxies run here; baseline because Envoy Gateway sets their security context, not us.
    const controllerNamespace = platformNamespace(gatewayObjects.controllerNamespace, { podSecurity: "baseline" }, { parent: this });
    // Only Gateway API objects live here, no pods.
    const gatewayNamespace = platformNamespace(
      sharedGateway.namespace,
      { podSecurity: "restricted", labels: { [httpRoutesLabel.key]: httpRoutesLabel.value } },
      { parent: this },
    );

    // Rendered by Pulumi and applied server-side, one resource per CRD, rather than as a Helm release: Helm keeps a
    // release's whole manifest in one Secret, capped at 1 MiB, and these CRDs exceed it (envoyproxy/gateway#6105).
    // This is Envoy Gateway's documented path (`helm template ... | kubectl apply --server-side`), kept in Pulumi.
    const crds = new k8s.helm.v4.Chart(
      `${name}-crds`,
      {
        ...chartSource(envoyGatewayCrdsChart),
        name: "envoy-gateway-crds",
        namespace: controllerNamespace.metadata.name,
        values: envoyGatewayCrdsValues(args.gatewayApiCrds),
      },
      { parent: this },
    );
    const controller = chartRelease(
      `${name}-controller`,
      envoyGatewayChart,
      {
        releaseName: "envoy-gateway",
        namespace: controllerNamespace.metadata.name,
        values: envoyGatewayValues({ replicas: args.proxy.minReplicas > 1 ? 2 : 1 }),
        skipCrds: true,
      },
      // The controller watches Envoy Gateway and Gateway API kinds from its first start.
      { parent: this, dependsOn: [crds] },
    );

    // Every object below is of a kind the CRD chart defines: all of its CRDs must exist before any of them.
    const afterCrds: pulumi.CustomResourceOptions = { parent: this, dependsOn: [crds] };
    const ns = gatewayNamespace.metadata.name;

    customObject(`${name}-class`, gatewayClassObject(), afterCrds);
    const proxySpec = pulumi
      .output(args.service.annotations ?? {})
      .apply((serviceAnnotations) => envoyProxyObject({ proxy: args.proxy, serviceAnnotations }).spec);
    const proxyConfig = customObject(
      `${name}-proxy-config`,
      {
        apiVersion: "gateway.envoyproxy.io/v1alpha1",
        kind: "EnvoyProxy",
        metadata: { name: gatewayObjects.proxyConfig, namespace: ns },
        spec: proxySpec,
      },
      afterCrds,
    );
    const gateway = customObject(
      `${name}-gateway`,
      { ...gatewayObject(args.names, args.tlsSecretName), metadata: { name: sharedGateway.name, namespace: ns } },
      // After the controller, and after its EnvoyProxy: a Gateway reconciled without its parameters would get a
      // default proxy Service, for which the cloud would provision a second, unwanted load balancer.
      { parent: this, dependsOn: [crds, controller, proxyConfig] },
    );
    customObject(
      `${name}-client-policy`,
      { ...clientTrafficPolicyObject(args), metadata: { name: gatewayObjects.clientPolicy, namespace: ns } },
      afterCrds,
    );
    customObject(
      `${name}-backend-defaults`,
      { ...backendDefaultsPolicyObject(args), metadata: { name: gatewayObjects.backendDefaults, namespace: ns } },
      afterCrds,
    );
    customObject(
      `${name}-api-policy`,
      { ...apiPolicyObject(args), metadata: { name: gatewayObjects.apiPolicy, namespace: ns } },
      afterCrds,
    );
    customObject(
      `${name}-https-redirect`,
      { ...httpsRedirectRoute(), metadata: { name: gatewayObjects.redirectRoute, namespace: ns } },
      afterCrds,
    );

    this.namespace = gatewayNamespace.metadata.name;
    this.routesReady = [crds, gateway];
    this.crds = crds;
    this.proxyService = { name: gatewayProxyPods.service, namespace: gatewayProxyPods.namespace };
    this.registerOutputs({ namespace: this.namespace });
  }
}

type Named<T> = T & { metadata: { name: string; namespace?: string } };

const gatewayRef = (sectionName?: string) => ({
  group: "gateway.networking.k8s.io",
  kind: "Gateway",
  name: sharedGateway.name,
  ...(sectionName ? { sectionName } : {}),
});

/** Pure: the GatewayClass every loco Gateway uses, served by Envoy Gateway. */
export function gatewayClassObject(): Named<IGatewayClass> {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "GatewayClass",
    metadata: { name: gatewayObjects.gatewayClass },
    spec: { controllerName: gatewayObjects.controllerName },
  };
}

/** Listener name for each platform host role (lib/public-names.ts). */
const platformListener: Record<string, string> = {
  "web-app": gatewayListeners.webApp,
  api: gatewayListeners.api,
  dashboards: gatewayListeners.dashboards,
  registry: gatewayListeners.registry,
  status: gatewayListeners.status,
};

/**
 * Pure: the shared Gateway. Port 80 redirects to HTTPS; besides the redirect it admits only the HTTP-01 challenge
 * routes cert-manager creates in tenant namespaces (their exact paths win over the redirect's catch-all). Platform listeners admit routes from namespaces labelled for platform routes, tenant listeners from
 * tenant namespaces; an exact hostname listener wins over the wildcard, so no tenant can take a platform name.
 */
export function gatewayObject(names: PublicNames, tlsSecretName: string): Named<IGateway> {
  const admitting = (label: { key: string; value: string }) => ({
    namespaces: { from: "Selector" as const, selector: { matchLabels: { [label.key]: label.value } } },
    kinds: [
      { group: "gateway.networking.k8s.io", kind: "HTTPRoute" },
      { group: "gateway.networking.k8s.io", kind: "GRPCRoute" },
    ],
  });
  const https = (listener: string, hostname: string, label: { key: string; value: string }) => ({
    name: listener,
    hostname,
    port: 443,
    protocol: "HTTPS" as const,
    tls: { mode: "Terminate" as const, certificateRefs: [{ group: "", kind: "Secret", name: tlsSecretName }] },
    allowedRoutes: admitting(label),
  });
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name: sharedGateway.name, namespace: sharedGateway.namespace },
    spec: {
      gatewayClassName: gatewayObjects.gatewayClass,
      infrastructure: { parametersRef: { group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name: gatewayObjects.proxyConfig } },
      // Tenants' own domains arrive as ListenerSets (lib/tenant-domains.ts), only from tenant namespaces.
      allowedListeners: {
        namespaces: { from: "Selector", selector: { matchLabels: { [tenantNamespaceLabel.key]: tenantNamespaceLabel.value } } },
      },
      listeners: [
        {
          name: gatewayListeners.http,
          port: 80,
          protocol: "HTTP",
          allowedRoutes: {
            namespaces: { from: "Selector", selector: { matchLabels: { [httpRoutesLabel.key]: httpRoutesLabel.value } } },
            kinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }],
          },
        },
        ...platformHosts(names).map(({ role, hostname }) => https(platformListener[role], hostname, platformRoutesLabel)),
        https(gatewayListeners.tenants, names.tenantWildcard, tenantNamespaceLabel),
        https(gatewayListeners.regionTenants, names.regionWildcard, tenantNamespaceLabel),
      ],
    },
  };
}

/** Pure: the only route on port 80, a permanent redirect of every request to HTTPS. */
export function httpsRedirectRoute(): Named<IHTTPRoute> {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: gatewayObjects.redirectRoute, namespace: sharedGateway.namespace },
    spec: {
      parentRefs: [gatewayRef(gatewayListeners.http)],
      rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
    },
  };
}

/** Envoy's proxy sidecar that drains connections on shutdown; Envoy Gateway's defaults, counted by the plan. */
export const shutdownManagerRequests = { cpu: "10m", memory: "32Mi" } as const;

/** Access log fields, named after OpenTelemetry's HTTP semantic conventions so they land in known columns. */
const accessLogFields = {
  "http.request.method": "%REQ(:METHOD)%",
  "url.path": "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
  "server.address": "%REQ(:AUTHORITY)%",
  "network.protocol.name": "%PROTOCOL%",
  "http.response.status_code": "%RESPONSE_CODE%",
  "envoy.response_flags": "%RESPONSE_FLAGS%",
  "http.request.body.size": "%BYTES_RECEIVED%",
  "http.response.body.size": "%BYTES_SENT%",
  "envoy.duration_ms": "%DURATION%",
  "client.address": "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%",
  "user_agent.original": "%REQ(USER-AGENT)%",
  "http.request.header.x-request-id": "%REQ(X-REQUEST-ID)%",
  "envoy.upstream_host": "%UPSTREAM_HOST%",
  "envoy.route_name": "%ROUTE_NAME%",
};

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
              format: { type: "JSON", json: accessLogFields },
              sinks: [{ type: "OpenTelemetry", openTelemetry: { ...otlp, resourceAttributes: { "service.name": "loco-gateway" } } }],
            },
          ],
        },
        metrics: { sinks: [{ type: "OpenTelemetry", openTelemetry: otlp }] },
      },
    },
  };
}

/**
 * Pure: client-side settings of every listener: PROXY protocol when the load balancer sends it, or HTTP/3. Never
 * both: QUIC has no PROXY header, and Envoy rejects the QUIC listener Envoy Gateway v1.9 builds for the pair.
 */
export function clientTrafficPolicyObject(args: Pick<SharedGatewayArgs, "http3" | "service">): Named<IClientTrafficPolicy> {
  return {
    apiVersion: "gateway.envoyproxy.io/v1alpha1",
    kind: "ClientTrafficPolicy",
    metadata: { name: gatewayObjects.clientPolicy, namespace: sharedGateway.namespace },
    spec: {
      targetRefs: [gatewayRef()],
      ...(args.http3 ? { http3: {} } : {}),
      // Required, not optional: a connection without the header did not come through the load balancer.
      ...(args.service.proxyProtocol ? { proxyProtocol: { optional: false } } : {}),
    },
  };
}

/** Pure: timeouts and per-app request limits; the API listener's policy repeats them (see apiPolicyObject). */
export function backendDefaults(args: Pick<SharedGatewayArgs, "timeouts" | "backendLimits">) {
  return {
    timeout: {
      http: { requestTimeout: `${args.timeouts.requestSeconds}s`, connectionIdleTimeout: `${args.timeouts.idleSeconds}s` },
    },
    // Per route backend and proxy replica. For a sleeping app the backend is the shared interceptor: this is what
    // bounds how many requests one burst can park there (the add-on 0.15 has no limit of its own).
    circuitBreaker: {
      maxParallelRequests: args.backendLimits.maxParallelRequests,
      maxPendingRequests: args.backendLimits.maxPendingRequests,
    },
  };
}

/**
 * Pure: backend defaults for every route of the Gateway. A per-app policy on an HTTPRoute overrides them; with
 * mergeType StrategicMerge (lib/shared-gateway.ts routePolicyMergeType) it changes only what it sets.
 */
export function backendDefaultsPolicyObject(args: Pick<SharedGatewayArgs, "timeouts" | "backendLimits">): Named<IBackendTrafficPolicy> {
  return {
    apiVersion: "gateway.envoyproxy.io/v1alpha1",
    kind: "BackendTrafficPolicy",
    metadata: { name: gatewayObjects.backendDefaults, namespace: sharedGateway.namespace },
    spec: { targetRefs: [gatewayRef()], ...backendDefaults(args) },
  };
}

/**
 * Pure: the API listener's policy: a local rate limit with one bucket per client IP (`Distinct`). A listener-level
 * policy replaces the Gateway-level one for that listener (mergeType is not allowed on Gateway targets), so it
 * carries the same defaults. Buckets are per proxy replica: the effective limit is this times the replicas.
 */
export function apiPolicyObject(
  args: Pick<SharedGatewayArgs, "timeouts" | "backendLimits" | "apiRateLimit">,
): Named<IBackendTrafficPolicy> {
  return {
    apiVersion: "gateway.envoyproxy.io/v1alpha1",
    kind: "BackendTrafficPolicy",
    metadata: { name: gatewayObjects.apiPolicy, namespace: sharedGateway.namespace },
    spec: {
      targetRefs: [gatewayRef(gatewayListeners.api)],
      ...backendDefaults(args),
      rateLimit: {
        local: {
          rules: [
            {
              clientSelectors: [{ sourceCIDR: { type: "Distinct", value: "0.0.0.0/0" } }],
              limit: { requests: args.apiRateLimit.requestsPerSecond, unit: "Second" },
            },
          ],
        },
      },
    },
  };
}

/** Pure: throws a ResourceError naming the first bad field. Config validation catches these first. */
export function validateSharedGatewayArgs(name: string, args: SharedGatewayArgs, resource?: pulumi.Resource): void {
  const fail = (field: string, why: string) => {
    throw new pulumi.ResourceError(`SharedGateway ${name}: ${field} ${why}`, resource);
  };
  const { proxy } = args;
  if (!Number.isInteger(proxy.minReplicas) || proxy.minReplicas < 1)
    fail("proxy.minReplicas", `must be at least 1, got ${proxy.minReplicas}`);
  if (proxy.maxReplicas < proxy.minReplicas)
    fail("proxy.maxReplicas", `must be >= minReplicas (${proxy.minReplicas}), got ${proxy.maxReplicas}`);
  if (!isQuantity(proxy.cpu)) fail("proxy.cpu", `"${proxy.cpu}" is not a Kubernetes quantity`);
  if (!isQuantity(proxy.memory)) fail("proxy.memory", `"${proxy.memory}" is not a Kubernetes quantity`);
  if (args.http3 && args.service.proxyProtocol) {
    // Envoy has no PROXY protocol for QUIC; Envoy Gateway v1.9 still adds the filter and Envoy rejects the listener.
    fail("http3", "cannot be combined with service.proxyProtocol (envoyproxy/gateway#9798)");
  }
  if (args.timeouts.requestSeconds < 1) fail("timeouts.requestSeconds", `must be at least 1, got ${args.timeouts.requestSeconds}`);
  if (args.apiRateLimit.requestsPerSecond < 1)
    fail("apiRateLimit.requestsPerSecond", `must be at least 1, got ${args.apiRateLimit.requestsPerSecond}`);
}
