/**
 * A service's deployment spec (deployments.spec of a `service` resource, versioned by deployments.spec_version) as
 * the renderer needs it: a long-running process serving HTTP on a port, routed by hostname.
 *
 * spec_version 1:
 *   {"service": {"build": {"type": "docker", "image": "<registry>/<repo>:<tag>"},
 *                "healthCheck": {"path": "/api/health", "intervalSeconds": 30, "timeoutSeconds": 5,
 *                                "failureThreshold": 3, "successThreshold": 1},
 *                "resources": {"cpu": "100m", "memory": "128Mi"},
 *                "minReplicas": 1, "maxReplicas": 1, "port": 8000, "region": "us-east-1"}}
 */
import { isRecord, show, SpecProblems, unknownSpecVersion, type SpecResult } from "./spec-fields";
import { specLimits } from "./spec-limits";

export interface HealthCheck {
  readonly path: string;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
  readonly successThreshold: number;
}

export interface ServiceSpec {
  readonly kind: "service";
  readonly image: string;
  readonly port: number;
  readonly cpu: string;
  readonly memory: string;
  /** 0: the app may sleep, woken by a request for one of its hostnames. */
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Absent: the app is probed on its TCP port. */
  readonly healthCheck?: HealthCheck;
  readonly region?: string;
}

/** spec_versions this parser understands. */
export const supportedServiceSpecVersions: readonly number[] = [1];

const healthCheckDefaults = { intervalSeconds: 30, timeoutSeconds: 5, failureThreshold: 3, successThreshold: 1 } as const;

function parseHealthCheck(value: unknown, problems: SpecProblems): HealthCheck | undefined {
  const path = "spec.service.healthCheck";
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) {
    problems.add(path, `must be an object (got ${show(value)})`);
    return undefined;
  }
  const probePath = value.path;
  if (typeof probePath !== "string" || !probePath.startsWith("/") || /\s/.test(probePath)) {
    problems.add(`${path}.path`, `must be an absolute HTTP path such as /healthz (got ${show(probePath)})`);
  }
  const { probeSeconds, probeThreshold } = specLimits;
  return {
    path: typeof probePath === "string" ? probePath : "/",
    intervalSeconds: problems.integer(value, "intervalSeconds", path, 1, probeSeconds, healthCheckDefaults.intervalSeconds),
    timeoutSeconds: problems.integer(value, "timeoutSeconds", path, 1, probeSeconds, healthCheckDefaults.timeoutSeconds),
    failureThreshold: problems.integer(value, "failureThreshold", path, 1, probeThreshold, healthCheckDefaults.failureThreshold),
    successThreshold: problems.integer(value, "successThreshold", path, 1, probeThreshold, healthCheckDefaults.successThreshold),
  };
}

function parseV1(spec: unknown): SpecResult<ServiceSpec> {
  const service = isRecord(spec) ? spec.service : undefined;
  if (!isRecord(service)) return { ok: false, problems: [`spec.service must be an object (got ${show(service)})`] };
  const path = "spec.service";
  const problems = new SpecProblems();
  const image = problems.image(service, path);
  const port = problems.integer(service, "port", path, 1, 65535);
  const { cpu, memory } = problems.resources(service, path);
  const { minReplicas, maxReplicas } = problems.replicas(service, path);
  const healthCheck = parseHealthCheck(service.healthCheck, problems);
  const region = typeof service.region === "string" ? service.region : undefined;

  if (problems.problems.length > 0) return { ok: false, problems: problems.problems };
  return { ok: true, spec: { kind: "service", image, port, cpu, memory, minReplicas, maxReplicas, healthCheck, region } };
}

/** The spec of one service's deployment row, or every reason it cannot be rendered. */
export function parseServiceSpec(specVersion: number, spec: unknown): SpecResult<ServiceSpec> {
  return specVersion === 1 ? parseV1(spec) : unknownSpecVersion(specVersion, supportedServiceSpecVersions);
}
