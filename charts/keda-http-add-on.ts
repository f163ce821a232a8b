/** KEDA's HTTP add-on: holds requests to sleeping apps while they scale up from zero. */
import { corePoolPlacement } from "../lib/core-pool";
import type { ChartPin } from "./chart";

export const kedaHttpAddOnChart: ChartPin = {
  chart: "keda-add-ons-http",
  repository: "https://kedacore.github.io/charts",
  version: "0.15.0",
  project: "https://github.com/kedacore/http-add-on",
  workloads: [
    { name: "operator", replicas: "operator.replicas", resources: "operator.resources" },
    { name: "scaler", replicas: "scaler.replicas", resources: "scaler.resources" },
    { name: "interceptor", replicas: "interceptor.replicas.min", resources: "interceptor.resources" },
  ],
};

export interface KedaHttpAddOnValuesArgs {
  /** The interceptor that holds requests for sleeping apps. */
  readonly interceptor: {
    /** Fewest interceptor replicas; 2 or more keeps waking apps through a node loss. */
    readonly minReplicas: number;
    /** Most interceptor replicas, scaled on the requests it holds. */
    readonly maxReplicas: number;
    /** How long a request waits for its app to scale from zero. */
    readonly coldStartTimeoutSeconds: number;
    /** Whole-request deadline, and the wait for response headers: the gateway's request timeout. */
    readonly requestTimeoutSeconds: number;
    /** CPU request of each replica. */
    readonly cpu: string;
    /** Request and limit: the memory held requests may use. */
    readonly memory: string;
  };
}

/** Pure: keda-add-ons-http values. */
export function kedaHttpAddOnValues(args: KedaHttpAddOnValuesArgs): Record<string, unknown> {
  const { interceptor } = args;
  const ha = interceptor.minReplicas > 1;
  const small = { requests: { cpu: "20m", memory: "32Mi" }, limits: { memory: "128Mi" } };
  const seconds = (n: number) => `${n}s`;
  return {
    crds: { install: true },
    operator: { replicas: 1, pullPolicy: "IfNotPresent", resources: small, ...corePoolPlacement() },
    scaler: { replicas: ha ? 2 : 1, pullPolicy: "IfNotPresent", resources: small, ...corePoolPlacement() },
    interceptor: {
      pullPolicy: "IfNotPresent",
      replicas: { min: interceptor.minReplicas, max: interceptor.maxReplicas },
      // 0.15 leaves all three unset (no deadline): a request for an app that never wakes would be held forever.
      readinessTimeout: seconds(interceptor.coldStartTimeoutSeconds),
      requestTimeout: seconds(interceptor.requestTimeoutSeconds),
      responseHeaderTimeout: seconds(interceptor.requestTimeoutSeconds),
      resources: { requests: { cpu: interceptor.cpu, memory: interceptor.memory }, limits: { memory: interceptor.memory } },
      // Spread so one node loss does not take every interceptor (and every sleeping app's first request) with it.
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: "kubernetes.io/hostname",
          whenUnsatisfiable: "ScheduleAnyway",
          labelSelector: { matchLabels: { "app.kubernetes.io/component": "interceptor" } },
        },
      ],
      pdb: { enabled: ha },
      ...corePoolPlacement(),
    },
  };
}
