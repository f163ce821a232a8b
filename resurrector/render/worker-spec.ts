/**
 * A worker's deployment spec (deployments.spec of a `worker` resource): a long-running process with no port and no
 * route, scaled on the length of the queue it consumes or, when it names none, on CPU.
 *
 * loco (at e08302e, the revision this resurrector reads) has the `worker` resource type but no worker spec yet;
 * this is the resurrector's, shaped like loco's service spec (docs/resurrector.md#workers):
 *
 * spec_version 1:
 *   {"worker": {"build": {"type": "docker", "image": "<registry>/<repo>:<tag>"},
 *               "resources": {"cpu": "250m", "memory": "256Mi"},
 *               "minReplicas": 0, "maxReplicas": 5, "region": "us-east-1",
 *               "queue": {"type": "redis", "name": "emails", "connectionFromEnv": "REDIS_ADDRESS",
 *                         "passwordFromEnv": "REDIS_PASSWORD", "targetLength": 20}}}
 *
 * `queue` is optional. The broker's address is never in the spec: it is a variable of the app's stored environment
 * (a Redis `host:port`, or a RabbitMQ `amqp://` URL), which KEDA reads from the worker's container.
 */
import { isRecord, show, SpecProblems, unknownSpecVersion, type SpecResult } from "./spec-fields";
import { specLimits } from "./spec-limits";

/** The brokers a worker's queue can live in: KEDA's `redis` (a list) and `rabbitmq` (a queue) scalers. */
export const queueTypes = ["redis", "rabbitmq"] as const;
export type QueueType = (typeof queueTypes)[number];

export interface WorkerQueue {
  readonly type: QueueType;
  /** The Redis list or RabbitMQ queue the worker consumes. */
  readonly name: string;
  /** The variable of the app's stored environment holding the broker's address. */
  readonly connectionFromEnv: string;
  /** Redis only: the variable holding the password, when the broker needs one. */
  readonly passwordFromEnv?: string;
  /** Messages waiting per replica that KEDA scales towards. */
  readonly targetLength: number;
}

export interface WorkerSpec {
  readonly kind: "worker";
  readonly image: string;
  readonly cpu: string;
  readonly memory: string;
  /** 0: the worker may sleep until its queue has messages (only with a queue). */
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Absent: scaled on CPU. */
  readonly queue?: WorkerQueue;
  readonly region?: string;
}

/** spec_versions this parser understands. */
export const supportedWorkerSpecVersions: readonly number[] = [1];

const environmentVariable = /^[A-Za-z_][A-Za-z0-9_]{0,252}$/;
/** Any name the brokers accept, without control or formatting characters (they would only ever be typos or tricks). */
const queueName = /^[^\p{Cc}\p{Cf}]{1,255}$/u;

function variableName(record: Record<string, unknown>, key: string, path: string, problems: SpecProblems): string {
  const value = record[key];
  if (typeof value !== "string" || !environmentVariable.test(value)) {
    problems.add(`${path}.${key}`, `must name a variable of the app's environment, such as REDIS_ADDRESS (got ${show(value)})`);
    return "";
  }
  return value;
}

function parseQueue(value: unknown, problems: SpecProblems): WorkerQueue | undefined {
  const path = "spec.worker.queue";
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) {
    problems.add(path, `must be an object (got ${show(value)})`);
    return undefined;
  }
  const type = queueTypes.find((known) => known === value.type);
  if (!type) problems.add(`${path}.type`, `must be one of ${queueTypes.join(", ")} (got ${show(value.type)})`);
  if (typeof value.name !== "string" || !queueName.test(value.name)) {
    problems.add(`${path}.name`, `must be the queue's name: 1 to 255 characters, no control characters (got ${show(value.name)})`);
  }
  const connectionFromEnv = variableName(value, "connectionFromEnv", path, problems);
  const passwordFromEnv = value.passwordFromEnv === undefined ? undefined : variableName(value, "passwordFromEnv", path, problems);
  if (passwordFromEnv !== undefined && type === "rabbitmq") {
    problems.add(`${path}.passwordFromEnv`, "is for redis only: a RabbitMQ URL carries its own credentials");
  }
  const targetLength = problems.integer(value, "targetLength", path, 1, specLimits.queueTargetLength);
  return { type: type ?? "redis", name: String(value.name), connectionFromEnv, passwordFromEnv, targetLength };
}

function parseV1(spec: unknown): SpecResult<WorkerSpec> {
  const worker = isRecord(spec) ? spec.worker : undefined;
  if (!isRecord(worker)) return { ok: false, problems: [`spec.worker must be an object (got ${show(worker)})`] };
  const path = "spec.worker";
  const problems = new SpecProblems();
  const image = problems.image(worker, path);
  const { cpu, memory } = problems.resources(worker, path);
  const { minReplicas, maxReplicas } = problems.replicas(worker, path);
  const queue = parseQueue(worker.queue, problems);
  const region = typeof worker.region === "string" ? worker.region : undefined;

  if (problems.problems.length > 0) return { ok: false, problems: problems.problems };
  return { ok: true, spec: { kind: "worker", image, cpu, memory, minReplicas, maxReplicas, queue, region } };
}

/** The spec of one worker's deployment row, or every reason it cannot be rendered. */
export function parseWorkerSpec(specVersion: number, spec: unknown): SpecResult<WorkerSpec> {
  return specVersion === 1 ? parseV1(spec) : unknownSpecVersion(specVersion, supportedWorkerSpecVersions);
}
