/**
 * The one Gateway every public route attaches to (built by the traffic layer), and how a namespace gets its
 * routes admitted. Platform add-ons (registry, dashboards) and the tenant renderer use these names; the traffic
 * layer creates exactly these objects.
 */

/** The shared Gateway's name and namespace, for HTTPRoute parentRefs. */
export const sharedGateway = { name: "loco", namespace: "loco-gateway" } as const;

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

/** On a platform namespace: the Gateway's platform listeners admit routes only from namespaces carrying it. */
export const platformRoutesLabel = { key: "loco.dev/platform-routes", value: "true" } as const;
