/**
 * How requests reach an app that serves HTTP: its Service, one HTTPRoute per hostname on the shared Gateway, a
 * ListenerSet and cert-manager Certificates for user-provided domains, and, when the app may sleep, the HTTP
 * add-on's interceptor in front of it (InterceptorRoute, and a ReferenceGrant in the add-on's namespace).
 */
import { kedaHttpInterceptor, kedaNamespace } from "../../lib/keda-http";
import { gatewayListeners, sharedGatewayParentRef } from "../../lib/shared-gateway";
import { userDomainHttpsPort, userDomainIssuer } from "../../lib/tenant-domains";
import type { AppIdentity } from "./app-identity";
import type { TenantRoute } from "./domains";
import { hostObjectName } from "./names";
import type { IInterceptorRoute, TenantObject } from "./objects";

/** The port the app's Service listens on; the container's own port is the Service's target. */
export const servicePort = 80;
/** In-flight requests per replica the interceptor scales a sleeping app on. */
export const concurrencyTarget = 100;

/** The name of the Secret holding a user-provided domain's certificate. */
export const userDomainTlsSecretName = (hostname: string) => hostObjectName("tls-", hostname);

/** The in-cluster URL of an app's Service. */
export const serviceUrl = (namespace: string, name: string) => `http://${name}.${namespace}.svc.cluster.local`;

const listenerSetName = "user-domains";

export function serviceObject(id: AppIdentity): TenantObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: id.name, namespace: id.namespace, labels: id.labels },
    spec: {
      type: "ClusterIP",
      selector: id.selector,
      ports: [{ name: "http", port: servicePort, targetPort: "http", protocol: "TCP", appProtocol: "http" }],
    },
  };
}

/** A user-provided domain's own HTTPS listener, and its certificate from the HTTP-01 issuer. */
function userDomainObjects(id: AppIdentity, userDomains: readonly TenantRoute[]): TenantObject[] {
  if (userDomains.length === 0) return [];
  return [
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "ListenerSet",
      metadata: { name: listenerSetName, namespace: id.namespace, labels: id.labels },
      spec: {
        parentRef: sharedGatewayParentRef(),
        listeners: userDomains.map((route) => ({
          name: route.hostname,
          hostname: route.hostname,
          port: userDomainHttpsPort,
          protocol: "HTTPS",
          tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: userDomainTlsSecretName(route.hostname) }] },
          allowedRoutes: { namespaces: { from: "Same" }, kinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }] },
        })),
      },
    },
    ...userDomains.map((route): TenantObject => ({
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: route.hostname, namespace: id.namespace, labels: id.labels },
      spec: {
        secretName: userDomainTlsSecretName(route.hostname),
        dnsNames: [route.hostname],
        issuerRef: { ...userDomainIssuer },
        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
        secretTemplate: { labels: id.tenant },
      },
    })),
  ];
}

/** What lets requests wake a sleeping app: the interceptor routes its hosts and may send to its Service. */
function wakeObjects(id: AppIdentity, routes: readonly TenantRoute[]): TenantObject[] {
  const interceptorRoute: IInterceptorRoute = {
    apiVersion: "http.keda.sh/v1beta1",
    kind: "InterceptorRoute",
    metadata: { name: id.name, namespace: id.namespace, labels: id.labels },
    spec: {
      target: { service: id.name, port: servicePort },
      rules: [{ hosts: routes.map((route) => route.hostname) }],
      scalingMetric: { concurrency: { targetValue: concurrencyTarget } },
    },
  };
  return [
    interceptorRoute,
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "ReferenceGrant",
      metadata: { name: hostObjectName("tenant-", id.namespace), namespace: kedaNamespace, labels: id.labels },
      spec: {
        from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: id.namespace }],
        to: [{ group: "", kind: "Service", name: kedaHttpInterceptor.service }],
      },
    },
  ];
}

/** One HTTPRoute per hostname, on the listener of its kind, to the app's Service (or the interceptor when it sleeps). */
export function routeObjects(id: AppIdentity, routes: readonly TenantRoute[], sleeps: boolean): TenantObject[] {
  const backend = sleeps
    ? {
        group: "",
        kind: "Service",
        name: kedaHttpInterceptor.service,
        namespace: kedaHttpInterceptor.namespace,
        port: kedaHttpInterceptor.port,
      }
    : { group: "", kind: "Service", name: id.name, port: servicePort };
  const parentRef = (route: TenantRoute) =>
    route.attachment === "user-domain"
      ? { group: "gateway.networking.k8s.io", kind: "ListenerSet", name: listenerSetName, sectionName: route.hostname }
      : sharedGatewayParentRef(route.attachment === "tenant-wildcard" ? gatewayListeners.tenants : gatewayListeners.regionTenants);

  return [
    ...routes.map((route): TenantObject => ({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: route.hostname, namespace: id.namespace, labels: id.labels },
      spec: {
        parentRefs: [parentRef(route)],
        hostnames: [route.hostname],
        rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [backend] }],
      },
    })),
    ...userDomainObjects(
      id,
      routes.filter((route) => route.attachment === "user-domain"),
    ),
    ...(sleeps ? wakeObjects(id, routes) : []),
  ];
}
