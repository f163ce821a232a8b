/**
 * A worker: a long-running process with no port and no route. Composed of the same pieces as a service, minus what
 * serves requests: identity, secrets, a Deployment without ports or probes, scaling on its queue (KEDA's redis or
 * rabbitmq scaler, which may wake it from zero) or else on CPU, a disruption budget, and an isolation policy that
 * admits nothing in.
 */
import type { AppKindDefinition, EnvironmentSource, TenantAppInput, TenantAppRender } from "./app-input";
import { appIdentity, namespaceObject } from "./app-identity";
import { networkPolicy } from "./app-isolation";
import { cpuTrigger, queueFallback, queueTrigger, replicaRange, scaledObjects } from "./app-scaling";
import { appSecrets, secretObjects } from "./app-secrets";
import { deploymentObject, disruptionBudget } from "./app-workload";
import { inApplyOrder } from "./objects";
import { parseWorkerSpec, type WorkerQueue, type WorkerSpec } from "./worker-spec";

/** KEDA reads the broker's address from the worker's environment: the variables must be there to be read. */
function queueEnvironmentProblems(queue: WorkerQueue | undefined, environment: EnvironmentSource | undefined): string[] {
  if (!queue) return [];
  const fields = [
    ["connectionFromEnv", queue.connectionFromEnv],
    ...(queue.passwordFromEnv ? [["passwordFromEnv", queue.passwordFromEnv]] : []),
  ];
  if (environment === undefined) {
    return [`spec.worker.queue.connectionFromEnv names ${queue.connectionFromEnv}, but the app has no stored environment to hold it`];
  }
  // Sealed and not opened (no key): the plan cannot look inside; a rebuild, which opens it, checks.
  if (!("values" in environment)) return [];
  return fields
    .filter(([, variable]) => !Object.hasOwn(environment.values, variable))
    .map(([field, variable]) => `spec.worker.queue.${field} names ${variable}, which the app's stored environment does not hold`);
}

/** Renders one worker. Problems (data Kubernetes or KEDA would reject) fail the app, never the run. */
export function renderWorkerApp(input: TenantAppInput<WorkerSpec>): TenantAppRender {
  const warnings: string[] = [];
  const id = appIdentity(input);
  const { spec } = input;
  const { queue } = spec;
  const sleeps = spec.minReplicas === 0 && queue !== undefined;
  // CPU is zero when nothing runs: only a queue can start a worker from zero.
  if (spec.minReplicas === 0 && !sleeps) warnings.push("minReplicas is 0 but the worker names no queue to wake it on: kept at 1 replica");
  const replicas = replicaRange(Math.max(spec.minReplicas, sleeps ? 0 : 1), spec.maxReplicas, input.deployment.replicas, warnings);

  const { secrets, problems } = appSecrets(input, id);
  problems.push(...queueEnvironmentProblems(queue, input.environment));
  if (problems.length > 0) return { ok: false, problems };

  const objects = inApplyOrder([
    namespaceObject(id),
    ...secretObjects(secrets),
    deploymentObject(input, id, replicas.initial, {}, warnings),
    ...(queue
      ? scaledObjects(id, replicas, [queueTrigger(queue)], { sleeps, fallback: queueFallback(replicas) })
      : scaledObjects(id, replicas, [cpuTrigger])),
    ...disruptionBudget(id, replicas.min),
    networkPolicy(id, input.workspace.id, []),
  ]);
  return {
    ok: true,
    app: { kind: "worker", namespace: id.namespace, name: id.name, image: spec.image, sleeps, replicas, objects, secrets, warnings },
  };
}

export const workerKind: AppKindDefinition<WorkerSpec> = {
  parse: parseWorkerSpec,
  render: renderWorkerApp,
  // No port: nothing calls a worker, so its siblings get no LOCO_<WORKER>_URL.
  siblingUrl: () => undefined,
  unroutable: "a worker has no port: its hostnames are not routed",
};
