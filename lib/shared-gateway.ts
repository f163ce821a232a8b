/**
 * The one Gateway every public route attaches to (built by the traffic layer), and how a namespace gets its
 * routes admitted. Platform add-ons (registry, dashboards) and the tenant renderer use these names; the traffic
 * layer creates exactly these objects.
 */
import { platformNamespaces } from "./platform-namespaces";

/** The shared Gateway's name and namespace, for HTTPRoute parentRefs. */
export const sharedGateway = { name: "loco", namespace: platformNamespaces.gateway } as const;

/** How a route (in any namespace) names the shared Gateway, or one listener of it, as its parent. */
export interface SharedGatewayParentRef {
  readonly group: "gateway.networking.k8s.io";
  readonly kind: "Gateway";
  readonly name: string;
  readonly namespace: string;
  /** The listener; a route without one attaches to every listener that admits it. */
  readonly sectionName?: string;
}

/** Pure: the parentRef of a route attaching to the shared Gateway's `sectionName` listener (usually one of {@link gatewayListeners}). */
export function sharedGatewayParentRef(sectionName?: string): SharedGatewayParentRef {
  return {
    group: "gateway.networking.k8s.io",
    kind: "Gateway",
    name: sharedGateway.name,
    namespace: sharedGateway.namespace,
    ...(sectionName ? { sectionName } : {}),
  };
}

/**
 * Pure: how a policy in the Gateway's own namespace targets it, or one of its listeners. Policy target references are
 * local: they carry no namespace.
 */
export function sharedGatewayPolicyTarget(sectionName?: string): Omit<SharedGatewayParentRef, "namespace"> {
  const { namespace: _sameNamespace, ...target } = sharedGatewayParentRef(sectionName);
  return target;
}

/** Listener (sectionName) per public host; routes attach to the listener of their host. */
export const gatewayListeners = {
  http: "http",
  webApp: "https-web-app",
  api: "https-api",
  dashboards: "https-dashboards",
  registry: "https-registry",
  status: "https-status",
  tenants: "https-tenants",
  regionTenants: "https-region-tenants",
} as const;

/** On a tenant namespace: the Gateway's tenant listeners admit routes only from namespaces carrying it. */
export const tenantNamespaceLabel = { key: "loco.dev/tenant", value: "true" } as const;

/**
 * On a namespace whose routes may attach to the port-80 listener: the Gateway's own (the HTTPS redirect) and tenant
 * namespaces, where cert-manager puts the HTTP-01 challenge routes for user-provided domains (lib/tenant-domains.ts).
 */
export const httpRoutesLabel = { key: "loco.dev/http-routes", value: "true" } as const;

/** On a platform namespace: the Gateway's platform listeners admit routes only from namespaces carrying it. */
export const platformRoutesLabel = { key: "loco.dev/platform-routes", value: "true" } as const;

/**
 * Where the shared Gateway's Envoy proxies run (Envoy Gateway creates them in its controller's namespace), their
 * Service, and the labels Envoy Gateway puts on them: a tenant NetworkPolicy admits its traffic from these pods.
 */
export const gatewayProxyPods = {
  namespace: platformNamespaces.gatewayController,
  /** The proxies' Deployment and LoadBalancer Service. */
  service: "loco-gateway-proxy",
  labels: {
    "gateway.envoyproxy.io/owning-gateway-name": sharedGateway.name,
    "gateway.envoyproxy.io/owning-gateway-namespace": sharedGateway.namespace,
  },
} as const;

/**
 * The traffic layer attaches platform-wide BackendTrafficPolicy defaults (timeouts, per-backend request limits) to
 * the shared Gateway. A per-app BackendTrafficPolicy on an HTTPRoute replaces those defaults for its route unless it
 * sets this merge type, so the tenant renderer's per-app policies (idle timeouts) must set it.
 */
export const routePolicyMergeType = "StrategicMerge" as const;
