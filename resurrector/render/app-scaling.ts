/**
 * How many replicas an app runs: the range from its spec, where a rebuild starts it, and the KEDA ScaledObject
 * that moves it within the range on the triggers its kind chooses (CPU and memory, the HTTP add-on's wake-up, a
 * worker's queue). An app whose range is a single count needs no ScaledObject: its Deployment says it all.
 */
import type { IScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import { kedaHttpExternalScalerAddress } from "../../lib/keda-http";
import type { AppIdentity } from "./app-identity";
import type { ReplicaRange } from "./app-input";
import type { TenantObject } from "./objects";
import type { WorkerQueue } from "./worker-spec";

type ScaledObjectSpec = NonNullable<IScaledObject["spec"]>;
export type ScaleTrigger = ScaledObjectSpec["triggers"][number];
type Fallback = NonNullable<ScaledObjectSpec["fallback"]>;

/** Target utilization of the CPU and memory triggers, in percent of requests. */
export const cpuUtilizationTarget = 70;
export const memoryUtilizationTarget = 80;
/** Seconds without load before KEDA scales down (to zero for a sleeping app). */
export const cooldownSeconds = 300;
/** Failed reads of a worker's queue in a row before KEDA falls back to a fixed count. */
export const queueFailureThreshold = 3;

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** The range, and loco's last replica count moved into it (with a warning when it had to move). */
export function replicaRange(min: number, maxReplicas: number, rowReplicas: number, warnings: string[]): ReplicaRange {
  const max = Math.max(maxReplicas, min);
  const initial = clamp(rowReplicas, min, max);
  if (initial !== rowReplicas) warnings.push(`deployments.replicas ${rowReplicas} is outside ${min}..${max}: starts with ${initial}`);
  return { min, max, initial };
}

export const cpuTrigger: ScaleTrigger = { type: "cpu", metricType: "Utilization", metadata: { value: String(cpuUtilizationTarget) } };
export const memoryTrigger: ScaleTrigger = {
  type: "memory",
  metricType: "Utilization",
  metadata: { value: String(memoryUtilizationTarget) },
};

/** The HTTP add-on's scaler: wakes a sleeping app from zero on the interceptor's queue; CPU and memory cannot. */
export const httpWakeTrigger = (interceptorRoute: string): ScaleTrigger => ({
  type: "external-push",
  metadata: { scalerAddress: kedaHttpExternalScalerAddress, interceptorRoute },
});

/** KEDA's scaler for a worker's queue, reading the broker's address from the worker's own environment. */
export function queueTrigger(queue: WorkerQueue): ScaleTrigger {
  const length = String(queue.targetLength);
  if (queue.type === "rabbitmq") {
    return {
      type: "rabbitmq",
      metadata: { hostFromEnv: queue.connectionFromEnv, queueName: queue.name, mode: "QueueLength", value: length },
    };
  }
  return {
    type: "redis",
    metadata: {
      addressFromEnv: queue.connectionFromEnv,
      listName: queue.name,
      listLength: length,
      ...(queue.passwordFromEnv ? { passwordFromEnv: queue.passwordFromEnv } : {}),
    },
  };
}

/** While KEDA cannot read a queue, at least one worker keeps consuming (more if more already run). */
export const queueFallback = (replicas: ReplicaRange): Fallback => ({
  failureThreshold: queueFailureThreshold,
  replicas: Math.max(replicas.min, 1),
  behavior: "currentReplicasIfHigher",
});

/** The ScaledObject moving the app's Deployment within `replicas` on `triggers`; none for a fixed count. */
export function scaledObjects(
  id: AppIdentity,
  replicas: ReplicaRange,
  triggers: readonly ScaleTrigger[],
  options: { readonly sleeps?: boolean; readonly fallback?: Fallback } = {},
): TenantObject[] {
  // A range to scale in, or a wake-up trigger: otherwise the Deployment's fixed replicas say it all.
  if (replicas.max === replicas.min && !options.sleeps) return [];
  return [
    {
      apiVersion: "keda.sh/v1alpha1",
      kind: "ScaledObject",
      metadata: { name: id.name, namespace: id.namespace, labels: id.labels },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: id.name },
        minReplicaCount: replicas.min,
        maxReplicaCount: replicas.max,
        cooldownPeriod: cooldownSeconds,
        ...(options.fallback ? { fallback: options.fallback } : {}),
        triggers: [...triggers],
      },
    },
  ];
}
