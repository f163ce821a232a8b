/**
 * loco's own `Application` (infra.loco.io/v1alpha1) for one active deployment, built as loco's API builds it from its
 * database (api/service/deployment.go `createLocoResource`, api/pkg/converter, team-loco/loco @ e08302e), so that
 * after a rebuild loco's controller and API own the app again, exactly as if loco had deployed it:
 *
 * - `resource-<resource id>` in loco's namespace; no labels (loco sets none);
 * - spec.type `SERVICE`, resourceId, workspaceId, region (the deployment's);
 * - serviceSpec.deployment: image, port, build type and dockerfile path, CPU and memory, min/max replicas, scalers,
 *   the health check (`initialDelaySeconds` becomes `startupGracePeriod`), and the environment from the sealed store
 *   (loco keeps it out of its database; its controller makes the `resource-<id>-env` Secret from it);
 * - serviceSpec.resources: the region's defaults from the resource spec, overridden by the deployment's values;
 * - serviceSpec.routing: the app's primary hostname, with the resource spec's path prefix and idle timeout;
 * - serviceSpec.obs: the resource spec's observability block.
 *
 * Fields are left out where Go's `omitempty` leaves them out (empty strings, zeros, false, empty maps), so the
 * object is byte for byte what loco's API would send. Three deliberate differences, each where loco's own code
 * would produce an object it cannot use: a resource spec without the region (loco's API refuses the deployment)
 * or without a routing block still yields resources and routing from the deployment and the hostname; and an
 * observability block always carries logging, metrics and tracing, which the CRD requires (Go's `omitzero` would
 * drop an empty one and the API server would refuse the object).
 */
import { applicationName, locoApplication } from "../../lib/loco-system";
import type { ServiceSpec } from "../render/service-spec";
import { applicationProblems } from "./application-rules";
import type { LocoApplication } from "./loco-application-object";

export type { LocoApplication };
import { readScalers, type ResourceSpec, type Scalers } from "./resource-spec";

export interface ApplicationInput {
  /** loco's namespace (its API's LOCO_NAMESPACE). */
  readonly namespace: string;
  readonly resourceId: string;
  readonly workspaceId: string;
  /** The deployment's region. */
  readonly region: string;
  /** The active deployment's spec, as the renderer reads it. */
  readonly spec: ServiceSpec;
  /** The deployment row's spec itself: for what loco carries that the renderer does not read. */
  readonly rawSpec: unknown;
  readonly resourceSpec: ResourceSpec;
  /** The app's primary hostname on this cluster; without one the Application has no routing. */
  readonly hostname?: string;
  /** The app's environment from the sealed store, opened. */
  readonly environment?: Readonly<Record<string, string>>;
}

export type ApplicationResult =
  { readonly ok: true; readonly application: LocoApplication } | { readonly ok: false; readonly problems: readonly string[] };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A field of the row's spec, in either of the spellings loco's JSON uses. */
function rawField(record: unknown, name: string): unknown {
  if (!isRecord(record)) return undefined;
  return name in record ? record[name] : record[name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
}

/** Go's encoding/json with `omitempty`: drops "", 0, false, undefined and empty maps. */
function omitEmpty(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).filter(
      ([, value]) =>
        value !== undefined && value !== "" && value !== 0 && value !== false && !(isRecord(value) && Object.keys(value).length === 0),
    ),
  );
}

const scalersJson = (scalers: Scalers) =>
  omitEmpty({ enabled: scalers.enabled, cpuTarget: scalers.cpuTarget, memoryTarget: scalers.memoryTarget });

/** Go's `fmt.Sprintf("%v", float64)` (strconv's shortest %g): exponent form below 1e-4 and from 1e6, two-digit exponents. */
export function goFloat(value: number): string {
  if (value === 0) return "0";
  const [mantissa, exponentText] = value.toExponential().split("e");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  return String(value);
}

/** A loco id as the JSON number loco writes; ids beyond 2^53 cannot be written exactly from JavaScript. */
function id(value: string, field: string, problems: string[]): number | undefined {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) {
    problems.push(`${field} ${value} is beyond what this resurrector can write exactly (2^53)`);
    return undefined;
  }
  return number;
}

export function buildApplication(input: ApplicationInput): ApplicationResult {
  const problems: string[] = [];
  const { spec, resourceSpec } = input;
  const service = rawField(input.rawSpec, "service");
  const build = rawField(service, "build");
  const deploymentScalers = readScalers(service, "spec.service");
  problems.push(...deploymentScalers.problems);
  const region = resourceSpec.regions.get(input.region);

  // The deployment's health check, else the resource's default (loco's MergeDeploymentSpec).
  const rawCheck = rawField(service, "healthCheck");
  const initialDelay = rawField(rawCheck, "initialDelaySeconds");
  const healthCheck = spec.healthCheck
    ? omitEmpty({
        path: spec.healthCheck.path,
        interval: spec.healthCheck.intervalSeconds,
        timeout: spec.healthCheck.timeoutSeconds,
        failThreshold: spec.healthCheck.failureThreshold,
        startupGracePeriod: typeof initialDelay === "number" ? initialDelay : 0,
      })
    : resourceSpec.healthCheck &&
      omitEmpty({
        path: resourceSpec.healthCheck.path,
        interval: resourceSpec.healthCheck.intervalSeconds,
        timeout: resourceSpec.healthCheck.timeoutSeconds,
        failThreshold: resourceSpec.healthCheck.failureThreshold,
        startupGracePeriod: resourceSpec.healthCheck.initialDelaySeconds,
      });
  const scalers = deploymentScalers.scalers ?? region?.scalers;

  const deployment = omitEmpty({
    image: spec.image,
    port: spec.port,
    dockerfilePath: typeof rawField(build, "dockerfilePath") === "string" ? rawField(build, "dockerfilePath") : "",
    buildType: typeof rawField(build, "type") === "string" ? rawField(build, "type") : "",
    cpu: spec.cpu,
    memory: spec.memory,
    minReplicas: spec.minReplicas,
    maxReplicas: spec.maxReplicas,
    scalers: scalers && scalersJson(scalers),
    healthCheck,
    env: input.environment && { ...input.environment },
  });
  // Scalers and health check are pointers in loco's types: present (even empty) when set.
  if (scalers) deployment.scalers = scalersJson(scalers);
  if (healthCheck) deployment.healthCheck = healthCheck;

  // buildResourcesSpec: the region's defaults, each overridden by a non-empty deployment value. Replicas and
  // scalers are plain structs there, so Go writes them even when empty.
  const resources = {
    ...omitEmpty({ cpu: spec.cpu || region?.cpu, memory: spec.memory || region?.memory }),
    replicas: omitEmpty({
      min: spec.minReplicas > 0 ? spec.minReplicas : region?.minReplicas,
      max: spec.maxReplicas > 0 ? spec.maxReplicas : region?.maxReplicas,
    }),
    scalers: scalers ? scalersJson(scalers) : {},
  };

  const routing = input.hostname
    ? omitEmpty({ hostName: input.hostname, pathPrefix: resourceSpec.routing?.pathPrefix, idleTimeout: resourceSpec.routing?.idleTimeout })
    : undefined;

  const observability = resourceSpec.observability;
  const obs = observability && {
    logging: omitEmpty({ ...observability.logging }),
    metrics: omitEmpty({ ...observability.metrics }),
    tracing: observability.tracing
      ? omitEmpty({
          enabled: observability.tracing.enabled,
          sampleRate: goFloat(observability.tracing.sampleRate),
          tags: observability.tracing.tags,
        })
      : {},
  };

  const serviceSpec = { deployment, resources, ...(routing ? { routing } : {}), ...(obs ? { obs } : {}) };
  const resourceId = id(input.resourceId, "resources.id", problems);
  const workspaceId = id(input.workspaceId, "workspaces.id", problems);
  const application: LocoApplication = {
    apiVersion: locoApplication.apiVersion,
    kind: locoApplication.kind,
    metadata: { name: applicationName(input.resourceId), namespace: input.namespace },
    spec: { type: "SERVICE", ...omitEmpty({ resourceId, workspaceId, region: input.region }), serviceSpec },
  };
  problems.push(...applicationProblems(application));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, application };
}
