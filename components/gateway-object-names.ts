/**
 * The names of the objects components/gateway.ts declares, shared by their renderers, the component, tests and
 * runbooks. What other layers need (the Gateway itself, its listeners, the proxies' Service) is in lib/shared-gateway.ts.
 */
import { gatewayProxyPods } from "../lib/shared-gateway";

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

/** A rendered object with its name (and namespace, unless cluster-scoped) filled in. */
export type Named<T> = T & { metadata: { name: string; namespace?: string } };
