/**
 * How the public reaches loco: the API at `api.{baseDomain}` and the UI at the web app host (the apex, or
 * `app.{baseDomain}`), each an HTTPRoute on its own listener of the shared Gateway. The traffic layer already
 * declares those listeners and the certificate that covers both names (lib/public-names.ts, lib/public-certificate.ts);
 * loco's namespace carries the label that lets platform listeners admit its routes.
 */
import type { IHTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { gatewayListeners, sharedGatewayParentRef } from "../lib/shared-gateway";
import { locoWorkloads } from "./workloads";

/** Pure: the route of the API or the UI, every path of `hostname` to its Service. */
export function locoRoute(workload: "api" | "ui", hostname: string, namespace: string): IHTTPRoute & { metadata: { name: string } } {
  const { name } = locoWorkloads[workload];
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name, namespace },
    spec: {
      parentRefs: [sharedGatewayParentRef(workload === "api" ? gatewayListeners.api : gatewayListeners.webApp)],
      hostnames: [hostname],
      rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name, port: 80 }] }],
    },
  };
}
