/**
 * How a tenant's own domain (user-provided, e.g. shop.example.com) is served: the contract between the tenant
 * renderer and the traffic layer.
 *
 * The shared Gateway's wildcard listeners (`*.{baseDomain}`, `*.{region}.{baseDomain}`) and their certificates
 * cannot cover a hostname outside the base domain, and the Gateway must not be edited per tenant. So a tenant
 * namespace with user-provided domains gets a `ListenerSet` (Gateway API standard channel since v1.5; Envoy Gateway
 * 1.8+) attached to the shared Gateway: one HTTPS listener per domain, terminating TLS with a certificate that
 * cert-manager issues through ACME HTTP-01 (the user's DNS is not ours, so DNS-01 is impossible; the user points
 * the name at the platform's address, which also proves control).
 *
 * The traffic layer provides, under these names:
 * - on the shared Gateway, `allowedListeners` admitting ListenerSets from namespaces labelled with
 *   `tenantNamespaceLabel` (lib/shared-gateway.ts), and an `http` listener that admits the ACME solver's routes
 *   from those namespaces;
 * - the ClusterIssuer below: ACME with an HTTP-01 `gatewayHTTPRoute` solver whose parentRef is the shared Gateway's
 *   `http` listener.
 */
export const userDomainIssuer = { group: "cert-manager.io", kind: "ClusterIssuer", name: "loco-user-domains" } as const;

/** The port of the HTTPS listeners tenants attach through their ListenerSet (the Gateway's public HTTPS port). */
export const userDomainHttpsPort = 443;
