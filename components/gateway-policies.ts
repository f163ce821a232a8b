/**
 * Pure renderers of the Envoy Gateway policies attached to the shared Gateway: what clients may speak (PROXY
 * protocol or HTTP/3), the backend defaults every route gets (timeouts, per-app request limits), and the API
 * listener's rate limit.
 */
import type { IBackendTrafficPolicy } from "@kubernetes-models/envoy-gateway/gateway.envoyproxy.io/v1alpha1/BackendTrafficPolicy";
import type { IClientTrafficPolicy } from "@kubernetes-models/envoy-gateway/gateway.envoyproxy.io/v1alpha1/ClientTrafficPolicy";
import { gatewayListeners, sharedGateway, sharedGatewayPolicyTarget } from "../lib/shared-gateway";
import { gatewayObjects, type Named } from "./gateway-object-names";

export interface ClientSettingsArgs {
  /** Advertise and serve HTTP/3 on the HTTPS listeners. */
  readonly http3: boolean;
  /** The proxies' Service. */
  readonly service: {
    /** Whether the load balancer in front sends PROXY protocol, which the listeners must then require. */
    readonly proxyProtocol: boolean;
  };
}

export interface BackendDefaultsArgs {
  /** Gateway-wide backend defaults; per-app policies may override them. */
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
}

export interface ApiPolicyArgs extends BackendDefaultsArgs {
  /** The API host's rate limit. */
  readonly apiRateLimit: {
    /** Requests per second per client IP, per proxy replica. */
    readonly requestsPerSecond: number;
  };
}

/**
 * Pure: client-side settings of every listener: PROXY protocol when the load balancer sends it, or HTTP/3. Never
 * both: QUIC has no PROXY header, and Envoy rejects the QUIC listener Envoy Gateway v1.9 builds for the pair.
 */
export function clientTrafficPolicyObject(args: ClientSettingsArgs): Named<IClientTrafficPolicy> {
  return {
    apiVersion: "gateway.envoyproxy.io/v1alpha1",
    kind: "ClientTrafficPolicy",
    metadata: { name: gatewayObjects.clientPolicy, namespace: sharedGateway.namespace },
    spec: {
      targetRefs: [sharedGatewayPolicyTarget()],
      ...(args.http3 ? { http3: {} } : {}),
      // Required, not optional: a connection without the header did not come through the load balancer.
      ...(args.service.proxyProtocol ? { proxyProtocol: { optional: false } } : {}),
    },
  };
}

/** Pure: timeouts and per-app request limits; the API listener's policy repeats them (see apiPolicyObject). */
export function backendDefaults(args: BackendDefaultsArgs) {
  return {
    timeout: {
      http: { requestTimeout: `${args.timeouts.requestSeconds}s`, connectionIdleTimeout: `${args.timeouts.idleSeconds}s` },
    },
    // Per route backend and proxy replica. For a sleeping app the backend is the shared interceptor: this is what
    // bounds how many requests one burst can park there (the add-on 0.15 has no limit of its own).
    circuitBreaker: {
      maxParallelRequests: args.backendLimits.maxParallelRequests,
      maxPendingRequests: args.backendLimits.maxPendingRequests,
    },
  };
}

/**
 * Pure: backend defaults for every route of the Gateway. A per-app policy on an HTTPRoute overrides them; with
 * mergeType StrategicMerge (lib/shared-gateway.ts routePolicyMergeType) it changes only what it sets.
 */
export function backendDefaultsPolicyObject(args: BackendDefaultsArgs): Named<IBackendTrafficPolicy> {
  return {
    apiVersion: "gateway.envoyproxy.io/v1alpha1",
    kind: "BackendTrafficPolicy",
    metadata: { name: gatewayObjects.backendDefaults, namespace: sharedGateway.namespace },
    spec: { targetRefs: [sharedGatewayPolicyTarget()], ...backendDefaults(args) },
  };
}

/**
 * Pure: the API listener's policy: a local rate limit with one bucket per client IP (`Distinct`). A listener-level
 * policy replaces the Gateway-level one for that listener (mergeType is not allowed on Gateway targets), so it
 * carries the same defaults. Buckets are per proxy replica: the effective limit is this times the replicas.
 */
export function apiPolicyObject(args: ApiPolicyArgs): Named<IBackendTrafficPolicy> {
  return {
    apiVersion: "gateway.envoyproxy.io/v1alpha1",
    kind: "BackendTrafficPolicy",
    metadata: { name: gatewayObjects.apiPolicy, namespace: sharedGateway.namespace },
    spec: {
      targetRefs: [sharedGatewayPolicyTarget(gatewayListeners.api)],
      ...backendDefaults(args),
      rateLimit: {
        local: {
          rules: [
            {
              clientSelectors: [{ sourceCIDR: { type: "Distinct", value: "0.0.0.0/0" } }],
              limit: { requests: args.apiRateLimit.requestsPerSecond, unit: "Second" },
            },
          ],
        },
      },
    },
  };
}
