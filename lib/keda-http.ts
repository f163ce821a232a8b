/**
 * Where KEDA's HTTP add-on listens, for the tenant renderer's routes and ScaledObjects. The traffic layer
 * installs the add-on as release "keda-add-ons-http" in namespace "keda", which gives these Service names.
 */
import { platformNamespaces } from "./platform-namespaces";
export const kedaNamespace = platformNamespaces.keda;

/** The interceptor's proxy: a sleeping app's HTTPRoute points here (through a ReferenceGrant) until it wakes. */
export const kedaHttpInterceptor = { service: "keda-add-ons-http-interceptor-proxy", namespace: kedaNamespace, port: 8080 } as const;

/** The external scaler an `external-push` ScaledObject trigger talks to. */
export const kedaHttpExternalScaler = { service: "keda-add-ons-http-external-scaler", namespace: kedaNamespace, port: 9090 } as const;

export const kedaHttpExternalScalerAddress = `${kedaHttpExternalScaler.service}.${kedaHttpExternalScaler.namespace}:${kedaHttpExternalScaler.port}`;

/**
 * Pure: the ReferenceGrant that lets HTTPRoutes in one tenant namespace send a sleeping app's traffic to the
 * interceptor. A ReferenceGrant names each namespace it trusts (no selectors), so the tenant renderer writes one per
 * tenant namespace, into the add-on's namespace whose owner is consenting. v1beta1, because every Gateway API
 * release serves it, including older ones a cluster may provide; v1 is recent.
 */
export function interceptorReferenceGrant(tenantNamespace: string) {
  return {
    apiVersion: "gateway.networking.k8s.io/v1beta1",
    kind: "ReferenceGrant",
    metadata: { name: `interceptor-from-${tenantNamespace}`, namespace: kedaHttpInterceptor.namespace },
    spec: {
      from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: tenantNamespace }],
      to: [{ group: "", kind: "Service", name: kedaHttpInterceptor.service }],
    },
  } as const;
}
