/**
 * Where KEDA's HTTP add-on listens, for the tenant renderer's routes and ScaledObjects. The traffic layer
 * installs the add-on as release "keda-add-ons-http" in namespace "keda", which gives these Service names.
 */
export const kedaNamespace = "keda";

/** The interceptor's proxy: a sleeping app's HTTPRoute points here (through a ReferenceGrant) until it wakes. */
export const kedaHttpInterceptor = { service: "keda-add-ons-http-interceptor-proxy", namespace: kedaNamespace, port: 8080 } as const;

/** The external scaler an `external-push` ScaledObject trigger talks to. */
export const kedaHttpExternalScaler = { service: "keda-add-ons-http-external-scaler", namespace: kedaNamespace, port: 9090 } as const;

export const kedaHttpExternalScalerAddress = `${kedaHttpExternalScaler.service}.${kedaHttpExternalScaler.namespace}:${kedaHttpExternalScaler.port}`;
