/**
 * The shared entry point for every public request: Envoy Gateway (controller and CRDs) on the core pool, and one
 * Gateway with HTTPS listeners for the platform's names and the tenant wildcards, an HTTP listener that only
 * redirects, PROXY protocol or HTTP/3, backend defaults and a rate limit on the API host.
 *
 * The objects come from pure renderers, one file per seam: gateway-api-objects.ts (GatewayClass, Gateway, redirect),
 * gateway-envoy-proxy.ts (how the proxies run), gateway-policies.ts (client and backend policies) and
 * gateway-access-log.ts (what every request logs). This file only declares them, in order.
 *
 * Custom resources wait for the chart that installs their CRDs (a real dependency, not luck of ordering), and
 * {@link SharedGateway.routesReady} is what other layers wait for before declaring their HTTPRoutes.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartSource } from "../charts/chart";
import { envoyGatewayChart, envoyGatewayValues } from "../charts/envoy-gateway";
import { envoyGatewayCrdsChart, envoyGatewayCrdsValues, type GatewayApiCrds } from "../charts/envoy-gateway-crds";
import type { PublicNames } from "../lib/public-names";
import { gatewayProxyPods, httpRoutesLabel, sharedGateway } from "../lib/shared-gateway";
import { isQuantity } from "../lib/quantity";
import { chartRelease } from "./chart-release";
import { customObject } from "./custom-object";
import { gatewayClassObject, gatewayObject, httpsRedirectRoute } from "./gateway-api-objects";
import { envoyProxyObject, type ProxyFleetArgs } from "./gateway-envoy-proxy";
import { gatewayObjects } from "./gateway-object-names";
import { apiPolicyObject, backendDefaultsPolicyObject, clientTrafficPolicyObject } from "./gateway-policies";
import { platformNamespace } from "./namespace";
import { awaitListenersProgrammed } from "../lib/kubernetes-await";

/** How long Pulumi waits for the listeners: they are Programmed once the public certificate is issued. */
const listenersTimeoutSeconds = 1200;

/** Replica counts and sizes have no default here: each stack states them (stacks/config-defaults.ts). */
export interface SharedGatewayArgs {
  /** The platform's public names: one HTTPS listener each, plus the tenant wildcards. */
  readonly names: PublicNames;
  /** `kubernetes.io/tls` Secret, in the Gateway's namespace, every HTTPS listener serves. */
  readonly tlsSecretName: string;
  /** Who installs the Gateway API CRDs: this component (standard channel) or the cluster. */
  readonly gatewayApiCrds: GatewayApiCrds;
  /** Advertise and serve HTTP/3 on the HTTPS listeners. Cannot be combined with `service.proxyProtocol`. */
  readonly http3: boolean;
  /** How many Envoy proxies run, and what each requests. */
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
  /** Gateway-wide backend defaults; per-app policies may override them. `requestSeconds` at least 1. */
  readonly timeouts: {
    /** Longest a request may take, end to end, before Envoy answers 504. */
    readonly requestSeconds: number;
    /** Longest a connection to a backend may sit idle before Envoy closes it. */
    readonly idleSeconds: number;
  };
  /** Per app, per proxy replica: requests in flight and queued before Envoy answers 503. */
  readonly backendLimits: {
    /** Requests in flight to one app. */
    readonly maxParallelRequests: number;
    /** Requests waiting for a connection to one app. */
    readonly maxPendingRequests: number;
  };
  /** The API host's rate limit. */
  readonly apiRateLimit: {
    /** Requests per second per client IP, per proxy replica; at least 1. */
    readonly requestsPerSecond: number;
  };
}

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
    const controllerNamespace = platformNamespace(
      `${name}-controller-namespace`,
      { name: gatewayObjects.controllerNamespace, podSecurity: "baseline" },
      { parent: this },
    );
    // Only Gateway API objects live here, no pods.
    const gatewayNamespace = platformNamespace(
      `${name}-namespace`,
      { name: sharedGateway.namespace, podSecurity: "restricted", labels: { [httpRoutesLabel.key]: httpRoutesLabel.value } },
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
    const gatewaySpec = gatewayObject(args.names, args.tlsSecretName);
    const gateway = customObject(
      `${name}-gateway`,
      {
        ...gatewaySpec,
        metadata: {
          name: sharedGateway.name,
          namespace: ns,
          // Created (for Pulumi) once every listener is Programmed, its certificate included: whoever calls a
          // platform name during `pulumi up` (Harbor's and Grafana's configuration) then finds it served.
          annotations: awaitListenersProgrammed(
            (gatewaySpec.spec?.listeners ?? []).map((l) => l.name),
            listenersTimeoutSeconds,
          ),
        },
      },
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
