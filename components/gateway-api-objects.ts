/**
 * Pure renderers of the shared Gateway's Gateway API objects: the GatewayClass, the Gateway with its listeners, and
 * the only route on port 80 (the redirect to HTTPS).
 */
import type { IGateway } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway";
import type { IGatewayClass } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewayClass";
import type { IHTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { platformHosts, type PublicNames } from "../lib/public-names";
import {
  gatewayListeners,
  httpRoutesLabel,
  platformRoutesLabel,
  sharedGateway,
  sharedGatewayParentRef,
  tenantNamespaceLabel,
} from "../lib/shared-gateway";
import { gatewayObjects, type Named } from "./gateway-object-names";

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
 * routes cert-manager creates in tenant namespaces (their exact paths win over the redirect's catch-all). Platform
 * listeners admit routes from namespaces labelled for platform routes, tenant listeners from tenant namespaces; an
 * exact hostname listener wins over the wildcard, so no tenant can take a platform name.
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
      parentRefs: [sharedGatewayParentRef(gatewayListeners.http)],
      rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
    },
  };
}
